import { type RawBuilder, sql } from 'kysely'

/**
 * Keyset (cursor) pagination: a page is "the next N rows after this (sort value, id)" in a
 * total order that ends with the id, so pages never skip or repeat rows and cost the same at
 * any depth.
 */
export interface SortKey {
  /** The sort expression; its value, as text, is what a cursor holds. */
  readonly expression: RawBuilder<unknown>
  readonly direction: 'asc' | 'desc'
  /** The SQL type the cursor's text value is cast back to (a constant, never user input). */
  readonly type: 'date' | 'int' | 'timestamptz' | 'text' | 'float8'
}

export interface PageRequest {
  readonly limit: number
  /** Rows strictly after (or, going backward, before) this position. */
  readonly position?: readonly [sortValue: string, id: number]
  /** Paging with last/before: walk the order in reverse (the caller reverses the rows back). */
  readonly backward: boolean
  /**
   * false: no cursor will be made from the rows, so their sort values are not formatted (a
   * timestamp's text costs Postgres more than the rest of a map page's row).
   */
  readonly sortValues?: boolean
}

export interface KeysetParts {
  readonly sortValue: RawBuilder<string>
  readonly condition: RawBuilder<boolean>
  readonly orderBy: RawBuilder<unknown>
  readonly limit: RawBuilder<unknown>
}

/**
 * A position whose sort value its key's type cannot read. The value came from a client's cursor:
 * Postgres would fail the whole statement on it, so the API refuses the cursor instead.
 */
export class InvalidSortValue extends Error {
  override name = 'InvalidSortValue'
}

const int32 = 2 ** 31

/** A calendar date from its year (1 to 9999, as Postgres writes them), month and day. */
function isDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(2000, month - 1, day))
  date.setUTCFullYear(year)
  return year >= 1 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

// Each type's text as Postgres writes it (DateStyle ISO), which is what a cursor holds.
const readers: Record<SortKey['type'], (text: string) => boolean> = {
  date: (text) => {
    const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
    return !!parts && isDate(Number(parts[1]), Number(parts[2]), Number(parts[3]))
  },
  int: (text) => /^-?\d{1,10}$/.test(text) && Math.abs(Number(text)) < int32,
  timestamptz: (text) => {
    const parts =
      /^(\d{4})-(\d{2})-(\d{2}) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?[+-]\d{2}(:[0-5]\d){0,2}$/.exec(
        text,
      )
    return !!parts && isDate(Number(parts[1]), Number(parts[2]), Number(parts[3]))
  },
  float8: (text) =>
    ['NaN', 'Infinity', '-Infinity'].includes(text) ||
    (/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) && Number.isFinite(Number(text))),
  // Postgres text holds any character but NUL.
  text: (text) => !text.includes('\u0000'),
}

/** The pieces of a keyset query over rows whose id column is `idColumn`. */
export function keyset(
  key: SortKey,
  idColumn: RawBuilder<unknown>,
  page: PageRequest,
): KeysetParts {
  if (page.position && !readers[key.type](page.position[0]))
    throw new InvalidSortValue(
      `a ${key.type} position cannot be ${JSON.stringify(page.position[0])}`,
    )
  const ascending = (key.direction === 'asc') !== page.backward
  const direction = sql.raw(ascending ? 'ASC' : 'DESC')
  const condition = page.position
    ? sql<boolean>`(${key.expression}, ${idColumn}) ${sql.raw(ascending ? '>' : '<')} (${page.position[0]}::${sql.raw(key.type)}, ${page.position[1]}::bigint)`
    : sql<boolean>`true`
  return {
    sortValue:
      page.sortValues === false ? sql<string>`NULL::text` : sql<string>`(${key.expression})::text`,
    condition,
    orderBy: sql`${key.expression} ${direction}, ${idColumn} ${direction}`,
    // One row more than asked tells whether another page follows. A literal, not a parameter:
    // with the limit known, Postgres's generic plan for a prepared statement costs what a custom
    // one does, so it plans the statement once (src/db/prepared-statements.ts). A page size is a
    // checked integer, and there are few of them.
    limit: sql.lit(Math.trunc(page.limit) + 1),
  }
}

/** Trims the extra row and restores the order of a backward page. */
export function pageRows<T>(rows: T[], page: PageRequest): { rows: T[]; hasMore: boolean } {
  const hasMore = rows.length > page.limit
  const kept = hasMore ? rows.slice(0, page.limit) : rows
  return { rows: page.backward ? kept.reverse() : kept, hasMore }
}
