import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ucdpSampleFile } from '../src/paths.js'
import { runCli } from './support/cli.js'
import { testDatabaseUrl, testDb } from './support/test-database.js'

// `attest import` is loud about files: each kind of bad file gets one clear line and an exit
// status that says whether everything, some or nothing was imported.

const fixture = ucdpSampleFile
type Row = Record<string, string>
let rows: Row[]
let header: string[]
let dir = ''

const importUcdp = (file: string, ...options: string[]) =>
  runCli(['import', 'ucdp', file, '--release', 'files', ...options], {
    DATABASE_URL: testDatabaseUrl(),
  })

/** A GED file of the fixture's rows (new ids, so nothing is already imported). */
async function gedFile(name: string, records: Row[], encoding: BufferEncoding = 'utf8') {
  const file = path.join(dir, name)
  await writeFile(
    file,
    Buffer.from(stringify(records, { header: true, columns: header }), encoding),
  )
  return file
}

const row = (index: number, changes: Row = {}): Row => ({
  ...(rows[index] as Row),
  id: String(970000 + index),
  ...changes,
})

const events = async () =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM event`.execute(testDb())).rows[0]?.n)

beforeAll(async () => {
  rows = parse(await readFile(fixture, 'utf8'), { columns: true }) as Row[]
  header = Object.keys(rows[0] as Row)
  dir = await mkdtemp(path.join(os.tmpdir(), 'attest-files-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('a file that is not UTF-8', () => {
  it('is read as Windows-1252 with a warning naming the line, names intact', async () => {
    const file = await gedFile(
      'latin1.csv',
      [row(1), row(2, { side_a: 'Forces of André Kolingba', side_a_new_id: '99990' })],
      'latin1',
    )
    const { code, stderr } = await importUcdp(file)
    expect(stderr).toMatch(/latin1\.csv is not UTF-8 from line 3: read as Windows-1252/)
    expect(code).toBe(0)
    const { rows: groups } = await sql<{ name: string }>`
      SELECT name FROM armed_group WHERE name LIKE 'Forces of Andr%'`.execute(testDb())
    expect(groups).toEqual([{ name: 'Forces of André Kolingba' }])
  })

  it('is refused, naming the line, with --encoding utf-8; nothing is written', async () => {
    const file = await gedFile(
      'latin1-strict.csv',
      [row(3), row(4, { side_a: 'Bozizé' })],
      'latin1',
    )
    const before = await events()
    const { code, stderr } = await importUcdp(file, '--encoding', 'utf-8')
    expect(stderr).toMatch(/line 3, is not UTF-8/)
    expect(code).toBe(1)
    expect(await events()).toBe(before)
  })
})

describe('malformed CSV', () => {
  it('reports a row with too few fields and a truncated last line as such, with their lines', async () => {
    const good = stringify([row(5), row(6)], { header: true, columns: header })
    const short = `${header
      .slice(0, 10)
      .map((_, i) => `x${i}`)
      .join(',')}\n`
    const truncated = stringify([row(7)], { columns: header }).replace(/,[^,]*\n$/, ',"cut off')
    const file = path.join(dir, 'malformed.csv')
    await writeFile(file, good + short + truncated)
    const rejects = path.join(dir, 'malformed-rejects.csv')
    const { code, stdout } = await importUcdp(file, '--rejects', rejects)
    expect(stdout).toMatch(
      /line 4: malformed CSV: Invalid Record Length: columns length is \d+, got 10/,
    )
    expect(stdout).toMatch(/line 5: malformed CSV: a quoted field is never closed/)
    expect(stdout).toMatch(/2 new, 0 updated, 0 unchanged, 2 rejected/)
    expect(code).toBe(3)
    const written = parse(await readFile(rejects, 'utf8'), { columns: true }) as Row[]
    expect(written.map((reject) => reject.line)).toEqual(['4', '5'])
    expect(written[0]?.raw).toBe(short.trim())
  })
})

describe('not a file to import', () => {
  it.each([
    [
      'an empty file',
      async () => {
        const file = path.join(dir, 'empty.csv')
        await writeFile(file, '')
        return file
      },
      /empty\.csv is empty/,
    ],
    [
      'a header without rows',
      async () => {
        const file = path.join(dir, 'header.csv')
        await writeFile(file, `${header.join(',')}\n`)
        return file
      },
      /header\.csv has a header and no rows/,
    ],
    [
      'a directory',
      async () => {
        const folder = path.join(dir, 'folder.csv')
        await mkdir(folder, { recursive: true })
        return folder
      },
      /folder\.csv is a directory, not a CSV file/,
    ],
    ['a missing file', async () => path.join(dir, 'missing.csv'), /missing\.csv does not exist/],
  ])('%s: one clear line and exit status 1', async (_, make, message) => {
    const { code, stderr } = await importUcdp(await make())
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(message)])
    expect(code).toBe(1)
  })
})

describe('--strict', () => {
  it('lists every bad row and writes nothing, the rejects file included', async () => {
    const file = await gedFile('strict.csv', [
      row(8),
      row(9, { date_start: '2009-02-30 00:00:00.000' }),
      row(10),
      row(11, { latitude: '123' }),
    ])
    const before = await events()
    const rejects = path.join(dir, 'strict-rejects.csv')
    const { code, stderr } = await importUcdp(file, '--strict', '--rejects', rejects)
    expect(stderr).toMatch(/2 bad rows \(--strict: nothing was imported\)/)
    expect(stderr).toMatch(/line 3, column date_start/)
    expect(stderr).toMatch(/line 5, column latitude/)
    expect(code).toBe(1)
    expect(await events()).toBe(before)
    const written = parse(await readFile(rejects, 'utf8'), { columns: true }) as Row[]
    expect(written.map((reject) => [reject.line, reject.column])).toEqual([
      ['3', 'date_start'],
      ['5', 'latitude'],
    ])
    expect(written[0]?.raw).toContain('2009-02-30')
  })
})

describe('--dry-run', () => {
  it('checks every row and writes nothing', async () => {
    const file = await gedFile('dry.csv', [row(12), row(13, { date_start: 'soon' })])
    const before = await events()
    const { code, stdout } = await importUcdp(file, '--dry-run')
    expect(stdout).toMatch(/a dry run: nothing was written/)
    expect(stdout).toMatch(/line 3, column date_start/)
    expect(code).toBe(3)
    expect(await events()).toBe(before)
  })
})
