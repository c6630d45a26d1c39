import { readFile, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import negotiate from '@fastify/accept-negotiator'
import fastifyCompress from '@fastify/compress'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/** Smaller answers go as they are: compressing them saves less than its headers cost. */
export const compressionThreshold = 1024

export type Encoding = 'br' | 'gzip'

/**
 * Every answer above the threshold (GraphQL, exports as they stream, metrics, GraphiQL) in
 * gzip or brotli, as the client accepts, gzip first: answers are compressed on every request on
 * a 2-core machine, and on the explorer's 500-event page gzip level 6 is as small as brotli
 * quality 4 (21.7 and 20.6 KB of 257) for a third of its CPU (bench/compression.md). Request
 * bodies are not decompressed: a client sends small JSON.
 */
export async function registerCompression(app: FastifyInstance): Promise<void> {
  await app.register(fastifyCompress, {
    global: true,
    globalDecompression: false,
    threshold: compressionThreshold,
    encodings: ['gzip', 'br'],
    brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } },
    zlibOptions: { level: 6 },
  })
}

/** The files beside a static file that hold it compressed (written by the build). */
export const encodedSuffixes: Readonly<Record<Encoding, string>> = { br: '.br', gzip: '.gz' }

/**
 * Writes `file`.br and `file`.gz beside it at the best levels, once at build time, for the
 * server to send as they are (the bundle and the 1:50m outlines are most of a first load).
 */
export async function writePrecompressed(file: string): Promise<void> {
  const body = await readFile(file)
  if (body.length < compressionThreshold) return
  await Promise.all([
    promisify(brotliCompress)(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }).then((encoded) => writeFile(`${file}${encodedSuffixes.br}`, encoded)),
    promisify(gzip)(body, { level: constants.Z_BEST_COMPRESSION }).then((encoded) =>
      writeFile(`${file}${encodedSuffixes.gzip}`, encoded),
    ),
  ])
}

/** Sends a static file as the build compressed it, when the client accepts that encoding. */
export function sendStatic(
  request: FastifyRequest,
  reply: FastifyReply,
  body: Buffer,
  encoded: Partial<Record<Encoding, Buffer>>,
): FastifyReply {
  if (Object.keys(encoded).length === 0) return reply.send(body)
  reply.header('vary', 'accept-encoding')
  const header = request.headers['accept-encoding']
  const encoding = header ? negotiate(header, Object.keys(encoded) as Encoding[]) : null
  if (!encoding) return reply.send(body)
  return reply.header('content-encoding', encoding).send(encoded[encoding])
}
