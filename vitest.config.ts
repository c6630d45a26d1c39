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
    // CI machines are shared and slow at times (a test that starts `attest` through tsx, or
    // Chromium, took 15–90 s on two busy cores): budgets that only a hang exceeds. expect.poll
    // waits for a page or a replica to catch up; its default second is too short there.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    expect: { poll: { timeout: 15_000 } },
    pool: 'forks',
  },
})
