import {
  type ExportField,
  type ExportRow,
  type ExportValueKind,
  exportColumns,
} from '../db/event-export.js'
import { toApiEnum } from '../graphql/enums.js'
import { toGlobalId } from '../graphql/ids.js'

export interface FormatOptions {
  /** The columns, in order (GeoJSON: the properties). */
  readonly fields: readonly ExportField[]
  /** CSV: begin with a UTF-8 byte order mark, which tells Excel the file is UTF-8. */
  readonly bom: boolean
}

// A value as the API writes it: the global id, enums in upper case, timestamps in ISO 8601 UTC;
// the other kinds as they come.
const written: Partial<Record<ExportValueKind, (value: never) => string>> = {
  id: (value: number) => toGlobalId('Event', value),
  enum: (value: string) => toApiEnum(value),
  timestamp: (value: Date) => value.toISOString(),
}

/** The row's values for `fields`, in order, as the API writes them; null when missing. */
function valuesOf(fields: readonly ExportField[]): (row: ExportRow) => unknown[] {
  const convert = fields.map((field) => written[exportColumns[field].kind])
  return (row) =>
    fields.map((field, index) => {
      const value = row[field] ?? null
      const write = convert[index]
      return value === null || !write ? value : write(value as never)
    })
}

// Rows written per chunk: a page's text in one string would be a large object (hundreds of KB)
// that only a full garbage collection frees; chunks of this size die young.
const rowsPerChunk = 100

async function* inSlices(pages: AsyncIterable<ExportRow[]>): AsyncGenerator<ExportRow[]> {
  for await (const rows of pages)
    for (let start = 0; start < rows.length; start += rowsPerChunk)
      yield rows.slice(start, start + rowsPerChunk)
}

// What a spreadsheet reads as the start of a formula (OWASP's list; the full-width forms too,
// which some spreadsheets fold into the ASCII ones).
const formulaStart = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/

/** One CSV cell (RFC 4180): text quoted, a formula's start behind a single quote. */
function csvCell(value: unknown): string {
  if (value === null) return ''
  if (typeof value !== 'string') return String(value)
  const text = formulaStart.test(value) ? `'${value}` : value
  return `"${text.includes('"') ? text.replaceAll('"', '""') : text}"`
}

/**
 * CSV (RFC 4180): a header, then one line per event, written a page at a time. Every text cell
 * is quoted, and one that starts as a formula would (=, +, -, @, tab, carriage return) begins
 * with a single quote, as OWASP's CSV-injection advice says: a spreadsheet shows it as text
 * instead of running it. Numbers, negative ones included, stay numbers.
 */
export async function* csvChunks(
  pages: AsyncIterable<ExportRow[]>,
  { fields, bom }: FormatOptions,
): AsyncGenerator<string> {
  yield `${bom ? '\uFEFF' : ''}${fields.join(',')}\n`
  const values = valuesOf(fields)
  for await (const rows of inSlices(pages)) {
    let chunk = ''
    for (const row of rows) chunk += `${values(row).map(csvCell).join(',')}\n`
    yield chunk
  }
}

/**
 * GeoJSON (RFC 7946): a FeatureCollection of points, [longitude, latitude]; an event with no
 * known point is a feature with a null geometry, which the RFC allows.
 */
export async function* geojsonChunks(
  pages: AsyncIterable<ExportRow[]>,
  { fields }: FormatOptions,
): AsyncGenerator<string> {
  yield '{"type":"FeatureCollection","features":['
  const values = valuesOf(fields)
  // Each property's `"name":`, written once.
  const keys = fields.map((field) => `${JSON.stringify(field)}:`)
  let separator = ''
  for await (const rows of inSlices(pages)) {
    let chunk = ''
    for (const row of rows) {
      const geometry =
        row.point_latitude === null || row.point_longitude === null
          ? 'null'
          : `{"type":"Point","coordinates":[${row.point_longitude},${row.point_latitude}]}`
      const properties = values(row).map((value, index) => keys[index] + JSON.stringify(value))
      const id = JSON.stringify(toGlobalId('Event', row.position_id))
      chunk += `${separator}\n{"type":"Feature","id":${id},"geometry":${geometry},"properties":{${properties.join(',')}}}`
      separator = ','
    }
    yield chunk
  }
  yield '\n]}\n'
}

export const exportFormats = {
  csv: { chunks: csvChunks, contentType: 'text/csv; charset=utf-8' },
  geojson: { chunks: geojsonChunks, contentType: 'application/geo+json' },
} as const

export type ExportFormat = keyof typeof exportFormats
