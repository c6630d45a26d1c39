import fastifyCors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../config.js'

/**
 * Which other origins' pages may call the service (CORS_ORIGINS). A browser asks first (a
 * preflight: OPTIONS with Access-Control-Request-Method) for every request a page makes with a
 * JSON body or an Authorization header; such a request from an origin not listed is answered
 * 403 with a message that names CORS_ORIGINS, where the bare CORS refusal would leave its
 * developer guessing. Only a preflight is refused: it is always cross-origin, where an Origin
 * header alone is not (browsers send it on same-origin POSTs, and behind a proxy the service
 * cannot tell its own origin).
 */
export async function registerCors(
  app: FastifyInstance,
  { corsOrigins }: Pick<Config, 'corsOrigins'>,
): Promise<void> {
  const anyOrigin = corsOrigins.includes('*')
  const allowed = (origin: string) => anyOrigin || corsOrigins.includes(origin)
  app.addHook('onRequest', async (request, reply) => {
    const { origin } = request.headers
    const preflight =
      request.method === 'OPTIONS' && request.headers['access-control-request-method'] != null
    if (!preflight || !origin || allowed(origin)) return
    const message = `Pages at ${origin} may not call this service: list the origin in CORS_ORIGINS (comma-separated, or * for any) to allow it`
    const body = request.url.startsWith('/graphql')
      ? { errors: [{ message, extensions: { code: 'FORBIDDEN' } }] }
      : { error: message }
    return reply.code(403).send(body)
  })
  if (corsOrigins.length > 0)
    await app.register(fastifyCors, { origin: anyOrigin ? '*' : [...corsOrigins] })
}
