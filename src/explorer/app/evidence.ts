import { h } from './dom.js'
import { formatDay, formatFigure } from './format.js'
import type { ClaimDetailFragment, ReportReferenceFragment } from './generated/operations.js'

/** Who says it and where: the source, the report's headline or citation, its date and link. */
export function reportReference(report: ReportReferenceFragment): HTMLElement {
  const title = report.headline ?? report.citation ?? 'Untitled report'
  return h(
    'cite',
    { class: 'report' },
    report.source && h('strong', {}, report.source.name),
    report.source && ': ',
    report.url
      ? h('a', { href: report.url, target: '_blank', rel: 'noopener noreferrer' }, title)
      : title,
    report.publishedOn && ` (${formatDay(report.publishedOn)})`,
  )
}

export const quote = (text: string | null) => text && h('blockquote', {}, `“${text}”`)

/**
 * A sourced statement: what it says, its value (as given, unless `shownValue` words it),
 * who stated it, in which report.
 */
export function claimItem(claim: ClaimDetailFragment, shownValue?: string): HTMLElement {
  const hasNumber = claim.low !== null || claim.best !== null || claim.high !== null
  const value = shownValue ?? claim.valueText ?? (hasNumber ? formatFigure(claim) : null)
  return h(
    'li',
    { class: 'claim' },
    h('p', {}, claim.statement),
    value && h('p', { class: 'figure' }, claim.unit ? `${value} ${claim.unit}` : value),
    quote(claim.quote),
    h(
      'p',
      { class: 'attested' },
      claim.statedBy && `Stated by ${claim.statedBy.name}, in `,
      reportReference(claim.report),
    ),
  )
}

export function section(title: string, ...content: (Node | string | false | null)[]) {
  return h('section', { class: 'panel-section' }, h('h3', {}, title), ...content)
}
