import fc from 'fast-check'
import {
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.js'
import { loadDemoData } from '../../src/demo/load-demo.js'
import { schema } from '../../src/graphql/apollo.js'
import { encodeCursor, signCursor } from '../../src/graphql/cursor.js'
import { startApi, type TestApi } from '../support/api.js'
import { databaseFingerprint } from '../support/fingerprint.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

// Hostile requests, generated: whatever a client sends, the answer is a response the client
// can read (never a 5xx, never an internal error, masked or not), and nothing is written.

let api: TestApi
let fingerprint: string
let editorKey: string
beforeAll(async () => {
  await loadDemoData(testDb())
  editorKey = (await createApiKey(testDb(), 'fuzzing editor', 'editor')).key
  api = await startApi(testDatabaseUrl())
  fingerprint = await databaseFingerprint(testDb())
})
afterAll(() => api.stop())

/** Strings that have broken SQL, JSON, LIKE patterns, encodings and parsers before. */
const hostileString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    "'; DROP TABLE event; --",
    "' OR '1'='1",
    '%',
    '_',
    '\\',
    '\u0000',
    'a\u0000b',
    '$1',
    '$$',
    '*/ --',
    '"',
    '😀🏳️‍🌈',
    'تونس',
    '\u202e',
    '\ud800',
    'x'.repeat(20_000),
    ' ',
    '',
  ),
)

/**
 * Values of a GraphQL input type with hostile contents; with `wrongTypes`, one in nine is any
 * JSON at all (which GraphQL refuses before a resolver runs, so the typed half reaches them).
 */
function arbitraryValue(
  type: GraphQLInputType,
  wrongTypes: boolean,
  depth = 0,
): fc.Arbitrary<unknown> {
  const typed = typedArbitraryValue(type, wrongTypes, depth)
  return wrongTypes
    ? fc.oneof({ weight: 8, arbitrary: typed }, fc.jsonValue({ maxDepth: 2 }))
    : typed
}

function typedArbitraryValue(
  type: GraphQLInputType,
  wrongTypes: boolean,
  depth: number,
): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return typedArbitraryValue(type.ofType, wrongTypes, depth)
  if (isListType(type))
    return fc.array(arbitraryValue(type.ofType, wrongTypes, depth + 1), { maxLength: 4 })
  if (isEnumType(type)) return fc.constantFrom(...type.getValues().map((value) => value.name))
  if (isInputObjectType(type)) {
    if (depth > 3) return fc.constant({})
    const fields = Object.values(type.getFields())
    // Empty inputs too: `fields: {}` once reached the database as a statement with no columns.
    return fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record(
          Object.fromEntries(
            fields.map((field) => [field.name, arbitraryValue(field.type, wrongTypes, depth + 1)]),
          ),
          { requiredKeys: fields.filter((field) => isNonNullType(field.type)).map((f) => f.name) },
        ),
      },
      fc.constant({}),
    )
  }
  switch (type.name) {
    case 'Int':
    case 'NonNegativeInt':
      // Past 32 bits (GraphQL's Int), and the largest Int, which sums overflow.
      return fc.oneof(
        fc.integer(),
        fc.integer({ min: 2 ** 31 - 10, max: 2 ** 32 }),
        fc.constantFrom(0, -1, 1, 500, 501, 2 ** 31 - 1, 2 ** 31, 2 ** 53),
      )
    case 'Float':
    case 'Latitude':
    case 'Longitude':
      return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer())
    case 'Boolean':
      return fc.boolean()
    case 'Date':
      // Year 0 does not exist in Postgres; 9999 is its last four-digit year.
      return fc.oneof(
        hostileString,
        fc.constantFrom('2019-01-03', '0001-01-01', '0000-01-01', '9999-12-31', '10000-01-01'),
        fc
          .date({ min: new Date('0000-01-01'), max: new Date('9999-12-31') })
          .map((date) =>
            Number.isNaN(date.getTime()) ? '0000-01-01' : date.toISOString().slice(0, 10),
          ),
      )
    case 'DateTime':
      return fc.oneof(
        hostileString,
        fc.constantFrom(
          '2019-01-03T00:00:00Z',
          '1970-01-01T00:00Z',
          '0000-01-01T00:00:00Z',
          '9999-12-31T23:00:00-05:00',
        ),
      )
    case 'CountryCode':
      return fc.oneof(hostileString, fc.constantFrom('TUN', 'tun', 'XXX', 'TN'))
    case 'JSONObject':
      return fc.object({ maxDepth: 2 })
    default: // String, ID
      return hostileString
  }
}

/** A selection of the scalar fields of a type, two levels deep, skipping fields that need arguments. */
function selectionOf(type: GraphQLOutputType, depth = 0): string {
  const named = getNamedType(type)
  if (isLeafType(named)) return ''
  if (!isObjectType(named) || depth > 2) return '{ __typename }'
  const fields = Object.values(named.getFields())
    .filter((field) => field.args.every((arg) => !isNonNullType(arg.type)))
    .map((field) => {
      const leaf = isLeafType(getNamedType(field.type))
      if (leaf) return field.name
      return depth < 2 ? `${field.name} ${selectionOf(field.type, depth + 1)}` : ''
    })
    .filter(Boolean)
  return `{ __typename ${fields.join(' ')} }`
}

/** One root field with generated variables for its arguments, in a document that declares them. */
function requestFor(
  operation: 'query' | 'mutation',
  field: GraphQLField<unknown, unknown>,
  wrongTypes: boolean,
) {
  const args = field.args
  const declared = args.map((arg, i) => `$a${i}: ${arg.type}`).join(', ')
  const passed = args.map((arg, i) => `${arg.name}: $a${i}`).join(', ')
  const document = `${operation} Hostile${declared && `(${declared})`} { ${field.name}${
    passed && `(${passed})`
  } ${selectionOf(field.type)} }`
  return fc
    .record(
      Object.fromEntries(args.map((arg, i) => [`a${i}`, arbitraryValue(arg.type, wrongTypes)])),
      {
        requiredKeys: [],
      },
    )
    .map((variables) => ({ query: document, variables }))
}

const mutationFields = Object.values(schema.getMutationType()?.getFields() ?? {}).map((field) =>
  requestFor('mutation', field, false),
)

const rootFields = (['query', 'mutation'] as const).flatMap((operation) => {
  const root = operation === 'query' ? schema.getQueryType() : schema.getMutationType()
  return Object.values(root?.getFields() ?? {}).flatMap((field) => [
    requestFor(operation, field, false),
    requestFor(operation, field, true),
  ])
})

// Documents whose shape is the attack.
const nested = (depth: number) =>
  `{ events(first: 1) { edges { node { place ${'{ parent '.repeat(depth)}{ name }${' }'.repeat(depth)} } } } }`
const hostileDocuments = fc.oneof(
  fc.integer({ min: 1, max: 300 }).map(nested),
  fc
    .integer({ min: 1, max: 400 })
    .map(
      (n) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: events { totalCount }`).join(' ')} }`,
    ),
  fc.bigInt().map((first) => `{ events(first: ${first}) { edges { node { id } } } }`),
  fc
    .oneof(
      hostileString,
      fc.base64String(),
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
    )
    .map(
      (cursor) =>
        `{ events(first: 2, after: ${JSON.stringify(cursor)}) { totalCount edges { cursor } } }`,
    ),
  hostileString.map(
    (text) =>
      `{ events(filter: { search: ${JSON.stringify(text)} }) { totalCount } persons(search: ${JSON.stringify(text)}) { totalCount } groups(search: ${JSON.stringify(text)}) { totalCount } }`,
  ),
  // Cursors whose MAC holds over contents no list can read: not JSON, another shape, a sort
  // value of the wrong type for the order.
  fc
    .oneof(
      fc
        .oneof(
          hostileString,
          fc.jsonValue().map((value) => JSON.stringify(value)),
        )
        .map(signCursor),
      fc
        .tuple(
          fc.constantFrom(
            'events:date_desc',
            'events:date_asc',
            'events:killed_desc',
            'events:updated_desc',
          ),
          fc.oneof(
            hostileString,
            fc.constantFrom(
              '0000-01-01',
              '9999-12-31',
              '2020-02-30',
              '99999999999',
              '-1',
              'NaN',
              '1e999',
            ),
          ),
          fc.oneof(fc.integer(), fc.maxSafeInteger()),
        )
        .map(([scope, sortValue, id]) => encodeCursor(scope, sortValue, id)),
    )
    .chain((cursor) =>
      fc.constantFrom(
        `{ events(first: 2, after: ${JSON.stringify(cursor)}) { edges { cursor } } }`,
        `{ events(orderBy: KILLED_DESC, last: 2, before: ${JSON.stringify(cursor)}) { edges { cursor } } }`,
        `{ events(orderBy: UPDATED_DESC, after: ${JSON.stringify(cursor)}) { edges { cursor } } }`,
      ),
    ),
  fc.integer({ min: 1, max: 200 }).map((n) => `{ __typename ${'@skip(if: false) '.repeat(n)} }`),
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    'fragment A on Query { ...B } fragment B on Query { ...A } { ...A }',
    '{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }',
    'query { events { edges { node { id } } } } mutation { deleteEvent(id: "x") { id } }',
    '{',
    '',
  ),
)

const clientCodes = new Set([
  'BAD_USER_INPUT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'PAYLOAD_TOO_LARGE',
  // A stale version, which generated mutations send more often than not.
  'CONFLICT',
])

async function expectReadableRefusalOrData(body: unknown, key?: string) {
  const response = await fetch(api.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key && { authorization: `Bearer ${key}` }),
    },
    // A string is sent as it is: JSON nested deeper than JSON.stringify would care to build.
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  expect(response.status).toBeLessThan(500)
  const result = (await response.json()) as {
    data?: unknown
    errors?: { message: string; extensions?: { code?: string } }[]
  }
  for (const error of result.errors ?? []) {
    expect(clientCodes, JSON.stringify({ body, error }).slice(0, 2000)).toContain(
      error.extensions?.code,
    )
    expect(error.message).not.toMatch(/\b(SELECT|INSERT|syntax error at|relation|column)\b/)
  }
}

it('generated variables for every root field, of the right type or not, with hostile strings', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(...rootFields), (body) => expectReadableRefusalOrData(body)),
    { numRuns: 600 },
  )
}, 300_000)

it('generated documents: deep, wide, aliased, huge pages, bad cursors, garbage', async () => {
  await fc.assert(
    fc.asyncProperty(hostileDocuments, (query) => expectReadableRefusalOrData({ query })),
    { numRuns: 300 },
  )
}, 300_000)

/** A variable nested `depth` levels deep in objects or lists, as the request's JSON text. */
const deeplyNested = fc
  .tuple(
    // Around the limit, and deep enough to overflow a recursive walk's stack.
    fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 3000, max: 6000 })),
    fc.constantFrom(['{"a":', '}'], ['[', ']']),
  )
  .map(
    ([depth, [open, close]]) =>
      `{"query":"query ($x: String) { groups(search: $x) { totalCount } }","variables":{"x":${(open as string).repeat(depth)}"a"${(close as string).repeat(depth)}}}`,
  )

it('deeply nested variables are refused with a message, never a stack overflow', async () => {
  await fc.assert(
    fc.asyncProperty(deeplyNested, (body) => expectReadableRefusalOrData(body)),
    {
      numRuns: 50,
    },
  )
}, 300_000)

it('after all of it the server still answers and the database is unchanged', async () => {
  expect((await fetch(new URL('/healthz', api.url))).status).toBe(200)
  expect(await databaseFingerprint(testDb())).toBe(fingerprint)
})

// With an editor's key the mutations reach their checks and the database: whatever they write
// or refuse, no input is an internal error (year 0, empty fields, 32-bit overflow, figures that
// overflow a sum).
it('generated mutations with an editor key: written or refused, never an internal error', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(...mutationFields), (body) =>
      expectReadableRefusalOrData(body, editorKey),
    ),
    { numRuns: 400 },
  )
  expect((await fetch(new URL('/healthz', api.url))).status).toBe(200)
}, 300_000)
