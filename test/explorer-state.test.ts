import { describe, expect, it } from 'vitest'
import {
  csvExportLink,
  type ExplorerState,
  eventFilter,
  noFilters,
  stateFromQuery,
  stateToQuery,
} from '../src/explorer/app/state.js'

const state: ExplorerState = {
  filters: {
    from: '2015-01-01',
    to: '2019-12-31',
    countries: ['TUN', 'CAF'],
    groups: ['QXJtZWRHcm91cDoy'],
    includeAffiliates: true,
    eventTypes: ['UCDP:1', 'ACLED:armed_clash'],
    minKilled: 5,
    search: 'Sidi "Bouzid raid"',
  },
  view: { south: 30, west: 7, north: 38, east: 12.5 },
  brush: { from: '2015-06-01', to: '2015-06-30' },
  event: 'RXZlbnQ6MQ',
  profile: null,
}

describe("the explorer's state in the URL", () => {
  it('round-trips through the query string', () => {
    expect(stateFromQuery(stateToQuery(state))).toEqual(state)
    expect(stateToQuery(state)).toContain('type=UCDP:1&type=ACLED:armed_clash')
    expect(stateToQuery(state)).toContain('bbox=30,7,38,12.5')
    expect(
      stateToQuery({ ...state, filters: noFilters, view: null, brush: null, event: null }),
    ).toBe('')
  })

  it('ignores what it cannot read instead of failing', () => {
    const read = stateFromQuery(
      '?from=yesterday&country=tunisia&type=NOPE:1&minKilled=-3&bbox=1,2,3&brush=2015-01-01',
    )
    expect(read).toEqual({ ...stateFromQuery(''), filters: noFilters })
    expect(stateFromQuery('?bbox=40,0,30,10').view).toBeNull()
  })

  it('becomes the API filter: the brush narrows the list, not the chart', () => {
    const list = eventFilter(state, { withBrush: true })
    expect(list).toEqual({
      dateRange: { from: '2015-06-01', to: '2015-06-30' },
      countries: ['TUN', 'CAF'],
      groups: ['QXJtZWRHcm91cDoy'],
      includeAffiliates: true,
      eventTypes: [
        { scheme: 'UCDP', code: '1' },
        { scheme: 'ACLED', code: 'armed_clash' },
      ],
      minKilled: 5,
      search: 'Sidi "Bouzid raid"',
      boundingBox: { south: 30, west: 7, north: 38, east: 12.5 },
    })
    expect(eventFilter(state, { withBrush: false }).dateRange).toEqual({
      from: '2015-01-01',
      to: '2019-12-31',
    })
    expect(eventFilter({ ...state, filters: noFilters, view: null }, { withBrush: false })).toEqual(
      {},
    )
  })
})

describe('the CSV link', () => {
  it('carries the filters on screen, the map box and the brushed months', () => {
    const link = new URL(csvExportLink(state), 'http://explorer.example')
    expect(link.pathname).toBe('/export/events.csv')
    // Exactly the list's filter (tested above), the brushed months included.
    expect(JSON.parse(link.searchParams.get('filter') ?? '')).toEqual(
      eventFilter(state, { withBrush: true }),
    )
  })

  it('is the whole export with no filter', () => {
    expect(csvExportLink(stateFromQuery(''))).toBe('/export/events.csv')
  })
})
