import { isAbort, request } from './api.js'
import { append, byId, fill, h, statusLine } from './dom.js'
import { startDraftPage } from './draft-page.js'
import { EventList, type ListedEvent } from './event-list.js'
import { eventPanel } from './event-panel.js'
import { primaryRoot, typeColors, typeKey, unclassifiedColor } from './event-types.js'
import { type FilterChoices, FilterForm } from './filters.js'
import {
  EventDetailDocument,
  ExplorerEventsDocument,
  type ExplorerEventsQuery,
  FilterOptionsDocument,
  GroupDetailDocument,
  GroupNamesDocument,
  GroupSearchDocument,
  MonthlyStatsDocument,
} from './generated/operations.js'
import { groupPanel } from './group-panel.js'
import { Live } from './live.js'
import { MapSection } from './map-section.js'
import {
  csvExportLink,
  type ExplorerState,
  eventFilter,
  stateFromQuery,
  stateToQuery,
} from './state.js'
import { TimelineSection } from './timeline-section.js'

// The API's largest page, and how many events the map holds before asking to zoom or filter.
const pageSize = 500
const maxMapEvents = 10_000

const message = (error: unknown) => (error instanceof Error ? error.message : String(error))

/** Wires the views to one state, kept in the URL, and loads what a change of state needs. */
class Explorer {
  private state: ExplorerState = stateFromQuery(location.search)
  private readonly colors: Map<string, string>
  private readonly mapSection: MapSection
  private readonly timelineSection: TimelineSection
  private readonly list: EventList
  private readonly form: FilterForm
  private readonly detail = h('div', { class: 'detail', hidden: true })
  // The Live toggle: a change to the shown events reloads the map, list and timeline.
  private readonly live = new Live(
    () => this.reload(),
    (status) => {
      byId('live-status').textContent = status && `(${status})`
    },
  )
  // What is on screen, so that a change of state reloads only what it changes.
  private shown = { events: '', stats: '', detail: '' }
  private readonly loading: Record<keyof Explorer['shown'], AbortController | null> = {
    events: null,
    stats: null,
    detail: null,
  }

  constructor(choices: FilterChoices) {
    this.colors = typeColors(choices.eventTypes)
    const colorOf = (event: ListedEvent) => this.colorOf(event)
    this.mapSection = new MapSection(
      {
        onViewChange: (view) => this.update({ view }),
        onSelect: (event) => this.update({ event, profile: null }, 'push'),
      },
      colorOf,
    )
    this.timelineSection = new TimelineSection((brush) => this.update({ brush }))
    this.list = new EventList(colorOf)
    this.form = new FilterForm(choices, {
      onChange: (filters) => this.update({ filters }),
      searchGroups: async (search, signal) => {
        const { groups } = await request(GroupSearchDocument, { search }, signal)
        return groups.edges.map(({ node }) => ({
          value: node.id,
          label: node.name,
          detail: node.aliases.map((a) => a.alias).join(', '),
        }))
      },
      groupNames: async (ids) => {
        const { nodes } = await request(GroupNamesDocument, { ids: [...ids] })
        return nodes.flatMap((node) =>
          node && 'name' in node ? [{ value: node.id, label: node.name }] : [],
        )
      },
    })
    this.mount()
    document.addEventListener('click', (event) => this.followLink(event))
    const toggle = byId<HTMLInputElement>('live')
    toggle.addEventListener('change', () => {
      if (toggle.checked) this.live.start(eventFilter(this.state, { withBrush: false }))
      else this.live.stop()
    })
    window.addEventListener('popstate', () => this.restore())
    this.restore()
  }

  private mount(): void {
    const filters = byId<HTMLDetailsElement>('filters')
    append(filters, [this.form.element])
    // On a phone the filters start folded, so the map comes first.
    if (window.matchMedia('(max-width: 800px)').matches) filters.open = false
    append(byId('map'), this.mapSection.elements)
    append(byId('timeline'), this.timelineSection.elements)
    fill(byId('side'), this.list.element, this.detail)
  }

  /** Applies a change; 'push' makes a history entry (Back returns), else the URL is replaced. */
  private update(change: Partial<ExplorerState>, history: 'push' | 'replace' = 'replace'): void {
    this.state = withProfileEvents({ ...this.state, ...change })
    const url = `${location.pathname}${stateToQuery(this.state)}`
    if (history === 'push') window.history.pushState(null, '', url)
    else window.history.replaceState(null, '', url)
    if (change.filters || change.profile) this.form.setFilters(this.state.filters)
    this.sync()
  }

  /** Takes the state from the URL: at start, and on Back and Forward. */
  private restore(): void {
    this.state = withProfileEvents(stateFromQuery(location.search))
    window.history.replaceState(null, '', `${location.pathname}${stateToQuery(this.state)}`)
    this.form.setFilters(this.state.filters)
    this.mapSection.map.showBox(this.state.view)
    this.sync()
  }

  private followLink(event: MouseEvent): void {
    if (event.defaultPrevented || event.button !== 0) return
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    const link = (event.target as Element).closest<HTMLAnchorElement>(
      'a[data-event], a[data-profile]',
    )
    if (!link) return
    event.preventDefault()
    this.update(
      { event: link.dataset.event ?? null, profile: link.dataset.profile ?? null },
      'push',
    )
  }

  private sync(): void {
    const { state } = this
    const eventsFilter = eventFilter(state, { withBrush: true })
    const statsFilter = eventFilter(state, { withBrush: false })
    if (JSON.stringify(eventsFilter) !== this.shown.events) this.loadEvents(eventsFilter)
    if (JSON.stringify(statsFilter) !== this.shown.stats) this.loadStats(statsFilter)
    const detailKey = state.event
      ? `event:${state.event}`
      : state.profile
        ? `group:${state.profile}`
        : ''
    if (detailKey !== this.shown.detail) this.loadDetail(detailKey)
    this.live.follow(statsFilter)
    this.mapSection.map.setSelected(state.event)
    this.timelineSection.setBrush(state.brush)
    byId<HTMLAnchorElement>('csv-export').href = csvExportLink(state)
  }

  /** Loads the events and the timeline again (the Live toggle heard of a change). */
  private reload(): void {
    this.shown.events = ''
    this.shown.stats = ''
    this.sync()
  }

  /** Starts a load of one view, cancelling the one it replaces. */
  private begin(view: keyof Explorer['shown'], key: string): AbortSignal {
    this.loading[view]?.abort()
    const controller = new AbortController()
    this.loading[view] = controller
    this.shown[view] = key
    return controller.signal
  }

  /** A retry forgets what is shown, so that the next sync loads it again. */
  private retry(view: keyof Explorer['shown']): () => void {
    return () => {
      this.shown[view] = ''
      this.sync()
    }
  }

  private async loadEvents(filter: ReturnType<typeof eventFilter>): Promise<void> {
    const signal = this.begin('events', JSON.stringify(filter))
    this.list.setLoading()
    this.mapSection.setLoading()
    const events: ListedEvent[] = []
    let after: string | null = null
    let total = 0
    try {
      // Page by page, showing each as it comes, up to what the map can hold.
      for (;;) {
        const { events: page }: ExplorerEventsQuery = await request(
          ExplorerEventsDocument,
          { filter, first: pageSize, after, withTotal: after === null },
          signal,
        )
        total = page.totalCount ?? total
        events.push(...page.edges.map((edge) => edge.node))
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null
        const complete = !after || events.length >= maxMapEvents
        this.list.setEvents(events, total, complete)
        this.mapSection.setEvents(events, total, this.state.view !== null)
        if (complete) break
      }
    } catch (error) {
      if (isAbort(error)) return
      this.list.setError(message(error), this.retry('events'))
      this.mapSection.setError()
    }
  }

  private colorOf(event: ListedEvent): string {
    const root = primaryRoot(event.classifications)
    return (root && this.colors.get(typeKey(root))) || unclassifiedColor
  }

  private async loadStats(filter: ReturnType<typeof eventFilter>): Promise<void> {
    const signal = this.begin('stats', JSON.stringify(filter))
    this.timelineSection.setLoading()
    try {
      const { eventStats } = await request(MonthlyStatsDocument, { filter }, signal)
      this.timelineSection.setData(eventStats)
    } catch (error) {
      if (isAbort(error)) return
      this.timelineSection.setError(message(error), this.retry('stats'))
    }
  }

  private async loadDetail(key: string): Promise<void> {
    const signal = this.begin('detail', key)
    const [kind, id] = key.split(/:(.*)/) as [string, string | undefined]
    this.detail.hidden = !id
    this.list.element.hidden = !!id
    if (!id) return
    const back = h(
      'button',
      {
        type: 'button',
        class: 'back',
        onclick: () => this.update({ event: null, profile: null }, 'push'),
      },
      '← Back to the list',
    )
    fill(this.detail, back, statusLine('loading', 'Loading…'))
    try {
      const page =
        kind === 'event'
          ? await request(EventDetailDocument, { id }, signal).then(
              ({ event }) => event && eventPanel(event),
            )
          : await request(GroupDetailDocument, { id }, signal).then(
              ({ group }) => group && groupPanel(group),
            )
      fill(
        this.detail,
        back,
        page ?? statusLine('empty', `There is no such ${kind}; it may have been deleted.`),
      )
      // Move the reader to what they opened (keyboard and screen-reader users too).
      this.detail.querySelector<HTMLElement>('#detail-title')?.focus()
    } catch (error) {
      if (isAbort(error)) return
      fill(
        this.detail,
        back,
        statusLine('error', `Could not load it: ${message(error)}`, this.retry('detail')),
      )
    }
  }
}

/** A group's page shows its events: unless the group filter holds it, it becomes that group. */
function withProfileEvents(state: ExplorerState): ExplorerState {
  const { profile, filters } = state
  if (!profile || filters.groups.includes(profile)) return state
  return { ...state, filters: { ...filters, groups: [profile] } }
}

async function start(): Promise<void> {
  if (new URLSearchParams(location.search).get('page') === 'draft') {
    startDraftPage(byId('draft-page'))
    return
  }
  const side = byId('side')
  fill(side, statusLine('loading', 'Loading the explorer…'))
  try {
    new Explorer(await request(FilterOptionsDocument, {}))
  } catch (error) {
    fill(side, statusLine('error', `The explorer could not start: ${message(error)}`, start))
  }
}

start()
