import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { request } from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildExplorer } from '../../src/explorer/build.js'
import { createLogger } from '../../src/logger.js'
import { startApi, type TestApi } from '../support/api.js'
import { anEvent } from '../support/factories.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

let api: TestApi
let site: string
let bundleDir: string
beforeAll(async () => {
  bundleDir = await mkdtemp(path.join(os.tmpdir(), 'attest-compression-'))
  await buildExplorer(bundleDir)
  for (let day = 1; day <= 3; day++)
    await anEvent(testDb(), {
      title: `Raid ${day}`,
      date_start: `2020-01-0${day}`,
      date_end: `2020-01-0${day}`,
    })
  api = await startApi(testDatabaseUrl(), createLogger('silent'), { explorerDir: bundleDir })
  site = api.url.replace(/\/graphql$/, '')
})
afterAll(async () => {
  await api?.stop()
  await rm(bundleDir, { recursive: true, force: true })
})

interface RawResponse {
  readonly encoding: string | undefined
  readonly vary: string | undefined
  /** The bytes as they came over the wire. */
  readonly wire: Buffer
  /** The bytes decoded by their content-encoding. */
  readonly body: Buffer
}

/** A request with node:http, which leaves the body as it was sent (fetch would decode it). */
function send(
  url: string,
  acceptEncoding: string,
  body?: Record<string, unknown>,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers = {
      'accept-encoding': acceptEncoding,
      ...(body && { 'content-type': 'application/json' }),
    }
    const sent = request(url, { method: body ? 'POST' : 'GET', headers }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('error', reject)
      response.on('end', () => {
        const wire = Buffer.concat(chunks)
        const encoding = response.headers['content-encoding']
        const decoded =
          encoding === 'br'
            ? brotliDecompressSync(wire)
            : encoding === 'gzip'
              ? gunzipSync(wire)
              : wire
        resolve({ encoding, vary: response.headers.vary, wire, body: decoded })
      })
    })
    sent.on('error', reject)
    sent.end(body && JSON.stringify(body))
  })
}

const everyType = { query: '{ eventTypes { scheme code label parent { code } } }' }

describe('GraphQL responses', () => {
  it('are compressed above the threshold, in gzip first (cheaper per request), else brotli', async () => {
    const gzip = await send(api.url, 'gzip, deflate, br', everyType)
    expect(gzip.encoding).toBe('gzip')
    expect(gzip.vary).toMatch(/accept-encoding/i)
    const types = JSON.parse(gzip.body.toString()).data.eventTypes
    expect(types.length).toBeGreaterThan(20)
    expect(gzip.wire.length).toBeLessThan(gzip.body.length / 2)

    const br = await send(api.url, 'br', everyType)
    expect(br.encoding).toBe('br')
    expect(br.body.equals(gzip.body)).toBe(true)

    const plain = await send(api.url, 'identity', everyType)
    expect(plain.encoding).toBeUndefined()
    expect(plain.wire.equals(gzip.body)).toBe(true)
  })

  it('are sent as they are below the threshold', async () => {
    const small = await send(api.url, 'br, gzip', { query: '{ __typename }' })
    expect(small.encoding).toBeUndefined()
    expect(JSON.parse(small.wire.toString())).toEqual({ data: { __typename: 'Query' } })
  })
})

it('exports are compressed as they stream', async () => {
  const csv = await send(`${site}/export/events.csv`, 'br')
  expect(csv.encoding).toBe('br')
  const lines = csv.body.toString().trim().split('\n')
  expect(lines).toHaveLength(4)
  expect(
    lines
      .slice(1)
      .map((line) => /Raid \d/.exec(line)?.[0])
      .sort(),
  ).toEqual(['Raid 1', 'Raid 2', 'Raid 3'])
  const geojson = await send(`${site}/export/events.geojson`, 'gzip')
  expect(geojson.encoding).toBe('gzip')
  expect(JSON.parse(geojson.body.toString()).features).toHaveLength(3)
})

describe('the explorer’s files', () => {
  it('are sent as the build compressed them, brotli first, or as they are to a client that takes neither', async () => {
    for (const name of ['app.js', 'countries-50m.json']) {
      const original = await readFile(path.join(bundleDir, name))
      const url = `${site}/explorer/${name}`
      const br = await send(url, 'gzip, deflate, br, zstd')
      expect(br.encoding, name).toBe('br')
      expect(br.wire.equals(await readFile(path.join(bundleDir, `${name}.br`))), name).toBe(true)
      expect(br.body.equals(original), name).toBe(true)
      expect(br.wire.length, name).toBeLessThan(original.length / 2)
      const gzip = await send(url, 'gzip;q=1, br;q=0')
      expect(gzip.encoding, name).toBe('gzip')
      expect(gzip.body.equals(original), name).toBe(true)
      const plain = await send(url, 'identity')
      expect(plain.encoding, name).toBeUndefined()
      expect(plain.wire.equals(original), name).toBe(true)
    }
  })
})
