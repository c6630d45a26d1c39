import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Logger } from '../logger.js'
import { type Encoding, encodedSuffixes, sendStatic } from './compression.js'

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
}

interface StaticFile {
  readonly body: Buffer
  readonly type: string
  /** The build's brotli and gzip of it, best first (src/explorer/build.ts). */
  readonly encoded: Partial<Record<Encoding, Buffer>>
}

/**
 * The explorer (src/explorer/): its page at / for browsers and its bundle under /explorer/, read
 * once at start from the folder `npm run build` fills. Clients that do not ask for HTML get
 * `index`, the list of endpoints, as before. Without a build, everyone gets the index.
 */
export async function registerExplorer(
  app: FastifyInstance,
  dir: string,
  index: Record<string, unknown>,
  logger: Logger,
): Promise<void> {
  const files = await readBuild(dir)
  const page = files.get('index.html')
  if (!page) logger.warn({ dir }, 'the explorer is not built (npm run build): / serves the index')

  app.get('/', async (request, reply) => {
    if (page && request.headers.accept?.includes('text/html')) return sendFile(request, reply, page)
    return index
  })
  app.get<{ Params: { file: string } }>('/explorer/:file', async (request, reply) => {
    const file = files.get(request.params.file)
    if (!file) return reply.code(404).send({ error: 'not found' })
    return sendFile(request, reply, file)
  })
}

function sendFile(request: FastifyRequest, reply: FastifyReply, file: StaticFile) {
  reply.type(file.type).header('cache-control', 'no-cache')
  return sendStatic(request, reply, file.body, file.encoded)
}

async function readBuild(dir: string): Promise<Map<string, StaticFile>> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return new Map()
  }
  const files = new Map<string, StaticFile>()
  for (const name of names) {
    const type = contentTypes[path.extname(name)]
    if (!type) continue
    const encoded: Partial<Record<Encoding, Buffer>> = {}
    for (const [encoding, suffix] of Object.entries(encodedSuffixes) as [Encoding, string][])
      if (names.includes(`${name}${suffix}`))
        encoded[encoding] = await readFile(path.join(dir, `${name}${suffix}`))
    files.set(name, { body: await readFile(path.join(dir, name)), type, encoded })
  }
  return files
}
