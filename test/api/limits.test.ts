import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.js'
import { createDatabase } from '../../src/db/database.js'
import { errorOf, type GraphQLResponse, startApi, type TestApi } from '../support/api.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

// Small limits, so that each test can break one with a short document.
const limits = {
  MAX_DEPTH: '4',
  MAX_ALIASES: '3',
  MAX_DIRECTIVES: '3',
  MAX_TOKENS: '200',
  MAX_COST: '5000',
  MAX_BODY_BYTES: '4000',
}

let api: TestApi
beforeAll(async () => {
  api = await startApi(testDatabaseUrl(), undefined, { env: limits, inProcess: true }) // reads its SQL
})
afterAll(() => api.stop())

async function post(url: string, request: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(request),
  })
  const body = (await response.json()) as GraphQLResponse<Record<string, any>>
  return { status: response.status, headers: response.headers, body }
}

describe('a document over a limit is refused before any SQL runs', () => {
  const aliases = (n: number) =>
    `{ ${Array.from({ length: n }, (_, i) => `a${i}: events(first: 1) { totalCount }`).join(' ')} }`
  it.each([
    [
      'depth',
      '{ events(first: 1) { edges { node { place { parent { name } } } } } }',
      /Query depth limit of 4 exceeded, found \d+/,
    ],
    ['aliases', aliases(4), /Aliases limit of 3 exceeded, found 4/],
    [
      'directives',
      '{ events(first: 1) @skip(if: false) { totalCount @skip(if: false) pageInfo @skip(if: false) { hasNextPage @skip(if: false) } } }',
      /Directives limit of 3 exceeded, found 4/,
    ],
    [
      'cost',
      '{ a: events(first: 500) { edges { node { title summary dateStart dateEnd tags version createdAt updatedAt } } } b: events(first: 500) { edges { node { title } } } }',
      /Query cost limit of 5000 exceeded \(MAX_COST\), found \d+/,
    ],
  ])('%s: GRAPHQL_VALIDATION_FAILED, HTTP 400, naming the limit', async (_, query, message) => {
    api.resetStatements()
    const response = await post(api.url, { query })
    expect(response.status).toBe(400)
    const error = errorOf(response.body)
    expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED')
    expect(error.message).toMatch(message)
    expect(api.statements).toEqual([])
  })

  it('tokens: GRAPHQL_PARSE_FAILED, HTTP 400', async () => {
    api.resetStatements()
    const query = `{ events(first: 1) { totalCount ${'__typename '.repeat(200)} } }`
    const response = await post(api.url, { query })
    expect(response.status).toBe(400)
    expect(errorOf(response.body)).toMatchObject({
      message: expect.stringMatching(/more tha[nt] 200 tokens/),
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    })
    expect(api.statements).toEqual([])
  })

  it('body size: PAYLOAD_TOO_LARGE, HTTP 413, as a GraphQL error', async () => {
    const response = await post(api.url, {
      query: `{ events { totalCount } } #${'x'.repeat(5000)}`,
    })
    expect(response.status).toBe(413)
    expect(errorOf(response.body).extensions?.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('a document within every limit runs', async () => {
    const response = await post(api.url, { query: aliases(3) })
    expect(response).toMatchObject({ status: 200, body: { data: { a0: { totalCount: 0 } } } })
  })
})

describe('the schema is not given away', () => {
  it('validation errors make no suggestions', async () => {
    const error = errorOf(
      (await post(api.url, { query: '{ events { edges { node { titel } } } }' })).body,
    )
    expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED')
    expect(error.message).not.toMatch(/did you mean/i)
  })

  it('introspection is on by default and off with INTROSPECTION=false', async () => {
    const query = '{ __schema { queryType { name } } }'
    expect((await post(api.url, { query })).body.data?.__schema.queryType.name).toBe('Query')
    const closed = await startApi(testDatabaseUrl(), undefined, { env: { INTROSPECTION: 'false' } })
    try {
      const refused = await post(closed.url, { query })
      expect(errorOf(refused.body).extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED')
    } finally {
      await closed.stop()
    }
  })
})

describe('browsers', () => {
  it('a plain GET query is answered: reads need no CSRF header (test/api/clients.test.ts)', async () => {
    const response = await fetch(`${api.url}?query=${encodeURIComponent('{ __typename }')}`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } })
  })

  it('CORS: no other origin by default; the origins in CORS_ORIGINS may call', async () => {
    const preflight = (url: string, origin: string) =>
      fetch(url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,authorization',
        },
      })
    const closed = await preflight(api.url, 'https://app.example')
    expect(closed.headers.get('access-control-allow-origin')).toBeNull()
    // Refused with a message its developer can act on.
    expect(closed.status).toBe(403)
    const refusal = (await closed.json()) as { errors: { message: string }[] }
    expect(refusal.errors[0]?.message).toMatch(/https:\/\/app\.example.*CORS_ORIGINS/)

    const open = await startApi(testDatabaseUrl(), undefined, {
      env: { CORS_ORIGINS: 'https://app.example' },
    })
    try {
      const allowed = await preflight(open.url, 'https://app.example')
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example')
      const other = await preflight(open.url, 'https://elsewhere.example')
      expect(other.headers.get('access-control-allow-origin')).toBeNull()
      expect(other.status).toBe(403)
    } finally {
      await open.stop()
    }
  })
})

describe('rate limit', () => {
  it('refuses a caller over RATE_LIMIT_REQUESTS with 429 and Retry-After; each key counts apart, wrong keys against the address', async () => {
    const limited = await startApi(testDatabaseUrl(), undefined, {
      env: { RATE_LIMIT_REQUESTS: '2', RATE_LIMIT_WINDOW_SECONDS: '3600' },
    })
    const { key } = await createApiKey(testDb(), 'rate limited reader', 'reader')
    const query = { query: '{ __typename }' }
    try {
      expect((await post(limited.url, query)).status).toBe(200)
      expect((await post(limited.url, query)).status).toBe(200)
      const refused = await post(limited.url, query)
      expect(refused.status).toBe(429)
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3500)
      expect(errorOf(refused.body).extensions).toMatchObject({ code: 'RATE_LIMITED' })

      const withKey = await post(limited.url, query, { authorization: `Bearer ${key}` })
      expect(withKey.status).toBe(200)

      // Wrong keys count against the address too (each costs a lookup): this one is spent.
      const wrongKey = { authorization: 'Bearer att_0123456789ab_wrong' }
      expect(errorOf((await post(limited.url, query, wrongKey)).body).extensions?.code).toBe(
        'RATE_LIMITED',
      )
      // The exports share the limit.
      const exported = await fetch(new URL('/export/events.csv', limited.url))
      expect(exported.status).toBe(429)
      await exported.body?.cancel()
      expect(exported.headers.get('retry-after')).toMatch(/^\d+$/)
    } finally {
      await limited.stop()
    }
  })
})

describe('the exports', () => {
  it('follow READ_REQUIRES_KEY like GraphQL', async () => {
    const closed = await startApi(testDatabaseUrl(), undefined, {
      env: { READ_REQUIRES_KEY: 'true' },
    })
    const { key } = await createApiKey(testDb(), 'export reader', 'reader')
    const url = new URL('/export/events.csv', closed.url)
    try {
      const refused = await fetch(url)
      expect(refused.status).toBe(401)
      expect(await refused.json()).toMatchObject({ code: 'UNAUTHENTICATED' })
      const allowed = await fetch(url, { headers: { authorization: `Bearer ${key}` } })
      expect(allowed.status).toBe(200)
      expect(await allowed.text()).toMatch(/^\S+,/) // the CSV's header
    } finally {
      await closed.stop()
    }
  })
})

describe('statement_timeout', () => {
  it('cancels a statement that runs longer than STATEMENT_TIMEOUT_MS', async () => {
    const db = createDatabase(testDatabaseUrl(), { maxConnections: 1, statementTimeoutMs: 50 })
    try {
      await expect(sql`SELECT pg_sleep(5)`.execute(db)).rejects.toThrow(/statement timeout/)
    } finally {
      await db.destroy()
    }
  })
})
