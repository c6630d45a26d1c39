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
 * cannot tell its own origin). A request a page sends without asking (urql's GET) is answered,
 * and its browser keeps the answer from the page: the log says so, once per origin.
 */
export async function registerCors(
  app: FastifyInstance,
  { corsOrigins }: Pick<Config, 'corsOrigins'>,
): Promise<void> {
  const anyOrigin = corsOrigins.includes('*')
  const allowed = (origin: string) => anyOrigin || corsOrigins.includes(origin)
  const hint = (origin: string) =>
    `list the origin ${origin} in CORS_ORIGINS (comma-separated, or * for any) to let its pages call this service`
  const warned = new Set<string>()
  app.addHook('onRequest', async (request, reply) => {
    const { origin } = request.headers
    if (!origin || allowed(origin)) return
    const preflight =
      request.method === 'OPTIONS' && request.headers['access-control-request-method'] != null
    if (preflight) {
      const message = `Pages at ${origin} may not call this service: ${hint(origin)}`
      const body = request.url.startsWith('/graphql')
        ? { errors: [{ message, extensions: { code: 'FORBIDDEN' } }] }
        : { error: message }
      return reply.code(403).send(body)
    }
    const own = `${request.protocol}://${request.host}`
    if (origin === own || warned.has(origin) || warned.size >= maxWarnedOrigins) return
    warned.add(origin)
    request.log.warn(
      { origin },
      `a page on another origin called: browsers keep the answer from it; ${hint(origin)}`,
    )
  })
  if (corsOrigins.length > 0)
    await app.register(fastifyCors, { origin: anyOrigin ? '*' : [...corsOrigins] })
}

// Origins are the client's to make up: the log names a bounded number of them.
const maxWarnedOrigins = 100
