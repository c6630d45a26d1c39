import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.js'
import { encodeCursor, signCursor } from '../../src/graphql/cursor.js'
import { toGlobalId } from '../../src/graphql/ids.js'
import { maxFigure } from '../../src/graphql/mutations/validate.js'
import { maxVariableDepth } from '../../src/graphql/no-nul.js'
import { dataOf, errorOf, startApi, type TestApi } from '../support/api.js'
import { anEvent, aReport } from '../support/factories.js'
import { databaseFingerprint } from '../support/fingerprint.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

// Inputs that once reached Postgres and came back as INTERNAL_SERVER_ERROR (issue 14): each is
// now the client's error, coded and naming what to fix, and changes nothing.

let api: TestApi
let editor = ''
let eventId = ''
let reportId = ''

beforeAll(async () => {
  editor = (await createApiKey(testDb(), 'hardening editor', 'editor')).key
  eventId = toGlobalId('Event', await anEvent(testDb()))
  reportId = toGlobalId('Report', await aReport(testDb()))
  api = await startApi(testDatabaseUrl())
})
afterAll(() => api.stop())

/** The response's one error, and that the database is as it was before the request. */
async function refused(query: string, variables: Record<string, unknown>, key = editor) {
  const before = await databaseFingerprint(testDb())
  const error = errorOf(await api.query(query, variables, key))
  expect(await databaseFingerprint(testDb())).toBe(before)
  return error
}

const versionOf = async (id: string) =>
  dataOf<{ event: { version: number } }>(
    await api.query('query ($id: ID!) { event(id: $id) { version } }', { id }),
  ).event.version

describe('dates outside the years Postgres writes (0001 to 9999)', () => {
  const filtered =
    'query ($from: Date) { events(filter: { dateRange: { from: $from } }) { totalCount } }'

  it('a date range from year 0 is BAD_USER_INPUT naming the field', async () => {
    const error = await refused(filtered, { from: '0000-01-01' })
    expect(error.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'from',
      rule: 'invalid_date',
    })
    expect(error.message).toMatch(/0001-01-01 to 9999-12-31/)
  })

  it('so is year 10000; year 9999 is a date like any other', async () => {
    expect((await refused(filtered, { from: '10000-01-01' })).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'from',
    })
    expect(dataOf(await api.query(filtered, { from: '9999-12-31' }))).toEqual({
      events: { totalCount: 0 },
    })
    // The chart counts whole months from its rollup: there is no month after December 9999.
    const chart = `query ($from: Date, $to: Date) {
      eventStats(filter: { dateRange: { from: $from, to: $to } }, groupBy: [TIME], interval: MONTH) { eventCount }
    }`
    for (const range of [{ from: '9999-12-31' }, { from: '9999-11-15', to: '9999-12-31' }])
      expect(dataOf(await api.query(chart, range))).toEqual({ eventStats: [] })
  })

  it('written in the document, year 0 fails validation (400), not the database', async () => {
    const response = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: '{ events(filter: { dateRange: { from: "0000-01-01" } }) { totalCount } }',
      }),
    })
    expect(response.status).toBe(400)
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] }
    expect(body.errors[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED')
  })

  it.each(['0000-01-01T00:00:00Z', '0001-01-01T02:00:00+05:00', '9999-12-31T23:00:00-05:00'])(
    'a time in year 0 or 10000 once in UTC (%s) is BAD_USER_INPUT',
    async (since) => {
      for (const query of [
        'query ($since: DateTime!) { changes(since: $since) { edges { cursor } } }',
        'query ($since: DateTime) { events(filter: { updatedSince: $since }) { totalCount } }',
      ]) {
        const error = await refused(query, { since })
        expect(error.extensions).toMatchObject({
          code: 'BAD_USER_INPUT',
          rule: 'invalid_date_time',
        })
      }
      expect(
        dataOf(
          await api.query('query { changes(since: "9999-12-31T23:59:59Z") { edges { cursor } } }'),
        ),
      ).toEqual({ changes: { edges: [] } })
    },
  )

  it('createEvent on year 0 is refused and writes nothing; on 9999 it is in the future', async () => {
    const create = 'mutation ($fields: EventFields!) { createEvent(fields: $fields) { id } }'
    const yearZero = await refused(create, {
      fields: { title: 'Year zero', dateStart: '0000-01-01' },
    })
    expect(yearZero.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'dateStart' })
    const farFuture = await refused(create, { fields: { title: 'Far', dateStart: '9999-12-31' } })
    expect(farFuture.extensions).toMatchObject({ field: 'dateStart', rule: 'not_in_future' })
  })
})

describe('empty inputs', () => {
  it('an update with no fields changes nothing: the version stays, no revision is recorded', async () => {
    const version = await versionOf(eventId)
    const updated = await api.query(
      'mutation ($id: ID!, $version: Int!) { updateEvent(id: $id, version: $version, fields: {}) { version } }',
      { id: eventId, version },
      editor,
    )
    expect(dataOf(updated)).toEqual({ updateEvent: { version } })
  })

  it('createReport with no fields is BAD_USER_INPUT: a report needs a headline, URL or citation', async () => {
    const error = await refused('mutation { createReport(fields: {}) { id } }', {})
    expect(error.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'headline',
      rule: 'identifiable',
    })
  })
})

describe('numbers past what GraphQL and the database hold', () => {
  const setFigure = `mutation ($eventId: ID!, $version: Int!, $fields: CasualtyFigureFields!) {
    setCasualtyFigure(eventId: $eventId, version: $version, fields: $fields) {
      killedBest casualties { category best high }
    }
  }`
  const figure = (population: string, best: number) => ({
    category: 'KILLED',
    population,
    best,
    reportId,
  })

  it('a figure past GraphQL’s 32-bit Int is BAD_USER_INPUT naming the field', async () => {
    const error = await refused(setFigure, {
      eventId,
      version: await versionOf(eventId),
      fields: figure('CIVILIANS', 2 ** 31),
    })
    expect(error.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'best',
      rule: 'invalid_non_negative_int',
    })
  })

  it('so is a filter threshold past it', async () => {
    const error = await refused(
      'query ($minKilled: NonNegativeInt) { events(filter: { minKilled: $minKilled }) { totalCount } }',
      { minKilled: 2 ** 31 },
    )
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'minKilled' })
  })

  it('a figure the summary could not add up is refused; the largest allowed add up', async () => {
    const tooMany = await refused(setFigure, {
      eventId,
      version: await versionOf(eventId),
      fields: figure('CIVILIANS', 2 ** 31 - 1),
    })
    expect(tooMany.extensions).toMatchObject({ field: 'best', rule: 'max_figure' })
    for (const population of ['CIVILIANS', 'SECURITY_FORCES', 'PERPETRATORS']) {
      const variables = {
        eventId,
        version: await versionOf(eventId),
        fields: figure(population, maxFigure),
      }
      dataOf(await api.query(setFigure, variables, editor))
    }
    const event = dataOf<{ event: { killedBest: number } }>(
      await api.query('query ($id: ID!) { event(id: $id) { killedBest } }', { id: eventId }),
    ).event
    expect(event.killedBest).toBe(3 * maxFigure)
  })
})

describe('cursors whose MAC holds over contents no list can read', () => {
  const eventsAfter =
    'query ($after: String) { events(first: 2, after: $after) { edges { cursor } } }'
  const eventsBefore =
    'query ($before: String) { events(last: 2, before: $before) { edges { cursor } } }'

  it.each([
    ['not JSON', signCursor('not json {')],
    ['JSON of another shape', signCursor('{"a":1}')],
    ['a sort value that is no date', encodeCursor('events:date_desc', 'yesterday', 1)],
    ['a date that does not exist', encodeCursor('events:date_desc', '2020-02-30', 1)],
    ['year 0', encodeCursor('events:date_desc', '0000-01-01', 1)],
  ])('%s is BAD_USER_INPUT naming after', async (_, after) => {
    const error = await refused(eventsAfter, { after })
    expect(error.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'after',
      rule: 'cursor',
    })
  })

  it('and names before, paging backward', async () => {
    const error = await refused(eventsBefore, {
      before: encodeCursor('events:date_desc', 'not a date', 1),
    })
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'before' })
  })

  it.each([
    [
      'killed, past int',
      'query ($after: String) { events(orderBy: KILLED_DESC, after: $after) { totalCount edges { cursor } } }',
      encodeCursor('events:killed_desc', '99999999999', 1),
    ],
    [
      'a search score that is no number',
      'query ($after: String) { groups(search: "x", after: $after) { edges { cursor } } }',
      encodeCursor('groups:x', '1e999', 1),
    ],
    [
      'a name with NUL',
      'query ($after: String) { groups(after: $after) { edges { cursor } } }',
      encodeCursor('groups:', 'a\u0000b', 1),
    ],
    [
      'a change time that is no time',
      'query ($after: String) { changes(since: "2020-01-01T00:00:00Z", after: $after) { edges { cursor } } }',
      encodeCursor('changes', '2020-13-01 00:00:00+00', 1),
    ],
  ])('every order reads its own type: %s', async (_, query, after) => {
    const error = await refused(query, { after })
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' })
  })

  it('the cursors the lists give still page', async () => {
    const first = dataOf<any>(await api.query(eventsAfter, {})).events.edges
    const changes = dataOf<any>(
      await api.query(
        'query { changes(since: "2000-01-01T00:00:00Z", first: 1) { edges { cursor } } }',
      ),
    ).changes.edges
    const next = await api.query(
      'query ($after: String) { changes(since: "2000-01-01T00:00:00Z", after: $after) { edges { cursor } } }',
      { after: changes[0].cursor },
    )
    expect(next.errors).toBeUndefined()
    expect(
      dataOf(await api.query(eventsAfter, { after: first.at(-1)?.cursor })).events,
    ).toBeDefined()
  })
})

describe('a statement that runs past STATEMENT_TIMEOUT_MS', () => {
  it('is a TIMEOUT error with a hint, not an internal error', async () => {
    const slow = await startApi(testDatabaseUrl(), undefined, {
      env: { STATEMENT_TIMEOUT_MS: '300' },
    })
    try {
      // A lock held by another session makes the statement wait until the timeout stops it.
      await testDb()
        .transaction()
        .execute(async (trx) => {
          await sql`LOCK TABLE event IN ACCESS EXCLUSIVE MODE`.execute(trx)
          const error = errorOf(await slow.query('{ events(first: 1) { totalCount } }'))
          expect(error.extensions).toMatchObject({ code: 'TIMEOUT' })
          expect(error.extensions?.hint).toMatch(/narrower filter/)
          expect(error.message).toMatch(/STATEMENT_TIMEOUT_MS/)
        })
    } finally {
      await slow.stop()
    }
  })
})

describe('variables nested deeper than any input', () => {
  const deep = (levels: number, open: string, close: string) =>
    `${open.repeat(levels)}"a"${close.repeat(levels)}`

  it.each([
    ['objects', '{"a":', '}'],
    ['lists', '[', ']'],
  ])('5,000 levels of %s: 400 with a message, and the server goes on', async (_, open, close) => {
    const response = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"query":"query ($x: String) { groups(search: $x) { totalCount } }","variables":{"x":${deep(5000, open, close)}}}`,
    })
    expect(response.status).toBe(400)
    const body = (await response.json()) as { errors: { message: string; extensions: object }[] }
    expect(body.errors[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      rule: 'max_variable_depth',
      variable: 'x',
    })
    expect(body.errors[0]?.message).toMatch(`deeper than ${maxVariableDepth} levels`)
    expect((await fetch(new URL('/healthz', api.url))).status).toBe(200)
  })

  it('a NUL deep inside a variable is still found and refused', async () => {
    const error = await refused('query ($x: String) { groups(search: $x) { totalCount } }', {
      x: { a: [{ b: 'ok' }, { c: 'a\u0000b' }] },
    })
    expect(error.message).toMatch('$x.a[1].c')
  })
})
