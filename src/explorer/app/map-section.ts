import { fill, h } from './dom.js'
import type { ListedEvent } from './event-list.js'
import { primaryRoot, typeKey } from './event-types.js'
import { formatNumber, formatTotal, killedOf } from './format.js'
import { EventMap, type EventMapHandlers, type MapPoint, pointRadius } from './map.js'

/** The map with a line saying what it shows and a legend of the types on it. */
export class MapSection {
  readonly map: EventMap
  private readonly status = h('p', { class: 'map-status', role: 'status' })
  private readonly legend = h('ul', { class: 'legend', 'aria-label': 'Colours: type of event' })

  constructor(
    handlers: EventMapHandlers,
    private readonly colorOf: (event: ListedEvent) => string,
  ) {
    this.map = new EventMap(handlers)
  }

  get elements(): Element[] {
    return [this.map.element, this.status, this.legend]
  }

  setLoading(): void {
    this.status.textContent = 'Loading events…'
  }

  setError(): void {
    this.status.textContent = 'The events could not be loaded.'
  }

  /** The events loaded so far out of `total`; those without a point are only counted. */
  setEvents(events: readonly ListedEvent[], total: number, withinView: boolean): void {
    const points: MapPoint[] = []
    for (const event of events) {
      if (event.latitude === null || event.longitude === null) continue
      points.push({
        id: event.id,
        latitude: event.latitude,
        longitude: event.longitude,
        radius: pointRadius(killedOf(event.casualties)),
        color: this.colorOf(event),
        title: event.title,
      })
    }
    this.map.setPoints(points)
    const unplaced = events.length - points.length
    const shown = `${formatNumber(points.length)} ${points.length === 1 ? 'event' : 'events'} on the map`
    const capped =
      events.length < total &&
      ` (the newest ${formatNumber(events.length)} of ${formatTotal(total)}: zoom in or filter to see the others)`
    this.status.textContent = [
      total === 0 ? 'No events match.' : `${shown}${capped || ''}`,
      unplaced > 0 && `${formatNumber(unplaced)} without a location`,
      withinView ? 'within the visible area' : 'worldwide',
    ]
      .filter(Boolean)
      .join(' · ')
    this.showLegend(events)
  }

  private showLegend(events: readonly ListedEvent[]): void {
    const present = new Map<string, { label: string; color: string }>()
    for (const event of events) {
      const root = primaryRoot(event.classifications)
      const key = root ? typeKey(root) : 'none'
      if (!present.has(key))
        present.set(key, {
          label: root ? `${root.scheme} · ${root.label}` : 'Unclassified',
          color: this.colorOf(event),
        })
    }
    fill(
      this.legend,
      [...present.values()].map(({ label, color }) =>
        h(
          'li',
          {},
          h('span', { class: 'dot', style: `background:${color}`, 'aria-hidden': 'true' }),
          label,
        ),
      ),
    )
  }
}
