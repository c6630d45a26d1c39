import type { Selectable } from 'kysely'
import type { Database } from './database.js'
import type {
  CasualtyPopulationSummary as CasualtyPopulationSummaryView,
  CasualtySummary as CasualtySummaryView,
} from './schema.js'

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

export type CasualtySummaryRow = Selectable<CasualtySummaryView>
export type CasualtyPopulationSummaryRow = Selectable<CasualtyPopulationSummaryView>

/**
 * The consolidated low/best/high per event and category, from all figures of all reports
 * (the rule is the casualty_summary view's, sql/0007_casualty_summary.sql).
 */
export async function casualtySummaryByEventIds(
  db: Database,
  eventIds: readonly number[],
): Promise<CasualtySummaryRow[]> {
  if (eventIds.length === 0) return []
  return db
    .selectFrom('casualty_summary')
    .selectAll()
    .where('event_id', '=', (eb) => eb.fn.any(eb.val([...eventIds])))
    .orderBy('event_id')
    .orderBy('category')
    .execute()
}

/** The same, per population. */
export async function casualtyPopulationSummaryByEventIds(
  db: Database,
  eventIds: readonly number[],
) {
  if (eventIds.length === 0) return []
  return db
    .selectFrom('casualty_population_summary')
    .selectAll()
    .where('event_id', '=', (eb) => eb.fn.any(eb.val([...eventIds])))
    .orderBy('event_id')
    .orderBy('category')
    .orderBy('population')
    .execute()
}
