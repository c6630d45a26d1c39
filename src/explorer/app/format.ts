import type { DatePrecision } from './generated/operations.js'

const numberFormat = new Intl.NumberFormat('en-GB')
const dayFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
})
const monthFormat = new Intl.DateTimeFormat('en-GB', {
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
})

export const formatNumber = (n: number) => numberFormat.format(n)

/** How far the explorer asks the API to count matching events (Events.graphql says it too). */
export const countUpTo = 100_000

/** A total counted up to countUpTo: `100,000+` when the count stopped there. */
export const formatTotal = (total: number) =>
  `${formatNumber(total)}${total >= countUpTo ? '+' : ''}`

/** `2019-01-03` → `3 Jan 2019`. */
export const formatDay = (date: string) => dayFormat.format(new Date(`${date}T00:00:00Z`))

/** A date as exactly as it is known: a day, a month, a year or a span. */
export function formatDates(start: string, end: string, precision: DatePrecision): string {
  switch (precision) {
    case 'YEAR':
      return start.slice(0, 4)
    case 'MONTH':
      return monthFormat.format(new Date(`${start}T00:00:00Z`))
    case 'WEEK':
      return `week of ${formatDay(start)}`
    default:
      return start === end ? formatDay(start) : `${formatDay(start)} – ${formatDay(end)}`
  }
}

/** What the precision means, for the reader: "known to the day". */
export function describePrecision(precision: DatePrecision): string {
  return precision === 'RANGE'
    ? 'only the span is known'
    : `known to the ${precision.toLowerCase()}`
}

/** `SECURITY_FORCES` → `security forces`. */
export const humanize = (value: string) => value.toLowerCase().replaceAll('_', ' ')

/** A figure's numbers as a report words them: "2", "at least 12", "2–4 (best 3)". */
export function formatFigure(figure: {
  low: number | null
  best: number | null
  high: number | null
  qualifier: string
  vagueTerm?: string | null
}): string {
  const { low, best, high, qualifier } = figure
  if (qualifier === 'VAGUE') return `“${figure.vagueTerm ?? 'a vague term'}”`
  const given = new Set([low, best, high].filter((n) => n !== null))
  if (given.size === 1) {
    const prefix = { AT_LEAST: 'at least ', AT_MOST: 'up to ', APPROXIMATELY: 'about ' }[qualifier]
    return `${prefix ?? ''}${formatNumber([...given][0] as number)}`
  }
  const bound = (n: number | null) => (n === null ? '?' : formatNumber(n))
  const span = `${bound(low)}–${bound(high)}`
  return best === null ? span : `${span} (best ${formatNumber(best)})`
}

/** Killed (best estimate) of an event's consolidated figures, 0 when none is given. */
export function killedOf(casualties: readonly { category: string; best: number | null }[]) {
  return casualties.find((c) => c.category === 'KILLED')?.best ?? 0
}
