import { PassThrough } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiKeyVerifier, createApiKey, defaultLockout } from '../../src/auth/api-keys.js'
import { dataOf, errorOf, startApi, type TestApi } from '../support/api.js'
import { runCli } from '../support/cli.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

const createEvent =
  'mutation { createEvent(fields: { title: "Raid", dateStart: "2019-01-03" }) { id version } }'
const read = '{ events(first: 1) { totalCount } }'

let api: TestApi
const logLines: string[] = []

beforeAll(async () => {
  // Everything the server logs, at the most verbose level, to check that no key is in it.
  const logs = new PassThrough()
  logs.on('data', (chunk: Buffer) => logLines.push(chunk.toString()))
  api = await startApi(testDatabaseUrl(), pino({ level: 'trace' }, logs))
})
afterAll(() => api.stop())

describe('attest apikey', () => {
  const env = () => ({ DATABASE_URL: testDatabaseUrl() })

  it('creates a key, prints it once, stores only a salted scrypt hash, and revokes it at once', async () => {
    const created = await runCli(
      ['apikey', 'create', '--name', 'newsroom', '--role', 'editor'],
      env(),
    )
    expect(created.code).toBe(0)
    const key = created.stdout.trim()
    expect(key).toMatch(/^att_[\w-]{12}_[\w-]{43}$/)
    const prefix = key.slice(4, 16)
    expect(created.stderr).toContain(`prefix ${prefix}`)

    const row = await testDb()
      .selectFrom('api_key')
      .selectAll()
      .where('prefix', '=', prefix)
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({ name: 'newsroom', role: 'editor', revoked_at: null })
    expect(row.key_hash).toMatch(/^scrypt\$16384\$8\$1\$[\w+/=]+\$[\w+/=]+$/)
    expect(row.key_hash).not.toContain(key.slice(17))

    const listed = await runCli(['apikey', 'list'], env())
    expect(listed.stdout).toContain(`${prefix}\teditor\tnewsroom`)
    expect(listed.stdout).not.toContain(key)

    expect(dataOf(await api.query(createEvent, {}, key)).createEvent.version).toBe(1)
    const revoked = await runCli(['apikey', 'revoke', prefix], env())
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked ${prefix}\n` })
    expect(errorOf(await api.query(createEvent, {}, key)).extensions?.code).toBe('UNAUTHENTICATED')
    expect(listed.stdout).not.toContain('revoked')
    expect((await runCli(['apikey', 'list'], env())).stdout).toMatch(
      new RegExp(`${prefix}\\teditor\\tnewsroom\\t\\S+\\t\\d{4}-`),
    )
  })

  it('refuses an unknown role and an unknown prefix, writing nothing', async () => {
    const before = await testDb().selectFrom('api_key').selectAll().execute()
    const badRole = await runCli(['apikey', 'create', '--name', 'x', '--role', 'owner'], env())
    expect(badRole.code).not.toBe(0)
    expect(badRole.stderr).toContain('expected reader, editor, admin')
    const badPrefix = await runCli(['apikey', 'revoke', 'nosuchprefix'], env())
    expect(badPrefix.code).toBe(1)
    expect(badPrefix.stderr).toContain('no active key has the prefix nosuchprefix')
    expect(await testDb().selectFrom('api_key').selectAll().execute()).toEqual(before)
  })
})

describe('the Authorization header', () => {
  it.each([
    [
      'a key that does not exist',
      'Bearer att_abcdefghijkl_0123456789012345678901234567890123456789012',
    ],
    ['something that is not a key', 'Bearer hunter2'],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
  ])('with %s is UNAUTHENTICATED, for reads too', async (_, header) => {
    const response = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: header },
      body: JSON.stringify({ query: read }),
    })
    expect(response.status).toBe(401)
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] }
    expect(body.errors[0]?.extensions.code).toBe('UNAUTHENTICATED')
  })

  it('is never written to the logs, nor is the key', async () => {
    const { key } = await createApiKey(testDb(), 'logged?', 'editor')
    await api.query(createEvent, {}, key)
    await api.query('{ nosuchfield }', {}, key)
    await api.query(read, {}, `${key}x`)
    expect(logLines.length).toBeGreaterThan(0)
    const logs = logLines.join('')
    expect(logs).not.toContain(key.slice(17))
    expect(logs.toLowerCase()).not.toContain('bearer')
  })
})

describe('READ_REQUIRES_KEY', () => {
  it('makes reading need a key of any role', async () => {
    const closed = await startApi(testDatabaseUrl(), undefined, {
      env: { READ_REQUIRES_KEY: 'true' },
    })
    try {
      expect(errorOf(await closed.query(read)).extensions?.code).toBe('UNAUTHENTICATED')
      const { key } = await createApiKey(testDb(), 'a reader', 'reader')
      expect(dataOf(await closed.query(read, {}, key)).events.totalCount).toBeGreaterThan(0)
      expect(errorOf(await closed.query(createEvent, {}, key)).extensions?.code).toBe('FORBIDDEN')
    } finally {
      await closed.stop()
    }
  })
})

describe('guessing a secret behind a valid prefix', () => {
  // The same prefix, another secret of the right form.
  const wrongSecretOf = (key: string) => `${key.slice(0, 17)}${'x'.repeat(43)}`

  it(`locks the prefix after ${defaultLockout.failures} wrong secrets: answered like any bad key, without scrypt`, async () => {
    const metricsToken = 'lockout-metrics-token'
    const guarded = await startApi(testDatabaseUrl(), undefined, {
      env: { METRICS_TOKEN: metricsToken },
    })
    const keyFailures = async () => {
      const text = await (
        await fetch(new URL('/metrics', guarded.url), {
          headers: { authorization: `Bearer ${metricsToken}` },
        })
      ).text()
      const count = (reason: string) =>
        Number(
          new RegExp(`attest_api_key_failures_total\\{reason="${reason}"\\} (\\d+)`).exec(
            text,
          )?.[1] ?? 0,
        )
      return { wrong: count('wrong_secret'), locked: count('locked') }
    }
    try {
      const { key: known } = await createApiKey(testDb(), 'known before the guessing', 'reader')
      const { key: unknown } = await createApiKey(testDb(), 'first used during it', 'reader')
      // This instance has verified `known` already; `unknown` it has never seen.
      dataOf(await guarded.query(read, {}, known))
      for (const target of [known, unknown]) {
        for (let i = 0; i < defaultLockout.failures; i += 1)
          expect(
            errorOf(await guarded.query(read, {}, wrongSecretOf(target))).extensions?.code,
          ).toBe('UNAUTHENTICATED')
      }
      expect(await keyFailures()).toEqual({ wrong: 2 * defaultLockout.failures, locked: 0 })

      // Locked: a further guess is refused as before, but counted as locked (no scrypt ran).
      const refusal = errorOf(await guarded.query(read, {}, wrongSecretOf(unknown)))
      expect(refusal.extensions?.code).toBe('UNAUTHENTICATED')
      expect(refusal.message).toBe('The API key is not valid (unknown or revoked)')
      // Even the right secret waits out the lockout, unless this instance already knew the key.
      expect(errorOf(await guarded.query(read, {}, unknown)).extensions?.code).toBe(
        'UNAUTHENTICATED',
      )
      expect(await keyFailures()).toEqual({ wrong: 2 * defaultLockout.failures, locked: 2 })
      dataOf(await guarded.query(read, {}, known))
    } finally {
      await guarded.stop()
    }
  })

  it(`lifts the lock after ${defaultLockout.seconds / 60} minutes`, async () => {
    let now = Date.parse('2026-01-01T00:00:00Z')
    const verifier = new ApiKeyVerifier(testDb(), { now: () => now })
    const { key: other } = await createApiKey(testDb(), 'guessed at', 'reader')
    for (let i = 0; i < defaultLockout.failures; i += 1)
      await verifier.identify(wrongSecretOf(other))
    expect(await verifier.identify(other)).toBeUndefined()
    now += defaultLockout.seconds * 1000 - 1
    expect(await verifier.identify(other)).toBeUndefined()
    now += 1
    expect(await verifier.identify(other)).toMatchObject({ name: 'guessed at' })
  })
})
