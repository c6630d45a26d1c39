import { GraphQLError } from 'graphql'
import { sql } from 'kysely'
import { lockInOrder, recordRevisions, statesOf } from '../../db/aggregate-state.js'
import type { Database } from '../../db/database.js'
import { invalidField } from '../errors.js'
import type {
  GroupFields,
  GroupRelationFields,
  MembershipFields,
  MutationResolvers,
} from '../generated/resolvers.js'
import { idOfType, toGlobalId } from '../ids.js'
import { createAndUpdate, partMutation } from './aggregates.js'
import {
  datesOrdered,
  languageTag,
  matches,
  notBlank,
  notInFuture,
  requireFields,
  snakeCase,
} from './validate.js'
import {
  changeAggregate,
  deleteRows,
  insertRow,
  mutation,
  toColumns,
  updateRows,
  upsertRow,
  type Writer,
} from './write.js'

const groups = createAndUpdate({
  kind: 'armed_group',
  type: 'ArmedGroup',
  columns: {
    ids: { countryId: 'Place' },
    enums: ['kind', 'foundedPrecision', 'dissolvedPrecision'],
  },
  required: ['name'],
  check: (fields: GroupFields) => {
    notBlank(fields.name, 'name')
    notInFuture(fields.foundedOn, 'foundedOn')
    notInFuture(fields.dissolvedOn, 'dissolvedOn')
    datesOrdered(fields.foundedOn, fields.dissolvedOn, 'dissolvedOn')
    return fields
  },
})

type GroupArgs = { groupId: string; version: number }

/**
 * An alias names one group: one that is another group's name or alias (the database tidies
 * whitespace and compares without case, sql/0050) is refused, naming that group; merging is
 * how two records of one group become one.
 */
async function notAnotherGroupsName(trx: Database, groupId: number, alias: string): Promise<void> {
  const { rows } = await sql<{ id: number; name: string }>`
    WITH wanted AS (SELECT lower(attest_tidy_name(${alias})) AS alias)
    SELECT g.id, g.name FROM armed_group g, wanted
    WHERE g.id <> ${groupId} AND g.merged_into_id IS NULL
      AND (lower(g.name) = wanted.alias OR g.id IN (
        SELECT a.group_id FROM group_alias a WHERE lower(a.alias) = wanted.alias))
    ORDER BY g.id LIMIT 1`.execute(trx)
  const other = rows[0]
  if (!other) return
  throw new GraphQLError(
    `"${alias.trim()}" already names the group ${other.name} (${toGlobalId('ArmedGroup', Number(other.id))}): merge the two groups (mergeGroups) if they are one`,
    {
      extensions: {
        code: 'BAD_USER_INPUT',
        field: 'alias',
        rule: 'names_another_group',
        groupId: toGlobalId('ArmedGroup', Number(other.id)),
      },
    },
  )
}

/** A group part's mutation: named by groupId and based on the group's version. */
const groupPart = <Args extends GroupArgs>(
  apply: (args: Args, groupId: number, trx: Database) => Promise<void>,
  refersTo?: (args: Args) => readonly number[],
) => partMutation('armed_group', 'ArmedGroup', 'groupId' as keyof Args & string, apply, refersTo)

/** A dated row of the group (a relation, a membership): it must involve the group. */
async function partOfGroup(
  trx: Database,
  table: 'group_relation' | 'membership',
  id: number,
  groupId: number,
  field: string,
): Promise<void> {
  const involves =
    table === 'group_relation'
      ? sql`${groupId} IN (from_group_id, to_group_id)`
      : sql`group_id = ${groupId}`
  const { rows } =
    await sql`SELECT 1 FROM ${sql.table(table)} WHERE id = ${id} AND ${involves}`.execute(trx)
  if (rows.length === 0)
    throw invalidField(`${field} is not one of this group's`, field, 'unknown_id')
}

const datedColumns = { enums: ['validFromPrecision', 'validToPrecision'] }

function checkDated(fields: { validFrom?: string | null; validTo?: string | null }): void {
  notInFuture(fields.validFrom, 'validFrom')
  datesOrdered(fields.validFrom, fields.validTo, 'validTo')
}

// ALLY and RIVAL read the same both ways: stored once, lower id first (a CHECK insists).
const symmetricKinds = new Set(['ALLY', 'RIVAL'])

/**
 * Moves everything of the merged group to the survivor. Rows the survivor already has (the same
 * actor role in an event, alias, overlapping relation or membership) are dropped, not doubled;
 * relations between the two disappear (a group is not its own ally).
 */
async function mergeInto(trx: Database, survivor: number, merged: number): Promise<void> {
  const statements = [
    sql`DELETE FROM event_actor a WHERE a.group_id = ${merged} AND EXISTS (
      SELECT 1 FROM event_actor s WHERE s.group_id = ${survivor} AND s.event_id = a.event_id AND s.role = a.role)`,
    sql`UPDATE event_actor SET group_id = ${survivor} WHERE group_id = ${merged}`,
    sql`INSERT INTO group_alias (group_id, alias)
      SELECT ${survivor}::bigint, name FROM armed_group WHERE id = ${merged}
      UNION SELECT ${survivor}::bigint, alias FROM group_alias WHERE group_id = ${merged}
      ON CONFLICT DO NOTHING`,
    sql`DELETE FROM group_alias WHERE group_id = ${merged}`,
    sql`UPDATE group_external_id SET group_id = ${survivor} WHERE group_id = ${merged}`,
    sql`DELETE FROM group_relation WHERE (from_group_id, to_group_id) IN ((${merged}, ${survivor}), (${survivor}, ${merged}))`,
    sql`DELETE FROM group_relation r WHERE ${merged} IN (r.from_group_id, r.to_group_id) AND EXISTS (
      SELECT 1 FROM group_relation s
      WHERE s.kind = r.kind
        AND (s.from_group_id, s.to_group_id) IN (
          (CASE WHEN r.from_group_id = ${merged} THEN ${survivor} ELSE r.from_group_id END,
           CASE WHEN r.to_group_id = ${merged} THEN ${survivor} ELSE r.to_group_id END),
          (CASE WHEN r.to_group_id = ${merged} THEN ${survivor} ELSE r.to_group_id END,
           CASE WHEN r.from_group_id = ${merged} THEN ${survivor} ELSE r.from_group_id END))
        AND daterange(s.valid_from, s.valid_to, '[]') && daterange(r.valid_from, r.valid_to, '[]'))`,
    sql`UPDATE group_relation SET
      from_group_id = CASE WHEN kind IN ('ally', 'rival') THEN least(f, t) ELSE f END,
      to_group_id = CASE WHEN kind IN ('ally', 'rival') THEN greatest(f, t) ELSE t END
      FROM (SELECT id AS relation_id,
          CASE WHEN from_group_id = ${merged} THEN ${survivor}::bigint ELSE from_group_id END AS f,
          CASE WHEN to_group_id = ${merged} THEN ${survivor}::bigint ELSE to_group_id END AS t
        FROM group_relation WHERE ${merged} IN (from_group_id, to_group_id)) moved
      WHERE id = moved.relation_id`,
    sql`DELETE FROM membership m WHERE m.group_id = ${merged} AND EXISTS (
      SELECT 1 FROM membership s WHERE s.group_id = ${survivor} AND s.person_id = m.person_id
        AND s.role = m.role
        AND daterange(s.valid_from, s.valid_to, '[]') && daterange(m.valid_from, m.valid_to, '[]'))`,
    sql`UPDATE membership SET group_id = ${survivor} WHERE group_id = ${merged}`,
    sql`UPDATE claim SET group_id = ${survivor} WHERE group_id = ${merged}`,
  ]
  for (const statement of statements) await statement.execute(trx)
}

async function merge(
  writer: Writer,
  args: { survivorId: string; survivorVersion: number; mergedId: string; mergedVersion: number },
) {
  const survivor = idOfType(args.survivorId, 'ArmedGroup', 'survivorId')
  const merged = idOfType(args.mergedId, 'ArmedGroup', 'mergedId')
  if (survivor === merged)
    throw invalidField('A group cannot be merged into itself', 'mergedId', 'not_self')
  const mergedChange = {
    kind: 'armed_group',
    id: merged,
    version: args.mergedVersion,
    operation: 'merge',
    field: 'mergedId',
  } as const
  const survivorChange = {
    ...mergedChange,
    id: survivor,
    version: args.survivorVersion,
    field: 'survivorId',
  }
  // Both are written: locked in id order, so opposite merges queue instead of deadlocking.
  await lockInOrder(writer.trx, 'armed_group', [survivor, merged])
  // Both states are recorded: the survivor gains, the merged group points at it.
  await changeAggregate(writer, survivorChange, () =>
    changeAggregate(writer, mergedChange, async () => {
      // The events whose actors or claims name the merged group change too: each gets a
      // revision, so that the change feed (subscriptions, `changes`) tells of them.
      const { rows } = await sql<{ event_id: number }>`
        SELECT event_id FROM event_actor WHERE group_id = ${merged}
        UNION SELECT event_id FROM claim WHERE group_id = ${merged} AND event_id IS NOT NULL
        ORDER BY event_id`.execute(writer.trx)
      const events = rows.map((row) => Number(row.event_id))
      const before = await statesOf(writer.trx, 'event', events)
      await mergeInto(writer.trx, survivor, merged)
      await sql`UPDATE armed_group SET merged_into_id = ${survivor} WHERE id = ${merged}`.execute(
        writer.trx,
      )
      await recordRevisions(
        writer.trx,
        'merge',
        'event',
        { apiKeyId: writer.caller.id },
        events.map((id) => ({ id, before: before.get(id) ?? null })),
      )
    }),
  )
  return { id: survivor }
}

export const groupMutations = {
  createGroup: groups.create,
  updateGroup: groups.update,

  setGroupAlias: groupPart(
    async (
      { alias, language }: GroupArgs & { alias: string; language?: string | null },
      groupId,
      trx,
    ) => {
      notBlank(alias, 'alias')
      matches(language, languageTag, 'language', 'language_format', 'a language tag such as en')
      await notAnotherGroupsName(trx, groupId, alias)
      await upsertRow(
        trx,
        'group_alias',
        { group_id: groupId, alias },
        language === undefined ? {} : { language },
        sql`(group_id, lower(alias))`,
      )
    },
  ),
  removeGroupAlias: groupPart(async ({ alias }: GroupArgs & { alias: string }, groupId, trx) => {
    const { numAffectedRows } = await sql`DELETE FROM group_alias
      WHERE group_id = ${groupId} AND lower(alias) = lower(attest_tidy_name(${alias}))`.execute(trx)
    if (!numAffectedRows) throw invalidField('The group has no such alias', 'alias', 'unknown_id')
  }),

  addGroupExternalId: groupPart(
    async (
      { scheme, externalId }: GroupArgs & { scheme: string; externalId: string },
      groupId,
      trx,
    ) => {
      matches(scheme, snakeCase, 'scheme', 'scheme_format', 'a lower-case name such as ucdp')
      notBlank(externalId, 'externalId')
      await insertRow(trx, 'group_external_id', {
        group_id: groupId,
        scheme,
        external_id: externalId,
      })
    },
  ),
  removeGroupExternalId: groupPart(
    async (
      { scheme, externalId }: GroupArgs & { scheme: string; externalId: string },
      groupId,
      trx,
    ) => {
      await deleteRows(
        trx,
        'group_external_id',
        { group_id: groupId, scheme, external_id: externalId },
        'externalId',
      )
    },
  ),

  setGroupRelation: groupPart(
    async (
      {
        relationId,
        fields,
      }: GroupArgs & { relationId?: string | null; fields: GroupRelationFields },
      groupId,
      trx,
    ) => {
      checkDated(fields)
      const columns = toColumns(fields, {
        ids: { toGroupId: 'ArmedGroup', reportId: 'Report' },
        enums: ['kind', ...datedColumns.enums],
      })
      if (columns.to_group_id === groupId)
        throw invalidField('A group cannot relate to itself', 'toGroupId', 'not_self')
      if (relationId == null) {
        requireFields(fields, ['toGroupId', 'kind', 'reportId'])
        const other = columns.to_group_id as number
        const symmetric = symmetricKinds.has(fields.kind as string)
        const [from, to] = symmetric && other < groupId ? [other, groupId] : [groupId, other]
        await insertRow(trx, 'group_relation', { ...columns, from_group_id: from, to_group_id: to })
      } else {
        const id = idOfType(relationId, 'GroupRelation', 'relationId')
        await partOfGroup(trx, 'group_relation', id, groupId, 'relationId')
        await updateRows(trx, 'group_relation', { id }, columns, 'relationId')
      }
    },
    ({ fields }) =>
      fields.toGroupId ? [idOfType(fields.toGroupId, 'ArmedGroup', 'toGroupId')] : [],
  ),
  removeGroupRelation: groupPart(
    async ({ relationId }: GroupArgs & { relationId: string }, groupId, trx) => {
      const id = idOfType(relationId, 'GroupRelation', 'relationId')
      await partOfGroup(trx, 'group_relation', id, groupId, 'relationId')
      await deleteRows(trx, 'group_relation', { id }, 'relationId')
    },
  ),

  setMembership: groupPart(
    async (
      {
        membershipId,
        fields,
      }: GroupArgs & { membershipId?: string | null; fields: MembershipFields },
      groupId,
      trx,
    ) => {
      checkDated(fields)
      notBlank(fields.role, 'role')
      const columns = toColumns(fields, {
        ids: { personId: 'Person', reportId: 'Report' },
        enums: datedColumns.enums,
      })
      if (membershipId == null) {
        requireFields(fields, ['personId', 'reportId'])
        await insertRow(trx, 'membership', { ...columns, group_id: groupId })
      } else {
        const id = idOfType(membershipId, 'Membership', 'membershipId')
        await partOfGroup(trx, 'membership', id, groupId, 'membershipId')
        await updateRows(trx, 'membership', { id }, columns, 'membershipId')
      }
    },
  ),
  removeMembership: groupPart(
    async ({ membershipId }: GroupArgs & { membershipId: string }, groupId, trx) => {
      const id = idOfType(membershipId, 'Membership', 'membershipId')
      await partOfGroup(trx, 'membership', id, groupId, 'membershipId')
      await deleteRows(trx, 'membership', { id }, 'membershipId')
    },
  ),

  mergeGroups: mutation('admin', (args, writer) => merge(writer, args)),
} satisfies MutationResolvers
