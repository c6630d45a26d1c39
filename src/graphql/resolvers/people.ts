import type * as G from '../generated/resolvers.js'
import type {
  MembershipResolvers,
  PersonEventResolvers,
  PersonResolvers,
} from '../generated/resolvers.js'
import * as model from '../models.js'
import { type Complete, globalId, mapped, required } from './node.js'

export const Person: Complete<PersonResolvers, G.Person, model.PersonModel> = {
  id: globalId('Person'),
  nationality: async ({ nationalityId }, _, { loaders }) =>
    nationalityId ? mapped(await loaders.place.load(nationalityId), model.toPlace) : null,
  memberships: async ({ id }, { asOf }, { loaders }) =>
    (await loaders.membershipsOfPerson(asOf ?? undefined).load(id)).map(model.toMembership),
  events: async ({ id }, _, { loaders }) =>
    (await loaders.eventsOfPerson.load(id)).map(
      (row): model.PersonEventModel => ({
        eventId: row.event_id,
        role: row.role,
        outcome: model.toEventPerson(row).outcome,
      }),
    ),
  claims: async ({ id }, _, { loaders }) =>
    (await loaders.claimsOfPerson.load(id)).map(model.toClaim),
}

export const PersonEvent: Complete<PersonEventResolvers, G.PersonEvent, model.PersonEventModel> = {
  event: async ({ eventId }, _, { loaders }) =>
    model.toEvent(required(await loaders.event.load(eventId), 'event', eventId)),
}

export const Membership: Complete<MembershipResolvers, G.Membership, model.MembershipModel> = {
  id: globalId('Membership'),
  person: async ({ personId }, _, { loaders }) =>
    model.toPerson(required(await loaders.person.load(personId), 'person', personId)),
  group: async ({ groupId }, _, { loaders }) =>
    model.toArmedGroup(required(await loaders.group.load(groupId), 'group', groupId)),
  report: async ({ reportId }, _, { loaders }) =>
    model.toReport(required(await loaders.report.load(reportId), 'report', reportId)),
}
