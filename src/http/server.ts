import { randomUUID } from 'node:crypto'
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify'
import Fastify, { type FastifyBaseLogger, LogController } from 'fastify'
import { sql } from 'kysely'
import { identifyCaller } from '../auth/access.js'
import { ApiKeyVerifier } from '../auth/api-keys.js'
import type { Database } from '../db/database.js'
import { createApolloServer } from '../graphql/apollo.js'
import { createContext } from '../graphql/context.js'
import type { Logger } from '../logger.js'
import { explorerDir } from '../paths.js'
import { registerExplorer } from './explorer.js'
import { registerExports } from './export.js'
import { registerGraphiql } from './graphiql.js'

const index = {
  service: 'attest',
  description: 'Political-violence and terrorism events, every figure attested by its report.',
  endpoints: {
    explorer: '/',
    graphql: '/graphql',
    graphiql: '/graphiql',
    exports: ['/export/events.csv', '/export/events.geojson'],
    health: '/healthz',
    readiness: '/readyz',
  },
}

export interface HttpServerOptions {
  readonly db: Database
  readonly logger: Logger
  readonly host: string
  readonly port: number
  /** Reading needs an API key too (READ_REQUIRES_KEY). */
  readonly readRequiresKey?: boolean
  /** The built explorer (src/explorer/build.ts); dist/explorer unless given. */
  readonly explorerDir?: string
}

/**
 * The service's HTTP front: GraphQL at /graphql (POST and GET), GraphiQL at /graphiql (and for
 * a browser's GET of /graphql), the explorer at / for browsers (an index of endpoints for
 * other clients), liveness at /healthz and readiness (the database answers) at /readyz.
 */
export async function startHttpServer(options: HttpServerOptions) {
  const { db, logger, host, port, readRequiresKey = false } = options
  const app = Fastify({
    // Fastify's logger type is pino's minus a few members; the instance is our pino logger.
    loggerInstance: logger as FastifyBaseLogger,
    // Per-request lines would dominate the logs under load; errors are logged where they happen.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (request) => {
      const given = request.headers['x-request-id']
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID()
    },
  })
  // With request logging off, Fastify's default handler would drop errors silently: log them
  // with the request id, and tell the client no more than that something failed.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500
    if (status >= 500) request.log.error({ err: error }, 'request failed')
    return reply.code(status).send({ error: status >= 500 ? 'internal error' : error.message })
  })
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })

  const verifier = new ApiKeyVerifier(db)
  const apollo = createApolloServer()
  apollo.addPlugin(fastifyApolloDrainPlugin(app))
  await apollo.start()
  await app.register(fastifyApollo(apollo), {
    path: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    context: async (request) => {
      const caller = await identifyCaller(request.headers.authorization, verifier, readRequiresKey)
      return createContext(db, request.id, request.log as Logger, caller)
    },
  })

  registerGraphiql(app)
  registerExports(app, db)
  await registerExplorer(app, options.explorerDir ?? explorerDir, index, logger)
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_, reply) => {
    try {
      await sql`SELECT 1`.execute(db)
      return { status: 'ready' }
    } catch {
      return reply.code(503).send({ status: 'database unavailable' })
    }
  })

  await app.listen({ host, port })
  return app
}
