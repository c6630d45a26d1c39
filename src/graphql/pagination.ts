import type { PageRequest } from '../db/keyset.js'
import { decodeCursor, encodeCursor } from './cursor.js'
import { badUserInput } from './errors.js'

export const defaultPageSize = 100
export const maxPageSize = 500
/** The most events a totalCount counts: a million take seconds (schema: EventConnection). */
export const maxCountUpTo = 1_000_000

export interface PageArgs {
  readonly first?: number | null
  readonly after?: string | null
  readonly last?: number | null
  readonly before?: string | null
}

/**
 * Relay's first/after (forward) or last/before (backward) as a keyset page request. A page
 * larger than the maximum is refused, not silently cut.
 */
export function pageRequest(args: PageArgs, scope: string): PageRequest {
  const { first, after, last, before } = args
  if (first != null && last != null)
    throw badUserInput('give first or last, not both', 'last', 'one_direction')
  if (after != null && before != null)
    throw badUserInput('give after or before, not both', 'before', 'one_direction')
  const backward = last != null || before != null
  if (backward && first != null)
    throw badUserInput('first pages forward; use last with before', 'first', 'one_direction')
  if (!backward && last != null)
    throw badUserInput('last pages backward; use first with after', 'last', 'one_direction')
  const [argument, size] = backward ? ['last', last] : ['first', first]
  const limit = size ?? defaultPageSize
  if (!Number.isInteger(limit) || limit < 0)
    throw badUserInput(`${argument} must be 0 or more`, argument, 'non_negative')
  if (limit > maxPageSize) {
    throw badUserInput(
      `${argument} must be at most ${maxPageSize}; page with the cursors`,
      argument,
      'max_page_size',
    )
  }
  const cursor = backward ? before : after
  const position =
    cursor == null ? undefined : decodeCursor(cursor, scope, backward ? 'before' : 'after')
  return { limit, backward, ...(position && { position }) }
}

export interface Connection<Node> {
  /** cursor is a getter: computed only when the client selects it. */
  readonly edges: { readonly cursor: string; readonly node: Node }[]
  readonly pageInfo: {
    readonly hasNextPage: boolean
    readonly hasPreviousPage: boolean
    readonly startCursor: string | null
    readonly endCursor: string | null
  }
  /** Called (by connectionResolvers) with the field's arguments, only when selected. */
  readonly totalCount: (args: CountArgs) => Promise<number>
}

export interface CountArgs {
  readonly upTo?: number | null
}

/** The `upTo` of an event count (the schema gives its default), refused outside its range. */
export function countUpTo({ upTo }: CountArgs): number {
  const limit = upTo ?? 10_000
  if (limit < 1 || limit > maxCountUpTo)
    throw badUserInput(`upTo must be between 1 and ${maxCountUpTo}`, 'upTo', 'count_range')
  return limit
}

/**
 * The resolver every connection type needs: totalCount counts only when selected. (A field
 * without a resolver is read as a plain property by the compiled execution, never called.)
 */
export const connectionResolvers = {
  totalCount: (connection: Pick<Connection<unknown>, 'totalCount'>, args: CountArgs) =>
    connection.totalCount(args),
}

/** Builds a connection from a page of rows that carry their id and sort value. */
export function toConnection<
  Row extends { readonly id: number; readonly sort_value: string },
  Node,
>(
  page: { readonly rows: readonly Row[]; readonly hasMore: boolean },
  request: PageRequest,
  scope: string,
  toNode: (row: Row) => Node,
  totalCount: (args: CountArgs) => Promise<number>,
): Connection<Node> {
  // A cursor costs a MAC: measurable on a 500-row page that selects none (a map page).
  const cursorOf = (row: Row) => encodeCursor(scope, row.sort_value, row.id)
  const edges = page.rows.map((row) => ({
    get cursor() {
      return cursorOf(row)
    },
    node: toNode(row),
  }))
  const [first, last] = [page.rows[0], page.rows.at(-1)]
  return {
    edges,
    pageInfo: {
      // Paging one way, the other way's answer is "something lies beyond the cursor we came from".
      hasNextPage: request.backward ? request.position !== undefined : page.hasMore,
      hasPreviousPage: request.backward ? page.hasMore : request.position !== undefined,
      startCursor: first ? cursorOf(first) : null,
      endCursor: last ? cursorOf(last) : null,
    },
    totalCount,
  }
}
