import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createDatabase } from '../src/db/database.js'
import { loadDemoData } from '../src/demo/load-demo.js'
import {
  exited,
  freePort,
  logs,
  runCli,
  runCliAtTerminal,
  serveAndQuery,
  startCli,
  waitForHttp,
  waitForReady,
} from './support/cli.js'
import { createEmptyDatabase, dropDatabase, uniqueDatabaseName } from './support/postgres-server.js'
import { testDatabaseUrl } from './support/test-database.js'

async function eventCount(url: string): Promise<number> {
  const db = createDatabase(url, { maxConnections: 1 })
  try {
    const { n } = await db
      .selectFrom('event')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    return Number(n)
  } finally {
    await db.destroy()
  }
}

async function tableNames(url: string): Promise<string[]> {
  const db = createDatabase(url, { maxConnections: 1 })
  try {
    return (await db.introspection.getTables()).map((table) => table.name)
  } finally {
    await db.destroy()
  }
}

describe('attest --help', () => {
  it('lists the commands and the environment', async () => {
    const { code, stdout } = await runCli(['--help'])
    expect(code).toBe(0)
    for (const text of ['serve', 'migrate', 'demo', 'DATABASE_URL', 'DATA_DIR', 'PORT'])
      expect(stdout).toContain(text)
  })

  it.each([['serve'], ['migrate'], ['demo', 'load']])('explains %s', async (...command) => {
    const { code, stdout } = await runCli([...command, '--help'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^Usage: attest /)
  })

  it('refuses an unknown command', async () => {
    const { code, stderr } = await runCli(['serv'])
    expect(code).not.toBe(0)
    expect(stderr).toMatch(/unknown command 'serv'/)
  })
})

describe('a bad configuration', () => {
  it.each([
    ['PORT', 'http'],
    ['DATABASE_URL', 'localhost:5432'],
    ['LOG_LEVEL', 'loud'],
    ['HOST', 'http://0.0.0.0'],
  ])('stops %s=%s before anything starts, naming the variable', async (name, value) => {
    const dataDir = path.join(os.tmpdir(), uniqueDatabaseName('attest-no-data'))
    const { code, stderr } = await runCli(['serve'], { [name]: value, DATA_DIR: dataDir })
    expect(code).toBe(2)
    expect(stderr).toContain(`attest: ${name} is invalid`)
    expect(existsSync(dataDir)).toBe(false)
  })

  it('stops a DATA_DIR that is a file, naming the variable', async () => {
    const file = path.join(os.tmpdir(), uniqueDatabaseName('attest-data-file'))
    await writeFile(file, '')
    try {
      const { code, stderr } = await runCli(['serve'], { DATA_DIR: file })
      expect(code).toBe(2)
      expect(stderr).toContain(
        `attest: DATA_DIR is invalid: expected a directory, but ${file} is a file`,
      )
    } finally {
      await rm(file, { force: true })
    }
  })

  it('reports an unreachable database clearly and exits non-zero', async () => {
    const port = await freePort()
    const { code, stderr } = await runCli(['migrate'], {
      DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/none`,
    })
    expect(code).toBe(1)
    expect(stderr).toMatch(/attest: .*ECONNREFUSED/)
  })
})

describe('attest migrate and attest demo load', () => {
  const adminUrl = inject('postgresAdminUrl')
  const name = uniqueDatabaseName('attest_cli')
  afterAll(() => dropDatabase(adminUrl, name))

  it('migrates an empty database, and a second run changes nothing', async () => {
    const url = await createEmptyDatabase(adminUrl, name)
    expect((await runCli(['migrate'], { DATABASE_URL: url })).code).toBe(0)
    const db = createDatabase(url, { maxConnections: 1 })
    try {
      const tables = () =>
        db.introspection.getTables().then((list) => list.map((table) => table.name).sort())
      const before = await tables()
      expect(before).toEqual(
        expect.arrayContaining(['event', 'casualty_figure', 'group_relation', 'import_record']),
      )
      expect((await runCli(['migrate'], { DATABASE_URL: url })).code).toBe(0)
      expect(await tables()).toEqual(before)
    } finally {
      await db.destroy()
    }
  })

  it("loads the article's events (--article-only), then the UCDP events; a third load changes nothing", async () => {
    const env = { DATABASE_URL: testDatabaseUrl() }
    const article = await runCli(['demo', 'load', '--article-only'], env)
    expect(article).toMatchObject({
      code: 0,
      stdout: 'demo data loaded: 4 events from the article\n',
    })
    expect(await eventCount(testDatabaseUrl())).toBe(4)
    const all = await runCli(['demo', 'load'], env)
    expect(all).toMatchObject({ code: 0, stdout: 'demo data loaded: 1,848 from UCDP GED 23.1\n' })
    const again = await runCli(['demo', 'load'], env)
    expect(again).toMatchObject({ code: 0, stdout: 'demo data already loaded: nothing changed\n' })
    expect(await eventCount(testDatabaseUrl())).toBe(1852)
  })
})

describe('stdout is the output, logs go to stderr', () => {
  const adminUrl = inject('postgresAdminUrl')
  const name = uniqueDatabaseName('attest_cli_output')
  let url: string
  beforeAll(async () => {
    url = await createEmptyDatabase(adminUrl, name, inject('templateDatabase'))
    const db = createDatabase(url, { maxConnections: 1 })
    try {
      await loadDemoData(db)
    } finally {
      await db.destroy()
    }
  })
  afterAll(() => dropDatabase(adminUrl, name))
  const info = () => ({ DATABASE_URL: url, LOG_LEVEL: 'info' })

  it('`export --format geojson > x.geojson` is GeoJSON; the logs, JSON lines, went to stderr', async () => {
    const { code, stdout, stderr } = await runCli(['export', '--format', 'geojson'], info())
    expect(code, stderr).toBe(0)
    const geojson = JSON.parse(stdout)
    expect(geojson.type).toBe('FeatureCollection')
    expect(geojson.features).toHaveLength(4)
    // Beside the logs, the export's progress: plain lines (test/progress.test.ts).
    const lines = stderr.trim().split('\n')
    expect(lines.filter((line) => !line.startsWith('{'))).toEqual([
      expect.stringMatching(/^export geojson: 4 of 4 events/),
      expect.stringMatching(/^export geojson: done: 4 events/),
    ])
    const logs = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line))
    expect(logs.map((log) => log.msg)).toContain('database schema is current')
    expect(logs[0]).toMatchObject({ level: 30, service: 'attest' })
  })

  it('`KEY=$(attest apikey create …)` captures the key alone, one line', async () => {
    const { code, stdout, stderr } = await runCli(
      ['apikey', 'create', '--name', 'script', '--role', 'reader'],
      info(),
    )
    expect(code, stderr).toBe(0)
    expect(stdout).toMatch(/^\S+\n$/)
    expect(stderr).toContain('database schema is current')
  })

  it('LOG_FORMAT=pretty writes lines for people: time, level word, message', async () => {
    const { stdout, stderr } = await runCli(['export', '--format', 'csv'], {
      ...info(),
      LOG_FORMAT: 'pretty',
    })
    expect(stdout.split('\n')[0]).toMatch(/^\uFEFF?id,/) // the CSV (with its BOM)
    expect(stderr).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: database schema is current/m)
    expect(stderr).not.toContain('"level"')
  })

  it('at a terminal, logs read as lines for people unless LOG_FORMAT=json', async () => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's colour codes
    const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '')
    const pretty = await runCliAtTerminal(['migrate'], info())
    expect(pretty.code, pretty.output).toBe(0)
    expect(plain(pretty.output)).toMatch(/\] INFO: database schema is current/)
    expect(pretty.output).not.toContain('"level"')
    const json = await runCliAtTerminal(['migrate'], { ...info(), LOG_FORMAT: 'json' })
    expect(json.output).toMatch(/"msg":"database schema is current"/)
  })
})

describe('attest serve', () => {
  const adminUrl = inject('postgresAdminUrl')
  const name = uniqueDatabaseName('attest_serve')
  afterAll(() => dropDatabase(adminUrl, name))

  it('serves on DATABASE_URL, leaves that database without demo data, and stops on SIGTERM', async () => {
    const url = await createEmptyDatabase(adminUrl, name, inject('templateDatabase'))
    const port = await freePort()
    const server = startCli(['serve'], { DATABASE_URL: url, PORT: String(port) })
    try {
      const index = await waitForHttp(`http://127.0.0.1:${port}/`, server)
      expect(index.status).toBe(200)
      expect(await index.json()).toMatchObject({ service: 'attest' })
      await waitForReady(`http://127.0.0.1:${port}`, server)
      expect((await fetch(`http://127.0.0.1:${port}/nowhere`)).status).toBe(404)
      const graphql = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ events { totalCount } }' }),
      })
      expect(await graphql.json()).toEqual({ data: { events: { totalCount: 0 } } })
    } finally {
      server.kill('SIGTERM')
    }
    expect(await exited(server)).toBe(0)
    expect(await eventCount(url)).toBe(0)
  })

  it('refuses a DATABASE_URL that lacks a migration, naming it and `attest migrate`; serves once migrated', async () => {
    const behind = uniqueDatabaseName('attest_behind')
    const url = await createEmptyDatabase(adminUrl, behind)
    try {
      const port = await freePort()
      const refused = startCli(['serve'], { DATABASE_URL: url, PORT: String(port) })
      const log = logs(refused)
      expect(await exited(refused)).toBe(1)
      expect(log()).toMatch(
        /lacks \d+ migration\(s\) this release needs \(0001_extensions_and_helpers, /,
      )
      expect(log()).toContain('run `attest migrate` first')
      expect(await tableNames(url)).toEqual([]) // serve changed nothing

      expect((await runCli(['migrate'], { DATABASE_URL: url })).code).toBe(0)
      expect(await serveAndQuery(url)).toMatchObject({
        answer: { data: { events: { totalCount: 0 } } },
        code: 0,
      })
    } finally {
      await dropDatabase(adminUrl, behind)
    }
  })

  it('starts beside a migration it does not know (a newer release applied it), warning with its name', async () => {
    const ahead = uniqueDatabaseName('attest_ahead')
    const url = await createEmptyDatabase(adminUrl, ahead, inject('templateDatabase'))
    try {
      const db = createDatabase(url, { maxConnections: 1 })
      await sql`INSERT INTO kysely_migration VALUES ('9999_from_a_newer_release', now()::text)`.execute(
        db,
      )
      await db.destroy()
      const { answer, code, log } = await serveAndQuery(url)
      expect(answer).toEqual({ data: { events: { totalCount: 0 } } })
      expect(code).toBe(0)
      const warning = log.split('\n').find((line) => line.includes('does not know'))
      expect(JSON.parse(warning ?? '{}')).toMatchObject({
        level: 40,
        unknown: ['9999_from_a_newer_release'],
      })
    } finally {
      await dropDatabase(adminUrl, ahead)
    }
  })

  it('with no DATABASE_URL starts an embedded Postgres with the demo data (the article and UCDP), stops it on Ctrl-C (SIGINT) or SIGTERM, and reuses it', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'attest-cli-embedded-'))
    await chmod(dataDir, 0o755)
    try {
      for (const run of [1, 2]) {
        const port = await freePort()
        const server = startCli(['serve'], {
          DATA_DIR: dataDir,
          PORT: String(port),
          LOG_LEVEL: 'info',
        })
        let log = ''
        server.stderr?.on('data', (chunk) => {
          log += chunk
        })
        try {
          await waitForReady(`http://127.0.0.1:${port}`, server)
          const graphql = await fetch(`http://127.0.0.1:${port}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: '{ events { totalCount } }' }),
          })
          expect(await graphql.json()).toEqual({ data: { events: { totalCount: 1852 } } })
        } finally {
          server.kill(run === 1 ? 'SIGINT' : 'SIGTERM')
        }
        expect(await exited(server)).toBe(0)
        expect(log.includes('demo data loaded')).toBe(run === 1)
        const clusterDir = JSON.parse(
          log.split('\n').find((line) => line.includes('clusterDir')) ?? '{}',
        ).clusterDir
        expect(clusterDir).toBeTruthy()
        // Postgres is stopped: its pid file is gone and no process runs on the cluster.
        expect(existsSync(path.join(clusterDir, 'postmaster.pid'))).toBe(false)
        expect(() => execFileSync('pgrep', ['-f', clusterDir])).toThrow()
      }
      expect(await readFile(path.join(dataDir, 'postgres-password'), 'utf8')).toMatch(/\S/)
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
