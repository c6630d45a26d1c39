import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.js'
import { loadDemoData } from '../../src/demo/load-demo.js'
import { dataOf, startApi, type TestApi } from '../support/api.js'
import { databaseFingerprint } from '../support/fingerprint.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

// A document's mutations are written together or not at all; writers that point at each other
// queue instead of deadlocking; a write that changes nothing leaves no trace.

let api: TestApi
let editor = ''

async function createEvent(title: string): Promise<{ id: string; version: number }> {
  const data = dataOf(
    await api.query<{ createEvent: { id: string; version: number } }>(
      `mutation ($title: String!) {
        createEvent(fields: { title: $title, dateStart: "2020-01-01" }) { id version }
      }`,
      { title },
      editor,
    ),
  )
  return data.createEvent
}

async function revisionCount(): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM revision`.execute(testDb())
  return Number(rows[0]?.n)
}

beforeAll(async () => {
  await loadDemoData(testDb())
  editor = (await createApiKey(testDb(), 'documents editor', 'editor')).key
  api = await startApi(testDatabaseUrl())
})
afterAll(() => api.stop())

describe('a document of several mutations', () => {
  const twoUpdates = `mutation ($id: ID!, $first: Int!, $second: Int!) {
    a: updateEvent(id: $id, version: $first, fields: { summary: "first" }) { version summary }
    b: updateEvent(id: $id, version: $second, fields: { summary: "second" }) { version summary }
  }`

  it('writes all of its mutations in order, each seeing the one before', async () => {
    const event = await createEvent('Two edits in one document')
    const response = await api.query(
      twoUpdates,
      { id: event.id, first: event.version, second: event.version + 1 },
      editor,
    )
    expect(dataOf(response)).toEqual({
      a: { version: event.version + 1, summary: 'first' },
      b: { version: event.version + 2, summary: 'second' },
    })
  })

  it('writes nothing when a later one fails, and says which failed and what was undone', async () => {
    const event = await createEvent('The second edit is stale')
    const before = await databaseFingerprint(testDb())
    // The second names a version that the first does not leave: CONFLICT.
    const response = await api.query(
      twoUpdates,
      { id: event.id, first: event.version, second: event.version },
      editor,
    )
    expect(response.data).toEqual({ a: null, b: null })
    const codes = Object.fromEntries(
      (response.errors ?? []).map((error) => [error.path?.[0], error.extensions?.code]),
    )
    expect(codes).toEqual({ a: 'ROLLED_BACK', b: 'CONFLICT' })
    expect(await databaseFingerprint(testDb())).toBe(before)
  })

  it('does not run the mutations after a failed one', async () => {
    const event = await createEvent('The first edit is refused')
    const before = await databaseFingerprint(testDb())
    const response = await api.query(
      `mutation ($id: ID!, $version: Int!) {
        a: updateEvent(id: $id, version: $version, fields: { title: "" }) { version }
        b: createEvent(fields: { title: "never written", dateStart: "2020-01-01" }) { id }
      }`,
      { id: event.id, version: event.version },
      editor,
    )
    expect(response.data).toEqual({ a: null, b: null })
    expect(response.errors?.map((error) => [error.path?.[0], error.extensions?.code])).toEqual([
      ['a', 'BAD_USER_INPUT'],
      ['b', 'ROLLED_BACK'],
    ])
    expect(response.errors?.[1]?.message).toMatch(/^Not run/)
    expect(await databaseFingerprint(testDb())).toBe(before)
  })
})

describe('writers that point at each other', () => {
  it('link 50 pairs of events both ways at once without an internal error', async () => {
    const pairs = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => [
        await createEvent(`Linked A ${i}`),
        await createEvent(`Linked B ${i}`),
      ]),
    )
    const link = `mutation ($id: ID!, $version: Int!, $other: ID!) {
      setEventLink(eventId: $id, version: $version, link: { relatedEventId: $other, kind: CONTEXT }) {
        id version
      }
    }`
    const responses = await Promise.all(
      pairs.flatMap(([a, b]) => [
        api.query(link, { id: a?.id, version: a?.version, other: b?.id }, editor),
        api.query(link, { id: b?.id, version: b?.version, other: a?.id }, editor),
      ]),
    )
    const codes = responses.flatMap((response) =>
      (response.errors ?? []).map((error) => error.extensions?.code),
    )
    expect(codes).toEqual([])
    const { rows } = await sql<{ n: string }>`
      SELECT count(*) AS n FROM event_link l JOIN event e ON e.id = l.event_id
      WHERE e.title LIKE 'Linked %'`.execute(testDb())
    expect(Number(rows[0]?.n)).toBe(100)
  })
})

describe('a write that changes nothing', () => {
  it('keeps the version and records no revision', async () => {
    const event = await createEvent('Nothing changes')
    const update = `mutation ($id: ID!, $version: Int!) {
      updateEvent(id: $id, version: $version, fields: { summary: "the same" }) { version }
    }`
    const changed = dataOf(
      await api.query<{ updateEvent: { version: number } }>(
        update,
        { id: event.id, version: event.version },
        editor,
      ),
    )
    expect(changed.updateEvent.version).toBe(event.version + 1)
    const revisions = await revisionCount()
    const again = dataOf(
      await api.query<{ updateEvent: { version: number } }>(
        update,
        { id: event.id, version: event.version + 1 },
        editor,
      ),
    )
    expect(again.updateEvent.version).toBe(event.version + 1)
    expect(await revisionCount()).toBe(revisions)
  })

  it('still refuses a stale version', async () => {
    const event = await createEvent('Stale and unchanged')
    const response = await api.query(
      `mutation ($id: ID!) { updateEvent(id: $id, version: 99, fields: {}) { version } }`,
      { id: event.id },
      editor,
    )
    expect(response.errors?.[0]?.extensions?.code).toBe('CONFLICT')
  })
})
