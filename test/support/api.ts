import type { AddressInfo } from 'node:net'
import { loadConfig } from '../../src/config.js'
import { createDatabase } from '../../src/db/database.js'
import { startHttpServer } from '../../src/http/server.js'
import { createLogger, type Logger } from '../../src/logger.js'
import { apiServiceImage, startServiceContainer } from './service-container.js'

export interface GraphQLResponse<Data = Record<string, unknown>> {
  readonly data?: Data | null
  readonly errors?: readonly {
    readonly message: string
    readonly path?: readonly (string | number)[]
    readonly extensions?: Record<string, unknown>
  }[]
}

export interface TestApi {
  readonly url: string
  /** POSTs a GraphQL request to the real server, as any client would. */
  query<Data = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    /** An API key, sent as `Authorization: Bearer <key>`. */
    key?: string,
  ): Promise<GraphQLResponse<Data>>
  /** SQL statements the server sent since the last reset. */
  readonly statements: string[]
  resetStatements(): void
  stop(): Promise<void>
}

export interface StartApiOptions {
  /** The service's environment (READ_REQUIRES_KEY, DATABASE_READ_URL, …). */
  readonly env?: Record<string, string>
  /** The explorer's bundle to serve (in-process only: the image serves its own). */
  readonly explorerDir?: string
  /** The test reads the server from the inside (its SQL, its heap) or on a second address of
   * this machine (METRICS_ADDRESS): it must run in this process. */
  readonly inProcess?: boolean
}

/**
 * The real HTTP server over the given database: on a free loopback port in this process,
 * counting its SQL; or, when the run has the service's image (ATTEST_SERVICE_IMAGE), the service
 * in its container on a published port, unless the test reads the server from the inside (its
 * logger, its SQL). `options.env` is the service's environment: its defaults otherwise, but for
 * the rate limit, which a test sets when it tests it.
 */
export async function startApi(
  databaseUrl: string,
  logger?: Logger,
  options: StartApiOptions = {},
): Promise<TestApi> {
  const env = { RATE_LIMIT_REQUESTS: '0', DATABASE_URL: databaseUrl, ...options.env }
  const image = apiServiceImage()
  if (image && !logger && !options.inProcess) {
    const service = await startServiceContainer(image, env)
    return {
      url: `${service.origin}/graphql`,
      query: (query, variables, key) =>
        postGraphQL(`${service.origin}/graphql`, query, variables, key),
      get statements(): string[] {
        throw new Error('a service in a container does not show its SQL: pass { inProcess: true }')
      },
      resetStatements: () => {},
      stop: () => service.stop(),
    }
  }
  const config = { ...loadConfig(env), host: '127.0.0.1', port: 0 }
  const statements: string[] = []
  const open = (url: string) =>
    createDatabase(url, {
      onQuery: (sql) => statements.push(sql),
      statementTimeoutMs: config.limits.statementTimeoutMs,
    })
  const db = open(databaseUrl)
  const readDb = config.databaseReadUrl ? open(config.databaseReadUrl) : undefined
  const server = await startHttpServer({
    db,
    ...(readDb && { readDb }),
    logger: logger ?? createLogger('silent'),
    config,
    ...(options.explorerDir && { explorerDir: options.explorerDir }),
  })
  const { port } = server.server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}/graphql`
  return {
    url,
    statements,
    resetStatements: () => {
      statements.length = 0
    },
    query: (query, variables, key) => postGraphQL(url, query, variables, key),
    async stop() {
      await server.close()
      await db.destroy()
      await readDb?.destroy()
    },
  }
}

async function postGraphQL(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  key?: string,
): Promise<GraphQLResponse<never>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key && { authorization: `Bearer ${key}` }),
    },
    body: JSON.stringify({ query, variables }),
  })
  return (await response.json()) as GraphQLResponse<never>
}

/** The data of a response that must have no errors. */
export function dataOf<Data>(response: GraphQLResponse<Data>): Data {
  if (response.errors?.length)
    throw new Error(`unexpected errors: ${JSON.stringify(response.errors)}`)
  if (!response.data) throw new Error('no data')
  return response.data
}

/** The single error of a response, for asserting its code and argument. */
export function errorOf(response: GraphQLResponse<unknown>) {
  if (response.errors?.length !== 1)
    throw new Error(`expected one error, got ${JSON.stringify(response.errors)}`)
  return response.errors[0] as NonNullable<GraphQLResponse['errors']>[number]
}
