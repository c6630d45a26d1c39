import { sql } from 'kysely'
import type { Database } from './database.js'
import { type EventFilter, eventFilterCondition } from './event-filter.js'
import { eventSortKeys } from './event-list.js'
import { keyset, pageRows } from './keyset.js'

/** One event as exports write it: flat, with its consolidated figures and its sources. */
export interface ExportRow {
  readonly id: number
  readonly sort_value: string
  readonly title: string
  readonly summary: string | null
  readonly date_start: string
  readonly date_end: string
  readonly date_precision: string
  readonly country: string | null
  readonly country_code: string | null
  readonly place: string | null
  readonly location_text: string | null
  readonly latitude: number | null
  readonly longitude: number | null
  readonly geo_precision: string | null
  readonly event_types: string | null
  readonly actors: string | null
  readonly killed_low: number | null
  readonly killed_best: number | null
  readonly killed_high: number | null
  readonly injured_low: number | null
  readonly injured_best: number | null
  readonly injured_high: number | null
  readonly sources: string | null
  readonly tags: string | null
  readonly updated_at: string
}

/**
 * Every live event matching the filter, oldest first, a page at a time (keyset), so an export
 * of any size streams in flat memory.
 */
export async function* exportEvents(
  db: Database,
  filter: EventFilter,
  pageSize = 1000,
): AsyncGenerator<ExportRow> {
  let position: [string, number] | undefined
  for (;;) {
    const page = { limit: pageSize, backward: false, ...(position && { position }) }
    const parts = keyset(eventSortKeys.date_asc, sql`event.id`, page)
    const { rows } = await sql<ExportRow>`
      SELECT event.id, ${parts.sortValue} AS sort_value, event.title, event.summary, event.date_start, event.date_end,
        event.date_precision, country.name AS country, country.iso_alpha3 AS country_code, place.name AS place,
        event.location_text, event.latitude, event.longitude, event.geo_precision,
        (SELECT string_agg(t.scheme || ':' || t.code || ' ' || t.label, '; ' ORDER BY c.is_primary DESC, t.id)
           FROM event_classification c JOIN event_type t ON t.id = c.event_type_id WHERE c.event_id = event.id) AS event_types,
        (SELECT string_agg(g.name || ' (' || a.role || ')', '; ' ORDER BY a.id)
           FROM event_actor a JOIN armed_group g ON g.id = a.group_id WHERE a.event_id = event.id) AS actors,
        killed.low AS killed_low, killed.best AS killed_best, killed.high AS killed_high,
        injured.low AS injured_low, injured.best AS injured_best, injured.high AS injured_high,
        (SELECT string_agg(DISTINCT s.name, '; ') FROM source s
           WHERE s.id IN (SELECT r.source_id FROM event_citation ec JOIN report r ON r.id = ec.report_id WHERE ec.event_id = event.id
                          UNION SELECT r.source_id FROM casualty_figure f JOIN report r ON r.id = f.report_id WHERE f.event_id = event.id)
        ) AS sources,
        array_to_string(event.tags, '; ') AS tags, event.updated_at::text AS updated_at
      FROM event
      LEFT JOIN place country ON country.id = event.country_id
      LEFT JOIN place ON place.id = event.place_id
      LEFT JOIN casualty_summary killed ON killed.event_id = event.id AND killed.category = 'killed'
      LEFT JOIN casualty_summary injured ON injured.event_id = event.id AND injured.category = 'injured'
      WHERE ${eventFilterCondition(filter)} AND ${parts.condition}
      ORDER BY ${parts.orderBy}
      LIMIT ${parts.limit}`.execute(db)
    const { rows: events, hasMore } = pageRows(rows, page)
    yield* events
    const last = events.at(-1)
    if (!hasMore || !last) return
    position = [last.sort_value, last.id]
  }
}
