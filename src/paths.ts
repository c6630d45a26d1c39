import { fileURLToPath } from 'node:url'

/** The project's root, whether running from src/ (tsx, vitest) or dist/ (built). */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url))
export const migrationsDir = fileURLToPath(new URL('../sql', import.meta.url))
export const demoDataFile = fileURLToPath(
  new URL('../data/demo/sidi-bouzid-raid.json', import.meta.url),
)
/** Real events shipped for the first start and the tests: UCDP GED 23.1, Central African
 * Republic (CC BY 4.0; data/ucdp/README.md has the citation it requires). */
export const ucdpSampleFile = fileURLToPath(
  new URL('../data/ucdp/GEDEvent_v23_1_CAF.csv', import.meta.url),
)
/** Where `npm run build` puts the explorer's page and bundle (src/explorer/build.ts). */
export const explorerDir = fileURLToPath(new URL('../dist/explorer', import.meta.url))
