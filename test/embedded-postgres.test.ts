import { execFile, execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, chown, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type EmbeddedPostgres,
  packagedBinaries,
  startEmbeddedPostgres,
} from '../src/db/embedded-postgres.js'
import { projectRoot } from '../src/paths.js'

const asRoot = process.getuid?.() === 0
const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A directory the postgres user may enter (mkdtemp makes it 0700). */
async function tempDir(mode = 0o755): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'attest-embedded-test-'))
  await chmod(dir, mode)
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

async function started(
  options: Parameters<typeof startEmbeddedPostgres>[0],
): Promise<EmbeddedPostgres> {
  const embedded = await startEmbeddedPostgres(options)
  cleanups.push(async () => {
    await embedded.stop()
    if (!embedded.clusterDir.startsWith(options.dataDir))
      await rm(embedded.clusterDir, { recursive: true, force: true })
  })
  return embedded
}

async function query(url: string, text: string): Promise<unknown[]> {
  const client = new pg.Client(url)
  await client.connect()
  try {
    return (await client.query(text)).rows
  } finally {
    await client.end()
  }
}

describe('the embedded Postgres', () => {
  it('creates a cluster that listens on 127.0.0.1 only, with a password, and keeps data across restarts', async () => {
    const dataDir = await tempDir()
    const first = await startEmbeddedPostgres({ dataDir })
    expect(first.created).toBe(true)
    expect(first.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/postgres$/)
    await query(
      first.url,
      'CREATE TABLE kept (value text); INSERT INTO kept VALUES ($$still here$$)',
    )
    expect(await query(first.url, "SELECT current_setting('listen_addresses') AS listen")).toEqual([
      { listen: '127.0.0.1' },
    ])
    const wrongPassword = first.url.replace(/:[^:@]+@/, ':wrong@')
    await expect(query(wrongPassword, 'SELECT 1')).rejects.toThrow(/password authentication failed/)
    await first.stop()

    const second = await started({ dataDir })
    expect(second.created).toBe(false)
    expect(await query(second.url, 'SELECT value FROM kept')).toEqual([{ value: 'still here' }])
  })

  it('reuses a server left running by a run that was killed before it could stop it', async () => {
    const dataDir = await tempDir()
    const messages: string[] = []
    const orphan = await startEmbeddedPostgres({ dataDir }) // never stopped, as after SIGKILL
    const next = await started({ dataDir, log: (message) => messages.push(message) })
    expect(next.url).toBe(orphan.url)
    expect(messages.join('\n')).toMatch(/reusing the Postgres left running/)
    expect(await query(next.url, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }])
  })

  it('starts despite a stale postmaster.pid left by a crashed server', async () => {
    const dataDir = await tempDir()
    const first = await startEmbeddedPostgres({ dataDir })
    await first.stop()
    const pidFile = path.join(first.clusterDir, 'postmaster.pid')
    // The format of a real lock file, naming a process that no longer exists.
    await writeFile(
      pidFile,
      `999999\n${first.clusterDir}\n1700000000\n5432\n\n127.0.0.1\n  5432001         0\nready   \n`,
    )
    const second = await started({ dataDir })
    expect(await query(second.url, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }])
    expect((await readFile(pidFile, 'utf8')).startsWith('999999\n')).toBe(false)
  })

  it('says what to do when the cluster exists but its password file is gone', async () => {
    const dataDir = await tempDir()
    await (await startEmbeddedPostgres({ dataDir })).stop()
    await rm(path.join(dataDir, 'postgres-password'))
    await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(
      /password file .* is missing; delete the cluster/,
    )
  })

  // A checkout inside a folder the postgres user cannot enter (a 0700 temporary folder, as a
  // fresh-clone check makes) cannot be run as that user: the test needs one it can read.
  it.runIf(asRoot && postgresUserReads(path.join(projectRoot, 'node_modules', 'tsx')))(
    'as a normal user (here the postgres user), runs Postgres as that user with no help',
    async () => {
      const dataDir = await tempDir()
      const [uid, gid] = ['-u', '-g'].map((flag) =>
        Number(execFileSync('id', [flag, 'postgres']).toString().trim()),
      )
      await chown(dataDir, uid as number, gid as number)
      // A child process of that user starts, queries and stops it, as `attest` would.
      const script = `
        import pg from 'pg'
        import { startEmbeddedPostgres } from './src/db/embedded-postgres.ts'
        const embedded = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)} })
        const client = new pg.Client(embedded.url)
        await client.connect()
        const { rows } = await client.query('SELECT current_user AS user, inet_server_addr()::text AS address')
        await client.end()
        await embedded.stop()
        console.log(JSON.stringify({ clusterDir: embedded.clusterDir, ...rows[0] }))`
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        { uid, gid, cwd: projectRoot, env: { ...process.env, HOME: os.tmpdir() } },
      )
      expect(JSON.parse(stdout)).toEqual({
        clusterDir: path.join(dataDir, 'postgres'),
        user: 'postgres',
        address: '127.0.0.1/32',
      })
      expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false)
    },
  )

  it.runIf(asRoot)(
    'as root, keeps the cluster elsewhere when the postgres user cannot enter DATA_DIR',
    async () => {
      const closed = await tempDir(0o700)
      const dataDir = path.join(closed, 'data')
      const first = await started({ dataDir })
      expect(first.clusterDir.startsWith(dataDir)).toBe(false)
      await query(first.url, 'CREATE TABLE kept (value int)')
      await first.stop()
      const second = await started({ dataDir })
      expect(second.clusterDir).toBe(first.clusterDir)
      expect(await query(second.url, 'SELECT count(*)::int AS n FROM kept')).toEqual([{ n: 0 }])
    },
  )

  it.runIf(asRoot)(
    'as root, copies the binaries when the postgres user cannot reach them',
    async () => {
      const packaged = await packagedBinaries()
      const closed = await tempDir(0o700)
      await cp(path.resolve(path.dirname(packaged.postgres), '..'), path.join(closed, 'native'), {
        recursive: true,
        verbatimSymlinks: true,
      })
      const binaries = {
        initdb: path.join(closed, 'native/bin/initdb'),
        pg_ctl: path.join(closed, 'native/bin/pg_ctl'),
        postgres: path.join(closed, 'native/bin/postgres'),
      }
      const messages: string[] = []
      const embedded = await started({
        dataDir: await tempDir(),
        binaries,
        log: (message) => messages.push(message),
      })
      const copiedTo = messages.join('\n').match(/copying the Postgres binaries to (\S+)/)?.[1]
      expect(copiedTo).toBeDefined()
      cleanups.unshift(() => rm(copiedTo ?? '', { recursive: true, force: true }))
      expect(await query(embedded.url, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }])
    },
  )
})

/** Whether the machine's postgres user can read a path (false when any folder above is closed). */
function postgresUserReads(target: string): boolean {
  try {
    const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'])))
    execFileSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(target)})`], {
      uid,
      gid,
      cwd: '/',
      stdio: 'ignore',
    })
    return true
  } catch {
    return false
  }
}
