import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { projectRoot } from '../../src/paths.js'

export interface ReadmeExample {
  readonly title: string
  readonly query: string
  readonly variables?: Record<string, unknown>
  /** The result the README shows, when it shows one. */
  readonly result?: { data: unknown }
}

/** The API's examples (docs/api.md): each `### N.` heading's graphql block, optional variables, and result. */
export async function readmeExamples(): Promise<ReadmeExample[]> {
  const examples = await readFile(path.join(projectRoot, 'docs', 'api.md'), 'utf8')
  const section = examples.slice(0, examples.indexOf('### Conventions'))
  return section
    .split(/^### /m)
    .slice(1)
    .map((part) => {
      const blocks = [...part.matchAll(/(\S*)\n\n```(\w+)\n([\s\S]*?)\n```/g)].map(
        ([, before, language, body]) => ({ before, language, body: body as string }),
      )
      const query = blocks.find((block) => block.language === 'graphql')
      const variables = blocks.find((block) => block.before === 'Variables:')
      const result = blocks.find((block) => block.language === 'json' && block !== variables)
      if (!query) throw new Error(`README example "${part.split('\n')[0]}" lacks a query`)
      return {
        title: part.split('\n')[0] ?? '',
        query: query.body,
        ...(variables && { variables: JSON.parse(variables.body) }),
        ...(result && { result: JSON.parse(result.body) }),
      }
    })
}
