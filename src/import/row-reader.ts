import type { ImportedEvent, Reject } from './imported-event.js'

/** A bad value in a row: its column and why. */
export class RowError extends Error {
  constructor(
    readonly column: string,
    reason: string,
  ) {
    super(reason)
  }
}

/** Typed, checked reads of one CSV row; every failure names its column. */
export class RowReader {
  constructor(readonly raw: Readonly<Record<string, string>>) {}

  text(column: string): string {
    return this.raw[column]?.trim() ?? ''
  }

  optional(column: string): string | null {
    return this.text(column) || null
  }

  required(column: string): string {
    const value = this.text(column)
    if (!value) throw new RowError(column, 'is empty')
    return value
  }

  code<T>(column: string, codes: Readonly<Record<string, T>>): T {
    const value = codes[this.required(column)]
    if (value === undefined) {
      throw new RowError(
        column,
        `unknown code "${this.text(column)}" (expected ${Object.keys(codes).join(', ')})`,
      )
    }
    return value
  }

  count(column: string): number {
    const value = this.required(column)
    if (!/^\d+$/.test(value))
      throw new RowError(column, `"${value}" is not a count (a whole number, 0 or more)`)
    return Number(value)
  }

  /** A count where the dataset writes unknown as empty or a negative code (-9, -99): null. */
  countOrUnknown(column: string): number | null {
    const value = this.text(column)
    if (value === '' || /^-\d+$/.test(value)) return null
    if (!/^\d+(\.0+)?$/.test(value))
      throw new RowError(column, `"${value}" is not a count (a whole number, 0 or more)`)
    return Number.parseInt(value, 10)
  }

  /** An ISO date (a trailing time is ignored) or a date like "03 January 2019". */
  date(column: string): string {
    const value = this.required(column)
    const iso = /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : isoFromWords(value)
    if (!iso || !isCalendarDate(iso))
      throw new RowError(column, `"${value}" is not a date (YYYY-MM-DD)`)
    return iso
  }

  degrees(column: string, limit: number): number | null {
    const value = this.optional(column)
    if (value === null) return null
    const number = Number(value)
    if (!Number.isFinite(number) || Math.abs(number) > limit) {
      throw new RowError(column, `"${value}" is not a coordinate from -${limit} to ${limit}`)
    }
    return number
  }

  /** Latitude and longitude: both or neither. */
  point(): { latitude: number | null; longitude: number | null } {
    const latitude = this.degrees('latitude', 90)
    const longitude = this.degrees('longitude', 180)
    if ((latitude === null) !== (longitude === null))
      throw new RowError('longitude', 'latitude and longitude must come together')
    return { latitude, longitude }
  }
}

export function isCalendarDate(iso: string): boolean {
  const parsed = new Date(`${iso}T00:00:00Z`)
  return (
    /^\d{4}-\d{2}-\d{2}$/.test(iso) &&
    !Number.isNaN(parsed.getTime()) &&
    parsed.toISOString().slice(0, 10) === iso
  )
}

const months = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
]

function isoFromWords(value: string): string | undefined {
  const match = /^(\d{1,2}) ([A-Za-z]+) (\d{4})$/.exec(value)
  const month = match ? months.indexOf((match[2] as string).toLowerCase()) + 1 : 0
  if (!match || month === 0) return undefined
  return `${match[3]}-${String(month).padStart(2, '0')}-${(match[1] as string).padStart(2, '0')}`
}

/** Runs a mapper, turning its first RowError into a Reject with the line. */
export function mapRow(
  map: (row: RowReader, line: number) => ImportedEvent,
): (raw: Record<string, string>, line: number) => ImportedEvent | Reject {
  return (raw, line) => {
    try {
      return map(new RowReader(raw), line)
    } catch (error) {
      if (error instanceof RowError) return { line, column: error.column, reason: error.message }
      throw error
    }
  }
}
