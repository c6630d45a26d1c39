import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.js'
import { loadDemoData } from '../../src/demo/load-demo.js'
import { projectRoot } from '../../src/paths.js'
import { startApi, type TestApi } from '../support/api.js'
import { launchChromium } from '../support/browser.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

// Screenshots go to test-results/ (not committed).
const artifacts = path.join(projectRoot, 'test-results')

let api: TestApi
let browser: Browser
beforeAll(async () => {
  await loadDemoData(testDb())
  api = await startApi(testDatabaseUrl())
  browser = await launchChromium()
  await mkdir(artifacts, { recursive: true })
})
afterAll(async () => {
  await browser?.close()
  await api?.stop()
})

describe('GraphiQL', () => {
  it('opens from /graphql in a browser, offline, runs the example query on the demo data and shows the schema docs', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } })
    const offSite: string[] = []
    // Anything the page's Content-Security-Policy blocked (Chromium reports it on the console).
    const blocked: string[] = []
    page.on('console', (message) => {
      if (/Content Security Policy/.test(message.text())) blocked.push(message.text())
    })
    // Everything must come from the service itself: any other host is a failure.
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url())
      if (url.hostname !== '127.0.0.1') {
        offSite.push(url.href)
        return route.abort()
      }
      return route.continue()
    })
    await page.goto(api.url, { waitUntil: 'load' })
    expect(await page.title()).toBe('Attest · GraphiQL')
    const run = page.locator('.graphiql-execute-button')
    await run.waitFor({ timeout: 30_000 })
    // The editor shows the example query before anything runs.
    await expect
      // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the text as rendered
      .poll(() => page.locator('.graphiql-query-editor').innerText(), { timeout: 15_000 })
      .toContain('RecentEvents')
    const [response] = await Promise.all([
      page.waitForResponse(
        (r) =>
          r.url().endsWith('/graphql') &&
          r.request().method() === 'POST' &&
          r.request().postData()?.includes('RecentEvents') === true,
      ),
      run.click(),
    ])
    const body = await response.json()
    expect(body.data.events.edges[0].node.title).toBe(
      'Two militants killed in counter-terrorism raid in Sidi Bouzid',
    )
    // The result editor wraps long lines and renders spaces as no-break spaces.
    const shown = async () =>
      // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the text as rendered
      (await page.locator('.result-window').innerText()).replace(/\s+/g, ' ')
    await expect
      .poll(shown, { timeout: 15_000 })
      .toContain('"title": "Two militants killed in counter-terrorism raid in Sidi Bouzid"')
    // The schema's documentation: its description, then Query's fields with theirs.
    const docs = page.locator('.graphiql-doc-explorer')
    if (!(await docs.isVisible()))
      await page
        .locator('.graphiql-sidebar button[aria-label="Show Documentation Explorer"]')
        .click()
    await expect
      .poll(() => docs.textContent(), { timeout: 15_000 })
      .toContain('Attest: political-violence')
    await docs
      .locator('a', { hasText: /^Query$/ })
      .first()
      .click()
    await expect
      .poll(() => docs.textContent(), { timeout: 15_000 })
      .toContain('Events that match every given filter')
    await page.screenshot({ path: path.join(artifacts, 'graphiql.png') })
    expect(offSite).toEqual([])
    expect(blocked).toEqual([])
    await page.close()
  })

  it('runs a subscription over the WebSocket and shows what a write sends', async () => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1200 } })
    const page = await context.newPage()
    const blocked: string[] = []
    page.on('console', (message) => {
      if (/Content Security Policy/.test(message.text())) blocked.push(message.text())
    })
    await typeDocument(
      page,
      api,
      'subscription Watch { eventChanges(filter: { search: "Graphiql" }) { kind event { title',
    )
    const { key } = await createApiKey(testDb(), 'graphiql subscription', 'editor')
    await runUntilShown(page, api, key, 'Seen in Graphiql')
    expect(blocked).toEqual([])
    await context.close()
  })

  it('passes the key in its Headers tab to connection_init: a subscription on a service that requires a key', async () => {
    const keyed = await startApi(testDatabaseUrl(), undefined, {
      env: { READ_REQUIRES_KEY: 'true' },
    })
    const context = await browser.newContext({ viewport: { width: 1600, height: 1200 } })
    try {
      const page = await context.newPage()
      const reader = (await createApiKey(testDb(), 'graphiql reader', 'reader')).key
      const editorKey = (await createApiKey(testDb(), 'graphiql keyed editor', 'editor')).key
      await typeDocument(
        page,
        keyed,
        'subscription Keyed { eventChanges(filter: { search: "Keyedgraphiql" }) { kind event { title',
      )
      await page.getByRole('button', { name: 'Headers' }).click()
      const headers = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden)')
      await headers.click()
      await page.keyboard.type(`{"Authorization": "Bearer ${reader}"`)
      await expect
        // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the text as rendered
        .poll(() => headers.innerText(), { timeout: 10_000 })
        .toContain(reader)
      await runUntilShown(page, keyed, editorKey, 'Keyedgraphiql raid')
    } finally {
      await context.close()
      await keyed.stop()
    }
  })

  it('is linked from the index, and /graphiql serves the same page', async () => {
    const index = (await (await fetch(api.url.replace('/graphql', '/'))).json()) as {
      endpoints: Record<string, string>
    }
    expect(index.endpoints.graphiql).toBe('/graphiql')
    const page = await (await fetch(api.url.replace('/graphql', '/graphiql'))).text()
    expect(page).toContain('/graphiql-static/ruru.js')
    expect(page).not.toMatch(/unpkg|jsdelivr|cdn\./)
  })

  it('sends security headers: no framing, no sniffing, and only its own inline scripts run', async () => {
    for (const path of ['/graphiql', '/graphiql-static/ruru.js']) {
      const response = await fetch(api.url.replace('/graphql', path))
      expect(response.status).toBe(200)
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin')
      expect(response.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/)
    }
    const page = await fetch(api.url.replace('/graphql', '/graphiql'))
    const policy = page.headers.get('content-security-policy') ?? ''
    // Its inline scripts by hash: no 'unsafe-inline' or 'unsafe-eval' for scripts, no other host.
    const [self, ...hashes] = /script-src ([^;]+)/.exec(policy)?.[1]?.split(' ') ?? []
    expect(self).toBe("'self'")
    expect(hashes.length).toBeGreaterThan(0)
    for (const source of hashes) expect(source).toMatch(/^'sha256-[\w+/]+=*'$/)
    expect(policy).not.toMatch(/https?:|\*/)
    // A browser asking /graphql for HTML gets the same page, with the same policy.
    const viaGraphql = await fetch(api.url, { headers: { accept: 'text/html' } })
    expect(viaGraphql.headers.get('content-security-policy')).toBe(policy)
  })
})

/**
 * Opens GraphiQL of `service` and types `document` in place of the example. Each test that does
 * has a browser context of its own: GraphiQL keeps the last document and operation name in the
 * browser's storage, and the first test's RecentEvents would be sent with this document.
 */
async function typeDocument(page: Page, service: TestApi, document: string): Promise<void> {
  await page.goto(service.url.replace('/graphql', '/graphiql'), { waitUntil: 'load' })
  const editor = page.locator('.graphiql-query-editor')
  await expect
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the text as rendered
    .poll(() => editor.innerText(), { timeout: 30_000 })
    .toContain('RecentEvents')
  await editor.click()
  await page.keyboard.press('ControlOrMeta+A')
  await page.keyboard.press('Delete')
  await page.keyboard.type(document)
  await expect
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the text as rendered
    .poll(() => editor.innerText(), { timeout: 10_000 })
    .not.toContain('RecentEvents')
}

/**
 * Runs the document, then creates events titled `title` through `service` until the result shows
 * one: the subscription may take a moment to be held.
 */
async function runUntilShown(page: Page, service: TestApi, key: string, title: string) {
  // GraphiQL reads the operation's name from the editor after a debounce: clicked at once, it
  // would send the new document with the old name (RecentEvents).
  await page.waitForTimeout(1500)
  await page.locator('.graphiql-execute-button').click()
  const shown = async () =>
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the text as rendered
    (await page.locator('.result-window').innerText()).replace(/\s+/g, ' ')
  await expect
    .poll(
      async () => {
        await service.query(
          'mutation ($title: String!) { createEvent(fields: { title: $title, dateStart: "2020-01-01" }) { id } }',
          { title },
          key,
        )
        return shown()
      },
      { timeout: 30_000, interval: 1000 },
    )
    .toContain(`"title": "${title}"`)
}
