import { toDbEnum as lower } from '../enums.js'
import type * as G from '../generated/resolvers.js'
import type { ArmedGroupResolvers, GroupRelationResolvers } from '../generated/resolvers.js'
import * as model from '../models.js'
import { countUpTo, pageRequest, toConnection } from '../pagination.js'
import { type Complete, fetchedOr, globalId, mapped, mappedMany, required } from './node.js'

export const ArmedGroup: Complete<ArmedGroupResolvers, G.ArmedGroup, model.ArmedGroupModel> = {
  id: globalId('ArmedGroup'),
  country: async ({ countryId }, _, { loaders }) =>
    countryId ? mapped(await loaders.place.load(countryId), model.toPlace) : null,
  aliases: ({ id, fetchedAliases }, _, { loaders }) => {
    const toAliases = (rows: { alias: string; language: string | null }[]) =>
      rows.map((row) => ({ alias: row.alias, language: row.language }))
    return fetchedOr(fetchedAliases, toAliases, async () =>
      toAliases(await loaders.aliasesOfGroup.load(id)),
    )
  },
  externalIds: async ({ id }, _, { loaders }) =>
    (await loaders.externalIdsOfGroup.load(id)).map((row) => ({
      scheme: row.scheme,
      externalId: row.external_id,
    })),
  relations: async ({ id }, { asOf, kind }, { loaders }) =>
    (await loaders.relationsOfGroup(asOf ?? undefined).load(id))
      .filter((row) => !kind || row.kind === lower(kind))
      .map(model.toGroupRelation),
  affiliates: async ({ id }, { asOf }, { loaders }) => {
    const affiliates = await loaders.affiliatesOfGroup(asOf).load(id)
    return mappedMany(
      loaders.group,
      affiliates.map((row) => row.group_id),
      model.toArmedGroup,
    )
  },
  members: async ({ id }, { asOf }, { loaders }) =>
    (await loaders.membersOfGroup(asOf ?? undefined).load(id)).map(model.toMembership),
  events: async ({ id }, { first, after, last, before, role }, { loaders }) => {
    const scope = 'group-events'
    const request = pageRequest({ first, after, last, before }, scope)
    const dbRole = role ? lower(role) : undefined
    const page = await loaders
      .eventPageOfGroup(JSON.stringify({ role: dbRole, page: request }))
      .load(id)
    return toConnection(page, request, scope, model.toEvent, (args) =>
      loaders.eventCountOfGroup(JSON.stringify({ role: dbRole, upTo: countUpTo(args) })).load(id),
    )
  },
  claims: async ({ id }, _, { loaders }) =>
    (await loaders.claimsOfGroup.load(id)).map(model.toClaim),
  history: async ({ id }, _, { loaders }) =>
    (await loaders.historyOfGroup.load(id)).map(model.toRevision),
}

export const GroupRelation: Complete<
  GroupRelationResolvers,
  G.GroupRelation,
  model.GroupRelationModel
> = {
  id: globalId('GroupRelation'),
  from: async ({ fromGroupId }, _, { loaders }) =>
    model.toArmedGroup(required(await loaders.group.load(fromGroupId), 'group', fromGroupId)),
  to: async ({ toGroupId }, _, { loaders }) =>
    model.toArmedGroup(required(await loaders.group.load(toGroupId), 'group', toGroupId)),
  report: async ({ reportId }, _, { loaders }) =>
    model.toReport(required(await loaders.report.load(reportId), 'report', reportId)),
}
