import type { TestProject } from 'vitest/node'
import { createDatabase } from '../src/db/database.js'
import { migrateToLatest } from '../src/db/migrator.js'
import {
  createEmptyDatabase,
  dropTemplate,
  markAsTemplate,
  startPostgresServer,
  uniqueDatabaseName,
} from './support/postgres-server.js'
import { apiServiceImage } from './support/service-container.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A database on the test server with the right to create databases. */
    postgresAdminUrl: string
    /** A migrated database that each test file's database is copied from. */
    templateDatabase: string
    /** host:port at which other containers reach the server; '' when it is not in a container. */
    postgresAddressForContainers: string
  }
}

/**
 * Starts (or connects to) one Postgres server for the run and migrates a template database
 * once; each test file then gets a copy of it (CREATE DATABASE … TEMPLATE), which is fast.
 */
export default async function setup(project: TestProject) {
  const server = await startPostgresServer()
  console.log(`[attest tests] Postgres from ${server.kind}`)
  const serviceImage = apiServiceImage()
  if (serviceImage) console.log(`[attest tests] the API from the container image ${serviceImage}`)
  const template = uniqueDatabaseName('attest_template')
  const db = createDatabase(await createEmptyDatabase(server.adminUrl, template), {
    maxConnections: 1,
  })
  try {
    await migrateToLatest(db)
  } finally {
    await db.destroy()
  }
  await markAsTemplate(server.adminUrl, template)
  project.provide('postgresAdminUrl', server.adminUrl)
  project.provide('templateDatabase', template)
  project.provide('postgresAddressForContainers', server.addressForContainers ?? '')
  return async () => {
    await dropTemplate(server.adminUrl, template)
    await server.stop()
  }
}
