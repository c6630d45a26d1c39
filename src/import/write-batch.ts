import { createHash } from 'node:crypto'
import { sql, type Transaction } from 'kysely'
import {
  type Aggregate,
  recordRevisions,
  type State,
  sameState,
  statesOf,
} from '../db/aggregate-state.js'
import type { DB } from '../db/schema.js'
import { casualtyRollup, casualtySummary } from './casualty-rollup.js'
import type { ImportedEvent } from './imported-event.js'

export interface BatchTarget {
  /** import_record.dataset, such as 'ucdp_ged'. */
  readonly dataset: string
  readonly release: string
  /** group_external_id.scheme of the actors' ids, such as 'ucdp'. */
  readonly actorScheme: string
  /** The report (the dataset release) that attests the dataset's own figures. */
  readonly datasetReportId: number
}

export interface BatchResult {
  readonly inserted: number
  readonly updated: number
  readonly unchanged: number
}

type Trx = Transaction<DB>

/** JSON rows as a table: one parameter, one statement, however many rows. */
const rowsOf = (rows: readonly unknown[]) =>
  sql`jsonb_array_elements(${JSON.stringify(rows)}::jsonb)`

/** What a batch's rows are against what the dataset's earlier imports recorded. */
export interface BatchPlan {
  /** Rows never imported: new events. */
  readonly fresh: readonly ImportedEvent[]
  /** Rows imported before whose raw data has changed since, with their events. */
  readonly changed: readonly { readonly event: ImportedEvent; readonly eventId: number }[]
  readonly unchanged: number
}

/** The rows shared between events (places, groups, reports), by the keys the rows name them by. */
export interface SharedRows {
  readonly placeIds: ReadonlyMap<string, number>
  readonly groupIds: ReadonlyMap<string, number>
  readonly reportIds: ReadonlyMap<string, number>
  /** Ids for the new events, in the file's order: taken here, one batch after another. */
  readonly newEventIds: readonly number[]
}

/**
 * Writes one batch of imported rows in the caller's transaction, set-based: a fixed number of
 * statements per batch, whatever its size. A row whose raw data is unchanged is skipped; a
 * changed row (a newer release) updates its event, replaces what the dataset says about it
 * and records a revision. The same three steps run-import.ts runs in two transactions to let
 * batches overlap.
 */
export async function writeImportBatch(
  trx: Trx,
  target: BatchTarget,
  events: readonly ImportedEvent[],
): Promise<BatchResult> {
  const plan = await planBatch(trx, target, events)
  if (!writesAnything(plan)) return { inserted: 0, updated: 0, unchanged: plan.unchanged }
  return writeBatchEvents(trx, target, plan, await writeSharedRows(trx, target, plan))
}

export const writesAnything = (plan: BatchPlan) => plan.fresh.length + plan.changed.length > 0

/** Which rows are new, changed or unchanged: by import_record's digests of what it holds. */
export async function planBatch(
  trx: Trx,
  target: BatchTarget,
  events: readonly ImportedEvent[],
): Promise<BatchPlan> {
  if (events.length === 0) return { fresh: [], changed: [], unchanged: 0 }
  const existing = await trx
    .selectFrom('import_record')
    .select(['external_id', 'event_id', 'raw_digest'])
    .where('dataset', '=', target.dataset)
    // One array parameter, not a placeholder per row: a statement of 1,000 parameters costs
    // more to parse and plan than to run.
    .where('external_id', '=', sql<string>`ANY(${events.map((event) => event.externalId)}::text[])`)
    .execute()
  const known = new Map(existing.map((row) => [row.external_id, row]))
  const fresh = events.filter((event) => !known.has(event.externalId))
  // A known row is changed when its digest differs; one imported before digests were kept is
  // compared by its raw data.
  const changed: { event: ImportedEvent; eventId: number }[] = []
  const undigested: ImportedEvent[] = []
  for (const event of events) {
    const record = known.get(event.externalId)
    if (!record || record.event_id === null) continue
    if (record.raw_digest === null) undigested.push(event)
    else if (record.raw_digest !== rawDigest(event.raw))
      changed.push({ event, eventId: Number(record.event_id) })
  }
  changed.push(...(await rowsChangedSince(trx, target, undigested, known)))
  return { fresh, changed, unchanged: events.length - fresh.length - changed.length }
}

/**
 * The places, groups and reports the batch's rows name, found or created; what it creates is
 * recorded as created by the release. Committed before the events that point at them when the
 * batches overlap, so that the next batch finds them instead of creating them again.
 */
export async function writeSharedRows(
  trx: Trx,
  target: Pick<BatchTarget, 'actorScheme' | 'dataset' | 'release'>,
  plan: BatchPlan,
): Promise<SharedRows> {
  const writing = [...plan.fresh, ...plan.changed.map((item) => item.event)]
  const created: Created = { armed_group: [], source: [], report: [] }
  const placeIds = await upsertPlaces(trx, writing)
  const groupIds = await upsertGroups(trx, target.actorScheme, writing, created)
  const reportIds = await upsertReports(
    trx,
    writing,
    plan.changed.map((item) => item.event),
    created,
  )
  // What a mutation records, an import records too (src/db/aggregate-state.ts): one revision per
  // aggregate it creates or changes, in the same shape, written by the release.
  for (const [kind, ids] of Object.entries(created))
    await recordRevisions(
      trx,
      'create',
      kind as Aggregate,
      target,
      ids.map((id) => ({ id, before: null })),
    )
  const newEventIds = await allocateIds(trx, 'event', plan.fresh.length)
  return { placeIds, groupIds, reportIds, newEventIds }
}

/**
 * The batch's events and what they hold (figures, actors, classifications, citations, the
 * import records), given their shared rows. Batches of new events only touch rows of their
 * own, so two can be written at once.
 */
export async function writeBatchEvents(
  trx: Trx,
  target: BatchTarget,
  { fresh, changed, unchanged }: BatchPlan,
  { placeIds, groupIds, reportIds, newEventIds: newIds }: SharedRows,
): Promise<BatchResult> {
  const writing = [...fresh, ...changed.map((item) => item.event)]
  const eventIds = new Map<string, number>([
    ...fresh.map((event, index) => [event.externalId, newIds[index] as number] as const),
    ...changed.map(({ event, eventId }) => [event.externalId, eventId] as const),
  ])
  const eventRows = writing.map((event) => ({
    id: eventIds.get(event.externalId),
    title: event.title,
    summary: event.summary,
    date_start: event.dateStart,
    date_end: event.dateEnd,
    date_precision: event.datePrecision,
    place_id: placeIds.get(placeKey(event)),
    location_text: event.locationText,
    latitude: event.latitude,
    longitude: event.longitude,
    geo_precision: event.geoPrecision,
    tags: event.tags,
    is_suicide: event.isSuicide,
    civilian_targeting: event.civilianTargeting,
    ...casualtyRollup(event.figures),
  }))
  const eventColumns = sql`id bigint, title text, summary text, date_start date, date_end date,
    date_precision date_precision, place_id bigint, location_text text, latitude float8, longitude float8,
    geo_precision geo_precision, tags text[], is_suicide boolean, civilian_targeting boolean,
    killed_best int, injured_best int, killed_low int, killed_high int, injured_low int, injured_high int`
  const freshRows = eventRows.slice(0, fresh.length)
  const changedRows = eventRows.slice(fresh.length)

  // The importer keeps the rollups of its new events itself (sql/0059): their triggers stand
  // aside for the statements that insert those events and their figures, and nothing else.
  const rollupsWritten = (on: boolean) =>
    sql`SELECT set_config('attest.event_rollup_written', ${on ? 'on' : 'off'}, true),
      set_config('attest.stats_rollup_written', ${on ? 'on' : 'off'}, true)`.execute(trx)
  if (freshRows.length > 0) {
    await rollupsWritten(true)
    await sql`
      INSERT INTO event (id, title, summary, date_start, date_end, date_precision, place_id, location_text,
        latitude, longitude, geo_precision, tags, is_suicide, civilian_targeting, killed_best, injured_best,
        killed_low, killed_high, injured_low, injured_high)
      OVERRIDING SYSTEM VALUE
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(freshRows)}::jsonb) AS r (${eventColumns})`.execute(
      trx,
    )
    await rollupsWritten(false)
  }
  const changedIds = changedRows.map((row) => row.id as number)
  const before = await statesOf(trx, 'event', changedIds)
  if (changedRows.length > 0) {
    await sql`
      UPDATE event SET title = r.title, summary = r.summary, date_start = r.date_start, date_end = r.date_end,
        date_precision = r.date_precision, place_id = r.place_id, location_text = r.location_text,
        latitude = r.latitude, longitude = r.longitude, geo_precision = r.geo_precision, tags = r.tags,
        is_suicide = r.is_suicide, civilian_targeting = r.civilian_targeting,
        killed_best = r.killed_best, injured_best = r.injured_best, killed_low = r.killed_low,
        killed_high = r.killed_high, injured_low = r.injured_low, injured_high = r.injured_high
      FROM jsonb_to_recordset(${JSON.stringify(changedRows)}::jsonb) AS r (${eventColumns})
      WHERE event.id = r.id`.execute(trx)
    // What earlier releases said stays: their figures are superseded by this release's, kept
    // and left out of the consolidation (sql/0051). What this release said before (the same
    // release imported again from a corrected file) is replaced. Actors and classifications
    // hold one value per event: the dataset's are replaced, the earlier ones kept in the
    // revision's before state. Citations are only ever added: a report cannot tell whether a
    // dataset or an editor cited it.
    await sql`DELETE FROM casualty_figure
      WHERE event_id = ANY(${changedIds}::bigint[]) AND report_id = ${target.datasetReportId}`.execute(
      trx,
    )
    const datasetReports = sql`SELECT report.id FROM report WHERE report.source_id =
      (SELECT source_id FROM report WHERE id = ${target.datasetReportId})`
    await sql`DELETE FROM event_actor
      WHERE event_id = ANY(${changedIds}::bigint[]) AND report_id IN (${datasetReports})`.execute(
      trx,
    )
    const schemes = [
      ...new Set(changed.flatMap(({ event }) => event.types.map((type) => type.scheme))),
    ]
    await sql`DELETE FROM event_classification c USING event_type t
      WHERE c.event_id = ANY(${changedIds}::bigint[]) AND t.id = c.event_type_id
        AND t.scheme = ANY(${schemes}::event_type_scheme[])`.execute(trx)
  }

  const idOf = (event: ImportedEvent) => eventIds.get(event.externalId) as number
  await sql`
    INSERT INTO event_classification (event_id, event_type_id, is_primary)
    -- An editor's primary classification (in another taxonomy) stays the primary one.
    SELECT (r->>'eventId')::bigint, type.id, (r->>'primary')::boolean AND NOT EXISTS (
      SELECT 1 FROM event_classification p WHERE p.event_id = (r->>'eventId')::bigint AND p.is_primary)
    FROM ${rowsOf(writing.flatMap((event) => event.types.map((type) => ({ eventId: idOf(event), ...type }))))} AS r
    JOIN event_type type ON type.scheme = (r->>'scheme')::event_type_scheme AND type.code = r->>'code'`.execute(
    trx,
  )
  // One actor per (event, group, role), in the dataset's order.
  const actorRows = new Map(
    writing.flatMap((event) =>
      event.actors.map((actor) => {
        const row = { eventId: idOf(event), groupId: groupIds.get(groupKey(actor)), ...actor }
        return [`${row.eventId}:${row.groupId}:${actor.role}`, row] as const
      }),
    ),
  )
  await sql`
    INSERT INTO event_actor (event_id, group_id, role, side, attribution, report_id)
    SELECT (r->>'eventId')::bigint, (r->>'groupId')::bigint, (r->>'role')::actor_role, (r->>'side')::actor_side,
      (r->>'attribution')::attribution, ${target.datasetReportId}::bigint
    FROM ${rowsOf([...actorRows.values()])} AS r
    -- An editor who already put this group in this role keeps their attribution and report.
    ON CONFLICT (event_id, group_id, role) DO NOTHING`.execute(trx)
  // A new event's rollup went in with it (casualtyRollup above), and its month's stats are added
  // at the end, from the figures in hand. A changed event may have figures from other reports: the
  // triggers compute its rollups from all of them.
  const figuresOf = (events: readonly ImportedEvent[]) =>
    events.flatMap((event) => event.figures.map((figure) => ({ eventId: idOf(event), ...figure })))
  if (fresh.length > 0) {
    await rollupsWritten(true)
    await insertFigures(trx, target, figuresOf(fresh))
    await rollupsWritten(false)
  }
  await insertFigures(trx, target, figuresOf(changed.map((item) => item.event)))
  await sql`
    INSERT INTO event_citation (event_id, report_id)
    SELECT DISTINCT (r->>'eventId')::bigint, (r->>'reportId')::bigint
    FROM ${rowsOf(
      writing.flatMap((event) =>
        event.reports.map((report) => ({
          eventId: idOf(event),
          reportId: reportIds.get(report.citation),
        })),
      ),
    )} AS r
    ON CONFLICT DO NOTHING`.execute(trx)
  await sql`
    INSERT INTO import_record (dataset, release, external_id, raw, raw_digest, event_id)
    SELECT ${target.dataset}, ${target.release}, r->>'externalId', r->'raw', r->>'digest', (r->>'eventId')::bigint
    FROM ${rowsOf(writing.map((event) => ({ externalId: event.externalId, raw: event.raw, digest: rawDigest(event.raw), eventId: idOf(event) })))} AS r
    ON CONFLICT (dataset, external_id) DO UPDATE
      SET release = excluded.release, raw = excluded.raw, raw_digest = excluded.raw_digest,
        event_id = excluded.event_id, imported_at = now()`.execute(trx)
  await recordRevisions(
    trx,
    'create',
    'event',
    target,
    newIds.map((id) => ({ id, before: null })),
  )
  const updated = await recordUpdates(trx, target, before)
  // Last: the months' locks it takes (sql/0043) are then held only until the commit, so batches
  // written side by side wait little for each other's months.
  await addToStatsRollup(
    trx,
    fresh.map((event) => ({ id: idOf(event), event })),
  )
  return { inserted: fresh.length, updated, unchanged: unchanged + changed.length - updated }
}

/**
 * Adds new events to the monthly stats rollup (sql/0043's add_to_event_stats_rollup): one to
 * their month and country's count, and their casualty summary to its categories, as the
 * triggers would have from casualty_summary.
 */
async function addToStatsRollup(
  trx: Trx,
  created: readonly { id: number; event: ImportedEvent }[],
): Promise<void> {
  if (created.length === 0) return
  const rows = created.flatMap(({ id, event }) => [
    { id, category: null, low: null, best: null, high: null },
    ...casualtySummary(event.figures).map((summary) => ({ id, ...summary })),
  ])
  await sql`
    SELECT add_to_event_stats_rollup(coalesce((
      SELECT jsonb_agg(to_jsonb(added)) FROM (
        SELECT date_trunc('month', e.date_start)::date AS month, e.country_id, s.category,
          count(*) AS events, sum(s.low) AS low, sum(s.best) AS best, sum(s.high) AS high
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          AS s (id bigint, category casualty_category, low int, best int, high int)
        JOIN event e ON e.id = s.id
        WHERE e.deleted_at IS NULL
        GROUP BY 1, 2, 3
      ) added), '[]'))`.execute(trx)
}

async function insertFigures(
  trx: Trx,
  target: BatchTarget,
  figures: readonly ({ eventId: number } & ImportedEvent['figures'][number])[],
): Promise<void> {
  if (figures.length === 0) return
  await sql`
    INSERT INTO casualty_figure (event_id, category, population, low, best, high, qualifier, report_id)
    SELECT (r->>'eventId')::bigint, (r->>'category')::casualty_category, (r->>'population')::casualty_population,
      (r->>'low')::int, (r->>'best')::int, (r->>'high')::int, (r->>'qualifier')::figure_qualifier,
      ${target.datasetReportId}::bigint
    FROM ${rowsOf(figures)} AS r`.execute(trx)
}

type Created = Record<'armed_group' | 'source' | 'report', number[]>

/**
 * A changed event steps its version once, so an editor holding the old one gets a CONFLICT,
 * and gets an update revision; an event whose raw row changed but whose state did not (a column
 * Attest does not read) keeps its version and gets none. Returns how many events changed.
 */
async function recordUpdates(
  trx: Trx,
  target: BatchTarget,
  before: ReadonlyMap<number, State>,
): Promise<number> {
  const after = await statesOf(trx, 'event', [...before.keys()])
  const edited = [...before].filter(([id, state]) => !sameState(state, after.get(id) as State))
  if (edited.length === 0) return 0
  await sql`UPDATE event SET version = version + 1
    WHERE id = ANY(${edited.map(([id]) => id)}::bigint[])`.execute(trx)
  await recordRevisions(
    trx,
    'update',
    'event',
    target,
    edited.map(([id, state]) => ({ id, before: state })),
  )
  return edited.length
}

/** A row's digest as import_record keeps it (sql/0070): sha256 of its fields sorted by name. */
export function rawDigest(raw: Readonly<Record<string, string>>): string {
  const fields = Object.keys(raw).sort()
  return createHash('sha256')
    .update(JSON.stringify(fields.map((field) => [field, raw[field]])))
    .digest('hex')
}

/**
 * The rows whose raw data differs from what import_record holds: compared by the database (jsonb
 * equality ignores the order of keys), so an unchanged re-import sends each row once and reads
 * back only the ids of those that changed.
 */
async function rowsChangedSince(
  trx: Trx,
  target: BatchTarget,
  events: readonly ImportedEvent[],
  known: ReadonlyMap<string, { event_id: number | null }>,
): Promise<{ event: ImportedEvent; eventId: number }[]> {
  if (events.length === 0) return []
  const { rows } = await sql<{ index: number }>`
    SELECT (r.index - 1)::int AS index
    FROM jsonb_array_elements(${JSON.stringify(events.map((event) => [event.externalId, event.raw]))}::jsonb)
      WITH ORDINALITY AS r (row, index)
    JOIN import_record record ON record.dataset = ${target.dataset} AND record.external_id = r.row->>0
    WHERE record.raw IS DISTINCT FROM r.row->1`.execute(trx)
  return rows.map(({ index }) => {
    const event = events[index] as ImportedEvent
    return { event, eventId: Number(known.get(event.externalId)?.event_id) }
  })
}

/** Ids taken from a table's identity sequence, so rows and their children go in set-based. */
async function allocateIds(
  trx: Trx,
  table: 'event' | 'armed_group',
  count: number,
): Promise<number[]> {
  if (count === 0) return []
  const { rows } = await sql<{ id: number }>`
    SELECT nextval(pg_get_serial_sequence(${table}, 'id')) AS id FROM generate_series(1, ${count})`.execute(
    trx,
  )
  return rows.map((row) => Number(row.id))
}

const placeKey = (event: ImportedEvent) =>
  JSON.stringify([event.place.country, event.place.admin1 ?? null, event.place.admin2 ?? null])

/** Country, admin1 and admin2 of every row, found or created level by level; id of each row's most precise place. */
async function upsertPlaces(
  trx: Trx,
  events: readonly ImportedEvent[],
): Promise<Map<string, number>> {
  const countries = [...new Map(events.map((event) => [event.place.country, event.place])).values()]
  await sql`
    INSERT INTO place (level, name, gw_code, iso_alpha3)
    SELECT 'country', r->>'country', (r->>'gwCode')::int, r->>'isoAlpha3' FROM ${rowsOf(countries)} AS r
    ON CONFLICT DO NOTHING`.execute(trx)
  const { rows } = await sql<{ key: string; id: number }>`
    WITH wanted AS (
      SELECT DISTINCT r->>'country' AS country, r->>'isoAlpha3' AS iso, r->>'admin1' AS admin1, r->>'admin2' AS admin2
      FROM ${rowsOf(events.map((event) => event.place))} AS r
    ),
    -- A country is found by its ISO code when it has one (datasets spell names differently:
    -- "Congo, DRC", "Democratic Republic of the Congo"), else by name.
    country AS (
      SELECT wanted.country, wanted.admin1, wanted.admin2, found.id AS country_id FROM wanted
      CROSS JOIN LATERAL (
        SELECT place.id FROM place
        WHERE place.parent_id IS NULL AND (place.iso_alpha3 = wanted.iso OR place.name = wanted.country)
        ORDER BY place.iso_alpha3 = wanted.iso DESC NULLS LAST, place.id
        LIMIT 1
      ) found
    ),
    admin1_new AS (
      INSERT INTO place (parent_id, level, name)
      SELECT DISTINCT country_id, 'admin1'::place_level, admin1 FROM country WHERE admin1 IS NOT NULL
      ON CONFLICT ON CONSTRAINT place_name_key DO NOTHING
      RETURNING id, parent_id, name
    ),
    admin1 AS (
      SELECT country.*, coalesce(fresh.id, old.id) AS admin1_id FROM country
      LEFT JOIN admin1_new fresh ON fresh.parent_id = country.country_id AND fresh.name = country.admin1
      LEFT JOIN place old ON old.parent_id = country.country_id AND old.level = 'admin1' AND old.name = country.admin1
    ),
    admin2_new AS (
      INSERT INTO place (parent_id, level, name)
      SELECT DISTINCT coalesce(admin1_id, country_id), 'admin2'::place_level, admin2 FROM admin1 WHERE admin2 IS NOT NULL
      ON CONFLICT ON CONSTRAINT place_name_key DO NOTHING
      RETURNING id, parent_id, name
    )
    SELECT jsonb_build_array(admin1.country, admin1.admin1, admin1.admin2)::text AS key,
      coalesce(fresh.id, old.id, admin1.admin1_id, admin1.country_id) AS id
    FROM admin1
    LEFT JOIN admin2_new fresh ON fresh.parent_id = coalesce(admin1.admin1_id, admin1.country_id) AND fresh.name = admin1.admin2
    LEFT JOIN place old ON old.parent_id = coalesce(admin1.admin1_id, admin1.country_id) AND old.level = 'admin2' AND old.name = admin1.admin2`.execute(
    trx,
  )
  // jsonb renders arrays with a space after each comma; match JSON.stringify's form.
  return new Map(rows.map((row) => [JSON.stringify(JSON.parse(row.key)), Number(row.id)]))
}

const groupKey = (actor: { externalId: string | null; name: string }) =>
  actor.externalId ?? `name:${actor.name}`

/** Each actor's group: by its dataset id, else by name; created when new. */
async function upsertGroups(
  trx: Trx,
  scheme: string,
  events: readonly ImportedEvent[],
  created: Created,
): Promise<Map<string, number>> {
  // One group per key; a row that knows the actor's kind wins over one that does not.
  const byKey = new Map<string, ImportedEvent['actors'][number]>()
  for (const actor of events.flatMap((event) => event.actors)) {
    const seen = byKey.get(groupKey(actor))
    if (!seen || (seen.kind === 'unknown' && actor.kind !== 'unknown'))
      byKey.set(groupKey(actor), actor)
  }
  const actors = [...byKey.values()]
  // By the dataset's id, else by name (any known spelling, an alias: sql/0055). An actor with
  // an id takes a group found by name only if that group has no id in this dataset yet: two
  // actors the dataset tells apart stay apart.
  const { rows: found } = await sql<{ key: string; id: number; byName: boolean }>`
    SELECT r->>'key' AS key, coalesce(external.group_id, named.id) AS id,
      external.group_id IS NULL AND named.id IS NOT NULL AS "byName"
    FROM ${rowsOf(actors.map((actor) => ({ key: groupKey(actor), externalId: actor.externalId, name: actor.name })))} AS r
    LEFT JOIN group_external_id external ON external.scheme = ${scheme} AND external.external_id = r->>'externalId'
    LEFT JOIN LATERAL (SELECT group_named(r->>'name') AS id) candidate ON external.group_id IS NULL
    LEFT JOIN LATERAL (
      SELECT candidate.id WHERE r->>'externalId' IS NULL OR NOT EXISTS (
        SELECT 1 FROM group_external_id taken WHERE taken.group_id = candidate.id AND taken.scheme = ${scheme})
    ) named ON true`.execute(trx)
  const foundByName = new Set(found.filter((row) => row.byName).map((row) => row.key))
  const ids = new Map(
    found.filter((row) => row.id !== null).map((row) => [row.key, Number(row.id)]),
  )
  // New groups: one per dataset id, and one per name (in its group's spelling) for the rest:
  // "ISIL" and "Islamic State" in one batch are one new group.
  const unfound = actors.filter((actor) => !ids.has(groupKey(actor)))
  const { rows: spelled } = await sql<{ key: string }>`
    SELECT group_name_key(group_canonical_name(r #>> '{}')) AS key
    FROM ${rowsOf(unfound.map((actor) => actor.name))} AS r`.execute(trx)
  const newGroupKey = (actor: (typeof unfound)[number], index: number) =>
    actor.externalId ?? `name:${spelled[index]?.key}`
  const firstOfKey = new Map<string, (typeof unfound)[number]>()
  unfound.forEach((actor, index) => {
    if (!firstOfKey.has(newGroupKey(actor, index))) firstOfKey.set(newGroupKey(actor, index), actor)
  })
  const missing = [...firstOfKey.values()]
  const newIds = await allocateIds(trx, 'armed_group', missing.length)
  created.armed_group.push(...newIds)
  const rows = missing.map((actor, index) => ({
    id: newIds[index],
    name: actor.name,
    kind: actor.kind,
    externalId: actor.externalId,
  }))
  const idOfNew = new Map(missing.map((actor, index) => [actor, newIds[index] as number]))
  unfound.forEach((actor, index) => {
    const first = firstOfKey.get(newGroupKey(actor, index)) as (typeof unfound)[number]
    ids.set(groupKey(actor), idOfNew.get(first) as number)
  })
  if (rows.length > 0) {
    await sql`
      INSERT INTO armed_group (id, name, kind) OVERRIDING SYSTEM VALUE
      SELECT (r->>'id')::bigint, group_canonical_name(r->>'name'), (r->>'kind')::group_kind
      FROM ${rowsOf(rows)} AS r`.execute(trx)
    await sql`
      INSERT INTO group_external_id (group_id, scheme, external_id)
      SELECT (r->>'id')::bigint, ${scheme}, r->>'externalId' FROM ${rowsOf(rows)} AS r WHERE r->>'externalId' IS NOT NULL`.execute(
      trx,
    )
  }
  // A group found by name learns this dataset's id for it, and every group the dataset's
  // spelling of its name, so that the next import, and search, find it by them.
  const learned = actors.map((actor) => ({
    groupId: ids.get(groupKey(actor)),
    externalId: foundByName.has(groupKey(actor)) ? actor.externalId : null,
    name: actor.name,
  }))
  await sql`
    INSERT INTO group_external_id (group_id, scheme, external_id)
    SELECT (r->>'groupId')::bigint, ${scheme}, r->>'externalId' FROM ${rowsOf(learned)} AS r
    WHERE r->>'externalId' IS NOT NULL
    ON CONFLICT DO NOTHING`.execute(trx)
  await sql`
    INSERT INTO group_alias (group_id, alias)
    SELECT DISTINCT (r->>'groupId')::bigint, r->>'name' FROM ${rowsOf(learned)} AS r
    JOIN armed_group g ON g.id = (r->>'groupId')::bigint
    WHERE group_name_key(g.name) <> group_name_key(r->>'name')
    ON CONFLICT DO NOTHING`.execute(trx)
  return ids
}

/** The reports the rows cite (by reference text), their publishers and whom they quote. */
async function upsertReports(
  trx: Trx,
  events: readonly ImportedEvent[],
  changedEvents: readonly ImportedEvent[],
  created: Created,
): Promise<Map<string, number>> {
  const reports = [
    ...new Map(
      events.flatMap((event) => event.reports).map((report) => [report.citation, report]),
    ).values(),
  ]
  // The sources that publish the reports: found again by name, spelling and alias, created
  // when none is known (sql/0053). Created by this transaction: a row whose xmin is ours.
  const publishers = [...new Set(reports.map((report) => report.sourceName))].filter(
    (name) => name !== null,
  )
  const { rows: sources } = await sql<{ name: string; id: number }>`
    SELECT r #>> '{}' AS name, source_for_name(r #>> '{}') AS id FROM ${rowsOf(publishers)} AS r`.execute(
    trx,
  )
  const sourceIds = new Map(sources.map((row) => [row.name, Number(row.id)]))
  // A separate statement: the one that created them does not see its functions' rows.
  const { rows: createdSources } = await sql<{ id: number }>`
    SELECT id FROM source WHERE id = ANY(${[...sourceIds.values()]}::bigint[])
      AND xmin = pg_current_xact_id()::xid`.execute(trx)
  created.source.push(...createdSources.map((row) => Number(row.id)))
  const { rows: newReports } = await sql<{ id: number }>`
    INSERT INTO report (source_id, headline, published_on, citation)
    SELECT (r->>'sourceId')::bigint, r->>'headline', (r->>'publishedOn')::date, r->>'citation'
    FROM ${rowsOf(reports.map((report) => ({ ...report, sourceId: sourceIds.get(report.sourceName as string) })))} AS r
    ON CONFLICT (citation) WHERE url IS NULL AND citation IS NOT NULL DO NOTHING
    RETURNING id`.execute(trx)
  created.report.push(...newReports.map((row) => Number(row.id)))
  const { rows } = await sql<{ citation: string; id: number }>`
    SELECT citation, id FROM report
    WHERE url IS NULL AND citation = ANY(${reports.map((report) => report.citation)}::text[])`.execute(
    trx,
  )
  const ids = new Map(rows.map((row) => [row.citation, Number(row.id)]))
  // Whom a report quotes is linked when the report is new, or cited by a changed row (a newer
  // release may name more): a report found again was linked when it was created.
  const newReportIds = new Set(newReports.map((row) => Number(row.id)))
  const recited = new Set(
    changedEvents.flatMap((event) => event.reports.map((report) => report.citation)),
  )
  const quoting = reports.filter(
    (report) =>
      newReportIds.has(ids.get(report.citation) as number) || recited.has(report.citation),
  )
  // Whom a report quotes links to a source only when the name is one already known: a dataset's
  // "witnesses", "local sources" or a sentence naming a spokesman is not a source (the raw row
  // keeps it). A list ("Crisis Watch, Corbeau News") names each of its parts.
  await sql`
    INSERT INTO report_citation (report_id, cited_source_id)
    SELECT DISTINCT (r->>'reportId')::bigint, quoted.id
    FROM ${rowsOf(quoting.flatMap((report) => report.quotes.map((quoted) => ({ reportId: ids.get(report.citation), quoted }))))} AS r,
      LATERAL unnest(regexp_split_to_array(r->>'quoted', '[[:space:]]*[,;\n][[:space:]]*') || (r->>'quoted')) AS part,
      LATERAL (SELECT source_named(part) AS id) quoted
    WHERE quoted.id IS NOT NULL
    ON CONFLICT DO NOTHING`.execute(trx)
  return ids
}
