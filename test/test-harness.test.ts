import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort } from './support/cli.js'
import { containerRuntimeConfigured, startPostgresServer } from './support/postgres-server.js'

// The harness's choice of Postgres (test/support/postgres-server.ts), tested apart from the
// server this run uses.
const home = await mkdtemp(path.join(os.tmpdir(), 'attest-harness-home-'))
afterAll(() => rm(home, { recursive: true, force: true }))

describe('the test harness', () => {
  it('uses TEST_DATABASE_URL as given, without starting anything', async () => {
    const server = await startPostgresServer({ TEST_DATABASE_URL: ' postgres://a@b:5/c ' })
    expect(server).toMatchObject({ kind: 'TEST_DATABASE_URL', adminUrl: 'postgres://a@b:5/c' })
  })

  it.runIf(!existsSync('/var/run/docker.sock'))(
    'looks for a container runtime only where one would be: DOCKER_HOST, its sockets, ~/.testcontainers.properties',
    async () => {
      expect(containerRuntimeConfigured({}, home)).toBe(false)
      expect(containerRuntimeConfigured({ DOCKER_HOST: 'tcp://127.0.0.1:2375' }, home)).toBe(true)
      const runtimeDir = path.join(home, 'run')
      await mkdir(path.join(runtimeDir, 'podman'), { recursive: true })
      expect(containerRuntimeConfigured({ XDG_RUNTIME_DIR: runtimeDir }, home)).toBe(false)
      await writeFile(path.join(runtimeDir, 'podman', 'podman.sock'), '')
      expect(containerRuntimeConfigured({ XDG_RUNTIME_DIR: runtimeDir }, home)).toBe(true)
      await writeFile(path.join(home, '.testcontainers.properties'), '')
      expect(containerRuntimeConfigured({}, home)).toBe(true)
    },
  )

  it('falls back to the embedded Postgres when a runtime seems configured but none answers', async () => {
    const server = await startPostgresServer({
      DOCKER_HOST: `tcp://127.0.0.1:${await freePort()}`,
      PATH: process.env.PATH,
    })
    try {
      expect(server.kind).toBe('embedded')
      const client = new pg.Client(server.adminUrl)
      await client.connect()
      expect((await client.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }])
      await client.end()
    } finally {
      await server.stop()
    }
  }, 120_000)
})
