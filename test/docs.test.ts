import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { projectRoot } from '../src/paths.js'

// The README and docs/ are what a newcomer reads first: a link that leads nowhere, or a Layout
// that leaves out half of src/, is the first thing they find wrong.
const documents = [
  'README.md',
  ...readdirSync(path.join(projectRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
]

const read = (file: string) => readFileSync(path.join(projectRoot, file), 'utf8')

/** The text outside fenced code blocks and inline code, where a `[x](y)` is no link. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '')
}

/** Markdown link and image targets that stay inside the repository (no scheme, no //). */
function relativeLinks(markdown: string): string[] {
  return [...prose(markdown).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map((match) => match[1] as string)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:|^\/\//i.test(target))
}

/** GitHub's anchors for a file's headings: lower case, punctuation dropped, spaces to hyphens. */
function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>()
  const anchors = new Set<string>()
  for (const [, heading] of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = (heading as string)
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-')
    const count = seen.get(slug) ?? 0
    seen.set(slug, count + 1)
    anchors.add(count === 0 ? slug : `${slug}-${count}`)
  }
  return anchors
}

describe('the README and docs/', () => {
  it.each(documents)(
    '%s: every relative link leads to a file, and every #anchor to a heading',
    (file) => {
      const broken: string[] = []
      const links = relativeLinks(read(file))
      for (const link of links) {
        const [target = '', anchor] = link.split('#')
        const resolved = target
          ? path.resolve(path.dirname(path.join(projectRoot, file)), decodeURIComponent(target))
          : path.join(projectRoot, file)
        if (!resolved.startsWith(projectRoot) || !existsSync(resolved)) {
          broken.push(`${link}: no such file`)
          continue
        }
        if (anchor === undefined) continue
        const isMarkdown = statSync(resolved).isFile() && resolved.endsWith('.md')
        if (!isMarkdown || !headingAnchors(readFileSync(resolved, 'utf8')).has(anchor))
          broken.push(`${link}: no heading #${anchor}`)
      }
      expect(broken).toEqual([])
    },
  )

  it('finds the links it checks (the test can fail)', () => {
    const links = documents.flatMap((file) => relativeLinks(read(file)))
    expect(links).toContain('docs/operations.md#scaling-out')
    expect(headingAnchors('# Logs and metrics\n## GraphQL over HTTP\n## Logs and metrics')).toEqual(
      new Set(['logs-and-metrics', 'graphql-over-http', 'logs-and-metrics-1']),
    )
  })

  it("the README's Layout names every file and folder of src/", () => {
    const layout = /## Layout\s+```\n([\s\S]*?)```/.exec(read('README.md'))?.[1] ?? ''
    const listed = new Set(layout.split('\n').map((line) => line.split(/\s+/)[0]))
    const inSrc = readdirSync(path.join(projectRoot, 'src'), { withFileTypes: true }).map(
      (entry) => `src/${entry.name}${entry.isDirectory() ? '/' : ''}`,
    )
    expect(inSrc.length).toBeGreaterThan(10)
    expect(inSrc.filter((entry) => !listed.has(entry))).toEqual([])
    // …and names nothing that is gone.
    const paths = [...listed].filter((entry) => entry?.includes('/') || entry?.includes('.'))
    expect(paths.filter((entry) => !existsSync(path.join(projectRoot, entry as string)))).toEqual(
      [],
    )
  })
})
