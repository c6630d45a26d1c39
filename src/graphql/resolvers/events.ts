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
import * as model from '../models.js'
import { type Complete, globalId, mapped, required } from './node.js'

export const Event: Complete<EventResolvers, G.Event, model.EventModel> = {
  id: globalId('Event'),
  place: async ({ placeId }, _, { loaders }) =>
    placeId ? mapped(await loaders.place.load(placeId), model.toPlace) : null,
  country: async ({ countryId }, _, { loaders }) =>
    countryId ? mapped(await loaders.place.load(countryId), model.toPlace) : null,
  classifications: async ({ id }, _, { loaders }) =>
    (await loaders.classificationsOfEvent.load(id)).map(model.toEventClassification),
  actors: async ({ id }, { role }, { loaders }) =>
    (await loaders.actorsOfEvent.load(id))
      .filter((row) => !role || row.role === lower(role))
      .map(model.toEventActor),
  persons: async ({ id }, _, { loaders }) =>
    (await loaders.personsOfEvent.load(id)).map(model.toEventPerson),
  casualtyFigures: async ({ id }, { category }, { loaders }) =>
    (await loaders.figuresOfEvent.load(id))
      .filter((row) => !category || row.category === lower(category))
      .map(model.toCasualtyFigure),
  casualties: async ({ id }, _, { loaders }) =>
    (await loaders.casualtiesOfEvent.load(id)).map(model.toCasualtySummary),
  casualtiesByPopulation: async ({ id }, _, { loaders }) =>
    (await loaders.casualtiesByPopulationOfEvent.load(id)).map(model.toCasualtyPopulationSummary),
  citations: async ({ id }, _, { loaders }) =>
    (await loaders.citationsOfEvent.load(id)).map(model.toEventCitation),
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
  group: async ({ groupId }, _, { loaders }) =>
    model.toArmedGroup(required(await loaders.group.load(groupId), 'group', groupId)),
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
  report: async ({ reportId }, _, { loaders }) =>
    model.toReport(required(await loaders.report.load(reportId), 'report', reportId)),
}

export const EventCitation: Complete<
  EventCitationResolvers,
  G.EventCitation,
  model.EventCitationModel
> = {
  report: async ({ reportId }, _, { loaders }) =>
    model.toReport(required(await loaders.report.load(reportId), 'report', reportId)),
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
