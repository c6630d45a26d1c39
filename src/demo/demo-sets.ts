import type { DemoSet } from '../config.js'
import type { Database } from '../db/database.js'
import { type ImportSummary, importFile } from '../import/run-import.js'
import { ucdpGed, ucdpReleaseFromFileName } from '../import/ucdp.js'
import { ucdpSampleFile } from '../paths.js'
import { type DemoLoadResult, loadDemoData } from './load-demo.js'

export type { DemoSet }

// "23.1", read from the file's name as `attest import ucdp` does.
const ucdpRelease = ucdpReleaseFromFileName(ucdpSampleFile) as string

export interface DemoSetResult {
  readonly article: DemoLoadResult
  /** The UCDP import through the ordinary importer; null for `article`. */
  readonly ucdp: ImportSummary | null
}

/**
 * What a new embedded database starts with (DEMO_DATA, `attest demo load [--article-only]`):
 * `all`, the article's events and 1,848 real UCDP GED events (the Central African Republic,
 * 1991–2022) through the ordinary UCDP importer, so the explorer opens on a map with something
 * on it; `article`, only the article's. Loading again changes nothing: both parts skip what
 * they already hold.
 */
export async function loadDemoSet(db: Database, set: DemoSet): Promise<DemoSetResult> {
  const article = await loadDemoData(db)
  if (set === 'article') return { article, ucdp: null }
  const ucdp = await importFile(db, ucdpGed, { file: ucdpSampleFile, release: ucdpRelease })
  return { article, ucdp }
}

/** One line for people: what loading the set did. */
export function describeDemoLoad({ article, ucdp }: DemoSetResult): string {
  const parts = [
    article.status === 'loaded' ? `${article.events} events from the article` : null,
    ucdp && ucdp.inserted + ucdp.updated > 0
      ? `${(ucdp.inserted + ucdp.updated).toLocaleString('en-US')} from UCDP GED ${ucdpRelease}`
      : null,
  ].filter((part) => part !== null)
  return parts.length
    ? `demo data loaded: ${parts.join(', ')}`
    : 'demo data already loaded: nothing changed'
}
