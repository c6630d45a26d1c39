import type { FastifyInstance, FastifyReply } from 'fastify'
import { type RuruServerConfig, ruruHTML } from 'ruru/server'
import { getStaticFile } from 'ruru/static'
import { inlineScriptHashes, pagePolicy, policyHeader } from './security-headers.js'

const staticPath = '/graphiql-static/'

/** Opens in GraphiQL: the demo's raid with its disputed figures and the sources behind them. */
export const exampleQuery = `# Attest: events where every figure points at the report that states it.
# Press the run button (or Ctrl-Enter); open the docs (book icon) to explore the schema.
query RecentEvents {
  events(first: 5, filter: { countries: ["TUN"] }) {
    totalCount
    edges {
      node {
        title
        dateStart
        datePrecision
        place { name }
        actors { role attribution group { name } }
        casualties { category low best high }
        casualtyFigures {
          category
          population
          best
          report { headline citation source { name } }
        }
        claims { statement valueText }
      }
    }
  }
}
`

/**
 * GraphiQL (Ruru, by the PostGraphile team) served entirely from this service: the page and its
 * scripts come from the `ruru` package, never from a CDN, so it works offline. A browser that
 * GETs /graphql (asking for HTML, with no query) gets it too.
 */
export function registerGraphiql(app: FastifyInstance): void {
  const page = ruruHTML({
    endpoint: '/graphql',
    staticPath,
    clientConfig: { defaultQuery: exampleQuery } as RuruServerConfig['clientConfig'],
    htmlParts: { titleTag: '<title>Attest · GraphiQL</title>' },
  })
  // Ruru's page configures itself in two inline scripts (allowed by their hashes, so no other
  // inline script runs) and styles itself inline, as its Monaco editor does at run time; its
  // icons are data: URIs.
  const policy = policyHeader({
    ...pagePolicy,
    'script-src': [...(pagePolicy['script-src'] ?? []), ...inlineScriptHashes(page)],
    'style-src': [...(pagePolicy['style-src'] ?? []), "'unsafe-inline'"],
    'font-src': [...(pagePolicy['font-src'] ?? []), 'data:'],
  })
  const sendPage = (reply: FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', policy).send(page)

  app.get('/graphiql', async (_, reply) => sendPage(reply))
  app.addHook('onRequest', async (request, reply) => {
    const url = new URL(request.url, 'http://localhost')
    const wantsPage =
      request.method === 'GET' && url.pathname === '/graphql' && !url.searchParams.has('query')
    if (wantsPage && request.headers.accept?.includes('text/html')) return sendPage(reply)
  })
  app.get(`${staticPath}*`, async (request, reply) => {
    const file = await getStaticFile({
      staticPath,
      urlPath: new URL(request.url, 'http://localhost').pathname,
      acceptEncoding: request.headers['accept-encoding'],
      disallowDevAssets: true,
    })
    if (!file) return reply.code(404).send({ error: 'not found' })
    return reply.headers(file.headers).send(file.content)
  })
}
