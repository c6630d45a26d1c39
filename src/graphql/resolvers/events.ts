import type { Selectable } from 'kysely'
import type { ReportBranch } from '../../db/event-tree.js'
import type { DB } from '../../db/schema.js'
import { toDbEnum as lower } from '../enums.js'
import type * as G from '../generated/resolvers.js'
import type {
  CasualtyFigureResolvers,
  EventActorResolvers,
  EventChangeResolvers,
  EventCitationResolvers,
  EventClassificationResolvers,
  EventLinkResolvers,
  EventPersonResolvers,
  EventResolvers,
  EventStatsBucketResolvers,
  EventTypeResolvers,
} from '../generated/resolvers.js'
import { toGlobalId } from '../ids.js'
import type { Loaders } from '../loaders.js'

type Row<T extends keyof DB> = Selectable<DB[T]>

import * as model from '../models.js'
import { type Complete, fetchedOr, globalId, mapped, required } from './node.js'

export const Event: Complete<EventResolvers, G.Event, model.EventModel> = {
  id: globalId('Event'),
  place: ({ placeId, fetched }, _, { loaders }) =>
    fetchedOr(
      fetched.place,
      (row) => mapped(row, model.toPlace),
      () => placeOrNull(loaders, placeId),
    ),
  country: async ({ countryId }, _, { loaders }) =>
    countryId ? mapped(await loaders.place.load(countryId), model.toPlace) : null,
  classifications: async ({ id }, _, { loaders }) =>
    (await loaders.classificationsOfEvent.load(id)).map(model.toEventClassification),
  actors: ({ id, fetched }, { role }, { loaders }) => {
    const inRole = (rows: Row<'event_actor'>[]) =>
      rows.filter((row) => !role || row.role === lower(role)).map(model.toEventActor)
    return fetchedOr(fetched.actors, inRole, async () =>
      inRole(await loaders.actorsOfEvent.load(id)),
    )
  },
  persons: async ({ id }, _, { loaders }) =>
    (await loaders.personsOfEvent.load(id)).map(model.toEventPerson),
  casualtyFigures: ({ id, fetched }, { category }, { loaders }) => {
    const inCategory = (rows: Row<'casualty_figure'>[]) =>
      rows
        .filter((row) => !category || row.category === lower(category))
        .map(model.toCasualtyFigure)
    return fetchedOr(fetched.casualtyFigures, inCategory, async () =>
      inCategory(await loaders.figuresOfEvent.load(id)),
    )
  },
  casualties: ({ id, fetched }, _, { loaders }) =>
    fetchedOr(
      fetched.casualties,
      (rows) => rows.map(model.toCasualtySummary),
      async () => (await loaders.casualtiesOfEvent.load(id)).map(model.toCasualtySummary),
    ),
  casualtiesByPopulation: async ({ id }, _, { loaders }) =>
    (await loaders.casualtiesByPopulationOfEvent.load(id)).map(model.toCasualtyPopulationSummary),
  citations: ({ id, fetched }, _, { loaders }) =>
    fetchedOr(
      fetched.citations,
      (rows) => rows.map(model.toEventCitation),
      async () => (await loaders.citationsOfEvent.load(id)).map(model.toEventCitation),
    ),
  links: async ({ id }, _, { loaders }) =>
    (await loaders.linksOfEvent.load(id)).map(model.toEventLink),
  claims: async ({ id }, _, { loaders }) =>
    (await loaders.claimsOfEvent.load(id)).map(model.toClaim),
  history: async ({ id }, _, { loaders }) =>
    (await loaders.historyOfEvent.load(id)).map(model.toRevision),
}

export const EventType: Complete<EventTypeResolvers, G.EventType, model.EventTypeModel> = {
  id: globalId('EventType'),
  parent: async ({ parentId }, _, { loaders }) =>
    parentId ? mapped(await loaders.eventType.load(parentId), model.toEventType) : null,
}

export const EventClassification: Complete<
  EventClassificationResolvers,
  G.EventClassification,
  model.EventClassificationModel
> = {
  eventType: async ({ eventTypeId }, _, { loaders }) =>
    model.toEventType(
      required(await loaders.eventType.load(eventTypeId), 'event type', eventTypeId),
    ),
}

export const EventActor: Complete<EventActorResolvers, G.EventActor, model.EventActorModel> = {
  // A merged group resolves to the group it was merged into: the loader follows the merge.
  group: ({ groupId, fetchedGroup }, _, { loaders }) =>
    fetchedOr(
      fetchedGroup?.merged_into_id === null ? fetchedGroup : undefined,
      model.toArmedGroup,
      async () => model.toArmedGroup(required(await loaders.group.load(groupId), 'group', groupId)),
    ),
  report: async ({ reportId }, _, { loaders }) =>
    reportId ? mapped(await loaders.report.load(reportId), model.toReport) : null,
}

export const EventPerson: Complete<EventPersonResolvers, G.EventPerson, model.EventPersonModel> = {
  person: async ({ personId }, _, { loaders }) =>
    model.toPerson(required(await loaders.person.load(personId), 'person', personId)),
  report: async ({ reportId }, _, { loaders }) =>
    reportId ? mapped(await loaders.report.load(reportId), model.toReport) : null,
}

export const CasualtyFigure: Complete<
  CasualtyFigureResolvers,
  G.CasualtyFigure,
  model.CasualtyFigureModel
> = {
  id: globalId('CasualtyFigure'),
  report: ({ reportId, fetchedReport }, _, { loaders }) =>
    reportOf(loaders, reportId, fetchedReport),
}

export const EventCitation: Complete<
  EventCitationResolvers,
  G.EventCitation,
  model.EventCitationModel
> = {
  report: ({ reportId, fetchedReport }, _, { loaders }) =>
    reportOf(loaders, reportId, fetchedReport),
}

export const EventLink: Complete<EventLinkResolvers, G.EventLink, model.EventLinkModel> = {
  event: async ({ relatedEventId }, _, { loaders }) =>
    mapped(await loaders.event.load(relatedEventId), model.toEvent),
}

export const EventStatsBucket: Complete<
  EventStatsBucketResolvers,
  G.EventStatsBucket,
  model.EventStatsBucketModel
> = {
  country: (bucket, _, { loaders }) =>
    bucket.country !== undefined ? bucket.country : placeOrNull(loaders, bucket.countryId),
  group: async ({ groupId }, _, { loaders }) =>
    groupId ? mapped(await loaders.group.load(groupId), model.toArmedGroup) : null,
  eventType: async ({ eventTypeId }, _, { loaders }) =>
    eventTypeId ? mapped(await loaders.eventType.load(eventTypeId), model.toEventType) : null,
}

export const EventChange: Complete<EventChangeResolvers, G.EventChange, model.EventChangeModel> = {
  eventId: ({ eventId }) => toGlobalId('Event', eventId),
  event: async ({ eventId }, _, { loaders }) =>
    mapped(await loaders.event.load(eventId), model.toEvent),
}

async function placeOrNull(loaders: Loaders, id: number | null) {
  return id ? mapped(await loaders.place.load(id), model.toPlace) : null
}

function reportOf(loaders: Loaders, reportId: number, fetched: ReportBranch | null | undefined) {
  return fetchedOr(fetched ?? undefined, model.toReport, async () =>
    model.toReport(required(await loaders.report.load(reportId), 'report', reportId)),
  )
}
