import { fill, h, statusLine } from './dom.js'
import { killedOf } from './format.js'
import type { MonthlyStatsQuery } from './generated/operations.js'
import type { DateSpan } from './state.js'
import { Timeline } from './timeline.js'

/** The timeline with its heading, key, selection button, states and a hint on brushing. */
export class TimelineSection {
  readonly timeline: Timeline
  private readonly status = h('div', { class: 'timeline-status' })
  private readonly clearBrush: HTMLButtonElement

  constructor(onBrush: (span: DateSpan | null) => void) {
    this.timeline = new Timeline(onBrush)
    this.clearBrush = h(
      'button',
      { type: 'button', class: 'secondary', hidden: true, onclick: () => onBrush(null) },
      'Clear selected months',
    )
  }

  get elements(): Element[] {
    return [
      h(
        'div',
        { class: 'timeline-head' },
        h('h2', {}, 'Events and killed per month'),
        h(
          'p',
          { class: 'key' },
          h('span', { class: 'key-bars' }, 'events'),
          h('span', { class: 'key-line' }, 'killed'),
        ),
        this.clearBrush,
      ),
      this.timeline.element,
      this.timeline.readout,
      this.status,
      h(
        'p',
        { class: 'hint' },
        'Drag across the chart (or focus it and use Shift + arrows) to narrow the map and the list to those months; Escape clears.',
      ),
    ]
  }

  setLoading(): void {
    fill(this.status, statusLine('loading', 'Loading the timeline…'))
  }

  setError(message: string, retry: () => void): void {
    fill(this.status, statusLine('error', `Could not load the timeline: ${message}`, retry))
  }

  setData(buckets: MonthlyStatsQuery['eventStats']): void {
    this.timeline.setData(
      buckets.map((bucket) => ({
        period: bucket.period,
        events: bucket.eventCount,
        killed: killedOf(bucket.casualties),
      })),
    )
    fill(this.status, buckets.length === 0 && statusLine('empty', 'No events in any month.'))
  }

  setBrush(brush: DateSpan | null): void {
    this.timeline.setBrush(brush)
    this.clearBrush.hidden = !brush
  }
}
