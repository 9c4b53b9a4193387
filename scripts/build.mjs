// Bundles the browser code with esbuild into wiki/static/dist and prints each bundle's gzipped size.
import { build } from "esbuild";
import { existsSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const ENTRIES = ["wiki/static/src/editor.js", "wiki/static/src/timeslider.js"].filter((entry) => existsSync(entry));
const MAX_GZIP_BYTES = 300 * 1024;

const result = await build({
  entryPoints: ENTRIES,
  bundle: true,
  format: "esm",
  minify: true,
  sourcemap: false,
  target: ["es2020"],
  outdir: "wiki/static/dist",
  metafile: true,
  logLevel: "warning",
});

let failed = false;
for (const output of Object.keys(result.metafile.outputs)) {
  const gzipped = gzipSync(readFileSync(output)).length;
  console.log(`${output}: ${(gzipped / 1024).toFixed(1)} KB gzipped`);
  if (gzipped > MAX_GZIP_BYTES) {
    console.error(`${output} is over the ${MAX_GZIP_BYTES / 1024} KB gzipped budget`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
