import { execFile } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { appendFile, chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { freePort } from './cli.js'

const execFileAsync = promisify(execFile)

/**
 * A throwaway Postgres cluster of the machine's own Postgres (/usr/lib/postgresql/N/bin), on a
 * free loopback port, that a test stops and starts at will, or a streaming replica of one. Run
 * as the `postgres` user when we are root (Postgres refuses root). Trust authentication: it
 * listens on 127.0.0.1 only, and lives as long as the test.
 */
export interface PostgresCluster {
  readonly port: number
  readonly running: boolean
  url(database?: string): string
  start(): Promise<void>
  /** `immediate` is a crash: no checkpoint, recovery from the WAL at the next start. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>
  /** Stops it if it runs, and deletes its files. */
  remove(): Promise<void>
}

export async function createCluster(): Promise<PostgresCluster> {
  const cluster = await newCluster()
  await cluster.run('initdb', [
    '-D',
    cluster.dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C',
  ])
  await cluster.configure()
  return cluster.handle
}

/** A hot standby of `primary` (which must be running), streaming its WAL, read-only. */
export async function createReplica(primary: PostgresCluster): Promise<PostgresCluster> {
  const cluster = await newCluster()
  await cluster.run('pg_basebackup', [
    ...['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres'],
    ...['-D', cluster.dataDir, '-R', '-X', 'stream', '-c', 'fast'],
  ])
  await cluster.configure()
  return cluster.handle
}

function binDir(): string {
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((version) => existsSync(path.join(root, version, 'bin', 'pg_basebackup')))
        .sort((a, b) => Number(b) - Number(a))
    : []
  if (!versions[0]) throw new Error(`these tests need a Postgres server package under ${root}`)
  return path.join(root, versions[0], 'bin')
}

async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined
  const id = async (flag: string) => Number((await execFileAsync('id', [flag, 'postgres'])).stdout)
  return { uid: await id('-u'), gid: await id('-g') }
}

async function newCluster() {
  const bin = binDir()
  const runAs = await postgresUser()
  const root = await mkdtemp(path.join(os.tmpdir(), 'attest-cluster-'))
  await chmod(root, 0o755)
  const dataDir = path.join(root, 'data')
  await mkdir(dataDir, { mode: 0o700 })
  if (runAs) {
    await chown(root, runAs.uid, runAs.gid) // for the server log beside the data
    await chown(dataDir, runAs.uid, runAs.gid)
  }
  const port = await freePort()
  const run = async (command: string, args: string[]) => {
    try {
      await execFileAsync(path.join(bin, command), args, { ...runAs, cwd: '/' })
    } catch (error) {
      const { stderr, message } = error as { stderr?: string; message: string }
      throw new Error(`${command} failed: ${stderr?.trim() || message}`)
    }
  }
  const pgCtl = (args: string[]) => run('pg_ctl', ['-D', dataDir, ...args])
  let running = false
  const handle: PostgresCluster = {
    port,
    get running() {
      return running
    },
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      await pgCtl(['start', '-w', '-t', '60', '-l', path.join(root, 'server.log')])
      running = true
    },
    async stop(mode = 'fast') {
      await pgCtl(['stop', '-w', '-t', '60', '-m', mode])
      running = false
    },
    async remove() {
      if (running) await handle.stop('immediate').catch(() => {})
      await rm(root, { recursive: true, force: true })
    },
  }
  return {
    dataDir,
    run,
    handle,
    // Loopback only, its own port, no Unix socket (it could collide with the system's).
    configure: () =>
      appendFile(
        path.join(dataDir, 'postgresql.conf'),
        `\nlisten_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = ''\n`,
      ),
  }
}
