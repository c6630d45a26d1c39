import {
  buildSchema,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isLeafType,
  isObjectType,
} from 'graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadDemoData } from '../../src/demo/load-demo.js'
import { typeDefs } from '../../src/graphql/apollo.js'
import { dataOf, startApi, type TestApi } from '../support/api.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

// A page of events and a single event compile through the same description, by different
// strategies (a page's keyset subquery, a lookup by id): both must answer every field alike.
const schema: GraphQLSchema = buildSchema(typeDefs)
let api: TestApi

beforeAll(async () => {
  await loadDemoData(testDb())
  api = await startApi(testDatabaseUrl())
})
afterAll(() => api.stop())

const objectType = (name: string) => schema.getType(name) as GraphQLObjectType
const leavesOf = (name: string) =>
  Object.values(objectType(name).getFields())
    .filter((field) => isLeafType(getNamedType(field.type)))
    .map((field) => field.name)

// Where each nested type sits under Event in the page's tree.
const pathTo: Record<string, string[]> = {
  Place: ['place'],
  EventActor: ['actors'],
  ArmedGroup: ['actors', 'group'],
  GroupAlias: ['actors', 'group', 'aliases'],
  CasualtyFigure: ['casualtyFigures'],
  Report: ['casualtyFigures', 'report'],
  Source: ['casualtyFigures', 'report', 'source'],
  EventCitation: ['citations'],
  CasualtySummary: ['casualties'],
}

/** Every leaf field of the type and, recursively, of the object fields named in `under`. */
function selectionOf(typeName: string, depth: number): string {
  const fields = Object.values(objectType(typeName).getFields()).flatMap((field) => {
    const type = getNamedType(field.type)
    if (isLeafType(type)) return [field.name]
    const nested = Object.entries(pathTo).find(([, path]) => path.at(-1) === field.name)
    if (
      depth > 3 ||
      !isObjectType(type) ||
      !nested ||
      field.args.some((arg) => arg.type.toString().endsWith('!'))
    )
      return []
    return [`${field.name} { ${selectionOf(type.name, depth + 1)} }`]
  })
  return fields.join(' ')
}

async function pageAndLookups(selection: string) {
  const { events } = dataOf(
    await api.query(`{ events(first: 50) { edges { node { id ${selection} } } } }`),
  )
  const nodes = events.edges.map((edge: { node: { id: string } }) => edge.node)
  expect(nodes.length).toBeGreaterThan(0)
  const lookedUp = []
  for (const { id } of nodes) {
    const { event } = dataOf(
      await api.query(`query ($id: ID!) { event(id: $id) { id ${selection} } }`, { id }),
    )
    lookedUp.push(event)
  }
  return { page: nodes, lookedUp }
}

describe('a page of events and the single-event lookup', () => {
  it('answer the whole tree, every field selected, as the single-event lookup does', async () => {
    const selection = ['place', 'actors', 'casualtyFigures', 'citations', 'casualties']
      .map((field) => {
        const type = getNamedType(objectType('Event').getFields()[field]?.type) as GraphQLObjectType
        return `${field} { ${selectionOf(type.name, 1)} }`
      })
      .join(' ')
    expect(selection).toContain('source { ')
    const { page, lookedUp } = await pageAndLookups(selection)
    expect(page).toEqual(lookedUp)
    expect(JSON.stringify(page)).toContain('"aliases":[{')
  })

  it('answer each leaf field selected alone as the single-event lookup does', async () => {
    for (const [type, path] of Object.entries(pathTo)) {
      for (const leaf of leavesOf(type)) {
        const selection = path.reduceRight((inner, field) => `${field} { ${inner} }`, leaf)
        const { page, lookedUp } = await pageAndLookups(selection)
        expect(page, selection).toEqual(lookedUp)
      }
    }
  })
})
