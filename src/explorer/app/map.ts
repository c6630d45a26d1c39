import { geoMercator, geoPath } from 'd3-geo'
import { feature, mesh } from 'topojson-client'
import worldAtlas from 'world-atlas/countries-110m.json'
import { h } from './dom.js'
import type { BoundingBoxInput } from './generated/operations.js'

export interface MapPoint {
  readonly id: string
  readonly longitude: number
  readonly latitude: number
  readonly radius: number
  readonly color: string
  readonly title: string
}

export interface EventMapHandlers {
  /** The user moved the map: the visible box, or null when the whole world is in view. */
  onViewChange(view: BoundingBoxInput | null): void
  onSelect(eventId: string): void
}

type Topology = typeof worldAtlas

function outlinesOf(topology: Topology) {
  const { countries } = topology.objects
  return {
    land: feature(topology, countries),
    borders: mesh(topology, countries, (a, b) => a !== b),
  }
}

// Natural Earth's 1:110m countries (public domain), packaged by world-atlas and bundled: no tiles.
const worldOutlines = outlinesOf(worldAtlas)
// Its 1:50m countries, which the build puts beside the bundle, for closer zooms.
const detailedOutlinesUrl = '/explorer/countries-50m.json'
const detailedFromZoom = 4

const maxLatitude = 85
const maxZoom = 512
const colors = {
  sea: '#dfe9f0',
  land: '#f7f5ef',
  border: '#b9b5aa',
  rim: '#fff',
  selected: '#111',
}

/** A point's radius in pixels: its area grows with the number killed (best estimate). */
export const pointRadius = (killed: number) => Math.min(2.5 + Math.sqrt(killed) * 1.2, 22)

/**
 * The event map: country outlines and one circle per event on a canvas (so 10,000 points stay
 * smooth), in Web Mercator, with pan and zoom by pointer, wheel, pinch or keyboard.
 */
export class EventMap {
  readonly element: HTMLElement
  private readonly canvas = h('canvas', {
    tabindex: 0,
    role: 'img',
    'aria-roledescription': 'interactive map',
  })
  private readonly context: CanvasRenderingContext2D
  private readonly tooltip = h('div', { class: 'map-tooltip', hidden: true })
  private readonly projection = geoMercator()
  private width = 0
  private height = 0
  private zoom = 1
  private center: [number, number] = [15, 15]
  private byColor = new Map<string, MapPoint[]>()
  private points: readonly MapPoint[] = []
  // Where each point was last drawn, for finding the one under the pointer.
  private drawn: { point: MapPoint; x: number; y: number }[] = []
  private selected: string | null = null
  private detailedOutlines: ReturnType<typeof outlinesOf> | null = null
  private detailedRequested = false
  // While the map moves it draws the coarse outlines, which are quick enough for every frame.
  private moving = false
  // A box asked for before the map had a size (a shared link), shown once it has one.
  private pendingBox: BoundingBoxInput | null = null
  private frame = 0
  private viewTimer = 0
  private readonly pointers = new Map<number, { x: number; y: number }>()
  private dragDistance = 0

  constructor(private readonly handlers: EventMapHandlers) {
    const context = this.canvas.getContext('2d')
    if (!context) throw new Error('this browser cannot draw on a canvas')
    this.context = context
    const button = (label: string, text: string, action: () => void) =>
      h('button', { type: 'button', 'aria-label': label, title: label, onclick: action }, text)
    this.element = h(
      'div',
      { class: 'map' },
      this.canvas,
      this.tooltip,
      h(
        'div',
        { class: 'map-controls' },
        button('Zoom in', '+', () => this.zoomBy(2)),
        button('Zoom out', '−', () => this.zoomBy(0.5)),
        button('Zoom to the events', '⤢', () => this.fitPoints()),
        button('Show the whole world', '⌂', () => this.reset()),
      ),
    )
    this.listen()
    new ResizeObserver(() => this.resize()).observe(this.element)
  }

  setPoints(points: readonly MapPoint[]): void {
    this.points = points
    // Big circles first, so small ones stay visible on top; one path per colour.
    this.byColor = new Map()
    for (const point of [...points].sort((a, b) => b.radius - a.radius)) {
      const same = this.byColor.get(point.color) ?? []
      same.push(point)
      this.byColor.set(point.color, same)
    }
    this.redraw()
  }

  setSelected(eventId: string | null): void {
    this.selected = eventId
    this.redraw()
  }

  /** Moves the map to show a box (from a shared link), without reporting a view change. */
  showBox(box: BoundingBoxInput | null): void {
    if (!this.width) {
      this.pendingBox = box
      return
    }
    if (!box) {
      this.zoom = 1
      this.center = [15, 15]
    } else {
      this.applyProjection(1, [0, 0])
      const [x0, y0] = this.projection([box.west, box.north]) ?? [0, 0]
      const [x1, y1] = this.projection([box.east, box.south]) ?? [0, 0]
      this.zoom = clamp(Math.min(this.width / (x1 - x0), this.height / (y1 - y0)), 1, maxZoom)
      this.center = this.projection.invert?.([(x0 + x1) / 2, (y0 + y1) / 2]) ?? [0, 0]
    }
    this.redraw()
  }

  /** Frames the events on the map (with a margin), which then filters by that box. */
  private fitPoints(): void {
    if (!this.points.length) return
    const longitudes = this.points.map((p) => p.longitude)
    const latitudes = this.points.map((p) => p.latitude)
    const [west, east] = [Math.min(...longitudes), Math.max(...longitudes)]
    const [south, north] = [Math.min(...latitudes), Math.max(...latitudes)]
    // At least a couple of degrees, so that a single event is not shown at the closest zoom.
    const margin = Math.max((east - west) * 0.1, (north - south) * 0.1, 1)
    this.showBox({
      west: clamp(west - margin, -180, 180),
      east: clamp(east + margin, -180, 180),
      south: clamp(south - margin, -maxLatitude, maxLatitude),
      north: clamp(north + margin, -maxLatitude, maxLatitude),
    })
    this.viewChanged()
  }

  private reset(): void {
    this.showBox(null)
    this.viewChanged()
  }

  private listen(): void {
    const canvas = this.canvas
    const position = (event: MouseEvent) => {
      const box = canvas.getBoundingClientRect()
      return { x: event.clientX - box.left, y: event.clientY - box.top }
    }
    canvas.addEventListener('pointerdown', (event) => {
      canvas.setPointerCapture(event.pointerId)
      this.pointers.set(event.pointerId, position(event))
      if (this.pointers.size === 1) this.dragDistance = 0
    })
    canvas.addEventListener('pointermove', (event) => {
      const at = position(event)
      const previous = this.pointers.get(event.pointerId)
      if (!previous) return this.hover(at)
      this.tooltip.hidden = true
      const other = [...this.pointers].find(([id]) => id !== event.pointerId)?.[1]
      if (other) {
        // Pinch: zoom by the change in distance between the two fingers, around their middle.
        const before = Math.hypot(previous.x - other.x, previous.y - other.y)
        const after = Math.hypot(at.x - other.x, at.y - other.y)
        if (before > 0) this.zoomAt((at.x + other.x) / 2, (at.y + other.y) / 2, after / before)
      } else {
        this.panBy(at.x - previous.x, at.y - previous.y)
      }
      this.dragDistance += Math.hypot(at.x - previous.x, at.y - previous.y)
      this.pointers.set(event.pointerId, at)
    })
    const release = (event: PointerEvent) => {
      if (this.pointers.size === 1 && this.dragDistance < 4) this.click(position(event))
      this.pointers.delete(event.pointerId)
    }
    canvas.addEventListener('pointerup', release)
    canvas.addEventListener('pointercancel', (event) => this.pointers.delete(event.pointerId))
    canvas.addEventListener('pointerleave', () => {
      this.tooltip.hidden = true
    })
    canvas.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault()
        const { x, y } = position(event)
        this.zoomAt(x, y, Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.002)))
      },
      { passive: false },
    )
    canvas.addEventListener('dblclick', (event) => {
      const { x, y } = position(event)
      this.zoomAt(x, y, 2)
    })
    canvas.addEventListener('keydown', (event) => {
      const step = 80
      const actions: Record<string, () => void> = {
        ArrowLeft: () => this.panBy(step, 0),
        ArrowRight: () => this.panBy(-step, 0),
        ArrowUp: () => this.panBy(0, step),
        ArrowDown: () => this.panBy(0, -step),
        '+': () => this.zoomBy(2),
        '=': () => this.zoomBy(2),
        '-': () => this.zoomBy(0.5),
        '0': () => this.reset(),
      }
      const action = actions[event.key]
      if (!action) return
      event.preventDefault()
      action()
    })
  }

  private zoomBy(factor: number): void {
    this.zoomAt(this.width / 2, this.height / 2, factor)
  }

  private zoomAt(x: number, y: number, factor: number): void {
    const anchor = this.projection.invert?.([x, y])
    this.zoom = clamp(this.zoom * factor, 1, maxZoom)
    this.applyProjection(this.zoom, this.center)
    const moved = anchor && this.projection(anchor)
    // Keep the place under the pointer where it was.
    if (moved) this.panBy(x - moved[0], y - moved[1])
    else this.viewChanged()
  }

  private panBy(dx: number, dy: number): void {
    this.applyProjection(this.zoom, this.center)
    const [lon, lat] = this.projection.invert?.([this.width / 2 - dx, this.height / 2 - dy]) ?? [
      0, 0,
    ]
    this.center = [clamp(lon, -180, 180), clamp(lat, -maxLatitude, maxLatitude)]
    this.viewChanged()
  }

  private viewChanged(): void {
    this.redraw()
    // Report once the map comes to rest, not on every frame of a drag.
    this.moving = true
    window.clearTimeout(this.viewTimer)
    this.viewTimer = window.setTimeout(() => {
      this.moving = false
      this.redraw()
      this.handlers.onViewChange(this.visibleBox())
    }, 400)
  }

  /** The box in view, rounded for the URL; null at the widest zoom (no box filter). */
  private visibleBox(): BoundingBoxInput | null {
    if (this.zoom <= 1.001) return null
    this.applyProjection(this.zoom, this.center)
    const [west, north] = this.projection.invert?.([0, 0]) ?? [-180, maxLatitude]
    const [east, south] = this.projection.invert?.([this.width, this.height]) ?? [180, -maxLatitude]
    const round = (n: number) => Math.round(n * 1000) / 1000
    return {
      south: round(clamp(south, -90, 90)),
      west: round(clamp(west, -180, 180)),
      north: round(clamp(north, -90, 90)),
      east: round(clamp(east, -180, 180)),
    }
  }

  private hover(at: { x: number; y: number }): void {
    const point = this.pointAt(at)
    this.canvas.style.cursor = point ? 'pointer' : 'grab'
    this.tooltip.hidden = !point
    if (!point) return
    this.tooltip.textContent = point.title
    this.tooltip.style.left = `${at.x + 12}px`
    this.tooltip.style.top = `${at.y + 12}px`
  }

  private click(at: { x: number; y: number }): void {
    const point = this.pointAt(at)
    if (point) this.handlers.onSelect(point.id)
  }

  /** The nearest drawn point under (or just beside) a position. */
  private pointAt(at: { x: number; y: number }): MapPoint | undefined {
    let best: MapPoint | undefined
    let bestDistance = Number.POSITIVE_INFINITY
    for (const { point, x, y } of this.drawn) {
      const distance = Math.hypot(x - at.x, y - at.y)
      if (distance <= point.radius + 3 && distance < bestDistance) {
        best = point
        bestDistance = distance
      }
    }
    return best
  }

  private resize(): void {
    const { width, height } = this.element.getBoundingClientRect()
    const ratio = window.devicePixelRatio || 1
    this.width = Math.max(width, 1)
    this.height = Math.max(height, 1)
    this.canvas.width = Math.round(this.width * ratio)
    this.canvas.height = Math.round(this.height * ratio)
    this.canvas.style.width = `${this.width}px`
    this.canvas.style.height = `${this.height}px`
    if (this.pendingBox) this.showBox(this.pendingBox)
    this.pendingBox = null
    this.draw()
  }

  private applyProjection(zoom: number, center: [number, number]): void {
    // At zoom 1 the world's width fits the map's width.
    this.projection
      .scale((this.width / (2 * Math.PI)) * zoom)
      .center(center)
      .translate([this.width / 2, this.height / 2])
      // Only what is in view goes to the canvas.
      .clipExtent([
        [0, 0],
        [this.width, this.height],
      ])
  }

  private redraw(): void {
    if (this.frame) return
    this.frame = requestAnimationFrame(() => {
      this.frame = 0
      this.draw()
    })
  }

  /** The coarse outlines, or at rest and zoomed in the finer ones (fetched the first time). */
  private outlines() {
    if (this.zoom < detailedFromZoom || this.moving) return worldOutlines
    if (!this.detailedRequested) {
      this.detailedRequested = true
      fetch(detailedOutlinesUrl)
        .then((response) => response.json() as Promise<Topology>)
        .then((topology) => {
          this.detailedOutlines = outlinesOf(topology)
          this.redraw()
        })
        // Without them the map keeps the coarse outlines.
        .catch(() => undefined)
    }
    return this.detailedOutlines ?? worldOutlines
  }

  private draw(): void {
    const { context, width, height } = this
    const ratio = window.devicePixelRatio || 1
    this.applyProjection(this.zoom, this.center)
    context.setTransform(ratio, 0, 0, ratio, 0, 0)
    context.fillStyle = colors.sea
    context.fillRect(0, 0, width, height)
    const { land, borders } = this.outlines()
    const path = geoPath(this.projection, context)
    context.beginPath()
    path(land)
    context.fillStyle = colors.land
    context.fill()
    context.beginPath()
    path(borders)
    context.strokeStyle = colors.border
    context.lineWidth = 0.6
    context.stroke()

    this.drawn = []
    context.globalAlpha = 0.75
    for (const [color, points] of this.byColor) {
      context.beginPath()
      for (const point of points) {
        const [x, y] = this.projection([point.longitude, point.latitude]) ?? [-1e6, -1e6]
        if (x < -point.radius || y < -point.radius) continue
        if (x > width + point.radius || y > height + point.radius) continue
        this.drawn.push({ point, x, y })
        context.moveTo(x + point.radius, y)
        context.arc(x, y, point.radius, 0, 2 * Math.PI)
      }
      context.fillStyle = color
      context.fill()
      // A light rim keeps overlapping circles apart.
      context.strokeStyle = colors.rim
      context.lineWidth = 0.5
      context.stroke()
    }
    context.globalAlpha = 1
    const selected = this.drawn.find(({ point }) => point.id === this.selected)
    if (selected) {
      context.beginPath()
      context.arc(selected.x, selected.y, selected.point.radius + 3, 0, 2 * Math.PI)
      context.strokeStyle = colors.selected
      context.lineWidth = 2
      context.stroke()
    }
    const count = this.drawn.length
    this.canvas.dataset.pointsDrawn = String(count)
    this.canvas.setAttribute(
      'aria-label',
      `Map of ${count} of ${this.points.length} events. Arrow keys pan, + and − zoom, 0 shows the whole world.`,
    )
  }
}

const clamp = (n: number, low: number, high: number) => Math.min(Math.max(n, low), high)
