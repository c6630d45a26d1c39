import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.js'
import { importFile } from '../../src/import/run-import.js'
import { ucdpGed } from '../../src/import/ucdp.js'
import { ucdpSampleFile } from '../../src/paths.js'
import { dataOf, startApi, type TestApi } from '../support/api.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

// A dataset's next release, end to end through the API: the event's version steps, the release
// writes a revision, the earlier release's figure is kept and superseded, the consolidation
// follows the later one, and an editor holding the old version gets a CONFLICT. The dataset's
// id finds the event every way a researcher would look for it.

const fixture = ucdpSampleFile
type Row = Record<string, string>

let api: TestApi
let editor = ''
let dir = ''
let original: Row

const eventQuery = `query ($id: String!) {
  eventByExternalId(dataset: "ucdp_ged", externalId: $id) {
    id version killedBest
    casualtyFigures(category: KILLED) { population best superseded report { citation } }
    all: casualtyFigures(category: KILLED, includeSuperseded: true) {
      population best superseded report { citation }
    }
    casualties { category best }
    sourceRecords { dataset release externalId current raw }
    history { operation dataset release before after }
  }
}`

type Page = { edges: { node: { id: string } }[] }
type State = Record<string, unknown> | null

/** A revision's state as its shape: the row's columns and the kinds of parts. */
const shape = (state: State) =>
  state && [Object.keys(state).sort(), Object.keys(state.parts as Record<string, unknown>).sort()]

interface Figure {
  population: string
  best: number
  superseded: boolean
  report: { citation: string }
}
// GED's total: the figure its release changed.
const total = (figures: Figure[]) => figures.filter((figure) => figure.population === 'ALL')

interface ReadEvent {
  id: string
  version: number
  killedBest: number
  casualtyFigures: Figure[]
  all: Figure[]
  casualties: { category: string; best: number }[]
  sourceRecords: {
    dataset: string
    release: string
    externalId: string
    current: boolean
    raw: Row
  }[]
  history: {
    operation: string
    dataset: string | null
    release: string | null
    before: State
    after: State
  }[]
}

async function readEvent(externalId: string): Promise<ReadEvent> {
  const data = dataOf(
    await api.query<{ eventByExternalId: ReadEvent }>(eventQuery, { id: externalId }, editor),
  )
  return data.eventByExternalId
}

beforeAll(async () => {
  const text = await readFile(fixture, 'utf8')
  const rows = parse(text, { columns: true }) as Row[]
  dir = await mkdtemp(path.join(os.tmpdir(), 'attest-releases-'))
  // An event with one killed figure of the whole population, as GED gives it.
  original = rows.find((row) => Number(row.best) > 0) as Row
  await importFile(testDb(), ucdpGed, { file: fixture, release: '23.1' })
  const next = rows.map((row) =>
    row === original ? { ...row, best: String(Number(row.best) + 100), high: '9999' } : row,
  )
  const file = path.join(dir, 'GEDEvent_v23_2_CAF.csv')
  await writeFile(file, stringify(next, { header: true, columns: Object.keys(original) }))
  editor = (await createApiKey(testDb(), 'releases editor', 'editor')).key
  api = await startApi(testDatabaseUrl())
  const before = await readEvent(original.id as string)
  expect(before.version).toBe(1)
  await importFile(testDb(), ucdpGed, { file, release: '23.2' })
})
afterAll(async () => {
  await api.stop()
  await rm(dir, { recursive: true, force: true })
})

describe('a dataset’s next release', () => {
  it('steps the version once and writes a revision by the release', async () => {
    const event = await readEvent(original.id as string)
    expect(event.version).toBe(2)
    expect(
      event.history.map(({ operation, dataset, release }) => [operation, dataset, release]),
    ).toEqual([
      ['UPDATE', 'ucdp_ged', '23.2'],
      ['CREATE', 'ucdp_ged', '23.1'],
    ])
  })

  it('keeps the earlier release’s figure, superseded, and consolidates the later one', async () => {
    const event = await readEvent(original.id as string)
    const later = Number(original.best) + 100
    expect(total(event.casualtyFigures).map((figure) => [figure.best, figure.superseded])).toEqual([
      [later, false],
    ])
    const all = total(event.all)
    expect(all.map((figure) => [figure.best, figure.superseded])).toEqual([
      [Number(original.best), true],
      [later, false],
    ])
    expect(all[0]?.report.citation).toMatch(/23\.1/)
    // What the release did not change is not superseded: one figure per population and release.
    expect(event.casualtyFigures.every((figure) => !figure.superseded)).toBe(true)
    expect(event.killedBest).toBe(later)
    expect(event.casualties.find((summary) => summary.category === 'KILLED')?.best).toBe(later)
  })

  it('keeps each release’s raw row, the latest marked current', async () => {
    const { sourceRecords } = await readEvent(original.id as string)
    expect(sourceRecords.map((record) => [record.release, record.current])).toEqual([
      ['23.2', true],
      ['23.1', false],
    ])
    expect(sourceRecords[1]?.raw.best).toBe(original.best)
    expect(sourceRecords[0]?.externalId).toBe(original.id)
  })

  it('gives an editor holding the version before the release a CONFLICT', async () => {
    const event = await readEvent(original.id as string)
    const response = await api.query(
      `mutation ($id: ID!) { updateEvent(id: $id, version: 1, fields: { summary: "stale" }) { id } }`,
      { id: event.id },
      editor,
    )
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 })
  })

  it('records revisions of one shape, whoever writes: an import, a mutation, a revert', async () => {
    const event = await readEvent(original.id as string)
    const edited = dataOf(
      await api.query<{ updateEvent: { version: number } }>(
        `mutation ($id: ID!) { updateEvent(id: $id, version: 2, fields: { summary: "checked" }) { version } }`,
        { id: event.id },
        editor,
      ),
    )
    expect(edited.updateEvent.version).toBe(3)
    const revisionIds = dataOf(
      await api.query<{ event: { history: { id: string }[] } }>(
        `query ($id: ID!) { event(id: $id) { history { id } } }`,
        { id: event.id },
      ),
    ).event.history.map((revision) => revision.id)
    dataOf(
      await api.query(
        `mutation ($id: ID!, $to: ID!) { revertEvent(id: $id, toRevision: $to, version: 3) { id } }`,
        { id: event.id, to: revisionIds[1] },
        editor,
      ),
    )
    const { history } = await readEvent(original.id as string)
    const shapes = history.flatMap((revision) => [shape(revision.before), shape(revision.after)])
    const expected = shape(history[0]?.after ?? null)
    // revert, mutation, import (update), import (create: no state before)
    expect(history.map((revision) => revision.operation)).toEqual([
      'REVERT',
      'UPDATE',
      'UPDATE',
      'CREATE',
    ])
    expect(shapes).toEqual([...Array(6).fill(expected), null, expected])
  })
})

describe('a group’s history', () => {
  it('is of one shape whether an import created it or a merge changed it', async () => {
    const admin = (await createApiKey(testDb(), 'releases admin', 'admin')).key
    const groups = dataOf(
      await api.query<{ groups: { edges: { node: { id: string; version: number } }[] } }>(
        '{ groups(first: 2) { edges { node { id version } } } }',
      ),
    ).groups.edges.map((edge) => edge.node)
    const [survivor, merged] = groups as [{ id: string; version: number }, (typeof groups)[0]]
    const response = await api.query<{
      mergeGroups: { history: { operation: string; dataset: string | null; after: State }[] }
    }>(
      `mutation ($s: ID!, $sv: Int!, $m: ID!, $mv: Int!) {
        mergeGroups(survivorId: $s, survivorVersion: $sv, mergedId: $m, mergedVersion: $mv) {
          history { operation dataset before after }
        }
      }`,
      { s: survivor.id, sv: survivor.version, m: merged?.id, mv: merged?.version },
      admin,
    )
    const history = dataOf(response).mergeGroups.history
    expect(history.map((revision) => [revision.operation, revision.dataset])).toEqual([
      ['MERGE', null],
      ['CREATE', 'ucdp_ged'],
    ])
    const [merge, creation] = history.map((revision) => shape(revision.after))
    expect(merge).toEqual(creation)
    expect(merge?.[1]).toContain('group_external_id')
  })
})

describe('a dataset’s id', () => {
  it('finds the event through the filter and through search', async () => {
    const { id } = await readEvent(original.id as string)
    const found = dataOf(
      await api.query<{ byFilter: Page; bySearch: Page }>(
        `query ($ids: [String!], $search: String) {
          byFilter: events(filter: { externalIds: $ids }) { edges { node { id } } }
          bySearch: events(filter: { search: $search }) { edges { node { id } } }
        }`,
        { ids: [original.id], search: original.id },
      ),
    )
    expect(found.byFilter.edges).toEqual([{ node: { id } }])
    expect(found.bySearch.edges).toEqual([{ node: { id } }])
  })
})

describe('disputed figures', () => {
  it('are marked when reports’ ranges do not overlap, and filtered on', async () => {
    const created = dataOf(
      await api.query<{
        createEvent: { id: string; version: number }
        a: { id: string }
        b: { id: string }
      }>(
        `mutation {
          createEvent(fields: { title: "A disputed toll", dateStart: "2021-05-01" }) { id version }
          a: createSource(fields: { name: "Disputing Agency A", kind: NEWS_AGENCY }) { id }
          b: createSource(fields: { name: "Disputing Ministry B", kind: GOVERNMENT }) { id }
        }`,
        {},
        editor,
      ),
    )
    const reports = dataOf(
      await api.query<{ ra: { id: string }; rb: { id: string } }>(
        `mutation ($a: ID!, $b: ID!) {
          ra: createReport(fields: { sourceId: $a, headline: "At least 12 killed" }) { id }
          rb: createReport(fields: { sourceId: $b, headline: "Seven killed" }) { id }
        }`,
        { a: created.a.id, b: created.b.id },
        editor,
      ),
    )
    const figure = `mutation ($id: ID!, $version: Int!, $fields: CasualtyFigureFields!) {
      setCasualtyFigure(eventId: $id, version: $version, fields: $fields) { version }
    }`
    const event = created.createEvent
    const fields = { category: 'KILLED', population: 'ALL' }
    dataOf(
      await api.query(
        figure,
        {
          id: event.id,
          version: event.version,
          fields: { ...fields, best: 12, qualifier: 'AT_LEAST', reportId: reports.ra.id },
        },
        editor,
      ),
    )
    const disputedQuery = `query ($id: ID!) { event(id: $id) {
      casualtiesDisputed casualtiesByPopulation { population disputed } casualties { disputed }
    } }`
    const agreeing = dataOf(await api.query(disputedQuery, { id: event.id })).event
    expect(agreeing.casualtiesDisputed).toBe(false)
    dataOf(
      await api.query(
        figure,
        {
          id: event.id,
          version: event.version + 1,
          fields: { ...fields, best: 7, reportId: reports.rb.id },
        },
        editor,
      ),
    )
    const disputed = dataOf(await api.query(disputedQuery, { id: event.id })).event
    expect(disputed).toEqual({
      casualtiesDisputed: true,
      casualtiesByPopulation: [{ population: 'ALL', disputed: true }],
      casualties: [{ disputed: true }],
    })
    const filtered = dataOf(
      await api.query<{ yes: Page; no: Page; undisputed: Page }>(
        `{ yes: events(filter: { disputed: true }) { edges { node { id } } }
           no: events(filter: { disputed: false, search: "disputed toll" }) { edges { node { id } } }
           undisputed: events(filter: { disputed: false }, first: 1) { edges { node { id } } } }`,
      ),
    )
    expect(filtered.yes.edges).toEqual([{ node: { id: event.id } }])
    expect(filtered.no.edges).toEqual([])
    expect(filtered.undisputed.edges).toHaveLength(1)
  })
})
