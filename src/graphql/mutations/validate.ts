import { invalidField } from '../errors.js'

// Checks of input that the scalars cannot express; each names the field and the rule it broke.

/** Fields a new object must have. */
export function requireFields(fields: Record<string, unknown>, names: readonly string[]): void {
  for (const name of names) {
    if (fields[name] === undefined || fields[name] === null)
      throw invalidField(`${name} is required`, name, 'required')
  }
}

export function notBlank(value: string | null | undefined, field: string): void {
  if (typeof value === 'string' && !/\S/.test(value))
    throw invalidField(`${field} must not be blank`, field, 'not_blank')
}

/** `end` on or after `start`, when both are known. Dates are ISO strings, so they compare as text. */
export function datesOrdered(
  start: string | null | undefined,
  end: string | null | undefined,
  endField: string,
): void {
  if (start && end && end < start)
    throw invalidField(
      `${endField} (${end}) is before the start (${start})`,
      endField,
      'dates_ordered',
    )
}

/** Dates no later than tomorrow (UTC): an event reported today may already be tomorrow east of here. */
export function notInFuture(
  date: string | null | undefined,
  field: string,
  today = new Date(),
): void {
  if (!date) return
  const tomorrow = new Date(today.getTime() + 86_400_000).toISOString().slice(0, 10)
  if (date > tomorrow)
    throw invalidField(`${field} (${date}) is in the future`, field, 'not_in_future')
}

/** low <= best <= high, for the numbers that are given. */
export function rangeOrdered(figures: {
  readonly low?: number | null
  readonly best?: number | null
  readonly high?: number | null
}): void {
  const { low, best, high } = figures
  const given = (value: number | null | undefined): value is number => typeof value === 'number'
  if (given(low) && given(best) && low > best)
    throw invalidField(`low (${low}) is above best (${best})`, 'low', 'low_le_best')
  if (given(best) && given(high) && best > high)
    throw invalidField(`best (${best}) is above high (${high})`, 'high', 'best_le_high')
  if (given(low) && given(high) && low > high)
    throw invalidField(`low (${low}) is above high (${high})`, 'high', 'low_le_high')
}

/**
 * The most people one figure may count: more than any war has killed. The casualty summary adds
 * one figure per population into a Postgres integer (2^31 - 1), which 21 of these still fit,
 * so no set of figures can overflow it.
 */
export const maxFigure = 100_000_000

/** Each of the numbers that are given is at most maxFigure. */
export function figuresWithinBound(figures: Readonly<Record<string, unknown>>): void {
  for (const field of ['low', 'best', 'high']) {
    const value = figures[field]
    if (typeof value === 'number' && value > maxFigure)
      throw invalidField(`${field} must be at most ${maxFigure}`, field, 'max_figure')
  }
}

export function nonNegative(value: number | null | undefined, field: string): void {
  if (typeof value === 'number' && value < 0)
    throw invalidField(`${field} must not be negative`, field, 'non_negative')
}

export function httpUrl(value: string | null | undefined, field: string): void {
  if (value == null) return
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {}
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || /\s/.test(value))
    throw invalidField(`${field} must be an http(s) URL`, field, 'url')
}

/** Both coordinates or neither. */
export function coordinatesPaired(latitude: unknown, longitude: unknown): void {
  if (
    (latitude === undefined) !== (longitude === undefined) ||
    (latitude === null) !== (longitude === null)
  )
    throw invalidField(
      'latitude and longitude are given together',
      latitude == null ? 'latitude' : 'longitude',
      'coordinates_paired',
    )
}

export function matches(
  value: string | null | undefined,
  pattern: RegExp,
  field: string,
  rule: string,
  what: string,
): void {
  if (typeof value === 'string' && !pattern.test(value))
    throw invalidField(`${field} must be ${what}`, field, rule)
}

export const languageTag = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/
export const snakeCase = /^[a-z][a-z0-9_]*$/

/** Exactly one of the named fields is given. */
export function exactlyOne(
  fields: Record<string, unknown>,
  names: readonly string[],
  field: string,
): void {
  if (names.filter((name) => fields[name] != null).length !== 1)
    throw invalidField(`give exactly one of ${names.join(', ')}`, field, 'exactly_one')
}
