// The benchmark's floor: plain node:http and `pg`, one hand-written SQL statement per request
// that returns the response's JSON. POST /Q1 … /Q6 with the shape's variables as the body.
// Run by bench/api.ts: DATABASE_URL=… PORT=… tsx bench/baseline-server.ts
import { createServer } from 'node:http'
import pg from 'pg'
import { shapes } from './shapes.js'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 })
const byPath = new Map(shapes.map((shape) => [`/${shape.name}`, shape]))

const server = createServer((request, response) => {
  const shape = byPath.get(request.url ?? '')
  if (!shape) {
    response.writeHead(404).end()
    return
  }
  const chunks: Buffer[] = []
  request.on('data', (chunk: Buffer) => chunks.push(chunk))
  request.on('end', async () => {
    try {
      const variables = JSON.parse(Buffer.concat(chunks).toString())
      const { rows } = await pool.query(shape.baseline.sql, shape.baseline.params(variables))
      response.writeHead(200, { 'content-type': 'application/json' }).end(rows[0]?.json ?? 'null')
    } catch (error) {
      console.error(error)
      response.writeHead(500).end()
    }
  })
})

server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'))
process.on('SIGTERM', () => server.close(() => pool.end()))
