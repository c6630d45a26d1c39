import { GraphQLError } from 'graphql'

/** A bad argument: the client's to fix. `argument` names it, `rule` says what it broke. */
export function badUserInput(message: string, argument: string, rule: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argument, rule } })
}
