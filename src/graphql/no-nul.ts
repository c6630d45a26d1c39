import type { ApolloServerPlugin } from '@apollo/server'
import { BREAK, GraphQLError, visit } from 'graphql'

// Postgres text cannot hold U+0000: a string with one would fail in the database as an internal
// error. Refused up front instead, as the client's mistake, before any SQL runs.

const refusal = (where: string) =>
  new GraphQLError(`${where} contains the character U+0000 (NUL), which cannot be stored`, {
    extensions: { code: 'BAD_USER_INPUT', rule: 'no NUL character', http: { status: 400 } },
  })

function variableWithNul(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined
  if (value === null || typeof value !== 'object') return undefined
  for (const [key, inner] of Object.entries(value)) {
    const found = variableWithNul(
      inner,
      Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`,
    )
    if (found) return found
  }
  return undefined
}

export const refuseNulCharacters: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ document, request }) {
        for (const [name, value] of Object.entries(request.variables ?? {})) {
          const path = variableWithNul(value, `$${name}`)
          if (path) throw refusal(`The variable ${path}`)
        }
        let literal = false
        visit(document, {
          StringValue(node) {
            literal = node.value.includes('\u0000')
            return literal ? BREAK : undefined
          },
        })
        if (literal) throw refusal('A string in the document')
      },
    }
  },
}
