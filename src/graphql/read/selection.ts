import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLIncludeDirective,
  type GraphQLObjectType,
  GraphQLSkipDirective,
  getDirectiveValues,
  Kind,
  type SelectionSetNode,
} from 'graphql'

/** The parts of an operation that decide what a selection holds. */
export interface Operation {
  readonly fragments: Readonly<Record<string, FragmentDefinitionNode>>
  readonly variables: Readonly<Record<string, unknown>>
}

/**
 * The fields selected on an object of `type` under the given field nodes (or selection sets),
 * by response key, in the order the client wrote them: fragments spread and inlined where their
 * type condition is the type or one of its interfaces, @skip and @include applied.
 */
export function collectFields(
  operation: Operation,
  type: GraphQLObjectType,
  sets: readonly (SelectionSetNode | undefined)[],
): Map<string, FieldNode[]> {
  const fields = new Map<string, FieldNode[]>()
  const visited = new Set<string>()
  const applies = (condition: string | undefined) =>
    condition === undefined ||
    condition === type.name ||
    type.getInterfaces().some((face) => face.name === condition)
  const collect = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (!included(operation, selection)) continue
      if (selection.kind === 'Field') {
        const key = selection.alias?.value ?? selection.name.value
        const nodes = fields.get(key)
        if (nodes) nodes.push(selection)
        else fields.set(key, [selection])
      } else if (selection.kind === 'InlineFragment') {
        if (applies(selection.typeCondition?.name.value)) collect(selection.selectionSet)
      } else {
        const name = selection.name.value
        const fragment = operation.fragments[name]
        if (visited.has(name) || !fragment) continue
        visited.add(name)
        if (applies(fragment.typeCondition.name.value)) collect(fragment.selectionSet)
      }
    }
  }
  for (const set of sets) if (set) collect(set)
  return fields
}

/** The document's fragments by name. */
export function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = {}
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition
  }
  return fragments
}

/** The selection sets under a field's nodes (one per occurrence of its response key). */
export const subSelections = (nodes: readonly FieldNode[]) => nodes.map((node) => node.selectionSet)

function included(operation: Operation, node: Parameters<typeof getDirectiveValues>[1]): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, operation.variables)
  if (skip?.if === true) return false
  const include = getDirectiveValues(GraphQLIncludeDirective, node, operation.variables)
  return include?.if !== false
}
