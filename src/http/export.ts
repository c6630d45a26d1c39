import { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import type { Database } from '../db/database.js'
import { exportEvents } from '../db/event-export.js'
import { ExportFilterError, parseExportFilter } from '../export/export-filter.js'
import { type ExportFormat, exportFormats } from '../export/formats.js'

/**
 * /export/events.csv and /export/events.geojson: every event matching `?filter=` (the API's
 * EventFilter as JSON), streamed as it is read, whatever its size.
 */
export function registerExports(app: FastifyInstance, db: Database): void {
  for (const format of Object.keys(exportFormats) as ExportFormat[]) {
    app.get<{ Querystring: { filter?: string } }>(
      `/export/events.${format}`,
      async (request, reply) => {
        let filter: ReturnType<typeof parseExportFilter>
        try {
          filter = parseExportFilter(request.query.filter)
        } catch (error) {
          if (error instanceof ExportFilterError)
            return reply.code(400).send({ error: error.message, argument: 'filter' })
          throw error
        }
        const { chunks, contentType } = exportFormats[format]
        return reply
          .type(contentType)
          .header('content-disposition', `attachment; filename="events.${format}"`)
          .send(Readable.from(chunks(exportEvents(db, filter))))
      },
    )
  }
}
