import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases'
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth'
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives'
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql'
import type { Limits } from '../config.js'

// GraphQL Armor throws at the first limit broken, with a "Syntax Error:" prefix. Reported like
// graphql-js's own rules instead, a refusal is a GRAPHQL_VALIDATION_FAILED error (HTTP 400)
// that names every limit the document broke.
const reportEveryLimit = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) =>
      context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''))),
  ],
}

/**
 * Validation rules that refuse a too deep or too repetitive document before it runs. The cost
 * limit needs the variables: it is read/cost.ts, once the operation is known.
 */
export function queryLimitRules(limits: Limits): ValidationRule[] {
  return [
    maxDepthRule({ n: limits.maxDepth, ...reportEveryLimit }),
    maxAliasesRule({ n: limits.maxAliases, ...reportEveryLimit }),
    maxDirectivesRule({ n: limits.maxDirectives, ...reportEveryLimit }),
  ]
}
