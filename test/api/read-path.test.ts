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
  api = await startApi(testDatabaseUrl())
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
})
