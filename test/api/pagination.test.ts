import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dataOf, errorOf, startApi, type TestApi } from '../support/api.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

let api: TestApi
const eventCount = 130

beforeAll(async () => {
  // 130 events over 65 days, two per day (so the id must break ties); each with one actor
  // (a group with an alias) and, for every third, a killed figure from its own report and source.
  await sql`
    INSERT INTO source (name, kind) SELECT 'Source ' || n, 'news_outlet' FROM generate_series(1, ${sql.lit(eventCount)}) n;
    INSERT INTO report (source_id, headline) SELECT id, 'Report of ' || name FROM source;
    INSERT INTO armed_group (name) SELECT 'Group ' || n FROM generate_series(1, ${sql.lit(eventCount)}) n;
    INSERT INTO group_alias (group_id, alias) SELECT id, 'Alias of ' || name FROM armed_group;
    INSERT INTO event (title, date_start, date_end)
      SELECT 'Event ' || n, date '2020-01-01' + (n / 2), date '2020-01-01' + (n / 2) FROM generate_series(1, ${sql.lit(eventCount)}) n;
    INSERT INTO event_actor (event_id, group_id, role) SELECT e.id, g.id, 'perpetrator'
      FROM event e JOIN armed_group g ON g.name = 'Group ' || substr(e.title, 7);
    INSERT INTO casualty_figure (event_id, category, population, best, report_id)
      SELECT e.id, 'killed', 'all', e.id % 7, r.id
      FROM event e JOIN report r ON r.headline = 'Report of Source ' || substr(e.title, 7)
      WHERE e.id % 3 = 0;
  `.execute(testDb())
  api = await startApi(testDatabaseUrl(), undefined, { inProcess: true }) // reads its SQL
})
afterAll(() => api.stop())

const pageQuery = `query ($first: Int, $after: String, $last: Int, $before: String, $orderBy: EventOrder) {
  events(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
    edges { cursor node { title dateStart casualties { category best } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`

async function page(variables: Record<string, unknown>) {
  return dataOf(await api.query(pageQuery, variables)).events
}

const titlesOf = (connection: any): string[] => connection.edges.map((edge: any) => edge.node.title)

async function allTitles(orderBy: string): Promise<string[]> {
  return titlesOf(await page({ first: 500, orderBy }))
}

describe('paging forward with first/after', () => {
  it('visits every event once, in order, and says where it is', async () => {
    const expected = await allTitles('DATE_DESC')
    expect(expected).toHaveLength(eventCount)
    const seen: string[] = []
    let after: string | undefined
    for (;;) {
      const connection = await page({ first: 40, after })
      seen.push(...titlesOf(connection))
      expect(connection.pageInfo.hasPreviousPage).toBe(after !== undefined)
      expect(connection.pageInfo.startCursor).toBe(connection.edges[0]?.cursor ?? null)
      if (!connection.pageInfo.hasNextPage) break
      after = connection.pageInfo.endCursor
    }
    expect(seen).toEqual(expected)
  })

  it('gives 100 events when no size is asked, and an empty page for first: 0', async () => {
    const connection = await page({})
    expect(connection.edges).toHaveLength(100)
    expect(connection.pageInfo.hasNextPage).toBe(true)
    const empty = await page({ first: 0 })
    expect(empty.edges).toEqual([])
    expect(empty.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: null,
      endCursor: null,
    })
  })
})

describe('paging backward with last/before', () => {
  it('visits every event once, from the end, each page in list order', async () => {
    const expected = await allTitles('DATE_DESC')
    const pages: string[][] = []
    let before: string | undefined
    for (;;) {
      const connection = await page({ last: 40, before })
      pages.unshift(titlesOf(connection))
      expect(connection.pageInfo.hasNextPage).toBe(before !== undefined)
      if (!connection.pageInfo.hasPreviousPage) break
      before = connection.pageInfo.startCursor
    }
    expect(pages.flat()).toEqual(expected)
  })

  it('returns the events just before a cursor', async () => {
    const expected = await allTitles('DATE_ASC')
    const forward = await page({ first: 10, orderBy: 'DATE_ASC' })
    const back = await page({ last: 3, before: forward.edges[9].cursor, orderBy: 'DATE_ASC' })
    expect(titlesOf(back)).toEqual(expected.slice(6, 9))
  })
})

describe('orderings', () => {
  it('DATE_ASC is DATE_DESC reversed: the id breaks ties both ways', async () => {
    expect(await allTitles('DATE_ASC')).toEqual((await allTitles('DATE_DESC')).reverse())
  })

  it('KILLED_DESC: most killed first, events without figures last', async () => {
    const connection = await page({ first: 500, orderBy: 'KILLED_DESC' })
    const killed = connection.edges.map(
      (edge: any) => edge.node.casualties.find((c: any) => c.category === 'KILLED')?.best ?? -1,
    )
    expect(killed).toEqual([...killed].sort((a, b) => b - a))
    expect(killed.at(-1)).toBe(-1)
    const firstPage = await page({ first: 50, orderBy: 'KILLED_DESC' })
    const rest = await page({
      first: 500,
      after: firstPage.pageInfo.endCursor,
      orderBy: 'KILLED_DESC',
    })
    expect([...titlesOf(firstPage), ...titlesOf(rest)]).toEqual(titlesOf(connection))
  })

  it('UPDATED_DESC: the most recently changed first', async () => {
    await testDb()
      .updateTable('event')
      .set({ summary: 'changed' })
      .where('title', '=', 'Event 17')
      .execute()
    expect((await allTitles('UPDATED_DESC'))[0]).toBe('Event 17')
  })
})

describe('bad paging arguments', () => {
  it.each([
    [{ first: 501 }, 'first', 'max_page_size'],
    [{ last: 1000 }, 'last', 'max_page_size'],
    [{ first: -1 }, 'first', 'non_negative'],
    [{ first: 1, last: 1 }, 'last', 'one_direction'],
    [{ after: 'x', before: 'y' }, 'before', 'one_direction'],
    [{ first: 2, before: 'y' }, 'first', 'one_direction'],
    [{ after: 'not a cursor' }, 'after', 'cursor'],
    [{ before: 'bm90.YQ' }, 'before', 'cursor'],
  ])('%j is BAD_USER_INPUT naming %s', async (variables, argument, rule) => {
    const error = errorOf(await api.query(pageQuery, variables))
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument, rule })
  })

  it('refuses a tampered cursor and a cursor of another ordering', async () => {
    const { endCursor } = (await page({ first: 5 })).pageInfo
    const [payload, mac] = endCursor.split('.')
    const edited = Buffer.from(
      Buffer.from(payload, 'base64url').toString().replace('2020', '2019'),
    ).toString('base64url')
    expect(
      errorOf(await api.query(pageQuery, { after: `${edited}.${mac}` })).extensions,
    ).toMatchObject({ argument: 'after' })
    expect(
      errorOf(await api.query(pageQuery, { after: endCursor, orderBy: 'KILLED_DESC' })).extensions,
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'after',
    })
  })
})

describe('SQL statements per request', () => {
  const deepQuery = `query ($first: Int) { events(first: $first) { edges { node {
    title
    actors { role group { name aliases { alias } } }
    casualtyFigures { best report { headline source { name } } }
  } } } }`

  async function statementsFor(query: string, variables: Record<string, unknown>) {
    api.resetStatements()
    dataOf(await api.query(query, variables))
    return api.statements.length
  }

  it('depend on the query’s shape, never on the number of rows (3 levels at 5 and 100 events)', async () => {
    const atFive = await statementsFor(deepQuery, { first: 5 })
    const atHundred = await statementsFor(deepQuery, { first: 100 })
    expect(atHundred).toBe(atFive)
    // The page and everything under it (actors → group → aliases, figures → report → source)
    // are one statement, built from the selection (src/db/event-tree.ts).
    expect(atFive).toBe(1)
  })

  it('load what the page did not fetch through the per-request loaders, still batched', async () => {
    // Event.country and an actor's report are not fetched with the page: at most one statement
    // each (none when no event has a place or an actor a report).
    const query = `query ($first: Int) { events(first: $first) { edges { node {
      title country { name } actors { role report { headline } group { name } }
    } } } }`
    const atFive = await statementsFor(query, { first: 5 })
    expect(await statementsFor(query, { first: 100 })).toBe(atFive)
    expect(atFive).toBeLessThanOrEqual(3)
  })

  it('compute totalCount only when it is selected, in the page’s own statement', async () => {
    const without = await statementsFor('{ events(first: 5) { edges { node { title } } } }', {})
    const withCount = await statementsFor(
      '{ events(first: 5) { totalCount edges { node { title } } } }',
      {},
    )
    expect(without).toBe(1)
    expect(withCount).toBe(1)
    expect(dataOf(await api.query('{ events { totalCount } }')).events.totalCount).toBe(eventCount)
  })

  it('batch nested connections too: a page of events for each of many groups', async () => {
    const query = `query ($first: Int) { groups(first: $first) { edges { node { name events(first: 2) { totalCount edges { node { title } } } } } } }`
    const atFive = await statementsFor(query, { first: 5 })
    const atFifty = await statementsFor(query, { first: 50 })
    expect(atFifty).toBe(atFive)
    const { groups } = dataOf(await api.query(query, { first: 3 }))
    for (const edge of groups.edges) expect(edge.node.events.totalCount).toBe(1)
  })
})

describe('totalCount', () => {
  // Dates only: counted from the monthly rollup. A casualty threshold: counted from the rows.
  const filters = { rollup: {}, rows: { minKilled: 1 } }
  const count = async (filter: object, upTo?: number) =>
    dataOf(
      await api.query(
        'query ($filter: EventFilter, $upTo: Int) { events(filter: $filter) { totalCount(upTo: $upTo) } }',
        { filter, upTo },
      ),
    ).events.totalCount

  it.each(Object.entries(filters))('stops at upTo, exact below it (%s)', async (_, filter) => {
    const exact = await count(filter, 1_000_000)
    expect(exact).toBeGreaterThan(10)
    expect(await count(filter, 10)).toBe(10)
    expect(await count(filter, exact)).toBe(exact)
    expect(await count(filter, exact + 1)).toBe(exact)
    expect(await count(filter)).toBe(exact)
  })

  it('stops at upTo for a group’s events too', async () => {
    // Group 1 becomes the target of every other event as well.
    await sql`INSERT INTO event_actor (event_id, group_id, role)
      SELECT id, (SELECT id FROM armed_group WHERE name = 'Group 1'), 'target'
      FROM event WHERE id % 2 = 0 AND title <> 'Event 1'`.execute(testDb())
    try {
      // The first 45 groups by name reach Group 2; counts up to a million are dear (MAX_COST).
      const query = `{ groups(first: 45) { edges { node {
        name events { a: totalCount(upTo: 1000000) b: totalCount(upTo: 5) } } } } }`
      const counts = Object.fromEntries(
        dataOf(await api.query(query)).groups.edges.map((edge: any) => [
          edge.node.name,
          edge.node.events,
        ]),
      )
      const evenIds = Math.floor(eventCount / 2)
      expect(counts['Group 1']).toEqual({ a: evenIds + 1, b: 5 })
      expect(counts['Group 2']).toEqual({ a: 1, b: 1 })
    } finally {
      await sql`DELETE FROM event_actor WHERE role = 'target'`.execute(testDb())
    }
  })

  it.each([0, -1, 1_000_001])('refuses upTo: %i as BAD_USER_INPUT', async (upTo) => {
    const error = errorOf(
      await api.query('query ($upTo: Int) { events { totalCount(upTo: $upTo) } }', { upTo }),
    )
    expect(error.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'upTo',
      rule: 'count_range',
    })
  })
})

describe('compiled reads', () => {
  it('answer a document the same on every run, refusals included', async () => {
    const query = `query ($first: Int) { events(first: $first) { totalCount
      edges { cursor node { id title actors { group { name aliases { alias } } } } }
      pageInfo { endCursor } } }`
    const runs = []
    for (let run = 0; run < 3; run++) runs.push(dataOf(await api.query(query, { first: 3 })))
    expect(runs[0]?.events.totalCount).toBe(eventCount)
    expect(runs[0]?.events.edges[0].cursor).toEqual(expect.any(String))
    expect(runs[1]).toEqual(runs[0])
    expect(runs[2]).toEqual(runs[0])
    for (let run = 0; run < 3; run++) {
      const refusal = errorOf(await api.query(query, { first: 'three' }))
      expect(refusal.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' })
    }
  })
})
