import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createDatabase } from '../src/db/database.js'
import { migrateToLatest, migrationStatus, readMigrations } from '../src/db/migrator.js'
import { loadDemoData } from '../src/demo/load-demo.js'
import { projectRoot } from '../src/paths.js'
import { exited, freePort, logs, runCli, serveAndQuery, startCli } from './support/cli.js'
import { createEmptyDatabase, dropDatabase, uniqueDatabaseName } from './support/postgres-server.js'
import { buildRelease, git, isAncestor, type Release } from './support/release.js'

// A deploy must be reversible: the previous release, built from git, serves a database this
// code migrated (a rollback), and this code takes over a database the previous release migrated
// (the deploy itself). docs/operations.md, "Deploying, migrating and rolling back".

/** The previous release: the commit before the newest migration file was added. */
const previousRelease = git(
  'rev-parse',
  `${git('log', '-1', '--format=%H', '--diff-filter=A', '--', 'sql/*.sql')}^`,
)
// Releases before the first one with sql/checksums.json refuse to start beside a migration they
// do not know (Kysely's Migrator): nothing rolls back to them. While the newest migration is
// older than that, the rollback goes to that first release instead.
const firstRollbackRelease = git(
  'log',
  '--format=%H',
  '--diff-filter=A',
  '--',
  'sql/checksums.json',
)
  .split('\n')
  .at(-1)
if (!firstRollbackRelease) throw new Error('commit sql/checksums.json first: it marks the release')
const rollbackRelease = isAncestor(firstRollbackRelease, previousRelease)
  ? previousRelease
  : firstRollbackRelease

const adminUrl = inject('postgresAdminUrl')
const cleanups: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

const builds = new Map<string, Promise<Release>>()
function build(commit: string): Promise<string> {
  const release = builds.get(commit) ?? buildRelease(commit)
  if (!builds.has(commit)) {
    builds.set(commit, release)
    cleanups.push(() => release.then((built) => built.remove()))
  }
  return release.then((built) => built.root)
}

// Both builds at once: each may install a few packages.
beforeAll(() => Promise.all([build(previousRelease), build(rollbackRelease)]))

async function emptyDatabase(): Promise<string> {
  const name = uniqueDatabaseName('attest_rollback')
  cleanups.push(() => dropDatabase(adminUrl, name))
  return createEmptyDatabase(adminUrl, name)
}

const fourDemoEvents = { data: { events: { totalCount: 4 } } }

describe(`the previous release (${previousRelease.slice(0, 8)}) and this code`, () => {
  it(`rolling back: the release ${rollbackRelease.slice(0, 8)} serves a database this code migrated, beside a migration it does not know`, async () => {
    const url = await emptyDatabase()
    const db = createDatabase(url, { maxConnections: 1 })
    try {
      await migrateToLatest(db)
      await loadDemoData(db)
      // A newer release's expand step, which the older release has never heard of: whatever
      // this code's own migrations add to it, a column on its busiest table and its record.
      await sql`ALTER TABLE event ADD COLUMN rollback_probe text`.execute(db)
      await sql`INSERT INTO kysely_migration VALUES ('9999_newer_release_expands', now()::text)`.execute(
        db,
      )
    } finally {
      await db.destroy()
    }
    const { answer, code, log } = await serveAndQuery(url, await build(rollbackRelease))
    expect(answer).toEqual(fourDemoEvents)
    expect(code).toBe(0)
    const warning = log.split('\n').find((line) => line.includes('does not know'))
    expect(JSON.parse(warning ?? '{}').unknown).toContain('9999_newer_release_expands')
  })

  it('deploying: this code refuses the database the previous release migrated until `attest migrate`, then serves it', async () => {
    const url = await emptyDatabase()
    const previous = await build(previousRelease)
    expect(await runCli(['migrate'], { DATABASE_URL: url }, previous)).toMatchObject({ code: 0 })
    // The article's 4 events: releases since the UCDP demo load 1,852 without the flag.
    expect(
      await runCli(['demo', 'load', '--article-only'], { DATABASE_URL: url }, previous),
    ).toMatchObject({ code: 0 })
    // The previous release lacks at least the newest migration.
    const db = createDatabase(url, { maxConnections: 1 })
    const { pending } = await migrationStatus(db).finally(() => db.destroy())
    expect(pending).toContain((await readMigrations()).at(-1)?.name)

    const port = await freePort()
    const refused = startCli(['serve'], { DATABASE_URL: url, PORT: String(port) })
    const log = logs(refused)
    expect(await exited(refused)).toBe(1)
    expect(log()).toContain(`(${pending.join(', ')}): run \`attest migrate\` first`)

    expect(await runCli(['migrate'], { DATABASE_URL: url })).toMatchObject({ code: 0 })
    const { answer, code } = await serveAndQuery(url, projectRoot)
    expect(answer).toEqual(fourDemoEvents)
    expect(code).toBe(0)
  })
})
