import { PassThrough } from 'node:stream'
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client'
import { Client, fetchExchange } from '@urql/core'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.js'
import { startApi, type TestApi } from '../support/api.js'
import { aGroup } from '../support/factories.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

// Ordinary GraphQL clients, each with its defaults, against the real server: urql sends queries
// as GET (preferGetMethod: 'within-url-limit'), Apollo Client POSTs JSON.

let api: TestApi
let editorKey: string
beforeAll(async () => {
  await aGroup(testDb(), { name: 'Ansar Bayt al-Maqdis' })
  editorKey = (await createApiKey(testDb(), 'client tests', 'editor')).key
  api = await startApi(testDatabaseUrl())
})
afterAll(() => api.stop())

const groupsQuery = 'query Groups { groups(first: 5) { edges { node { name } } } }'
const createSource = `mutation CreateSource($name: String!) {
  createSource(fields: { name: $name, kind: NEWS_AGENCY }) { name kind }
}`

/** Records the method of every request a client sends, then sends it. */
function recordingFetch(methods: string[]): typeof fetch {
  return (input, init) => {
    methods.push(init?.method ?? 'GET')
    return fetch(input, init)
  }
}

describe('urql with its defaults', () => {
  it('reads with a GET and writes with a POST', async () => {
    const methods: string[] = []
    const client = new Client({
      url: api.url,
      exchanges: [fetchExchange],
      fetch: recordingFetch(methods),
      fetchOptions: { headers: { authorization: `Bearer ${editorKey}` } },
    })
    const read = await client.query(groupsQuery, {}).toPromise()
    expect(read.error).toBeUndefined()
    expect(read.data.groups.edges).toEqual([{ node: { name: 'Ansar Bayt al-Maqdis' } }])
    const written = await client.mutation(createSource, { name: 'Urql Wire' }).toPromise()
    expect(written.error).toBeUndefined()
    expect(written.data.createSource).toEqual({ name: 'Urql Wire', kind: 'NEWS_AGENCY' })
    expect(methods).toEqual(['GET', 'POST'])
  })
})

describe('Apollo Client with its defaults', () => {
  const apolloClient = (options: ConstructorParameters<typeof HttpLink>[0] = {}) => {
    const methods: string[] = []
    const client = new ApolloClient({
      link: new HttpLink({
        uri: api.url,
        fetch: recordingFetch(methods),
        headers: { authorization: `Bearer ${editorKey}` },
        ...options,
      }),
      cache: new InMemoryCache(),
    })
    return { client, methods }
  }

  it('reads and writes with POSTs', async () => {
    const { client, methods } = apolloClient()
    const read = await client.query({ query: gql(groupsQuery) })
    expect(read.data).toEqual({
      groups: {
        __typename: 'ArmedGroupConnection',
        edges: [
          {
            __typename: 'ArmedGroupEdge',
            node: { __typename: 'ArmedGroup', name: 'Ansar Bayt al-Maqdis' },
          },
        ],
      },
    })
    const written = await client.mutate({
      mutation: gql(createSource),
      variables: { name: 'Apollo Wire' },
    })
    expect(written.data).toEqual({
      createSource: { __typename: 'Source', name: 'Apollo Wire', kind: 'NEWS_AGENCY' },
    })
    expect(methods).toEqual(['POST', 'POST'])
  })

  it('reads with a GET when asked to (useGETForQueries), with no header of its own', async () => {
    const { client, methods } = apolloClient({ useGETForQueries: true })
    const read = await client.query<{ groups: { edges: unknown[] } }>({ query: gql(groupsQuery) })
    expect(read.data?.groups.edges).toHaveLength(1)
    expect(methods).toEqual(['GET'])
  })
})

describe('what GET and plain forms may not do', () => {
  it('a mutation over GET is refused with 405, and nothing is written', async () => {
    const url = `${api.url}?query=${encodeURIComponent('mutation { createSource(fields: { name: "By GET", kind: OTHER }) { name } }')}`
    const response = await fetch(url, { headers: { authorization: `Bearer ${editorKey}` } })
    expect(response.status).toBe(405)
    const sources = await testDb().selectFrom('source').where('name', '=', 'By GET').execute()
    expect(sources).toEqual([])
  })

  it('a POST a page could send without a preflight (a form, text/plain) is refused', async () => {
    const body = JSON.stringify({ query: '{ groups { totalCount } }' })
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const response = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      })
      expect(response.status, type).toBeGreaterThanOrEqual(400)
      expect(response.status, type).toBeLessThan(500)
    }
  })
})

it('a page on an origin not in CORS_ORIGINS that sends a plain GET: the log names CORS_ORIGINS, once', async () => {
  const logs = new PassThrough()
  const lines: { msg: string; origin?: string }[] = []
  logs.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().trim().split('\n')) lines.push(JSON.parse(line))
  })
  const logged = await startApi(testDatabaseUrl(), pino({ level: 'warn' }, logs))
  try {
    const url = `${logged.url}?query=${encodeURIComponent('{ __typename }')}`
    for (let i = 0; i < 2; i++) {
      const answered = await fetch(url, { headers: { origin: 'http://127.0.0.1:5173' } })
      expect(answered.status).toBe(200)
      expect(answered.headers.get('access-control-allow-origin')).toBeNull()
    }
    await fetch(url, { headers: { origin: new URL(logged.url).origin } })
    await expect
      .poll(() => lines.filter((line) => /CORS_ORIGINS/.test(line.msg)))
      .toEqual([expect.objectContaining({ origin: 'http://127.0.0.1:5173' })])
  } finally {
    await logged.stop()
  }
})
