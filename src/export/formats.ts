import { stringify } from 'csv-stringify/sync'
import type { ExportRow } from '../db/event-export.js'
import { toGlobalId } from '../graphql/ids.js'

// The exported fields, in order: the API's global id first, so a row leads back to the event.
const fields = [
  'title',
  'summary',
  'date_start',
  'date_end',
  'date_precision',
  'country',
  'country_code',
  'place',
  'location_text',
  'latitude',
  'longitude',
  'geo_precision',
  'event_types',
  'actors',
  'killed_low',
  'killed_best',
  'killed_high',
  'injured_low',
  'injured_best',
  'injured_high',
  'sources',
  'tags',
  'updated_at',
] as const satisfies readonly (keyof ExportRow)[]

function properties(row: ExportRow): Record<string, string | number | null> {
  return {
    id: toGlobalId('Event', row.id),
    ...Object.fromEntries(fields.map((field) => [field, row[field]])),
  }
}

/** CSV (RFC 4180): a header, then one line per event. */
export async function* csvChunks(rows: AsyncIterable<ExportRow>): AsyncGenerator<string> {
  yield stringify([['id', ...fields]])
  for await (const row of rows) yield stringify([Object.values(properties(row))])
}

/**
 * GeoJSON (RFC 7946): a FeatureCollection of points, [longitude, latitude]; an event with no
 * known point is a feature with a null geometry, which the RFC allows.
 */
export async function* geojsonChunks(rows: AsyncIterable<ExportRow>): AsyncGenerator<string> {
  yield '{"type":"FeatureCollection","features":['
  let first = true
  for await (const row of rows) {
    const geometry =
      row.latitude === null || row.longitude === null
        ? null
        : { type: 'Point', coordinates: [row.longitude, row.latitude] }
    const { id, ...rest } = properties(row)
    yield `${first ? '' : ','}\n${JSON.stringify({ type: 'Feature', id, geometry, properties: { id, ...rest } })}`
    first = false
  }
  yield '\n]}\n'
}

export const exportFormats = {
  csv: { chunks: csvChunks, contentType: 'text/csv; charset=utf-8' },
  geojson: { chunks: geojsonChunks, contentType: 'application/geo+json' },
} as const

export type ExportFormat = keyof typeof exportFormats
