import type { Extractor } from './extraction.js'
import { RuleExtractor } from './rule-extractor.js'

/**
 * The extractor drafts are made with. One place to choose it: a model-backed extractor that
 * implements Extractor replaces the rules here (or runs beside them and merges).
 */
export function defaultExtractor(): Extractor {
  return new RuleExtractor()
}
