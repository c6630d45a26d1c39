import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { FastifyInstance } from 'fastify'
import {
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  GraphQLError,
  type GraphQLObjectType,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  parse,
  specifiedRules,
  validate,
} from 'graphql'
import { useServer } from 'graphql-ws/use/ws'
import { type WebSocket, WebSocketServer } from 'ws'
import { identifyCaller } from '../auth/access.js'
import { type ApiKeyIdentity, ApiKeyVerifier } from '../auth/api-keys.js'
import type { Config } from '../config.js'
import type { Database } from '../db/database.js'
import { formatError, schema } from '../graphql/apollo.js'
import { createContext } from '../graphql/context.js'
import { queryLimitRules } from '../graphql/limits.js'
import { costRefusal } from '../graphql/read/cost.js'
import { collectFields, fragmentsOf } from '../graphql/read/selection.js'
import { subscribeEventChanges } from '../graphql/subscriptions/event-changes.js'
import { subscribeEventStats } from '../graphql/subscriptions/event-stats.js'
import type { Logger } from '../logger.js'
import type { ChangeHub } from '../subscriptions/hub.js'
import { coalesceWrites } from './coalesced-writes.js'

type SubscriptionConfig = Pick<Config, 'readRequiresKey' | 'limits' | 'historyPublic'>

/** Messages that may wait for one slow subscriber before it is caught up from the feed instead. */
const mailboxCapacity = 256

/** A subscription's place under the limits, taken when its document is accepted. */
interface Reserved {
  readonly request: IncomingMessage
  /** Gives the place back (once, whoever calls it). */
  readonly release: () => void
}

/** What one WebSocket connection holds. */
interface Connection {
  readonly socket: WebSocket
  caller: ApiKeyIdentity | undefined
  /** Whose subscriptions count together against subscriptionsPerKey. */
  callerKey: string
  active: number
  idle: NodeJS.Timeout | undefined
  readonly stalled: Set<{ stalledFor(): number }>
}

/**
 * GraphQL subscriptions over the graphql-ws protocol on /graphql: the upgrade of a GET to a
 * WebSocket. The API key comes in connection_init (`authorization: "Bearer <key>"`, or the
 * upgrade request's Authorization header); documents pass the same limits as queries (depth,
 * aliases, directives, tokens, cost); each connection and each caller may hold a limited number
 * of subscriptions; a connection without any is closed after subscriptionIdleSeconds, one whose
 * client stopped reading after subscriptionStallSeconds, and every connection of a revoked key at once.
 */
export function registerSubscriptions(
  app: FastifyInstance,
  options: { db: Database; hub: ChangeHub; logger: Logger; config: SubscriptionConfig },
): void {
  const { db, hub, logger, config } = options
  const { limits } = config
  const verifier = new ApiKeyVerifier(db)
  const connections = new Map<IncomingMessage, Connection>()
  const perCaller = new Map<string, number>()
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxBodyBytes })
  // Before graphql-ws's own listener: its sends are coalesced from the first.
  wss.on('connection', coalesceWrites)

  app.server.on('upgrade', (request, socket, head) => {
    const path = (request.url ?? '').split('?')[0]
    if (path !== '/graphql') {
      socket.destroy()
      return
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request))
  })

  const startIdle = (connection: Connection) => {
    clearTimeout(connection.idle)
    connection.idle = setTimeout(
      () =>
        connection.socket.close(
          4000,
          `Idle: no subscription for ${limits.subscriptionIdleSeconds} s (SUBSCRIPTION_IDLE_SECONDS)`,
        ),
      limits.subscriptionIdleSeconds * 1000,
    )
    connection.idle.unref()
  }

  const unsubscribeRevoked = hub.onRevoked((apiKeyId) => {
    for (const connection of connections.values())
      if (connection.caller?.id === apiKeyId)
        connection.socket.close(4403, 'The API key was revoked')
  })
  // A subscriber whose client has taken no waiting message for this long stopped reading.
  const stallLimitMs = limits.subscriptionStallSeconds * 1000
  const sweep = setInterval(
    () => {
      for (const connection of connections.values())
        for (const mailbox of connection.stalled)
          if (mailbox.stalledFor() > stallLimitMs)
            connection.socket.close(
              4029,
              `Too slow: no message read for ${limits.subscriptionStallSeconds} s (SUBSCRIPTION_STALL_SECONDS); reconnect with the last cursor`,
            )
    },
    Math.min(5000, stallLimitMs / 2),
  )
  sweep.unref()

  const server = useServer(
    {
      schema,
      connectionInitWaitTimeout: 10_000,
      onConnect: async (ctx) => {
        const { request, socket } = ctx.extra
        const params = ctx.connectionParams ?? {}
        const header =
          typeof params.authorization === 'string'
            ? params.authorization
            : typeof params.Authorization === 'string'
              ? params.Authorization
              : request.headers.authorization
        try {
          const caller = await identifyCaller(header, verifier, config.readRequiresKey)
          const address = request.socket.remoteAddress ?? 'unknown'
          const connection: Connection = {
            socket,
            caller,
            callerKey: caller ? `key ${caller.id}` : `address ${address}`,
            active: 0,
            idle: undefined,
            stalled: new Set(),
          }
          connections.set(request, connection)
          startIdle(connection)
          return true
        } catch (error) {
          const message = error instanceof GraphQLError ? error.message : 'Forbidden'
          if (!(error instanceof GraphQLError))
            logger.warn({ err: error }, 'a subscription connection could not be identified')
          socket.close(4403, message.slice(0, 120))
          return false
        }
      },
      onClose: (ctx) => {
        const connection = connections.get(ctx.extra.request)
        if (connection) clearTimeout(connection.idle)
        connections.delete(ctx.extra.request)
      },
      onSubscribe: (ctx, _id, payload) => {
        const connection = connections.get(ctx.extra.request)
        if (!connection) return [refusal('Not connected', 'UNAUTHENTICATED')]
        if (!hub.started)
          return [
            refusal('The service is starting: its database is not ready', 'SERVICE_UNAVAILABLE'),
          ]
        let document: DocumentNode
        try {
          document = parse(payload.query, { maxTokens: limits.maxTokens })
        } catch (error) {
          return [refusal((error as Error).message, 'GRAPHQL_PARSE_FAILED')]
        }
        const errors = validate(schema, document, [...specifiedRules, ...queryLimitRules(limits)])
        if (errors.length) return errors.map((error) => validationFailed(error))
        const operation = getOperationAST(document, payload.operationName)
        if (!operation) return [refusal('No operation to run', 'BAD_REQUEST')]
        if (operation.operation !== 'subscription')
          return [
            refusal(
              'Over WebSocket this service runs subscriptions only: send queries and mutations by HTTP to /graphql',
              'BAD_REQUEST',
            ),
          ]
        const cost = costRefusal(
          schema,
          limits.maxCost,
          operation,
          document,
          payload.variables ?? undefined,
        )
        if (cost) return [cost]
        if (connection.active >= limits.subscriptionsPerConnection)
          return [
            tooMany(
              `This connection holds ${limits.subscriptionsPerConnection} subscriptions, the most it may (SUBSCRIPTIONS_PER_CONNECTION)`,
              'SUBSCRIPTIONS_PER_CONNECTION',
            ),
          ]
        if ((perCaller.get(connection.callerKey) ?? 0) >= limits.subscriptionsPerKey)
          return [
            tooMany(
              `This caller holds ${limits.subscriptionsPerKey} subscriptions, the most it may (SUBSCRIPTIONS_PER_KEY)`,
              'SUBSCRIPTIONS_PER_KEY',
            ),
          ]
        // Counted here, before anything awaits: a burst of subscribes cannot pass the limits.
        connection.active += 1
        perCaller.set(connection.callerKey, (perCaller.get(connection.callerKey) ?? 0) + 1)
        clearTimeout(connection.idle)
        let released = false
        const release = () => {
          if (released) return
          released = true
          connection.active -= 1
          const left = (perCaller.get(connection.callerKey) ?? 1) - 1
          if (left > 0) perCaller.set(connection.callerKey, left)
          else perCaller.delete(connection.callerKey)
          if (connection.active === 0 && connections.has(ctx.extra.request)) startIdle(connection)
        }
        return {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: { request: ctx.extra.request, release } satisfies Reserved,
        }
      },
      subscribe: async (args) => {
        const { request, release } = args.contextValue as Reserved
        const connection = connections.get(request)
        const requestId = randomUUID()
        // The place is the mailbox's from the moment it is made; any refusal before gives it back.
        let handedOver = false
        try {
          if (!connection) return { errors: [refusal('Not connected', 'UNAUTHENTICATED')] }
          const operation = getOperationAST(args.document, args.operationName) as NonNullable<
            ReturnType<typeof getOperationAST>
          >
          const coerced = getVariableValues(
            schema,
            operation.variableDefinitions ?? [],
            (args.variableValues ?? {}) as Record<string, unknown>,
          )
          if (coerced.errors) return { errors: coerced.errors }
          const read = { fragments: fragmentsOf(args.document), variables: coerced.coerced }
          const root = schema.getSubscriptionType() as GraphQLObjectType
          const [[key, nodes]] = [...collectFields(read, root, [operation.selectionSet])] as [
            [string, FieldNode[]],
          ]
          const field = root.getFields()[(nodes[0] as FieldNode).name.value]
          if (!field) return { errors: [refusal('No such subscription', 'BAD_REQUEST')] }
          const context = createContext(
            db,
            requestId,
            logger.child({ requestId }) as Logger,
            connection.caller,
            undefined,
            config.historyPublic,
          )
          const stalled = { stalledFor: () => 0 }
          const subscription = {
            schema,
            read,
            key,
            nodes,
            args: getArgumentValues(field, nodes[0] as FieldNode, read.variables),
            context,
            capacity: mailboxCapacity,
            onEnd: () => {
              connection.stalled.delete(stalled)
              release()
            },
          }
          try {
            const mailbox =
              field.name === 'eventStats'
                ? await subscribeEventStats(hub, subscription, limits.maxResponseBytes)
                : subscribeEventChanges(hub, subscription)
            handedOver = true
            stalled.stalledFor = () => mailbox.stalledFor()
            connection.stalled.add(stalled)
            return mailbox
          } catch (error) {
            connection.stalled.delete(stalled)
            throw error
          }
        } catch (error) {
          const formatted = formatError(
            error instanceof GraphQLError ? error.toJSON() : { message: String(error) },
            error,
          )
          if (formatted.extensions?.code === 'INTERNAL_SERVER_ERROR')
            logger.error({ err: error, requestId }, 'internal error in a subscription')
          const { message, path, extensions } = formatted
          return {
            errors: [
              new GraphQLError(message, {
                ...(path && { path }),
                ...(extensions && { extensions }),
              }),
            ],
          } as ExecutionResult
        } finally {
          if (!handedOver) release()
        }
      },
    },
    wss,
  )

  app.addHook('preClose', async () => {
    unsubscribeRevoked()
    clearInterval(sweep)
    for (const client of wss.clients) client.close(1001, 'The server is shutting down')
    // A client that does not answer the close within a second is cut: shutdown does not wait.
    const cut = setTimeout(() => {
      for (const client of wss.clients) client.terminate()
    }, 1000)
    try {
      await server.dispose()
    } finally {
      clearTimeout(cut)
    }
  })
}

function refusal(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } })
}

function validationFailed(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes ?? null,
    extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED' },
  })
}

function tooMany(message: string, limit: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'RATE_LIMITED', limit } })
}
