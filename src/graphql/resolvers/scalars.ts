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
  Date: withPlainDateOutput(namingTheType(GraphQLLocalDate, 'Date')),
  DateTime: namingTheType(GraphQLDateTime, 'DateTime'),
  CountryCode: GraphQLCountryCode,
  Latitude: degrees('Latitude', 90, 'Degrees north of the equator, from -90 to 90.'),
  Longitude: degrees('Longitude', 180, 'Degrees east of Greenwich, from -180 to 180.'),
  NonNegativeInt: namingTheType(GraphQLNonNegativeInt, 'NonNegativeInt'),
  JSONObject: namingTheType(GraphQLJSONObject, 'JSONObject'),
}
