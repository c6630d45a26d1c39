import type { Selectable } from 'kysely'
import type { StatsBucket } from '../db/event-stats.js'
import type { EventBranches, GroupBranch, ReportBranch } from '../db/event-tree.js'
import type { ListedEventRow } from '../db/events.js'
import type * as Row from '../db/schema.js'
import type { SourceChainLink } from '../db/sources.js'
import { toApiEnum } from './enums.js'
import type * as G from './generated/resolvers.js'
import type { Connection } from './pagination.js'

// What resolvers receive for each GraphQL object type: its scalar fields, named and typed as the
// schema says (derived from the generated types, so schema drift fails typecheck), plus the
// database ids its relation fields load by. Each to*() maps one row; enums go UPPER_CASE here.

type Fields<T, Relations extends keyof T = never> = Omit<T, '__typename' | 'id' | Relations>

// A page of events, and the relations fetched with it, hold only the columns the client's
// selection reads (src/graphql/prefetch.ts): a column left out is undefined, as its field is
// not read.
const upper = <T extends string>(value: T) =>
  value === undefined ? (value as never) : toApiEnum(value)
const upperOrNull = <T extends string>(value: T | null) => (value === null ? null : upper(value))

export type EventModel = Fields<
  G.Event,
  | 'place'
  | 'country'
  | 'classifications'
  | 'actors'
  | 'persons'
  | 'casualtyFigures'
  | 'casualties'
  | 'casualtiesByPopulation'
  | 'citations'
  | 'links'
  | 'claims'
  | 'history'
> & {
  id: number
  placeId: number | null
  countryId: number | null
  /** Relations fetched with the event's page (src/db/event-tree.ts); a missing one is loaded. */
  fetched: EventBranches
}

export function toEvent(row: ListedEventRow & EventBranches): EventModel {
  return {
    id: row.id,
    fetched: row,
    title: row.title,
    summary: row.summary,
    dateStart: row.date_start,
    dateEnd: row.date_end,
    datePrecision: upper(row.date_precision),
    placeId: row.place_id,
    countryId: row.country_id,
    locationText: row.location_text,
    latitude: row.latitude,
    longitude: row.longitude,
    geoPrecision: upperOrNull(row.geo_precision),
    tags: row.tags,
    isSuicide: row.is_suicide,
    civilianTargeting: row.civilian_targeting,
    killedBest: row.killed_best,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export type EventTypeModel = Fields<G.EventType, 'parent'> & { id: number; parentId: number | null }

export function toEventType(row: Selectable<Row.EventType>): EventTypeModel {
  return {
    id: row.id,
    scheme: upper(row.scheme),
    code: row.code,
    label: row.label,
    parentId: row.parent_id,
  }
}

export type EventClassificationModel = Fields<G.EventClassification, 'eventType'> & {
  eventTypeId: number
}

export function toEventClassification(
  row: Selectable<Row.EventClassification>,
): EventClassificationModel {
  return { eventTypeId: row.event_type_id, isPrimary: row.is_primary }
}

export type EventActorModel = Fields<G.EventActor, 'group' | 'report'> & {
  groupId: number
  reportId: number | null
  fetchedGroup?: GroupBranch | null
}

export function toEventActor(
  row: Selectable<Row.EventActor> & { group?: GroupBranch | null },
): EventActorModel {
  return {
    groupId: row.group_id,
    fetchedGroup: row.group,
    role: upper(row.role),
    side: upperOrNull(row.side),
    attribution: upper(row.attribution),
    reportId: row.report_id,
  }
}

export type EventPersonModel = Fields<G.EventPerson, 'person' | 'report'> & {
  eventId: number
  personId: number
  reportId: number | null
}

export function toEventPerson(row: Selectable<Row.EventPerson>): EventPersonModel {
  return {
    eventId: row.event_id,
    personId: row.person_id,
    role: row.role,
    outcome: upperOrNull(row.outcome),
    reportId: row.report_id,
  }
}

/** The same row seen from the person: the event is the relation. */
export type PersonEventModel = Fields<G.PersonEvent, 'event'> & { eventId: number }

export type CasualtyFigureModel = Fields<G.CasualtyFigure, 'report'> & {
  id: number
  reportId: number
  fetchedReport?: ReportBranch | null
}

export function toCasualtyFigure(
  row: Selectable<Row.CasualtyFigure> & { report?: ReportBranch | null },
): CasualtyFigureModel {
  return {
    id: row.id,
    fetchedReport: row.report,
    category: upper(row.category),
    population: upper(row.population),
    low: row.low,
    best: row.best,
    high: row.high,
    qualifier: upper(row.qualifier),
    vagueTerm: row.vague_term,
    reportId: row.report_id,
    quote: row.quote,
  }
}

export type CasualtySummaryModel = Fields<G.CasualtySummary>

export function toCasualtySummary(row: Selectable<Row.CasualtySummary>): CasualtySummaryModel {
  return {
    category: upper(row.category),
    low: row.low,
    best: row.best,
    high: row.high,
    figureCount: row.figures,
  }
}

export type CasualtyPopulationSummaryModel = Fields<G.CasualtyPopulationSummary>

export function toCasualtyPopulationSummary(
  row: Selectable<Row.CasualtyPopulationSummary>,
): CasualtyPopulationSummaryModel {
  return { ...toCasualtySummary(row), population: upper(row.population) }
}

export type EventCitationModel = Fields<G.EventCitation, 'report'> & {
  reportId: number
  fetchedReport?: ReportBranch | null
}

export function toEventCitation(
  row: Selectable<Row.EventCitation> & { report?: ReportBranch | null },
): EventCitationModel {
  return { reportId: row.report_id, quote: row.quote, fetchedReport: row.report }
}

export type EventLinkModel = Fields<G.EventLink, 'event'> & { relatedEventId: number }

export function toEventLink(row: Selectable<Row.EventLink>): EventLinkModel {
  return { kind: upper(row.kind), relatedEventId: row.related_event_id, note: row.note }
}

export type EventStatsBucketModel = Fields<G.EventStatsBucket, 'country' | 'group' | 'eventType'> &
  Pick<StatsBucket, 'countryId' | 'groupId' | 'eventTypeId'> & {
    /** The country, when loaded with the buckets (so resolving it needs no promise per bucket). */
    country?: PlaceModel | null
  }

export function toEventStatsBucket(
  bucket: StatsBucket,
  country?: PlaceModel | null,
): EventStatsBucketModel {
  return {
    country,
    period: bucket.period,
    countryId: bucket.countryId,
    groupId: bucket.groupId,
    eventTypeId: bucket.eventTypeId,
    eventCount: bucket.eventCount,
    casualties: bucket.casualties.map((total) => ({ ...total, category: upper(total.category) })),
  }
}

export type EventChangeModel = Fields<G.EventChange, 'event' | 'eventId'> & { eventId: number }

export type ArmedGroupModel = Fields<
  G.ArmedGroup,
  | 'country'
  | 'aliases'
  | 'externalIds'
  | 'relations'
  | 'affiliates'
  | 'members'
  | 'events'
  | 'claims'
  | 'history'
> & { id: number; countryId: number | null; fetchedAliases?: Selectable<Row.GroupAlias>[] }

export function toArmedGroup(
  row: Selectable<Row.ArmedGroup> & { aliases?: Selectable<Row.GroupAlias>[] },
): ArmedGroupModel {
  return {
    id: row.id,
    fetchedAliases: row.aliases,
    name: row.name,
    kind: upper(row.kind),
    description: row.description,
    countryId: row.country_id,
    foundedOn: row.founded_on,
    foundedPrecision: upperOrNull(row.founded_precision),
    dissolvedOn: row.dissolved_on,
    dissolvedPrecision: upperOrNull(row.dissolved_precision),
    version: row.version,
    updatedAt: row.updated_at,
  }
}

/** The dated span of a relation or membership. */
function validity(row: {
  valid_from: string | null
  valid_from_precision: Row.DatePrecision | null
  valid_to: string | null
  valid_to_precision: Row.DatePrecision | null
}) {
  return {
    validFrom: row.valid_from,
    validFromPrecision: upperOrNull(row.valid_from_precision),
    validTo: row.valid_to,
    validToPrecision: upperOrNull(row.valid_to_precision),
  }
}

export type GroupRelationModel = Fields<G.GroupRelation, 'from' | 'to' | 'report'> & {
  id: number
  fromGroupId: number
  toGroupId: number
  reportId: number
}

export function toGroupRelation(row: Selectable<Row.GroupRelation>): GroupRelationModel {
  return {
    id: row.id,
    kind: upper(row.kind),
    fromGroupId: row.from_group_id,
    toGroupId: row.to_group_id,
    ...validity(row),
    reportId: row.report_id,
    quote: row.quote,
  }
}

export type PersonModel = Fields<G.Person, 'nationality' | 'memberships' | 'events' | 'claims'> & {
  id: number
  nationalityId: number | null
}

export function toPerson(row: Selectable<Row.Person>): PersonModel {
  return {
    id: row.id,
    name: row.name,
    aliases: row.aliases,
    description: row.description,
    bornOn: row.born_on,
    diedOn: row.died_on,
    nationalityId: row.nationality_id,
    version: row.version,
  }
}

export type MembershipModel = Fields<G.Membership, 'person' | 'group' | 'report'> & {
  id: number
  personId: number
  groupId: number
  reportId: number
}

export function toMembership(row: Selectable<Row.Membership>): MembershipModel {
  return {
    id: row.id,
    personId: row.person_id,
    groupId: row.group_id,
    role: row.role,
    ...validity(row),
    reportId: row.report_id,
    quote: row.quote,
  }
}

export type SourceModel = Fields<G.Source, 'country' | 'reports'> & {
  id: number
  countryId: number | null
}

export function toSource(row: Selectable<Row.Source>): SourceModel {
  return {
    id: row.id,
    name: row.name,
    kind: upper(row.kind),
    scale: row.scale,
    countryId: row.country_id,
    url: row.url,
    description: row.description,
    version: row.version,
  }
}

export type ReportModel = Fields<G.Report, 'source' | 'cites' | 'citedBy' | 'sourceChain'> & {
  id: number
  sourceId: number | null
  fetchedSource?: Selectable<Row.Source> | null
}

export function toReport(
  row: Selectable<Row.Report> & { source?: Selectable<Row.Source> | null },
): ReportModel {
  return {
    id: row.id,
    fetchedSource: row.source,
    sourceId: row.source_id,
    headline: row.headline,
    url: row.url,
    publishedOn: row.published_on,
    language: row.language,
    citation: row.citation,
    version: row.version,
  }
}

export type ReportCitationModel = Fields<G.ReportCitation, 'report' | 'source'> & {
  citedReportId: number | null
  citedSourceId: number | null
}

export function toReportCitation(row: Selectable<Row.ReportCitation>): ReportCitationModel {
  return {
    citedReportId: row.cited_report_id,
    citedSourceId: row.cited_source_id,
    quote: row.quote,
  }
}

export type SourceChainLinkModel = Fields<G.SourceChainLink, 'report' | 'source'> & {
  reportId: number | null
  sourceId: number
}

export function toSourceChainLink(link: SourceChainLink): SourceChainLinkModel {
  return { depth: link.depth, reportId: link.reportId, sourceId: link.sourceId, quote: link.quote }
}

export type ClaimModel = Fields<G.Claim, 'report' | 'statedBy'> & {
  id: number
  reportId: number
  statedBySourceId: number | null
}

export function toClaim(row: Selectable<Row.Claim>): ClaimModel {
  return {
    id: row.id,
    property: row.property,
    statement: row.statement,
    valueText: row.value_text,
    low: row.low,
    best: row.best,
    high: row.high,
    unit: row.unit,
    qualifier: upper(row.qualifier),
    reportId: row.report_id,
    statedBySourceId: row.stated_by_source_id,
    quote: row.quote,
  }
}

export type PlaceModel = Fields<G.Place, 'parent' | 'country'> & {
  id: number
  parentId: number | null
  countryId: number
}

export function toPlace(row: Selectable<Row.Place>): PlaceModel {
  return {
    id: row.id,
    name: row.name,
    level: upper(row.level),
    isoCode: row.iso_alpha3,
    gwCode: row.gw_code,
    latitude: row.latitude,
    longitude: row.longitude,
    parentId: row.parent_id,
    countryId: row.country_id,
  }
}

export type RevisionModel = Fields<G.Revision> & { id: number }

export function toRevision(
  row: Selectable<Row.Revision> & { author: string | null },
): RevisionModel {
  return {
    id: row.id,
    operation: upper(row.operation),
    createdAt: row.created_at,
    author: row.author,
    before: row.before as Record<string, unknown> | null,
    after: row.after as Record<string, unknown> | null,
  }
}

export type EventConnectionModel = Connection<EventModel>
export type EventChangeConnectionModel = Connection<EventChangeModel>
export type ArmedGroupConnectionModel = Connection<ArmedGroupModel>
export type PersonConnectionModel = Connection<PersonModel>
export type SourceConnectionModel = Connection<SourceModel>

/** Every model that implements Node. */
export type NodeModel =
  | EventModel
  | EventTypeModel
  | CasualtyFigureModel
  | ArmedGroupModel
  | GroupRelationModel
  | PersonModel
  | MembershipModel
  | SourceModel
  | ReportModel
  | ClaimModel
  | PlaceModel
  | RevisionModel
