import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadDemoData } from '../../src/demo/load-demo.js'
import { dataOf, errorOf, startApi, type TestApi } from '../support/api.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

// The compiled read path (src/graphql/read/) answers what graphql-js would: aliases with their
// own arguments, fragments, directives, __typename, errors with their paths; in one statement.

let api: TestApi
let small: TestApi
beforeAll(async () => {
  await loadDemoData(testDb())
  api = await startApi(testDatabaseUrl(), undefined, { inProcess: true }) // reads its SQL
  small = await startApi(testDatabaseUrl(), undefined, { env: { MAX_RESPONSE_BYTES: '600' } })
})
afterAll(async () => {
  await api.stop()
  await small.stop()
})

const raid = `{ events(filter: { search: "Sidi Bouzid" }, first: 1) { edges { node { id } } } }`
const raidId = async () => dataOf(await api.query(raid)).events.edges[0].node.id as string

describe('a compiled read', () => {
  it('gives each alias its own arguments and selection, in the order written', async () => {
    const id = await raidId()
    api.resetStatements()
    const { event } = dataOf(
      await api.query(
        `query ($id: ID!) { event(id: $id) {
          fighters: actors(role: PARTICIPANT) { role group { name } }
          targets: actors(role: TARGET) { role }
          everyone: actors { r: role }
          killed: casualtyFigures(category: KILLED) { category }
          t1: title t2: title
        } }`,
        { id },
      ),
    )
    expect(api.statements).toHaveLength(1)
    expect(Object.keys(event)).toEqual(['fighters', 'targets', 'everyone', 'killed', 't1', 't2'])
    expect(event.fighters.length).toBeGreaterThan(0)
    expect(event.fighters.every((actor: { role: string }) => actor.role === 'PARTICIPANT')).toBe(
      true,
    )
    expect(event.fighters[0].group.name).toEqual(expect.any(String))
    expect(event.targets.every((actor: { role: string }) => actor.role === 'TARGET')).toBe(true)
    expect(event.targets.length).toBeGreaterThan(0)
    expect(event.everyone.length).toBe(event.fighters.length + event.targets.length)
    expect(event.killed.length).toBeGreaterThan(0)
    expect(event.t1).toBe(event.t2)
  })

  it('applies fragments, type conditions, @skip and @include, and names every __typename', async () => {
    const id = await raidId()
    const response = await api.query(
      `query ($id: ID!, $yes: Boolean!, $no: Boolean!) {
        __typename
        node(id: $id) { __typename ...Titled ... on ArmedGroup { name } }
        events(first: 1) { __typename pageInfo { __typename hasNextPage @include(if: $no) }
          edges { __typename node { place @skip(if: $yes) { name } summary @include(if: $yes) } } }
      }
      fragment Titled on Event { title place { __typename name } }`,
      { id, yes: true, no: false },
    )
    const data = dataOf(response)
    expect(data.__typename).toBe('Query')
    expect(data.node).toMatchObject({
      __typename: 'Event',
      title: expect.stringContaining('Sidi Bouzid'),
      place: { __typename: 'Place', name: expect.any(String) },
    })
    expect(data.node).not.toHaveProperty('name')
    expect(data.events.__typename).toBe('EventConnection')
    expect(data.events.pageInfo).toEqual({ __typename: 'PageInfo' })
    expect(data.events.edges[0].__typename).toBe('EventEdge')
    expect(Object.keys(data.events.edges[0].node)).toEqual(['summary'])
  })

  it('pages a nested connection by a variable, and refuses a bad nested argument by its path', async () => {
    const query = `query ($n: Int) { groups(first: 3) { edges { node { name events(first: $n) {
      edges { node { id } } } } } } }`
    const { groups } = dataOf(await api.query(query, { n: 1 }))
    for (const edge of groups.edges) expect(edge.node.events.edges.length).toBeLessThanOrEqual(1)
    const response = await api.query(query, { n: 501 })
    expect(response.data).toBeNull()
    expect(errorOf(response)).toMatchObject({
      path: ['groups'],
      extensions: { code: 'BAD_USER_INPUT', argument: 'first', rule: 'max_page_size' },
    })
  })

  it('answers every root field of a query in its own statement, in the order written', async () => {
    api.resetStatements()
    const data = dataOf(
      await api.query(`{ b: countries { name } a: eventTypes(scheme: UCDP) { code }
        c: groups(first: 2) { totalCount } }`),
    )
    expect(Object.keys(data)).toEqual(['b', 'a', 'c'])
    expect(api.statements).toHaveLength(3)
  })

  it('refuses an answer over MAX_RESPONSE_BYTES, saying how to page, and answers within it', async () => {
    const response = await small.query(
      '{ events(first: 50) { edges { node { title summary } } } countries { name } }',
    )
    expect(response.data).toBeNull()
    expect(errorOf(response)).toMatchObject({
      path: ['events'],
      message: expect.stringMatching(/MAX_RESPONSE_BYTES.*first or last/),
      extensions: { code: 'RESPONSE_TOO_LARGE' },
    })
    const nullable = await small.query('{ node(id: "RXZlbnQ6MQ") { ... on Event { summary } } }')
    expect(nullable.errors).toBeUndefined()
  })

  it('keeps every key of a wide selection, in order, however long its aliases', async () => {
    const id = await raidId()
    const long = 'y'.repeat(63)
    const fields = [
      'id title summary dateStart dateEnd datePrecision locationText latitude longitude',
      'geoPrecision tags isSuicide civilianTargeting killedBest version createdAt updatedAt',
    ].join(' ')
    const aliases = Array.from({ length: 28 }, (_, n) => `a${n}: title`).join(' ')
    const { event } = dataOf(
      await api.query(
        `query ($id: ID!) { event(id: $id) { ${fields} ${aliases} ${long}B1: title ${long}B2: dateStart } }`,
        { id },
      ),
    )
    const keys = Object.keys(event)
    expect(keys).toHaveLength(17 + 28 + 2)
    expect(keys.slice(0, 3)).toEqual(['id', 'title', 'summary'])
    expect(keys.slice(-2)).toEqual([`${long}B1`, `${long}B2`])
    expect(event[`${long}B1`]).toBe(event.title)
    expect(event[`${long}B2`]).toBe(event.dateStart)
  })

  it('points a refusal deep in the tree at the field that was refused', async () => {
    const response = await api.query(`{ groups(first: 1) { edges { node {
      events(first: 501) { totalCount } } } } }`)
    expect(errorOf(response)).toMatchObject({
      path: ['groups'],
      locations: [{ line: 2, column: 7 }],
      extensions: { code: 'BAD_USER_INPUT', argument: 'first' },
    })
  })
})

describe('the cost limit', () => {
  const nested = `events(first: 500) { edges { node { title actors { group {
    events(first: 500) { edges { node { id title } } } } } } } }`
  it.each([
    ['a group by id', `{ groups(first: 1) { edges { node { ${nested} } } } }`],
    [
      'a node by id, through a fragment',
      `{ node(id: "QXJtZWRHcm91cDox") { ... on ArmedGroup { ${nested} } } }`,
    ],
    [
      'many nodes',
      `{ nodes(ids: [${'"RXZlbnQ6MQ", '.repeat(60)}]) { ... on Event { actors { group { events(first: 500) { edges { node { id } } } } } } } }`,
    ],
    [
      'nested counts',
      '{ events(first: 500) { edges { node { actors { group { events { totalCount(upTo: 1000000) } } } } } } }',
    ],
  ])('counts %s', async (_, query) => {
    api.resetStatements()
    const response = await api.query(query)
    expect(errorOf(response).extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      limit: 'MAX_COST',
    })
    expect(api.statements).toEqual([])
  })
})
