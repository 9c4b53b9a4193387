// A real Yjs peer for the interop tests: one JSON command per stdin line, one JSON reply per
// stdout line. Bytes travel as base64; Y.Text indexes are Yjs's own (UTF-16 code units).
// Run from the repository root so that 'yjs', 'y-protocols' and 'lib0' resolve.
import * as readline from 'node:readline'
import * as Y from 'yjs'
import * as syncProtocol from 'y-protocols/sync'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as encoding from 'lib0/encoding'

const MESSAGE_SYNC = 0
const MESSAGE_AWARENESS = 1
const TEXT_NAME = 'markdown'

const b64 = (bytes) => Buffer.from(bytes).toString('base64')
const unb64 = (text) => new Uint8Array(Buffer.from(text, 'base64'))

let doc = new Y.Doc()
let updates = []

const reset = (clientId) => {
  doc = new Y.Doc({ gc: true })
  doc.clientID = clientId
  updates = []
  doc.on('update', (update) => updates.push(b64(update)))
}

const message = (write) => {
  const encoder = encoding.createEncoder()
  write(encoder)
  return b64(encoding.toUint8Array(encoder))
}

const commands = {
  reset: ({ client_id: clientId }) => { reset(clientId); return {} },
  apply: ({ update }) => { Y.applyUpdate(doc, unb64(update)); return {} },
  edit: ({ ops }) => {
    updates = []
    const text = doc.getText(TEXT_NAME)
    doc.transact(() => {
      for (const [index, deleteCount, insert] of ops) {
        if (deleteCount) text.delete(index, deleteCount)
        if (insert) text.insert(index, insert)
      }
    })
    return { update: updates[updates.length - 1] ?? null }
  },
  state: ({ sv }) => ({
    update: b64(Y.encodeStateAsUpdate(doc, sv ? unb64(sv) : undefined)),
    sv: b64(Y.encodeStateVector(doc))
  }),
  sync: ({ sv, update }) => ({
    sv: b64(Y.encodeStateVector(doc)),
    step2_payload: b64(Y.encodeStateAsUpdate(doc, unb64(sv))),
    step1: message((e) => { encoding.writeVarUint(e, MESSAGE_SYNC); syncProtocol.writeSyncStep1(e, doc) }),
    step2: message((e) => { encoding.writeVarUint(e, MESSAGE_SYNC); syncProtocol.writeSyncStep2(e, doc, unb64(sv)) }),
    update: message((e) => { encoding.writeVarUint(e, MESSAGE_SYNC); syncProtocol.writeUpdate(e, unb64(update)) })
  }),
  relative: ({ index, assoc }) => ({
    pos: b64(Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(doc.getText(TEXT_NAME), index, assoc)))
  }),
  absolute: ({ pos }) => ({
    index: Y.createAbsolutePositionFromRelativePosition(Y.decodeRelativePosition(unb64(pos)), doc)?.index ?? null
  }),
  merge: ({ updates: parts }) => ({ update: b64(Y.mergeUpdates(parts.map(unb64))) }),
  contents: ({ parts }) => {
    // Items of the named content kinds (ContentJSON is legacy Yjs; the tests craft it).
    const text = doc.getText(TEXT_NAME)
    const map = doc.getMap('map')
    const build = {
      string: () => text.insert(0, 'plain 😀 '),
      format: () => text.insert(0, 'bold', { bold: true }),
      embed: () => text.insertEmbed(0, { image: 'x.png' }),
      any: () => doc.getArray('array').push([1, -70000, 2.5, 0.1, 's', true, false, null, { a: [1, { b: 'c' }] }]),
      any_rare: () => doc.getArray('array').push([{ big: 2n ** 60n, none: undefined }]),
      binary: () => map.set('binary', new Uint8Array([1, 2, 3])),
      type: () => map.set('nested', new Y.Array()),
      xml: () => { map.set('xml', new Y.XmlElement('p')); map.set('fragment', new Y.XmlFragment()); map.set('xmltext', new Y.XmlText()) },
      hook: () => map.set('hook', new Y.XmlHook('h')),
      doc: () => map.set('sub', new Y.Doc({ guid: 'sub-doc' })),
      deleted: () => { map.set('gone', 'x'); map.delete('gone') }
    }
    for (const part of parts) build[part]()
    return { update: b64(Y.encodeStateAsUpdate(doc)) }
  },
  awareness: ({ client_id: clientId, states, remove }) => {
    const awarenessDoc = new Y.Doc()
    awarenessDoc.clientID = clientId
    const awareness = new awarenessProtocol.Awareness(awarenessDoc)
    for (const state of states) awareness.setLocalState(state)
    if (remove) awarenessProtocol.removeAwarenessStates(awareness, [clientId], 'test')
    const update = awarenessProtocol.encodeAwarenessUpdate(awareness, [clientId])
    awareness.destroy()
    return {
      update: b64(update),
      message: message((e) => { encoding.writeVarUint(e, MESSAGE_AWARENESS); encoding.writeVarUint8Array(e, update) })
    }
  },
  apply_awareness: ({ update }) => {
    const awareness = new awarenessProtocol.Awareness(new Y.Doc())
    awarenessProtocol.applyAwarenessUpdate(awareness, unb64(update), 'test')
    const states = [...awareness.getStates()].filter(([id]) => id !== awareness.clientID)
    const clocks = states.map(([id]) => awareness.meta.get(id).clock)
    awareness.destroy()
    return { states: states.map(([id, state], i) => [id, clocks[i], state]) }
  }
}

reset(1)
const lines = readline.createInterface({ input: process.stdin })
lines.on('line', (line) => {
  const command = JSON.parse(line)
  let reply
  try {
    reply = commands[command.cmd](command)
  } catch (error) {
    reply = { error: String(error) }
  }
  reply.text = doc.getText(TEXT_NAME).toString()
  process.stdout.write(JSON.stringify(reply) + '\n')
})
lines.on('close', () => process.exit(0))
