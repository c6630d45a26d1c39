import { sql } from 'kysely'
import type { Database } from './database.js'
import type { CasualtyCategory } from './schema.js'

/** Every figure of the events, with the report and source that give it. */
export async function casualtyFiguresByEventIds(db: Database, eventIds: readonly number[]) {
  if (eventIds.length === 0) return []
  return db
    .selectFrom('casualty_figure as figure')
    .innerJoin('report', 'report.id', 'figure.report_id')
    .leftJoin('source', 'source.id', 'report.source_id')
    .select([
      'figure.id',
      'figure.event_id',
      'figure.category',
      'figure.population',
      'figure.low',
      'figure.best',
      'figure.high',
      'figure.qualifier',
      'figure.vague_term',
      'figure.quote',
      'figure.report_id',
      'report.headline as report_headline',
      'report.citation as report_citation',
      'source.name as source_name',
    ])
    .where('figure.event_id', '=', (eb) => eb.fn.any(eb.val([...eventIds])))
    .orderBy('figure.event_id')
    .orderBy('figure.category')
    .orderBy('figure.population')
    .orderBy('figure.id')
    .execute()
}

export interface CasualtySummary {
  readonly eventId: number
  readonly category: CasualtyCategory
  readonly low: number | null
  readonly best: number | null
  readonly high: number | null
  /** How many figures (from how many reports) the summary was computed from. */
  readonly figures: number
}

/**
 * The consolidated low/best/high per event and category, from all figures of all reports.
 * Per population: low is the smallest number any report gives, high the largest, best the
 * median of the best estimates (reports disagree; no one report wins). The event's total is the
 * 'all' population when some report gives one, else the sum over the other populations.
 */
export async function casualtySummaryByEventIds(
  db: Database,
  eventIds: readonly number[],
): Promise<CasualtySummary[]> {
  if (eventIds.length === 0) return []
  const { rows } = await sql<CasualtySummary>`
    WITH per_population AS (
      SELECT event_id, category, population,
        min(coalesce(low, best, high)) AS low,
        percentile_disc(0.5) WITHIN GROUP (ORDER BY best) AS best,
        max(coalesce(high, best, low)) AS high,
        count(*) AS figures
      FROM casualty_figure
      WHERE event_id = ANY(${[...eventIds]}::bigint[])
      GROUP BY event_id, category, population
    ),
    chosen AS (
      SELECT *, bool_or(population = 'all') OVER (PARTITION BY event_id, category) AS has_total
      FROM per_population
    )
    SELECT event_id AS "eventId", category,
      sum(low)::int AS low, sum(best)::int AS best, sum(high)::int AS high, sum(figures)::int AS figures
    FROM chosen
    WHERE (population = 'all') = has_total
    GROUP BY event_id, category
    ORDER BY event_id, category`.execute(db)
  return rows
}
