import type { MutationResolvers } from '../generated/resolvers.js'
import { draftMutations } from './draft-mutations.js'
import { eventMutations } from './event-mutations.js'
import { groupMutations } from './group-mutations.js'
import { placeMutations } from './place-mutations.js'
import { recordMutations } from './record-mutations.js'
import { sourceMutations } from './source-merge.js'

// Required: a mutation added to the schema without a resolver fails typecheck.
export const Mutation: Required<MutationResolvers> = {
  ...eventMutations,
  ...draftMutations,
  ...groupMutations,
  ...placeMutations,
  ...recordMutations,
  ...sourceMutations,
}
