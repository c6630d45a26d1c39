import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import path from 'node:path'
import { projectRoot } from '../../src/paths.js'

const cli = path.join(projectRoot, 'src', 'cli', 'main.ts')
// Node itself runs the CLI (tsx as a loader, not as a wrapper process), so a signal sent to the
// child reaches the program under test.
const node = [process.execPath, ['--import', 'tsx', cli]] as const

/** The environment a user would have: none of the service's variables unless given. */
function environment(env: Record<string, string>): NodeJS.ProcessEnv {
  const { DATABASE_URL, TEST_DATABASE_URL, PORT, HOST, DATA_DIR, LOG_LEVEL, ...rest } = process.env
  return { ...rest, LOG_LEVEL: 'warn', ...env }
}

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `attest ARGS` (from source, through tsx) to completion. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      node[0],
      [...node[1], ...args],
      { env: environment(env), timeout: 60_000, cwd: projectRoot },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr })
      },
    )
  })
}

/**
 * Runs `attest ARGS` at a terminal, as a person would: util-linux's `script` gives it a
 * pseudo-terminal, so stdout and stderr are TTYs (and arrive together, as `output`).
 */
export function runCliAtTerminal(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ readonly code: number | null; readonly output: string }> {
  const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`
  const command = [node[0], ...node[1], ...args].map(quote).join(' ')
  return new Promise((resolve) => {
    execFile(
      'script',
      ['--quiet', '--return', '--command', command, '/dev/null'],
      { env: environment(env), timeout: 60_000, cwd: projectRoot },
      (error, stdout) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, output: stdout })
      },
    )
  })
}

/** Starts `attest ARGS` in the background; the caller signals and awaits it. */
export function startCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(node[0], [...node[1], ...args], {
    env: environment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: projectRoot,
  })
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Polls url until it answers (any status) or the deadline passes. */
export async function waitForHttp(
  url: string,
  child: ChildProcess,
  timeoutMs = 60_000,
): Promise<Response> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the server exited with ${child.exitCode} before answering`)
    try {
      return await fetch(url)
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  throw new Error(`nothing answered at ${url}`)
}

/** Polls baseUrl/readyz until it says ready (HTTP 200) or the deadline passes. */
export async function waitForReady(
  baseUrl: string,
  child: ChildProcess,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if ((await waitForHttp(`${baseUrl}/readyz`, child, timeoutMs)).status === 200) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`${baseUrl} did not become ready`)
}
