import { coerceInputValue, GraphQLError, type GraphQLInputType } from 'graphql'
import { type ExportField, exportFields } from '../db/event-export.js'
import type { EventFilter } from '../db/event-filter.js'
import { schema } from '../graphql/apollo.js'
import { toEventFilter } from '../graphql/event-filter-input.js'
import type { EventFilter as EventFilterInput } from '../graphql/generated/resolvers.js'

/** An export argument that cannot be used; the message says which and why. */
export class ExportArgumentError extends Error {
  override name = 'ExportArgumentError'
  constructor(
    readonly argument: 'filter' | 'fields' | 'bom',
    message: string,
  ) {
    super(message)
  }
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
    throw new ExportArgumentError(
      'filter',
      'filter is not JSON: give the API’s EventFilter, such as {"countries":["TUN"]}',
    )
  }
  const type = schema.getType('EventFilter') as GraphQLInputType
  const coerced = coerceInputValue(value, type, (path, _invalid, error) => {
    const where = path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`)).join('')
    throw new ExportArgumentError('filter', `filter${where}: ${error.message}`)
  })
  try {
    return toEventFilter(coerced as EventFilterInput)
  } catch (error) {
    if (error instanceof GraphQLError) throw new ExportArgumentError('filter', error.message)
    throw error
  }
}

/** The columns to write, comma-separated (`id,title,killed_best`), in that order; all by default. */
export function parseExportFields(list: string | undefined): readonly ExportField[] {
  if (list === undefined) return exportFields
  const names = list.split(',').map((name) => name.trim())
  const known = new Set<string>(exportFields)
  for (const [index, name] of names.entries()) {
    if (!known.has(name))
      throw new ExportArgumentError(
        'fields',
        name === ''
          ? 'fields: a field name is empty; give names separated by commas, such as id,title'
          : `fields: unknown field "${name}"; the fields are ${exportFields.join(', ')}`,
      )
    if (names.indexOf(name) !== index)
      throw new ExportArgumentError('fields', `fields: "${name}" is given twice`)
  }
  return names as ExportField[]
}

/** A true/false query parameter (`?bom=false`); the default when absent. */
export function parseExportFlag(
  argument: 'bom',
  value: string | undefined,
  byDefault: boolean,
): boolean {
  if (value === undefined || value === '') return byDefault
  if (value === 'true' || value === '1') return true
  if (value === 'false' || value === '0') return false
  throw new ExportArgumentError(argument, `${argument}: expected true or false, got "${value}"`)
}
