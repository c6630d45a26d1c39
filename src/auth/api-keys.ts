import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import type { Database } from '../db/database.js'
import type { ApiRole } from '../db/schema.js'

const scryptAsync = promisify(scrypt) as (
  secret: string,
  salt: Buffer,
  length: number,
  options: { N: number; r: number; p: number },
) => Promise<Buffer>

// OWASP's scrypt baseline: N = 2^17 needs 128 MiB; 2^14 with r = 8 is the common interactive
// setting (16 MiB, ~40 ms here), acceptable once per key thanks to the verified-key cache below.
const cost = { N: 2 ** 14, r: 8, p: 1 } as const
const hashLength = 32

/** A key is `att_`, a 12-character public prefix (stored, for lookup), `_`, and the secret. */
const keyPattern = /^att_([A-Za-z0-9_-]{12})_([A-Za-z0-9_-]{43})$/

export interface ApiKeyRow {
  readonly id: number
  readonly name: string
  readonly role: ApiRole
  readonly prefix: string
  readonly createdAt: string
  readonly revokedAt: string | null
}

/** Who is calling: the key's id, name and role. */
export interface ApiKeyIdentity {
  readonly id: number
  readonly name: string
  readonly role: ApiRole
}

async function hashSecret(secret: string, salt: Buffer): Promise<Buffer> {
  return scryptAsync(secret, salt, hashLength, { ...cost, maxmem: 64 * 1024 * 1024 } as never)
}

/** `scrypt$N$r$p$salt$hash`: the parameters travel with the hash, so they can be raised later. */
async function storedHash(secret: string): Promise<string> {
  const salt = randomBytes(16)
  const hash = await hashSecret(secret, salt)
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), hash.toString('base64')].join(
    '$',
  )
}

async function secretMatches(secret: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64')
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(N),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  } as never)
  return timingSafeEqual(actual, expected)
}

/** Creates a key and returns it in full: the only time it is seen; the database keeps a hash. */
export async function createApiKey(
  db: Database,
  name: string,
  role: ApiRole,
): Promise<{ key: string; row: ApiKeyRow }> {
  // Hex: a prefix is typed on command lines, where a leading '-' would read as an option.
  const prefix = randomBytes(6).toString('hex')
  const secret = randomBytes(32).toString('base64url')
  const inserted = await db
    .insertInto('api_key')
    .values({ name, role, prefix, key_hash: await storedHash(secret) })
    .returning(['id'])
    .executeTakeFirstOrThrow()
  const row = (await listApiKeys(db)).find((key) => key.id === inserted.id) as ApiKeyRow
  return { key: `att_${prefix}_${secret}`, row }
}

export async function listApiKeys(db: Database): Promise<ApiKeyRow[]> {
  const rows = await db
    .selectFrom('api_key')
    .select(['id', 'name', 'role', 'prefix', 'created_at', 'revoked_at'])
    .orderBy('id')
    .execute()
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
  }))
}

/** Revokes the key with this prefix; false when there is no such active key. */
export async function revokeApiKey(db: Database, prefix: string): Promise<boolean> {
  const result = await db
    .updateTable('api_key')
    .set({ revoked_at: new Date() })
    .where('prefix', '=', prefix)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** How many wrong secrets in a row lock a key's prefix, and for how long. */
export interface Lockout {
  readonly failures: number
  readonly seconds: number
}

export const defaultLockout: Lockout = { failures: 10, seconds: 15 * 60 }

/** Why a key whose prefix exists was refused. */
export type KeyFailure = 'wrong_secret' | 'locked'

export interface VerifierOptions {
  /** How many verified keys to remember (their SHA-256) so that scrypt runs once per key. */
  readonly maxRemembered?: number
  readonly lockout?: Lockout
  /** Told of every refusal of a key whose prefix exists (for the metrics). */
  readonly onFailure?: (reason: KeyFailure) => void
  /** Milliseconds since the epoch; a test gives its own clock. */
  readonly now?: () => number
}

interface Failures {
  count: number
  /** When the first failure of the current run was; a run older than the lockout starts over. */
  since: number
  lockedUntil: number
}

/**
 * Checks keys against their scrypt hashes. A key once verified is remembered (by its SHA-256,
 * never in clear) so scrypt runs once per key, not per request; the row is still read on every
 * request, so a revoked key stops working at once.
 *
 * Guessing a secret costs the guesser: after `lockout.failures` wrong secrets for one prefix
 * (within `lockout.seconds` of the first), the prefix is locked for `lockout.seconds`. A locked
 * prefix is answered like any bad key, without running scrypt; a key this instance has already
 * verified keeps working (it costs no scrypt either), so its owner is not locked out by someone
 * else's guesses. Only existing prefixes are tracked: the map holds at most one entry per key.
 */
export class ApiKeyVerifier {
  readonly #verified = new Map<string, string>()
  readonly #failures = new Map<number, Failures>()
  readonly #maxRemembered: number
  readonly #lockout: Lockout
  readonly #onFailure: (reason: KeyFailure) => void
  readonly #now: () => number

  constructor(
    private readonly db: Database,
    options: VerifierOptions = {},
  ) {
    this.#maxRemembered = options.maxRemembered ?? 1000
    this.#lockout = options.lockout ?? defaultLockout
    this.#onFailure = options.onFailure ?? (() => {})
    this.#now = options.now ?? Date.now
  }

  /** The key's identity, or undefined for a malformed, unknown or revoked key. */
  async identify(key: string): Promise<ApiKeyIdentity | undefined> {
    const match = keyPattern.exec(key)
    if (!match) return undefined
    const [, prefix, secret] = match as unknown as [string, string, string]
    const row = await this.db
      .selectFrom('api_key')
      .select(['id', 'name', 'role', 'key_hash'])
      .where('prefix', '=', prefix)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    if (!row) return undefined
    const fingerprint = createHash('sha256').update(key).digest('base64')
    if (this.#verified.get(fingerprint) !== row.key_hash) {
      const now = this.#now()
      const failures = this.#failures.get(row.id)
      if (failures && failures.lockedUntil > now) {
        this.#onFailure('locked')
        return undefined
      }
      if (!(await secretMatches(secret, row.key_hash))) {
        this.#failed(row.id, failures, now)
        return undefined
      }
      this.#failures.delete(row.id)
      if (this.#verified.size >= this.#maxRemembered) this.#verified.clear()
      this.#verified.set(fingerprint, row.key_hash)
    }
    return { id: row.id, name: row.name, role: row.role }
  }

  #failed(keyId: number, failures: Failures | undefined, now: number): void {
    this.#onFailure('wrong_secret')
    const windowMs = this.#lockout.seconds * 1000
    const run =
      failures && now - failures.since < windowMs
        ? failures
        : { count: 0, since: now, lockedUntil: 0 }
    run.count += 1
    if (run.count >= this.#lockout.failures) {
      run.lockedUntil = now + windowMs
      run.count = 0
      run.since = now
    }
    this.#failures.set(keyId, run)
  }
}
