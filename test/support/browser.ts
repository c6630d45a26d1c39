import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { type Browser, chromium } from 'playwright-core'
import { projectRoot } from '../../src/paths.js'

/**
 * The browser tests' Chromium comes from the npm registry: `@sparticuz/chromium` ships a
 * Brotli-compressed build inside its tarball that needs nothing from the system but libc, so
 * `npm install && npm test` works on a machine with no browser and no network but npm's
 * (a browser download such as `playwright install` cannot).
 */
const packageDir = path.join(projectRoot, 'node_modules', '@sparticuz', 'chromium')
const packageVersion: string = JSON.parse(
  readFileSync(path.join(packageDir, 'package.json'), 'utf8'),
).version
const cacheDir = path.join(projectRoot, 'node_modules', '.cache', `chromium-${packageVersion}`)
const executable = path.join(cacheDir, 'chromium')

/**
 * Unpacks the build once into node_modules/.cache (the package unpacks into the temporary folder
 * its process sees, so a child process with its own TMPDIR does it), then renames the folder into
 * place: a test file that runs meanwhile, or an unpacking cut short, never sees half a browser.
 */
async function unpackedChromium(): Promise<string> {
  if (existsSync(executable)) return executable
  const staging = `${cacheDir}.${process.pid}.partial`
  await rm(staging, { recursive: true, force: true })
  await mkdir(staging, { recursive: true })
  execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "await (await import('@sparticuz/chromium')).default.executablePath()",
    ],
    { cwd: projectRoot, env: { ...process.env, TMPDIR: staging }, stdio: 'inherit' },
  )
  // The package's own fonts.conf names Lambda's folders; without a font it can find, Chromium
  // aborts at the first web font ("SkFontMgr_FontConfigInterface: Not implemented").
  await writeFile(path.join(staging, 'fonts.conf'), fontsConf(path.join(cacheDir, 'fonts')))
  try {
    await rename(staging, cacheDir)
  } catch (error) {
    // Another test file unpacked it first: use theirs.
    await rm(staging, { recursive: true, force: true })
    if (!existsSync(executable)) throw error
  }
  return executable
}

function fontsConf(fontsDir: string): string {
  return `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>${fontsDir}/fonts</dir>
  <cachedir>${fontsDir}/cache</cachedir>
</fontconfig>
`
}

/** A headless Chromium that makes no connection of its own (this machine's network is closed). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: await unpackedChromium(),
    // Only the fonts it ships (the system may have none): the same pages on every machine.
    env: { ...process.env, FONTCONFIG_PATH: cacheDir },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  })
}
