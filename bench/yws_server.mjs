// The y-websocket reference server for the fan-out benchmark (bench/fanout/): in memory, no
// persistence, no auth.
//
// Usage: node bench/yws_server.mjs [port]   (port 0 or none: a free one)
// Prints "listening 127.0.0.1:<port>" once it accepts connections. The room is the URL path,
// as in y-websocket's own bin/server; every connection speaks y-protocols messages directly.

import http from 'node:http'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const utilsPath = require.resolve('y-websocket/bin/utils')
// The ws version y-websocket was written against, resolved from y-websocket itself.
const WebSocket = createRequire(utilsPath)('ws')
const { setupWSConnection } = require(utilsPath)

if (process.env.YPERSISTENCE) {
  console.error('unset YPERSISTENCE: the benchmark compares against an in-memory server')
  process.exit(2)
}

const wss = new WebSocket.Server({ noServer: true })
wss.on('connection', setupWSConnection)

const server = http.createServer((_request, response) => {
  response.writeHead(200, { 'Content-Type': 'text/plain' })
  response.end('y-websocket benchmark server\n')
})
server.on('upgrade', (request, socket, head) => {
  wss.handleUpgrade(request, socket, head, ws => wss.emit('connection', ws, request))
})
server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  console.log(`listening 127.0.0.1:${server.address().port}`)
})
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.exit(0))
}
