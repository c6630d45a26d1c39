import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { loadConfig } from '../src/config.js'
import { projectRoot } from '../src/paths.js'

// The file's structure, as compose reads it with none of its variables set; the stack itself is
// run by test/compose-stack.test.ts (`npm run test:containers`).
interface Service {
  image?: string
  build?: string
  environment?: Record<string, string>
  ports?: string[]
  command?: string[]
  depends_on?: Record<string, { condition: string }>
  healthcheck?: { test: string[] }
}

const compose = parse(await readFile(path.join(projectRoot, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>
  volumes: Record<string, unknown>
}
const { postgres, migrate, attest } = compose.services
// Compose's ${VAR:-default}, resolved as compose would with VAR unset.
const interpolate = (value: string) => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')

describe('docker-compose.yml', () => {
  it('runs a current Postgres with a health check and a named volume', () => {
    expect(interpolate(postgres?.image ?? '')).toMatch(/^postgres:(1[7-9]|[2-9]\d)(\.|-|$)/)
    expect(postgres?.healthcheck?.test.join(' ')).toMatch(/pg_isready/)
    expect(Object.keys(compose.volumes)).toContain('postgres-data')
  })

  it('builds the service from the Dockerfile and starts it once Postgres is healthy', async () => {
    expect(attest?.build).toBe('.')
    expect(migrate?.image).toBe(attest?.image)
    expect(attest?.depends_on?.postgres?.condition).toBe('service_healthy')
    expect(attest?.healthcheck?.test.join(' ')).toMatch(/\/readyz/)
    const dockerfile = await readFile(path.join(projectRoot, 'Dockerfile'), 'utf8')
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/cli\/main\.js", "serve"\]$/m)
    // What the service reads at run time besides its code.
    for (const needed of ['schema.graphql ./', 'sql ./sql', 'data ./data']) {
      expect(dockerfile).toMatch(new RegExp(`^COPY ${needed.replaceAll('.', '\\.')}$`, 'm'))
    }
    // The build bundles the explorer (in src/) into dist/, which the image copies.
    expect(dockerfile).toMatch(/^COPY src \.\/src$/m)
    expect(dockerfile).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m)
    expect(dockerfile).toMatch(/^USER node$/m)
  })

  it('migrates once before the service starts (serve does not migrate a DATABASE_URL)', () => {
    expect(migrate?.command).toEqual(['node', 'dist/cli/main.js', 'migrate'])
    expect(migrate?.environment?.DATABASE_URL).toBe(attest?.environment?.DATABASE_URL)
    expect(migrate?.depends_on?.postgres?.condition).toBe('service_healthy')
    expect(attest?.depends_on?.migrate?.condition).toBe('service_completed_successfully')
  })

  it('wires DATABASE_URL to the Postgres service with its user, password and database', () => {
    const environment = Object.fromEntries(
      Object.entries(attest?.environment ?? {}).map(([name, value]) => [
        name,
        interpolate(String(value)),
      ]),
    )
    const config = loadConfig(environment)
    const url = new URL(config.databaseUrl ?? '')
    const db = Object.fromEntries(
      Object.entries(postgres?.environment ?? {}).map(([k, v]) => [k, interpolate(v)]),
    )
    expect(url.hostname).toBe('postgres')
    expect(url.port).toBe('5432')
    expect(url.username).toBe(db.POSTGRES_USER)
    expect(url.password).toBe(db.POSTGRES_PASSWORD)
    expect(url.pathname).toBe(`/${db.POSTGRES_DB}`)
    expect(config.host).toBe('0.0.0.0')
    expect(attest?.ports?.map(interpolate)).toEqual([`127.0.0.1:${config.port}:${config.port}`])
  })
})
