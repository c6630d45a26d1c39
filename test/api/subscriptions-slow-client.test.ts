import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { recordRevisions } from '../../src/db/aggregate-state.js'
import { startApi, type TestApi } from '../support/api.js'
import { anEvent } from '../support/factories.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

// A client that stops reading: its messages fill the connection and the subscription's bounded
// queue, and the service closes it with a reason (not silently), from which it can resume.

let api: TestApi
beforeAll(async () => {
  api = await startApi(testDatabaseUrl(), undefined, { env: { SUBSCRIPTION_STALL_SECONDS: '1' } })
})
afterAll(() => api?.stop())

describe('a client that stops reading', () => {
  it('is closed with 4029 and a reason that says to reconnect with the last cursor', async () => {
    const socket = new WebSocket(api.url.replace('http', 'ws'), 'graphql-transport-ws')
    const messages: { type: string }[] = []
    socket.on('message', (data) => messages.push(JSON.parse(data.toString())))
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    )
    await new Promise((resolve) => socket.once('open', resolve))
    socket.send(JSON.stringify({ type: 'connection_init' }))
    await expect.poll(() => messages.map((message) => message.type)).toEqual(['connection_ack'])
    socket.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: {
          query:
            'subscription { eventChanges(filter: { search: "Stalled" }) { cursor event { summary } } }',
        },
      }),
    )
    // The subscription is held once a first change reaches it.
    const write = (count: number, summary: string) =>
      testDb()
        .transaction()
        .execute(async (trx) => {
          const ids = []
          for (let n = 0; n < count; n++)
            ids.push(await anEvent(trx, { title: 'Stalled', summary }))
          await recordRevisions(
            trx,
            'create',
            'event',
            { dataset: 'test', release: '1' },
            ids.map((id) => ({ id, before: null })),
          )
        })
    await expect
      .poll(
        async () => {
          await write(1, 'first')
          return messages.some((message) => message.type === 'next')
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(true)
    // It stops reading; the changes (about 16 MB of messages) fill what the network holds.
    socket.pause()
    for (let batch = 0; batch < 8; batch++) await write(100, 'x'.repeat(20_000))
    // Long past the 1 s allowed, whatever the machine's load: the close frame waits behind what
    // it has not read, and reaches it once it reads again.
    await new Promise((resolve) => setTimeout(resolve, 8000))
    socket.resume()
    expect(await closed).toEqual({
      code: 4029,
      reason: expect.stringMatching(/Too slow.*SUBSCRIPTION_STALL_SECONDS.*last cursor/),
    })
  }, 60_000)
})
