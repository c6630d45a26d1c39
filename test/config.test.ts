import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../src/config.js'
import { projectRoot } from '../src/paths.js'

describe('loadConfig', () => {
  it('defaults to the embedded Postgres, 127.0.0.1:4000, .data/ in the project and info logs', () => {
    expect(loadConfig({})).toEqual({
      databaseUrl: undefined,
      host: '127.0.0.1',
      port: 4000,
      dataDir: path.join(projectRoot, '.data'),
      logLevel: 'info',
      readRequiresKey: false,
    })
  })

  it('reads every variable and returns a frozen object', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://attest@db.internal:5432/attest',
      HOST: '0.0.0.0',
      PORT: '8080',
      DATA_DIR: '/var/lib/attest',
      LOG_LEVEL: 'DEBUG',
      READ_REQUIRES_KEY: 'true',
    })
    expect(config).toEqual({
      databaseUrl: 'postgresql://attest@db.internal:5432/attest',
      host: '0.0.0.0',
      port: 8080,
      dataDir: '/var/lib/attest',
      logLevel: 'debug',
      readRequiresKey: true,
    })
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: ' ' })).toMatchObject({
      databaseUrl: undefined,
      port: 4000,
    })
  })

  it.each([
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
    ['READ_REQUIRES_KEY', 'yes', /READ_REQUIRES_KEY is invalid: expected true or false/],
  ])('refuses %s=%s with a message naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError)
    expect(() => loadConfig({ [name]: value })).toThrow(message)
  })
})
