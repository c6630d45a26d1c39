import type { DatePrecision, GeoPrecision, GroupKind } from '../db/schema.js'
import { isoAlpha3 } from './countries.js'
import type { ImportedActor, ImportedFigure, ImportedReport } from './imported-event.js'
import { mapRow, RowError } from './row-reader.js'
import type { Dataset } from './run-import.js'

/** The UCDP GED CSV download's columns that the import reads (the rest are kept in the raw row). */
export const ucdpColumns = [
  'id',
  'type_of_violence',
  'conflict_name',
  'dyad_name',
  'side_a_new_id',
  'side_a',
  'side_b_new_id',
  'side_b',
  'number_of_sources',
  'source_article',
  'source_office',
  'source_date',
  'source_headline',
  'source_original',
  'where_prec',
  'where_coordinates',
  'where_description',
  'adm_1',
  'adm_2',
  'latitude',
  'longitude',
  'country',
  'country_id',
  'event_clarity',
  'date_prec',
  'date_start',
  'date_end',
  'deaths_a',
  'deaths_b',
  'deaths_civilians',
  'deaths_unknown',
  'best',
  'high',
  'low',
] as const

// UCDP's codebook: date_prec 1 exact day, 2 within 2–6 days, 3 within a week, 4 within a month,
// 5 longer; where_prec 1 exact, 2 within 25 km, 3 second-order division, 4 first-order,
// 5 linear feature or larger area, 6 country, 7 international waters.
const datePrecision: Record<string, DatePrecision> = {
  '1': 'day',
  '2': 'week',
  '3': 'week',
  '4': 'month',
  '5': 'range',
}
const geoPrecision: Record<string, GeoPrecision> = {
  '1': 'exact',
  '2': 'near',
  '3': 'admin2',
  '4': 'admin1',
  '5': 'region',
  '6': 'country',
  '7': 'region',
}
const violence: Record<string, string> = {
  '1': 'State-based conflict',
  '2': 'Non-state conflict',
  '3': 'One-sided violence',
}

/** A UCDP GED row as an ImportedEvent, or the first reason it cannot be one. */
export const mapUcdpRow = mapRow((row, line) => {
  const id = row.required('id')
  if (!/^\d+$/.test(id)) throw new RowError('id', `"${id}" is not a UCDP event id`)
  const type = row.required('type_of_violence')
  const typeLabel = row.code('type_of_violence', violence)
  const dateStart = row.date('date_start')
  const dateEnd = row.date('date_end')
  if (dateEnd < dateStart)
    throw new RowError('date_end', `${dateEnd} is before date_start ${dateStart}`)
  const { latitude, longitude } = row.point()
  const gwCode = row.optional('country_id')
  if (gwCode !== null && !/^\d{1,3}$/.test(gwCode))
    throw new RowError('country_id', `"${gwCode}" is not a Gleditsch-Ward code`)

  const given = { low: row.count('low'), best: row.count('best'), high: row.count('high') }
  // Some GED rows give low > best or best > high. The figure keeps best and spans all three
  // numbers (the database requires low <= best <= high); the tag marks the row, and the raw row
  // keeps the numbers as given.
  const ordered = given.low <= given.best && given.best <= given.high
  const figures: ImportedFigure[] = [
    {
      category: 'killed',
      population: 'all',
      low: Math.min(given.low, given.best, given.high),
      best: given.best,
      high: Math.max(given.low, given.best, given.high),
      qualifier: 'exact',
    },
    ...(
      [
        ['deaths_a', 'side_a'],
        ['deaths_b', 'side_b'],
        ['deaths_civilians', 'civilians'],
        ['deaths_unknown', 'unknown'],
      ] as const
    ).map(([column, population]): ImportedFigure => {
      const deaths = row.count(column)
      return {
        category: 'killed',
        population,
        low: null,
        best: deaths,
        high: null,
        qualifier: 'exact',
      }
    }),
  ]

  const oneSided = type === '3'
  const actor = (side: 'a' | 'b'): ImportedActor => {
    const name = row.required(`side_${side}`)
    return {
      name,
      externalId: row.optional(`side_${side}_new_id`),
      kind: groupKind(name, type, side),
      role: oneSided ? (side === 'a' ? 'perpetrator' : 'target') : 'participant',
      side,
      attribution: 'confirmed',
    }
  }

  const dyad = row.required('dyad_name')
  const where =
    row.optional('where_coordinates') ??
    row.optional('where_description') ??
    row.required('country')
  return {
    externalId: id,
    raw: row.raw,
    line,
    title: `${typeLabel}: ${dyad}, ${where}`,
    summary: null,
    dateStart,
    dateEnd,
    datePrecision: row.code('date_prec', datePrecision),
    place: {
      country: row.required('country'),
      gwCode: gwCode === null ? null : Number(gwCode),
      isoAlpha3: isoAlpha3(row.required('country')),
      admin1: row.optional('adm_1'),
      admin2: row.optional('adm_2'),
    },
    locationText: row.optional('where_description'),
    latitude,
    longitude,
    geoPrecision: row.code('where_prec', geoPrecision),
    // Conflict and dyad as tags: events of one conflict or dyad can be found together.
    tags: [
      `conflict: ${row.required('conflict_name')}`,
      `dyad: ${dyad}`,
      ...(ordered
        ? []
        : [`ucdp: low ${given.low}, best ${given.best}, high ${given.high} out of order`]),
    ],
    isSuicide: false,
    civilianTargeting: oneSided,
    types: [{ scheme: 'ucdp', code: type, primary: true }],
    actors: [actor('a'), actor('b')],
    figures,
    reports: reports(row.raw),
  }
})

/** UCDP names no actor type; these three follow from its definitions. */
function groupKind(name: string, type: string, side: 'a' | 'b'): GroupKind {
  if (/^Government of /.test(name)) return 'state_forces'
  if (name === 'Civilians') return 'civilians'
  return type === '1' && side === 'b' ? 'rebel_group' : 'unknown'
}

/**
 * source_article lists references separated by ';'. Newer rows add parallel ';'-lists of
 * source_office, source_date and source_headline; source_original names whom they quote.
 */
function reports(raw: Record<string, string>): ImportedReport[] {
  const list = (column: string) => (raw[column] ?? '').split(';').map((item) => item.trim())
  const articles = list('source_article').filter(Boolean)
  const offices = list('source_office')
  const dates = list('source_date')
  const headlines = list('source_headline')
  const quotes = list('source_original').filter(Boolean)
  const aligned = (values: string[]) => values.length === articles.length
  return articles.map((citation, index) => ({
    citation,
    sourceName: aligned(offices) ? offices[index] || null : null,
    headline: aligned(headlines) ? headlines[index] || null : null,
    publishedOn:
      aligned(dates) && /^\d{4}-\d{2}-\d{2}$/.test(dates[index] ?? '')
        ? (dates[index] as string)
        : null,
    quotes,
  }))
}

/** The UCDP Georeferenced Event Dataset (CC BY 4.0; see the README for its citation). */
export const ucdpGed = {
  name: 'ucdp_ged',
  label: 'UCDP GED',
  actorScheme: 'ucdp',
  columns: ucdpColumns,
  source: { name: 'UCDP Georeferenced Event Dataset (GED)', url: 'https://ucdp.uu.se/downloads/' },
  releaseCitation: (release: string) =>
    `UCDP Georeferenced Event Dataset (GED), version ${release}`,
  map: mapUcdpRow,
} as const satisfies Dataset

/** "GEDEvent_v23_1_CAF.csv" → "23.1": UCDP names its downloads by version. */
export function ucdpReleaseFromFileName(file: string): string | undefined {
  const match = /v(\d+)_(\d+)/i.exec(file)
  return match ? `${match[1]}.${match[2]}` : undefined
}
