import type { GeoPrecision } from '../db/schema.js'
import { isoAlpha3 } from './countries.js'
import type { ImportedActor, ImportedFigure } from './imported-event.js'
import { isCalendarDate, mapRow, RowError, type RowReader } from './row-reader.js'
import type { Dataset } from './run-import.js'

/** The Global Terrorism Database's columns that the import reads (the rest stay in the raw row). */
export const gtdColumns = [
  'eventid',
  'iyear',
  'imonth',
  'iday',
  'extended',
  'country_txt',
  'provstate',
  'city',
  'latitude',
  'longitude',
  'specificity',
  'summary',
  'suicide',
  'attacktype1_txt',
  'gname',
  'guncertain1',
  'claimed',
  'nkill',
  'nkillter',
  'nwound',
  'nwoundte',
  'ishostkid',
  'nhostkid',
  'scite1',
] as const

// GTD's codebook: specificity 1 the exact place, 2 the city's neighbourhood unknown, 3 the
// second-order division, 4 the first-order division, 5 the country or a wider area.
const specificity: Record<string, GeoPrecision> = {
  '1': 'exact',
  '2': 'near',
  '3': 'admin2',
  '4': 'admin1',
  '5': 'country',
}

// attacktype*_txt → the GTD codes sql/0003 seeds.
const attackTypes: Record<string, string> = {
  Assassination: '1',
  'Armed Assault': '2',
  'Bombing/Explosion': '3',
  Hijacking: '4',
  'Hostage Taking (Barricade Incident)': '5',
  'Hostage Taking (Kidnapping)': '6',
  'Facility/Infrastructure Attack': '7',
  'Unarmed Assault': '8',
  Unknown: '9',
}

/** A year, month and day where GTD writes an unknown month or day as 0: the span it allows. */
function dates(row: RowReader) {
  const year = row.required('iyear')
  if (!/^\d{4}$/.test(year)) throw new RowError('iyear', `"${year}" is not a year`)
  const month = row.count('imonth')
  const day = row.count('iday')
  if (month > 12) throw new RowError('imonth', `"${month}" is not a month (1–12, or 0 for unknown)`)
  const pad = (value: number) => String(value).padStart(2, '0')
  if (month === 0)
    return { dateStart: `${year}-01-01`, dateEnd: `${year}-12-31`, datePrecision: 'year' as const }
  if (day === 0) {
    const last = new Date(Date.UTC(Number(year), month, 0)).getUTCDate()
    return {
      dateStart: `${year}-${pad(month)}-01`,
      dateEnd: `${year}-${pad(month)}-${last}`,
      datePrecision: 'month' as const,
    }
  }
  const date = `${year}-${pad(month)}-${pad(day)}`
  if (!isCalendarDate(date)) throw new RowError('iday', `${date} is not a date`)
  // An extended incident (more than 24 hours) has no end in these columns: its start is known.
  return { dateStart: date, dateEnd: date, datePrecision: 'day' as const }
}

/** A GTD row as an ImportedEvent, or the first reason it cannot be one. */
export const mapGtdRow = mapRow((row, line) => {
  const id = row.required('eventid')
  if (!/^\d{12}$/.test(id))
    throw new RowError('eventid', `"${id}" is not a GTD event id (12 digits)`)
  const { latitude, longitude } = row.point()
  const attack = row.code('attacktype1_txt', attackTypes)
  const otherAttacks = ['attacktype2_txt', 'attacktype3_txt']
    .filter((column) => row.optional(column))
    .map((column) => row.code(column, attackTypes))

  // gname, gname2, gname3: "Unknown" names no group. Uncertain attribution is a suspicion;
  // a claimed attack is the first group's claim.
  const claimed = row.text('claimed') === '1'
  const actors: ImportedActor[] = [
    ['gname', 'guncertain1'],
    ['gname2', 'guncertain2'],
    ['gname3', 'guncertain3'],
  ].flatMap(([nameColumn, uncertainColumn], index) => {
    const name = row.optional(nameColumn as string)
    if (!name || name === 'Unknown') return []
    const uncertain = row.text(uncertainColumn as string) === '1'
    return [
      {
        name,
        externalId: null,
        kind: 'unknown',
        role: 'perpetrator',
        side: null,
        attribution: uncertain ? 'suspected' : claimed && index === 0 ? 'claimed' : 'confirmed',
      } satisfies ImportedActor,
    ]
  })

  const figure = (
    category: ImportedFigure['category'],
    population: ImportedFigure['population'],
    column: string,
  ): ImportedFigure[] => {
    const value = row.countOrUnknown(column)
    return value === null
      ? []
      : [{ category, population, low: null, best: value, high: null, qualifier: 'exact' }]
  }
  const hostages = row.text('ishostkid') === '1' ? figure('hostage', 'all', 'nhostkid') : []

  const country = row.required('country_txt')
  // GTD writes "Unknown" where it does not know a place.
  const known = (column: string) => {
    const value = row.optional(column)
    return value === 'Unknown' ? null : value
  }
  const city = known('city')
  const attackLabel = row.required('attacktype1_txt')
  return {
    externalId: id,
    raw: row.raw,
    line,
    title: `${attackLabel}${city ? ` in ${city}` : ''}, ${country}`,
    summary: row.optional('summary'),
    ...dates(row),
    place: {
      country,
      gwCode: null,
      isoAlpha3: isoAlpha3(country),
      admin1: known('provstate'),
      admin2: null,
    },
    locationText: city,
    latitude,
    longitude,
    geoPrecision: latitude === null ? null : row.code('specificity', specificity),
    tags: row.text('extended') === '1' ? ['extended incident (more than 24 hours)'] : [],
    isSuicide: row.text('suicide') === '1',
    civilianTargeting: false,
    types: [
      { scheme: 'gtd', code: attack, primary: true },
      ...[...new Set(otherAttacks)]
        .filter((code) => code !== attack)
        .map((code) => ({ scheme: 'gtd' as const, code, primary: false })),
    ],
    actors,
    figures: [
      ...figure('killed', 'all', 'nkill'),
      ...figure('killed', 'perpetrators', 'nkillter'),
      ...figure('injured', 'all', 'nwound'),
      ...figure('injured', 'perpetrators', 'nwoundte'),
      ...hostages,
    ],
    reports: ['scite1', 'scite2', 'scite3']
      .map((column) => row.optional(column))
      .filter((citation): citation is string => citation !== null)
      .map((citation) => ({
        citation,
        sourceName: null,
        headline: null,
        publishedOn: null,
        quotes: [],
      })),
  }
})

/** The Global Terrorism Database (START, University of Maryland); its data may not be redistributed. */
export const gtd = {
  name: 'gtd',
  label: 'GTD',
  actorScheme: 'gtd',
  columns: gtdColumns,
  source: { name: 'Global Terrorism Database (GTD)', url: 'https://www.start.umd.edu/gtd/' },
  releaseCitation: (release: string) => `Global Terrorism Database (GTD), ${release}`,
  map: mapGtdRow,
} as const satisfies Dataset
