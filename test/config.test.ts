import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../src/config.js'
import { projectRoot } from '../src/paths.js'

/** A valid value for every variable the service reads. */
const everyVariable = {
  DATABASE_URL: 'postgresql://attest@db.internal:5432/attest',
  DATABASE_READ_URL: 'postgresql://attest@replica.internal:5432/attest',
  HOST: '0.0.0.0',
  PORT: '8080',
  DATA_DIR: '/var/lib/attest',
  DEMO_DATA: 'Article',
  LOG_LEVEL: 'DEBUG',
  LOG_FORMAT: 'JSON',
  READ_REQUIRES_KEY: 'true',
  MAX_DEPTH: '8',
  MAX_ALIASES: '5',
  MAX_DIRECTIVES: '6',
  MAX_TOKENS: '700',
  MAX_COST: '900',
  MAX_RESPONSE_BYTES: '2000000',
  MAX_BODY_BYTES: '2000',
  STATEMENT_TIMEOUT_MS: '1500',
  RATE_LIMIT_REQUESTS: '0',
  RATE_LIMIT_WINDOW_SECONDS: '10',
  EXPORT_CONCURRENCY: '2',
  EXPORT_PAGE_ROWS: '250',
  SUBSCRIPTIONS_PER_CONNECTION: '5',
  SUBSCRIPTIONS_PER_KEY: '50',
  SUBSCRIPTION_IDLE_SECONDS: '30',
  INTROSPECTION: 'false',
  CORS_ORIGINS: 'https://app.example, http://127.0.0.1:5173',
  TRUST_PROXY: 'true',
  SHUTDOWN_TIMEOUT_MS: '2500',
  PREPARED_STATEMENTS: 'false',
  MIGRATE_ON_START: 'true',
  METRICS_TOKEN: 'a-token-of-24-characters',
  METRICS_ADDRESS: '[::1]:9464',
  HISTORY_PUBLIC: 'true',
}

const aFile = fileURLToPath(import.meta.url)

describe('loadConfig', () => {
  it('defaults to the embedded Postgres, 127.0.0.1:4000, .data/ in the project and info logs', () => {
    expect(loadConfig({})).toEqual({
      databaseUrl: undefined,
      databaseReadUrl: undefined,
      host: '127.0.0.1',
      port: 4000,
      dataDir: path.join(projectRoot, '.data'),
      demoData: 'all',
      logLevel: 'info',
      logFormat: 'auto',
      readRequiresKey: false,
      limits: {
        maxDepth: 15,
        maxAliases: 30,
        maxDirectives: 50,
        maxTokens: 5000,
        maxCost: 50_000,
        maxResponseBytes: 5_000_000,
        maxBodyBytes: 100_000,
        statementTimeoutMs: 10_000,
        rateLimitRequests: 600,
        rateLimitWindowSeconds: 60,
        exportConcurrency: 4,
        exportPageRows: 1000,
        subscriptionsPerConnection: 20,
        subscriptionsPerKey: 100,
        subscriptionIdleSeconds: 60,
        subscriptionStallSeconds: 30,
      },
      introspection: true,
      corsOrigins: [],
      trustProxy: false,
      shutdownTimeoutMs: 10_000,
      preparedStatements: true,
      migrateOnStart: true,
      metrics: { token: undefined, address: undefined },
      historyPublic: false,
    })
  })

  it('migrates on start by default only the embedded Postgres, not a DATABASE_URL', () => {
    expect(loadConfig({}).migrateOnStart).toBe(true)
    expect(loadConfig({ DATABASE_URL: everyVariable.DATABASE_URL }).migrateOnStart).toBe(false)
    expect(loadConfig({ MIGRATE_ON_START: 'false' }).migrateOnStart).toBe(false)
  })

  it('reads every variable and returns a frozen object', () => {
    const config = loadConfig(everyVariable)
    expect(config).toEqual({
      databaseUrl: 'postgresql://attest@db.internal:5432/attest',
      databaseReadUrl: 'postgresql://attest@replica.internal:5432/attest',
      host: '0.0.0.0',
      port: 8080,
      dataDir: '/var/lib/attest',
      demoData: 'article',
      logLevel: 'debug',
      logFormat: 'json',
      readRequiresKey: true,
      limits: {
        maxDepth: 8,
        maxAliases: 5,
        maxDirectives: 6,
        maxTokens: 700,
        maxCost: 900,
        maxResponseBytes: 2_000_000,
        maxBodyBytes: 2000,
        statementTimeoutMs: 1500,
        rateLimitRequests: 0,
        rateLimitWindowSeconds: 10,
        exportConcurrency: 2,
        exportPageRows: 250,
        subscriptionsPerConnection: 5,
        subscriptionsPerKey: 50,
        subscriptionIdleSeconds: 30,
        subscriptionStallSeconds: 30,
      },
      introspection: false,
      corsOrigins: ['https://app.example', 'http://127.0.0.1:5173'],
      trustProxy: true,
      shutdownTimeoutMs: 2500,
      preparedStatements: false,
      migrateOnStart: true,
      metrics: { token: 'a-token-of-24-characters', address: { host: '::1', port: 9464 } },
      historyPublic: true,
    })
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.limits)).toBe(true)
  })

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: ' ' })).toMatchObject({
      databaseUrl: undefined,
      port: 4000,
    })
  })

  const refusals: [string, string, RegExp][] = [
    ['DATABASE_URL', 'not a url', /DATABASE_URL is invalid: expected a URL/],
    [
      'DATABASE_URL',
      'mysql://root@127.0.0.1/attest',
      /DATABASE_URL is invalid: expected a postgres:\/\//,
    ],
    ['PORT', 'abc', /PORT is invalid: expected a TCP port from 1 to 65535, got "abc"/],
    ['PORT', '0', /PORT is invalid/],
    ['PORT', '65536', /PORT is invalid/],
    ['PORT', '80.5', /PORT is invalid/],
    ['HOST', 'http://localhost', /HOST is invalid: expected a host name or IP address/],
    ['LOG_LEVEL', 'verbose', /LOG_LEVEL is invalid: expected one of fatal, error, warn, info/],
    ['DEMO_DATA', 'none', /DEMO_DATA is invalid: expected one of all, article, got "none"/],
    ['LOG_FORMAT', 'xml', /LOG_FORMAT is invalid: expected one of auto, json, pretty, got "xml"/],
    ['READ_REQUIRES_KEY', 'yes', /READ_REQUIRES_KEY is invalid: expected true or false/],
    ['MAX_DEPTH', '0', /MAX_DEPTH is invalid: expected a whole number, 1 or more/],
    ['MAX_COST', '1e3', /MAX_COST is invalid: expected a whole number/],
    ['MAX_RESPONSE_BYTES', '0', /MAX_RESPONSE_BYTES is invalid/],
    ['STATEMENT_TIMEOUT_MS', '-5', /STATEMENT_TIMEOUT_MS is invalid/],
    ['RATE_LIMIT_REQUESTS', 'lots', /RATE_LIMIT_REQUESTS is invalid: expected a whole number, 0/],
    [
      'DATABASE_READ_URL',
      'postgres://replica/attest',
      /DATABASE_READ_URL is invalid: it needs DATABASE_URL/,
    ],
    ['INTROSPECTION', 'maybe', /INTROSPECTION is invalid: expected true or false/],
    ['CORS_ORIGINS', 'https://app.example/path', /CORS_ORIGINS is invalid: expected origins/],
    ['DATA_DIR', aFile, /DATA_DIR is invalid: expected a directory, but .* is a file/],
    ['MAX_ALIASES', 'many', /MAX_ALIASES is invalid: expected a whole number/],
    ['MAX_DIRECTIVES', '0', /MAX_DIRECTIVES is invalid: expected a whole number, 1 or more/],
    ['MAX_TOKENS', '5k', /MAX_TOKENS is invalid: expected a whole number/],
    ['MAX_BODY_BYTES', '1.5', /MAX_BODY_BYTES is invalid: expected a whole number/],
    [
      'EXPORT_CONCURRENCY',
      '0',
      /EXPORT_CONCURRENCY is invalid: expected a whole number, 1 or more/,
    ],
    ['EXPORT_PAGE_ROWS', 'all', /EXPORT_PAGE_ROWS is invalid: expected a whole number/],
    [
      'RATE_LIMIT_WINDOW_SECONDS',
      '0',
      /RATE_LIMIT_WINDOW_SECONDS is invalid: expected a whole number, 1/,
    ],
    ['TRUST_PROXY', 'on', /TRUST_PROXY is invalid: expected true or false/],
    ['SHUTDOWN_TIMEOUT_MS', '10s', /SHUTDOWN_TIMEOUT_MS is invalid: expected a whole number/],
    ['PREPARED_STATEMENTS', 'no', /PREPARED_STATEMENTS is invalid: expected true or false/],
    ['MIGRATE_ON_START', 'always', /MIGRATE_ON_START is invalid: expected true or false/],
    ['METRICS_TOKEN', 'short', /METRICS_TOKEN is invalid: expected at least 16 characters/],
    ['METRICS_ADDRESS', '9464', /METRICS_ADDRESS is invalid: expected host:port/],
    ['METRICS_ADDRESS', '127.0.0.1:0', /METRICS_ADDRESS is invalid: expected a TCP port/],
    ['HISTORY_PUBLIC', 'open', /HISTORY_PUBLIC is invalid: expected true or false/],
    [
      'SUBSCRIPTIONS_PER_CONNECTION',
      '0',
      /SUBSCRIPTIONS_PER_CONNECTION is invalid: expected a whole number, 1 or more/,
    ],
    ['SUBSCRIPTIONS_PER_KEY', 'lots', /SUBSCRIPTIONS_PER_KEY is invalid: expected a whole number/],
    [
      'SUBSCRIPTION_IDLE_SECONDS',
      '1m',
      /SUBSCRIPTION_IDLE_SECONDS is invalid: expected a whole number/,
    ],
  ]

  it.each(refusals)('refuses %s=%s with a message naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError)
    expect(() => loadConfig({ [name]: value })).toThrow(message)
  })

  it('has a refusal test for every variable', () => {
    const tested = new Set(refusals.map(([name]) => name))
    expect(Object.keys(everyVariable).filter((name) => !tested.has(name))).toEqual([])
  })
})
