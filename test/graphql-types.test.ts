import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { expect, it } from 'vitest'
import { generateGraphqlTypes } from '../codegen.js'
import { projectRoot } from '../src/paths.js'

it('the generated resolver and explorer query types match schema.graphql and src/explorer/graphql/ (run `npm run graphql:types` when this fails)', async () => {
  const outputs = await generateGraphqlTypes()
  expect(outputs.map((output) => output.filename)).toEqual([
    'src/graphql/generated/resolvers.ts',
    'src/explorer/app/generated/operations.ts',
  ])
  for (const output of outputs) {
    expect(output.content, output.filename).toBe(
      await readFile(path.resolve(projectRoot, output.filename), 'utf8'),
    )
  }
})
