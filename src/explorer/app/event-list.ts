import { fill, h, statusLine } from './dom.js'
import { formatDates, formatNumber, formatTotal, killedOf } from './format.js'
import type { ExplorerEventsQuery } from './generated/operations.js'
import { eventLink } from './links.js'

export type ListedEvent = ExplorerEventsQuery['events']['edges'][number]['node']

const pageSize = 100

/** The events under the filters, newest first, a hundred at a time. */
export class EventList {
  readonly element = h('section', { class: 'event-list', 'aria-labelledby': 'event-list-title' })
  private events: readonly ListedEvent[] = []
  private total = 0
  private complete = true
  private shown = pageSize

  constructor(private readonly colorOf: (event: ListedEvent) => string) {}

  setLoading(): void {
    this.shown = pageSize
    fill(this.element, this.heading('Events'), statusLine('loading', 'Loading events…'))
  }

  setError(message: string, retry: () => void): void {
    fill(
      this.element,
      this.heading('Events'),
      statusLine('error', `Could not load the events: ${message}`, retry),
    )
  }

  /** The events loaded so far out of `total`; `complete` once every page is in. */
  setEvents(events: readonly ListedEvent[], total: number, complete: boolean): void {
    this.events = events
    this.total = total
    this.complete = complete
    const title = `${formatTotal(total)} ${total === 1 ? 'event' : 'events'}`
    if (!total) {
      fill(this.element, this.heading(title), statusLine('empty', 'No events match these filters.'))
      return
    }
    const items = events.slice(0, this.shown).map((event) => {
      const killed = killedOf(event.casualties)
      return h(
        'li',
        {},
        eventLink(
          event.id,
          h('span', {
            class: 'dot',
            style: `background:${this.colorOf(event)}`,
            'aria-hidden': 'true',
          }),
          h('span', { class: 'event-title' }, event.title),
          h(
            'span',
            { class: 'event-meta' },
            formatDates(event.dateStart, event.dateEnd, event.datePrecision),
            event.country && ` · ${event.country.name}`,
            killed > 0 && ` · ${formatNumber(killed)} killed`,
          ),
        ),
      )
    })
    const more = events.length - this.shown
    fill(
      this.element,
      this.heading(title),
      !complete && statusLine('loading', `Loading… ${formatNumber(events.length)} so far`),
      h('ol', { class: 'events' }, items),
      more > 0 &&
        h(
          'button',
          { type: 'button', class: 'secondary', onclick: () => this.showMore() },
          `Show ${formatNumber(Math.min(more, pageSize))} more`,
        ),
    )
  }

  private showMore(): void {
    this.shown += pageSize
    this.setEvents(this.events, this.total, this.complete)
  }

  private heading(text: string) {
    return h('h2', { id: 'event-list-title' }, text)
  }
}
