import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { sql } from 'kysely'
import type { Database } from '../db/database.js'

export interface HttpServerOptions {
  readonly db: Database
  readonly host: string
  readonly port: number
}

/**
 * The service's HTTP front: an index at /, liveness at /healthz and readiness (the database
 * answers) at /readyz. The GraphQL endpoint joins it at /graphql.
 */
export async function startHttpServer({ db, host, port }: HttpServerOptions): Promise<Server> {
  const server = createServer((request, response) => {
    route(db, request, response).catch(() => send(response, 500, { error: 'internal error' }))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  return server
}

async function route(
  db: Database,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD')
    return send(response, 405, { error: 'method not allowed' })
  }
  switch (path) {
    case '/':
      return send(response, 200, {
        service: 'attest',
        description:
          'Political-violence and terrorism events, every figure attested by its report.',
        endpoints: { health: '/healthz', readiness: '/readyz' },
      })
    case '/healthz':
      return send(response, 200, { status: 'ok' })
    case '/readyz':
      try {
        await sql`SELECT 1`.execute(db)
        return send(response, 200, { status: 'ready' })
      } catch {
        return send(response, 503, { status: 'database unavailable' })
      }
    default:
      return send(response, 404, { error: 'not found' })
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
  response.end(`${JSON.stringify(body)}\n`)
}

export function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()))
    server.closeIdleConnections()
  })
}
