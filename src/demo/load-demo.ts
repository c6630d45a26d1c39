import { readFile } from 'node:fs/promises'
import type { Transaction } from 'kysely'
import type { Database } from '../db/database.js'
import type { DB } from '../db/schema.js'
import { demoDataFile } from '../paths.js'
import type { DatedRange, DemoData, DemoEvent } from './demo-data.js'

/** import_record.dataset of the demo rows: their presence marks the demo as loaded. */
export const demoDataset = 'attest_demo'
const demoRelease = 'sidi-bouzid-raid-2019'

export type DemoLoadResult =
  | { readonly status: 'loaded'; readonly events: number }
  | { readonly status: 'already-loaded' }

export async function readDemoData(file: string = demoDataFile): Promise<DemoData> {
  return JSON.parse(await readFile(file, 'utf8')) as DemoData
}

/**
 * Loads the demo data set in one transaction: all of it or nothing. Loading again is a no-op,
 * so `attest demo load` is safe to repeat.
 */
export async function loadDemoData(db: Database, data?: DemoData): Promise<DemoLoadResult> {
  const demo = data ?? (await readDemoData())
  return db.transaction().execute(async (trx) => {
    // Serializes concurrent loaders: the second waits, then sees the first one's rows.
    await trx
      .selectNoFrom((eb) => eb.fn('pg_advisory_xact_lock', [eb.val(0x617474)]).as('locked'))
      .execute()
    const loaded = await trx
      .selectFrom('import_record')
      .select('id')
      .where('dataset', '=', demoDataset)
      .limit(1)
      .executeTakeFirst()
    if (loaded) return { status: 'already-loaded' } as const
    await insertDemo(trx, demo)
    return { status: 'loaded', events: demo.events.length } as const
  })
}

/** Maps the file's keys to the ids the rows got; an unknown key is an error in the file. */
class KeyMap {
  private readonly ids = new Map<string, number>()
  constructor(private readonly kind: string) {}
  set(key: string, id: number) {
    if (this.ids.has(key)) throw new Error(`demo data: duplicate ${this.kind} key "${key}"`)
    this.ids.set(key, id)
  }
  get(key: string): number {
    const id = this.ids.get(key)
    if (id === undefined) throw new Error(`demo data: unknown ${this.kind} key "${key}"`)
    return id
  }
  optional(key: string | undefined): number | null {
    return key === undefined ? null : this.get(key)
  }
}

async function insertDemo(trx: Transaction<DB>, demo: DemoData): Promise<void> {
  const places = new KeyMap('place')
  for (const place of demo.places) {
    const { id } = await trx
      .insertInto('place')
      .values({
        parent_id: places.optional(place.parent),
        level: place.level,
        name: place.name,
        iso_alpha3: place.isoAlpha3 ?? null,
        gw_code: place.gwCode ?? null,
        latitude: place.latitude ?? null,
        longitude: place.longitude ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    places.set(place.key, id)
  }

  const sources = new KeyMap('source')
  for (const source of demo.sources) {
    const { id } = await trx
      .insertInto('source')
      .values({
        name: source.name,
        kind: source.kind,
        scale: source.scale ?? null,
        country_id: places.optional(source.country),
        url: source.url ?? null,
        description: source.description ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    sources.set(source.key, id)
  }

  const reports = new KeyMap('report')
  for (const report of demo.reports) {
    const { id } = await trx
      .insertInto('report')
      .values({
        source_id: sources.get(report.source),
        headline: report.headline ?? null,
        url: report.url ?? null,
        published_on: report.publishedOn ?? null,
        language: report.language ?? null,
        citation: report.citation ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    reports.set(report.key, id)
  }
  for (const citation of demo.reportCitations) {
    await trx
      .insertInto('report_citation')
      .values({
        report_id: reports.get(citation.report),
        cited_report_id: reports.optional(citation.citedReport),
        cited_source_id: sources.optional(citation.citedSource),
        quote: citation.quote ?? null,
      })
      .execute()
  }

  const groups = new KeyMap('group')
  for (const group of demo.groups) {
    const { id } = await trx
      .insertInto('armed_group')
      .values({
        name: group.name,
        kind: group.kind,
        country_id: places.optional(group.country),
        description: group.description ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    groups.set(group.key, id)
    if (group.aliases.length > 0) {
      await trx
        .insertInto('group_alias')
        .values(
          group.aliases.map((alias) => ({
            group_id: id,
            alias: alias.alias,
            language: alias.language ?? null,
          })),
        )
        .execute()
    }
    if (group.externalIds?.length) {
      await trx
        .insertInto('group_external_id')
        .values(
          group.externalIds.map((external) => ({
            group_id: id,
            scheme: external.scheme,
            external_id: external.id,
          })),
        )
        .execute()
    }
  }
  for (const relation of demo.groupRelations) {
    await trx
      .insertInto('group_relation')
      .values({
        from_group_id: groups.get(relation.from),
        to_group_id: groups.get(relation.to),
        kind: relation.kind,
        ...datedRange(relation),
        report_id: reports.get(relation.report),
        quote: relation.quote ?? null,
      })
      .execute()
  }

  const persons = new KeyMap('person')
  for (const person of demo.persons) {
    const { id } = await trx
      .insertInto('person')
      .values({
        name: person.name,
        description: person.description ?? null,
        born_on: person.bornOn ?? null,
        died_on: person.diedOn ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    persons.set(person.key, id)
  }
  for (const membership of demo.memberships) {
    await trx
      .insertInto('membership')
      .values({
        person_id: persons.get(membership.person),
        group_id: groups.get(membership.group),
        role: membership.role,
        ...datedRange(membership),
        report_id: reports.get(membership.report),
        quote: membership.quote ?? null,
      })
      .execute()
  }

  const events = new KeyMap('event')
  for (const event of demo.events) {
    events.set(event.key, await insertEvent(trx, event, { places, reports, groups, persons }))
  }
  for (const link of demo.eventLinks) {
    await trx
      .insertInto('event_link')
      .values({
        event_id: events.get(link.event),
        related_event_id: events.get(link.related),
        kind: link.kind,
        note: link.note ?? null,
      })
      .execute()
  }

  for (const claim of demo.claims) {
    await trx
      .insertInto('claim')
      .values({
        event_id: events.optional(claim.subject.event),
        group_id: groups.optional(claim.subject.group),
        person_id: persons.optional(claim.subject.person),
        property: claim.property,
        statement: claim.statement,
        value_text: claim.valueText ?? null,
        low: claim.low ?? null,
        best: claim.best ?? null,
        high: claim.high ?? null,
        unit: claim.unit ?? null,
        qualifier: claim.qualifier ?? 'exact',
        report_id: reports.get(claim.report),
        stated_by_source_id: sources.optional(claim.statedBy),
        quote: claim.quote ?? null,
      })
      .execute()
  }
}

async function insertEvent(
  trx: Transaction<DB>,
  event: DemoEvent,
  keys: { places: KeyMap; reports: KeyMap; groups: KeyMap; persons: KeyMap },
): Promise<number> {
  const { id } = await trx
    .insertInto('event')
    .values({
      title: event.title,
      summary: event.summary ?? null,
      date_start: event.dateStart,
      date_end: event.dateEnd,
      date_precision: event.datePrecision,
      place_id: keys.places.optional(event.place),
      location_text: event.locationText ?? null,
      latitude: event.latitude ?? null,
      longitude: event.longitude ?? null,
      geo_precision: event.geoPrecision ?? null,
      tags: [...event.tags],
      is_suicide: event.isSuicide,
      civilian_targeting: event.civilianTargeting,
    })
    .returning('id')
    .executeTakeFirstOrThrow()

  for (const classification of event.classifications) {
    const type = await trx
      .selectFrom('event_type')
      .select('id')
      .where('scheme', '=', classification.scheme)
      .where('code', '=', classification.code)
      .executeTakeFirst()
    if (!type)
      throw new Error(
        `demo data: unknown event type ${classification.scheme}:${classification.code}`,
      )
    await trx
      .insertInto('event_classification')
      .values({ event_id: id, event_type_id: type.id, is_primary: classification.primary })
      .execute()
  }
  for (const actor of event.actors) {
    await trx
      .insertInto('event_actor')
      .values({
        event_id: id,
        group_id: keys.groups.get(actor.group),
        role: actor.role,
        side: actor.side ?? null,
        attribution: actor.attribution,
        report_id: keys.reports.optional(actor.report),
      })
      .execute()
  }
  for (const person of event.persons) {
    await trx
      .insertInto('event_person')
      .values({
        event_id: id,
        person_id: keys.persons.get(person.person),
        role: person.role,
        outcome: person.outcome ?? null,
        report_id: keys.reports.optional(person.report),
      })
      .execute()
  }
  for (const figure of event.casualties) {
    await trx
      .insertInto('casualty_figure')
      .values({
        event_id: id,
        category: figure.category,
        population: figure.population,
        low: figure.low ?? null,
        best: figure.best ?? null,
        high: figure.high ?? null,
        qualifier: figure.qualifier,
        vague_term: figure.vagueTerm ?? null,
        report_id: keys.reports.get(figure.report),
        quote: figure.quote ?? null,
      })
      .execute()
  }
  for (const citation of event.citations) {
    await trx
      .insertInto('event_citation')
      .values({
        event_id: id,
        report_id: keys.reports.get(citation.report),
        quote: citation.quote ?? null,
      })
      .execute()
  }
  await trx
    .insertInto('import_record')
    .values({
      dataset: demoDataset,
      release: demoRelease,
      external_id: event.key,
      raw: JSON.stringify(event),
      event_id: id,
    })
    .execute()
  return id
}

function datedRange(range: DatedRange) {
  return {
    valid_from: range.validFrom ?? null,
    valid_from_precision: range.validFromPrecision ?? null,
    valid_to: range.validTo ?? null,
    valid_to_precision: range.validToPrecision ?? null,
  }
}
