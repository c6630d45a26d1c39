import type { ApolloServerPlugin } from '@apollo/server'
import { BREAK, GraphQLError, visit } from 'graphql'

// Variables are checked before anything else reads them:
// - Postgres text cannot hold U+0000: a string with one would fail in the database as an
//   internal error. Refused up front instead, as the client's mistake, before any SQL runs.
// - No input type of the schema nests deeper than a few levels (a JSONObject a few more), but
//   JSON can nest thousands: graphql-js and this check would recurse into it. The walk below is
//   iterative and refuses anything deeper than maxVariableDepth.

/** The deepest nesting of objects and lists one variable may hold. */
export const maxVariableDepth = 32

const refusal = (message: string, rule: string, extra: Record<string, string> = {}) =>
  new GraphQLError(message, {
    extensions: { code: 'BAD_USER_INPUT', rule, ...extra, http: { status: 400 } },
  })

/** The path of the first string with a NUL in a variable's value, or a refusal past the depth. */
function variableWithNul(value: unknown, name: string): string | undefined {
  const pending: [unknown, string, number][] = [[value, `$${name}`, 0]]
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [inner, path, depth] = next
    if (typeof inner === 'string') {
      if (inner.includes('\u0000')) return path
      continue
    }
    if (inner === null || typeof inner !== 'object') continue
    if (depth >= maxVariableDepth) {
      throw refusal(
        `The variable $${name} nests deeper than ${maxVariableDepth} levels of objects and lists`,
        'max_variable_depth',
        { variable: name },
      )
    }
    const array = Array.isArray(inner)
    // In reverse, so that the first string in document order is the one reported.
    for (const [key, item] of Object.entries(inner).reverse())
      pending.push([item, array ? `${path}[${key}]` : `${path}.${key}`, depth + 1])
  }
  return undefined
}

const nulRefusal = (where: string) =>
  refusal(
    `${where} contains the character U+0000 (NUL), which cannot be stored`,
    'no NUL character',
  )

export const refuseNulCharacters: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ document, request }) {
        for (const [name, value] of Object.entries(request.variables ?? {})) {
          const path = variableWithNul(value, name)
          if (path) throw nulRefusal(`The variable ${path}`)
        }
        let literal = false
        visit(document, {
          StringValue(node) {
            literal = node.value.includes('\u0000')
            return literal ? BREAK : undefined
          },
        })
        if (literal) throw nulRefusal('A string in the document')
      },
    }
  },
}
