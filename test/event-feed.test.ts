import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { recordRevisions, stateOf } from '../src/db/aggregate-state.js'
import { matchFilters, readEventFeed } from '../src/db/event-feed.js'
import { aGroup, anEvent } from './support/factories.js'
import { testDb } from './support/test-database.js'

// The change feed's judgement of filters (src/db/event-feed.ts) against a real Postgres: the
// states the revisions recorded, not the tables as they are now.

describe('matchFilters', () => {
  it('judges each revision on its own states when one batch holds several of one event', async () => {
    const db = testDb()
    const [first, second] = [await aGroup(db), await aGroup(db)]
    const { rows } = await sql<{ max: number | null }>`SELECT max(id) AS max FROM revision`.execute(
      db,
    )
    const start = { xid: '0', id: rows[0]?.max ?? 0 }
    const eventId = await db.transaction().execute(async (trx) => {
      const id = await anEvent(trx, { title: 'Twice in one batch' })
      await recordRevisions(trx, 'create', 'event', { dataset: 'test', release: '1' }, [
        { id, before: null },
      ])
      // The first update brings in the first group; the second swaps it for the other.
      for (const group of [first, second]) {
        const before = await stateOf(trx, 'event', id)
        await trx.deleteFrom('event_actor').where('event_id', '=', id).execute()
        await trx
          .insertInto('event_actor')
          .values({ event_id: id, group_id: group, role: 'perpetrator' })
          .execute()
        await recordRevisions(trx, 'update', 'event', { dataset: 'test', release: '1' }, [
          { id, before },
        ])
      }
      return id
    })
    const changes = (await readEventFeed(db, start, 100)).filter(
      (change) => change.eventId === eventId,
    )
    expect(changes.map((change) => [change.operation, change.hadBefore])).toEqual([
      ['create', false],
      ['update', true],
      ['update', true],
    ])
    const judged = await matchFilters(db, changes, [
      { groupIds: [first] },
      null,
      { groupIds: [second] },
    ])
    expect(changes.map((change) => judged.get(change.position.id))).toEqual([
      { before: [false, false, false], after: [false, false, false] },
      { before: [false, false, false], after: [true, false, false] },
      { before: [true, false, false], after: [false, false, true] },
    ])
  })
})
