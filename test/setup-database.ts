import { afterAll, beforeAll } from 'vitest'
import { closeTestDatabase, openTestDatabase } from './support/test-database.js'

beforeAll(openTestDatabase)
afterAll(closeTestDatabase)
