import { formatNumber } from './format.js'
import type { DateSpan } from './state.js'

/** One month of the chart: events (bars) and killed, best estimate (line). */
export interface MonthBucket {
  readonly month: string
  readonly events: number
  readonly killed: number
}

const svgNs = 'http://www.w3.org/2000/svg'
const height = 170
const margin = { top: 10, right: 44, bottom: 22, left: 40 }
const monthName = new Intl.DateTimeFormat('en-GB', {
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
})

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number> = {},
  text?: string,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(svgNs, tag)
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value))
  if (text !== undefined) element.textContent = text
  return element
}

/** Months since year 0, so that month arithmetic is integer arithmetic. */
const monthIndex = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1
const monthStart = (index: number) =>
  `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}-01`
function monthEnd(index: number): string {
  const next = new Date(`${monthStart(index + 1)}T00:00:00Z`)
  return new Date(next.getTime() - 86_400_000).toISOString().slice(0, 10)
}

/**
 * Events per month as bars and killed per month as a line, in SVG. Dragging across the chart
 * (or Shift + arrow keys) selects a span of months, reported through onBrush.
 */
export class Timeline {
  readonly element: SVGSVGElement
  readonly readout: HTMLElement
  private first = 0
  private months: MonthBucket[] = []
  private brush: DateSpan | null = null
  private dragStart: number | null = null
  private width = 0

  constructor(private readonly onBrush: (span: DateSpan | null) => void) {
    this.element = svg('svg', { class: 'timeline', tabindex: 0, role: 'img', height })
    this.readout = document.createElement('p')
    this.readout.className = 'timeline-readout'
    this.readout.setAttribute('aria-live', 'polite')
    this.listen()
    new ResizeObserver(() => {
      const width = this.element.getBoundingClientRect().width
      if (width !== this.width) {
        this.width = width
        this.draw()
      }
    }).observe(this.element)
  }

  /** Sets the buckets (sparse: months with no event may be missing). */
  setData(buckets: readonly { period: string | null; events: number; killed: number }[]): void {
    const dated = buckets.filter((b): b is typeof b & { period: string } => b.period !== null)
    const indexes = dated.map((b) => monthIndex(b.period))
    this.first = Math.min(...indexes)
    const last = Math.max(...indexes)
    const byIndex = new Map(dated.map((b) => [monthIndex(b.period), b]))
    this.months = []
    for (let i = this.first; dated.length && i <= last; i++) {
      const bucket = byIndex.get(i)
      this.months.push({
        month: monthStart(i),
        events: bucket?.events ?? 0,
        killed: bucket?.killed ?? 0,
      })
    }
    const events = dated.reduce((sum, b) => sum + b.events, 0)
    const killed = dated.reduce((sum, b) => sum + b.killed, 0)
    const span = dated.length
      ? `${monthName.format(new Date(`${monthStart(this.first)}T00:00:00Z`))} to ${monthName.format(new Date(`${monthStart(last)}T00:00:00Z`))}`
      : 'no months'
    this.element.setAttribute(
      'aria-label',
      `Events per month (bars) and killed per month (line), ${span}: ${formatNumber(events)} events, ${formatNumber(killed)} killed.`,
    )
    this.draw()
  }

  setBrush(brush: DateSpan | null): void {
    this.brush = brush
    this.draw()
  }

  private listen(): void {
    const monthAt = (event: PointerEvent) => {
      const box = this.element.getBoundingClientRect()
      const plotWidth = box.width - margin.left - margin.right
      const offset = Math.floor(
        ((event.clientX - box.left - margin.left) / plotWidth) * this.months.length,
      )
      return this.first + Math.min(Math.max(offset, 0), Math.max(this.months.length - 1, 0))
    }
    this.element.addEventListener('pointerdown', (event) => {
      if (!this.months.length) return
      this.element.setPointerCapture(event.pointerId)
      this.dragStart = monthAt(event)
      this.brush = { from: monthStart(this.dragStart), to: monthEnd(this.dragStart) }
      this.draw()
    })
    this.element.addEventListener('pointermove', (event) => {
      const at = monthAt(event)
      this.describe(at)
      if (this.dragStart === null) return
      const [from, to] = [Math.min(this.dragStart, at), Math.max(this.dragStart, at)]
      this.brush = { from: monthStart(from), to: monthEnd(to) }
      this.draw()
    })
    this.element.addEventListener('pointerup', () => {
      if (this.dragStart === null) return
      this.dragStart = null
      this.onBrush(this.brush)
    })
    this.element.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.brush) {
        this.onBrush(null)
        return
      }
      if (!this.months.length || (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight')) return
      event.preventDefault()
      // Arrows move a one-month selection; with Shift they widen it.
      const last = this.first + this.months.length - 1
      const step = event.key === 'ArrowLeft' ? -1 : 1
      const from = this.brush ? monthIndex(this.brush.from) : step > 0 ? this.first - 1 : last + 1
      const to = this.brush ? monthIndex(this.brush.to) : from
      const clampMonth = (i: number) => Math.min(Math.max(i, this.first), last)
      const next = event.shiftKey
        ? [from, clampMonth(to + step)]
        : [clampMonth(from + step), clampMonth(from + step)]
      const [start, end] = [Math.min(...next), Math.max(...next)] as [number, number]
      this.describe(end)
      this.onBrush({ from: monthStart(start), to: monthEnd(end) })
    })
  }

  private describe(index: number): void {
    const bucket = this.months[index - this.first]
    if (!bucket) return
    const name = monthName.format(new Date(`${bucket.month}T00:00:00Z`))
    this.readout.textContent = `${name}: ${formatNumber(bucket.events)} events, ${formatNumber(bucket.killed)} killed`
  }

  private draw(): void {
    const { months } = this
    this.element.replaceChildren()
    const width = this.element.getBoundingClientRect().width
    if (!months.length || width <= 0) return
    const plotWidth = width - margin.left - margin.right
    const plotHeight = height - margin.top - margin.bottom
    const slot = plotWidth / months.length
    const x = (i: number) => margin.left + i * slot
    const maxEvents = Math.max(1, ...months.map((m) => m.events))
    const maxKilled = Math.max(1, ...months.map((m) => m.killed))
    const yEvents = (n: number) => margin.top + plotHeight * (1 - n / maxEvents)
    const yKilled = (n: number) => margin.top + plotHeight * (1 - n / maxKilled)

    if (this.brush) {
      const from = monthIndex(this.brush.from) - this.first
      const to = monthIndex(this.brush.to) - this.first
      this.element.append(
        svg('rect', {
          class: 'brush',
          x: x(from),
          y: margin.top,
          width: (to - from + 1) * slot,
          height: plotHeight,
        }),
      )
    }
    const bars = svg('path', {
      class: 'bars',
      d: months
        .map((m, i) =>
          m.events
            ? `M${x(i) + slot * 0.1},${yEvents(0)}V${yEvents(m.events)}h${Math.max(slot * 0.8, 0.5)}V${yEvents(0)}z`
            : '',
        )
        .join(''),
    })
    const line = svg('path', {
      class: 'killed-line',
      d: months.map((m, i) => `${i ? 'L' : 'M'}${x(i) + slot / 2},${yKilled(m.killed)}`).join(''),
    })
    this.element.append(bars, line, ...this.axes(x, slot, plotHeight, maxEvents, maxKilled))
  }

  private axes(
    x: (i: number) => number,
    slot: number,
    plotHeight: number,
    maxEvents: number,
    maxKilled: number,
  ): SVGElement[] {
    const bottom = margin.top + plotHeight
    const width = this.element.getBoundingClientRect().width
    const labels: SVGElement[] = [
      svg('line', {
        class: 'axis',
        x1: margin.left,
        x2: width - margin.right,
        y1: bottom,
        y2: bottom,
      }),
      svg(
        'text',
        { class: 'axis-label events', x: margin.left - 4, y: margin.top + 8, 'text-anchor': 'end' },
        formatNumber(maxEvents),
      ),
      svg(
        'text',
        { class: 'axis-label events', x: margin.left - 4, y: bottom, 'text-anchor': 'end' },
        '0',
      ),
      svg(
        'text',
        { class: 'axis-label killed', x: width - margin.right + 4, y: margin.top + 8 },
        formatNumber(maxKilled),
      ),
    ]
    // Year ticks, spaced so that their labels never overlap.
    const yearsPerTick = [1, 2, 5, 10, 20, 50].find((n) => n * 12 * slot >= 44) ?? 100
    const firstYear = Math.floor(this.first / 12)
    for (let i = 0; i < this.months.length; i++) {
      const index = this.first + i
      const year = Math.floor(index / 12)
      // Januaries; a chart shorter than a year names its first month's year.
      if (index % 12 !== 0 && !(i === 0 && this.months.length < 12)) continue
      if ((year - firstYear) % yearsPerTick !== 0) continue
      labels.push(
        svg('line', { class: 'tick', x1: x(i), x2: x(i), y1: bottom, y2: bottom + 4 }),
        svg('text', { class: 'axis-label', x: x(i), y: bottom + 16 }, String(year)),
      )
    }
    return labels
  }
}
