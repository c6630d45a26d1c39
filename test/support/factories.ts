import type { Insertable, Kysely } from 'kysely'
import type { DB } from '../../src/db/schema.js'

// Small factories: each inserts one valid row with sensible defaults and returns its id.
// They take any Kysely (database or transaction) so a test can roll its rows back.
type Db = Kysely<DB>
let counter = 0
const unique = (prefix: string) =>
  `${prefix} ${++counter}-${Math.random().toString(36).slice(2, 7)}`

async function insert<T extends keyof DB & string>(
  db: Db,
  table: T,
  values: Insertable<DB[T]>,
): Promise<number> {
  const row = await db
    .insertInto(table)
    .values(values as never)
    .returning('id' as never)
    .executeTakeFirstOrThrow()
  return (row as unknown as { id: number }).id
}

export function aCountry(db: Db, values: Partial<Insertable<DB['place']>> = {}) {
  return insert(db, 'place', { level: 'country', name: unique('Country'), ...values })
}

export function aPlace(db: Db, parentId: number, values: Partial<Insertable<DB['place']>> = {}) {
  return insert(db, 'place', {
    parent_id: parentId,
    level: 'admin1',
    name: unique('Province'),
    ...values,
  })
}

export function aSource(db: Db, values: Partial<Insertable<DB['source']>> = {}) {
  return insert(db, 'source', { name: unique('Source'), kind: 'news_outlet', ...values })
}

export async function aReport(db: Db, values: Partial<Insertable<DB['report']>> = {}) {
  return insert(db, 'report', {
    source_id: await aSource(db),
    headline: unique('Headline'),
    ...values,
  })
}

export function anEvent(db: Db, values: Partial<Insertable<DB['event']>> = {}) {
  return insert(db, 'event', {
    title: unique('Event'),
    date_start: '2019-01-03',
    date_end: '2019-01-03',
    ...values,
  })
}

export function aGroup(db: Db, values: Partial<Insertable<DB['armed_group']>> = {}) {
  return insert(db, 'armed_group', { name: unique('Group'), kind: 'rebel_group', ...values })
}

export function aPerson(db: Db, values: Partial<Insertable<DB['person']>> = {}) {
  return insert(db, 'person', { name: unique('Person'), ...values })
}

export async function aGroupRelation(
  db: Db,
  values: Partial<Insertable<DB['group_relation']>> = {},
) {
  return insert(db, 'group_relation', {
    from_group_id: values.from_group_id ?? (await aGroup(db)),
    to_group_id: values.to_group_id ?? (await aGroup(db)),
    kind: 'allegiance',
    report_id: values.report_id ?? (await aReport(db)),
    ...values,
  })
}

export async function aCasualtyFigure(
  db: Db,
  values: Partial<Insertable<DB['casualty_figure']>> = {},
) {
  return insert(db, 'casualty_figure', {
    event_id: values.event_id ?? (await anEvent(db)),
    category: 'killed',
    population: 'all',
    best: 1,
    report_id: values.report_id ?? (await aReport(db)),
    ...values,
  })
}
