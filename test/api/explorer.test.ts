import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.js'
import { loadDemoSet } from '../../src/demo/demo-sets.js'
import { buildExplorer } from '../../src/explorer/build.js'
import { toGlobalId } from '../../src/graphql/ids.js'
import { createLogger } from '../../src/logger.js'
import { projectRoot } from '../../src/paths.js'
import { startApi, type TestApi } from '../support/api.js'
import { launchChromium } from '../support/browser.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

// Screenshots go to test-results/ (git-ignored).
const artifacts = path.join(projectRoot, 'test-results', 'explorer')
// What a new embedded database starts with: the article's 4 events and UCDP's 1,848, every
// one with a point.
const allEvents = 1852

let api: TestApi
let site: string
let browser: Browser
let bundleDir: string

beforeAll(async () => {
  // CI runs no `npm run build`: the test builds the bundle it serves, the way the build does.
  bundleDir = await mkdtemp(path.join(os.tmpdir(), 'attest-explorer-'))
  await buildExplorer(bundleDir)
  await loadDemoSet(testDb(), 'all')
  api = await startApi(testDatabaseUrl(), createLogger('silent'), { explorerDir: bundleDir })
  site = api.url.replace(/graphql$/, '')
  browser = await launchChromium()
  await mkdir(artifacts, { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  await api?.stop()
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true })
})

interface OpenedPage {
  readonly page: Page
  /** Requests to any host but the service, errors thrown in the page, what its CSP blocked. */
  readonly problems: string[]
  readonly graphqlOperations: string[]
}

async function openExplorer(
  query = '',
  viewport = { width: 1440, height: 900 },
): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport })
  const problems: string[] = []
  const graphqlOperations: string[] = []
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url())
    if (url.hostname !== '127.0.0.1') {
      problems.push(`off-site request: ${url.href}`)
      return route.abort()
    }
    if (url.pathname === '/graphql') {
      const operation = /^\s*(?:#[^\n]*\n\s*)*query (\w+)/.exec(
        String(route.request().postDataJSON()?.query),
      )
      graphqlOperations.push(operation?.[1] ?? 'unnamed')
    }
    return route.continue()
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('console', (message) => {
    if (/Content Security Policy/.test(message.text()))
      problems.push(`blocked by the CSP: ${message.text()}`)
  })
  await page.goto(`${site}${query}`)
  return { page, problems, graphqlOperations }
}

// The tests compile with Node's types, not the DOM's: the little of a canvas they read.
interface CanvasLike {
  readonly width: number
  readonly height: number
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray }
  }
}

/** How many pixels of the map are strongly coloured, as only the points are. */
function colouredPixels(page: Page): Promise<number> {
  return page.locator('.map canvas').evaluate((element) => {
    const canvas = element as unknown as CanvasLike
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height)
    let count = 0
    for (let i = 0; i < data.length; i += 4) {
      const rgb = [data[i], data[i + 1], data[i + 2]] as number[]
      if (Math.max(...rgb) - Math.min(...rgb) > 80) count++
    }
    return count
  })
}

const listHeading = (page: Page) => page.locator('#event-list-title')
const detail = (page: Page) => page.locator('.detail')
const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(artifacts, `${name}.png`) })

describe('the explorer', () => {
  it('draws every event as a point on the map, with nothing from off the service', async () => {
    const { page, problems, graphqlOperations } = await openExplorer()
    expect(await page.title()).toBe('Attest · Explorer')
    await expect.poll(() => listHeading(page).textContent()).toBe('1,852 events')
    const canvas = page.locator('.map canvas')
    await expect.poll(() => canvas.getAttribute('data-points-drawn')).toBe(String(allEvents))
    await expect(page.locator('.map-status').textContent()).resolves.toContain(
      '1,852 events on the map',
    )
    // The canvas really holds the points: strongly coloured pixels (the map itself is pale).
    expect(await colouredPixels(page)).toBeGreaterThan(500)
    // UCDP's licence (CC BY 4.0) asks for its citation wherever its data is shown.
    const credits = page.locator('footer.credits')
    await expect(credits.isVisible()).resolves.toBe(true)
    for (const text of ['UCDP Georeferenced Event Dataset', 'CC BY 4.0', 'Sundberg', 'Davies'])
      await expect(credits.textContent()).resolves.toContain(text)
    await expect.poll(() => page.locator('svg.timeline .bars').count()).toBe(1)
    await shot(page, 'explorer-map')
    // Only the public API: the persisted queries, as any client would send them.
    expect(new Set(graphqlOperations)).toEqual(
      new Set(['FilterOptions', 'ExplorerEvents', 'MonthlyStats']),
    )
    expect(problems).toEqual([])
    await page.close()
  })

  it('filters by a country: the list, the chart and the URL follow', async () => {
    const { page, problems } = await openExplorer()
    await expect.poll(() => listHeading(page).textContent()).toBe('1,852 events')
    const chart = page.locator('svg.timeline')
    const chartBefore = await chart.getAttribute('aria-label')
    expect(chartBefore).toContain('1,852 events')

    await page.getByLabel('Countries').fill('tuni')
    await page.getByRole('option', { name: /Tunisia/ }).waitFor()
    await page.getByLabel('Countries').press('Enter')

    await expect.poll(() => listHeading(page).textContent()).toBe('4 events')
    const titles = await page.locator('ol.events .event-title').allTextContents()
    expect(titles).toEqual([
      'Two militants killed in counter-terrorism raid in Sidi Bouzid',
      'Female suicide bomber blows herself up in Tunis',
      'Attack kills 12 presidential guards in Tunis',
      'Gunman kills 38 people at a beach resort in Sousse',
    ])
    await expect.poll(() => chart.getAttribute('aria-label')).toContain('4 events, 53 killed')
    expect(await chart.getAttribute('aria-label')).not.toBe(chartBefore)
    await expect.poll(() => page.locator('.map canvas').getAttribute('data-points-drawn')).toBe('4')
    expect(new URL(page.url()).searchParams.getAll('country')).toEqual(['TUN'])
    await shot(page, 'explorer-tunisia')
    // The CSV link downloads what the list shows.
    const csvLink = await page.locator('#csv-export').getAttribute('href')
    const csv = await (await fetch(new URL(csvLink ?? '', site))).text()
    expect(csv.trim().split('\n')).toHaveLength(1 + 4)
    expect(csv).toContain('Gunman kills 38 people at a beach resort in Sousse')

    // Selecting months on the timeline (here with the keyboard) narrows the list, not the chart.
    await chart.focus()
    await chart.press('ArrowRight')
    await expect.poll(() => listHeading(page).textContent()).toBe('1 event')
    expect(await page.locator('ol.events .event-title').allTextContents()).toEqual([
      'Gunman kills 38 people at a beach resort in Sousse',
    ])
    expect(new URL(page.url()).searchParams.get('brush')).toBe('2015-06-01..2015-06-30')
    expect(await chart.getAttribute('aria-label')).toContain('4 events')

    // Escape clears it; dragging from the first month to the middle of the chart (June 2015 to
    // early 2017) selects the 2015 events.
    await chart.press('Escape')
    await expect.poll(() => listHeading(page).textContent()).toBe('4 events')
    const box = (await chart.boundingBox()) as { x: number; y: number; width: number }
    await page.mouse.move(box.x + 45, box.y + 60)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width * 0.3, box.y + 60, { steps: 5 })
    await page.mouse.move(box.x + box.width * 0.5, box.y + 60, { steps: 5 })
    await page.mouse.up()
    await expect.poll(() => listHeading(page).textContent()).toBe('2 events')
    expect(new URL(page.url()).searchParams.get('brush')).toMatch(/^2015-06-01\.\.2017-/)
    expect(problems).toEqual([])
    await page.close()
  })

  it('opens the Sidi Bouzid raid with both figures, their sources and the disputed date', async () => {
    const { page, problems } = await openExplorer('?country=TUN')
    await page.getByRole('link', { name: /Two militants killed in counter-terrorism raid/ }).click()
    const panel = detail(page)
    await expect
      .poll(() => panel.locator('#detail-title').textContent())
      .toBe('Two militants killed in counter-terrorism raid in Sidi Bouzid')
    expect(new URL(page.url()).searchParams.get('event')).toBeTruthy()

    const figures = await panel.locator('ul.figures > li').allInnerTexts()
    expect(figures).toHaveLength(2)
    expect(figures[0]).toContain('2 killed · perpetrators')
    expect(figures[0]).toContain('Tunisian Ministry of the Interior')
    expect(figures[1]).toContain('1 injured · security forces')
    expect(figures[1]).toContain('The Defense Post')
    const consolidated = await panel.locator('table.consolidated tbody tr').allInnerTexts()
    expect(consolidated.map((row) => row.split(/\s+/).join(' '))).toEqual([
      'killed 2 2 2 1',
      'injured 1 1 1 1',
    ])

    await expect(panel.locator('.facts').textContent()).resolves.toContain('3 Jan 2019')
    const disputed = await panel.locator('.disputed').textContent()
    expect(disputed).toContain('Disputed date')
    expect(disputed).toContain('This report dates it 3 Jan 2018')
    expect(disputed).toContain('The Defense Post')
    await expect(panel.getByRole('link', { name: 'Jund al-Khilafa' }).count()).resolves.toBe(1)
    await expect(panel.locator('.citations li').count()).resolves.toBe(4)
    await shot(page, 'explorer-event')
    expect(problems).toEqual([])
    await page.close()
  })

  it("shows Jund al-Khilafa's page with its allegiance to Islamic State, and its events", async () => {
    const { page, problems } = await openExplorer('?country=TUN')
    await page.getByRole('link', { name: /Two militants killed in counter-terrorism raid/ }).click()
    await detail(page).getByRole('link', { name: 'Jund al-Khilafa' }).click()
    const panel = detail(page)
    await expect.poll(() => panel.locator('#detail-title').textContent()).toBe('Jund al-Khilafa')
    const relations = await panel.locator('.relation-timeline li').allInnerTexts()
    expect(relations).toHaveLength(1)
    expect(relations[0]).toContain('Jund al-Khilafa pledged allegiance to Islamic State')
    expect(relations[0]).toContain('Reuters')
    await expect(panel.locator('.aliases').textContent()).resolves.toContain('Jund al-Khalifa')
    // The map and the list show the group's events.
    await expect.poll(() => listHeading(page).textContent()).toBe('1 event')
    await expect.poll(() => page.locator('.map canvas').getAttribute('data-points-drawn')).toBe('1')
    const url = new URL(page.url())
    expect(url.searchParams.get('profile')).toBe(url.searchParams.get('group'))
    await shot(page, 'explorer-group')

    // The URL is the view: opened afresh, it shows the same page and filters.
    const shared = await openExplorer(url.search)
    await expect
      .poll(() => detail(shared.page).locator('#detail-title').textContent())
      .toBe('Jund al-Khilafa')
    await expect
      .poll(() => shared.page.locator('.chip').allTextContents())
      .toEqual(['Tunisia×', 'Jund al-Khilafa×'])
    // Back returns to the event the group was opened from.
    await page.goBack()
    await expect
      .poll(() => detail(page).locator('#detail-title').textContent())
      .toBe('Two militants killed in counter-terrorism raid in Sidi Bouzid')
    expect([...problems, ...shared.problems]).toEqual([])
    await shared.page.close()
    await page.close()
  })

  it('uses the visible box as the filter: a shared box, then zooming in', async () => {
    // The README's map example: a box around Tunisia.
    const { page, problems } = await openExplorer('?bbox=30,7,38,12')
    await expect.poll(() => listHeading(page).textContent()).toBe('4 events')
    // The map opens on that box, with the 4 events drawn in it.
    await expect.poll(() => colouredPixels(page)).toBeGreaterThan(40)
    // The chart draws after the list: under load, a moment later.
    await expect
      .poll(() => page.locator('svg.timeline').getAttribute('aria-label'))
      .toContain('4 events')
    await page.getByRole('button', { name: 'Show the whole world' }).click()
    await expect.poll(() => listHeading(page).textContent()).toBe('1,852 events')
    expect(new URL(page.url()).searchParams.has('bbox')).toBe(false)

    // Zooming in on the middle of the world leaves Tunisia and the Central African Republic out.
    await page.locator('.map canvas').focus()
    for (let i = 0; i < 4; i++) await page.keyboard.press('+')
    // The URL follows each zoom step as it lands: wait for the last one.
    const box = () =>
      (new URL(page.url()).searchParams.get('bbox') ?? '0,0,0,360').split(',').map(Number) as [
        number,
        number,
        number,
        number,
      ]
    await expect.poll(() => box()[3] - box()[1]).toBeLessThan(40)
    const [south, west, north, east] = box()
    expect(south).toBeLessThan(north)
    expect(west).toBeLessThan(east)
    await expect.poll(() => listHeading(page).textContent()).not.toBe('1,852 events')
    expect(problems).toEqual([])
    await page.close()
  })

  it('finds groups by alias as you type, and is usable at phone width', async () => {
    const { page, problems } = await openExplorer('', { width: 390, height: 844 })
    await expect.poll(() => listHeading(page).textContent()).toBe('1,852 events')
    // Nothing wider than the screen.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.locator('#filters summary').click()
    await page.getByLabel('Groups').fill('Daesh')
    await page.getByRole('option', { name: /Islamic State/ }).click()
    await page.getByLabel(/Include affiliates/).check()
    // Islamic State's own 3 events and Jund al-Khilafa's raid, by its allegiance.
    await expect.poll(() => listHeading(page).textContent()).toBe('4 events')
    expect(new URL(page.url()).searchParams.get('affiliates')).toBe('1')
    await shot(page, 'explorer-phone')
    expect(problems).toEqual([])
    await page.close()
  })

  it('maps every filter onto the API: the list counts what the API counts', async () => {
    const { page, problems } = await openExplorer()
    await expect.poll(() => listHeading(page).textContent()).toBe('1,852 events')
    const count = async (filter: Record<string, unknown>) => {
      const { data } = await api.query<{ events: { totalCount: number } }>(
        'query ($filter: EventFilter) { events(filter: $filter) { totalCount } }',
        { filter },
      )
      return (data?.events.totalCount ?? -1).toLocaleString('en')
    }
    const shows = async (filter: Record<string, unknown>) => {
      const expected = await count(filter)
      await expect.poll(() => listHeading(page).textContent()).toMatch(new RegExp(`^${expected} `))
    }

    await page.getByLabel('Event types').fill('one-sided')
    await page.getByRole('option', { name: /UCDP · One-sided violence/ }).click()
    await shows({ eventTypes: [{ scheme: 'UCDP', code: '3' }] })
    await page.getByLabel('Minimum killed').fill('10')
    await page.getByLabel('Minimum killed').press('Enter')
    await shows({ eventTypes: [{ scheme: 'UCDP', code: '3' }], minKilled: 10 })
    await page.getByLabel('From', { exact: true }).fill('2014-01-01')
    await page.getByLabel('To', { exact: true }).fill('2014-12-31')
    await page.getByLabel('To', { exact: true }).press('Tab')
    await shows({
      eventTypes: [{ scheme: 'UCDP', code: '3' }],
      minKilled: 10,
      dateRange: { from: '2014-01-01', to: '2014-12-31' },
    })
    await page.getByRole('button', { name: 'Clear filters' }).click()
    await page.getByLabel('Search', { exact: true }).fill('Bangui')
    await shows({ search: 'Bangui' })
    await page.getByLabel('Search', { exact: true }).fill('Bangui -civilians')
    await shows({ search: 'Bangui -civilians' })
    expect(new URL(page.url()).searchParams.get('q')).toBe('Bangui -civilians')
    expect(problems).toEqual([])
    await page.close()
  })

  it('says when nothing matches, and offers a retry when the API fails', async () => {
    const { page, problems } = await openExplorer('?minKilled=1000000')
    await expect.poll(() => listHeading(page).textContent()).toBe('0 events')
    await expect(page.locator('.event-list').textContent()).resolves.toContain(
      'No events match these filters.',
    )
    await expect
      .poll(() => page.locator('.timeline-section').textContent())
      .toContain('No events in any month.')

    // The next list request fails, as it would with the server down; Try again recovers.
    let failures = 1
    await page.route('**/graphql', (route) => {
      const isList = String(route.request().postDataJSON()?.query).includes('ExplorerEvents')
      if (isList && failures-- > 0) return route.abort('connectionrefused')
      return route.fallback()
    })
    await page.getByLabel('Minimum killed').fill('100')
    await page.getByLabel('Minimum killed').press('Enter')
    const alert = page.locator('.event-list [role="alert"]')
    await expect.poll(() => alert.textContent()).toContain('Could not load the events')
    await alert.getByRole('button', { name: 'Try again' }).click()
    await expect.poll(() => listHeading(page).textContent()).toMatch(/^\d+ events?$/)
    expect(problems).toEqual([])
    await page.close()
  })

  // Last: it adds an event, which the counts above do not expect.
  it('marks a consolidated figure whose reports disagree as disputed', async () => {
    const { rows } = await sql<{ id: number }>`
      WITH event AS (
        INSERT INTO event (title, date_start, date_end, latitude, longitude)
        VALUES ('A toll two sources disagree on', '2020-03-01', '2020-03-01', 34.7, 10.7)
        RETURNING id
      ),
      sources AS (
        INSERT INTO source (name, kind) VALUES ('Agency Disputing', 'news_agency'), ('Ministry Disputing', 'government')
        RETURNING id
      ),
      reports AS (INSERT INTO report (source_id, headline) SELECT id, 'A toll' FROM sources RETURNING id),
      figures AS (
        INSERT INTO casualty_figure (event_id, category, population, best, qualifier, report_id)
        SELECT event.id, 'killed', 'all', best, qualifier::figure_qualifier, report_id
        FROM event, (SELECT (array_agg(id ORDER BY id))[1] AS first, (array_agg(id ORDER BY id))[2] AS second FROM reports) r,
          LATERAL (VALUES (12, 'at_least', r.first), (7, 'exact', r.second)) AS f (best, qualifier, report_id)
      )
      SELECT id FROM event`.execute(testDb())
    const { page, problems } = await openExplorer(
      `?event=${toGlobalId('Event', rows[0]?.id as number)}`,
    )
    const row = detail(page).locator('table.consolidated tbody tr').first()
    await expect.poll(() => row.textContent()).toMatch(/^killed\s*disputed/i)
    await expect(row.locator('.disputed-figure').count()).resolves.toBe(1)
    expect(problems).toEqual([])
    await page.close()
  })

  it('serves its page to browsers at / and the endpoint index to other clients', async () => {
    const html = await fetch(site, { headers: { accept: 'text/html' } })
    expect(html.headers.get('content-type')).toMatch(/^text\/html/)
    const page = await html.text()
    expect(page).toContain('/explorer/app.js')
    expect(page).not.toMatch(/https?:\/\//)
    const index = (await (await fetch(site)).json()) as { endpoints: Record<string, unknown> }
    expect(index.endpoints.explorer).toBe('/')
    const script = await fetch(`${site}explorer/app.js`)
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/)
    const outlines = await fetch(`${site}explorer/countries-50m.json`)
    expect(outlines.headers.get('content-type')).toMatch(/^application\/json/)
    expect(((await outlines.json()) as { type: string }).type).toBe('Topology')
    expect((await fetch(`${site}explorer/nothing.js`)).status).toBe(404)
  })

  it('sends its page and files with a strict policy: own files only, no inline code, no framing', async () => {
    for (const response of [
      await fetch(site, { headers: { accept: 'text/html' } }),
      await fetch(`${site}explorer/app.js`),
      await fetch(`${site}explorer/app.css`),
    ]) {
      expect(response.headers.get('content-security-policy')).toBe(
        "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;font-src 'self';connect-src 'self';worker-src 'self';object-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none'",
      )
      expect(response.headers.get('x-frame-options')).toBe('DENY')
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin')
    }
  })
})

describe('the Live toggle', () => {
  it('updates the list when an event is written, and again when it is deleted', async () => {
    const { page, problems } = await openExplorer()
    // Other tests of this file write events too: from whatever the list holds now.
    await expect.poll(() => listHeading(page).textContent()).toMatch(/^[\d,]+ events$/)
    const count = async () => Number((await listHeading(page).textContent())?.replace(/\D/g, ''))
    const before = await count()
    await page.getByLabel('Live').check()
    await expect.poll(() => page.locator('#live-status').textContent()).toBe('(live)')
    const { key } = await createApiKey(testDb(), 'live toggle', 'editor')
    const created = (await api.query(
      'mutation { createEvent(fields: { title: "Written while the explorer watches", dateStart: "2020-05-01" }) { id version } }',
      {},
      key,
    )) as { data: { createEvent: { id: string; version: number } } }
    await expect.poll(count).toBe(before + 1)
    const deleted = await api.query(
      'mutation ($id: ID!, $version: Int!) { deleteEvent(id: $id, version: $version) { id } }',
      created.data.createEvent,
      key,
    )
    expect(deleted.errors).toBeUndefined()
    await expect.poll(count).toBe(before)
    expect(problems).toEqual([])
    await page.close()
  })
})
