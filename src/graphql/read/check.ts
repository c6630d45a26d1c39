import {
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isLeafType,
  isListType,
  isObjectType,
} from 'graphql'
import type { TypeDescription } from './describe.js'
import { description as schemaDescription } from './description.js'
import { rootFields } from './roots.js'

/** Types the compiler shapes itself (connections, edges, page info) or a strategy builds. */
const notDescribed = (name: string) =>
  name.endsWith('Connection') ||
  name.endsWith('Edge') ||
  [
    'Query',
    'Mutation',
    'Subscription',
    'EventChangeNotice',
    'PageInfo',
    'EventStatsBucket',
    'CasualtyTotal',
  ].includes(name) ||
  name.startsWith('__')

/** Root fields with a strategy of their own (read/stats.ts) rather than a compiled root. */
const ownRoots = new Set(['eventStats'])

/**
 * The description against schema.graphql, both ways: every field of every object type is
 * described (or the compiler's own), nothing is described that the schema lacks, and each
 * relation agrees with its field's type. Run at start-up and by a test: the service refuses to
 * start with a field it could not answer.
 */
export function descriptionProblems(
  schema: GraphQLSchema,
  description: Readonly<Record<string, TypeDescription>> = schemaDescription,
): string[] {
  const problems: string[] = []
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || notDescribed(type.name)) continue
    const described = description[type.name]
    if (!described) {
      problems.push(`${type.name} is in the schema but not described`)
      continue
    }
    for (const field of Object.values(type.getFields())) {
      const entry = described.fields[field.name]
      const where = `${type.name}.${field.name}`
      if (!entry) {
        problems.push(`${where} is in the schema but not described`)
        continue
      }
      const named = getNamedType(field.type)
      const list = isListType(getNullableType(field.type))
      if (entry.kind === 'value' && !isLeafType(named))
        problems.push(`${where} is described as a value but is a ${named.name}`)
      if (entry.kind === 'connection' && `${entry.type}Connection` !== named.name)
        problems.push(
          `${where} is described as a connection of ${entry.type} but is a ${named.name}`,
        )
      if (entry.kind === 'relation' && entry.type !== named.name)
        problems.push(`${where} is described as ${entry.type} but is a ${named.name}`)
      if (entry.kind === 'relation' && entry.many !== list)
        problems.push(`${where} is described as ${entry.many ? 'a list' : 'one'} but is not`)
    }
  }
  for (const [name, described] of Object.entries(description)) {
    const type = schema.getType(name)
    if (!isObjectType(type)) {
      problems.push(`${name} is described but not an object type of the schema`)
      continue
    }
    for (const field of Object.keys(described.fields)) {
      if (!type.getFields()[field])
        problems.push(`${name}.${field} is described but not in the schema`)
    }
  }
  const query = schema.getQueryType()
  for (const field of Object.keys(query?.getFields() ?? {})) {
    if (!rootFields[field] && !ownRoots.has(field))
      problems.push(`Query.${field} has no compiled root (src/graphql/read/roots.ts)`)
  }
  for (const field of Object.keys(rootFields)) {
    if (!query?.getFields()[field])
      problems.push(`Query.${field} is compiled but not in the schema`)
  }
  return problems
}

/** Throws, naming every problem, when the description and the schema disagree. */
export function checkDescription(schema: GraphQLSchema): void {
  const problems = descriptionProblems(schema)
  if (problems.length) {
    throw new Error(`The read description disagrees with schema.graphql:\n${problems.join('\n')}`)
  }
}
