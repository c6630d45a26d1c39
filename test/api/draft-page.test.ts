import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.js'
import { loadDemoSet } from '../../src/demo/demo-sets.js'
import { buildExplorer } from '../../src/explorer/build.js'
import { createLogger } from '../../src/logger.js'
import { projectRoot } from '../../src/paths.js'
import { startApi, type TestApi } from '../support/api.js'
import { launchChromium } from '../support/browser.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

// The explorer's "Draft from a report" page in a real Chromium: an editor pastes the seed
// report, sees the draft beside the text, corrects a value, accepts, and lands on the event.

const seed = readFileSync(
  new URL('../fixtures/drafts/reports/01-sidi-bouzid-raid.txt', import.meta.url),
  'utf8',
)
const artifacts = path.join(projectRoot, 'test-results', 'explorer')

let api: TestApi
let site: string
let browser: Browser
let bundleDir: string
let editorKey: string

beforeAll(async () => {
  bundleDir = await mkdtemp(path.join(os.tmpdir(), 'attest-draft-page-'))
  await buildExplorer(bundleDir)
  await loadDemoSet(testDb(), 'article')
  editorKey = (await createApiKey(testDb(), 'draft page editor', 'editor')).key
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

async function openPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('console', (message) => {
    if (/Content Security Policy/.test(message.text()))
      problems.push(`blocked by the CSP: ${message.text()}`)
  })
  await page.goto(`${site}?page=draft`)
  return { page, problems }
}

describe('Draft from a report', () => {
  it('drafts the pasted seed report beside its text, takes a correction, accepts, and opens the event with its quotes', async () => {
    const { page, problems } = await openPage()
    await page.getByRole('link', { name: 'Draft from a report' }).waitFor()
    await page.fill('#draft-key', editorKey)
    await page.fill('#draft-source', 'The Defense Post')
    await page.fill('#draft-published', '2019-01-04')
    await page.fill('#draft-url', 'https://thedefensepost.com/2019/01/04/tunisia-raid/')
    await page.fill('#draft-text', seed)
    await page.click('#draft-submit')
    await page.waitForSelector('#draft-values')

    // The values' words are marked in the text; choosing a figure marks its own words.
    expect(await page.locator('#draft-source-text mark').count()).toBeGreaterThan(5)
    expect(await page.inputValue('#draft-date-start')).toBe('2019-01-03')
    await page.locator('#draft-figures button.span-link').first().click()
    expect(await page.textContent('#draft-source-text mark.selected')).toBe(
      'Two suspected militants were killed',
    )
    expect(await page.textContent('#draft-groups')).toContain('Jund al-Khilafa')
    await page.screenshot({ path: path.join(artifacts, 'draft-page.png'), fullPage: true })

    // The editor corrects one value: the title.
    await page.fill('#draft-title', 'Two militants killed in Sidi Bouzid counter-terrorism raid')
    await page.click('#draft-accept')
    await page.waitForURL(/[?&]event=/)
    await page.waitForSelector('#detail-title')
    expect(await page.textContent('#detail-title')).toBe(
      'Two militants killed in Sidi Bouzid counter-terrorism raid',
    )
    const detail = (await page.textContent('.event-detail')) ?? ''
    expect(detail).toContain('Two suspected militants were killed')
    expect(detail).toContain('a police officer injured')
    await page.screenshot({ path: path.join(artifacts, 'draft-accepted.png'), fullPage: true })
    expect(problems).toEqual([])
    await page.close()
  })

  it('shows the gazetteer’s point of the drafted town and takes the editor’s place name and source name', async () => {
    const { page, problems } = await openPage()
    await page.getByRole('link', { name: 'Draft from a report' }).waitFor()
    await page.fill('#draft-key', editorKey)
    await page.fill('#draft-source', 'Reuters')
    await page.fill('#draft-published', '2022-03-08')
    await page.fill(
      '#draft-text',
      `Rebels kill four soldiers near Cucuta

Rebels killed four soldiers near Cucuta in Colombia's Norte de Santander province on Monday, the army said.`,
    )
    await page.click('#draft-submit')
    await page.waitForSelector('#draft-values')
    expect(await page.inputValue('#draft-place')).toBe('Cucuta')
    const values = (await page.textContent('#draft-values')) ?? ''
    expect(values).toContain('In Norte de Santander')
    expect(values).toMatch(/Gazetteer point 7\.\d+, -72\.\d+ \(near\)/)

    // The editor names the village instead: the event keeps that name and no drafted point;
    // and names the source more fully: the report cites it so.
    await page.fill('#draft-place', 'Villa del Rosario')
    await page.fill('#draft-sources input[aria-label="Source name"]', 'Colombian army')
    await page.click('#draft-accept')
    await page.waitForURL(/[?&]event=/)
    const event = await testDb()
      .selectFrom('event')
      .select(['location_text', 'latitude', 'geo_precision'])
      .where('title', 'like', '%four soldiers%')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    expect(event).toEqual({
      location_text: 'Villa del Rosario',
      latitude: null,
      geo_precision: null,
    })
    const cited = await testDb()
      .selectFrom('report_citation as c')
      .innerJoin('source as s', 's.id', 'c.cited_source_id')
      .innerJoin('report as r', 'r.id', 'c.report_id')
      .select(['s.name', 'c.quote'])
      .where('r.headline', 'like', '%four soldiers near Cucuta%')
      .execute()
    expect(cited).toEqual([
      { name: 'Colombian army', quote: expect.stringContaining('the army said') },
    ])
    expect(problems).toEqual([])
    await page.close()
  })

  it('says why when the key is not an editor’s, and writes nothing', async () => {
    const { page } = await openPage()
    const reader = (await createApiKey(testDb(), 'draft page reader', 'reader')).key
    await page.fill('#draft-key', reader)
    await page.fill('#draft-source', 'Reuters')
    await page.fill('#draft-text', 'Gunmen killed three soldiers on Sunday, police said.')
    await page.click('#draft-submit')
    const alert = page.getByRole('alert')
    await alert.waitFor()
    expect(await alert.textContent()).toContain('editor')
    await page.close()
  })
})
