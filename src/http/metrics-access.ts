import { createHash, timingSafeEqual } from 'node:crypto'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Registry } from 'prom-client'
import type { MetricsAccess } from '../config.js'

const digest = (text: string) => createHash('sha256').update(text).digest()

/** Whether the request carries `Authorization: Bearer <token>`, compared in constant time. */
function carriesToken(request: FastifyRequest, token: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1]
  return given !== undefined && timingSafeEqual(digest(given), digest(token))
}

/**
 * Serves the registry's metrics as MetricsAccess says (src/config.ts): on an address of its own
 * when one is configured, else on the API's address to the bearer of METRICS_TOKEN, else not at
 * all (404, saying how to turn them on). The token, when set, is asked for on either address.
 * Returns whether /metrics is served on the API's address (for the index of endpoints).
 */
export async function serveMetrics(
  app: FastifyInstance,
  registry: Registry,
  access: MetricsAccess,
): Promise<boolean> {
  const send = async (request: FastifyRequest, reply: FastifyReply) => {
    if (access.token !== undefined && !carriesToken(request, access.token))
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .send({ error: 'The metrics need the token: send Authorization: Bearer <METRICS_TOKEN>' })
    return reply.type(registry.contentType).send(await registry.metrics())
  }
  if (access.address) {
    const own = Fastify()
    own.get('/metrics', send)
    await own.listen(access.address)
    app.addHook('onClose', () => own.close())
    return false
  }
  if (access.token !== undefined) {
    app.get('/metrics', send)
    return true
  }
  app.get('/metrics', async (_, reply) =>
    reply.code(404).send({
      error:
        'Metrics are off: set METRICS_TOKEN, or METRICS_ADDRESS to serve them on an address of their own',
    }),
  )
  return false
}
