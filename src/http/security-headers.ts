import { createHash } from 'node:crypto'
import fastifyHelmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'

type Directives = Readonly<Record<string, readonly string[]>>

/**
 * What every page of the service may load: its own files, nothing inline, nothing from another
 * host, and it may not be framed (clickjacking). The explorer is built to fit it: one bundled
 * script, one stylesheet, the map drawn on a canvas, /graphql fetched from the same origin.
 */
export const pagePolicy: Directives = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'worker-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
}

/** The Content-Security-Policy header's value for the directives. */
export function policyHeader(directives: Directives): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ')
}

/** 'sha256-…' sources for each inline <script> of a page (one without a src attribute). */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    (match) =>
      `'sha256-${createHash('sha256')
        .update(match[1] as string)
        .digest('base64')}'`,
  )
}

/**
 * Security headers on every response (@fastify/helmet): the page policy above, nosniff, no
 * referrer sent off the origin, no framing (X-Frame-Options for browsers that predate
 * frame-ancestors), same-origin opener and resource policies. A route that serves a page which
 * needs more (GraphiQL: graphiql.ts) sets its own Content-Security-Policy. No HSTS: whether the
 * service is only ever reached over HTTPS is the TLS terminator's to say, not the service's.
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: Object.fromEntries(
        Object.entries(pagePolicy).map(([name, sources]) => [name, [...sources]]),
      ),
    },
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    xFrameOptions: { action: 'deny' },
  })
}
