import { randomUUID } from 'node:crypto'
import fastifyApollo from '@as-integrations/fastify'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify'
import { GraphQLError } from 'graphql'
import { sql } from 'kysely'
import type { Config } from '../config.js'
import { companionDatabase, type Database, dedicatedConnection } from '../db/database.js'
import { createApolloServer } from '../graphql/apollo.js'
import { createContext } from '../graphql/context.js'
import { routeQueriesToReplica } from '../graphql/read-replica.js'
import type { Logger } from '../logger.js'
import { explorerDir } from '../paths.js'
import { ChangeHub } from '../subscriptions/hub.js'
import { createAdmission, sendRefusal } from './admission.js'
import { registerCompression } from './compression.js'
import { registerCors } from './cors.js'
import { registerExplorer } from './explorer.js'
import { registerExports } from './export.js'
import { registerGraphiql } from './graphiql.js'
import { serveMetrics } from './metrics-access.js'
import { observeGraphQLRequests } from './observability.js'
import { registerSecurityHeaders } from './security-headers.js'
import { registerSubscriptions } from './subscriptions.js'

export type HttpConfig = Pick<
  Config,
  | 'host'
  | 'port'
  | 'readRequiresKey'
  | 'limits'
  | 'introspection'
  | 'corsOrigins'
  | 'trustProxy'
  | 'metrics'
  | 'historyPublic'
>

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
  /** The primary: mutations, API keys, readiness. */
  readonly db: Database
  /** A read replica for queries and exports (DATABASE_READ_URL); by default the primary. */
  readonly readDb?: Database
  readonly logger: Logger
  readonly config: HttpConfig
  /** False while the database is not prepared yet (see startService); by default always true. */
  readonly isReady?: () => boolean
  /** The built explorer (src/explorer/build.ts); dist/explorer unless given. */
  readonly explorerDir?: string
}

// What a GraphQL client is told when Fastify refuses a request before GraphQL sees it.
const httpErrorCodes: Readonly<Record<number, string>> = {
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  500: 'INTERNAL_SERVER_ERROR',
}

/**
 * The service's HTTP front: GraphQL at /graphql (POST and GET), GraphiQL at /graphiql (and for
 * a browser's GET of /graphql), the explorer at / for browsers (an index of endpoints for
 * other clients), liveness at /healthz, readiness (the database answers) at /readyz and
 * Prometheus metrics at /metrics; subscriptions over graphql-ws on /graphql (subscriptions.ts).
 */
export async function startHttpServer({
  db,
  readDb,
  logger,
  config,
  isReady = () => true,
  explorerDir: builtExplorer = explorerDir,
}: HttpServerOptions) {
  const { limits } = config
  const app = Fastify({
    bodyLimit: limits.maxBodyBytes,
    trustProxy: config.trustProxy,
    // Fastify's logger type is pino's minus a few members; the instance is our pino logger.
    loggerInstance: logger as FastifyBaseLogger,
    // Fastify's two lines per request would double ours (one per GraphQL request, with its
    // operation and duration: see observability.ts); errors are logged where they happen.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (request) => {
      const given = request.headers['x-request-id']
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID()
    },
  })
  const { metrics, outcomeOf } = observeGraphQLRequests(app, {
    primary: db,
    ...(readDb && { replica: readDb }),
  })
  // With request logging off, Fastify's default handler would drop errors silently: log them
  // with the request id, and tell the client no more than that something failed. A GraphQL
  // client gets the refusal in the shape it reads, errors[] with a code.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500
    if (status >= 500) request.log.error({ err: error }, 'request failed')
    const message = status >= 500 ? 'Internal server error' : error.message
    if (!request.url.startsWith('/graphql')) return reply.code(status).send({ error: message })
    const code = httpErrorCodes[status] ?? 'BAD_REQUEST'
    outcomeOf(request)?.errorCodes.push(code)
    return reply.code(status).send({ errors: [{ message, extensions: { code } }] })
  })
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  await registerSecurityHeaders(app)

  await registerCors(app, config)
  await registerCompression(app)

  const admit = createAdmission(db, config, isReady, metrics.keyFailure)
  // The exports read as much as a query: the same readiness, key rule and rate limit.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.routeOptions.url?.startsWith('/export/')) return
    try {
      await admit(request)
    } catch (error) {
      return sendRefusal(reply, error)
    }
  })
  const apollo = createApolloServer(config)
  if (readDb) apollo.addPlugin(routeQueriesToReplica(readDb))
  await apollo.start()
  await app.register(fastifyApollo(apollo), {
    path: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    context: async (request) => {
      const outcome = outcomeOf(request) ?? { operation: undefined, errorCodes: [] }
      try {
        const caller = await admit(request)
        const log = request.log as Logger
        return createContext(db, request.id, log, caller, outcome, config.historyPublic)
      } catch (error) {
        // Apollo answers a failed context itself, past the plugins that record outcomes.
        const code = error instanceof GraphQLError ? error.extensions.code : undefined
        outcome.errorCodes.push(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR')
        throw error
      }
    },
  })

  // Subscriptions read the change feed and its events from the primary: a replica's lag could
  // show a notice an event older than the change it announces. Its statements (the filters'
  // judgement above all, hundreds of conditions) are planned once per connection, not per batch.
  const feedDb = companionDatabase(db, 3, { genericPlans: true })
  const hub = new ChangeHub(feedDb, () => dedicatedConnection(db, 'attest listen'), logger)
  await hub.start(isReady)
  hubs.set(app, hub)
  app.addHook('onClose', async () => {
    await hub.stop()
    await feedDb.destroy()
  })
  registerSubscriptions(app, { db, hub, logger, config })

  registerGraphiql(app)
  registerExports(app, readDb ?? db, limits)
  const metricsHere = await serveMetrics(app, metrics.registry, config.metrics)
  const endpoints = { ...index.endpoints, ...(metricsHere && { metrics: '/metrics' }) }
  await registerExplorer(app, builtExplorer, { ...index, endpoints }, logger)
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_, reply) => {
    // Ready means every endpoint serves, subscriptions too: the change hub starts shortly after
    // the database is (it reads the feed's head), and refuses subscriptions until then.
    if (!isReady() || !hub.started)
      return reply.code(503).send({ status: 'starting: database not ready' })
    try {
      await Promise.all([db, readDb].map((database) => database && sql`SELECT 1`.execute(database)))
      return { status: 'ready' }
    } catch {
      return reply.code(503).send({ status: 'database unavailable' })
    }
  })

  await app.listen({ host: config.host, port: config.port })
  return app
}

const hubs = new WeakMap<FastifyInstance, ChangeHub>()

/**
 * Resolves once the server serves subscriptions too (its change hub has read the feed's head,
 * shortly after the database is ready), or is closed before: what /readyz waits for.
 */
export function whenSubscriptionsServe(app: FastifyInstance): Promise<void> {
  return hubs.get(app)?.whenStarted() ?? Promise.resolve()
}

/**
 * Stops accepting connections and lets the requests in flight finish; past `deadlineMs`, cuts
 * the connections still open (their requests are lost to the client, not half-written: each
 * mutation is one transaction).
 */
export async function closeHttpServer(app: FastifyInstance, deadlineMs: number): Promise<void> {
  const deadline = setTimeout(() => {
    app.log.warn({ deadlineMs }, 'requests still running at the shutdown deadline: cutting them')
    app.server.closeAllConnections()
  }, deadlineMs)
  // A connection whose request finishes stays open for keep-alive and would hold the close up
  // to the deadline: close each one as soon as it is idle.
  const sweep = setInterval(() => app.server.closeIdleConnections(), 100)
  try {
    await app.close()
  } finally {
    clearTimeout(deadline)
    clearInterval(sweep)
  }
}
