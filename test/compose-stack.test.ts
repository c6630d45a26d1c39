import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { projectRoot } from '../src/paths.js'
import { freePort } from './support/cli.js'
import { readmeExamples } from './support/readme-examples.js'

// docker-compose.yml run for real: up, migrated, ready, the API's examples answered over the
// published port, its data kept across a restart of Postgres, down. It needs an engine and
// images (the service's, and Postgres: pulled or built), so it runs only when asked:
// `npm run test:containers` (containers/test.sh) sets ATTEST_COMPOSE_TEST.
const run = promisify(execFile)
const project = `attest-compose-test-${process.pid}`
let origin = ''
let composeEnv: NodeJS.ProcessEnv = {}

/** Compose v2 (`docker compose`) where the plugin is there, else the standalone docker-compose. */
async function composeCommand(): Promise<string[]> {
  const plugin = await run('docker', ['compose', 'version']).then(
    () => true,
    () => false,
  )
  return plugin ? ['docker', 'compose'] : ['docker-compose']
}

let command: string[] = []
async function compose(...args: string[]): Promise<string> {
  const [file, ...base] = command as [string, ...string[]]
  const { stdout } = await run(file, [...base, '--project-name', project, ...args], {
    cwd: projectRoot,
    env: composeEnv,
    timeout: 300_000,
    maxBuffer: 16 * 1024 * 1024,
  })
  return stdout
}

async function status(path: string): Promise<number> {
  return fetch(`${origin}${path}`).then(
    (response) => response.status,
    () => 0,
  )
}

async function graphql(query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  })
  return (await response.json()) as { data?: unknown; errors?: unknown[] }
}

/** Polls until the service says it is ready (expect.poll is for inside a test only). */
async function ready(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while ((await status('/readyz')) !== 200) {
    if (Date.now() > deadline) throw new Error(`${origin}/readyz did not answer 200 in time`)
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
}

describe.runIf(process.env.ATTEST_COMPOSE_TEST === '1')('docker compose up', () => {
  beforeAll(async () => {
    command = await composeCommand()
    const port = await freePort()
    origin = `http://127.0.0.1:${port}`
    // The images the run prepared (pulled or built here) rather than a build of its own.
    composeEnv = { ...process.env, ATTEST_PORT: String(port) }
    const prebuilt = process.env.ATTEST_SERVICE_IMAGE ? ['--no-build'] : []
    await compose('up', '--detach', ...prebuilt)
    await ready(120_000)
  }, 600_000)

  afterAll(async () => {
    if (command.length > 0)
      await compose('down', '--volumes', '--remove-orphans', '--timeout', '10')
  }, 120_000)

  it('migrated the database once, before the service started', async () => {
    const migrate = await compose('ps', '--all', '--quiet', 'migrate').catch(() =>
      compose('ps', '--quiet', 'migrate'),
    )
    const id = migrate.trim()
    expect(id).not.toBe('')
    const { stdout } = await run('docker', ['inspect', '--format', '{{.State.ExitCode}}', id], {
      env: composeEnv,
    })
    expect(stdout.trim()).toBe('0')
    expect(await status('/healthz')).toBe(200)
  })

  it('answers the API’s examples as docs/api.md shows them, once the demo data is loaded', async () => {
    // `attest demo load` in the running service's container, as an operator would: the
    // article's events, those the examples' results show.
    await compose(
      'exec',
      '-T',
      'attest',
      'node',
      'dist/cli/main.js',
      'demo',
      'load',
      '--article-only',
    )
    for (const example of await readmeExamples()) {
      expect(await graphql(example.query, example.variables), example.title).toEqual(example.result)
    }
  }, 300_000)

  it('keeps its data when Postgres restarts', async () => {
    const before = await graphql('{ events(first: 1) { totalCount } }')
    expect(before).toEqual({ data: { events: { totalCount: 4 } } })
    await compose('restart', 'postgres')
    // The service reconnects by itself; until then it says it is not ready.
    await ready(120_000)
    await expect
      .poll(() => graphql('{ events(first: 1) { totalCount } }'), { timeout: 60_000 })
      .toEqual(before)
  }, 300_000)
})
