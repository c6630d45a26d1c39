import type { Resolvers } from '../generated/resolvers.js'
import { Mutation } from '../mutations/index.js'
import { connectionResolvers } from '../pagination.js'
import * as events from './events.js'
import * as groups from './groups.js'
import { globalId, resolveNodeType } from './node.js'
import * as people from './people.js'
import { Query } from './query.js'
import { scalarResolvers } from './scalars.js'
import * as sources from './sources.js'

export const resolvers: Resolvers = {
  ...scalarResolvers,
  Query,
  Mutation,
  Node: { __resolveType: (node) => resolveNodeType(node as never) },
  Event: events.Event,
  EventType: events.EventType,
  EventClassification: events.EventClassification,
  EventActor: events.EventActor,
  EventPerson: events.EventPerson,
  CasualtyFigure: events.CasualtyFigure,
  EventCitation: events.EventCitation,
  EventLink: events.EventLink,
  EventStatsBucket: events.EventStatsBucket,
  EventChange: events.EventChange,
  ArmedGroup: groups.ArmedGroup,
  GroupRelation: groups.GroupRelation,
  Person: people.Person,
  PersonEvent: people.PersonEvent,
  Membership: people.Membership,
  Source: sources.Source,
  Report: sources.Report,
  ReportCitation: sources.ReportCitation,
  SourceChainLink: sources.SourceChainLink,
  Claim: sources.Claim,
  Place: sources.Place,
  Revision: { id: globalId('Revision') },
  EventConnection: connectionResolvers,
  ArmedGroupConnection: connectionResolvers,
  PersonConnection: connectionResolvers,
  SourceConnection: connectionResolvers,
}
