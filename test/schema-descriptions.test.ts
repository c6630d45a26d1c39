import {
  buildSchema,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isSpecifiedScalarType,
} from 'graphql'
import { expect, it } from 'vitest'
import { schema as served, typeDefs } from '../src/graphql/apollo.js'

// schema.graphql is the API's documentation (GraphiQL's docs show it): every type, field and enum
// value says what it is, and so does every argument of the read API. (The mutations' arguments
// repeat the same few names — eventId, version — and are described once in Mutation's own text.)
it('describes every type, field, enum value and read argument in schema.graphql', () => {
  const schema = buildSchema(typeDefs)
  const undescribed: string[] = []
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue
    if (!type.description) undescribed.push(type.name)
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!field.description) undescribed.push(`${type.name}.${field.name}`)
        if (type.name === 'Mutation' || !('args' in field)) continue
        for (const argument of field.args)
          if (!argument.description)
            undescribed.push(`${type.name}.${field.name}(${argument.name})`)
      }
    }
    if (isEnumType(type))
      for (const value of type.getValues())
        if (!value.description) undescribed.push(`${type.name}.${value.name}`)
  }
  expect(undescribed).toEqual([])
})

// A client that builds schema.graphql with plain graphql-js (codegen, a mock server) finds the
// same root operation types as the service serves: `schema { … }` names each one.
it('declares every root operation type the service serves, so plain buildSchema finds them', () => {
  const roots = (schema: GraphQLSchema) => ({
    query: schema.getQueryType()?.name,
    mutation: schema.getMutationType()?.name,
    subscription: schema.getSubscriptionType()?.name,
  })
  const built = roots(buildSchema(typeDefs))
  expect(built).toEqual(roots(served))
  expect(built).toEqual({ query: 'Query', mutation: 'Mutation', subscription: 'Subscription' })
})
