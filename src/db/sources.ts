import { sql } from 'kysely'
import type { Database } from './database.js'

export interface SourceChainLink {
  /** The report whose chain this link belongs to. */
  readonly rootReportId: number
  /** 0 for the report itself, 1 for what it cites, and so on. */
  readonly depth: number
  readonly reportId: number | null
  readonly sourceId: number
  readonly sourceName: string
  readonly quote: string | null
}

/**
 * Who each report got its information from, transitively: The Defense Post → Reuters → the
 * Interior Ministry spokesperson. Breadth first; a citation cycle is followed only once.
 */
export async function sourceChains(
  db: Database,
  reportIds: readonly number[],
): Promise<SourceChainLink[]> {
  if (reportIds.length === 0) return []
  const { rows } = await sql<SourceChainLink>`
    WITH RECURSIVE chain (root, depth, report_id, source_id, quote, path) AS (
      SELECT report.id, 0, report.id, report.source_id, NULL::text, ARRAY[report.id]
      FROM report WHERE report.id = ANY(${[...reportIds]}::bigint[])
      UNION ALL
      SELECT chain.root, chain.depth + 1, cited.id, coalesce(cited.source_id, citation.cited_source_id), citation.quote,
        chain.path || cited.id
      FROM chain
      JOIN report_citation citation ON citation.report_id = chain.report_id
      LEFT JOIN report cited ON cited.id = citation.cited_report_id
      WHERE cited.id IS NULL OR NOT cited.id = ANY(chain.path)
    )
    SELECT chain.root AS "rootReportId", chain.depth, chain.report_id AS "reportId", chain.source_id AS "sourceId",
      source.name AS "sourceName", chain.quote
    FROM chain JOIN source ON source.id = chain.source_id
    ORDER BY chain.root, chain.depth, source.name`.execute(db)
  return rows
}
