import { sql } from 'kysely'
import type { Aggregate } from '../../db/aggregate-state.js'
import type { Database } from '../../db/database.js'
import { bestMatches } from '../../db/name-search.js'
import type { StoredDraft } from '../../drafts/resolve.js'
import { toDbEnum as lower } from '../enums.js'
import { invalidField } from '../errors.js'
import type {
  DraftChanges,
  DraftFigureInput,
  DraftGroupInput,
  DraftPersonInput,
  DraftSourceInput,
  EventLinkInput,
} from '../generated/resolvers.js'
import { idOfType } from '../ids.js'
import type { DraftRow } from './draft-mutations.js'
import {
  datesOrdered,
  figuresWithinBound,
  notBlank,
  notInFuture,
  rangeOrdered,
} from './validate.js'
import { changeAggregate, insertRow, recordRevision, type Writer } from './write.js'

// An accepted draft written as every writer writes (write.ts): the report and the records it
// needs first (each new one recorded as created), then the event with all its parts — figures
// citing the report with the quote of their span, actors, persons, citations, claims, links —
// and one revision of the event that holds them all. Claims about groups already recorded are
// changes of those groups, by changeAggregate.

interface Figure {
  readonly category: string
  readonly population: string
  readonly low: number | null
  readonly best: number | null
  readonly high: number | null
  readonly qualifier: string
  readonly vagueTerm: string | null
  readonly quote: string
}

/** The figures to write: the editor's (each with a span of the text) or the draft's in force. */
function figuresToWrite(
  draft: DraftRow,
  given: readonly DraftFigureInput[] | null | undefined,
): Figure[] {
  const figures: Figure[] = given
    ? given.map((figure, index) => {
        const field = `figures[${index}]`
        if (!(figure.start >= 0 && figure.end > figure.start && figure.end <= draft.text.length))
          throw invalidField(
            `${field}: start and end must be a span of the report's text (0 to ${draft.text.length})`,
            'figures',
            'span',
          )
        rangeOrdered(figure)
        figuresWithinBound(figure)
        const qualifier = figure.qualifier ?? 'EXACT'
        if ((qualifier === 'VAGUE') !== (figure.vagueTerm != null))
          throw invalidField(
            `${field}: a VAGUE figure has a vagueTerm, and only it`,
            'vagueTerm',
            'vague_term',
          )
        if (
          qualifier !== 'VAGUE' &&
          figure.low == null &&
          figure.best == null &&
          figure.high == null
        )
          throw invalidField(`${field}: give low, best or high`, 'best', 'has_number')
        return {
          category: figure.category,
          population: figure.population,
          low: figure.low ?? null,
          best: figure.best ?? null,
          high: figure.high ?? null,
          qualifier,
          vagueTerm: figure.vagueTerm ?? null,
          quote: draft.text.slice(figure.start, figure.end),
        }
      })
    : draft.draft.figures.filter((figure) => !figure.superseded)
  if (!given) return figures
  const seen = new Set<string>()
  for (const figure of figures) {
    const key = `${figure.category}/${figure.population}`
    if (seen.has(key))
      throw invalidField(
        `Two figures for ${key.toLowerCase()}: the report gives one of each (a revised toll replaces the earlier)`,
        'figures',
        'one_per_population',
      )
    seen.add(key)
  }
  return figures
}

/** Inserts a new aggregate and its parts, then records its creation (its state with the parts). */
async function createWithParts(
  writer: Writer,
  kind: Aggregate,
  values: Record<string, unknown>,
  parts: (id: number) => Promise<void> = async () => {},
): Promise<number> {
  const id = await insertRow(writer.trx, kind, values)
  await parts(id)
  await recordRevision(writer, 'create', kind, id, null)
  return id
}

/** The source a name means (sql/0053), or a new one of the kind the draft gives it. */
async function sourceFor(writer: Writer, name: string, kind: string): Promise<number> {
  const { rows } = await sql<{ id: string | null; known: string | null }>`
    SELECT source_named(${name}) AS id,
      (SELECT v.name FROM source_name_variant v WHERE v.key = source_name_key(${name})) AS known`.execute(
    writer.trx,
  )
  const found = rows[0]?.id
  if (found) return Number(found)
  const known = rows[0]?.known
  const variantKind = known
    ? (
        await sql<{
          kind: string
        }>`SELECT kind FROM source_name_variant WHERE name = ${known} LIMIT 1`.execute(writer.trx)
      ).rows[0]?.kind
    : undefined
  return createWithParts(writer, 'source', {
    name: known ?? name.trim(),
    kind: variantKind ?? lower(kind),
  })
}

/** The report: the one with this URL, or a new one of the outlet, citing the draft's sources. */
async function reportFor(
  writer: Writer,
  draft: DraftRow,
  given: readonly DraftSourceInput[] | null | undefined,
): Promise<number> {
  const { trx } = writer
  if (draft.url) {
    const existing = await trx
      .selectFrom('report')
      .select('id')
      .where('url', '=', draft.url)
      .executeTakeFirst()
    if (existing) return Number(existing.id)
  }
  const outlet = await sourceFor(writer, draft.source_name, 'NEWS_OUTLET')
  const cited = new Map<number, string>()
  for (const source of sourcesToCite(draft, given)) {
    const id = await sourceFor(writer, source.name, source.kind)
    if (id !== outlet && !cited.has(id))
      cited.set(id, sentenceAround(draft.text, source.start, source.end))
  }
  return createWithParts(
    writer,
    'report',
    {
      source_id: outlet,
      headline: draft.draft.title.value || null,
      url: draft.url,
      published_on: draft.published_on,
      language: 'en',
      citation: `${draft.source_name}, ${draft.published_on}`,
    },
    async (reportId) => {
      for (const [sourceId, quote] of cited)
        await insertRow(trx, 'report_citation', {
          report_id: reportId,
          cited_source_id: sourceId,
          quote,
        })
    },
  )
}

/** The voices to cite: the editor's (each named, with a span of the text) or the draft's. */
function sourcesToCite(
  draft: DraftRow,
  given: readonly DraftSourceInput[] | null | undefined,
): { name: string; kind: string; start: number; end: number }[] {
  if (!given) return [...draft.draft.sources]
  return given.map((source, index) => {
    notBlank(source.name, 'name')
    if (!(source.start >= 0 && source.end > source.start && source.end <= draft.text.length))
      throw invalidField(
        `sources[${index}]: start and end must be a span of the report's text (0 to ${draft.text.length})`,
        'sources',
        'span',
      )
    return {
      name: source.name.trim(),
      kind: source.kind ?? 'OTHER',
      start: source.start,
      end: source.end,
    }
  })
}

/** The sentence a span sits in: what a citation quotes. */
export function sentenceAround(text: string, start: number, end: number): string {
  const before = text.slice(0, start)
  const from = Math.max(before.lastIndexOf('. ') + 2, before.lastIndexOf('\n') + 1, 0)
  const stop = /[.!?](?=\s|$)|\n/g
  stop.lastIndex = end
  const to = stop.exec(text)?.index ?? text.length
  return text.slice(from, Math.min(text.length, to + 1)).trim()
}

async function groupsToWrite(
  writer: Writer,
  draft: DraftRow,
  given: readonly DraftGroupInput[] | null | undefined,
): Promise<{ groupId: number; role: string; attribution: string }[]> {
  const wanted = given
    ? given.map((group, index) => {
        if ((group.groupId == null) === (group.name == null))
          throw invalidField(
            `groups[${index}]: give exactly one of groupId and name`,
            'groups',
            'exactly_one',
          )
        notBlank(group.name, 'name')
        return {
          groupId: group.groupId ? idOfType(group.groupId, 'ArmedGroup', 'groupId') : null,
          name: group.name ?? null,
          role: group.role,
          attribution: group.attribution ?? 'CONFIRMED',
        }
      })
    : draft.draft.groups.map((group) => ({ ...group, groupId: group.groupId }))
  const named = wanted.filter((group) => group.groupId == null).map((group) => group.name as string)
  const matches = await bestMatches(writer.trx, 'armed_group', named)
  const written: { groupId: number; role: string; attribution: string }[] = []
  for (const group of wanted) {
    let groupId = group.groupId
    if (groupId == null) {
      const match = matches[named.indexOf(group.name as string)]
      // A new name (no record matches it well) is a new group, under its canonical spelling.
      groupId =
        match && match.score >= 0.6 ? match.id : await newGroup(writer, group.name as string)
    }
    if (!written.some((other) => other.groupId === groupId && other.role === group.role))
      written.push({ groupId, role: lower(group.role), attribution: lower(group.attribution) })
  }
  return written
}

async function personsToWrite(
  writer: Writer,
  draft: DraftRow,
  given: readonly DraftPersonInput[] | null | undefined,
): Promise<PersonToWrite[]> {
  const wanted: {
    personId: number | null
    name: string | null
    role: string
    outcome: string | null
    groupName?: string | null
    quote?: string
  }[] = given
    ? given.map((person, index) => {
        if ((person.personId == null) === (person.name == null))
          throw invalidField(
            `persons[${index}]: give exactly one of personId and name`,
            'persons',
            'exactly_one',
          )
        notBlank(person.name, 'name')
        notBlank(person.role, 'role')
        return {
          personId: person.personId ? idOfType(person.personId, 'Person', 'personId') : null,
          name: person.name ?? null,
          role: person.role,
          outcome: person.outcome ?? null,
        }
      })
    : draft.draft.persons.map((person) => ({
        personId: person.personId,
        name: person.name,
        role: person.role ?? 'participant',
        outcome: person.outcome,
        groupName: person.groupName,
        // The sentence that says it, not the name alone.
        quote: sentenceAround(draft.text, person.start, person.end) || person.quote,
      }))
  const written: PersonToWrite[] = []
  for (const person of wanted) {
    const personId =
      person.personId ??
      (await createWithParts(writer, 'person', { name: person.name, description: person.role }))
    const role = person.role.slice(0, 200)
    if (!written.some((other) => other.personId === personId && other.role === role))
      written.push({
        personId,
        role,
        outcome: person.outcome ? lower(person.outcome) : null,
        member: person.groupName
          ? { groupName: person.groupName, quote: person.quote ?? null }
          : null,
      })
  }
  return written
}

interface PersonToWrite {
  readonly personId: number
  readonly role: string
  readonly outcome: string | null
  /** The group the report says they belong to or lead (drafted persons only). */
  readonly member: { readonly groupName: string; readonly quote: string | null } | null
}

/**
 * The memberships the report states ("Alaoui, head of the Brigade of Jihad and Unity"): each a
 * change of its group, found as groups(search:) finds it, or new. A membership the person
 * already has in that group and role is not written twice.
 */
async function writeMemberships(
  writer: Writer,
  persons: readonly PersonToWrite[],
  reportId: number,
): Promise<void> {
  const members = persons.filter((person) => person.member !== null)
  if (!members.length) return
  const names = members.map((person) => person.member?.groupName as string)
  const matches = await bestMatches(writer.trx, 'armed_group', names)
  for (const [index, person] of members.entries()) {
    const match = matches[index]
    const groupId =
      match && match.score >= 0.6 ? match.id : await newGroup(writer, names[index] as string)
    const role =
      /\b(head|leader|chief|commander|emir|founder|spokes(?:man|woman|person))\b/i
        .exec(person.role)?.[1]
        ?.toLowerCase() ?? 'member'
    const existing = await writer.trx
      .selectFrom('membership')
      .select('id')
      .where('person_id', '=', person.personId)
      .where('group_id', '=', groupId)
      .where('role', '=', role)
      .executeTakeFirst()
    if (existing) continue
    await changeGroup(writer, groupId, 'memberships', async () => {
      await insertRow(writer.trx, 'membership', {
        person_id: person.personId,
        group_id: groupId,
        role,
        report_id: reportId,
        quote: person.member?.quote ?? null,
      })
    })
  }
}

/** A new group under the canonical spelling of the name the report gives it. */
async function newGroup(writer: Writer, name: string): Promise<number> {
  const canonical = await sql<{
    name: string
  }>`SELECT group_canonical_name(${name}) AS name`.execute(writer.trx)
  return createWithParts(writer, 'armed_group', { name: canonical.rows[0]?.name })
}

/** A change of a recorded group (its version steps once, one revision); nothing for no group. */
async function changeGroup(
  writer: Writer,
  groupId: number,
  field: string,
  change: () => Promise<void>,
): Promise<void> {
  const group = await writer.trx
    .selectFrom('armed_group')
    .select('version')
    .where('id', '=', groupId)
    .executeTakeFirst()
  if (!group) return
  await changeAggregate(
    writer,
    { kind: 'armed_group', id: groupId, version: group.version, operation: 'update', field },
    change,
  )
}

/** Links to recorded events: the editor's, or each mentioned event's best candidate when it fits well. */
function linksToWrite(draft: DraftRow, given: readonly EventLinkInput[] | null | undefined) {
  if (given)
    return given.map((link) => ({
      related: idOfType(link.relatedEventId, 'Event', 'relatedEventId'),
      kind: lower(link.kind),
      note: link.note ?? null,
    }))
  return draft.draft.mentionedEvents.flatMap((event) => {
    const best = event.candidates[0]
    return best && best.score >= 0.7
      ? [{ related: best.eventId, kind: 'context', note: event.title }]
      : []
  })
}

/** Writes the draft's event (with the editor's changes); returns its id. */
export async function writeAcceptedDraft(
  writer: Writer,
  draft: DraftRow,
  changes: DraftChanges,
): Promise<number> {
  const { trx } = writer
  const stored = draft.draft
  const title = changes.title ?? stored.title.value
  notBlank(title, 'title')
  if (!title) throw invalidField('The draft has no title: give changes.title', 'title', 'required')
  const dateStart = changes.dateStart ?? stored.date?.date
  if (!dateStart)
    throw invalidField('The draft has no date: give changes.dateStart', 'dateStart', 'required')
  const dateEnd =
    changes.dateEnd ?? (changes.dateStart ? changes.dateStart : (stored.date?.dateEnd ?? dateStart))
  notInFuture(dateStart, 'dateStart')
  notInFuture(dateEnd, 'dateEnd')
  datesOrdered(dateStart, dateEnd, 'dateEnd')
  const precision = changes.datePrecision ?? stored.date?.precision ?? 'DAY'
  const placeId = changes.placeId
    ? idOfType(changes.placeId, 'Place', 'placeId')
    : (stored.place?.placeId ?? null)
  const allFigures = figuresToWrite(draft, changes.figures)
  // The report gives two counts of one kind (two voices): the first is its figure, the others
  // stay on the record as claims of the event.
  const figures = allFigures.filter(
    (figure, index) =>
      allFigures.findIndex(
        (other) => other.category === figure.category && other.population === figure.population,
      ) === index,
  )
  const otherCounts = allFigures.filter((figure) => !figures.includes(figure))
  const links = linksToWrite(draft, changes.links)

  const reportId = await reportFor(writer, draft, changes.sources)
  const groups = await groupsToWrite(writer, draft, changes.groups)
  const persons = await personsToWrite(writer, draft, changes.persons)
  const place = placeId ? await placeOf(trx, placeId) : null
  const eventId = await insertRow(trx, 'event', {
    title: title.trim(),
    date_start: dateStart,
    date_end: dateEnd,
    date_precision: lower(precision),
    place_id: placeId,
    location_text: changes.locationText ?? stored.place?.name ?? null,
    ...pointOf(place, stored.place, changes.locationText),
  })
  for (const figure of figures)
    await insertRow(trx, 'casualty_figure', {
      event_id: eventId,
      category: lower(figure.category),
      population: lower(figure.population),
      low: figure.low,
      best: figure.best,
      high: figure.high,
      qualifier: lower(figure.qualifier),
      vague_term: figure.vagueTerm,
      report_id: reportId,
      quote: figure.quote,
    })
  for (const group of groups)
    await insertRow(trx, 'event_actor', {
      event_id: eventId,
      group_id: group.groupId,
      role: group.role,
      attribution: group.attribution,
      report_id: reportId,
    })
  for (const person of persons)
    await insertRow(trx, 'event_person', {
      event_id: eventId,
      person_id: person.personId,
      role: person.role,
      outcome: person.outcome,
      report_id: reportId,
    })
  const citation = stored.date
    ? sentenceAround(draft.text, stored.date.start, stored.date.end)
    : stored.title.value
  await insertRow(trx, 'event_citation', {
    event_id: eventId,
    report_id: reportId,
    quote: citation || null,
  })
  // A date the report gives twice (the caption's year) stays on the record as a claim.
  if (stored.date?.conflict && !changes.dateStart)
    await insertRow(trx, 'claim', {
      event_id: eventId,
      property: 'date_start',
      statement: `The report dates the event ${stored.date.date}; it also says: ${stored.date.conflict}.`,
      value_text: stored.date.date,
      report_id: reportId,
      quote: stored.date.quote,
    })
  for (const figure of otherCounts)
    await insertRow(trx, 'claim', {
      event_id: eventId,
      property: `${lower(figure.category)}_${lower(figure.population)}_also_reported`,
      statement: `The report also gives ${figure.best ?? figure.low ?? figure.high ?? figure.vagueTerm} ${lower(figure.category)} (${lower(figure.population)}).`,
      low: figure.low,
      best: figure.best,
      high: figure.high,
      value_text: figure.vagueTerm,
      qualifier: lower(figure.qualifier),
      report_id: reportId,
      quote: figure.quote,
    })
  for (const link of links) {
    if (link.related === eventId) continue
    await insertRow(trx, 'event_link', {
      event_id: eventId,
      related_event_id: link.related,
      kind: link.kind,
      note: link.note,
    })
  }
  await recordRevision(writer, 'create', 'event', eventId, null)
  if (changes.claims !== false) await writeGroupClaims(writer, stored, reportId)
  await writeMemberships(writer, persons, reportId)
  return eventId
}

async function placeOf(trx: Database, id: number) {
  const place = await trx
    .selectFrom('place')
    .select(['level', 'latitude', 'longitude'])
    .where('id', '=', id)
    .executeTakeFirst()
  if (!place) throw invalidField('placeId names no place', 'placeId', 'unknown_id')
  return place
}

/**
 * Where the event is: the recorded place's point; else the gazetteer's point of the place the
 * draft names, unless the editor named another (changes.locationText).
 */
function pointOf(
  place: { level: string; latitude: number | null; longitude: number | null } | null,
  named: StoredDraft['place'],
  locationText: string | null | undefined,
) {
  if (place)
    return {
      latitude: place.latitude,
      longitude: place.longitude,
      geo_precision: geoPrecisionOf(place.level),
    }
  const same = named && (locationText == null || locationText.trim() === named.name)
  return {
    latitude: same ? (named.latitude ?? null) : null,
    longitude: same ? (named.longitude ?? null) : null,
    geo_precision: same && named.geoPrecision ? named.geoPrecision.toLowerCase() : null,
  }
}

const geoPrecisionOf = (level: string) =>
  ({ country: 'country', admin1: 'admin1', admin2: 'admin2', admin3: 'admin2', locality: 'near' })[
    level
  ] ?? null

/** Claims about recorded groups, each a change of its group (its version steps once). */
async function writeGroupClaims(
  writer: Writer,
  stored: StoredDraft,
  reportId: number,
): Promise<void> {
  const byGroup = new Map<number, StoredDraft['claims'][number][]>()
  for (const claim of stored.claims)
    if (claim.groupId !== null)
      byGroup.set(claim.groupId, [...(byGroup.get(claim.groupId) ?? []), claim])
  for (const [groupId, claims] of byGroup) {
    await changeGroup(writer, groupId, 'claims', async () => {
      for (const claim of claims) {
        const statedBy = claim.statedBy ? await sourceFor(writer, claim.statedBy, 'PERSON') : null
        await insertRow(writer.trx, 'claim', {
          group_id: groupId,
          property: claim.property,
          statement: claim.statement,
          value_text: claim.valueText,
          low: claim.low,
          best: claim.best,
          high: claim.high,
          qualifier: lower(claim.qualifier),
          report_id: reportId,
          stated_by_source_id: statedBy,
          quote: claim.quote,
        })
      }
    })
  }
}
