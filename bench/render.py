"""Rendering benchmark: Markdown to safe HTML must cost the same per KB at any size.

Four kinds of text (a table of many short rows, prose, a long list, nested emphasis) and one
worst case (a table of empty cells, ten bytes of HTML per byte of Markdown) are rendered at
12, 24, 48, 96 and 500 KB by ``wiki.render.markdown.render_markdown``; each time is the best of
``--repeats``. Printed per kind: the times, the ratio of each doubling (2.0 is linear, 4.0
quadratic) and whether 500 KB renders within the 1 s target.

Then the sanitisers on the same HTML, bleach (html5lib; the allow-list of before) against nh3
(ammonia), and the pipeline of before (markdown-it-py, then bleach) up to 96 KB, with its
time split between parsing and sanitising. ``--no-before`` skips those: bleach takes minutes.

Run: ``.venv/bin/python bench/render.py`` (bleach comes with the dev extra).
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from functools import partial
from itertools import pairwise

from markdown_it import MarkdownIt

from wiki.render import markdown as render

KB = 1024
SIZES_KB = (12, 24, 48, 96, 500)
BEFORE_SIZES_KB = (12, 24, 48, 96)
TARGET_500KB_S = 1.0


def table(size: int) -> str:
    """The shape of issue 19: many short rows, every one a child of the same <tbody>."""
    rows = ["| Milestone | Lead | Due |", "|:--|:-:|--:|"]
    rows += [f"| M{i} *x* | [CO](/co) | 2025 |" for i in range(size // 30)]
    return "\n".join(rows) + "\n"


def prose(size: int) -> str:
    paragraph = "The plan will **publish** the register, as [agreed](/plan) in `2024`. " * 4
    return "## Part\n\n" + (paragraph + "\n\n") * (size // (len(paragraph) + 2))


def lists(size: int) -> str:
    return "".join(f"- item {i} with *emphasis*\n" for i in range(size // 28))


def emphasis(size: int) -> str:
    return "*a **b _c __d__ c_ b** a* " * (size // 26)


def empty_cells(size: int) -> str:
    return "| a | b |\n|---|---|\n" + "||\n" * (size // 3)


def deep_quotes(size: int) -> str:
    return "> " * (size // 2) + "x\n"


KINDS: dict[str, Callable[[int], str]] = {
    "table": table,
    "prose": prose,
    "list": lists,
    "emphasis": emphasis,
    "empty cells": empty_cells,
    "deep quotes": deep_quotes,
}


def best_s(work: Callable[[], object], repeats: int) -> float:
    """The fastest of ``repeats`` runs of ``work``: the least disturbed by the machine."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def doublings(times: list[float]) -> str:
    """Each time over the one before, for the sizes that double (12 to 96 KB)."""
    return " ".join(f"{later / earlier:4.1f}" for earlier, later in pairwise(times[:4]))


def report_render(repeats: int) -> None:
    print(f"render_markdown (pyromark + nh3), best of {repeats}, ms")
    print(f"{'kind':12}" + "".join(f"{s:>8}K" for s in SIZES_KB) + "   ratio per doubling  500K")
    for name, make in KINDS.items():
        times = [best_s(partial(render.render_markdown, make(s * KB)), repeats) for s in SIZES_KB]
        verdict = "ok" if times[-1] < TARGET_500KB_S else f"over {TARGET_500KB_S:.0f} s"
        cells = "".join(f"{t * 1000:9.1f}" for t in times)
        print(f"{name:12}{cells}   {doublings(times)}      {verdict}")


def bleach_cleaner():  # type: ignore[no-untyped-def]
    """The sanitiser of before, with the same allow-list as render's."""
    import bleach

    def image_attribute(tag: str, name: str, value: str) -> bool:
        return render.static_image(value) if name == "src" else name in ("alt", "title")

    attributes = {"a": ["href", "title"], "img": image_attribute, "ol": ["start"]}
    return bleach.Cleaner(
        tags=render.ALLOWED_TAGS,
        attributes=attributes,
        protocols=render.ALLOWED_PROTOCOLS,
        strip=True,
    )


def report_sanitisers(repeats: int) -> None:
    cleaner = bleach_cleaner()
    print(f"\nsanitising the same HTML, bleach against nh3, best of {repeats}, ms")
    print(f"{'kind':12}{'size':>6}{'HTML':>8}{'bleach':>10}{'nh3':>8}{'ratio':>8}")
    for name, make in KINDS.items():
        for size in BEFORE_SIZES_KB:
            html = render.markdown_to_html(make(size * KB))
            slow = best_s(partial(cleaner.clean, html), 1)
            fast = best_s(partial(render.sanitise, html), repeats)
            print(
                f"{name:12}{size:5}K{len(html) // KB:7}K{slow * 1000:10.0f}{fast * 1000:8.1f}"
                f"{slow / fast:7.0f}x"
            )


def report_before() -> None:
    cleaner = bleach_cleaner()
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    print("\nthe pipeline of before: markdown-it-py, then bleach, one run each, ms")
    print(f"{'kind':12}" + "".join(f"{s:>14}K" for s in BEFORE_SIZES_KB) + "   ratio per doubling")
    for name, make in KINDS.items():
        totals, cells = [], ""
        for size in BEFORE_SIZES_KB:
            text = make(size * KB)
            started = time.perf_counter()
            html = parser.render(text)
            parsed = time.perf_counter()
            cleaner.clean(html)
            done = time.perf_counter()
            totals.append(done - started)
            cells += f"{(parsed - started) * 1000:7.0f}+{(done - parsed) * 1000:7.0f}"
        print(f"{name:12}{cells}   {doublings(totals)}   (parse+sanitise)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-before", action="store_true", help="skip bleach (minutes)")
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}\n")
    report_render(args.repeats)
    if not args.no_before:
        report_sanitisers(args.repeats)
        report_before()


if __name__ == "__main__":
    main()
