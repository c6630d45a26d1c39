import { createRequire } from 'node:module'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // graphql@16 has no "exports": Node loads its CommonJS main, Vite would pick its ESM
    // "module" build for our sources. Two copies break `instanceof` between our code and
    // @graphql-tools/Apollo; resolve ours to the copy Node loads, as in production.
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Gives every test file its own fresh, migrated database (see test/support/test-database.ts).
    setupFiles: ['test/setup-database.ts'],
    testTimeout: 30_000,
    // expect.poll waits for a page or a replica to catch up; its default second is too short
    // on a loaded 2-core machine (the browser tests page through 1,852 events).
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 120_000,
    pool: 'forks',
  },
})
