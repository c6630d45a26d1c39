import type { TypedDocumentString } from './generated/operations.js'

/**
 * Runs one of the explorer's persisted queries against the public endpoint, as any client
 * would: a POST of the document and its variables, typed by the generated document. `key`, an
 * API key, goes as `Authorization: Bearer` (the draft page's writes need an editor's).
 */
export async function request<Result, Variables>(
  document: TypedDocumentString<Result, Variables>,
  variables: Variables,
  signal?: AbortSignal,
  key?: string,
): Promise<Result> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(key && { authorization: `Bearer ${key}` }),
    },
    body: JSON.stringify({ query: document.toString(), variables }),
    signal: signal ?? null,
  })
  let body: { data?: Result | null; errors?: { message: string }[] }
  try {
    body = await response.json()
  } catch {
    throw new Error(`The server answered ${response.status} ${response.statusText}`)
  }
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '))
  if (!body.data) throw new Error(`The server answered ${response.status} with no data`)
  return body.data
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError'
}
