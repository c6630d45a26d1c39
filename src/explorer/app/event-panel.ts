import { h } from './dom.js'
import { claimItem, quote, reportReference, section } from './evidence.js'
import {
  describePrecision,
  formatDates,
  formatDay,
  formatFigure,
  formatNumber,
  humanize,
} from './format.js'
import type { EventDetailQuery } from './generated/operations.js'
import { eventLink, groupLink } from './links.js'

type EventDetail = NonNullable<EventDetailQuery['event']>

// Claims about these properties dispute the event's dates.
const dateProperties = new Set(['date_start', 'date_end'])

/** An event and all the evidence behind it. */
export function eventPanel(event: EventDetail): HTMLElement {
  const dateClaims = event.claims.filter((c) => dateProperties.has(c.property))
  const otherClaims = event.claims.filter((c) => !dateProperties.has(c.property))
  return h(
    'article',
    { class: 'event-detail', 'aria-labelledby': 'detail-title' },
    h('h2', { id: 'detail-title', tabindex: -1 }, event.title),
    h(
      'ul',
      { class: 'badges' },
      event.classifications.map(({ eventType, isPrimary }) =>
        h(
          'li',
          { class: isPrimary ? 'badge primary' : 'badge' },
          `${eventType.scheme} · ${eventType.parent ? `${eventType.parent.label} › ` : ''}${eventType.label}`,
        ),
      ),
      event.isSuicide && h('li', { class: 'badge' }, 'suicide attack'),
      event.civilianTargeting && h('li', { class: 'badge' }, 'civilians targeted'),
      event.tags.map((tag) => h('li', { class: 'badge tag' }, tag)),
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'When'),
      h(
        'dd',
        {},
        formatDates(event.dateStart, event.dateEnd, event.datePrecision),
        h('span', { class: 'precision' }, ` (${describePrecision(event.datePrecision)})`),
      ),
      h('dt', {}, 'Where'),
      h('dd', {}, placeText(event)),
    ),
    dateClaims.length > 0 &&
      h(
        'div',
        { class: 'disputed', role: 'note' },
        h('h3', {}, 'Disputed date'),
        h(
          'ul',
          { class: 'claims' },
          dateClaims.map((claim) =>
            claimItem(
              claim,
              claim.valueText && /^\d{4}-\d{2}-\d{2}$/.test(claim.valueText)
                ? `This report dates it ${formatDay(claim.valueText)}`
                : undefined,
            ),
          ),
        ),
      ),
    event.summary && h('p', { class: 'summary' }, event.summary),
    casualtySection(event),
    section(
      'Actors',
      event.actors.length
        ? h(
            'ul',
            { class: 'actors' },
            event.actors.map((actor) =>
              h(
                'li',
                {},
                groupLink(actor.group.id, actor.group.name),
                ` — ${humanize(actor.role)}, ${humanize(actor.attribution)}`,
                actor.side && `, side ${actor.side}`,
                actor.report &&
                  h('p', { class: 'attested' }, 'Per ', reportReference(actor.report)),
              ),
            ),
          )
        : h('p', {}, 'No group is named.'),
    ),
    event.persons.length > 0 &&
      section(
        'People',
        h(
          'ul',
          {},
          event.persons.map((p) =>
            h(
              'li',
              {},
              `${p.person.name} — ${p.role}${p.outcome ? `, ${humanize(p.outcome)}` : ''}`,
            ),
          ),
        ),
      ),
    section(
      'Citations',
      event.citations.length
        ? h(
            'ul',
            { class: 'citations' },
            event.citations.map((c) => h('li', {}, quote(c.quote), reportReference(c.report))),
          )
        : h('p', {}, 'No report cites it.'),
    ),
    otherClaims.length > 0 &&
      section(
        'Other claims',
        h(
          'ul',
          { class: 'claims' },
          otherClaims.map((claim) => claimItem(claim)),
        ),
      ),
    event.links.length > 0 &&
      section(
        'Related events',
        h(
          'ul',
          { class: 'links' },
          event.links.map((link) =>
            h(
              'li',
              {},
              `${linkKinds[link.kind]}: `,
              link.event ? eventLink(link.event.id, link.event.title) : 'a deleted event',
              link.event && ` (${formatDay(link.event.dateStart)})`,
              link.note && h('p', { class: 'note' }, link.note),
            ),
          ),
        ),
      ),
  )
}

const linkKinds: Record<EventDetail['links'][number]['kind'], string> = {
  SAME_CAMPAIGN: 'Same campaign',
  RETALIATION_FOR: 'Retaliation for',
  CONTEXT: 'Context',
  DUPLICATE_OF: 'Duplicate of',
}

function placeText(event: EventDetail): string {
  const names = [event.place?.name, event.country?.name].filter(
    (name, i, all): name is string => !!name && all.indexOf(name) === i,
  )
  const point =
    event.latitude !== null && event.longitude !== null
      ? `${event.latitude.toFixed(3)}, ${event.longitude.toFixed(3)}${event.geoPrecision ? ` (${humanize(event.geoPrecision)})` : ''}`
      : null
  return [names.join(', '), event.locationText, point].filter(Boolean).join(' · ') || 'Unknown'
}

/** The consolidated low/best/high, then every figure with the report that gives it. */
function casualtySection(event: EventDetail): HTMLElement {
  const n = (value: number | null) => (value === null ? '–' : formatNumber(value))
  return section(
    'Casualties',
    event.casualties.length
      ? h(
          'table',
          { class: 'consolidated' },
          h('caption', {}, 'Consolidated from every report'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['', 'Low', 'Best', 'High', 'Figures'].map((t) => h('th', { scope: 'col' }, t)),
            ),
          ),
          h(
            'tbody',
            {},
            event.casualties.map((c) =>
              h(
                'tr',
                {},
                h(
                  'th',
                  { scope: 'row' },
                  humanize(c.category),
                  // The reports' ranges do not overlap: no single number stands for them.
                  c.disputed &&
                    h(
                      'span',
                      { class: 'disputed-figure', title: 'The reports’ figures do not agree' },
                      'disputed',
                    ),
                ),
                h('td', {}, n(c.low)),
                h('td', {}, n(c.best)),
                h('td', {}, n(c.high)),
                h('td', {}, String(c.figureCount)),
              ),
            ),
          ),
        )
      : h('p', {}, 'No casualty figure is reported.'),
    event.casualtyFigures.length > 0 &&
      h(
        'ul',
        { class: 'figures' },
        event.casualtyFigures.map((figure) =>
          h(
            'li',
            {},
            h(
              'p',
              { class: 'figure' },
              `${formatFigure(figure)} ${humanize(figure.category)}`,
              h('span', { class: 'population' }, ` · ${humanize(figure.population)}`),
            ),
            quote(figure.quote),
            reportReference(figure.report),
          ),
        ),
      ),
  )
}
