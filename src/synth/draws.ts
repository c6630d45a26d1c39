import { type RawBuilder, sql } from 'kysely'

export type Weighted = readonly (readonly [value: string | number, weight: number])[]

/**
 * Seeded pseudo-random draws computed by Postgres, so a data set is generated set-based
 * (generate_series) yet identical for a seed on any server: hashint8extended is the stable hash
 * behind hash partitioning, the same on every platform and version.
 */
export function seededDraws(seed: number) {
  /** A uniform draw in [0, 1): a pure function of the seed, the stream and the key. */
  const uniform = (stream: number, key: RawBuilder<unknown>) =>
    sql<number>`((hashint8extended((${key})::bigint, ${seed * 1000 + stream}::bigint) & 2147483647)::float8 / 2147483648)`

  /** A whole number in [0, count) drawn uniformly. */
  const below = (count: number | RawBuilder<unknown>, stream: number, key: RawBuilder<unknown>) =>
    sql<number>`floor(${uniform(stream, key)} * ${count})::int`

  /** A value of a [value, weight] table, drawn with the table's weights. */
  const weighted = (table: Weighted, type: string, stream: number, key: RawBuilder<unknown>) =>
    sql`(${table.map(([value]) => value)}::${sql.raw(type)}[])[width_bucket(${uniform(stream, key)}, ${thresholds(table)}::float8[])]`

  /** An element of a list, drawn uniformly. */
  const oneOf = (values: readonly string[], stream: number, key: RawBuilder<unknown>) =>
    sql<string>`(${values}::text[])[1 + ${below(values.length, stream, key)}]`

  return { uniform, below, weighted, oneOf }
}

/** The cumulative share of weight before each entry: width_bucket's lower bounds. */
export function thresholds(table: Weighted): number[] {
  const total = table.reduce((sum, [, weight]) => sum + weight, 0)
  let before = 0
  return table.map(([, weight]) => {
    const threshold = before / total
    before += weight
    return threshold
  })
}
