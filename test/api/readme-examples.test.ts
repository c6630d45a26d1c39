import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { Client, fetchExchange } from '@urql/core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.js'
import { loadDemoData } from '../../src/demo/load-demo.js'
import { projectRoot } from '../../src/paths.js'
import { startApi, type TestApi } from '../support/api.js'
import { type ReadmeExample, readmeExamples } from '../support/readme-examples.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

async function examplesWithResults() {
  const examples = await readmeExamples()
  for (const example of examples) {
    if (!example.result) throw new Error(`README example "${example.title}" lacks a result`)
  }
  return examples as (ReadmeExample & { result: { data: unknown } })[]
}

let api: TestApi
let client: Client
beforeAll(async () => {
  // The README's results (and the ids in them) are those of a fresh database with the demo data.
  await loadDemoData(testDb())
  api = await startApi(testDatabaseUrl())
  client = new Client({
    url: api.url,
    exchanges: [fetchExchange],
    requestPolicy: 'network-only',
  })
})
afterAll(() => api.stop())

const examples = await examplesWithResults()

it('the README has its examples', () => {
  expect(examples.map((example) => example.title)).toHaveLength(8)
})

it.each(examples.map((example) => [example.title, example]))(
  'README example %s returns what the README shows',
  async (_, example) => {
    const { data, error } = await client.query(example.query, example.variables ?? {}).toPromise()
    expect(error).toBeUndefined()
    expect(data).toEqual(example.result.data)
  },
)

it('the README’s first edit does what it shows, with an editor key', async () => {
  const guide = await readFile(path.join(projectRoot, 'docs', 'api.md'), 'utf8')
  const section = guide.slice(guide.indexOf('## Editing'))
  const request = /--data @- <<'JSON'\n([\s\S]*?)\nJSON/.exec(section)?.[1] as string
  const shown = /```json\n([\s\S]*?)\n```/.exec(section)?.[1] as string
  // The examples above run first and only read: the raid is still at version 1.
  const { key } = await createApiKey(testDb(), 'newsroom desk', 'editor')
  const { query, variables } = JSON.parse(request)
  expect(await api.query(query, variables, key)).toEqual(JSON.parse(shown))
})
