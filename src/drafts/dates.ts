import type { DatePrecision } from './extraction.js'
import type { Piece } from './text.js'

// Dates as wire copy writes them, resolved against the day the report was published: explicit
// ("January 3, 2019", "3 January"), by weekday ("on Thursday", "Thursday, January 3"), relative
// ("yesterday", "last week", "earlier this month", "the following day") and coarse ("in June
// 2015", "in 2014"). A weekday that does not fit its date is kept as a conflict.

export interface DateMention extends Piece {
  readonly date: string
  readonly dateEnd: string
  readonly precision: DatePrecision
  readonly confidence: number
  /** Relative to the publication day ("on Thursday", "last week"), not written out. */
  readonly relative: boolean
  /** "the following day": relative to the date said before it in the text. */
  readonly followsPrevious?: boolean
  readonly conflict: string | null
}

// Month and weekday names from the platform's English calendar, lower case.
const monthNames = Array.from({ length: 12 }, (_, month) =>
  new Intl.DateTimeFormat('en', { month: 'long', timeZone: 'UTC' })
    .format(Date.UTC(2000, month, 1))
    .toLowerCase(),
)
// 2000-01-02 was a Sunday: getUTCDay's order.
const weekdays = Array.from({ length: 7 }, (_, day) =>
  new Intl.DateTimeFormat('en', { weekday: 'long', timeZone: 'UTC' })
    .format(Date.UTC(2000, 0, 2 + day))
    .toLowerCase(),
)

const month = String.raw`(Jan(?:uary|\.)?|Feb(?:ruary|\.)?|March|Mar\.|April|Apr\.|May|June|July|Aug(?:ust|\.)?|Sept(?:ember|\.)?|Sep\.|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)`
const weekday = '(Sunday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday)'
const day = String.raw`(\d{1,2})(?:st|nd|rd|th)?`
const year = String.raw`((?:19|20)\d{2})`

const monthIndex = (name: string) =>
  monthNames.findIndex((full) => full.startsWith(name.toLowerCase().replace('.', '').slice(0, 3)))

const iso = (date: Date) => date.toISOString().slice(0, 10)
const utc = (y: number, m: number, d: number) => new Date(Date.UTC(y, m, d))
const addDays = (date: Date, days: number) => new Date(date.getTime() + days * 86_400_000)

/** The day of the year given, or of the latest year that puts it no later than a week after publication. */
function dayNear(published: Date, m: number, d: number, y?: number): Date {
  if (y !== undefined) return utc(y, m, d)
  const candidate = utc(published.getUTCFullYear(), m, d)
  return candidate.getTime() > addDays(published, 7).getTime()
    ? utc(published.getUTCFullYear() - 1, m, d)
    : candidate
}

/** The latest such weekday on or before publication ("on Thursday" in Friday's paper). */
function lastWeekday(published: Date, name: string): Date {
  const wanted = weekdays.indexOf(name.toLowerCase())
  const back = (published.getUTCDay() - wanted + 7) % 7
  return addDays(published, -back)
}

interface Rule {
  /** A lone month ("in March") counts only after a preposition: "May" is also a verb. */
  readonly afterPreposition?: true
  readonly pattern: RegExp
  readonly resolve: (match: RegExpExecArray, published: Date) => Omit<DateMention, keyof Piece>
}

const exact = (
  date: Date,
  confidence: number,
  relative = false,
  conflict: string | null = null,
) => ({
  date: iso(date),
  dateEnd: iso(date),
  precision: 'DAY' as const,
  confidence,
  relative,
  conflict,
})

/** A weekday written beside a date: the date wins, a weekday that does not fit it is a conflict. */
function checkWeekday(date: Date, name: string | undefined): string | null {
  if (!name) return null
  const actual = weekdays[date.getUTCDay()] as string
  return actual === name.toLowerCase()
    ? null
    : `${name} does not fall on ${iso(date)} (a ${actual[0]?.toUpperCase()}${actual.slice(1)})`
}

const rules: Rule[] = [
  // between April 7 and April 10 / from 7 to 10 April
  {
    pattern: new RegExp(
      String.raw`\b(?:between|from)\s+${month}\s+${day}\s+(?:and|to)\s+(?:${month}\s+)?${day}\b`,
      'g',
    ),
    resolve: (match, published) => {
      const first = dayNear(published, monthIndex(match[1] as string), Number(match[2]))
      const last = dayNear(
        published,
        monthIndex((match[3] ?? match[1]) as string),
        Number(match[4]),
      )
      return {
        date: iso(first),
        dateEnd: iso(last),
        precision: 'RANGE',
        confidence: 0.85,
        relative: false,
        conflict: null,
      }
    },
  },
  // Thursday, January 3, 2019 / January 3, 2019 / Jan. 3
  {
    pattern: new RegExp(
      String.raw`\b(?:${weekday},?\s+)?${month}\s+${day}(?:,?\s+${year})?\b(?!\s*(?:people|soldiers|civilians|%))`,
      'g',
    ),
    resolve: (match, published) => {
      const y = match[4] ? Number(match[4]) : undefined
      const date = dayNear(published, monthIndex(match[2] as string), Number(match[3]), y)
      const conflict = checkWeekday(date, match[1])
      return exact(date, y ? 0.95 : 0.85, false, conflict)
    },
  },
  // Thursday 3 January 2019 / 3 January
  {
    pattern: new RegExp(
      String.raw`\b(?:${weekday},?\s+)?${day}\s+${month}(?:,?\s+${year})?\b`,
      'g',
    ),
    resolve: (match, published) => {
      const y = match[4] ? Number(match[4]) : undefined
      const date = dayNear(published, monthIndex(match[3] as string), Number(match[2]), y)
      return exact(date, y ? 0.95 : 0.85, false, checkWeekday(date, match[1]))
    },
  },
  // on Wednesday and Thursday
  {
    pattern: new RegExp(String.raw`\b${weekday}\s+and\s+${weekday}\b`, 'g'),
    resolve: (match, published) => {
      const last = lastWeekday(published, match[2] as string)
      const first = lastWeekday(last, match[1] as string)
      return {
        date: iso(first),
        dateEnd: iso(last),
        precision: 'RANGE',
        confidence: 0.75,
        relative: true,
        conflict: null,
      }
    },
  },
  // on Thursday / late on Sunday / Sunday night / during a Sunday Mass
  {
    pattern: new RegExp(String.raw`\b${weekday}\b`, 'g'),
    resolve: (match, published) => exact(lastWeekday(published, match[1] as string), 0.75, true),
  },
  {
    pattern: /\b(yesterday|today|overnight|tonight|this morning|last night)\b/gi,
    resolve: (match, published) => {
      const word = (match[1] as string).toLowerCase()
      const back = word === 'yesterday' || word === 'last night' ? 1 : 0
      return exact(addDays(published, -back), 0.6, true)
    },
  },
  // the following day / the next day / the day before
  {
    pattern: /\bthe (following|next|previous) day\b|\bthe day (before|after)\b/gi,
    resolve: (match, published) => ({
      ...exact(published, 0.6, true),
      followsPrevious: true,
      date: (match[1] ?? match[2] ?? '').match(/previous|before/i) ? '-1' : '+1',
    }),
  },
  {
    pattern: /\b(last|this|earlier this|past) (week|month|year)\b/gi,
    resolve: (match, published) => {
      const which = (match[1] as string).toLowerCase()
      const unit = (match[2] as string).toLowerCase()
      const back = which === 'last' || which === 'past' ? 1 : 0
      if (unit === 'week') {
        const monday = addDays(published, -((published.getUTCDay() + 6) % 7) - 7 * back)
        return range(monday, addDays(monday, 6), 'WEEK')
      }
      if (unit === 'month') {
        const first = utc(published.getUTCFullYear(), published.getUTCMonth() - back, 1)
        return range(first, utc(first.getUTCFullYear(), first.getUTCMonth() + 1, 0), 'MONTH')
      }
      const y = published.getUTCFullYear() - back
      return range(utc(y, 0, 1), utc(y, 11, 31), 'YEAR')
    },
  },
  // in June 2015 / November 2015 / in March (the last March before publication)
  {
    afterPreposition: true,
    pattern: new RegExp(String.raw`\b${month}(?:\s+${year})?\b`, 'g'),
    resolve: (match, published) => {
      const m = monthIndex(match[1] as string)
      const y = match[2]
        ? Number(match[2])
        : m > published.getUTCMonth()
          ? published.getUTCFullYear() - 1
          : published.getUTCFullYear()
      return range(utc(y, m, 1), utc(y, m + 1, 0), 'MONTH', match[2] ? 0.9 : 0.7)
    },
  },
  // in 2014
  {
    pattern: new RegExp(String.raw`\b(?:in|since|of|until)\s+${year}\b`, 'g'),
    resolve: (match) => {
      const y = Number(match[1])
      return range(utc(y, 0, 1), utc(y, 11, 31), 'YEAR', 0.8)
    },
  },
]

function range(first: Date, last: Date, precision: DatePrecision, confidence = 0.7) {
  return {
    date: iso(first),
    dateEnd: iso(last),
    precision,
    confidence,
    relative: precision !== 'YEAR',
    conflict: null,
  }
}

/**
 * Every date the text says, earliest rule first where two overlap ("Thursday, January 3" is one
 * date, not a weekday and a date), in text order; "the following day" counts from the date
 * said before it.
 */
export function datesIn(text: string, publishedOn: string): DateMention[] {
  const published = new Date(`${publishedOn}T00:00:00Z`)
  const found: DateMention[] = []
  const taken: [number, number][] = []
  for (const rule of rules) {
    rule.pattern.lastIndex = 0
    for (let match = rule.pattern.exec(text); match; match = rule.pattern.exec(text)) {
      const start = match.index
      const end = start + match[0].length
      if (taken.some(([from, to]) => start < to && end > from)) continue
      // "May" is also a verb; a lone month with no year or day needs "in"/"since" before it.
      if (
        /^May$/.test(match[0]) ||
        (rule.afterPreposition &&
          !match[2] &&
          !/\b(in|since|of|until|early|late|mid)[\s-]+$/i.test(
            text.slice(Math.max(0, start - 8), start),
          ))
      )
        continue
      taken.push([start, end])
      found.push({ text: match[0], start, end, ...rule.resolve(match, published) })
    }
  }
  found.sort((a, b) => a.start - b.start)
  return found.map((mention, index) => {
    if (!mention.followsPrevious) return mention
    const previous = found
      .slice(0, index)
      .reverse()
      .find((other) => !other.followsPrevious && other.precision === 'DAY')
    if (!previous)
      return { ...mention, followsPrevious: false, date: publishedOn, dateEnd: publishedOn }
    const date = iso(
      addDays(new Date(`${previous.date}T00:00:00Z`), mention.date === '-1' ? -1 : 1),
    )
    return { ...mention, date, dateEnd: date, confidence: previous.confidence * 0.9 }
  })
}

export const daysBetween = (a: string, b: string) =>
  Math.round((Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / 86_400_000)
