// The query shapes of the API benchmark (bench/api.ts): each a GraphQL query with variables
// and, as a baseline, one hand-written SQL statement through `pg` that returns the same data
// as JSON (bench/baseline-server.ts): the floor, with no GraphQL in the way.

export interface ShapeVariables {
  readonly [name: string]: unknown
}

export interface Shape {
  readonly name: string
  readonly title: string
  readonly query: string
  /** Builds the SQL's parameters from the GraphQL variables (the baseline reads the same body). */
  readonly baseline: { readonly sql: string; params(variables: ShapeVariables): unknown[] }
}

const mapPage: Shape = {
  name: 'Q1',
  title: 'map page: 500 events in a box and 3 years',
  query: `query MapPage($box: BoundingBoxInput!, $from: Date!, $to: Date!) {
  events(first: 500, filter: { boundingBox: $box, dateRange: { from: $from, to: $to } }) {
    edges { node { id latitude longitude dateStart killedBest } }
  }
}`,
  baseline: {
    sql: `SELECT coalesce(json_agg(json_build_object('id', id, 'latitude', latitude, 'longitude', longitude,
        'dateStart', date_start, 'killedBest', killed_best) ORDER BY date_start DESC, id DESC), '[]')::text AS json
      FROM (SELECT id, latitude, longitude, date_start, killed_best FROM event
        WHERE deleted_at IS NULL AND latitude IS NOT NULL
          AND daterange(date_start, date_end, '[]') && daterange($1::date, $2::date, '[]')
          AND point(longitude, latitude) <@ box(point($3::float8, $4::float8), point($5::float8, $6::float8))
        ORDER BY date_start DESC, id DESC LIMIT 500) e`,
    params: ({ from, to, box }) => {
      const { west, south, east, north } = box as Record<string, number>
      return [from, to, west, south, east, north]
    },
  },
}

const timeline: Shape = {
  name: 'Q2',
  title:
    'timeline: 50 newest events, actors → group + aliases, figures → report → source, citations, place',
  query: `query Timeline($first: Int!) {
  events(first: $first, orderBy: DATE_DESC) {
    edges { node {
      id title dateStart datePrecision
      place { name }
      actors { role attribution group { name aliases { alias } } }
      casualtyFigures { category population best report { headline source { name } } }
      citations { report { headline url } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  baseline: {
    sql: `SELECT coalesce(json_agg(json_build_object('id', e.id, 'title', e.title, 'dateStart', e.date_start,
        'datePrecision', e.date_precision, 'place', (SELECT json_build_object('name', p.name) FROM place p WHERE p.id = e.place_id),
        'actors', (SELECT coalesce(json_agg(json_build_object('role', a.role, 'attribution', a.attribution,
            'group', json_build_object('name', g.name, 'aliases', (SELECT coalesce(json_agg(json_build_object('alias', ga.alias) ORDER BY ga.alias), '[]') FROM group_alias ga WHERE ga.group_id = g.id)))
            ORDER BY a.role, a.id), '[]')
          FROM event_actor a JOIN armed_group g ON g.id = a.group_id WHERE a.event_id = e.id),
        'casualtyFigures', (SELECT coalesce(json_agg(json_build_object('category', f.category, 'population', f.population, 'best', f.best,
            'report', json_build_object('headline', r.headline, 'source', (SELECT json_build_object('name', s.name) FROM source s WHERE s.id = r.source_id)))
            ORDER BY f.category, f.population, f.id), '[]')
          FROM casualty_figure f JOIN report r ON r.id = f.report_id WHERE f.event_id = e.id),
        'citations', (SELECT coalesce(json_agg(json_build_object('report', json_build_object('headline', r.headline, 'url', r.url)) ORDER BY c.id), '[]')
          FROM event_citation c JOIN report r ON r.id = c.report_id WHERE c.event_id = e.id)
      ) ORDER BY e.date_start DESC, e.id DESC), '[]')::text AS json
      FROM (SELECT * FROM event WHERE deleted_at IS NULL ORDER BY date_start DESC, id DESC LIMIT $1::int) e`,
    params: ({ first }) => [first],
  },
}

const groupProfile: Shape = {
  name: 'Q3',
  title: 'group profile: affiliates as of a date, members, first 50 events with casualties',
  query: `query GroupProfile($id: ID!, $asOf: Date!) {
  group(id: $id) {
    name kind
    aliases { alias }
    affiliates(asOf: $asOf) { id name }
    members(asOf: $asOf) { role validFrom person { name } }
    events(first: 50) {
      edges { node { id title dateStart casualties { category best } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`,
  baseline: {
    sql: `SELECT json_build_object('name', g.name, 'kind', g.kind,
        'aliases', (SELECT coalesce(json_agg(json_build_object('alias', alias) ORDER BY alias), '[]') FROM group_alias WHERE group_id = g.id),
        'affiliates', (SELECT coalesce(json_agg(json_build_object('id', a.id, 'name', a.name) ORDER BY a.id), '[]')
          FROM armed_group a WHERE a.id IN (SELECT group_id FROM group_affiliates(ARRAY[g.id])
            WHERE group_id <> g.id AND valid @> $2::date)),
        'members', (SELECT coalesce(json_agg(json_build_object('role', m.role, 'validFrom', m.valid_from,
            'person', json_build_object('name', p.name)) ORDER BY m.valid_from, m.id), '[]')
          FROM membership m JOIN person p ON p.id = m.person_id
          WHERE m.group_id = g.id AND daterange(m.valid_from, m.valid_to, '[]') @> $2::date),
        'events', (SELECT coalesce(json_agg(json_build_object('id', e.id, 'title', e.title, 'dateStart', e.date_start,
            'casualties', (SELECT coalesce(json_agg(json_build_object('category', s.category, 'best', s.best) ORDER BY s.category), '[]')
              FROM casualty_summary s WHERE s.event_id = e.id)) ORDER BY e.date_start DESC, e.id DESC), '[]')
          FROM (SELECT * FROM event WHERE deleted_at IS NULL
            AND EXISTS (SELECT 1 FROM event_actor a WHERE a.event_id = event.id AND a.group_id = g.id)
            ORDER BY date_start DESC, id DESC LIMIT 50) e)
      )::text AS json
      FROM armed_group g WHERE g.id = $1::bigint`,
    params: ({ id, asOf }) => [Buffer.from(String(id), 'base64url').toString().split(':')[1], asOf],
  },
}

const chart: Shape = {
  name: 'Q4',
  title: 'chart: eventStats monthly by country over 5 years',
  query: `query Chart($from: Date!, $to: Date!) {
  eventStats(filter: { dateRange: { from: $from, to: $to } }, groupBy: [TIME, COUNTRY], interval: MONTH) {
    period country { isoCode } eventCount casualties { category low best high }
  }
}`,
  // By hand from the same monthly rollup (sql/0040) the API reads: aggregating the events
  // themselves takes seconds at a million. The range is whole months, so the rollup is all of it.
  baseline: {
    sql: `SELECT coalesce(json_agg(json_build_object('period', b.month, 'country', json_build_object('isoCode', b.iso),
        'eventCount', b.events, 'casualties', b.casualties) ORDER BY b.month, b.country_id), '[]')::text AS json
      FROM (SELECT r.month, r.country_id, c.iso_alpha3 AS iso, max(r.events) FILTER (WHERE r.category IS NULL) AS events,
          coalesce(json_agg(json_build_object('category', r.category, 'low', r.low, 'best', r.best, 'high', r.high)
            ORDER BY r.category) FILTER (WHERE r.category IS NOT NULL), '[]') AS casualties
        FROM event_stats_rollup r LEFT JOIN place c ON c.id = r.country_id
        WHERE r.month >= $1::date AND r.month <= $2::date
        GROUP BY r.month, r.country_id, c.iso_alpha3) b`,
    params: ({ from, to }) => [from, to],
  },
}

const search: Shape = {
  name: 'Q5',
  title: 'search: full text, 20 results',
  query: `query Search($text: String!) {
  events(first: 20, filter: { search: $text }) {
    edges { node { id title dateStart locationText } }
  }
}`,
  baseline: {
    sql: `SELECT coalesce(json_agg(json_build_object('id', id, 'title', title, 'dateStart', date_start, 'locationText', location_text)
        ORDER BY date_start DESC, id DESC), '[]')::text AS json
      FROM (SELECT id, title, date_start, location_text FROM event
        WHERE deleted_at IS NULL AND search_vector @@ websearch_to_tsquery('english', $1)
        ORDER BY date_start DESC, id DESC LIMIT 20) e`,
    params: ({ text }) => [text],
  },
}

const deepPage: Shape = {
  name: 'Q6',
  title: 'deep page: page 200 (of 20) of events of one violence type, by cursor',
  query: `query DeepPage($after: String!) {
  events(first: 20, after: $after, filter: { eventTypes: [{ scheme: UCDP, code: "3" }] }) {
    edges { cursor node { id title dateStart } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  baseline: {
    sql: `SELECT coalesce(json_agg(json_build_object('id', id, 'title', title, 'dateStart', date_start)
        ORDER BY date_start DESC, id DESC), '[]')::text AS json
      FROM (SELECT id, title, date_start FROM event
        WHERE deleted_at IS NULL AND (date_start, id) < ($1::date, $2::bigint)
          AND EXISTS (SELECT 1 FROM event_classification c JOIN event_type t ON t.id = c.event_type_id
            WHERE c.event_id = event.id AND t.scheme = 'ucdp' AND t.code = '3')
        ORDER BY date_start DESC, id DESC LIMIT 20) e`,
    params: ({ position }) => position as unknown[],
  },
}

export const shapes: readonly Shape[] = [mapPage, timeline, groupProfile, chart, search, deepPage]
