import type { EventTypeKeyFragment } from './generated/operations.js'

/** `UCDP:1`: how the URL and the filter form name a type. */
export const typeKey = (type: { scheme: string; code: string }) => `${type.scheme}:${type.code}`

// Distinct colours, the strongest first: UCDP's three types of violence come first in the order
// below, as most imported events carry one of them.
const palette = [
  '#d62728',
  '#ff7f0e',
  '#9467bd',
  '#1f77b4',
  '#2ca02c',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
  '#393b79',
  '#637939',
  '#8c6d31',
  '#843c39',
  '#7b4173',
  '#3182bd',
  '#e6550d',
  '#31a354',
  '#756bb1',
]
const schemeOrder = ['UCDP', 'ACLED', 'GTD']
export const unclassifiedColor = '#6b6b6b'

/** A fixed colour per top-level type, the same whatever is on screen. */
export function typeColors(types: readonly EventTypeKeyFragment[]): Map<string, string> {
  const roots = types
    .filter((type) => !type.parent)
    .sort((a, b) => schemeOrder.indexOf(a.scheme) - schemeOrder.indexOf(b.scheme))
  return new Map(roots.map((root, i) => [typeKey(root), palette[i % palette.length] as string]))
}

/**
 * The top-level type (ACLED's "Battles" for "Armed clash") of the primary classification, or of
 * the first one when none is primary: the map colours by it.
 */
export function primaryRoot(
  classifications: readonly { isPrimary: boolean; eventType: EventTypeKeyFragment }[],
): { scheme: string; code: string; label: string } | null {
  const primary = classifications.find((c) => c.isPrimary) ?? classifications[0]
  return primary ? (primary.eventType.parent ?? primary.eventType) : null
}
