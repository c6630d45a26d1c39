import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Limits } from '../config.js'
import type { Database } from '../db/database.js'
import { type ExportRow, exportEventPages } from '../db/event-export.js'
import { isDatabaseUnavailable } from '../db/unavailable.js'
import {
  ExportArgumentError,
  parseExportFields,
  parseExportFilter,
  parseExportFlag,
} from '../export/export-arguments.js'
import { type ExportFormat, exportFormats } from '../export/formats.js'
import { databaseUnavailableMessage, serviceUnavailable } from '../graphql/errors.js'
import { sendRefusal } from './admission.js'

// What a refused export is told to wait: a large export streams for tens of seconds.
const retryAfterSeconds = 10

interface ExportQuery {
  readonly filter?: string
  readonly fields?: string
  readonly bom?: string
}

/**
 * /export/events.csv and /export/events.geojson: every event matching `?filter=` (the API's
 * EventFilter as JSON), the `?fields=` chosen, streamed a page at a time as the client reads.
 * At most `exportConcurrency` run at once; one more is refused with 429 and Retry-After.
 */
export function registerExports(
  app: FastifyInstance,
  db: Database,
  { exportConcurrency, exportPageRows }: Pick<Limits, 'exportConcurrency' | 'exportPageRows'>,
): void {
  let running = 0
  for (const format of Object.keys(exportFormats) as ExportFormat[]) {
    const path = `/export/events.${format}`
    const { chunks, contentType } = exportFormats[format]
    const disposition = `attachment; filename="events.${format}"`
    // HEAD answers the headers alone: Fastify's own HEAD route would run the export and drain it,
    // unseen by the bound.
    app.head(path, async (_, reply) =>
      reply.type(contentType).header('content-disposition', disposition).send(),
    )
    const route = { exposeHeadRoute: false }
    app.get<{ Querystring: ExportQuery }>(path, route, async (request, reply) => {
      let filter: ReturnType<typeof parseExportFilter>
      let fields: ReturnType<typeof parseExportFields>
      let bom: boolean
      try {
        filter = parseExportFilter(request.query.filter)
        fields = parseExportFields(request.query.fields)
        bom = parseExportFlag('bom', request.query.bom, true)
      } catch (error) {
        if (!(error instanceof ExportArgumentError)) throw error
        return reply
          .code(400)
          .send({ error: error.message, code: 'BAD_USER_INPUT', argument: error.argument })
      }
      if (running >= exportConcurrency)
        return reply
          .code(429)
          .header('retry-after', String(retryAfterSeconds))
          .send({
            error: `${running} exports are running, the most at once: try again in ${retryAfterSeconds} s`,
            code: 'TOO_MANY_EXPORTS',
          })
      running++
      // 'close' comes once the response is sent, cut or abandoned by the client.
      reply.raw.once('close', () => running--)

      const pages = exportEventPages(db, filter, { fields, pageSize: exportPageRows })
      // The first page before the headers: a database that fails now gets an error status.
      let first: IteratorResult<ExportRow[]>
      try {
        first = await pages.next()
      } catch (error) {
        if (isDatabaseUnavailable(error))
          return sendRefusal(reply, serviceUnavailable(databaseUnavailableMessage))
        throw error
      }
      async function* all() {
        if (!first.done) yield first.value
        yield* pages
      }
      // One chunk buffered ahead of the socket, one page read ahead: flat memory at any size.
      const body = Readable.from(failLoudly(chunks(all(), { fields, bom }), request), {
        highWaterMark: 1,
      })
      return reply.type(contentType).header('content-disposition', disposition).send(body)
    })
  }
}

/**
 * A page that fails once the status and part of the file are sent cannot become an error status:
 * logged with the request id and rethrown, it makes Fastify destroy the socket, so the response
 * ends without its last chunk and every client sees a failed download, not a short file.
 */
async function* failLoudly(chunks: AsyncGenerator<string>, request: FastifyRequest) {
  try {
    yield* chunks
  } catch (error) {
    request.log.error({ err: error }, 'export failed after its headers were sent: response cut')
    throw error
  }
}
