import type { CasualtyCategory } from '../db/schema.js'
import type { ImportedFigure } from './imported-event.js'

/**
 * An imported event's killed_best/injured_best, computed before its row is written: the event is
 * inserted with its rollup, so the figures' trigger (sql/0008) finds nothing to rewrite.
 *
 * It is the casualty_summary rule (sql/0007) for figures that all come from one report, as an
 * import's do (one figure per category and population): the 'all' figure when there is one,
 * else the sum over the populations. The trigger still checks the result and corrects it if this
 * ever disagrees with the view, so a mistake here costs speed, never correctness.
 */
export function casualtyRollup(figures: readonly ImportedFigure[]): {
  killed_best: number | null
  injured_best: number | null
} {
  return { killed_best: bestOf(figures, 'killed'), injured_best: bestOf(figures, 'injured') }
}

function bestOf(figures: readonly ImportedFigure[], category: CasualtyCategory): number | null {
  const ofCategory = figures.filter((figure) => figure.category === category)
  const total = ofCategory.find((figure) => figure.population === 'all')
  if (total) return total.best
  const bests = ofCategory.flatMap((figure) => (figure.best === null ? [] : [figure.best]))
  return bests.length === 0 ? null : bests.reduce((sum, best) => sum + best, 0)
}
