import { once } from 'node:events'
import http, { type IncomingMessage } from 'node:http'
import { parse } from 'csv-parse/sync'
import { sql } from 'kysely'
import pg from 'pg'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApi, type TestApi } from './support/api.js'
import { runCli } from './support/cli.js'
import { testDatabaseUrl, testDb } from './support/test-database.js'

// Exports of many pages, with a real database failing under them: 400 events with long tag lists
// (about 20 MB of CSV, more than loopback's socket buffers hold), 10 to a page, one export at a time.
const events = 400
const pageRows = '10'
const logs: Record<string, unknown>[] = []
let api: TestApi
let origin: string

beforeAll(async () => {
  // The bulk is in tags, which the full-text index does not read: quick to insert.
  await sql`INSERT INTO event (title, tags, date_start, date_end)
    SELECT 'Streamed event ' || n, array_fill('a long account of the day'::text, ARRAY[2000]),
      date '2000-01-01' + n, date '2000-01-01' + n
    FROM generate_series(1, ${events}) n`.execute(testDb())
  const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) })
  api = await startApi(testDatabaseUrl(), logger, {
    env: { EXPORT_PAGE_ROWS: pageRows, EXPORT_CONCURRENCY: '1' },
  })
  origin = new URL(api.url).origin
})
afterAll(() => api.stop())

const csvOf = (text: string) =>
  parse(text, { bom: true, columns: true }) as Record<string, string>[]

function get(path: string, headers: Record<string, string> = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    http.get(`${origin}${path}`, { headers }, resolve).on('error', reject)
  })
}

/** How a response ends: 'complete', or 'cut' when the connection closed before its last chunk. */
function ending(response: IncomingMessage): Promise<'complete' | 'cut'> {
  return new Promise((resolve) => {
    response.on('error', () => {})
    response.on('close', () => resolve(response.complete ? 'complete' : 'cut'))
    response.resume()
  })
}

/** A table lock every export page needs, held by another session until released. */
async function lockEvents() {
  const client = new pg.Client({ connectionString: testDatabaseUrl() })
  await client.connect()
  await client.query('BEGIN')
  await client.query('LOCK TABLE event IN ACCESS EXCLUSIVE MODE')
  return {
    async release() {
      await client.query('ROLLBACK')
      await client.end()
    },
  }
}

// The server's export page waiting for the lock, as Postgres lists it.
async function blockedPages(): Promise<number[]> {
  const { rows } = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%WITH page AS%'`.execute(
    testDb(),
  )
  return rows.map((row) => row.pid)
}

async function terminateBlockedPage() {
  await expect.poll(blockedPages).toHaveLength(1)
  await sql`SELECT pg_terminate_backend(pid) FROM unnest(${await blockedPages()}::int[]) pid`.execute(
    testDb(),
  )
}

describe('an export larger than a page', () => {
  it('streams every event once, in order, page after page', async () => {
    const response = await fetch(`${origin}/export/events.csv?fields=id,title,date_start`)
    expect(response.status).toBe(200)
    const rows = csvOf(await response.text())
    expect(rows).toHaveLength(events)
    expect(new Set(rows.map((row) => row.id)).size).toBe(events)
    expect(rows.map((row) => row.title)).toEqual(
      Array.from({ length: events }, (_, index) => `Streamed event ${index + 1}`),
    )
    const geojson = (await (await fetch(`${origin}/export/events.geojson?fields=id`)).json()) as {
      features: unknown[]
    }
    expect(geojson.features).toHaveLength(events)
    const cli = await runCli(['export', '--format', 'csv', '--fields', 'id'], {
      DATABASE_URL: testDatabaseUrl(),
      EXPORT_PAGE_ROWS: pageRows,
    })
    expect(csvOf(cli.stdout)).toHaveLength(events)
  })

  it('outlasts the statement timeout: it bounds each page, not the download', async () => {
    const patient = await startApi(testDatabaseUrl(), undefined, {
      env: { EXPORT_PAGE_ROWS: pageRows, STATEMENT_TIMEOUT_MS: '1000' },
    })
    try {
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        http.get(patient.url.replace('/graphql', '/export/events.csv'), resolve).on('error', reject)
      })
      // The client stops reading for longer than any statement may run; the server waits for it.
      await once(response, 'data')
      response.pause()
      await new Promise((resolve) => setTimeout(resolve, 2000))
      expect(await ending(response)).toBe('complete')
    } finally {
      await patient.stop()
    }
  })
})

describe('a failing export', () => {
  it('is cut, not ended cleanly, when a page fails after the headers, and the failure is logged with the request id', async () => {
    const requestId = 'export-cut-by-a-failed-page'
    const response = await get('/export/events.csv', { 'x-request-id': requestId })
    expect(response.statusCode).toBe(200)
    await once(response, 'data')
    // Held back by the client, the server stops reading pages; the next one it reads will wait
    // for the lock, and its backend is terminated as it waits.
    response.pause()
    const lock = await lockEvents()
    try {
      const ended = ending(response)
      await terminateBlockedPage()
      expect(await ended).toBe('cut')
    } finally {
      await lock.release()
    }
    await expect
      .poll(() => logs.find((line) => line.reqId === requestId && line.level === 50))
      .toMatchObject({ msg: 'export failed after its headers were sent: response cut' })
  })

  it('answers 503 when its first page fails, before any of the file is sent', async () => {
    const lock = await lockEvents()
    try {
      const response = fetch(`${origin}/export/events.geojson`)
      await terminateBlockedPage()
      const refused = await response
      expect(refused.status).toBe(503)
      expect(await refused.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' })
    } finally {
      await lock.release()
    }
  })
})

describe('concurrent exports', () => {
  it('are bounded: one more than EXPORT_CONCURRENCY is told to retry later', async () => {
    const lock = await lockEvents()
    let first: Promise<Response> | undefined
    try {
      first = fetch(`${origin}/export/events.csv?fields=id`)
      // The first export holds the only place, its first page waiting for the lock.
      await expect.poll(blockedPages).toHaveLength(1)
      const second = await fetch(`${origin}/export/events.geojson`)
      expect(second.status).toBe(429)
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(await second.json()).toMatchObject({ code: 'TOO_MANY_EXPORTS' })
      // A HEAD, whose answer has no body, reads no event: it takes no place.
      const head = await fetch(`${origin}/export/events.csv`, { method: 'HEAD' })
      expect(head.status).toBe(200)
      expect(head.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    } finally {
      await lock.release()
    }
    // Once the lock is gone the first export completes, and its place is free again.
    expect(csvOf(await (await first).text())).toHaveLength(events)
    await expect
      .poll(async () => {
        const again = await fetch(`${origin}/export/events.csv?fields=id`)
        await again.arrayBuffer()
        return again.status
      })
      .toBe(200)
  })
})
