import type { Aggregate } from '../../db/aggregate-state.js'
import type { Database } from '../../db/database.js'
import { idOfType, type NodeType } from '../ids.js'
import { requireFields } from './validate.js'
import { changeAggregate, createAggregate, mutation, toColumns, updateRows } from './write.js'

type ColumnSpec = Parameters<typeof toColumns>[1]

interface AggregateSpec<K extends Aggregate, Fields> {
  readonly kind: K
  readonly type: NodeType
  readonly columns: ColumnSpec
  /** Fields a new one must have. */
  readonly required: readonly (keyof Fields & string)[]
  /** Checks of the given fields (throwing BAD_USER_INPUT); may fill defaults for a creation. */
  readonly check: (fields: Fields, creating: boolean) => Fields
}

/** createX(fields) and updateX(id, version, fields) for an aggregate that is edited as a row. */
export function createAndUpdate<K extends Aggregate, Fields extends object>(
  spec: AggregateSpec<K, Fields>,
) {
  return {
    create: mutation('editor', async ({ fields }: { fields: Fields }, writer) => {
      requireFields(fields as Record<string, unknown>, spec.required)
      const checked = spec.check(fields, true)
      const id = await createAggregate(writer, spec.kind, toColumns(checked as never, spec.columns))
      return { id: id }
    }),
    update: mutation(
      'editor',
      async ({ id, version, fields }: { id: string; version: number; fields: Fields }, writer) => {
        const rowId = idOfType(id, spec.type, 'id')
        const columns = toColumns(spec.check(fields, false) as never, spec.columns)
        await changeAggregate(
          writer,
          { kind: spec.kind, id: rowId, version, operation: 'update', field: 'id' },
          () => updateRows(writer.trx, spec.kind, { id: rowId }, columns, 'id'),
        )
        return { id: rowId }
      },
    ),
  }
}

/**
 * A mutation of an aggregate's parts (an event's figures, a group's aliases): the aggregate is
 * named by `idArgument` with the `version` the change is based on; returns the aggregate.
 */
export function partMutation<K extends Aggregate, Args extends { version: number }>(
  kind: K,
  type: NodeType,
  idArgument: keyof Args & string,
  apply: (args: Args, id: number, trx: Database) => Promise<void>,
  /** Others of the same kind the part points at (see AggregateChange.refersTo). */
  refersTo?: (args: Args) => readonly number[],
) {
  return mutation('editor', async (args: Args, writer) => {
    const id = idOfType(args[idArgument] as string, type, idArgument)
    await changeAggregate(
      writer,
      {
        kind,
        id,
        version: args.version,
        operation: 'update',
        field: idArgument,
        refersTo: refersTo?.(args),
      },
      () => apply(args, id, writer.trx),
    )
    return { id: id }
  })
}
