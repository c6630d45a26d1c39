import { readFileSync } from 'node:fs'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.js'
import { loadDemoData } from '../../src/demo/load-demo.js'
import { fromGlobalId } from '../../src/graphql/ids.js'
import { dataOf, errorOf, startApi, type TestApi } from '../support/api.js'
import { databaseFingerprint } from '../support/fingerprint.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

// The review queue end to end over the real server: a report becomes a draft with evidence,
// an editor accepts it (the event is written through the write path, one revision) or rejects it.

const seed = readFileSync(
  new URL('../fixtures/drafts/reports/01-sidi-bouzid-raid.txt', import.meta.url),
  'utf8',
)
const keys = { reader: '', editor: '' }
let api: TestApi

beforeAll(async () => {
  await loadDemoData(testDb())
  keys.reader = (await createApiKey(testDb(), 'drafts reader', 'reader')).key
  keys.editor = (await createApiKey(testDb(), 'drafts editor', 'editor')).key
  api = await startApi(testDatabaseUrl())
})
afterAll(() => api.stop())

const draftFields = `id status text publishedOn sourceName extractor
  title { value start end }
  date { date dateEnd precision conflict start end quote confidence }
  place { name countryCode place { name level } quote }
  figures { category population best qualifier superseded start end quote confidence }
  groups { name aliases attribution role group { name } matchScore quote }
  persons { name role outcome person { name } }
  sources { name kind via source { name } }
  claims { groupName group { name } property valueText high low qualifier quote }
  mentionedEvents { title date { date precision } place { name } figures { category population best }
    candidates { event { title } score } }
  event { id title dateStart }`

const draftFromReport = `mutation ($text: String!, $url: String, $publishedOn: Date!, $source: String!) {
  draftFromReport(text: $text, url: $url, publishedOn: $publishedOn, source: $source) { ${draftFields} }
}`
const acceptDraft = `mutation ($id: ID!, $changes: DraftChanges) {
  acceptDraft(id: $id, changes: $changes) { id status decidedAt event { id title dateStart
    casualtyFigures { category population best quote report { url headline source { name } } }
    actors { role attribution group { name } }
    persons { role outcome person { name } }
    citations { quote }
    claims { property valueText }
    history { operation } } }
}`
const rejectDraft = `mutation ($id: ID!, $reason: String) { rejectDraft(id: $id, reason: $reason) { id status rejectReason } }`

const seedReport = {
  text: seed,
  url: 'https://thedefensepost.com/2019/01/04/tunisia-sidi-bouzid-raid/',
  publishedOn: '2019-01-04',
  source: 'The Defense Post',
}

async function makeDraft(variables: Record<string, unknown> = seedReport) {
  return dataOf(await api.query(draftFromReport, variables, keys.editor)).draftFromReport
}

describe('draftFromReport', () => {
  it('drafts the seed report: the date from the publication with the caption’s year as a conflict, figures by population, the group matched, each value quoting its span', async () => {
    const draft = await makeDraft()
    expect(draft.status).toBe('NEW')
    expect(draft.title.value).toBe(
      'Two militants killed and a police officer injured during raid in Tunisia',
    )
    expect(draft.date).toMatchObject({ date: '2019-01-03', precision: 'DAY' })
    expect(draft.date.conflict).toContain('2018-01-03')
    expect(draft.date.quote).toBe(seed.slice(draft.date.start, draft.date.end))
    expect(draft.place).toMatchObject({
      name: 'Sidi Bouzid',
      countryCode: 'TUN',
      place: { name: 'Sidi Bouzid' },
    })
    const figures = draft.figures.filter((figure: any) => !figure.superseded)
    expect(figures.map((f: any) => [f.category, f.population, f.best])).toEqual([
      ['KILLED', 'PERPETRATORS', 2],
      ['INJURED', 'SECURITY_FORCES', 1],
    ])
    for (const figure of draft.figures)
      expect(figure.quote).toBe(seed.slice(figure.start, figure.end))
    expect(draft.groups).toContainEqual(
      expect.objectContaining({
        attribution: 'CONFIRMED',
        group: { name: 'Jund al-Khilafa' },
        matchScore: 1,
      }),
    )
    expect(draft.persons).toContainEqual(
      expect.objectContaining({
        name: 'Ezzedine Alaoui',
        outcome: 'KILLED',
        person: { name: 'Ezzedine Alaoui' },
      }),
    )
    const sources = draft.sources.map((source: any) => source.name)
    expect(sources).toEqual(
      expect.arrayContaining(['Reuters', 'interior ministry', 'Aaron Zelin', 'Sufian al-Zaq']),
    )
    expect(draft.sources.find((source: any) => source.name === 'Reuters').source).toEqual({
      name: 'Reuters',
    })
    expect(draft.claims).toContainEqual(
      expect.objectContaining({
        property: 'allegiance',
        valueText: 'ISIS',
        group: { name: 'Jund al-Khilafa' },
      }),
    )
    expect(draft.claims).toContainEqual(
      expect.objectContaining({
        high: 6000,
        qualifier: 'AT_MOST',
        group: { name: 'Islamic State' },
      }),
    )
    const tunis = draft.mentionedEvents.find((event: any) => event.date?.date === '2018-10-29')
    expect(tunis.figures).toEqual([{ category: 'INJURED', population: 'ALL', best: 26 }])
    expect(tunis.candidates[0].event.title).toBe('Female suicide bomber blows herself up in Tunis')
    expect(draft.mentionedEvents.map((event: any) => event.date?.date)).toEqual(
      expect.arrayContaining(['2015-11-01', '2015-06-01']),
    )
    expect(draft.event).toBeNull()
  })

  it('writes the draft and nothing else', async () => {
    const events = await testDb()
      .selectFrom('event')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    await makeDraft()
    const after = await testDb()
      .selectFrom('event')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    expect(after.n).toBe(events.n)
  })

  it.each([
    ['text', { text: '   ' }, 'not_blank'],
    ['text', { text: 'x'.repeat(50_001) }, 'max_length'],
    ['url', { url: 'ftp://example.org/report' }, 'url'],
    ['publishedOn', { publishedOn: '2999-01-01' }, 'not_in_future'],
    ['source', { source: ' ' }, 'not_blank'],
  ])('refuses a bad %s as BAD_USER_INPUT, writing nothing', async (field, change, rule) => {
    const before = await databaseFingerprint(testDb())
    const error = errorOf(
      await api.query(draftFromReport, { ...seedReport, ...change }, keys.editor),
    )
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field, rule })
    expect(await databaseFingerprint(testDb())).toBe(before)
  })

  it('needs an editor: a reader is FORBIDDEN, no key UNAUTHENTICATED, and nothing is written', async () => {
    const before = await databaseFingerprint(testDb())
    expect(
      errorOf(await api.query(draftFromReport, seedReport, keys.reader)).extensions?.code,
    ).toBe('FORBIDDEN')
    expect(errorOf(await api.query(draftFromReport, seedReport)).extensions?.code).toBe(
      'UNAUTHENTICATED',
    )
    expect(await databaseFingerprint(testDb())).toBe(before)
  })
})

describe('drafts', () => {
  const drafts = `query ($status: DraftStatus, $first: Int) { drafts(status: $status, first: $first) { id status title { value } } }`

  it('lists the queue newest first, by status, to editors only', async () => {
    const made = await makeDraft({ ...seedReport, url: null })
    const { drafts: listed } = dataOf(
      await api.query(drafts, { status: 'NEW', first: 5 }, keys.editor),
    )
    expect(listed[0]).toMatchObject({ id: made.id, status: 'NEW' })
    expect(errorOf(await api.query(drafts, {}, keys.reader)).extensions?.code).toBe('FORBIDDEN')
    expect(errorOf(await api.query(drafts, { first: 0 }, keys.editor)).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      rule: 'range',
    })
  })

  it('shows a draft by its id (node, nodes) to editors only', async () => {
    const made = await makeDraft({ ...seedReport, url: null })
    const byNode = `query ($id: ID!) { node(id: $id) { ... on EventDraft { id status } } }`
    const byNodes = `query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`
    expect(dataOf(await api.query(byNode, { id: made.id }, keys.editor)).node).toMatchObject({
      id: made.id,
      status: 'NEW',
    })
    for (const key of [keys.reader, undefined]) {
      expect(errorOf(await api.query(byNode, { id: made.id }, key)).extensions?.code).toMatch(
        /^(FORBIDDEN|UNAUTHENTICATED)$/,
      )
      expect(errorOf(await api.query(byNodes, { ids: [made.id] }, key)).extensions?.code).toMatch(
        /^(FORBIDDEN|UNAUTHENTICATED)$/,
      )
    }
  })
})

describe('acceptDraft', () => {
  it('writes the event with the editor’s correction, its figures quoting the report, in one revision; the draft names it', async () => {
    const draft = await makeDraft()
    const injured = draft.figures.find((figure: any) => figure.category === 'INJURED')
    const killed = draft.figures.find(
      (figure: any) => figure.category === 'KILLED' && !figure.superseded,
    )
    const groupVersion = async () =>
      (
        await testDb()
          .selectFrom('armed_group')
          .select('version')
          .where('name', '=', 'Jund al-Khilafa')
          .executeTakeFirstOrThrow()
      ).version
    const versionBefore = await groupVersion()
    const changes = {
      title: 'Two militants killed in Sidi Bouzid raid',
      figures: [
        {
          category: 'KILLED',
          population: 'PERPETRATORS',
          best: 2,
          start: killed.start,
          end: killed.end,
        },
        // The editor's correction: the officer counted among security forces, at least one.
        {
          category: 'INJURED',
          population: 'SECURITY_FORCES',
          low: 1,
          qualifier: 'AT_LEAST',
          start: injured.start,
          end: injured.end,
        },
      ],
    }
    const accepted = dataOf(
      await api.query(acceptDraft, { id: draft.id, changes }, keys.editor),
    ).acceptDraft
    expect(accepted.status).toBe('ACCEPTED')
    const event = accepted.event
    expect(event).toMatchObject({
      title: 'Two militants killed in Sidi Bouzid raid',
      dateStart: '2019-01-03',
    })
    expect(event.casualtyFigures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          category: 'KILLED',
          population: 'PERPETRATORS',
          best: 2,
          quote: seed.slice(killed.start, killed.end),
        }),
        expect.objectContaining({
          category: 'INJURED',
          population: 'SECURITY_FORCES',
          best: null,
          quote: 'a police officer injured',
        }),
      ]),
    )
    expect(event.casualtyFigures[0].report).toMatchObject({
      url: seedReport.url,
      source: { name: 'The Defense Post' },
    })
    expect(event.actors).toContainEqual({
      role: 'TARGET',
      attribution: 'CONFIRMED',
      group: { name: 'Jund al-Khilafa' },
    })
    expect(event.persons).toContainEqual(
      expect.objectContaining({ outcome: 'KILLED', person: { name: 'Ezzedine Alaoui' } }),
    )
    expect(event.citations[0].quote).toContain('Thursday, January 3')
    expect(event.claims).toContainEqual({ property: 'date_start', valueText: '2019-01-03' })
    expect(event.history).toEqual([{ operation: 'CREATE' }])
    // The claims about a recorded group are that group's change: one version step.
    expect(await groupVersion()).toBe(versionBefore + 1)
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM revision
      WHERE entity_type = 'event' AND entity_id = ${fromGlobalId(event.id, 'id').id}`.execute(
      testDb(),
    )
    expect(rows[0]?.n).toBe(1)
  })

  it('accepts a draft as it is, linking the mentioned events that fit recorded ones', async () => {
    const draft = await makeDraft({ ...seedReport, url: 'https://example.org/as-drafted' })
    const accepted = dataOf(
      await api.query(
        `mutation ($id: ID!) { acceptDraft(id: $id) { event { links { kind event { title } } casualtyFigures { category best } } } }`,
        { id: draft.id },
        keys.editor,
      ),
    ).acceptDraft
    expect(accepted.event.links).toContainEqual({
      kind: 'CONTEXT',
      event: { title: 'Female suicide bomber blows herself up in Tunis' },
    })
    expect(accepted.event.casualtyFigures).toHaveLength(2)
  })

  it('writes the membership the report states and the gazetteer’s point of a town no place record names', async () => {
    const text = `Militants kill four soldiers near Cucuta

CUCUTA, Colombia (Reuters) - Rebels of the National Liberation Army killed four soldiers near Cucuta in Colombia's Norte de Santander province on Monday, the army said.

Commander Ramiro Velandia, a leader of the National Liberation Army, was among the rebels arrested after the attack, the army said.`
    const draft = await makeDraft({
      text,
      url: 'https://example.org/cucuta-membership',
      publishedOn: '2022-03-08',
      source: 'Reuters',
    })
    expect(draft.persons).toContainEqual(expect.objectContaining({ name: 'Ramiro Velandia' }))
    const accepted = dataOf(
      await api.query(
        `mutation ($id: ID!) { acceptDraft(id: $id) {
          event { latitude longitude geoPrecision persons { person { name memberships { role group { name } quote report { url } } } } } } }`,
        { id: draft.id },
        keys.editor,
      ),
    ).acceptDraft
    expect(accepted.event.geoPrecision).toBe('NEAR')
    expect(accepted.event.latitude).toBeCloseTo(7.89, 1)
    const person = accepted.event.persons.find(
      (one: any) => one.person.name === 'Ramiro Velandia',
    ).person
    expect(person.memberships).toEqual([
      {
        role: 'leader',
        group: { name: expect.stringMatching(/National Liberation Army/) },
        quote: expect.stringContaining('a leader of the National Liberation Army'),
        report: { url: 'https://example.org/cucuta-membership' },
      },
    ])
  })

  it('cites the sources the editor keeps and names, in place of the drafted chain', async () => {
    const draft = await makeDraft({ ...seedReport, url: 'https://example.org/sources-edited' })
    const ministry = draft.sources.find((one: any) => /ministry/i.test(one.name))
    const at = seed.indexOf(ministry.name)
    const accepted = dataOf(
      await api.query(
        `mutation ($id: ID!, $changes: DraftChanges) { acceptDraft(id: $id, changes: $changes) {
          event { casualtyFigures { report { cites { source { name } quote } } } } } }`,
        {
          id: draft.id,
          changes: {
            sources: [
              { name: 'Tunisian Interior Ministry', kind: 'GOVERNMENT', start: at, end: at + 5 },
            ],
          },
        },
        keys.editor,
      ),
    ).acceptDraft
    const cites = accepted.event.casualtyFigures[0].report.cites
    expect(cites).toHaveLength(1)
    expect(cites[0].source.name).toBe('Tunisian Interior Ministry')
    expect(cites[0].quote).toContain(ministry.name)
  })

  it('refuses a source whose span is outside the text', async () => {
    const draft = await makeDraft({ ...seedReport, url: 'https://example.org/sources-bad' })
    const error = errorOf(
      await api.query(
        acceptDraft,
        {
          id: draft.id,
          changes: { sources: [{ name: 'Reuters', start: 0, end: 10 ** 6 }] },
        },
        keys.editor,
      ),
    )
    expect(error.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'sources',
      rule: 'span',
    })
  })

  it.each([
    [
      'a span outside the text',
      { figures: [{ category: 'KILLED', population: 'ALL', best: 2, start: 0, end: 10 ** 6 }] },
      'figures',
      'span',
    ],
    [
      'two figures of one population',
      {
        figures: [
          { category: 'KILLED', population: 'ALL', best: 2, start: 0, end: 5 },
          { category: 'KILLED', population: 'ALL', best: 3, start: 0, end: 5 },
        ],
      },
      'figures',
      'one_per_population',
    ],
    [
      'a figure with no number',
      { figures: [{ category: 'KILLED', population: 'ALL', start: 0, end: 5 }] },
      'best',
      'has_number',
    ],
    ['a date in the future', { dateStart: '2999-01-01' }, 'dateStart', 'not_in_future'],
    [
      'an end before the start',
      { dateStart: '2019-01-03', dateEnd: '2019-01-01' },
      'dateEnd',
      'dates_ordered',
    ],
    ['a blank title', { title: ' ' }, 'title', 'not_blank'],
    [
      'a group given twice over',
      { groups: [{ groupId: 'bad', name: 'x', role: 'PERPETRATOR' }] },
      'groups',
      'exactly_one',
    ],
  ])('refuses %s, writing nothing and leaving the draft new', async (_, changes, field, rule) => {
    const draft = await makeDraft({ ...seedReport, url: null })
    const before = await databaseFingerprint(testDb())
    const error = errorOf(await api.query(acceptDraft, { id: draft.id, changes }, keys.editor))
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field, rule })
    expect(await databaseFingerprint(testDb())).toBe(before)
  })

  it('decides a draft once: accepting it again or rejecting it after is refused', async () => {
    const draft = await makeDraft({ ...seedReport, url: null })
    dataOf(await api.query(acceptDraft, { id: draft.id }, keys.editor))
    const before = await databaseFingerprint(testDb())
    expect(
      errorOf(await api.query(acceptDraft, { id: draft.id }, keys.editor)).extensions,
    ).toMatchObject({ code: 'BAD_USER_INPUT', rule: 'decided' })
    expect(
      errorOf(await api.query(rejectDraft, { id: draft.id }, keys.editor)).extensions,
    ).toMatchObject({ code: 'BAD_USER_INPUT', rule: 'decided' })
    expect(await databaseFingerprint(testDb())).toBe(before)
  })

  it('refuses an unknown or malformed id, and a reader', async () => {
    const draft = await makeDraft({ ...seedReport, url: null })
    const unknown = Buffer.from('EventDraft:999999').toString('base64url')
    expect(
      errorOf(await api.query(acceptDraft, { id: unknown }, keys.editor)).extensions,
    ).toMatchObject({ code: 'BAD_USER_INPUT', rule: 'unknown_id' })
    expect(
      errorOf(await api.query(acceptDraft, { id: 'nonsense!' }, keys.editor)).extensions,
    ).toMatchObject({ code: 'BAD_USER_INPUT' })
    expect(
      errorOf(await api.query(acceptDraft, { id: draft.id }, keys.reader)).extensions?.code,
    ).toBe('FORBIDDEN')
  })
})

describe('rejectDraft', () => {
  it('sets a draft aside with its reason and writes no event', async () => {
    const draft = await makeDraft({ ...seedReport, url: null })
    const events = await testDb()
      .selectFrom('event')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    const rejected = dataOf(
      await api.query(
        rejectDraft,
        { id: draft.id, reason: 'Duplicate of a recorded event' },
        keys.editor,
      ),
    ).rejectDraft
    expect(rejected).toMatchObject({
      status: 'REJECTED',
      rejectReason: 'Duplicate of a recorded event',
    })
    const after = await testDb()
      .selectFrom('event')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    expect(after.n).toBe(events.n)
    expect(
      errorOf(await api.query(rejectDraft, { id: draft.id, reason: ' ' }, keys.editor)).extensions,
    ).toMatchObject({ rule: 'not_blank' })
  })
})
