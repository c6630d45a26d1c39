import { copyFile, mkdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { writePrecompressed } from '../http/compression.js'
import { explorerDir } from '../paths.js'

const source = path.dirname(fileURLToPath(import.meta.url))

/**
 * Bundles the explorer page into `outDir`: index.html, app.js (TypeScript, d3-geo,
 * topojson-client and the world outlines in one file), app.css and the finer outlines, each
 * with its brotli and gzip (`.br`, `.gz`) when it is worth compressing. `npm run build` runs it,
 * and so do the browser tests, into a folder of their own.
 */
export async function buildExplorer(outDir: string = explorerDir): Promise<void> {
  await mkdir(outDir, { recursive: true })
  await build({
    entryPoints: [
      { in: path.join(source, 'app', 'main.ts'), out: 'app' },
      { in: path.join(source, 'style.css'), out: 'app' },
    ],
    outdir: outDir,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    logLevel: 'warning',
  })
  await copyFile(path.join(source, 'index.html'), path.join(outDir, 'index.html'))
  // Finer country outlines, which the map fetches once zoomed in.
  const detailed = createRequire(import.meta.url).resolve('world-atlas/countries-50m.json')
  await copyFile(detailed, path.join(outDir, 'countries-50m.json'))
  // Compressed once here at the best levels, where the server would spend its CPU per request.
  const built = ['index.html', 'app.js', 'app.css', 'countries-50m.json']
  await Promise.all(built.map((name) => writePrecompressed(path.join(outDir, name))))
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildExplorer()
}
