// autocannon in a process of its own (the harness's load() starts it): POSTs the bodies in turn,
// each request taking the next one whichever connection sends it, so that a server asked for
// 20 ids answers 20 different rows instead of one cached row. Prints autocannon's result as JSON.
//   node --import tsx bench/load-generator.ts SPEC.json
// SPEC: { url, bodies: [string, …], connections, duration, headers? } (duration in seconds;
// headers are sent besides content-type, such as accept-encoding).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

interface Spec {
  readonly url: string
  readonly bodies: readonly string[]
  readonly connections: number
  readonly duration: number
  readonly headers?: Record<string, string>
}

interface Request {
  readonly body?: string
}

const specFile = process.argv[2]
if (!specFile) throw new Error('usage: node --import tsx bench/load-generator.ts SPEC.json')
const spec = JSON.parse(readFileSync(specFile, 'utf8')) as Spec
// autocannon has no type declarations; the harness reads known fields of its result.
const autocannon = createRequire(import.meta.url)('autocannon') as (
  options: Record<string, unknown>,
) => Promise<unknown>
let next = 0
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.duration,
  method: 'POST',
  headers: { 'content-type': 'application/json', ...spec.headers },
  body: spec.bodies[0],
  ...(spec.bodies.length > 1 && {
    requests: [
      {
        setupRequest: (request: Request) => ({
          ...request,
          body: spec.bodies[next++ % spec.bodies.length],
        }),
      },
    ],
  }),
})
process.stdout.write(JSON.stringify(result))
