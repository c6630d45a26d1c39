import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import path from 'node:path'
import { projectRoot } from '../../src/paths.js'

// Node itself runs the CLI (tsx as a loader, not as a wrapper process), so a signal sent to the
// child reaches the program under test. `root` is a checkout: this one, or an older release's
// (test/rollback.test.ts).
const nodeArgs = (root: string) => ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts')]

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
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  root = projectRoot,
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...nodeArgs(root), ...args],
      { env: environment(env), timeout: 60_000, cwd: root },
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
  const command = [process.execPath, ...nodeArgs(projectRoot), ...args].map(quote).join(' ')
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
export function startCli(
  args: string[],
  env: Record<string, string> = {},
  root = projectRoot,
): ChildProcess {
  return spawn(process.execPath, [...nodeArgs(root), ...args], {
    env: environment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: root,
  })
}

/**
 * What a child process has logged so far: its JSON log lines and error messages, on stderr (and
 * on stdout for a release from before logs moved off it, which test/rollback.test.ts runs).
 */
export function logs(child: ChildProcess): () => string {
  let text = ''
  const append = (chunk: Buffer) => {
    text += chunk
  }
  child.stderr?.on('data', append)
  child.stdout?.on('data', append)
  return () => text
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

/** POSTs a GraphQL query to the server on 127.0.0.1:port; its parsed answer. */
export async function queryAt(port: number, query: string): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  })
  return response.json()
}

/**
 * `attest serve` (of the checkout at `root`) on `url` until it is ready; the answer to a
 * count of events, then SIGTERM: how it exited and what it logged.
 */
export async function serveAndQuery(url: string, root = projectRoot) {
  const port = await freePort()
  const server = startCli(['serve'], { DATABASE_URL: url, PORT: String(port) }, root)
  const log = logs(server)
  try {
    await waitForReady(`http://127.0.0.1:${port}`, server)
    const answer = await queryAt(port, '{ events { totalCount } }')
    server.kill('SIGTERM')
    return { answer, code: await exited(server), log: log() }
  } catch (error) {
    server.kill('SIGKILL')
    throw new Error(`${(error as Error).message}; its log:\n${log()}`, { cause: error })
  }
}
