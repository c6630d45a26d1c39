import { type GraphQLObjectType, getNamedType, isLeafType } from 'graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { schema } from '../../src/graphql/apollo.js'
import { synthesize } from '../../src/synth/synth.js'
import { dataOf, startApi, type TestApi } from '../support/api.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

let api: TestApi

beforeAll(async () => {
  await synthesize(testDb(), { events: 60, seed: 5 })
  api = await startApi(testDatabaseUrl())
})
afterAll(() => api.stop())

// Every field of Event without arguments that a page reads from the event's own row, taken
// from the schema: a field added later is checked too.
const event = schema.getType('Event') as GraphQLObjectType
const fields = Object.values(event.getFields())
  .filter((field) => field.args.length === 0 && isLeafType(getNamedType(field.type)))
  .map((field) => field.name)
const selection = `${fields.join(' ')} place { id } country { id }`

describe('an event page reads only the columns selected', () => {
  it('gives every field as the event itself does, whatever the selection', async () => {
    const page = dataOf(
      await api.query(`{ events(first: 60) { edges { node { ${selection} } } } }`),
    ).events.edges.map((edge: { node: { id: string } }) => edge.node)
    expect(page).toHaveLength(60)
    const ids = page.map((node: { id: string }) => node.id)
    const one = dataOf(
      await api.query(
        `query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Event { ${selection} } } }`,
        { ids },
      ),
    )
    expect(page).toEqual(one.nodes)
    // A narrow selection gives the same values for what it selects.
    const narrow = dataOf(
      await api.query('{ events(first: 60) { edges { node { id killedBest dateStart } } } }'),
    ).events.edges.map((edge: { node: unknown }) => edge.node)
    expect(narrow).toEqual(
      page.map(({ id, killedBest, dateStart }: Record<string, unknown>) => ({
        id,
        killedBest,
        dateStart,
      })),
    )
  })
})
