import { type Kysely, sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import type { DB } from '../src/db/schema.js'
import {
  aCasualtyFigure,
  aCountry,
  aGroup,
  aGroupRelation,
  anEvent,
  aPerson,
  aPlace,
  aReport,
  aSource,
} from './support/factories.js'
import { testDb } from './support/test-database.js'

type Db = Kysely<DB>

const aDraft = (db: Db, values: Record<string, unknown>) =>
  db
    .insertInto('event_draft')
    .values({
      text: 'Two killed.',
      published_on: '2019-01-04',
      source_name: 'Reuters',
      extractor: 'test',
      draft: '{}',
      ...values,
    } as never)
    .execute()

/**
 * One bad write per rule the database enforces. Each runs in a transaction that is rolled back;
 * the write must fail with the named constraint, so the database, not only the API, keeps the
 * model's promises.
 */
const cases: Record<string, (db: Db) => Promise<unknown>> = {
  // places
  place_name_not_blank: (db) => aCountry(db, { name: '  ' }),
  place_iso_alpha3_format: (db) => aCountry(db, { iso_alpha3: 'tn1' }),
  place_gw_code_range: (db) => aCountry(db, { gw_code: 1000 }),
  place_latitude_range: (db) => aCountry(db, { latitude: 91, longitude: 0 }),
  place_longitude_range: (db) => aCountry(db, { latitude: 0, longitude: -181 }),
  place_country_is_root: (db) => aCountry(db, { level: 'admin1' }),
  place_codes_only_on_countries: async (db) =>
    aPlace(db, await aCountry(db), { iso_alpha3: 'ABC' }),
  place_coordinates_paired: (db) => aCountry(db, { latitude: 10 }),
  place_iso_alpha3_key: async (db) => {
    await aCountry(db, { iso_alpha3: 'XTN' })
    await aCountry(db, { iso_alpha3: 'XTN' })
  },
  place_name_key: async (db) => {
    const country = await aCountry(db)
    await aPlace(db, country, { name: 'Sidi Bouzid' })
    await aPlace(db, country, { name: 'Sidi Bouzid' })
  },
  place_level_below_parent: async (db) => {
    const locality = await aPlace(db, await aCountry(db), { level: 'locality' })
    await aPlace(db, locality, { level: 'admin1' })
  },
  // sources and reports
  source_name_not_blank: (db) => aSource(db, { name: '' }),
  source_scale_not_blank: (db) => aSource(db, { scale: ' ' }),
  source_url_format: (db) => aSource(db, { url: 'javascript:alert(1)' }),
  source_kind_name_key: async (db) => {
    await aSource(db, { name: 'Reuters', kind: 'news_agency' })
    await aSource(db, { name: 'REUTERS', kind: 'news_agency' })
  },
  source_version_positive: (db) => aSource(db, { version: 0 }),
  report_version_positive: (db) => aReport(db, { version: 0 }),
  report_identifiable: (db) => aReport(db, { headline: null, url: null, citation: ' ' }),
  report_language_format: (db) => aReport(db, { language: 'English' }),
  report_url_format: (db) => aReport(db, { url: 'ftp://example.org/a' }),
  report_url_key: async (db) => {
    await aReport(db, { url: 'https://example.org/raid' })
    await aReport(db, { url: 'https://example.org/raid' })
  },
  report_citation_text_key: async (db) => {
    await aReport(db, { headline: null, citation: 'Reuters 25/2-09' })
    await aReport(db, { headline: null, citation: 'Reuters 25/2-09' })
  },
  report_citation_one_target: async (db) =>
    db
      .insertInto('report_citation')
      .values({
        report_id: await aReport(db),
        cited_report_id: await aReport(db),
        cited_source_id: await aSource(db),
      })
      .execute(),
  report_citation_not_self: async (db) => {
    const report = await aReport(db)
    await db
      .insertInto('report_citation')
      .values({ report_id: report, cited_report_id: report })
      .execute()
  },
  report_citation_key: async (db) => {
    const values = { report_id: await aReport(db), cited_source_id: await aSource(db) }
    await db.insertInto('report_citation').values(values).execute()
    await db.insertInto('report_citation').values(values).execute()
  },
  // events
  event_title_not_blank: (db) => anEvent(db, { title: '\t' }),
  event_dates_ordered: (db) => anEvent(db, { date_start: '2019-01-03', date_end: '2019-01-02' }),
  event_latitude_range: (db) => anEvent(db, { latitude: -90.5, longitude: 9 }),
  event_longitude_range: (db) => anEvent(db, { latitude: 35, longitude: 180.1 }),
  event_coordinates_paired: (db) => anEvent(db, { longitude: 9 }),
  event_tags_not_blank: (db) => anEvent(db, { tags: ['raid', ''] }),
  event_version_positive: (db) => anEvent(db, { version: 0 }),
  event_type_code_not_blank: (db) =>
    db.insertInto('event_type').values({ scheme: 'gtd', code: ' ', label: 'x' }).execute(),
  event_type_label_not_blank: (db) =>
    db.insertInto('event_type').values({ scheme: 'gtd', code: '99', label: '' }).execute(),
  event_type_code_key: (db) =>
    db.insertInto('event_type').values({ scheme: 'gtd', code: '3', label: 'Again' }).execute(),
  event_type_not_own_parent: (db) =>
    sql`INSERT INTO event_type (id, scheme, code, label, parent_id) OVERRIDING SYSTEM VALUE
        VALUES (900001, 'gtd', '98', 'Loop', 900001)`.execute(db),
  event_type_parent_fkey: async (db) => {
    const acled = await db
      .selectFrom('event_type')
      .select('id')
      .where('scheme', '=', 'acled')
      .where('code', '=', 'battles')
      .executeTakeFirstOrThrow()
    await db
      .insertInto('event_type')
      .values({ scheme: 'gtd', code: '97', label: 'Wrong parent', parent_id: acled.id })
      .execute()
  },
  event_classification_one_primary_key: async (db) => {
    const event = await anEvent(db)
    const types = await db
      .selectFrom('event_type')
      .select('id')
      .where('scheme', '=', 'gtd')
      .limit(2)
      .execute()
    await db
      .insertInto('event_classification')
      .values(types.map((type) => ({ event_id: event, event_type_id: type.id, is_primary: true })))
      .execute()
  },
  event_link_not_self: async (db) => {
    const event = await anEvent(db)
    await db
      .insertInto('event_link')
      .values({ event_id: event, related_event_id: event, kind: 'context' })
      .execute()
  },
  event_citation_quote_not_blank: async (db) =>
    db
      .insertInto('event_citation')
      .values({ event_id: await anEvent(db), report_id: await aReport(db), quote: ' ' })
      .execute(),
  event_citation_key: async (db) => {
    const values = { event_id: await anEvent(db), report_id: await aReport(db) }
    await db.insertInto('event_citation').values(values).execute()
    await db.insertInto('event_citation').values(values).execute()
  },
  // groups and persons
  armed_group_name_not_blank: (db) => aGroup(db, { name: '' }),
  armed_group_dates_ordered: (db) =>
    aGroup(db, { founded_on: '2014-01-01', dissolved_on: '2013-12-31' }),
  armed_group_version_positive: (db) => aGroup(db, { version: -1 }),
  armed_group_not_merged_into_self: async (db) => {
    const id = await aGroup(db)
    await db.updateTable('armed_group').set({ merged_into_id: id }).where('id', '=', id).execute()
  },
  person_version_positive: (db) => aPerson(db, { version: 0 }),
  group_alias_not_blank: async (db) =>
    db
      .insertInto('group_alias')
      .values({ group_id: await aGroup(db), alias: '' })
      .execute(),
  group_alias_language_format: async (db) =>
    db
      .insertInto('group_alias')
      .values({ group_id: await aGroup(db), alias: 'ISIS', language: 'EN' })
      .execute(),
  group_alias_key: async (db) => {
    const group = await aGroup(db)
    await db
      .insertInto('group_alias')
      .values([
        { group_id: group, alias: 'Daesh' },
        { group_id: group, alias: 'DAESH' },
      ])
      .execute()
  },
  group_external_id_scheme_format: async (db) =>
    db
      .insertInto('group_external_id')
      .values({ group_id: await aGroup(db), scheme: 'UCDP', external_id: '1' })
      .execute(),
  group_external_id_not_blank: async (db) =>
    db
      .insertInto('group_external_id')
      .values({ group_id: await aGroup(db), scheme: 'ucdp', external_id: ' ' })
      .execute(),
  group_external_id_key: async (db) => {
    await db
      .insertInto('group_external_id')
      .values({ group_id: await aGroup(db), scheme: 'ucdp', external_id: '488' })
      .execute()
    await db
      .insertInto('group_external_id')
      .values({ group_id: await aGroup(db), scheme: 'ucdp', external_id: '488' })
      .execute()
  },
  group_relation_not_self: async (db) => {
    const group = await aGroup(db)
    await aGroupRelation(db, { from_group_id: group, to_group_id: group })
  },
  group_relation_dates_ordered: (db) =>
    aGroupRelation(db, { valid_from: '2015-01-01', valid_to: '2014-01-01' }),
  group_relation_symmetric_order: async (db) => {
    const [low, high] = [await aGroup(db), await aGroup(db)]
    await aGroupRelation(db, { from_group_id: high, to_group_id: low, kind: 'ally' })
  },
  group_relation_no_overlap: async (db) => {
    const pair = {
      from_group_id: await aGroup(db),
      to_group_id: await aGroup(db),
      kind: 'allegiance' as const,
    }
    await aGroupRelation(db, { ...pair, valid_from: '2014-06-01', valid_to: '2016-01-01' })
    await aGroupRelation(db, { ...pair, valid_from: '2015-01-01' })
  },
  person_name_not_blank: (db) => aPerson(db, { name: ' ' }),
  person_dates_ordered: (db) => aPerson(db, { born_on: '1990-01-01', died_on: '1989-01-01' }),
  membership_role_not_blank: async (db) =>
    db
      .insertInto('membership')
      .values({
        person_id: await aPerson(db),
        group_id: await aGroup(db),
        role: '',
        report_id: await aReport(db),
      })
      .execute(),
  membership_dates_ordered: async (db) =>
    db
      .insertInto('membership')
      .values({
        person_id: await aPerson(db),
        group_id: await aGroup(db),
        valid_from: '2019-01-01',
        valid_to: '2014-01-01',
        report_id: await aReport(db),
      })
      .execute(),
  membership_no_overlap: async (db) => {
    const values = {
      person_id: await aPerson(db),
      group_id: await aGroup(db),
      report_id: await aReport(db),
    }
    await db
      .insertInto('membership')
      .values({ ...values, valid_from: '2014-01-01' })
      .execute()
    await db
      .insertInto('membership')
      .values({ ...values, valid_from: '2016-01-01', valid_to: '2017-01-01' })
      .execute()
  },
  // event participants and figures
  event_actor_key: async (db) => {
    const values = {
      event_id: await anEvent(db),
      group_id: await aGroup(db),
      role: 'perpetrator' as const,
    }
    await db.insertInto('event_actor').values([values, values]).execute()
  },
  event_person_role_not_blank: async (db) =>
    db
      .insertInto('event_person')
      .values({ event_id: await anEvent(db), person_id: await aPerson(db), role: ' ' })
      .execute(),
  casualty_figure_low_non_negative: (db) => aCasualtyFigure(db, { low: -1, best: null }),
  casualty_figure_best_non_negative: (db) => aCasualtyFigure(db, { best: -2 }),
  casualty_figure_high_non_negative: (db) => aCasualtyFigure(db, { best: null, high: -3 }),
  casualty_figure_low_le_best: (db) => aCasualtyFigure(db, { low: 3, best: 2 }),
  casualty_figure_best_le_high: (db) => aCasualtyFigure(db, { best: 5, high: 4 }),
  casualty_figure_low_le_high: (db) => aCasualtyFigure(db, { low: 5, best: null, high: 4 }),
  casualty_figure_has_number: (db) => aCasualtyFigure(db, { best: null }),
  casualty_figure_vague_term: (db) => aCasualtyFigure(db, { qualifier: 'vague', best: null }),
  casualty_figure_key: async (db) => {
    const values = { event_id: await anEvent(db), report_id: await aReport(db) }
    await aCasualtyFigure(db, { ...values, best: 2 })
    await aCasualtyFigure(db, { ...values, best: 3 })
  },
  claim_one_subject: async (db) =>
    db
      .insertInto('claim')
      .values({
        event_id: await anEvent(db),
        group_id: await aGroup(db),
        property: 'x',
        statement: 's',
        best: 1,
        report_id: await aReport(db),
      })
      .execute(),
  claim_property_format: async (db) =>
    db
      .insertInto('claim')
      .values({
        group_id: await aGroup(db),
        property: 'Foreign Fighters',
        statement: 's',
        best: 1,
        report_id: await aReport(db),
      })
      .execute(),
  claim_statement_not_blank: async (db) =>
    db
      .insertInto('claim')
      .values({
        group_id: await aGroup(db),
        property: 'x',
        statement: '',
        best: 1,
        report_id: await aReport(db),
      })
      .execute(),
  claim_has_value: async (db) =>
    db
      .insertInto('claim')
      .values({
        group_id: await aGroup(db),
        property: 'x',
        statement: 's',
        report_id: await aReport(db),
      })
      .execute(),
  claim_low_le_best: async (db) =>
    db
      .insertInto('claim')
      .values({
        group_id: await aGroup(db),
        property: 'x',
        statement: 's',
        low: 6000,
        best: 2500,
        report_id: await aReport(db),
      })
      .execute(),
  claim_best_le_high: async (db) =>
    db
      .insertInto('claim')
      .values({
        group_id: await aGroup(db),
        property: 'x',
        statement: 's',
        best: 6000,
        high: 2500,
        report_id: await aReport(db),
      })
      .execute(),
  claim_low_le_high: async (db) =>
    db
      .insertInto('claim')
      .values({
        group_id: await aGroup(db),
        property: 'x',
        statement: 's',
        low: 6000,
        high: 2500,
        report_id: await aReport(db),
      })
      .execute(),
  // imports, keys, revisions
  import_record_dataset_format: (db) =>
    db
      .insertInto('import_record')
      .values({ dataset: 'UCDP GED', release: '23.1', external_id: '1', raw: '{}' })
      .execute(),
  import_record_release_not_blank: (db) =>
    db
      .insertInto('import_record')
      .values({ dataset: 'ucdp_ged', release: '', external_id: '1', raw: '{}' })
      .execute(),
  import_record_external_id_not_blank: (db) =>
    db
      .insertInto('import_record')
      .values({ dataset: 'ucdp_ged', release: '23.1', external_id: ' ', raw: '{}' })
      .execute(),
  import_record_raw_is_object: (db) =>
    db
      .insertInto('import_record')
      .values({ dataset: 'ucdp_ged', release: '23.1', external_id: '1', raw: '[1,2]' })
      .execute(),
  import_record_key: async (db) => {
    const row = { dataset: 'ucdp_ged', release: '23.1', external_id: '36210', raw: '{}' }
    await db
      .insertInto('import_record')
      .values([row, { ...row, release: '24.1' }])
      .execute()
  },
  // Every release's row is kept once per release (sql/0052): written directly, not through
  // import_record's trigger, to meet the rule itself.
  import_record_release_key: async (db) => {
    const row = { dataset: 'ucdp_ged', release: '23.1', external_id: '36211', raw: '{}' }
    await db.insertInto('import_record_release').values([row, row]).execute()
  },
  source_alias_not_blank: async (db) =>
    db
      .insertInto('source_alias')
      .values({ source_id: await aSource(db), alias: ' ' })
      .execute(),
  // One name names one source: "Reuters News" keys as "Reuters" (sql/0053).
  source_alias_key: async (db) => {
    await db
      .insertInto('source_alias')
      .values([
        { source_id: await aSource(db, { name: 'Alias One' }), alias: 'Reuters' },
        { source_id: await aSource(db, { name: 'Alias Two' }), alias: 'Reuters News' },
      ])
      .execute()
  },
  api_key_name_not_blank: (db) =>
    db
      .insertInto('api_key')
      .values({ name: ' ', role: 'reader', prefix: 'abcdefgh', key_hash: 'h' })
      .execute(),
  api_key_prefix_format: (db) =>
    db
      .insertInto('api_key')
      .values({ name: 'n', role: 'reader', prefix: 'short', key_hash: 'h' })
      .execute(),
  api_key_hash_not_blank: (db) =>
    db
      .insertInto('api_key')
      .values({ name: 'n', role: 'reader', prefix: 'abcdefgh', key_hash: '' })
      .execute(),
  api_key_prefix_key: (db) =>
    db
      .insertInto('api_key')
      .values([
        { name: 'a', role: 'reader', prefix: 'abcdefgh', key_hash: 'h1' },
        { name: 'b', role: 'editor', prefix: 'abcdefgh', key_hash: 'h2' },
      ])
      .execute(),
  // drafts (sql/0065)
  event_draft_text_not_blank: (db) => aDraft(db, { text: ' ' }),
  event_draft_url_format: (db) => aDraft(db, { url: 'ftp://example.org' }),
  event_draft_source_not_blank: (db) => aDraft(db, { source_name: '' }),
  event_draft_decided: (db) => aDraft(db, { status: 'rejected' }),
  event_draft_accepted_event: (db) => aDraft(db, { status: 'accepted', decided_at: new Date() }),
  revision_entity_type_format: (db) =>
    db
      .insertInto('revision')
      .values({ operation: 'create', entity_type: 'Event', entity_id: 1, after: '{}' })
      .execute(),
  revision_has_state: (db) =>
    db
      .insertInto('revision')
      .values({ operation: 'update', entity_type: 'event', entity_id: 1 })
      .execute(),
  revision_release_of_dataset: (db) =>
    db
      .insertInto('revision')
      .values({
        operation: 'create',
        entity_type: 'event',
        entity_id: 1,
        after: '{}',
        dataset: 'ucdp_ged',
      })
      .execute(),

  // derived data: one rollup row per month, country and category (NULLs included)
  event_stats_rollup_key: (db) =>
    db
      .insertInto('event_stats_rollup')
      .values([
        { month: '2020-01-01', country_id: null, category: null, events: 1 },
        { month: '2020-01-01', country_id: null, category: null, events: 2 },
      ])
      .execute(),
}

/** Runs the write in a transaction that never commits; returns the error it raised, if any. */
async function errorOf(
  write: (db: Db) => Promise<unknown>,
): Promise<{ constraint?: string; message: string } | undefined> {
  const rolledBack = new Error('rolled back')
  try {
    await testDb()
      .transaction()
      .execute(async (trx) => {
        await write(trx)
        throw rolledBack
      })
  } catch (error) {
    return error === rolledBack ? undefined : (error as { constraint?: string; message: string })
  }
  return undefined
}

describe('the database rejects', () => {
  it.each(Object.entries(cases))('a row that breaks %s', async (constraint, write) => {
    const error = await errorOf(write)
    expect(error, 'the bad row was accepted').toBeDefined()
    expect(error?.constraint, error?.message).toBe(constraint)
  })
})

// (scheme, id) is unique because id is: the constraint exists only as the target of
// event_type_parent_fkey, and no row can break it.
const impliedByPrimaryKey = ['event_type_scheme_id_key']

describe('the rules', () => {
  it('each have a case above', async () => {
    const { rows } = await sql<{ name: string }>`
      SELECT conname AS name FROM pg_constraint
      WHERE connamespace = 'public'::regnamespace AND conrelid <> 0 AND contype IN ('c', 'u', 'x', 'f')
        AND (contype <> 'f' OR cardinality(conkey) > 1)
      UNION
      SELECT indexrelid::regclass::text FROM pg_index i
      WHERE indisunique AND NOT indisprimary
        AND indrelid::regclass::text NOT LIKE 'kysely%'
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
      ORDER BY 1`.execute(testDb())
    const uncovered = rows
      .map((row) => row.name)
      .filter((name) => !(name in cases) && !impliedByPrimaryKey.includes(name))
    expect(uncovered).toEqual([])
  })

  it('accept valid rows of the same shapes', async () => {
    const country = await aCountry(testDb(), {
      iso_alpha3: 'XVA',
      gw_code: 999,
      latitude: 1,
      longitude: 2,
    })
    await aPlace(testDb(), country, { level: 'locality' })
    await aCasualtyFigure(testDb(), { low: 2, best: 2, high: 5 })
    await aCasualtyFigure(testDb(), { qualifier: 'vague', vague_term: 'dozens', best: null })
    const [a, b] = [await aGroup(testDb()), await aGroup(testDb())]
    await aGroupRelation(testDb(), {
      from_group_id: a,
      to_group_id: b,
      valid_from: '2014-01-01',
      valid_to: '2015-01-01',
    })
    await aGroupRelation(testDb(), { from_group_id: a, to_group_id: b, valid_from: '2015-01-02' })
    await aGroupRelation(testDb(), {
      from_group_id: Math.min(a, b),
      to_group_id: Math.max(a, b),
      kind: 'rival',
    })
  })
})
