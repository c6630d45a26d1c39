import type { BoundingBoxInput, EventFilter, EventTypeScheme } from './generated/operations.js'

/** What the filter form sets. Event types are `SCHEME:code` keys. */
export interface Filters {
  readonly from: string | null
  readonly to: string | null
  readonly countries: readonly string[]
  readonly groups: readonly string[]
  readonly includeAffiliates: boolean
  readonly eventTypes: readonly string[]
  readonly minKilled: number | null
  readonly search: string
}

export interface DateSpan {
  readonly from: string
  readonly to: string
}

/** Everything a shared link restores. */
export interface ExplorerState {
  readonly filters: Filters
  /** The map's visible box, or null when it shows the whole world (no box filter). */
  readonly view: BoundingBoxInput | null
  /** The months brushed on the timeline; they narrow the map and the list, not the chart. */
  readonly brush: DateSpan | null
  /** The event or group whose page is open. */
  readonly event: string | null
  readonly profile: string | null
}

export const noFilters: Filters = {
  from: null,
  to: null,
  countries: [],
  groups: [],
  includeAffiliates: false,
  eventTypes: [],
  minKilled: null,
  search: '',
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/
const schemes: readonly string[] = ['ACLED', 'GTD', 'UCDP'] satisfies EventTypeScheme[]

/** Reads the state from a URL's query string; anything malformed is ignored, not fatal. */
export function stateFromQuery(query: string): ExplorerState {
  const params = new URLSearchParams(query)
  const date = (name: string) => {
    const value = params.get(name)
    return value && isoDate.test(value) ? value : null
  }
  const minKilled = Number.parseInt(params.get('minKilled') ?? '', 10)
  const [brushFrom, brushTo] = (params.get('brush') ?? '').split('..')
  return {
    filters: {
      from: date('from'),
      to: date('to'),
      countries: params.getAll('country').filter((code) => /^[A-Z]{3}$/.test(code)),
      groups: params.getAll('group').filter(Boolean),
      includeAffiliates: params.get('affiliates') === '1',
      eventTypes: params.getAll('type').filter((key) => schemes.includes(key.split(':')[0] ?? '')),
      minKilled: Number.isFinite(minKilled) && minKilled > 0 ? minKilled : null,
      search: params.get('q') ?? '',
    },
    view: parseBox(params.get('bbox')),
    brush:
      brushFrom && brushTo && isoDate.test(brushFrom) && isoDate.test(brushTo)
        ? { from: brushFrom, to: brushTo }
        : null,
    event: params.get('event'),
    profile: params.get('profile'),
  }
}

function parseBox(text: string | null): BoundingBoxInput | null {
  const numbers = (text ?? '').split(',').map(Number)
  if (numbers.length !== 4 || numbers.some((n) => !Number.isFinite(n))) return null
  const [south, west, north, east] = numbers as [number, number, number, number]
  const inRange = [south, north].every((lat) => Math.abs(lat) <= 90)
  return inRange && [west, east].every((lon) => Math.abs(lon) <= 180) && south < north
    ? { south, west, north, east }
    : null
}

/** The query string that restores the state; empty parts are left out. */
export function stateToQuery(state: ExplorerState): string {
  const params = new URLSearchParams()
  const { filters } = state
  if (filters.from) params.set('from', filters.from)
  if (filters.to) params.set('to', filters.to)
  for (const code of filters.countries) params.append('country', code)
  for (const id of filters.groups) params.append('group', id)
  if (filters.includeAffiliates) params.set('affiliates', '1')
  for (const key of filters.eventTypes) params.append('type', key)
  if (filters.minKilled) params.set('minKilled', String(filters.minKilled))
  if (filters.search) params.set('q', filters.search)
  if (state.view) {
    const { south, west, north, east } = state.view
    params.set('bbox', [south, west, north, east].join(','))
  }
  if (state.brush) params.set('brush', `${state.brush.from}..${state.brush.to}`)
  if (state.event) params.set('event', state.event)
  if (state.profile) params.set('profile', state.profile)
  // Commas and colons may stand as they are in a query string, and read better so.
  const query = params.toString().replaceAll('%2C', ',').replaceAll('%3A', ':')
  return query ? `?${query}` : ''
}

/**
 * The API filter for the state. The chart leaves the brush out (it shows the whole range with
 * the brushed months marked); the map and the list narrow to it.
 */
export function eventFilter(state: ExplorerState, { withBrush }: { withBrush: boolean }) {
  const { filters } = state
  const filter: EventFilter = {}
  const range = withBrush && state.brush ? state.brush : filters
  if (range.from || range.to) filter.dateRange = { from: range.from, to: range.to }
  if (filters.countries.length) filter.countries = [...filters.countries]
  if (filters.groups.length) {
    filter.groups = [...filters.groups]
    filter.includeAffiliates = filters.includeAffiliates
  }
  if (filters.eventTypes.length)
    filter.eventTypes = filters.eventTypes.map((key) => {
      const [scheme, ...code] = key.split(':')
      return { scheme: scheme as EventTypeScheme, code: code.join(':') }
    })
  if (filters.minKilled) filter.minKilled = filters.minKilled
  if (filters.search.trim()) filter.search = filters.search.trim()
  if (state.view) filter.boundingBox = state.view
  return filter
}

/**
 * The CSV export of what the list shows: the filters on screen, the map's box and the brushed
 * months, as the export's `filter` (the API's EventFilter as JSON).
 */
export function csvExportLink(state: ExplorerState): string {
  const filter = eventFilter(state, { withBrush: true })
  if (Object.keys(filter).length === 0) return '/export/events.csv'
  return `/export/events.csv?${new URLSearchParams({ filter: JSON.stringify(filter) })}`
}
