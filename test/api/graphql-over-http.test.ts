import { serverAudits } from 'graphql-http'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startApi, type TestApi } from '../support/api.js'
import { testDatabaseUrl } from '../support/test-database.js'

let api: TestApi
beforeAll(async () => {
  api = await startApi(testDatabaseUrl())
})
afterAll(() => api.stop())

// The SHOULDs we knowingly do not meet; the README's "GraphQL over HTTP" says why.
const knownShouldWarnings = [
  'SHOULD use 200 status code on document parsing failure when accepting application/json',
  'SHOULD use 200 status code on document validation failure when accepting application/json',
  'SHOULD use a status code of 200 on variable coercion failure when accepting application/json',
]

it('passes every MUST of the GraphQL-over-HTTP audit, and every SHOULD but the documented ones', async () => {
  const results = await Promise.all(serverAudits({ url: () => api.url }).map((audit) => audit.fn()))
  const failed = (level: string) =>
    results
      .filter((result) => result.name.startsWith(level))
      .flatMap((result) => (result.status === 'ok' ? [] : [`${result.name}: ${result.reason}`]))
  expect(results.length).toBeGreaterThan(50)
  expect(failed('MUST')).toEqual([])
  expect(failed('SHOULD')).toEqual(
    knownShouldWarnings.map((name) => `${name}: Response status code is not 200`),
  )
})
