import type { CasualtyCategory } from '../db/schema.js'
import type { ImportedFigure } from './imported-event.js'

/**
 * An imported event's kept figures (best, low and high of killed and injured), computed before
 * its row is written: the event is inserted with its rollup, and never rewritten for it.
 *
 * It is the casualty_summary rule (sql/0007) for figures that all come from one report, as an
 * import's do (one figure per category and population): the 'all' figure when there is one,
 * else the sum over the populations. For a new event the importer tells the figures' trigger
 * that the rollup is written (sql/0059), so this must agree with the view: the import tests
 * audit every imported event against it (test/support/casualty-rollup.ts). A changed event's
 * rollup is still computed by the trigger, from all its figures.
 */
export function casualtyRollup(figures: readonly ImportedFigure[]): {
  killed_best: number | null
  killed_low: number | null
  killed_high: number | null
  injured_best: number | null
  injured_low: number | null
  injured_high: number | null
} {
  const killed = endsOf(figures, 'killed')
  const injured = endsOf(figures, 'injured')
  return {
    killed_best: killed.best,
    killed_low: killed.low,
    killed_high: killed.high,
    injured_best: injured.best,
    injured_low: injured.low,
    injured_high: injured.high,
  }
}

type Ends = { low: number | null; best: number | null; high: number | null }

/**
 * An imported event's casualty_summary rows: one per category it has a figure in, by the same
 * rule. What the importer adds to the monthly stats rollup for its new events (sql/0059).
 */
export function casualtySummary(
  figures: readonly ImportedFigure[],
): ({ category: CasualtyCategory } & Ends)[] {
  const categories = [...new Set(figures.map((figure) => figure.category))]
  return categories.map((category) => ({ category, ...endsOf(figures, category) }))
}

/** One report's figure: low and high fall back on each other and on best, as the view's do. */
const endsOfFigure = (figure: ImportedFigure): Ends => ({
  low: figure.low ?? figure.best ?? figure.high,
  best: figure.best,
  high: figure.high ?? figure.best ?? figure.low,
})

function endsOf(figures: readonly ImportedFigure[], category: CasualtyCategory): Ends {
  const ofCategory = figures.filter((figure) => figure.category === category)
  const total = ofCategory.find((figure) => figure.population === 'all')
  if (total) return endsOfFigure(total)
  // SQL's sum: the given values added, null when none is given.
  const sum = (values: (number | null)[]) => {
    const given = values.filter((value) => value !== null)
    return given.length === 0 ? null : given.reduce((total, value) => total + value, 0)
  }
  const ends = ofCategory.map(endsOfFigure)
  return {
    low: sum(ends.map((end) => end.low)),
    best: sum(ends.map((end) => end.best)),
    high: sum(ends.map((end) => end.high)),
  }
}
