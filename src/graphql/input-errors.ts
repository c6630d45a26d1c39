import type { GraphQLFormattedError } from 'graphql'

const snake = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()

/**
 * graphql-js reports a variable that fails its type (a date that does not exist, a latitude of
 * 91, an unknown enum value, a missing required field) in prose only. This adds what our own
 * input errors carry: `field` (the innermost field named) and `rule` (`invalid_<type>`, or
 * `required`), so a client handles every bad input the same way.
 */
export function withInputFieldAndRule(error: GraphQLFormattedError): GraphQLFormattedError {
  const extensions = error.extensions ?? {}
  if (extensions.code !== 'BAD_USER_INPUT' || 'field' in extensions || 'argument' in extensions)
    return error
  const variable = /^Variable "\$(\w+)" got invalid value .*?(?: at "([^"]+)")?; (.*)$/s.exec(
    error.message,
  )
  if (!variable) return error
  const [, name, path, reason = ''] = variable
  const missing = /Field "(\w+)" of required type/.exec(reason)
  const field =
    missing?.[1] ??
    path
      ?.replace(/\[\d+\]/g, '')
      .split('.')
      .at(-1) ??
    name
  const type = /Expected type "(\w+)"|in "(\w+)" enum|^(\w+) cannot represent/.exec(reason)
  const typeName = type?.[1] ?? type?.[2] ?? type?.[3]
  const rule = missing ? 'required' : typeName ? `invalid_${snake(typeName)}` : 'invalid_value'
  return { ...error, extensions: { ...extensions, field, rule } }
}
