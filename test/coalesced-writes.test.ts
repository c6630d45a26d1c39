import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type WebSocket, WebSocket as WebSocketClient, WebSocketServer } from 'ws'
import { coalesceWrites, unsentLimit } from '../src/http/coalesced-writes.js'

// A real ws server and client: what graphql-ws relies on (each send answered, in order) with the
// connection's sends of one turn of the event loop written together.

let server: WebSocketServer
let serverSide: WebSocket
let client: WebSocketClient
const received: string[] = []

beforeAll(async () => {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  await new Promise((resolve) => server.once('listening', resolve))
  const connected = new Promise<WebSocket>((resolve) =>
    server.once('connection', (socket) => {
      coalesceWrites(socket)
      resolve(socket)
    }),
  )
  client = new WebSocketClient(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`)
  client.on('message', (data) => received.push(data.toString()))
  serverSide = await connected
})
afterAll(async () => {
  client.close()
  await new Promise((resolve) => server.close(resolve))
})

const microtasks = async () => {
  for (let n = 0; n < 5; n++) await Promise.resolve()
}

describe('coalesced writes', () => {
  it('answers a send at once while little is unsent, waits for the network past the limit, and keeps the order', async () => {
    const answered: string[] = []
    serverSide.send('first', () => answered.push('first'))
    await microtasks()
    expect(answered).toEqual(['first'])
    // Written in one turn: the large one puts the connection past the limit, so neither it nor
    // the next is answered before they are written.
    const large = 'x'.repeat(unsentLimit + 1)
    serverSide.send(large, () => answered.push('large'))
    serverSide.send('last', () => answered.push('last'))
    await microtasks()
    expect(answered).toEqual(['first'])
    await expect.poll(() => answered).toEqual(['first', 'large', 'last'])
    await expect.poll(() => received.length).toBe(3)
    expect(received.map((message) => message.slice(0, 5))).toEqual(['first', 'xxxxx', 'last'])
  })
})
