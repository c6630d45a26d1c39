import {
  buildSchema,
  type FieldNode,
  type GraphQLObjectType,
  getArgumentValues,
  type OperationDefinitionNode,
  parse,
} from 'graphql'
import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadDemoData } from '../src/demo/load-demo.js'
import { typeDefs } from '../src/graphql/apollo.js'
import type { Context } from '../src/graphql/context.js'
import { descriptionProblems } from '../src/graphql/read/check.js'
import { Compiler } from '../src/graphql/read/compile.js'
import { column, type TypeDescription } from '../src/graphql/read/describe.js'
import { description } from '../src/graphql/read/description.js'
import { rootFields } from '../src/graphql/read/roots.js'
import { testDb } from './support/test-database.js'

// The description (src/graphql/read/description.ts) is checked against schema.graphql both
// ways, and a column-backed field is one line in each.

beforeAll(() => loadDemoData(testDb()))

const withInjured = typeDefs.replace(
  'killedBest: Int\n',
  'killedBest: Int\n  "The consolidated best estimate of injured."\n  injuredBest: Int\n',
)
const event = description.Event as TypeDescription
const describedWithInjured = {
  ...description,
  Event: { ...event, fields: { ...event.fields, injuredBest: column('injured_best') } },
}

describe('the read description', () => {
  it('agrees with schema.graphql', () => {
    expect(descriptionProblems(buildSchema(typeDefs))).toEqual([])
  })

  it('names a field the schema has and the description lacks', () => {
    expect(withInjured).not.toEqual(typeDefs)
    expect(descriptionProblems(buildSchema(withInjured))).toEqual([
      'Event.injuredBest is in the schema but not described',
    ])
  })

  it('names a field the description has and the schema lacks', () => {
    expect(descriptionProblems(buildSchema(typeDefs), describedWithInjured)).toEqual([
      'Event.injuredBest is described but not in the schema',
    ])
  })

  it('answers a field added by one line in each, on every path (a page, a lookup)', async () => {
    const schema = buildSchema(withInjured)
    expect(descriptionProblems(schema, describedWithInjured)).toEqual([])
    const run = async (document: string) => {
      const operation = parse(document).definitions[0] as OperationDefinitionNode
      const node = operation.selectionSet.selections[0] as FieldNode
      const compiler = new Compiler(
        schema,
        { fragments: {}, variables: {} },
        { db: testDb() } as Context,
        describedWithInjured,
      )
      const query = schema.getQueryType() as GraphQLObjectType
      const args = getArgumentValues(query.getFields()[node.name.value] as never, node, {})
      const compiled = rootFields[node.name.value]?.(compiler, args, [node])
      const { rows } = await sql<{ v: string }>`SELECT (${compiled?.sql})::text AS v`.execute(
        testDb(),
      )
      const value = JSON.parse(rows[0]?.v as string)
      return compiled?.finish ? compiled.finish(value) : value
    }
    const { rows } = await sql<{ id: number; injured_best: number | null }>`
      SELECT id, injured_best FROM event WHERE deleted_at IS NULL
      ORDER BY date_start DESC, id DESC LIMIT 5`.execute(testDb())
    expect(rows.some((row) => row.injured_best !== null)).toBe(true)
    const page = await run('{ events(first: 5) { edges { node { injuredBest } } } }')
    expect(page.edges.map((edge: { node: unknown }) => edge.node)).toEqual(
      rows.map((row) => ({ injuredBest: row.injured_best })),
    )
    const id = Buffer.from(`Event:${rows[0]?.id}`).toString('base64url')
    expect(await run(`{ event(id: "${id}") { injuredBest } }`)).toEqual({
      injuredBest: rows[0]?.injured_best,
    })
  })
})

describe('the columns the description names', () => {
  it('exist in the tables and views it names, as migrated', async () => {
    const { rows } = await sql<{ table_name: string; column_name: string }>`
      SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = 'public'`.execute(testDb())
    const columnsOf = (table: string) =>
      rows.filter((row) => row.table_name === table).map((row) => row.column_name)
    const missing: string[] = []
    for (const [type, { table, virtual, fields }] of Object.entries(description)) {
      if (virtual) continue
      expect(columnsOf(table).length, table).toBeGreaterThan(0)
      for (const [name, field] of Object.entries(fields)) {
        const read = field.kind === 'value' ? field.columns : field.parentColumns
        for (const column of read) {
          if (!columnsOf(table).includes(column))
            missing.push(`${type}.${name}: ${table}.${column}`)
        }
      }
    }
    expect(missing).toEqual([])
  })
})
