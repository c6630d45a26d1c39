import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  outsideTransactionMarker,
  readMigrations,
  runsOutsideTransaction,
} from '../src/db/migrator.js'
import { splitStatements } from '../src/db/sql-statements.js'
import { migrationsDir } from '../src/paths.js'

// The rules that keep a deploy reversible (docs/operations.md, "Deploying, migrating and rolling
// back"), checked on the files in sql/ without a database.

const checksumsFile = path.join(migrationsDir, 'checksums.json')

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path.join(migrationsDir, file)))
    .digest('hex')
}

describe('landed migrations', () => {
  it('never change: each keeps the sha256 recorded in sql/checksums.json, and none is removed', async () => {
    const recorded = JSON.parse(await readFile(checksumsFile, 'utf8')) as Record<string, string>
    const files = new Set(await readdir(migrationsDir))
    const problems: string[] = []
    for (const [file, checksum] of Object.entries(recorded)) {
      if (!files.has(file)) problems.push(`sql/${file} landed and was removed: put it back`)
      else if ((await sha256(file)) !== checksum)
        problems.push(
          `sql/${file} changed after it landed: restore it (git checkout main -- sql/${file}) and make the change a new migration; databases migrated before would never see the edit`,
        )
    }
    expect(problems).toEqual([])
  })

  it('each have their checksum in sql/checksums.json (a new migration adds its own line)', async () => {
    const recorded = JSON.parse(await readFile(checksumsFile, 'utf8')) as Record<string, string>
    const unrecorded = (await readdir(migrationsDir)).filter(
      (file) => file.endsWith('.sql') && !(file in recorded),
    )
    const lines = await Promise.all(
      unrecorded.map(async (file) => `"${file}": "${await sha256(file)}"`),
    )
    expect(
      lines,
      'a new migration adds its line to sql/checksums.json (from then on the file never changes)',
    ).toEqual([])
  })
})

// 0001–0052 landed before this rule; from 0053 on, an index on a table that already exists is
// built CONCURRENTLY, so that writes to the table go on while it builds.
const firstMigrationUnderIndexRule = 53

const createIndex =
  /^CREATE\s+(UNIQUE\s+)?INDEX\s+(CONCURRENTLY\s+)?(IF\s+NOT\s+EXISTS\s+)?\S+\s+ON\s+(ONLY\s+)?("?[\w.]+"?)/i
const createTable = /^CREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?("?[\w.]+"?)/i
// Statements that bear running again after a failure part-way through the file.
const rerunnable = [
  /^CREATE\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+IF\s+NOT\s+EXISTS\s/i,
  /^DROP\s+INDEX\s+CONCURRENTLY\s+IF\s+EXISTS\s/i,
  /^ANALYZE\b/i,
]

/** What breaks the index rule in one migration file. */
function indexRuleProblems(name: string, text: string): string[] {
  const statements = splitStatements(text)
  const outsideTransaction = runsOutsideTransaction(text)
  const created = new Set(statements.flatMap((statement) => createTable.exec(statement)?.[1] ?? []))
  const problems: string[] = []
  for (const statement of statements) {
    const index = createIndex.exec(statement)
    const table = index?.[5]
    if (index && table && !created.has(table) && !(index[2] && outsideTransaction))
      problems.push(
        `${name}: build the index on the existing table ${table} CONCURRENTLY IF NOT EXISTS, in a file of its own marked ${outsideTransactionMarker} (a plain build blocks writes to the table while it runs)`,
      )
    if (outsideTransaction && !rerunnable.some((pattern) => pattern.test(statement)))
      problems.push(
        `${name}: a ${outsideTransactionMarker} file runs again after a failure part-way, so it holds only CREATE INDEX CONCURRENTLY IF NOT EXISTS, DROP INDEX CONCURRENTLY IF EXISTS and ANALYZE, not "${statement.slice(0, 40)}…"`,
      )
  }
  return problems
}

describe('index migrations', () => {
  it('from 0053 on, build an index on an existing table CONCURRENTLY, outside a transaction', async () => {
    const files = (await readMigrations()).filter(
      (file) => Number(file.name.slice(0, 4)) >= firstMigrationUnderIndexRule,
    )
    expect(files.flatMap((file) => indexRuleProblems(file.name, file.text))).toEqual([])
  })

  it('the rule tells a blocking index build from a concurrent one', () => {
    const marked = `${outsideTransactionMarker}\n`
    expect(indexRuleProblems('a', 'CREATE INDEX event_x_idx ON event (x);')).toHaveLength(1)
    expect(
      indexRuleProblems('b', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS e ON event (x);'),
    ).toHaveLength(1) // unmarked: it would run in a transaction, which Postgres refuses
    expect(
      indexRuleProblems('c', `${marked}CREATE INDEX CONCURRENTLY IF NOT EXISTS e ON event (x);`),
    ).toEqual([])
    expect(
      indexRuleProblems('d', 'CREATE TABLE thing (x int);\nCREATE INDEX thing_x_idx ON thing (x);'),
    ).toEqual([]) // a new table is empty: nothing to wait for
    expect(
      indexRuleProblems('e', `${marked}CREATE INDEX CONCURRENTLY e ON event (x);`),
    ).toHaveLength(1) // without IF NOT EXISTS it fails when run again
  })
})
