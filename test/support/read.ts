import type { ApolloServerOptionsWithGateway } from '@apollo/server'
import { getOperationAST, parse, validate } from 'graphql'
import type { Database } from '../../src/db/database.js'
import { schema, typeDefs } from '../../src/graphql/apollo.js'
import { type Context, createContext } from '../../src/graphql/context.js'
import { readExecution } from '../../src/graphql/read/execute.js'
import { createLogger } from '../../src/logger.js'

type Gateway = ApolloServerOptionsWithGateway<Context>['gateway']
type Executor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>
type RequestContext = Parameters<Executor>[0]

const logger = createLogger('silent')
let executor: Promise<Executor> | undefined

async function loadExecutor(): Promise<Executor> {
  const gateway = readExecution(schema, typeDefs, { maxResponseBytes: 5_000_000 })
  const { executor } = await gateway.load({ apollo: {} })
  if (!executor) throw new Error('the read path loaded no executor')
  return executor
}

/**
 * Runs a GraphQL document through the read path's executor (src/graphql/read/execute.ts), as
 * the server does after Apollo's parsing and validation, without HTTP: the data, or a throw with
 * the errors.
 */
export async function read<Data = Record<string, any>>(
  db: Database,
  document: string,
  variables: Record<string, unknown> = {},
  operationName?: string,
): Promise<Data> {
  const parsed = parse(document)
  const invalid = validate(schema, parsed)
  if (invalid.length) throw new Error(invalid.map((error) => error.message).join('\n'))
  const operation = getOperationAST(parsed, operationName)
  if (!operation) throw new Error('the document names no single operation to run')
  executor ??= loadExecutor()
  // Only document, operation, request (variables, operationName) and context are read.
  const request = {
    document: parsed,
    operation,
    request: { query: document, variables, ...(operationName && { operationName }) },
    context: createContext(db, 'test', logger),
  } as unknown as RequestContext
  const result = await (await executor)(request)
  if (result.errors?.length) {
    throw new Error(result.errors.map((error) => error.message).join('\n'), {
      cause: result.errors,
    })
  }
  if (!result.data) throw new Error('the read answered no data')
  return result.data as Data
}
