// Scores extractions against the hand-coded events of test/fixtures/drafts/expected.json,
// field by field: what the extractor said and the coder did too (true positive), said and the
// coder did not (false positive), or missed (false negative).

import type { EventExtraction, Extraction } from '../src/drafts/extraction.js'
import { nameKey } from '../src/drafts/known-groups.js'

export interface ExpectedFigure {
  readonly population: string
  /** Null for a vague figure ("dozens"), which is matched by its term. */
  readonly best: number | null
  readonly vague?: string
}
export interface ExpectedEvent {
  readonly date: string
  readonly precision: string
  readonly place: string | null
  readonly country: string | null
  readonly killed: readonly ExpectedFigure[]
  readonly injured: readonly ExpectedFigure[]
  readonly groups: readonly { readonly name: string; readonly attribution: string }[]
  readonly persons: readonly string[]
}
export interface ExpectedReport {
  readonly file: string
  readonly publishedOn: string
  readonly source: string
  readonly events: readonly ExpectedEvent[]
  readonly sources: readonly string[]
}

export const fields = [
  'dates',
  'place',
  'country',
  'killed',
  'injured',
  'groups',
  'groups (name only)',
  'persons',
  'sources',
] as const
export type Field = (typeof fields)[number]
export type Counts = Record<Field, { tp: number; fp: number; fn: number }>

export const emptyCounts = (): Counts =>
  Object.fromEntries(fields.map((field) => [field, { tp: 0, fp: 0, fn: 0 }])) as Counts

const key = nameKey

/** One of the `a|b` alternatives, by key; or one containing the other (a longer phrase of the same voice). */
function namesMatch(predicted: string, expected: string, contain: boolean): boolean {
  const left = key(predicted)
  return expected.split('|').some((alternative) => {
    const right = key(alternative)
    return (
      left === right ||
      (contain &&
        right.length >= 4 &&
        left.length >= 4 &&
        (left.includes(right) || right.includes(left)))
    )
  })
}

/** Items matched one to one; a predicted item that matches an expected one already taken counts nothing. */
function compare<P, E>(
  counts: Counts,
  field: Field,
  predicted: readonly P[],
  expected: readonly E[],
  same: (p: P, e: E) => boolean,
  duplicatesFree = false,
): void {
  const taken = new Set<number>()
  for (const item of predicted) {
    const index = expected.findIndex((wanted, at) => !taken.has(at) && same(item, wanted))
    if (index >= 0) {
      taken.add(index)
      counts[field].tp++
    } else if (duplicatesFree && expected.some((wanted) => same(item, wanted))) {
      // The same voice named twice ("the military spokesman", "Colonel …"): neither right nor wrong.
    } else counts[field].fp++
  }
  counts[field].fn += expected.length - taken.size
}

const dateMatches = (event: EventExtraction, expected: ExpectedEvent) => {
  const date = event.date
  if (!date) return false
  if (expected.precision === 'MONTH' || expected.precision === 'YEAR')
    return (
      date.precision === expected.precision && date.date.slice(0, 7) === expected.date.slice(0, 7)
    )
  return date.date === expected.date
}

function scoreEvent(
  counts: Counts,
  event: EventExtraction | null,
  expected: ExpectedEvent | null,
): void {
  const none: ExpectedEvent = {
    date: '',
    precision: '',
    place: null,
    country: null,
    killed: [],
    injured: [],
    groups: [],
    persons: [],
  }
  const wanted = expected ?? none
  const dates = event?.date ? [event] : []
  compare(counts, 'dates', dates, expected ? [expected] : [], dateMatches)
  compare(
    counts,
    'place',
    event?.place ? [event.place.name] : [],
    wanted.place ? [wanted.place] : [],
    (p, e) => namesMatch(p, e, false),
  )
  compare(
    counts,
    'country',
    event?.place?.countryCode ? [event.place.countryCode] : [],
    wanted.country ? [wanted.country] : [],
    (p, e) => p === e,
  )
  for (const category of ['killed', 'injured'] as const) {
    const figures = (event?.figures ?? []).filter(
      (figure) => figure.category === category.toUpperCase() && !figure.superseded,
    )
    compare(
      counts,
      category,
      figures,
      wanted[category],
      (figure, e) =>
        figure.population === e.population &&
        (e.best === null
          ? figure.vagueTerm?.toLowerCase() === e.vague
          : (figure.best ?? figure.low ?? figure.high) === e.best),
    )
  }
  const groups = event?.groups ?? []
  const groupNamed = (group: EventExtraction['groups'][number], name: string) =>
    [group.name, ...group.aliases].some((candidate) => namesMatch(candidate, name, false))
  compare(
    counts,
    'groups',
    groups,
    wanted.groups,
    (g, e) => groupNamed(g, e.name) && g.attribution === e.attribution,
  )
  compare(counts, 'groups (name only)', groups, wanted.groups, (g, e) => groupNamed(g, e.name))
  compare(
    counts,
    'persons',
    (event?.persons ?? []).map((person) => person.name),
    wanted.persons,
    (p, e) => namesMatch(p, e, false),
  )
}

/** Adds one report's extraction to the counts. */
export function scoreReport(
  counts: Counts,
  extraction: Extraction,
  expected: ExpectedReport,
): void {
  const [main, ...others] = expected.events
  scoreEvent(counts, extraction.event, main ?? null)
  // Mentioned events pair by date first, then by a killed figure they share.
  const left = [...extraction.mentionedEvents]
  for (const wanted of others) {
    let index = left.findIndex((event) => dateMatches(event, wanted))
    if (index < 0)
      index = left.findIndex((event) =>
        event.figures.some((figure) =>
          wanted.killed.some((k) => (figure.best ?? figure.low) === k.best),
        ),
      )
    const [event] = index >= 0 ? left.splice(index, 1) : [null]
    scoreEvent(counts, event ?? null, wanted)
  }
  for (const event of left) scoreEvent(counts, event, null)
  compare(
    counts,
    'sources',
    extraction.sources.map((source) => source.name),
    expected.sources,
    (p, e) => namesMatch(p, e, true),
    true,
  )
}

export const precision = ({ tp, fp }: { tp: number; fp: number }) => (tp + fp ? tp / (tp + fp) : 1)
export const recall = ({ tp, fn }: { tp: number; fn: number }) => (tp + fn ? tp / (tp + fn) : 1)
