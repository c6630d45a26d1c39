import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.js'
import { maxOperationLabels } from '../../src/http/metrics.js'
import { projectRoot } from '../../src/paths.js'
import { startApi, type TestApi } from '../support/api.js'
import { runCli } from '../support/cli.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

let api: TestApi
const metricsToken = 'metrics-token-for-the-test'
const logLines: Record<string, unknown>[] = []
beforeAll(async () => {
  const logs = new PassThrough()
  logs.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().trim().split('\n')) logLines.push(JSON.parse(line))
  })
  api = await startApi(testDatabaseUrl(), pino({ level: 'info' }, logs), {
    env: { METRICS_TOKEN: metricsToken },
  })
})
afterAll(() => api.stop())

function send(body: unknown, headers: Record<string, string> = {}) {
  return fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
}

async function metrics(): Promise<string> {
  const response = await fetch(new URL('/metrics', api.url), {
    headers: { authorization: `Bearer ${metricsToken}` },
  })
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/)
  return response.text()
}

describe('logs', () => {
  it('one JSON line per GraphQL request: request id, operation, status, duration, error codes; no key, no variables', async () => {
    const { key } = await createApiKey(testDb(), 'observed reader', 'reader')
    const secret = 'needle-in-the-variables'
    await send(
      {
        query:
          'query FindEvents($text: String) { events(filter: { search: $text }) { totalCount } }',
        variables: { text: secret },
      },
      { authorization: `Bearer ${key}`, 'x-request-id': 'observed-1' },
    )
    await send({ query: '{ nope }' }, { 'x-request-id': 'observed-2' })

    const lines = logLines.filter((line) => line.msg === 'graphql request')
    expect(lines.find((line) => line.reqId === 'observed-1')).toMatchObject({
      operation: 'FindEvents',
      status: 200,
      durationMs: expect.any(Number),
    })
    expect(lines.find((line) => line.reqId === 'observed-2')).toMatchObject({
      status: 400,
      errorCodes: ['GRAPHQL_VALIDATION_FAILED'],
    })
    const everything = JSON.stringify(logLines)
    expect(everything).not.toContain(secret)
    expect(everything).not.toContain(key.slice(17))
  })
})

describe('/metrics', () => {
  it('counts requests and latency by operation, errors by code, and reports the pool', async () => {
    await send({ query: 'query CountEvents { events { totalCount } }' })
    await send({ query: 'query CountEvents { events { totalCount } }' })
    await send({
      query: 'query ($first: Int) { events(first: $first) { totalCount } }',
      variables: { first: 100_000 },
    })
    await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json' } })

    const text = await metrics()
    expect(text).toMatch(/^attest_graphql_requests_total\{operation="CountEvents"\} 2$/m)
    expect(text).toMatch(
      /^attest_graphql_request_duration_seconds_count\{operation="CountEvents"\} 2$/m,
    )
    expect(text).toMatch(/^attest_graphql_requests_total\{operation="anonymous"\} \d+$/m)
    expect(text).toMatch(/^attest_graphql_errors_total\{code="BAD_USER_INPUT"\} 1$/m)
    expect(text).toMatch(/^attest_graphql_errors_total\{code="BAD_REQUEST"\} 1$/m)
    for (const state of ['in_use', 'idle', 'waiting'])
      expect(text).toMatch(
        new RegExp(`^attest_db_pool_connections\\{pool="primary",state="${state}"\\} \\d+$`, 'm'),
      )
    expect(text).toMatch(/^attest_process_resident_memory_bytes \d+/m)
  })

  it('does not let clients grow the label set: a name that is not a GraphQL name counts as "other"', async () => {
    await send({ query: '{ __typename }', operationName: 'x'.repeat(200) })
    expect(await metrics()).not.toContain('x'.repeat(100))
  })
})

/** A port nothing listens on now (for a server's own metrics address). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
    probe.on('error', reject)
  })
}

describe('/metrics is never public', () => {
  const scrape = (url: string | URL, token?: string) =>
    fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} })

  it('with a token: 401 without it or with another, the metrics with it', async () => {
    const url = new URL('/metrics', api.url)
    for (const token of [undefined, 'not-the-metrics-token-at-all']) {
      const response = await scrape(url, token)
      expect(response.status).toBe(401)
      expect(await response.text()).not.toContain('attest_')
    }
    expect((await scrape(url, metricsToken)).status).toBe(200)
  })

  it('with neither a token nor an address: not served, and not listed in the index', async () => {
    const closed = await startApi(testDatabaseUrl())
    try {
      const response = await scrape(new URL('/metrics', closed.url))
      expect(response.status).toBe(404)
      expect(await response.text()).toMatch(/METRICS_TOKEN/)
      const index = (await (await fetch(new URL('/', closed.url))).json()) as {
        endpoints: Record<string, unknown>
      }
      expect(index.endpoints).not.toHaveProperty('metrics')
    } finally {
      await closed.stop()
    }
  })

  it('with an address of its own: served there, and not on the API’s address', async () => {
    const port = await freePort()
    const separate = await startApi(testDatabaseUrl(), undefined, {
      env: { METRICS_ADDRESS: `127.0.0.1:${port}` },
      inProcess: true, // its second address is on this machine
    })
    try {
      expect((await scrape(new URL('/metrics', separate.url))).status).toBe(404)
      const response = await scrape(`http://127.0.0.1:${port}/metrics`)
      expect(response.status).toBe(200)
      expect(await response.text()).toMatch(/^attest_db_pool_connections/m)
    } finally {
      await separate.stop()
    }
    // Stopping the service stops its metrics listener too.
    await expect(scrape(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow()
  })
})

describe('operation names in the metrics', () => {
  it('refused requests cannot use up the labels; past the bound, new names are "other"', async () => {
    const port = await freePort()
    const keyed = await startApi(testDatabaseUrl(), undefined, {
      env: { READ_REQUIRES_KEY: 'true', METRICS_ADDRESS: `127.0.0.1:${port}` },
      inProcess: true, // its second address is on this machine
    })
    const { key } = await createApiKey(testDb(), 'labelled reader', 'reader')
    const named = (name: string, withKey: boolean) =>
      fetch(keyed.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(withKey && { authorization: `Bearer ${key}` }),
        },
        body: JSON.stringify({ query: `query ${name} { __typename }` }),
      })
    const scraped = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
    try {
      // Without a key every request is refused: none of their names becomes a label.
      for (let i = 0; i < maxOperationLabels + 5; i += 1) await named(`MadeUp${i}`, false)
      expect(await scraped()).not.toMatch(/operation="MadeUp/)
      await named('RealClient', true)
      expect(await scraped()).toMatch(
        /^attest_graphql_requests_total\{operation="RealClient"\} 1$/m,
      )
      // Answered requests fill the labels up to the bound; the rest count as "other".
      for (let i = 0; i < maxOperationLabels + 5; i += 1) await named(`Keyed${i}`, true)
      const text = await scraped()
      const labels = new Set(
        [...text.matchAll(/^attest_graphql_requests_total\{operation="(\w+)"\}/gm)].map(
          (match) => match[1],
        ),
      )
      expect(labels.has('RealClient')).toBe(true)
      expect([...labels].filter((label) => label?.startsWith('Keyed'))).toHaveLength(
        maxOperationLabels - 1,
      )
      expect(labels.has('other')).toBe(true)
    } finally {
      await keyed.stop()
    }
  })
})

describe('import progress', () => {
  it('attest import --metrics-file keeps the progress in a Prometheus text file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'attest-import-metrics-'))
    try {
      const file = path.join(dir, 'import.prom')
      const { code } = await runCli(
        [
          'import',
          'acled',
          path.join(projectRoot, 'test/fixtures/acled-sample.csv'),
          '--release',
          'metrics-test',
          '--metrics-file',
          file,
        ],
        { DATABASE_URL: testDatabaseUrl() },
      )
      // The sample's three bad rows are rejected: the status of an import that left rows out.
      expect(code).toBe(3)
      const text = await readFile(file, 'utf8')
      const labels = 'dataset="acled",release="metrics-test"'
      expect(text).toContain(`attest_import_rows{${labels}} 8`)
      expect(text).toContain(`attest_import_finished{${labels}} 1`)
      expect(text).toMatch(/^attest_import_bytes_total\{[^}]+\} [1-9]\d*$/m)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
