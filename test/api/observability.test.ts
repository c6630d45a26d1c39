import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.js'
import { projectRoot } from '../../src/paths.js'
import { startApi, type TestApi } from '../support/api.js'
import { runCli } from '../support/cli.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

let api: TestApi
const logLines: Record<string, unknown>[] = []
beforeAll(async () => {
  const logs = new PassThrough()
  logs.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().trim().split('\n')) logLines.push(JSON.parse(line))
  })
  api = await startApi(testDatabaseUrl(), pino({ level: 'info' }, logs))
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
  const response = await fetch(new URL('/metrics', api.url))
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
      expect(code).toBe(0)
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
