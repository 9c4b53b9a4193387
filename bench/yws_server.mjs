// The y-websocket reference servers for the fan-out benchmark (bench/fanout/): y-websocket's
// own connection handling, no auth; in memory, or made durable.
//
// Usage: node bench/yws_server.mjs [--durable LOGFILE] [port]   (port 0 or none: a free one)
// Prints "listening 127.0.0.1:<port>" once it accepts connections. The room is the URL path,
// as in y-websocket's own bin/server; every connection speaks y-protocols messages directly.
//
// --durable: the fair peer of a server that stores each update before anyone sees it. Every
// update a document takes is appended to LOGFILE (a 4-byte big-endian length, then the
// update), and whatever the server would send during one turn of the event loop is held
// until that turn's appends are written and fdatasync'd, once for all of them (group
// commit); then it goes out in the order it was sent. Nothing is read back from the file.

import fs from 'node:fs'
import http from 'node:http'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const utilsPath = require.resolve('y-websocket/bin/utils')
// The ws version y-websocket was written against, resolved from y-websocket itself.
const WebSocket = createRequire(utilsPath)('ws')
const { setupWSConnection, getYDoc } = require(utilsPath)

if (process.env.YPERSISTENCE) {
  console.error('unset YPERSISTENCE: the benchmark runs y-websocket without its LevelDB store')
  process.exit(2)
}

const args = process.argv.slice(2)
const durableAt = args.indexOf('--durable')
const logPath = durableAt >= 0 ? args.splice(durableAt, 2)[1] : null
const port = Number(args[0] || 0)

/** Appends of this turn, and sends waiting for them to be durable. */
class GroupCommit {
  constructor (path) {
    this.fd = fs.openSync(path, 'a')
    this.appends = []
    this.held = []
    this.scheduled = false
    this.docs = new WeakSet()
  }

  /** Log every update ``doc`` takes from now on. */
  watch (doc) {
    if (this.docs.has(doc)) return
    this.docs.add(doc)
    doc.on('update', update => {
      const length = Buffer.alloc(4)
      length.writeUInt32BE(update.length)
      this.appends.push(length, update)
      this.schedule()
    })
  }

  /** Hold what y-websocket sends to ``conn`` until the turn's appends are durable. */
  hold (conn) {
    conn.send = (...sendArgs) => {
      this.held.push([conn, sendArgs])
      this.schedule()
    }
  }

  schedule () {
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => this.flush())
    }
  }

  flush () {
    this.scheduled = false
    if (this.appends.length > 0) {
      const bytes = Buffer.concat(this.appends)
      this.appends = []
      let written = 0
      while (written < bytes.length) {
        written += fs.writeSync(this.fd, bytes, written, bytes.length - written)
      }
      fs.fdatasyncSync(this.fd)
    }
    const held = this.held
    this.held = []
    for (const [conn, sendArgs] of held) {
      if (conn.readyState === WebSocket.OPEN) {
        WebSocket.prototype.send.apply(conn, sendArgs)
      }
    }
  }
}

const commit = logPath ? new GroupCommit(logPath) : null
const wss = new WebSocket.Server({ noServer: true })
wss.on('connection', (conn, request) => {
  if (commit) {
    commit.hold(conn)
    // The name y-websocket derives from the URL, so this is the document it will use.
    commit.watch(getYDoc((request.url || '').slice(1).split('?')[0]))
  }
  setupWSConnection(conn, request)
})

const server = http.createServer((_request, response) => {
  response.writeHead(200, { 'Content-Type': 'text/plain' })
  response.end('y-websocket benchmark server\n')
})
server.on('upgrade', (request, socket, head) => {
  wss.handleUpgrade(request, socket, head, ws => wss.emit('connection', ws, request))
})
server.listen(port, '127.0.0.1', () => {
  console.log(`listening 127.0.0.1:${server.address().port}${logPath ? ' durable' : ''}`)
})
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.exit(0))
}
