// One SQL statement per root field: every document the project shows or sends (the README's
// examples, the explorer's queries, the benchmarks' shapes) at page sizes 5 and 100, counted at
// the server; and a query too costly to run refused before any SQL.
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { type FieldNode, Kind, type OperationDefinitionNode, parse } from 'graphql'
import { type RawBuilder, sql } from 'kysely'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { shapes } from '../../bench/shapes.js'
import { createApiKey } from '../../src/auth/api-keys.js'
import { createDatabase, type Database } from '../../src/db/database.js'
import { loadDemoData } from '../../src/demo/load-demo.js'
import { toGlobalId } from '../../src/graphql/ids.js'
import { projectRoot } from '../../src/paths.js'
import { synthesize } from '../../src/synth/synth.js'
import { dataOf, type GraphQLResponse, startApi, type TestApi } from '../support/api.js'
import {
  createEmptyDatabase,
  dropDatabase,
  uniqueDatabaseName,
} from '../support/postgres-server.js'
import { readmeExamples } from '../support/readme-examples.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

/** Ids in the data set that the documents' variables name. */
interface Ids {
  /** The event with the most actors and figures. */
  readonly event: string
  /** The two groups in the most events. */
  readonly group: string
  readonly otherGroup: string
  /** The source with the most reports. */
  readonly source: string
  /** After the first event, newest first. */
  readonly cursor: string
}

interface Document {
  readonly name: string
  readonly query: string
  readonly operationName?: string
  readonly variables?: (ids: Ids, pageSize: number) => Record<string, unknown>
}

/** The README's examples, with their variables. */
async function readmeDocuments(): Promise<Document[]> {
  return (await readmeExamples()).map(({ title, query, variables }) => ({
    name: `README ${title}`,
    query,
    ...(variables && { variables: () => variables }),
  }))
}

/**
 * The explorer's operations (src/explorer/graphql), each sent with all of the files so that
 * fragments defined in one file resolve in another, with the variables src/explorer/app sends.
 */
async function explorerDocuments(): Promise<Document[]> {
  const folder = path.join(projectRoot, 'src/explorer/graphql')
  const files = (await readdir(folder)).filter((file) => file.endsWith('.graphql')).sort()
  const query = (
    await Promise.all(files.map((file) => readFile(path.join(folder, file), 'utf8')))
  ).join('\n')
  const dateRange = { from: '2010-01-01', to: '2020-12-31' }
  const filter = (ids: Ids) => ({
    dateRange,
    countries: ['TUN'],
    groups: [ids.group],
    includeAffiliates: true,
    eventTypes: [{ scheme: 'ACLED', code: 'armed_clash' }],
    minKilled: 1,
    search: 'raid',
    boundingBox: { south: 30, west: 7, north: 38, east: 12 },
  })
  const variables: Record<string, Document['variables'][]> = {
    EventDetail: [(ids) => ({ id: ids.event })],
    ExplorerEvents: [
      (_, first) => ({ filter: {}, first, after: null, withTotal: true }),
      (ids, first) => ({ filter: filter(ids), first, after: null, withTotal: true }),
      (ids, first) => ({ filter: { dateRange }, first, after: ids.cursor, withTotal: false }),
    ],
    FilterOptions: [() => ({})],
    GroupDetail: [(ids) => ({ id: ids.group })],
    GroupSearch: [() => ({ search: 'daesh' })],
    GroupNames: [(ids) => ({ ids: [ids.group, ids.otherGroup] })],
    MonthlyStats: [() => ({ filter: { dateRange } }), (ids) => ({ filter: filter(ids) })],
  }
  return parse(query).definitions.flatMap((definition) => {
    if (definition.kind !== Kind.OPERATION_DEFINITION) return []
    // The draft page's mutations write (test/api/drafts.test.ts tests them), and the Live
    // toggle's subscription runs over the WebSocket: one statement per HTTP read is what is asked.
    if (definition.operation !== 'query') return []
    const operationName = definition.name?.value as string
    const sets = variables[operationName]
    if (!sets) throw new Error(`no variables for the explorer's ${operationName}: add them here`)
    return sets.map((set, index) => ({
      name: `explorer ${operationName}${sets.length > 1 ? ` #${index + 1}` : ''}`,
      query,
      operationName,
      variables: set,
    }))
  })
}

/** bench/shapes.ts with variables like those bench/api.ts gives them. */
const shapeVariables: Record<string, Document['variables']> = {
  Q1: () => ({
    box: { south: 30, west: 7, north: 38, east: 12 },
    from: '2015-01-01',
    to: '2019-12-31',
  }),
  Q2: (_, first) => ({ first }),
  Q3: (ids) => ({ id: ids.group, asOf: '2019-01-03' }),
  Q4: () => ({ from: '2010-01-01', to: '2020-12-31' }),
  Q5: () => ({ text: 'raid' }),
  Q6: (ids) => ({ after: ids.cursor }),
}

/** bench/peer.ts's Attest queries, and the pages a client builds beside them. */
const peerDocuments: Document[] = [
  {
    name: 'peer timeline',
    query: `{ events(first: 50, orderBy: UPDATED_DESC) { edges { node {
      id title dateStart datePrecision place { name }
      actors { role attribution group { name aliases { alias } } }
      casualtyFigures { category population best report { headline source { name } } }
      citations { report { headline url } } } } pageInfo { hasNextPage endCursor } } }`,
  },
  {
    name: 'peer map page',
    query: `{ events(first: 500, orderBy: UPDATED_DESC) { edges { node { id latitude longitude dateStart killedBest } } } }`,
  },
  {
    name: 'event page',
    query: `query ($id: ID!) { event(id: $id) { id title dateStart
      place { name country { isoCode } }
      classifications { isPrimary eventType { scheme code label parent { label } } }
      actors { role side group { name aliases { alias } } }
      casualtyFigures { category best report { headline source { name } } }
      citations { quote report { headline source { name } } } } }`,
    variables: (ids) => ({ id: ids.event }),
  },
  {
    name: 'group page',
    query: `query ($id: ID!) { group(id: $id) { name kind aliases { alias }
      events(first: 50) { totalCount edges { node { id title dateStart } } pageInfo { hasNextPage endCursor } } } }`,
    variables: (ids) => ({ id: ids.group }),
  },
  {
    name: 'source page',
    query: `query ($id: ID!) { source(id: $id) { name kind
      reports { headline citation url publishedOn } } }`,
    variables: (ids) => ({ id: ids.source }),
  },
  {
    name: 'nodes batch',
    query: `query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id
      ... on Event { title place { name } actors { group { name } } }
      ... on ArmedGroup { name aliases { alias } events(first: 50) { edges { node { title } } } }
      ... on Source { name reports { headline } } } }`,
    variables: (ids) => ({ ids: [ids.event, ids.group, ids.source, ids.otherGroup] }),
  },
]

const documents: Document[] = [
  ...(await readmeDocuments()),
  ...(await explorerDocuments()),
  ...shapes.map((shape) => ({
    name: `bench ${shape.name} (${shape.title})`,
    query: shape.query,
    variables: shapeVariables[shape.name],
  })),
  ...peerDocuments,
]

/**
 * The statements a document may take: one per root field, but eventStats's buckets and then,
 * when it selects them, the countries, groups or types they name.
 */
function expectedStatements({ query, operationName }: Document): number {
  const operation = parse(query).definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION &&
      (!operationName || definition.name?.value === operationName),
  ) as OperationDefinitionNode
  const roots = operation.selectionSet.selections.filter(
    (selection): selection is FieldNode =>
      selection.kind === Kind.FIELD && !selection.name.value.startsWith('__'),
  )
  const related = (root: FieldNode) =>
    root.selectionSet?.selections.some(
      (field) =>
        field.kind === Kind.FIELD && ['country', 'group', 'eventType'].includes(field.name.value),
    )
  return roots.reduce(
    (sum, root) => sum + (root.name.value === 'eventStats' && related(root) ? 2 : 1),
    0,
  )
}

/**
 * The demo data the README shows, and a synthetic data set with more events than a page of 100
 * (`attest synth`), each behind its own server; the ids the documents' variables name.
 */
const datasets = ['demo', 'synthetic'] as const
const apis = {} as Record<(typeof datasets)[number], { api: TestApi; ids: Ids }>
let synthetic: { name: string; db: Database } | undefined

async function idsOf(db: Database, api: TestApi): Promise<Ids> {
  const first = async (query: RawBuilder<{ id: string }>) =>
    Number((await query.execute(db)).rows[0]?.id)
  const event = await first(sql`SELECT e.id FROM event e WHERE e.deleted_at IS NULL
    ORDER BY (SELECT count(*) FROM event_actor a WHERE a.event_id = e.id)
      + (SELECT count(*) FROM casualty_figure f WHERE f.event_id = e.id) DESC, e.id LIMIT 1`)
  const groups = await sql<{ id: string }>`SELECT group_id AS id FROM event_actor
    GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 2`.execute(db)
  const source = await first(sql`SELECT source_id AS id FROM report
    GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`)
  const { events } = dataOf(await api.query('{ events(first: 1) { pageInfo { endCursor } } }'))
  return {
    event: toGlobalId('Event', event),
    group: toGlobalId('ArmedGroup', Number(groups.rows[0]?.id)),
    otherGroup: toGlobalId('ArmedGroup', Number(groups.rows[1]?.id)),
    source: toGlobalId('Source', source),
    cursor: events.pageInfo.endCursor,
  }
}

beforeAll(async () => {
  await loadDemoData(testDb())
  const demo = await startApi(testDatabaseUrl(), undefined, { inProcess: true })
  apis.demo = { api: demo, ids: await idsOf(testDb(), demo) }
  const name = uniqueDatabaseName('attest_test')
  const url = await createEmptyDatabase(
    inject('postgresAdminUrl'),
    name,
    inject('templateDatabase'),
  )
  synthetic = { name, db: createDatabase(url, { maxConnections: 2 }) }
  await synthesize(synthetic.db, { events: 300, seed: 1 })
  const api = await startApi(url, undefined, { inProcess: true })
  apis.synthetic = { api, ids: await idsOf(synthetic.db, api) }
})
afterAll(async () => {
  await Promise.all(Object.values(apis).map(({ api }) => api.stop()))
  await synthetic?.db.destroy()
  if (synthetic) await dropDatabase(inject('postgresAdminUrl'), synthetic.name)
})

async function send(
  api: TestApi,
  query: string,
  variables: Record<string, unknown> = {},
  operationName?: string,
) {
  const response = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables, operationName }),
  })
  return { status: response.status, body: (await response.json()) as GraphQLResponse }
}

it('the documents are all here', () => {
  const names = documents.map((document) => document.name)
  expect(names.filter((name) => name.startsWith('README'))).toHaveLength(8)
  expect(names.filter((name) => name.startsWith('bench'))).toHaveLength(shapes.length)
  expect(names).toContain('explorer GroupNames')
})

it.each(
  datasets.flatMap((dataset) =>
    documents.flatMap((document) =>
      [5, 100].map((size) => [document.name, size, dataset, document] as const),
    ),
  ),
)(
  '%s, page size %i, %s data: one SQL statement per root field',
  async (_, size, dataset, document) => {
    const { api, ids } = apis[dataset]
    const query = document.query.replace(/\bfirst: \d+/g, `first: ${size}`)
    api.resetStatements()
    const { status, body } = await send(
      api,
      query,
      document.variables?.(ids, size),
      document.operationName,
    )
    expect(body.errors).toBeUndefined()
    expect(status).toBe(200)
    // Every root field answered (an id that named nothing would test less).
    expect(Object.values(body.data ?? {})).not.toContain(null)
    expect(api.statements, api.statements.join('\n\n')).toHaveLength(
      expectedStatements({ ...document, query }),
    )
  },
)

it('the README’s edit is one transaction, whose last statement reads its payload', async () => {
  const { api } = apis.demo
  const guide = await readFile(path.join(projectRoot, 'docs', 'api.md'), 'utf8')
  const request = /--data @- <<'JSON'\n([\s\S]*?)\nJSON/.exec(guide)?.[1] as string
  const { query, variables } = JSON.parse(request)
  const { key } = await createApiKey(testDb(), 'newsroom desk', 'editor')
  api.resetStatements()
  dataOf(await api.query(query, variables, key))
  // The key's lookup is the request's, not the mutation's.
  const statements = api.statements.filter((statement) => !/"api_key"/.test(statement))
  const all = statements.join('\n\n')
  expect(statements[0], all).toMatch(/^begin/i)
  expect(statements.at(-1), all).toMatch(/^commit$/i)
  // The payload is read in the transaction (it sees the write) by one statement, the last.
  const reads = statements.filter((statement) => /::text AS v$/.test(statement))
  expect(reads, all).toEqual([statements.at(-2)])
})

const nested = (first: string) =>
  `events${first} { edges { node { actors { group { events { edges { node { actors { group { events { edges { node { id } } } } } } } } } } } } }`

it.each([
  ['with the default page sizes', `{ ${nested('')} }`, {}],
  [
    'with first: $n = 500 on the outer list',
    `query ($n: Int) { ${nested('(first: $n)')} }`,
    { n: 500 },
  ],
])('a deeply nested query %s is refused before any SQL', async (_, query, variables) => {
  const { api } = apis.demo
  api.resetStatements()
  const { status, body } = await send(api, query, variables)
  expect(status).toBe(400)
  expect(body.errors).toHaveLength(1)
  expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED')
  expect(body.errors?.[0]?.message).toMatch(/MAX_COST/)
  expect(api.statements).toEqual([])
})

it('counts the outer page size given through a variable', async () => {
  const { api } = apis.demo
  const costOf = async (n: number) =>
    (await send(api, `query ($n: Int) { ${nested('(first: $n)')} }`, { n })).body.errors?.[0]
      ?.extensions?.cost as number
  expect(await costOf(500)).toBeGreaterThan(4 * (await costOf(100)))
})
