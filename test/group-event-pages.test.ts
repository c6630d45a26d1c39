import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { groupEventPages } from '../src/db/event-list.js'
import type { ActorRole } from '../src/db/schema.js'
import { actorDatesOutOfSync } from './support/actor-dates.js'
import { testDb } from './support/test-database.js'

// A group's events page reads event_actor's copy of the event's date (sql/0041): these tests
// compare its pages with the group's events as one sorted list, and keep the copy in sync.

beforeAll(async () => {
  // 400 events over 100 days (four a day, so the id breaks ties), some deleted; event n's
  // perpetrator is group 1 + n % 4, and group 1 is also the target of every third event, so
  // it has two actors in some events.
  await sql`
    INSERT INTO armed_group (name) SELECT 'Group ' || n FROM generate_series(1, 5) n;
    INSERT INTO event (title, date_start, date_end, deleted_at)
    SELECT 'Event ' || n, date '2020-01-01' + n / 4, date '2020-01-01' + n / 4 + n % 5,
      CASE WHEN n % 11 = 0 THEN now() END
    FROM generate_series(1, 400) n;
    INSERT INTO event_actor (event_id, group_id, role)
    SELECT id, 1 + id % 4, 'perpetrator'::actor_role FROM event
    UNION ALL SELECT id, 1, 'target' FROM event WHERE id % 3 = 0;
  `.execute(testDb())
})

/** The group's live events, newest first, as the page walked event_date_idx before. */
async function expected(groupId: number, role?: ActorRole): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    SELECT event.id FROM event
    WHERE event.deleted_at IS NULL AND EXISTS (SELECT 1 FROM event_actor actor
      WHERE actor.event_id = event.id AND actor.group_id = ${groupId}
        ${role ? sql`AND actor.role = ${role}::actor_role` : sql``})
    ORDER BY event.date_start DESC, event.id DESC`.execute(testDb())
  return rows.map((row) => row.id)
}

/** Every page of each group, by the position of the last row seen, as one list per group. */
async function walk(
  groupIds: number[],
  role: ActorRole | undefined,
  limit: number,
  backward: boolean,
) {
  const seen = new Map(groupIds.map((id) => [id, [] as number[]]))
  for (const groupId of groupIds) {
    let position: [string, number] | undefined
    for (;;) {
      const pages = await groupEventPages(testDb(), groupIds, role, {
        limit,
        backward,
        ...(position && { position }),
      })
      const page = pages.get(groupId) ?? { rows: [], hasMore: false }
      const ids = page.rows.map((row) => row.id)
      const list = seen.get(groupId) as number[]
      if (backward) list.unshift(...ids)
      else list.push(...ids)
      const edge = backward ? page.rows[0] : page.rows.at(-1)
      if (!page.hasMore || !edge) break
      expect(page.rows).toHaveLength(limit)
      position = [edge.sort_value, edge.id]
    }
  }
  return seen
}

describe("a group's events page", () => {
  it.each<[string, ActorRole | undefined]>([
    ['in any role (one event once, whatever roles the group had in it)', undefined],
    ['in one role', 'target'],
  ])('is its live events newest first, in pages both ways: %s', async (_, role) => {
    const groups = [1, 2, 5]
    const all = new Map(
      await Promise.all(groups.map(async (id) => [id, await expected(id, role)] as const)),
    )
    expect(all.get(1)?.length).toBeGreaterThan(100)
    for (const limit of [1, 7, 1000]) {
      for (const backward of [false, true]) {
        expect(
          await walk(groups, role, limit, backward),
          `${limit}, backward: ${backward}`,
        ).toEqual(all)
      }
    }
  })
})

describe("event_actor's copy of the event's date", () => {
  it('follows inserts, date changes, moved actors, and cannot be written wrong', async () => {
    const db = testDb()
    expect(await actorDatesOutOfSync(testDb())).toBe(0)
    const { id } = await db
      .insertInto('event')
      .values({ title: 'Moved', date_start: '2021-05-01', date_end: '2021-05-02' })
      .returning('id')
      .executeTakeFirstOrThrow()
    await db
      .insertInto('event_actor')
      .values({ event_id: id, group_id: 5, role: 'participant' })
      .execute()
    expect(await actorDatesOutOfSync(testDb())).toBe(0)
    expect((await expected(5))[0]).toBe(id)
    // Moving the event to an older date moves it down the group's page.
    await db.updateTable('event').set({ date_start: '2019-01-01' }).where('id', '=', id).execute()
    expect(await actorDatesOutOfSync(testDb())).toBe(0)
    const pages = await groupEventPages(db, [5], undefined, { limit: 1000, backward: false })
    expect(pages.get(5)?.rows.map((row) => row.id)).toEqual(await expected(5))
    expect(pages.get(5)?.rows.at(-1)?.id).toBe(id)
    // An actor moved to another event, and a copy written by hand, take that event's date.
    await db.updateTable('event_actor').set({ event_id: 1 }).where('event_id', '=', id).execute()
    await sql`UPDATE event_actor SET event_date_start = '1900-01-01' WHERE event_id = 2`.execute(db)
    expect(await actorDatesOutOfSync(testDb())).toBe(0)
    // Deleting an event deletes its actors; a soft-deleted event leaves the page.
    await db.deleteFrom('event').where('id', '=', 1).execute()
    await db.updateTable('event').set({ deleted_at: new Date() }).where('id', '=', 4).execute()
    expect(await actorDatesOutOfSync(testDb())).toBe(0)
    const after = await groupEventPages(db, [1], undefined, { limit: 1000, backward: false })
    expect(after.get(1)?.rows.map((row) => row.id)).toEqual(await expected(1))
    expect(after.get(1)?.rows.map((row) => row.id)).not.toContain(4)
  })
})
