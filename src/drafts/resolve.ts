import { sql } from 'kysely'
import type { Database } from '../db/database.js'
import { bestMatches } from '../db/name-search.js'
import type {
  ClaimValue,
  DateValue,
  EventExtraction,
  Evidence,
  Extraction,
  FigureValue,
  GroupValue,
  PersonValue,
  PlaceValue,
  SourceValue,
} from './extraction.js'

// An extraction as a draft stores it (sql/0065, schema.graphql's EventDraft): each value with
// its quote, and the names matched to what is recorded — groups and persons as groups(search:)
// and persons(search:) find them, sources as importers do (source_named), places in the places
// table, mentioned events among recorded events of the same days and country.

export interface StoredDraft {
  readonly title: Extraction['title']
  readonly date: StoredDate | null
  readonly place: StoredPlace | null
  readonly figures: readonly StoredFigure[]
  readonly groups: readonly StoredGroup[]
  readonly persons: readonly StoredPerson[]
  readonly sources: readonly StoredSource[]
  readonly claims: readonly StoredClaim[]
  readonly mentionedEvents: readonly StoredMentionedEvent[]
  /** The recorded source of the report's outlet, when there is one. */
  readonly sourceId: number | null
}

type Quoted<T> = T & { readonly quote: string }
type Indexed<T> = Quoted<T> & { readonly index: number }
export type StoredDate = Quoted<DateValue>
export type StoredPlace = Quoted<PlaceValue> & { readonly placeId: number | null }
export type StoredFigure = Indexed<FigureValue>
export type StoredGroup = Indexed<GroupValue> & {
  readonly groupId: number | null
  readonly matchScore: number | null
}
export type StoredPerson = Indexed<PersonValue> & { readonly personId: number | null }
export type StoredSource = Indexed<SourceValue> & { readonly sourceId: number | null }
export type StoredClaim = Indexed<ClaimValue> & { readonly groupId: number | null }
export interface StoredMentionedEvent extends Evidence {
  readonly index: number
  readonly quote: string
  readonly title: string
  readonly date: StoredDate | null
  readonly place: StoredPlace | null
  readonly figures: readonly StoredFigure[]
  readonly groups: readonly StoredGroup[]
  readonly candidates: readonly { eventId: number; score: number; rank: number }[]
}

const quoted = <T extends Evidence>(text: string, value: T): Quoted<T> => ({
  ...value,
  quote: text.slice(value.start, value.end),
})
const indexed = <T extends Evidence>(text: string, values: readonly T[]): Indexed<T>[] =>
  values.map((value, index) => ({ ...quoted(text, value), index }))

/** The extraction with its quotes and the records its names match. */
export async function resolveDraft(
  db: Database,
  text: string,
  extraction: Extraction,
  sourceName: string,
): Promise<StoredDraft> {
  const events = [extraction.event, ...extraction.mentionedEvents]
  const groupNames = [
    ...new Set([
      // A group's other names too: the record may go by one of them ("ISWAP").
      ...events.flatMap((event) => event.groups.flatMap((group) => [group.name, ...group.aliases])),
      ...extraction.claims.map((claim) => claim.groupName),
    ]),
  ]
  const groupIds = new Map(
    (await bestMatches(db, 'armed_group', groupNames)).map((match, index) => [
      groupNames[index] as string,
      match,
    ]),
  )
  const personMatches = await bestMatches(
    db,
    'person',
    extraction.event.persons.map((person) => person.name),
  )
  const sourceIds = await sourcesNamed(db, [
    sourceName,
    ...extraction.sources.map((source) => source.name),
  ])
  const places = await placesNamed(
    db,
    events.map((event) => event.place),
  )
  const groups = (event: EventExtraction): StoredGroup[] =>
    indexed(text, event.groups).map((group) => {
      const match =
        [group.name, ...group.aliases]
          .map((name) => groupIds.get(name) ?? null)
          .find((found) => found !== null) ?? null
      return { ...group, groupId: match?.id ?? null, matchScore: match?.score ?? null }
    })
  const place = (index: number): StoredPlace | null => {
    const value = events[index]?.place
    return value ? { ...quoted(text, value), placeId: places[index] ?? null } : null
  }
  const date = (value: DateValue | null) => (value ? quoted(text, value) : null)
  const mentioned = await Promise.all(
    extraction.mentionedEvents.map(async (event, index) => ({
      ...quoted(text, event.evidence),
      index,
      title: event.title,
      date: date(event.date),
      place: place(index + 1),
      figures: indexed(text, event.figures),
      groups: groups(event),
      candidates: await candidateEvents(db, event, places[index + 1] ?? null),
    })),
  )
  return {
    title: extraction.title,
    date: date(extraction.event.date),
    place: place(0),
    figures: indexed(text, extraction.event.figures),
    groups: groups(extraction.event),
    persons: indexed(text, extraction.event.persons).map((person, index) => ({
      ...person,
      personId: personMatches[index]?.id ?? null,
    })),
    sources: indexed(text, extraction.sources).map((source, index) => ({
      ...source,
      sourceId: sourceIds[index + 1] ?? null,
    })),
    claims: indexed(text, extraction.claims).map((claim) => ({
      ...claim,
      groupId: groupIds.get(claim.groupName)?.id ?? null,
    })),
    mentionedEvents: mentioned,
    sourceId: sourceIds[0] ?? null,
  }
}

/** The sources these names mean (name, alias or known spelling: sql/0053), or null. */
async function sourcesNamed(db: Database, names: readonly string[]): Promise<(number | null)[]> {
  const { rows } = await sql<{ id: string | null }>`
    SELECT source_named(given.name) AS id
    FROM unnest(${names}::text[]) WITH ORDINALITY AS given (name, position)
    ORDER BY given.position`.execute(db)
  return rows.map((row) => (row.id === null ? null : Number(row.id)))
}

/**
 * The recorded places these names mean: as places(search:) ranks them, in the named country
 * when the draft knows it (else anywhere); a country by its code.
 */
async function placesNamed(
  db: Database,
  places: readonly (PlaceValue | null)[],
): Promise<(number | null)[]> {
  const names = places.map((place) => place?.name ?? '')
  const matches = await bestMatches(db, 'place', names)
  const ids = matches.map((match) => match?.id ?? null)
  const { rows } = await sql<{ id: string; iso: string | null }>`
    SELECT p.id, c.iso_alpha3 AS iso FROM place p JOIN place c ON c.id = p.country_id
    WHERE p.id = ANY(${ids.filter((id) => id !== null)}::bigint[])`.execute(db)
  const countryOf = new Map(rows.map((row) => [Number(row.id), row.iso]))
  const countries = await sql<{ iso: string; id: string }>`
    SELECT iso_alpha3 AS iso, id FROM place
    WHERE level = 'country' AND iso_alpha3 = ANY(${places.map((place) => place?.countryCode ?? '')}::text[])`.execute(
    db,
  )
  const countryIds = new Map(countries.rows.map((row) => [row.iso, Number(row.id)]))
  return places.map((place, index) => {
    const id = ids[index] ?? null
    const code = place?.countryCode ?? null
    if (id !== null && (!code || countryOf.get(id) === code)) return id
    return code ? (countryIds.get(code) ?? null) : null
  })
}

/**
 * Recorded events a mentioned event may be: live events whose dates meet its dates (a day's
 * event within three days), in its country when known; scored by how close the dates are, the
 * same place, and the same killed count.
 */
async function candidateEvents(
  db: Database,
  event: EventExtraction,
  placeId: number | null,
): Promise<{ eventId: number; score: number; rank: number }[]> {
  const date = event.date
  if (!date) return []
  const slack = date.precision === 'DAY' ? 3 : 0
  const countOf = (category: string) => {
    const figure = event.figures.find((one) => one.category === category && !one.superseded)
    return figure?.best ?? figure?.low ?? null
  }
  const killed = countOf('KILLED')
  const injured = countOf('INJURED')
  const { rows } = await sql<{ id: string; score: number }>`
    WITH wanted AS (
      SELECT ${date.date}::date - ${slack}::int AS first, ${date.dateEnd}::date + ${slack}::int AS last,
        (SELECT country_id FROM place WHERE id = ${placeId}::bigint) AS country_id
    )
    SELECT e.id,
      0.4 * (1 - least(abs(e.date_start - ${date.date}::date), 30) / 30.0)
      + CASE
          -- The same place, or one inside the other (the city of Tunis in Tunis governorate).
          WHEN e.place_id = ${placeId}::bigint
            OR e.place_id IN (SELECT id FROM place WHERE parent_id = ${placeId}::bigint)
            OR e.place_id = (SELECT parent_id FROM place WHERE id = ${placeId}::bigint) THEN 0.3
          WHEN e.country_id = wanted.country_id THEN 0.15 ELSE 0 END
      + CASE WHEN e.killed_best = ${killed}::int OR e.injured_best = ${injured}::int THEN 0.3 ELSE 0 END AS score
    FROM event e, wanted
    WHERE e.deleted_at IS NULL AND e.date_start <= wanted.last AND e.date_end >= wanted.first
      AND (wanted.country_id IS NULL OR e.country_id = wanted.country_id)
    ORDER BY score DESC, e.id
    LIMIT 3`.execute(db)
  return rows.map((row, rank) => ({
    eventId: Number(row.id),
    score: Number(Number(row.score).toFixed(2)),
    rank,
  }))
}
