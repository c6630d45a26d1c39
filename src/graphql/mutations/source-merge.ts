import { sql } from 'kysely'
import { lockInOrder, stateOf } from '../../db/aggregate-state.js'
import { conflict, invalidField } from '../errors.js'
import type { MutationResolvers } from '../generated/resolvers.js'
import { idOfType } from '../ids.js'
import { changeAggregate, mutation, recordRevision, type Writer } from './write.js'

interface MergeArgs {
  survivorId: string
  survivorVersion: number
  mergedId: string
  mergedVersion: number
}

/** Every column that points at a source moves to the survivor (report_citation's duplicates go). */
async function moveToSurvivor(writer: Writer, survivor: number, merged: number): Promise<void> {
  const statements = [
    sql`UPDATE report SET source_id = ${survivor} WHERE source_id = ${merged}`,
    sql`DELETE FROM report_citation c WHERE c.cited_source_id = ${merged} AND EXISTS (
      SELECT 1 FROM report_citation s WHERE s.report_id = c.report_id AND s.cited_source_id = ${survivor})`,
    sql`UPDATE report_citation SET cited_source_id = ${survivor} WHERE cited_source_id = ${merged}`,
    sql`UPDATE claim SET stated_by_source_id = ${survivor} WHERE stated_by_source_id = ${merged}`,
    sql`DELETE FROM source_alias a WHERE a.source_id = ${merged}
      AND a.key IN (SELECT key FROM source_alias WHERE source_id = ${survivor})`,
    sql`UPDATE source_alias SET source_id = ${survivor} WHERE source_id = ${merged}`,
    // The merged name names the survivor from now on, unless it already does.
    sql`INSERT INTO source_alias (source_id, alias)
      SELECT ${survivor}::bigint, merged.name FROM source merged, source survivor
      WHERE merged.id = ${merged} AND survivor.id = ${survivor}
        AND source_name_key(merged.name) <> source_name_key(survivor.name)
      ON CONFLICT (key) DO NOTHING`,
    sql`DELETE FROM source WHERE id = ${merged}`,
  ]
  for (const statement of statements) await statement.execute(writer.trx)
}

/**
 * mergeSources: the survivor changes as any aggregate does (its version, its revision); the
 * merged source is checked against its version, recorded as it was, and removed.
 */
async function merge(writer: Writer, args: MergeArgs) {
  const survivor = idOfType(args.survivorId, 'Source', 'survivorId')
  const merged = idOfType(args.mergedId, 'Source', 'mergedId')
  if (survivor === merged)
    throw invalidField('A source cannot be merged into itself', 'mergedId', 'not_self')
  await lockInOrder(writer.trx, 'source', [survivor, merged])
  const before = await stateOf(writer.trx, 'source', merged)
  if (!before) throw invalidField('mergedId names no source', 'mergedId', 'unknown_id')
  if (before.version !== args.mergedVersion)
    throw conflict('source', args.mergedVersion, before.version as number)
  await changeAggregate(
    writer,
    {
      kind: 'source',
      id: survivor,
      version: args.survivorVersion,
      operation: 'merge',
      field: 'survivorId',
    },
    async () => {
      await moveToSurvivor(writer, survivor, merged)
      // Removed: its revision holds the state it had, and none after.
      await recordRevision(writer, 'merge', 'source', merged, before)
    },
  )
  return { id: survivor }
}

export const sourceMutations = {
  mergeSources: mutation('admin', (args: MergeArgs, writer) => merge(writer, args)),
} satisfies MutationResolvers
