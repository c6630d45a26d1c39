import { GraphQLScalarType, Kind } from 'graphql'
import {
  GraphQLDateTime,
  GraphQLJSONObject,
  GraphQLLocalDate,
  GraphQLNonNegativeInt,
} from 'graphql-scalars'

const isoAlpha3 = /^[A-Z]{3}$/

function countryCode(value: unknown): string {
  if (typeof value !== 'string' || !isoAlpha3.test(value)) {
    throw new TypeError(
      `CountryCode must be an ISO 3166-1 alpha-3 code in upper case, such as "TUN"; got ${JSON.stringify(value)}`,
    )
  }
  return value
}

// graphql-scalars' CountryCode is alpha-2; the datasets (ACLED iso, UCDP) use alpha-3.
const GraphQLCountryCode = new GraphQLScalarType({
  name: 'CountryCode',
  description: 'An ISO 3166-1 alpha-3 country code in upper case, such as `TUN`.',
  serialize: countryCode,
  parseValue: countryCode,
  parseLiteral: (ast) => countryCode(ast.kind === Kind.STRING ? ast.value : undefined),
})

/**
 * Degrees within ±limit. graphql-scalars' Latitude and Longitude refuse an integer literal
 * (`south: 30`), which every client writes; these take any number.
 */
function degrees(
  name: string,
  limit: number,
  description: string,
): GraphQLScalarType<number, number> {
  const check = (value: unknown): number => {
    if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > limit) {
      throw new TypeError(
        `${name} must be a number from -${limit} to ${limit}; got ${JSON.stringify(value)}`,
      )
    }
    return value
  }
  return new GraphQLScalarType({
    name,
    description,
    serialize: check,
    parseValue: check,
    parseLiteral: (ast) =>
      check(ast.kind === Kind.INT || ast.kind === Kind.FLOAT ? Number(ast.value) : undefined),
  })
}

/**
 * graphql-scalars throws GraphQLErrors, which graphql-js passes on without naming the type a
 * variable failed ("Value is not a valid LocalDate"); a plain error gets `Expected type "Date".`
 * in front, which is how input errors get their `rule` (see input-errors.ts).
 */
function namingTheType(scalar: GraphQLScalarType, name: string): GraphQLScalarType {
  const config = scalar.toConfig()
  return new GraphQLScalarType({
    ...config,
    name,
    parseValue: (value) => {
      try {
        return config.parseValue?.(value) ?? value
      } catch (error) {
        throw new TypeError((error as Error).message)
      }
    },
  })
}

const plainDate = /^\d{4}-\d{2}-\d{2}$/

/**
 * The checks of `scalar`, then `check` on what it parsed, for variables and literals alike: for
 * bounds the database sets and graphql-scalars does not know (a plain Error, so the type is
 * named in the message, see namingTheType).
 */
function bounded<T>(scalar: GraphQLScalarType, check: (value: T) => void): GraphQLScalarType {
  const config = scalar.toConfig()
  const checked = (value: unknown) => {
    check(value as T)
    return value
  }
  return new GraphQLScalarType({
    ...config,
    parseValue: (value) => checked(config.parseValue?.(value) ?? value),
    parseLiteral: (ast, variables) => checked(config.parseLiteral?.(ast, variables)),
  })
}

// Postgres has no year 0 (1 BC comes before 1 AD) and writes years past 9999 with five digits:
// a date outside 0001–9999 would fail in the database, so the scalar refuses it.
function withinPostgresYears(date: string): void {
  if (date < '0001-01-01')
    throw new TypeError(`Date must be from 0001-01-01 to 9999-12-31; got "${date}"`)
}

// The same years for a time, once in UTC (as it is sent to Postgres): 9999-12-31T23:00-05:00 is
// already in the year 10000.
function withinPostgresYearsUtc(time: Date): void {
  const year = time.getUTCFullYear()
  if (year < 1 || year > 9999)
    throw new TypeError(
      `DateTime must be from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z in UTC; got ${time.toISOString()}`,
    )
}

/** GraphQL's Int is 32-bit (the spec): NonNegativeInt keeps to it, as the database's integers do. */
export const maxInt = 2 ** 31 - 1

function withinInt32(value: number): void {
  if (value > maxInt) throw new TypeError(`NonNegativeInt must be at most ${maxInt}; got ${value}`)
}

/**
 * Dates leave Postgres as 'YYYY-MM-DD' text: sent as they are. The full validation is kept for
 * anything else; on a 500-event page it was a twentieth of the server's time.
 */
function withPlainDateOutput(scalar: GraphQLScalarType): GraphQLScalarType {
  const config = scalar.toConfig()
  return new GraphQLScalarType({
    ...config,
    serialize: (value) =>
      typeof value === 'string' && plainDate.test(value) ? value : config.serialize(value),
  })
}

export const scalarResolvers = {
  Date: withPlainDateOutput(bounded(namingTheType(GraphQLLocalDate, 'Date'), withinPostgresYears)),
  DateTime: bounded(namingTheType(GraphQLDateTime, 'DateTime'), withinPostgresYearsUtc),
  CountryCode: GraphQLCountryCode,
  Latitude: degrees('Latitude', 90, 'Degrees north of the equator, from -90 to 90.'),
  Longitude: degrees('Longitude', 180, 'Degrees east of Greenwich, from -180 to 180.'),
  NonNegativeInt: bounded(namingTheType(GraphQLNonNegativeInt, 'NonNegativeInt'), withinInt32),
  JSONObject: namingTheType(GraphQLJSONObject, 'JSONObject'),
}
