import { sql } from 'kysely'
import { invalidField } from '../errors.js'
import type { MutationResolvers, PlaceFields } from '../generated/resolvers.js'
import { idOfType } from '../ids.js'
import { notBlank } from './validate.js'
import { insertRow, mutation, toColumns } from './write.js'

/**
 * Places are reference data that events point at: an editor adds the town or district an event
 * happened in, below a place that exists. Countries come with the reference data (their ISO and
 * Gleditsch–Ward codes), not from editors. A place has no version or history: it is created,
 * not edited.
 */
export const placeMutations = {
  createPlace: mutation('editor', async ({ fields }: { fields: PlaceFields }, { trx }) => {
    notBlank(fields.name, 'name')
    if (fields.level === 'COUNTRY')
      throw invalidField(
        'Countries come with the reference data: add a place inside one',
        'level',
        'country_not_editable',
      )
    const parentId = idOfType(fields.parentId, 'Place', 'parentId')
    const level = fields.level.toLowerCase()
    // The levels' order is the enum's (sql/0002): a place lies below its parent.
    const { rows } = await sql<{ level: string; below: boolean; taken: boolean }>`
      SELECT parent.level, ${level}::place_level > parent.level AS below,
        EXISTS (SELECT 1 FROM place sibling WHERE sibling.parent_id = parent.id
          AND sibling.level = ${level}::place_level AND sibling.name = ${fields.name}) AS taken
      FROM place parent WHERE parent.id = ${parentId}`.execute(trx)
    const parent = rows[0]
    if (!parent) throw invalidField('parentId names no place', 'parentId', 'unknown_id')
    if (!parent.below)
      throw invalidField(
        `A ${level} cannot lie inside a ${parent.level}: choose a parent of a higher level`,
        'level',
        'level_below_parent',
      )
    if (parent.taken)
      throw invalidField(
        `A ${level} named ${fields.name} is already recorded in that place`,
        'name',
        'unique',
      )
    const id = await insertRow(
      trx,
      'place',
      toColumns(fields as never, { ids: { parentId: 'Place' }, enums: ['level'] }),
    )
    return { id }
  }),
} satisfies MutationResolvers
