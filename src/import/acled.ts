import type { DatePrecision, GeoPrecision, GroupKind } from '../db/schema.js'
import { isoAlpha3 } from './countries.js'
import type { ImportedActor, ImportedFigure } from './imported-event.js'
import { mapRow, RowError, type RowReader } from './row-reader.js'
import type { Dataset } from './run-import.js'

/** ACLED's export columns. */
export const acledColumns = [
  'event_id_cnty',
  'event_date',
  'year',
  'time_precision',
  'disorder_type',
  'event_type',
  'sub_event_type',
  'actor1',
  'assoc_actor_1',
  'inter1',
  'actor2',
  'assoc_actor_2',
  'inter2',
  'interaction',
  'civilian_targeting',
  'iso',
  'region',
  'country',
  'admin1',
  'admin2',
  'admin3',
  'location',
  'latitude',
  'longitude',
  'geo_precision',
  'source',
  'source_scale',
  'notes',
  'fatalities',
  'tags',
  'timestamp',
] as const

// ACLED's codebook: time_precision 1 the day, 2 the week, 3 the month; geo_precision 1 the
// town itself, 2 near it or a part of a region, 3 only a larger region (the province).
const timePrecision: Record<string, DatePrecision> = { '1': 'day', '2': 'week', '3': 'month' }
const geoPrecision: Record<string, GeoPrecision> = { '1': 'exact', '2': 'near', '3': 'admin1' }

// inter1/inter2: a number in older exports, its words in newer ones.
const actorKinds: Record<string, GroupKind> = {
  '0': 'unknown',
  '1': 'state_forces',
  '2': 'rebel_group',
  '3': 'political_militia',
  '4': 'identity_militia',
  '5': 'rioters',
  '6': 'protesters',
  '7': 'civilians',
  '8': 'external_forces',
  'state forces': 'state_forces',
  'rebel group': 'rebel_group',
  'political militia': 'political_militia',
  'identity militia': 'identity_militia',
  rioters: 'rioters',
  protesters: 'protesters',
  civilians: 'civilians',
  'external/other forces': 'external_forces',
}

/** "Explosions/Remote violence" → "explosions_remote_violence": the codes sql/0003 seeds. */
function typeCode(row: RowReader, column: string): string {
  const code = row
    .required(column)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
  if (!knownTypes.has(code)) throw new RowError(column, `unknown ACLED type "${row.text(column)}"`)
  return code
}

const knownTypes = new Set([
  'battles',
  'explosions_remote_violence',
  'violence_against_civilians',
  'protests',
  'riots',
  'strategic_developments',
  'armed_clash',
  'government_regains_territory',
  'non_state_actor_overtakes_territory',
  'chemical_weapon',
  'air_drone_strike',
  'suicide_bomb',
  'shelling_artillery_missile_attack',
  'remote_explosive_landmine_ied',
  'grenade',
  'sexual_violence',
  'attack',
  'abduction_forced_disappearance',
  'peaceful_protest',
  'protest_with_intervention',
  'excessive_force_against_protesters',
  'violent_demonstration',
  'mob_violence',
  'agreement',
  'arrests',
  'change_to_group_activity',
  'disrupted_weapons_use',
  'headquarters_or_base_established',
  'looting_property_destruction',
  'non_violent_transfer_of_territory',
  'other',
])

/** An ACLED export row as an ImportedEvent, or the first reason it cannot be one. */
export const mapAcledRow = mapRow((row, line) => {
  const id = row.required('event_id_cnty')
  const date = row.date('event_date')
  const eventType = typeCode(row, 'event_type')
  const subEventType = typeCode(row, 'sub_event_type')
  const { latitude, longitude } = row.point()
  const againstCivilians = eventType === 'violence_against_civilians'

  const actors = (side: 'a' | 'b'): ImportedActor[] => {
    const number = side === 'a' ? '1' : '2'
    const name = row.optional(`actor${number}`)
    if (!name) return []
    const kind = actorKinds[row.text(`inter${number}`).toLowerCase()]
    if (kind === undefined)
      throw new RowError(`inter${number}`, `unknown actor type "${row.text(`inter${number}`)}"`)
    const main: ImportedActor = {
      name,
      externalId: null,
      kind,
      role: againstCivilians ? (side === 'a' ? 'perpetrator' : 'target') : 'participant',
      side,
      attribution: 'confirmed',
    }
    const associated = (row.optional(`assoc_actor_${number}`) ?? '')
      .split(';')
      .map((actor) => actor.trim())
      .filter(Boolean)
      .map(
        (actor): ImportedActor => ({
          name: actor,
          externalId: null,
          kind: 'unknown',
          role: 'associated',
          side,
          attribution: 'confirmed',
        }),
      )
    return [main, ...associated]
  }
  if (!row.optional('actor1')) throw new RowError('actor1', 'is empty')

  // An empty fatalities cell is unknown, not zero: no figure.
  const fatalities = row.countOrUnknown('fatalities')
  const figures: ImportedFigure[] =
    fatalities === null
      ? []
      : [
          {
            category: 'killed',
            population: 'all',
            low: null,
            best: fatalities,
            high: null,
            qualifier: 'exact',
          },
        ]
  const location = row.optional('location')
  const country = row.required('country')
  const subEventLabel = row.required('sub_event_type')
  const actor2 = row.optional('actor2')
  return {
    externalId: id,
    raw: row.raw,
    line,
    title: `${subEventLabel}: ${row.required('actor1')}${actor2 ? ` and ${actor2}` : ''}${location ? ` in ${location}` : ''}`,
    summary: row.optional('notes'),
    dateStart: date,
    dateEnd: date,
    datePrecision: row.code('time_precision', timePrecision),
    place: {
      country,
      gwCode: null,
      isoAlpha3: isoAlpha3(country, row.optional('iso')),
      admin1: row.optional('admin1'),
      admin2: row.optional('admin2'),
    },
    locationText: [location, row.optional('admin3')].filter(Boolean).join(', ') || null,
    latitude,
    longitude,
    geoPrecision: row.code('geo_precision', geoPrecision),
    tags: (row.optional('tags') ?? '')
      .split(';')
      .map((tag) => tag.trim())
      .filter(Boolean),
    isSuicide: subEventType === 'suicide_bomb',
    civilianTargeting: row.text('civilian_targeting').toLowerCase().startsWith('civilian'),
    types: [
      { scheme: 'acled', code: subEventType, primary: true },
      { scheme: 'acled', code: eventType, primary: false },
    ],
    actors: [...actors('a'), ...actors('b')],
    figures,
    // ACLED lists its sources by name only; each becomes that day's coverage by the source.
    reports: (row.optional('source') ?? '')
      .split(';')
      .map((source) => source.trim())
      .filter(Boolean)
      .map((source) => ({
        citation: `${source}, ${date} (cited by ACLED)`,
        sourceName: source,
        headline: null,
        publishedOn: null,
        quotes: [],
      })),
  }
})

/** ACLED, the Armed Conflict Location & Event Data project; its data may not be redistributed. */
export const acled = {
  name: 'acled',
  label: 'ACLED',
  actorScheme: 'acled',
  columns: acledColumns,
  source: { name: 'Armed Conflict Location & Event Data (ACLED)', url: 'https://acleddata.com/' },
  releaseCitation: (release: string) => `ACLED data export, ${release}`,
  map: mapAcledRow,
} as const satisfies Dataset
