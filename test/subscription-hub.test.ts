import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordRevisions } from '../src/db/aggregate-state.js'
import { dedicatedConnection } from '../src/db/database.js'
import { createLogger } from '../src/logger.js'
import { ChangeHub, type ChangeSubscriber, type MatchedChange } from '../src/subscriptions/hub.js'
import { Mailbox } from '../src/subscriptions/mailbox.js'
import { anEvent } from './support/factories.js'
import { testDb } from './support/test-database.js'

// The hub on its own, over a real Postgres: events written as every writer writes them (a row
// and its revision in one transaction), delivered to subscribers that read slowly or share reads.

let hub: ChangeHub

beforeAll(async () => {
  hub = new ChangeHub(
    testDb(),
    () => dedicatedConnection(testDb(), 'hub test'),
    createLogger('silent'),
    {
      batchSize: 3,
    },
  )
  await hub.start()
})
afterAll(() => hub.stop())

/** Creates an event and records its creation, in one transaction; returns its id. */
async function writeEvent(title: string): Promise<number> {
  return testDb()
    .transaction()
    .execute(async (trx) => {
      const id = await anEvent(trx, { title })
      await recordRevisions(trx, 'create', 'event', { dataset: 'test', release: '1' }, [
        { id, before: null },
      ])
      return id
    })
}

interface Probe {
  readonly subscriber: ChangeSubscriber
  readonly mailbox: Mailbox<number>
  readonly fetches: number[][]
}

function probe(search: string, capacity: number, selectionKey = 'title'): Probe {
  const fetches: number[][] = []
  let subscriber: ChangeSubscriber | undefined
  const mailbox = new Mailbox<number>(capacity, () => subscriber && hub.resume(subscriber))
  subscriber = {
    filter: { search },
    filterKey: search,
    selectionKey,
    cursor: hub.position,
    fetch: async (ids) => {
      fetches.push([...ids])
      return new Map(ids.map((id) => [id, id]))
    },
    offer: (message: MatchedChange) => mailbox.offer(message.change.eventId),
    get closed() {
      return mailbox.closed
    },
  }
  hub.subscribe(subscriber)
  return { subscriber, mailbox, fetches }
}

describe('the change hub', () => {
  it('catches a subscriber that reads slowly up from the feed: every change once, in order, a bounded queue', async () => {
    const slow = probe('Kairouan', 2)
    const written: number[] = []
    for (let n = 1; n <= 7; n++) written.push(await writeEvent(`Kairouan raid ${n}`))
    await expect.poll(() => slow.mailbox.size).toBe(2)
    const received: number[] = []
    for (const _ of written) {
      received.push((await slow.mailbox.next()).value as number)
      expect(slow.mailbox.size).toBeLessThanOrEqual(2)
    }
    expect(received).toEqual(written)
    const later = await writeEvent('Kairouan raid 8')
    expect((await slow.mailbox.next()).value).toBe(later)
    slow.mailbox.close()
    hub.unsubscribe(slow.subscriber)
  })

  it('reads a selection once per batch for every subscriber that shares it, and judges each filter apart', async () => {
    const [a, b] = [probe('Monastir', 10, 'shared'), probe('Monastir', 10, 'shared')]
    const other = probe('Mahdia', 10, 'shared')
    const id = await writeEvent('Monastir bombing')
    expect((await a.mailbox.next()).value).toBe(id)
    expect((await b.mailbox.next()).value).toBe(id)
    expect([...a.fetches, ...b.fetches, ...other.fetches]).toEqual([[id]])
    const elsewhere = await writeEvent('Mahdia bombing')
    expect((await other.mailbox.next()).value).toBe(elsewhere)
    expect(a.mailbox.size + b.mailbox.size).toBe(0)
    for (const { mailbox, subscriber } of [a, b, other]) {
      mailbox.close()
      hub.unsubscribe(subscriber)
    }
  })
  it('gives a filter that takes the slot another left its own verdicts, and the others theirs', async () => {
    const leaving = probe('Sfax', 10)
    const staying = probe('Gabes', 10)
    leaving.mailbox.close()
    hub.unsubscribe(leaving.subscriber)
    const joining = probe('Tozeur', 10)
    await writeEvent('Sfax shelling')
    const [gabes, tozeur] = [
      await writeEvent('Gabes shelling'),
      await writeEvent('Tozeur shelling'),
    ]
    expect((await staying.mailbox.next()).value).toBe(gabes)
    expect((await joining.mailbox.next()).value).toBe(tozeur)
    const later = await writeEvent('Gabes and Tozeur shelling')
    expect((await staying.mailbox.next()).value).toBe(later)
    expect((await joining.mailbox.next()).value).toBe(later)
    expect([staying.mailbox.size, joining.mailbox.size]).toEqual([0, 0])
    for (const { mailbox, subscriber } of [staying, joining]) {
      mailbox.close()
      hub.unsubscribe(subscriber)
    }
  })
})
