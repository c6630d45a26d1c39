// The benchmark's writer (bench/subscriptions.ts), in a process of its own: events written as an
// import writes them (the row and its revision in one transaction, a batch per transaction), at a
// steady rate; each event's commit time goes to stdout as JSON at the end.
import { sql } from 'kysely'
import { recordRevisions } from '../src/db/aggregate-state.js'
import { createDatabase } from '../src/db/database.js'

const [url, rateText, secondsText, perTransactionText, countryIdsText] = process.argv.slice(2)
const rate = Number(rateText)
const seconds = Number(secondsText)
const perTransaction = Number(perTransactionText)
const countryIds = (countryIdsText as string).split(',').map(Number)
const db = createDatabase(url as string, { maxConnections: 1 })

const committedAt: Record<number, number> = {}
const transactions = Math.round((rate * seconds) / perTransaction)
const started = performance.now()
for (let n = 0; n < transactions; n++) {
  // Paced by the clock, not by the previous commit: a slow commit is caught up, not stretched.
  const due = started + (n * perTransaction * 1000) / rate
  const wait = due - performance.now()
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
  const ids = await db.transaction().execute(async (trx) => {
    const rows = Array.from({ length: perTransaction }, (_, index) => {
      const k = n * perTransaction + index
      return {
        title: `Bench event ${k}`,
        date_start: '2024-01-01',
        date_end: '2024-01-01',
        place_id: countryIds[k % countryIds.length] as number,
        killed_best: k % 7,
      }
    })
    const inserted = await trx.insertInto('event').values(rows).returning('id').execute()
    await recordRevisions(
      trx,
      'create',
      'event',
      { dataset: 'bench', release: '1' },
      inserted.map(({ id }) => ({ id, before: null })),
    )
    return inserted.map(({ id }) => id)
  })
  const now = Date.now()
  for (const id of ids) committedAt[id] = now
}
await sql`SELECT 1`.execute(db)
await db.destroy()
process.stdout.write(JSON.stringify(committedAt))
