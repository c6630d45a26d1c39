/** An enum value: written bare in a GraphQL literal, not as a string. */
export class EnumValue {
  constructor(readonly value: string) {}
}

export const enumValue = (value: string) => new EnumValue(value)

/** A JavaScript value as a GraphQL input literal. */
export function graphqlLiteral(value: unknown): string {
  if (value instanceof EnumValue) return value.value
  if (value === null) return 'null'
  if (Array.isArray(value)) return `[${value.map(graphqlLiteral).join(', ')}]`
  if (typeof value === 'object') {
    const fields = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .map(([name, field]) => `${name}: ${graphqlLiteral(field)}`)
    return `{ ${fields.join(', ')} }`
  }
  return JSON.stringify(value)
}

/** `mutation { name(arg: literal, …) selection }` */
export function mutationDocument(
  name: string,
  args: Record<string, unknown>,
  selection: string,
): string {
  const argumentList = graphqlLiteral(args).slice(1, -1).trim()
  return `mutation { ${name}(${argumentList}) ${selection} }`
}
