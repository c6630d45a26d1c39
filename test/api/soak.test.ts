import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { loadDemoData } from '../../src/demo/load-demo.js'
import { projectRoot } from '../../src/paths.js'
import { startApi, type TestApi } from '../support/api.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

// A bounded soak: a fixed number of requests over loopback (the README's examples, round and
// round, several at a time), then it stops. It asserts behaviour, not speed: every answer is
// right, and the heap after is not larger than after the warm-up by more than a small margin.

let api: TestApi
let queries: string[]
beforeAll(async () => {
  await loadDemoData(testDb())
  api = await startApi(testDatabaseUrl(), undefined, { inProcess: true }) // weighs its heap
  const guide = await readFile(path.join(projectRoot, 'docs', 'api.md'), 'utf8')
  const examples = guide.slice(0, guide.indexOf('### Conventions'))
  // The examples that need no variables.
  queries = [...examples.matchAll(/```graphql\n([\s\S]*?)\n```/g)]
    .map((match) => match[1] as string)
    .filter((query) => !query.includes('$'))
})
afterAll(() => api.stop())

setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

/** The heap in use after a full collection (less the test's own record of SQL statements). */
function settledHeap(): number {
  api.resetStatements()
  collectGarbage()
  collectGarbage()
  return process.memoryUsage().heapUsed
}

async function run(requests: number, concurrency: number): Promise<number> {
  let next = 0
  let errors = 0
  const worker = async () => {
    while (next < requests) {
      const query = queries[next++ % queries.length] as string
      const response = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      })
      const body = (await response.json()) as { data?: unknown; errors?: unknown[] }
      if (response.status !== 200 || body.errors || !body.data) errors++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return errors
}

it('answers 3,500 requests without an error, and its heap stays flat', async () => {
  expect(queries.length).toBeGreaterThanOrEqual(4)
  // Warm-up: JIT, pools and caches fill, metrics get their series.
  expect(await run(1500, 8)).toBe(0)
  const before = settledHeap()
  expect(await run(2000, 8)).toBe(0)
  const growth = settledHeap() - before
  // A leak of even 1 kB per request would be 2 MB here.
  expect(growth).toBeLessThan(2 * 1024 * 1024)
}, 300_000)
