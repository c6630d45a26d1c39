import { coerceInputValue, GraphQLError, type GraphQLInputType } from 'graphql'
import type { EventFilter } from '../db/event-filter.js'
import { schema } from '../graphql/apollo.js'
import { toEventFilter } from '../graphql/event-filter-input.js'
import type { EventFilter as EventFilterInput } from '../graphql/generated/resolvers.js'

/** A filter an export cannot use; the message says which field and why. */
export class ExportFilterError extends Error {
  override name = 'ExportFilterError'
}

/**
 * An export's filter: the API's EventFilter as JSON (`{"countries":["TUN"]}`), checked by the
 * same schema and rules as the GraphQL argument, so both accept and refuse the same filters.
 */
export function parseExportFilter(json: string | undefined): EventFilter {
  if (json === undefined || json.trim() === '') return {}
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    throw new ExportFilterError(
      'filter is not JSON: give the API’s EventFilter, such as {"countries":["TUN"]}',
    )
  }
  const type = schema.getType('EventFilter') as GraphQLInputType
  const coerced = coerceInputValue(value, type, (path, _invalid, error) => {
    const where = path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`)).join('')
    throw new ExportFilterError(`filter${where}: ${error.message}`)
  })
  try {
    return toEventFilter(coerced as EventFilterInput)
  } catch (error) {
    if (error instanceof GraphQLError) throw new ExportFilterError(error.message)
    throw error
  }
}
