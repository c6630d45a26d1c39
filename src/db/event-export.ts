import { type RawBuilder, sql } from 'kysely'
import type { Database } from './database.js'
import { type EventFilter, eventFilterCondition } from './event-filter.js'
import { eventSortKeys } from './event-list.js'
import { listedEventColumns } from './events.js'
import { keyset } from './keyset.js'

/**
 * What a column holds, so that a format can write it: `id` is the event's row id (the API's
 * global id once written), `enum` a Postgres enum value, `timestamp` a timestamptz (a Date).
 */
export type ExportValueKind = 'id' | 'text' | 'number' | 'date' | 'enum' | 'timestamp'

interface ExportColumn {
  readonly kind: ExportValueKind
  /** Over `page` (the page's event rows) and the column's join. */
  readonly select: RawBuilder<unknown>
  /** The per-page list or lookup the column reads, joined only when a chosen column needs it. */
  readonly join?: RawBuilder<unknown>
}

// The lists and lookups of a page, each computed for the page's events only: `= ANY(ids)` is an
// index scan of the list's (event_id, …) key, and pushes down into casualty_summary's groups.
// Each list is aggregated from rows sorted beforehand: an aggregate's own ORDER BY would sort
// every event's few items apart, which cost more than the rest of the list.
const pageIds = sql`ANY(ARRAY(SELECT id FROM page))`
const joins = {
  country: sql`LEFT JOIN place country ON country.id = page.country_id`,
  place: sql`LEFT JOIN place ON place.id = page.place_id`,
  // Enum values as the API spells them (upper case), inside the text lists too.
  types: sql`LEFT JOIN (SELECT event_id, string_agg(item, '; ') AS list FROM (
      SELECT c.event_id, upper(t.scheme::text) || ':' || t.code || ' ' || t.label AS item
      FROM event_classification c JOIN event_type t ON t.id = c.event_type_id
      WHERE c.event_id = ${pageIds} ORDER BY c.event_id, c.is_primary DESC, t.id) sorted
    GROUP BY event_id) types ON types.event_id = page.id`,
  actors: sql`LEFT JOIN (SELECT event_id, string_agg(item, '; ') AS list FROM (
      SELECT a.event_id, g.name || ' (' || upper(a.role::text) || ')' AS item
      FROM event_actor a JOIN armed_group g ON g.id = a.group_id
      WHERE a.event_id = ${pageIds} ORDER BY a.event_id, a.id) sorted
    GROUP BY event_id) actors ON actors.event_id = page.id`,
  // The sources of the reports the event cites or takes a figure from, once each, by name.
  sources: sql`LEFT JOIN (SELECT event_id, string_agg(name, '; ') AS list FROM (
      SELECT DISTINCT cited.event_id, s.name
      FROM (SELECT event_id, report_id FROM event_citation WHERE event_id = ${pageIds}
            UNION SELECT event_id, report_id FROM casualty_figure WHERE event_id = ${pageIds}) cited
      JOIN report r ON r.id = cited.report_id JOIN source s ON s.id = r.source_id
      ORDER BY 1, 2) sorted
    GROUP BY event_id) sources ON sources.event_id = page.id`,
  // The datasets' own ids of the event (UCDP's id, ACLED's event_id_cnty, GTD's eventid), so a
  // researcher can check an exported event against the dataset it came from.
  datasetIds: sql`LEFT JOIN (SELECT event_id, string_agg(dataset || ':' || external_id, '; ') AS list
    FROM (SELECT event_id, dataset, external_id FROM import_record WHERE event_id = ${pageIds}
      ORDER BY event_id, dataset, external_id) sorted
    GROUP BY event_id) dataset_ids ON dataset_ids.event_id = page.id`,
}

const of = (column: string) => sql`page.${sql.ref(column)}`

/**
 * The columns of an export, in their order: the one list that the formats, the `fields`
 * argument and the docs' table are made from.
 */
export const exportColumns = {
  id: { kind: 'id', select: of('id') },
  title: { kind: 'text', select: of('title') },
  summary: { kind: 'text', select: of('summary') },
  date_start: { kind: 'date', select: of('date_start') },
  date_end: { kind: 'date', select: of('date_end') },
  date_precision: { kind: 'enum', select: of('date_precision') },
  country: { kind: 'text', select: sql`country.name`, join: joins.country },
  country_code: { kind: 'text', select: sql`country.iso_alpha3`, join: joins.country },
  place: { kind: 'text', select: sql`place.name`, join: joins.place },
  location_text: { kind: 'text', select: of('location_text') },
  latitude: { kind: 'number', select: of('latitude') },
  longitude: { kind: 'number', select: of('longitude') },
  geo_precision: { kind: 'enum', select: of('geo_precision') },
  event_types: { kind: 'text', select: sql`types.list`, join: joins.types },
  actors: { kind: 'text', select: sql`actors.list`, join: joins.actors },
  killed_low: { kind: 'number', select: of('killed_low') },
  killed_best: { kind: 'number', select: of('killed_best') },
  killed_high: { kind: 'number', select: of('killed_high') },
  injured_low: { kind: 'number', select: of('injured_low') },
  injured_best: { kind: 'number', select: of('injured_best') },
  injured_high: { kind: 'number', select: of('injured_high') },
  sources: { kind: 'text', select: sql`sources.list`, join: joins.sources },
  dataset_ids: { kind: 'text', select: sql`dataset_ids.list`, join: joins.datasetIds },
  tags: { kind: 'text', select: sql`array_to_string(page.tags, '; ')` },
  updated_at: { kind: 'timestamp', select: of('updated_at') },
} as const satisfies Record<string, ExportColumn>

export type ExportField = keyof typeof exportColumns
export const exportFields = Object.keys(exportColumns) as ExportField[]

/** One event: the chosen fields, and what paging and GeoJSON's geometry need whatever they are. */
export type ExportRow = { readonly [field in ExportField]?: unknown } & {
  readonly position_date: string
  readonly position_id: number
  readonly point_latitude: number | null
  readonly point_longitude: number | null
}

export interface ExportOptions {
  /** The fields to read, in order; all of them by default. */
  readonly fields?: readonly ExportField[]
  readonly pageSize?: number
}

const order = eventSortKeys.date_asc

/** One page: the next `pageSize` (+1, to tell whether more follow) events after `position`. */
function readPage(
  db: Database,
  filter: EventFilter,
  fields: readonly ExportField[],
  pageSize: number,
  position: readonly [string, number] | undefined,
): Promise<ExportRow[]> {
  const parts = keyset(order, sql`event.id`, {
    limit: pageSize,
    backward: false,
    sortValues: false,
    ...(position && { position }),
  })
  const columns = fields.map((field) => exportColumns[field] as ExportColumn)
  const needed = [...new Set(columns.flatMap((column) => (column.join ? [column.join] : [])))]
  const query = sql<ExportRow>`
    WITH page AS MATERIALIZED (
      SELECT ${sql.join(listedEventColumns.map((column) => sql`event.${sql.ref(column)}`))}
      FROM event
      WHERE ${eventFilterCondition(filter)} AND ${parts.condition}
      ORDER BY ${parts.orderBy}
      LIMIT ${parts.limit})
    SELECT ${sql.join(fields.map((field) => sql`${exportColumns[field].select} AS ${sql.ref(field)}`))},
      page.date_start::text AS position_date, page.id AS position_id,
      page.latitude AS point_latitude, page.longitude AS point_longitude
    FROM page ${sql.join(needed, sql` `)}
    ORDER BY page.date_start, page.id`
  return query.execute(db).then((result) => result.rows)
}

/**
 * Every live event matching the filter, oldest first, a page at a time. Each page is one
 * statement through the date index (keyset: the same cost at any depth), so the statement
 * timeout bounds a page, never the whole export. The next page is read while the caller writes
 * this one; no more than two pages are held, whatever the export's size.
 */
export async function* exportEventPages(
  db: Database,
  filter: EventFilter,
  { fields = exportFields, pageSize = 1000 }: ExportOptions = {},
): AsyncGenerator<ExportRow[]> {
  let next = readPage(db, filter, fields, pageSize, undefined)
  for (;;) {
    const rows = await next
    const hasMore = rows.length > pageSize
    const page = hasMore ? rows.slice(0, pageSize) : rows
    const last = page.at(-1)
    if (hasMore && last) {
      next = readPage(db, filter, fields, pageSize, [last.position_date, last.position_id])
      // Awaited on the next turn; a caller that stops early never awaits it: not unhandled.
      next.catch(() => {})
    }
    if (page.length > 0) yield page
    if (!hasMore) return
  }
}
