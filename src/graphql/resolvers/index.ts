import type { Resolvers } from '../generated/resolvers.js'
import { Mutation } from '../mutations/index.js'
import { scalarResolvers } from './scalars.js'

/**
 * The only resolvers: the scalars and the mutations' writes. Every read, a mutation's payload
 * included, is compiled from the description (src/graphql/read/).
 */
export const resolvers: Resolvers = {
  ...scalarResolvers,
  Mutation,
}
