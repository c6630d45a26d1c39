import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { generate } from '@graphql-codegen/cli'
import { expect, it } from 'vitest'
import config from '../codegen.js'
import { projectRoot } from '../src/paths.js'

it('the generated resolver and explorer query types match schema.graphql and src/explorer/graphql/ (run `npm run graphql:types` when this fails)', async () => {
  const outputs: { filename: string; content: string }[] = await generate(
    { ...config, cwd: projectRoot, silent: true },
    false,
  )
  expect(outputs.length).toBeGreaterThan(0)
  for (const output of outputs) {
    expect(output.content, output.filename).toBe(
      await readFile(path.resolve(projectRoot, output.filename), 'utf8'),
    )
  }
})
