import { type RawBuilder, sql } from 'kysely'
import type { ActorRole, Attribution, EventTypeScheme } from './schema.js'

/** What the event list, its count and its statistics filter on; every given part must match. */
export interface EventFilter {
  /** Overlap of the event's [date_start, date_end] with [from, to]. */
  readonly from?: string
  readonly to?: string
  /** ISO 3166-1 alpha-3 codes. */
  readonly countries?: readonly string[]
  /** Place ids; a place includes everything below it. */
  readonly placeIds?: readonly number[]
  /** A parent type includes its sub-types (ACLED battles includes armed clashes). */
  readonly eventTypes?: readonly { readonly scheme: EventTypeScheme; readonly code: string }[]
  readonly groupIds?: readonly number[]
  /** With groupIds: also their affiliates by relations valid at the event's start date. */
  readonly includeAffiliates?: boolean
  readonly actorRoles?: readonly ActorRole[]
  readonly attributions?: readonly Attribution[]
  /** Thresholds on the consolidated best estimates (the casualty_summary view, rolled up on the event). */
  readonly minKilled?: number
  readonly minInjured?: number
  /** Web-search syntax over title, location and summary. */
  readonly search?: string
  readonly boundingBox?: {
    readonly south: number
    readonly west: number
    readonly north: number
    readonly east: number
  }
  readonly near?: {
    readonly latitude: number
    readonly longitude: number
    readonly radiusKm: number
  }
  readonly sourceIds?: readonly number[]
  readonly reportIds?: readonly number[]
  /** ISO timestamp. */
  readonly updatedSince?: string
  /** Whether the consolidated figures are disputed (the rollup column, sql/0051). */
  readonly disputed?: boolean
  /** Ids of the dataset rows the events were imported from, in any dataset. */
  readonly externalIds?: readonly string[]
}

const ids = (values: readonly number[]) => sql`${[...values]}::bigint[]`

/**
 * The filter as one SQL condition on the table `event` (live events only). Each part is a
 * parameterized fragment that an index serves: see sql/0003_events.sql.
 */
export function eventFilterCondition(filter: EventFilter): RawBuilder<boolean> {
  const parts: RawBuilder<unknown>[] = [sql`event.deleted_at IS NULL`]
  if (filter.from || filter.to) {
    // The same expression as event_date_range_idx, so that index serves the overlap.
    parts.push(
      sql`daterange(event.date_start, event.date_end, '[]') && daterange(${filter.from ?? null}::date, ${filter.to ?? null}::date, '[]')`,
    )
  }
  if (filter.countries?.length) {
    parts.push(
      sql`event.country_id IN (SELECT id FROM place WHERE iso_alpha3 = ANY(${[...filter.countries]}::text[]))`,
    )
  }
  if (filter.placeIds?.length) {
    // ARRAY(...) is computed once, before the scan, and then looked up in the place index.
    parts.push(sql`event.place_id = ANY(ARRAY(
      WITH RECURSIVE below (id) AS (
        SELECT id FROM place WHERE id = ANY(${ids(filter.placeIds)})
        UNION
        SELECT place.id FROM place JOIN below ON place.parent_id = below.id
      ) SELECT id FROM below))`)
  }
  if (filter.eventTypes?.length) {
    const keys = filter.eventTypes.map((type) => `${type.scheme}:${type.code}`)
    parts.push(sql`EXISTS (
      SELECT 1 FROM event_classification c
      JOIN event_type t ON t.id = c.event_type_id
      LEFT JOIN event_type parent ON parent.id = t.parent_id
      WHERE c.event_id = event.id
        AND (t.scheme || ':' || t.code = ANY(${keys}::text[])
          OR parent.scheme || ':' || parent.code = ANY(${keys}::text[])))`)
  }
  const actorConditions = actorCondition(filter)
  if (actorConditions) parts.push(actorConditions)
  if (filter.minKilled !== undefined) parts.push(bestAtLeast('killed', filter.minKilled))
  if (filter.minInjured !== undefined) parts.push(bestAtLeast('injured', filter.minInjured))
  if (filter.search?.trim()) {
    // A dataset's id of the event (UCDP's 62993) finds it too: researchers search by it.
    // ARRAY(...) is computed once, so the two sides are a BitmapOr of two indexes.
    parts.push(sql`(event.search_vector @@ websearch_to_tsquery('english', ${filter.search})
      OR event.id = ANY(${importedAs([filter.search.trim()])}))`)
  }
  if (filter.externalIds?.length) parts.push(sql`event.id = ANY(${importedAs(filter.externalIds)})`)
  if (filter.disputed !== undefined) parts.push(sql`event.casualties_disputed = ${filter.disputed}`)
  if (filter.boundingBox) parts.push(inBoundingBox(filter.boundingBox))
  if (filter.near) {
    const { latitude, longitude, radiusKm } = filter.near
    const center = sql`ll_to_earth(${latitude}::float8, ${longitude}::float8)`
    const point = sql`ll_to_earth(event.latitude, event.longitude)`
    const metres = radiusKm * 1000
    // earth_box finds candidates through the index; earth_distance trims the box's corners.
    parts.push(sql`event.latitude IS NOT NULL
      AND earth_box(${center}, ${metres}::float8) @> ${point}
      AND earth_distance(${center}, ${point}) <= ${metres}::float8`)
  }
  if (filter.sourceIds?.length || filter.reportIds?.length) {
    const reports = sql`ARRAY(SELECT id FROM report WHERE id = ANY(${ids(filter.reportIds ?? [])})
      OR source_id = ANY(${ids(filter.sourceIds ?? [])}))`
    parts.push(sql`event.id IN (
      SELECT event_id FROM event_citation WHERE report_id = ANY(${reports})
      UNION SELECT event_id FROM casualty_figure WHERE report_id = ANY(${reports}))`)
  }
  if (filter.updatedSince) parts.push(sql`event.updated_at >= ${filter.updatedSince}::timestamptz`)
  return sql<boolean>`(${sql.join(parts, sql` AND `)})`
}

/** The events imported from dataset rows with these ids, in any dataset. */
const importedAs = (externalIds: readonly string[]) =>
  sql`ARRAY(SELECT event_id FROM import_record WHERE external_id = ANY(${[...externalIds]}::text[]))`

/** On the rollup columns (sql/0008): an event without a figure counts as 0. */
function bestAtLeast(category: 'killed' | 'injured', minimum: number) {
  if (minimum <= 0) return sql`true`
  return category === 'killed'
    ? sql`event.killed_best >= ${minimum}::int`
    : sql`event.injured_best >= ${minimum}::int`
}

function inBoundingBox(box: NonNullable<EventFilter['boundingBox']>) {
  const point = sql`point(event.longitude, event.latitude)`
  const within = (west: number, east: number) =>
    sql`${point} <@ box(point(${west}::float8, ${box.south}::float8), point(${east}::float8, ${box.north}::float8))`
  // A box whose west edge lies east of its east edge crosses the antimeridian: two boxes.
  const boxes =
    box.west <= box.east
      ? within(box.west, box.east)
      : sql`(${within(box.west, 180)} OR ${within(-180, box.east)})`
  return sql`event.latitude IS NOT NULL AND ${boxes}`
}

/** Groups (optionally with affiliates at the event's date), roles and attributions: one actor must match all. */
function actorCondition(filter: EventFilter): RawBuilder<unknown> | undefined {
  const parts: RawBuilder<unknown>[] = []
  if (filter.groupIds?.length && !filter.includeAffiliates)
    parts.push(sql`actor.group_id = ANY(${ids(filter.groupIds)})`)
  if (filter.actorRoles?.length)
    parts.push(sql`actor.role = ANY(${[...filter.actorRoles]}::actor_role[])`)
  if (filter.attributions?.length)
    parts.push(sql`actor.attribution = ANY(${[...filter.attributions]}::attribution[])`)
  if (filter.groupIds?.length && filter.includeAffiliates) {
    // The affiliates' events gathered once, from their actors (each actor carries its event's
    // date, sql/0041): the planner cannot tell how many groups a recursive walk (sql/0009) returns,
    // and guessing hundreds it scanned every event (3 s at a million, against 0.4 s this way).
    const where = [sql`affiliate.valid @> actor.event_date_start`, ...parts]
    return sql`event.id = ANY(ARRAY(SELECT actor.event_id FROM event_actor actor
      JOIN group_affiliates(${ids(filter.groupIds)}) affiliate ON affiliate.group_id = actor.group_id
      WHERE ${sql.join(where, sql` AND `)}))`
  }
  if (parts.length === 0) return undefined
  return sql`EXISTS (SELECT 1 FROM event_actor actor
    WHERE ${sql.join([sql`actor.event_id = event.id`, ...parts], sql` AND `)})`
}
