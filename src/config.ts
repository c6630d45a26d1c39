import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { projectRoot } from './paths.js'

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof logLevels)[number]
/** What a new embedded database is filled with: see src/demo/demo-sets.ts. */
export const demoSets = ['all', 'article'] as const
export type DemoSet = (typeof demoSets)[number]
/** auto: lines for people when stderr is a terminal, JSON lines otherwise. */
export const logFormats = ['auto', 'json', 'pretty'] as const
export type LogFormat = (typeof logFormats)[number]

export interface Config {
  /** Postgres to use; when undefined an embedded Postgres is started under dataDir. */
  readonly databaseUrl: string | undefined
  /** A read replica of DATABASE_URL: queries read from it, mutations use the primary. */
  readonly databaseReadUrl: string | undefined
  readonly host: string
  readonly port: number
  /** Where the embedded Postgres keeps its cluster (and anything else the service stores). */
  readonly dataDir: string
  /** What a new embedded database is filled with (src/demo/demo-sets.ts). */
  readonly demoData: DemoSet
  readonly logLevel: LogLevel
  readonly logFormat: LogFormat
  /** When true, reading needs an API key too (any role); by default anyone may read. */
  readonly readRequiresKey: boolean
  readonly limits: Limits
  /** Whether the schema may be introspected (GraphiQL needs it). */
  readonly introspection: boolean
  /** Origins a browser may call the API from; empty: same origin only (no CORS headers). */
  readonly corsOrigins: readonly string[]
  /** Take the client's address from X-Forwarded-For (behind a load balancer). */
  readonly trustProxy: boolean
  /** On SIGTERM, how long in-flight requests may take before their connections are cut. */
  readonly shutdownTimeoutMs: number
  /** Queries run as prepared statements (src/db/prepared-statements.ts); off for old poolers. */
  readonly preparedStatements: boolean
  /**
   * Whether `serve` applies pending migrations itself. By default only on the embedded Postgres:
   * a database others share is migrated by `attest migrate`, once per deploy (docs/operations.md).
   */
  readonly migrateOnStart: boolean
  /** Who may read /metrics; with neither a token nor an address it is not served at all. */
  readonly metrics: MetricsAccess
  /**
   * When true, anyone who may read sees who wrote each revision and its before/after states;
   * by default only editors and admins do (the rest see its operation and time).
   */
  readonly historyPublic: boolean
}

/**
 * /metrics shows the Node version, the pool and every client's operation names: it is never
 * public. It is served on the API's address to a bearer token, or on an address of its own
 * (one that is not published: a private network, a container port left unexposed).
 */
export interface MetricsAccess {
  /** `Authorization: Bearer <token>` opens /metrics (on the API's address, or on `address`). */
  readonly token: string | undefined
  /** Serve /metrics here instead of on the API's address. */
  readonly address: { readonly host: string; readonly port: number } | undefined
}

/** What one request may ask of the service; checked before any SQL runs. */
export interface Limits {
  readonly maxDepth: number
  readonly maxAliases: number
  readonly maxDirectives: number
  /** Lexical tokens in a document (parsing stops past it). */
  readonly maxTokens: number
  /** The most objects and values a request may read, by the description (src/graphql/read/cost.ts). */
  readonly maxCost: number
  /** The most JSON one request may answer (its statements' results, counted before parsing). */
  readonly maxResponseBytes: number
  /** Request body size; with maxTokens it bounds the document's size. */
  readonly maxBodyBytes: number
  /** Postgres statement_timeout on every pooled session. */
  readonly statementTimeoutMs: number
  /** Requests per caller (API key, else client address) per window; 0: no limit. */
  readonly rateLimitRequests: number
  readonly rateLimitWindowSeconds: number
  /** Exports streaming at once; one more is answered 429 with Retry-After. */
  readonly exportConcurrency: number
  /** Events per page of an export: one statement each, under statementTimeoutMs. */
  readonly exportPageRows: number
  /** Subscriptions one WebSocket connection may hold at once. */
  readonly subscriptionsPerConnection: number
  /** Subscriptions one caller (API key, else client address) may hold at once on an instance. */
  readonly subscriptionsPerKey: number
  /** A WebSocket connection with no subscription is closed after this long. */
  readonly subscriptionIdleSeconds: number
  /** A WebSocket connection whose client has read no waiting message for this long is closed. */
  readonly subscriptionStallSeconds: number
}

/** A configuration value that is present but wrong; the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

type Env = Readonly<Record<string, string | undefined>>

/**
 * Reads the environment once into a frozen, validated Config. Nothing else reads process.env:
 * a bad value stops start-up here with a message naming the variable.
 */
export function loadConfig(env: Env = process.env): Config {
  const databaseUrl = optional(env, 'DATABASE_URL', parseDatabaseUrl)
  const databaseReadUrl = optional(env, 'DATABASE_READ_URL', parseDatabaseUrl)
  if (databaseReadUrl && !databaseUrl)
    throw new ConfigError('DATABASE_READ_URL is invalid: it needs DATABASE_URL, its primary')
  return Object.freeze({
    databaseUrl,
    databaseReadUrl,
    host: optional(env, 'HOST', parseHost) ?? '127.0.0.1',
    port: optional(env, 'PORT', parsePort) ?? 4000,
    dataDir: optional(env, 'DATA_DIR', parseDataDir) ?? path.join(projectRoot, '.data'),
    demoData: optional(env, 'DEMO_DATA', oneOf(demoSets)) ?? 'all',
    logLevel: optional(env, 'LOG_LEVEL', oneOf(logLevels)) ?? 'info',
    logFormat: optional(env, 'LOG_FORMAT', oneOf(logFormats)) ?? 'auto',
    readRequiresKey: optional(env, 'READ_REQUIRES_KEY', parseBoolean) ?? false,
    limits: Object.freeze({
      maxDepth: optional(env, 'MAX_DEPTH', parsePositiveInteger) ?? 15,
      maxAliases: optional(env, 'MAX_ALIASES', parsePositiveInteger) ?? 30,
      maxDirectives: optional(env, 'MAX_DIRECTIVES', parsePositiveInteger) ?? 50,
      maxTokens: optional(env, 'MAX_TOKENS', parsePositiveInteger) ?? 5000,
      maxCost: optional(env, 'MAX_COST', parsePositiveInteger) ?? 50_000,
      maxResponseBytes: optional(env, 'MAX_RESPONSE_BYTES', parsePositiveInteger) ?? 5_000_000,
      maxBodyBytes: optional(env, 'MAX_BODY_BYTES', parsePositiveInteger) ?? 100_000,
      statementTimeoutMs: optional(env, 'STATEMENT_TIMEOUT_MS', parsePositiveInteger) ?? 10_000,
      rateLimitRequests: optional(env, 'RATE_LIMIT_REQUESTS', parseCount) ?? 600,
      rateLimitWindowSeconds:
        optional(env, 'RATE_LIMIT_WINDOW_SECONDS', parsePositiveInteger) ?? 60,
      exportConcurrency: optional(env, 'EXPORT_CONCURRENCY', parsePositiveInteger) ?? 4,
      exportPageRows: optional(env, 'EXPORT_PAGE_ROWS', parsePositiveInteger) ?? 1000,
      subscriptionsPerConnection:
        optional(env, 'SUBSCRIPTIONS_PER_CONNECTION', parsePositiveInteger) ?? 20,
      subscriptionsPerKey: optional(env, 'SUBSCRIPTIONS_PER_KEY', parsePositiveInteger) ?? 100,
      subscriptionIdleSeconds:
        optional(env, 'SUBSCRIPTION_IDLE_SECONDS', parsePositiveInteger) ?? 60,
      subscriptionStallSeconds:
        optional(env, 'SUBSCRIPTION_STALL_SECONDS', parsePositiveInteger) ?? 30,
    }),
    introspection: optional(env, 'INTROSPECTION', parseBoolean) ?? true,
    corsOrigins: Object.freeze(optional(env, 'CORS_ORIGINS', parseOrigins) ?? []),
    trustProxy: optional(env, 'TRUST_PROXY', parseBoolean) ?? false,
    shutdownTimeoutMs: optional(env, 'SHUTDOWN_TIMEOUT_MS', parsePositiveInteger) ?? 10_000,
    preparedStatements: optional(env, 'PREPARED_STATEMENTS', parseBoolean) ?? true,
    migrateOnStart: optional(env, 'MIGRATE_ON_START', parseBoolean) ?? databaseUrl === undefined,
    metrics: Object.freeze({
      token: optional(env, 'METRICS_TOKEN', parseToken),
      address: optional(env, 'METRICS_ADDRESS', parseAddress),
    }),
    historyPublic: optional(env, 'HISTORY_PUBLIC', parseBoolean) ?? false,
  })
}

function optional<T>(env: Env, name: string, parse: (value: string) => T): T | undefined {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return undefined
  try {
    return parse(raw.trim())
  } catch (error) {
    throw new ConfigError(`${name} is invalid: ${(error as Error).message}`)
  }
}

function parseDatabaseUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Error('expected a URL such as postgres://user@127.0.0.1:5432/attest')
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`expected a postgres:// or postgresql:// URL, got ${url.protocol}//`)
  }
  return value
}

function parsePort(value: string): number {
  const port = Number(value)
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw new Error(`expected a TCP port from 1 to 65535, got "${value}"`)
  }
  return port
}

function parseHost(value: string): string {
  if (/\s|\/|:\/\//.test(value))
    throw new Error(`expected a host name or IP address, got "${value}"`)
  return value
}

/** A secret long enough not to be guessed; sent as a bearer token, so no spaces. */
function parseToken(value: string): string {
  if (value.length < 16 || /\s/.test(value))
    throw new Error('expected at least 16 characters and no spaces (e.g. openssl rand -hex 24)')
  return value
}

/** host:port, with an IPv6 host in brackets: 127.0.0.1:9464, [::1]:9464. */
function parseAddress(value: string): { host: string; port: number } {
  const parts = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(value)
  if (!parts)
    throw new Error(`expected host:port such as 127.0.0.1:9464 or [::1]:9464, got "${value}"`)
  return { host: parseHost(parts[1] ?? (parts[2] as string)), port: parsePort(parts[3] as string) }
}

/** A directory, or a path where one can be made; not a file. */
function parseDataDir(value: string): string {
  const resolved = path.resolve(value)
  if (existsSync(resolved) && !statSync(resolved).isDirectory())
    throw new Error(`expected a directory, but ${resolved} is a file`)
  return resolved
}

/** A parser for one of a few words, in any case. */
function oneOf<T extends string>(words: readonly T[]): (value: string) => T {
  return (value) => {
    const word = value.toLowerCase()
    if (!(words as readonly string[]).includes(word))
      throw new Error(`expected one of ${words.join(', ')}, got "${value}"`)
    return word as T
  }
}

function parseCount(value: string): number {
  const number = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number))
    throw new Error(`expected a whole number, 0 or more, got "${value}"`)
  return number
}

function parsePositiveInteger(value: string): number {
  const number = parseCount(value)
  if (number < 1) throw new Error(`expected a whole number, 1 or more, got "${value}"`)
  return number
}

/** Comma-separated origins such as https://a.example,https://b.example, or * for any. */
function parseOrigins(value: string): string[] {
  const origins = value.split(',').map((origin) => origin.trim())
  for (const origin of origins) {
    if (origin === '*') continue
    let url: URL | undefined
    try {
      url = new URL(origin)
    } catch {}
    if (url?.origin !== origin)
      throw new Error(`expected origins such as https://app.example (no path), got "${origin}"`)
  }
  return origins
}

function parseBoolean(value: string): boolean {
  const lowered = value.toLowerCase()
  if (lowered === 'true' || lowered === '1') return true
  if (lowered === 'false' || lowered === '0') return false
  throw new Error(`expected true or false, got "${value}"`)
}
