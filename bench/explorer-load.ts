// The explorer's first load in Chromium: bytes over the wire and the time until every point is
// drawn, on loopback and on a throttled link, cold cache each run. Over the demo data and the
// UCDP fixture (1,852 events), in a database of its own (attest_bench_explorer, made once).
//   npx tsx bench/explorer-load.ts          (BENCH_RUNS=5; results: bench/explorer-load.md)
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { loadConfig } from '../src/config.js'
import { createDatabase } from '../src/db/database.js'
import { loadDemoSet } from '../src/demo/demo-sets.js'
import { buildExplorer } from '../src/explorer/build.js'
import { startHttpServer } from '../src/http/server.js'
import { createLogger } from '../src/logger.js'
import { launchChromium } from '../test/support/browser.js'
import { migratedDatabase } from './harness.js'

const runs = Number(process.env.BENCH_RUNS ?? 5)
const events = 1852
/** Links as Chromium emulates them (bytes per second, milliseconds of round trip). */
const link = (downMbit: number, upMbit: number, latency: number) => ({
  offline: false,
  latency,
  downloadThroughput: (downMbit * 1024 * 1024) / 8,
  uploadThroughput: (upMbit * 1024 * 1024) / 8,
})
const links = {
  loopback: undefined,
  '20 Mbit/s, 40 ms': link(20, 5, 40),
  '4 Mbit/s, 100 ms': link(4, 1, 100),
}

async function explorerDatabase(): Promise<string> {
  const { url, db, count } = await migratedDatabase('attest_bench_explorer')
  if (count === 0) {
    await loadDemoSet(db, 'all')
  }
  await db.destroy()
  return url
}

interface Load {
  /** What the first load received, until every point is drawn. */
  readonly bytes: number
  readonly requests: number
  readonly ms: number
  /** The 1:50m outlines, which the map fetches once zoomed in. */
  readonly outlineBytes: number
}

/** One cold load: a new context, the bytes Chromium received, the time to the last point. */
async function firstLoad(
  browser: Browser,
  site: string,
  conditions: ReturnType<typeof link> | undefined,
  compressed: boolean,
): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  const page: Page = await context.newPage()
  const cdp = await context.newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
  if (conditions) await cdp.send('Network.emulateNetworkConditions', conditions)
  // As a client that accepts no compression: the same server, before and after in one run.
  if (!compressed)
    await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'accept-encoding': 'identity' } })
  let bytes = 0
  let requests = 0
  cdp.on('Network.loadingFinished', (event) => {
    bytes += event.encodedDataLength
    requests++
  })
  const started = performance.now()
  await page.goto(site)
  await page.waitForSelector(`.map canvas[data-points-drawn="${events}"]`, { timeout: 120_000 })
  await page.locator('svg.timeline .bars').waitFor()
  const ms = performance.now() - started
  await page.waitForLoadState('networkidle')
  const firstLoadBytes = bytes
  const firstLoadRequests = requests
  await page.evaluate(() => fetch('/explorer/countries-50m.json').then((r) => r.arrayBuffer()))
  await page.waitForLoadState('networkidle')
  await context.close()
  return {
    bytes: firstLoadBytes,
    requests: firstLoadRequests,
    ms,
    outlineBytes: bytes - firstLoadBytes,
  }
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number

const bundleDir = await mkdtemp(path.join(os.tmpdir(), 'attest-explorer-bench-'))
await buildExplorer(bundleDir)
const url = await explorerDatabase()
const db = createDatabase(url)
const config = { ...loadConfig({ RATE_LIMIT_REQUESTS: '0' }), host: '127.0.0.1', port: 0 }
const app = await startHttpServer({
  db,
  logger: createLogger('silent'),
  config,
  explorerDir: bundleDir,
})
const site = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`
const browser = await launchChromium()
try {
  await firstLoad(browser, site, undefined, true) // warm the server and Postgres
  for (const [name, conditions] of Object.entries(links)) {
    // Interleaved, so that a busy machine slows both alike.
    const loads = { identity: [] as Load[], compressed: [] as Load[] }
    for (let run = 0; run < runs; run++) {
      loads.identity.push(await firstLoad(browser, site, conditions, false))
      loads.compressed.push(await firstLoad(browser, site, conditions, true))
    }
    for (const [encoding, done] of Object.entries(loads)) {
      const kib = (key: 'bytes' | 'outlineBytes') =>
        (median(done.map((load) => load[key])) / 1024).toFixed(0)
      const ms = median(done.map((load) => load.ms))
      console.log(
        `${name}, ${encoding}: first load ${kib('bytes')} KiB in ${done[0]?.requests} requests, ` +
          `every point drawn in ${ms.toFixed(0)} ms (median of ${runs}); ` +
          `the 1:50m outlines ${kib('outlineBytes')} KiB`,
      )
    }
  }
} finally {
  await browser.close()
  await app.close()
  await db.destroy()
  await rm(bundleDir, { recursive: true, force: true })
}
