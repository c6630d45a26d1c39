import { type RawBuilder, sql, type Transaction } from 'kysely'
import type { Database } from '../db/database.js'
import type { DB } from '../db/schema.js'
import { synthCountries } from './countries.js'
import { seededDraws, thresholds } from './draws.js'
import { ucdpDistributions as ucdp } from './ucdp-distributions.js'

export interface SynthOptions {
  readonly events: number
  readonly seed: number
  /** Told after each chunk of events, with how many are written. */
  readonly onProgress?: (events: number) => void
}

export class SynthError extends Error {}

const admin1PerCountry = 8
const localitiesPerAdmin1 = 12
const eventsPerChunk = 100_000

/** How many of each thing a data set of `events` events holds (a few per thousand events). */
export function synthSizes(events: number) {
  const countries = synthCountries.length
  return {
    countries,
    places: countries * (1 + admin1PerCountry + admin1PerCountry * localitiesPerAdmin1),
    sources: Math.max(10, Math.round(events / 5000)),
    reports: Math.max(30, Math.round(events / 5)),
    // One state's forces per country, then armed groups.
    groups: countries + Math.max(30, Math.round(events / 2000)),
    persons: Math.max(10, Math.round(events / 1000)),
    events,
  }
}

/**
 * Fills an empty database with a deterministic synthetic data set shaped like UCDP GED
 * (src/synth/ucdp-distributions.ts): places, sources and reports with citation chains, groups
 * with aliases and dated relations, persons with memberships, and events with 1–3 actors and
 * casualty figures from 1–3 reports. Every row is a pure function of the seed and its number,
 * written set-based (generate_series), in one transaction.
 */
export async function synthesize(db: Database, options: SynthOptions) {
  const { events, seed } = options
  if (!Number.isInteger(events) || events < 1) throw new SynthError('events must be 1 or more')
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 40)
    throw new SynthError('seed must be a whole number from 0 to 2^40')
  const size = synthSizes(events)
  await db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ used: boolean }>`SELECT
      EXISTS (SELECT FROM event) OR EXISTS (SELECT FROM place) OR EXISTS (SELECT FROM source)
      OR EXISTS (SELECT FROM armed_group) OR EXISTS (SELECT FROM person) AS used`.execute(trx)
    if (rows[0]?.used) throw new SynthError('synth fills an empty database; this one has data')
    const write = writers(trx, seededDraws(seed), size)
    await write.places()
    await write.sourcesAndReports()
    await write.groups()
    await write.persons()
    for (let first = 1; first <= events; first += eventsPerChunk) {
      const last = Math.min(events, first + eventsPerChunk - 1)
      await write.events(first, last)
      options.onProgress?.(last)
    }
    // Rows were written with their ids; the identities continue after them.
    for (const table of identityTables)
      await sql`SELECT setval(pg_get_serial_sequence(${table}, 'id'), greatest(1, (SELECT max(id) FROM ${sql.table(table)})))`.execute(
        trx,
      )
  })
  await sql`ANALYZE`.execute(db)
  return size
}

const identityTables = [
  'place',
  'source',
  'report',
  'report_citation',
  'armed_group',
  'group_alias',
  'group_external_id',
  'group_relation',
  'person',
  'membership',
  'event',
  'event_actor',
  'casualty_figure',
  'event_citation',
] as const

const n = sql`n`
const series = (first: number, last: number) =>
  sql`generate_series(${first}::bigint, ${last}::bigint) AS n`

function writers(
  trx: Transaction<DB>,
  draw: ReturnType<typeof seededDraws>,
  size: ReturnType<typeof synthSizes>,
) {
  const { uniform, below, weighted, oneOf } = draw
  const run = (query: RawBuilder<unknown>) => query.execute(trx)
  const countries = size.countries
  const armedGroups = size.groups - countries
  // Groups with a high number head the skew: a few groups are in many events, most in few.
  const skewedGroup = (stream: number, key: RawBuilder<unknown>) =>
    sql<number>`(${countries + 1} + floor(${armedGroups} * power(${uniform(stream, key)}, 2))::int)`
  const report = (stream: number, key: RawBuilder<unknown>) =>
    sql`1 + ${below(size.reports, stream, key)}`

  return {
    async places() {
      await run(sql`INSERT INTO place (id, level, name, iso_alpha3, gw_code, latitude, longitude)
        OVERRIDING SYSTEM VALUE
        SELECT n, 'country', c.name, c.iso, c.gw, c.lat, c.lon
        FROM unnest(${synthCountries.map((c) => c[1])}::text[], ${synthCountries.map((c) => c[0])}::text[],
          ${synthCountries.map((c) => c[2])}::int[], ${synthCountries.map((c) => c[3])}::float8[],
          ${synthCountries.map((c) => c[4])}::float8[]) WITH ORDINALITY AS c (name, iso, gw, lat, lon, n)`)
      // Provinces are "North Syria"…; localities get a made-up name, unique within the province.
      const directions = ['North', 'South', 'East', 'West', 'Central', 'Upper', 'Lower', 'Greater']
      await run(sql`INSERT INTO place (id, parent_id, level, name, latitude, longitude)
        OVERRIDING SYSTEM VALUE
        SELECT ${countries} + (c.id - 1) * ${admin1PerCountry} + a, c.id, 'admin1',
          (${directions}::text[])[a] || ' ' || c.name,
          least(89, greatest(-89, c.latitude + (${uniform(1, sql`c.id * 100 + a`)} - 0.5) * 4)),
          c.longitude + (${uniform(2, sql`c.id * 100 + a`)} - 0.5) * 4
        FROM place c CROSS JOIN generate_series(1, ${admin1PerCountry}) a
        ORDER BY 1`)
      const firstLocality = countries * (1 + admin1PerCountry)
      await run(sql`INSERT INTO place (id, parent_id, level, name, latitude, longitude)
        OVERRIDING SYSTEM VALUE
        SELECT ${firstLocality} + (p.id - ${countries + 1}) * ${localitiesPerAdmin1} + l, p.id, 'locality',
          ${oneOf(['Ba', 'Ka', 'Ma', 'Sa', 'Ta', 'Bo', 'Ko', 'Mo', 'Da', 'Ga', 'Ra', 'Zu'], 3, sql`p.id * 100 + l`)}
            || (ARRAY['ngo', 'lama', 'rek', 'dani', 'sul', 'bara', 'tin', 'kole', 'mir', 'dou', 'sak', 'wen'])[l],
          least(89, greatest(-89, p.latitude + (${uniform(4, sql`p.id * 100 + l`)} - 0.5) * 1.5)),
          p.longitude + (${uniform(5, sql`p.id * 100 + l`)} - 0.5) * 1.5
        FROM place p CROSS JOIN generate_series(1, ${localitiesPerAdmin1}) l
        WHERE p.level = 'admin1'
        ORDER BY 1`)
    },

    async sourcesAndReports() {
      const kinds = [
        ['news_outlet', 50],
        ['news_agency', 10],
        ['government', 15],
        ['ngo', 10],
        ['social_media', 10],
        ['armed_group', 5],
      ] as const
      const outlets = [
        'Daily',
        'Tribune',
        'Observer',
        'Radio',
        'Monitor',
        'Herald',
        'Post',
        'Times',
      ]
      await run(sql`INSERT INTO source (id, name, kind, country_id) OVERRIDING SYSTEM VALUE
        SELECT n, c.name || ' ' || ${oneOf(outlets, 10, n)} || ' ' || n,
          ${weighted(kinds, 'source_kind', 11, n)}, c.id
        FROM ${series(1, size.sources)}
        JOIN place c ON c.id = 1 + ${below(countries, 12, n)}`)
      // Reports are spread over the same years as the events; a few sources publish most.
      await run(sql`INSERT INTO report (id, source_id, headline, url, published_on, language)
        OVERRIDING SYSTEM VALUE
        SELECT n, source_id, 'Report ' || n || ' of ' || source.name,
          'https://synth.example/' || source_id || '/' || n,
          ${dateAt(sql`(n - 0.5) / ${size.reports}`)}, ${oneOf(['en', 'en', 'en', 'fr', 'ar'], 14, n)}
        FROM (SELECT n, 1 + floor(${size.sources} * power(${uniform(13, n)}, 2))::int AS source_id
          FROM ${series(1, size.reports)}) r
        JOIN source ON source.id = r.source_id`)
      // Source chains: one report in ten cites an earlier report, one in twenty a source.
      await run(sql`INSERT INTO report_citation (id, report_id, cited_report_id, cited_source_id)
        OVERRIDING SYSTEM VALUE
        SELECT n, n,
          CASE WHEN draw < 0.1 THEN n - 1 - ${below(sql`least(n - 1, 50)`, 16, n)} END,
          CASE WHEN draw >= 0.1 THEN 1 + ${below(size.sources, 17, n)} END
        FROM (SELECT n, ${uniform(15, n)} AS draw FROM ${series(2, size.reports)}) r
        WHERE draw < 0.15`)
    },

    async groups() {
      const kinds = [
        ['rebel_group', 60],
        ['political_militia', 20],
        ['identity_militia', 15],
        ['criminal_group', 5],
      ] as const
      const organizations = ['Front', 'Movement', 'Army', 'Alliance', 'Brigade', 'Union', 'Council']
      const causes = [
        'for the Liberation of',
        'for the Defence of',
        'for Justice in',
        'of the People of',
        'for the Salvation of',
      ]
      await run(sql`INSERT INTO armed_group (id, name, kind, country_id, founded_on) OVERRIDING SYSTEM VALUE
        SELECT c.id, 'Government of ' || c.name, 'state_forces', c.id, NULL
        FROM place c WHERE c.level = 'country'
        UNION ALL
        SELECT n, ${oneOf(organizations, 20, n)} || ' ' || ${oneOf(causes, 21, n)} || ' ' || province.name,
          ${weighted(kinds, 'group_kind', 22, n)}, province.country_id,
          date '1980-01-01' + ${below(12_000, 23, n)}
        FROM ${series(countries + 1, size.groups)}
        JOIN place province ON province.id = ${countries + 1} + ${below(countries * admin1PerCountry, 24, n)}
        ORDER BY 1`)
      // 0–3 aliases: the acronym, a French name, a numbered faction name.
      await run(sql`INSERT INTO group_alias (id, group_id, alias, language) OVERRIDING SYSTEM VALUE
        SELECT (g.id - 1) * 3 + k, g.id,
          CASE k WHEN 1 THEN regexp_replace(g.name, '[^A-Z]', '', 'g') || '-' || g.id
            WHEN 2 THEN 'Mouvement ' || g.id ELSE 'Faction ' || g.id END,
          CASE k WHEN 2 THEN 'fr' END
        FROM armed_group g CROSS JOIN generate_series(1, 3) k
        WHERE k <= ${below(4, 25, sql`g.id`)}
        ORDER BY 1`)
      await run(sql`INSERT INTO group_external_id (id, group_id, scheme, external_id) OVERRIDING SYSTEM VALUE
        SELECT id, id, 'ucdp', (1000 + id)::text FROM armed_group ORDER BY id`)
      // A tenth of the armed groups lead; four in ten of the others pledge allegiance to one or
      // are its branch, over a span of dates (often still in force).
      const leaders = Math.max(3, Math.round(armedGroups / 10))
      await run(sql`INSERT INTO group_relation (id, from_group_id, to_group_id, kind, valid_from, valid_to, report_id)
        OVERRIDING SYSTEM VALUE
        SELECT n, n, ${countries + 1} + ${below(leaders, 26, n)},
          CASE WHEN ${uniform(27, n)} < 0.7 THEN 'allegiance' ELSE 'branch_of' END::group_relation_kind,
          date '2000-01-01' + ${below(5000, 28, n)} AS valid_from,
          CASE WHEN ${uniform(29, n)} < 0.5 THEN date '2000-01-01' + ${below(5000, 28, n)} + ${below(3000, 30, n)} END,
          ${report(31, n)}
        FROM ${series(countries + leaders + 1, size.groups)}
        WHERE ${uniform(32, n)} < 0.4`)
    },

    async persons() {
      const given = ['Abdel', 'Amadou', 'Fatima', 'Ibrahim', 'Maria', 'Jean', 'Aisha', 'Omar']
      const family = ['Diallo', 'Haddad', 'Mensah', 'Okafor', 'Rahimi', 'Santos', 'Touré', 'Yusuf']
      await run(sql`INSERT INTO person (id, name, born_on, nationality_id) OVERRIDING SYSTEM VALUE
        SELECT n, ${oneOf(given, 40, n)} || ' ' || ${oneOf(family, 41, n)} || ' ' || n,
          date '1950-01-01' + ${below(15_000, 42, n)}, 1 + ${below(countries, 43, n)}
        FROM ${series(1, size.persons)}`)
      // Everyone belongs to one group; three in ten leave it for another (or rejoin in another role).
      await run(sql`INSERT INTO membership (id, person_id, group_id, role, valid_from, valid_to, report_id)
        OVERRIDING SYSTEM VALUE
        SELECT (n - 1) * 2 + k, n,
          CASE k WHEN 1 THEN ${skewedGroup(44, n)} ELSE ${skewedGroup(45, n)} END,
          ${oneOf(['member', 'member', 'member', 'commander', 'spokesperson'], 46, n)},
          CASE k WHEN 1 THEN joined ELSE joined + stayed + 1 END,
          CASE WHEN k = 1 AND (moved OR ${uniform(47, n)} < 0.5) THEN joined + stayed END,
          ${report(48, n)}
        FROM (SELECT n, date '2005-01-01' + ${below(5000, 49, n)} AS joined, 30 + ${below(2000, 50, n)} AS stayed,
          ${uniform(51, n)} < 0.3 AS moved FROM ${series(1, size.persons)}) p
        CROSS JOIN generate_series(1, 2) k
        WHERE k = 1 OR moved
        ORDER BY 1`)
    },

    /** Events first..last with their classification, actors, figures, citations and persons. */
    async events(first: number, last: number) {
      const violenceWords = [
        ['Clashes', 'Fighting', 'Army offensive', 'Ambush on troops'],
        ['Clashes between militias', 'Inter-communal fighting', 'Rebel infighting', 'Feud'],
        ['Attack on civilians', 'Village raid', 'Massacre', 'Abduction'],
      ]
      const weapons = [
        'ambush',
        'airstrike',
        'shelling',
        'bombing',
        'raid',
        'gunfire',
        'mortar fire',
        'arson',
        'kidnapping',
        'landmine',
      ]
      const targets = [
        'convoy',
        'market',
        'checkpoint',
        'village',
        'military base',
        'mosque',
        'church',
        'school',
        'bus',
        'police station',
      ]
      const firstLocality = countries * (1 + admin1PerCountry) + 1
      // The events of a chunk, each attribute a function of its number n. Dates follow n (as
      // an import in date order would), shuffled by up to ten days.
      const chunk = sql`(SELECT n,
          ${weighted(ucdp.violenceType, 'int', 60, n)} AS violence,
          ${dateAt(sql`(n - 0.5) / ${size.events}`)} + ${below(21, 61, n)} - 10 AS date_start,
          ${weighted(ucdp.durationDays, 'int', 62, n)} AS days,
          -- Countries are skewed too: the first of the list hold most events.
          ${firstLocality} + (floor(${countries} * power(${uniform(63, n)}, 1.5))::int * ${admin1PerCountry * localitiesPerAdmin1})
            + ${below(admin1PerCountry * localitiesPerAdmin1, 64, n)} AS locality_id,
          ${skewedGroup(65, n)} AS group_a,
          ${skewedGroup(66, n)} AS group_b,
          ${skewedGroup(67, n)} AS group_c,
          ${weighted(ucdp.sources, 'int', 68, n)} AS reports,
          1 + ${below(size.reports, 70, n)} AS report_base,
          -- Figures: the first report's killed low/best/high as UCDP has it, the others their
          -- own best estimate; one event in four also has an injured figure.
          split_part(killed, '/', 1)::int AS low, split_part(killed, '/', 3)::int AS high,
          split_part(killed, '/', 2)::int AS best1,
          round(split_part(killed, '/', 2)::int * (0.6 + 0.8 * ${uniform(84, sql`n * 4 + 2`)}))::int AS best2,
          round(split_part(killed, '/', 2)::int * (0.6 + 0.8 * ${uniform(84, sql`n * 4 + 3`)}))::int AS best3,
          CASE WHEN ${uniform(86, n)} < 0.25
            THEN round(split_part(killed, '/', 2)::int * 2 * ${uniform(83, sql`n * 4 + 4`)})::int END AS injured
        FROM (SELECT n, ${weighted(ucdp.killed, 'text', 69, n)} AS killed FROM ${series(first, last)}) drawn) e`
      await run(sql`INSERT INTO event (id, title, summary, date_start, date_end, date_precision, place_id,
          location_text, latitude, longitude, geo_precision, is_suicide, civilian_targeting,
          killed_best, injured_best, killed_low, killed_high, injured_low, injured_high)
        OVERRIDING SYSTEM VALUE
        SELECT n,
          (${violenceWords.flat()}::text[])[(violence - 1) * 4 + 1 + ${below(4, 71, n)}] || ' in ' || locality.name,
          'Reports describe ' || ${oneOf(weapons, 72, n)} || ' near a ' || ${oneOf(targets, 73, n)}
            || ' outside ' || locality.name || ', ' || province.name || '.',
          date_start, date_start + days,
          ${weighted(ucdp.datePrecision, 'date_precision', 74, n)},
          locality.id, locality.name || ', ' || province.name,
          least(90, greatest(-90, locality.latitude + (${uniform(75, n)} - 0.5) * 0.2)),
          least(180, greatest(-180, locality.longitude + (${uniform(76, n)} - 0.5) * 0.2)),
          ${weighted(ucdp.geoPrecision, 'geo_precision', 77, n)},
          ${uniform(78, n)} < 0.01, violence = 3,
          -- The casualty_summary view's rule (sql/0007: the lower median of the reports' best
          -- estimates), applied here so that the rollup trigger on the figures finds every
          -- event already up to date instead of rewriting a million rows.
          CASE reports WHEN 1 THEN best1 WHEN 2 THEN least(best1, best2)
            ELSE greatest(least(best1, best2), least(greatest(best1, best2), best3)) END,
          injured,
          -- Every killed figure spans the first report's low..high and its own best.
          CASE reports WHEN 1 THEN least(low, best1) WHEN 2 THEN least(low, best1, best2)
            ELSE least(low, best1, best2, best3) END,
          CASE reports WHEN 1 THEN greatest(high, best1) WHEN 2 THEN greatest(high, best1, best2)
            ELSE greatest(high, best1, best2, best3) END,
          injured, injured
        FROM ${chunk}
        JOIN place locality ON locality.id = e.locality_id
        JOIN place province ON province.id = locality.parent_id
        ORDER BY n`)
      await run(sql`INSERT INTO event_classification (event_id, event_type_id, is_primary)
        SELECT n, type.id, true FROM ${chunk}
        JOIN event_type type ON type.scheme = 'ucdp' AND type.code = violence::text
        ORDER BY n`)
      // UCDP's sides: state-based conflict is a government against a group, non-state conflict
      // two groups, one-sided violence a perpetrator; one event in ten has an associated group.
      await run(sql`INSERT INTO event_actor (id, event_id, group_id, role, side, attribution, report_id)
        OVERRIDING SYSTEM VALUE
        SELECT (n - 1) * 3 + actor.k, n, actor.group_id, actor.role::actor_role, actor.side::actor_side,
          CASE WHEN actor.k = 1 THEN ${weighted(
            [
              ['confirmed', 80],
              ['claimed', 10],
              ['suspected', 8],
              ['competing_claim', 2],
            ],
            'attribution',
            80,
            n,
          )} ELSE 'confirmed' END,
          CASE WHEN actor.k = 1 AND ${uniform(81, n)} < 0.2 THEN report_base END
        FROM ${chunk}
        JOIN event ON event.id = e.n
        CROSS JOIN LATERAL (VALUES
          (1, CASE violence WHEN 1 THEN event.country_id ELSE group_a END,
            CASE violence WHEN 3 THEN 'perpetrator' ELSE 'participant' END, 'a'),
          (2, CASE violence WHEN 1 THEN group_b
            WHEN 2 THEN CASE WHEN group_b = group_a THEN group_a + 1 ELSE group_b END END, 'participant', 'b'),
          (3, CASE WHEN ${uniform(82, n)} < 0.1 THEN group_c END, 'associated', NULL)
        ) AS actor (k, group_id, role, side)
        WHERE actor.group_id IS NOT NULL AND actor.group_id <= ${size.groups}
        ORDER BY 1`)
      const figureReport = sql`1 + (report_base - 1 + (j - 1) * ${Math.floor(size.reports / 3)}) % ${size.reports}`
      await run(sql`INSERT INTO casualty_figure (id, event_id, category, population, low, best, high, qualifier, report_id)
        OVERRIDING SYSTEM VALUE
        SELECT (n - 1) * 4 + j, n, figure.category::casualty_category, figure.population::casualty_population,
          least(figure.low, figure.best), figure.best, greatest(figure.high, figure.best), figure.qualifier::figure_qualifier, ${figureReport}
        FROM ${chunk}
        CROSS JOIN generate_series(1, 4) j
        CROSS JOIN LATERAL (SELECT
          CASE WHEN j = 4 THEN 'injured' ELSE 'killed' END AS category,
          CASE WHEN j = 4 THEN 'civilians' ELSE 'all' END AS population,
          CASE WHEN j < 4 THEN low END AS low,
          (ARRAY[best1, best2, best3, injured])[j] AS best,
          CASE WHEN j < 4 THEN high END AS high,
          CASE WHEN j > 1 AND j < 4 THEN ${oneOf(['exact', 'exact', 'at_least', 'approximately'], 85, sql`n * 4 + j`)} ELSE 'exact' END AS qualifier
        ) figure
        WHERE j <= reports OR (j = 4 AND injured IS NOT NULL)
        ORDER BY 1`)
      await run(sql`INSERT INTO event_citation (id, event_id, report_id) OVERRIDING SYSTEM VALUE
        SELECT (n - 1) * 3 + j, n, ${figureReport}
        FROM ${chunk} CROSS JOIN generate_series(1, 3) j
        WHERE j <= reports
        ORDER BY 1`)
      await run(sql`INSERT INTO event_person (event_id, person_id, role, outcome, report_id)
        SELECT n, 1 + ${below(size.persons, 87, n)}, ${oneOf(['commander', 'perpetrator', 'victim'], 88, n)},
          ${oneOf(['killed', 'arrested', 'unharmed', 'unknown'], 89, n)}::person_outcome, report_base
        FROM ${chunk}
        WHERE ${uniform(90, n)} < 0.03
        ORDER BY n`)
    },
  }

  /** The date at a position in [0, 1) of the data set: UCDP's share of events per year, each year's share spread over its days. */
  function dateAt(position: RawBuilder<unknown>) {
    const years = [...ucdp.year].sort((a, b) => a[0] - b[0])
    const starts = thresholds(years)
    const total = years.reduce((sum, [, weight]) => sum + weight, 0)
    const bucket = sql`width_bucket((${position})::float8, ${starts}::float8[])`
    return sql<string>`(make_date((${years.map(([year]) => year)}::int[])[${bucket}], 1, 1)
      + floor(((${position})::float8 - (${starts}::float8[])[${bucket}]) / (${years.map(([, weight]) => weight / total)}::float8[])[${bucket}] * 365)::int)`
  }
}
