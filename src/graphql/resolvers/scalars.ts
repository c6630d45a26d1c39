import { GraphQLScalarType, Kind } from 'graphql'
import {
  GraphQLDateTime,
  GraphQLJSONObject,
  GraphQLLatitude,
  GraphQLLocalDate,
  GraphQLLongitude,
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

export const scalarResolvers = {
  Date: GraphQLLocalDate,
  DateTime: GraphQLDateTime,
  CountryCode: GraphQLCountryCode,
  Latitude: GraphQLLatitude,
  Longitude: GraphQLLongitude,
  NonNegativeInt: GraphQLNonNegativeInt,
  JSONObject: GraphQLJSONObject,
}
