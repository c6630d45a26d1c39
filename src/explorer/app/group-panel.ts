import { h } from './dom.js'
import { claimItem, quote, reportReference, section } from './evidence.js'
import { formatDates, humanize } from './format.js'
import type { DatePrecision, GroupDetailQuery } from './generated/operations.js'
import { groupLink } from './links.js'

type GroupDetail = NonNullable<GroupDetailQuery['group']>
type Relation = GroupDetail['relations'][number]

const relationVerbs: Record<Relation['kind'], string> = {
  ALLEGIANCE: 'pledged allegiance to',
  BRANCH_OF: 'is a branch of',
  SPLINTER_OF: 'split from',
  MERGED_INTO: 'merged into',
  RENAMED_TO: 'was renamed',
  ALLY: 'is allied with',
  RIVAL: 'is a rival of',
}

const dateOf = (date: string | null, precision: DatePrecision | null) =>
  date ? formatDates(date, date, precision ?? 'DAY') : null

/** "2014 – 2019", "since 2014", "until 2019" or "dates unknown". */
function validity(item: {
  validFrom: string | null
  validFromPrecision: DatePrecision | null
  validTo: string | null
  validToPrecision: DatePrecision | null
}): string {
  const from = dateOf(item.validFrom, item.validFromPrecision)
  const to = dateOf(item.validTo, item.validToPrecision)
  if (from && to) return `${from} – ${to}`
  if (from) return `since ${from}`
  if (to) return `until ${to}`
  return 'dates unknown'
}

/** A group's page: its names and ids, its relations over time, its members and claims. */
export function groupPanel(group: GroupDetail): HTMLElement {
  const founded = dateOf(group.foundedOn, group.foundedPrecision)
  const dissolved = dateOf(group.dissolvedOn, group.dissolvedPrecision)
  // Oldest first; relations with no start date go last, as their place in time is unknown.
  const relations = [...group.relations].sort((a, b) =>
    (a.validFrom ?? '9999').localeCompare(b.validFrom ?? '9999'),
  )
  return h(
    'article',
    { class: 'group-detail', 'aria-labelledby': 'detail-title' },
    h('h2', { id: 'detail-title', tabindex: -1 }, group.name),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Kind'),
      h('dd', {}, humanize(group.kind)),
      group.country && [h('dt', {}, 'Country'), h('dd', {}, group.country.name)],
      (founded || dissolved) && [
        h('dt', {}, 'Active'),
        h('dd', {}, `${founded ?? '?'} – ${dissolved ?? (founded ? 'now' : '?')}`),
      ],
    ),
    group.description && h('p', { class: 'summary' }, group.description),
    h('p', { class: 'hint' }, 'The map, the timeline and the list show its events.'),
    section(
      'Also known as',
      group.aliases.length
        ? h(
            'ul',
            { class: 'aliases' },
            group.aliases.map((a) => h('li', {}, a.alias, a.language && ` (${a.language})`)),
          )
        : h('p', {}, 'No other name is recorded.'),
    ),
    group.externalIds.length > 0 &&
      section(
        'In other datasets',
        h(
          'ul',
          { class: 'external-ids' },
          group.externalIds.map((id) => h('li', {}, `${id.scheme.toUpperCase()} ${id.externalId}`)),
        ),
      ),
    section(
      'Relations over time',
      relations.length
        ? h(
            'ol',
            { class: 'relation-timeline' },
            relations.map((relation) =>
              h(
                'li',
                { class: `relation ${relation.kind.toLowerCase()}` },
                h('span', { class: 'when' }, validity(relation)),
                h(
                  'p',
                  { class: 'what' },
                  nameOrLink(relation.from, group.id),
                  ` ${relationVerbs[relation.kind]} `,
                  nameOrLink(relation.to, group.id),
                ),
                quote(relation.quote),
                reportReference(relation.report),
              ),
            ),
          )
        : h('p', {}, 'No relation to another group is recorded.'),
    ),
    group.members.length > 0 &&
      section(
        'Members',
        h(
          'ul',
          { class: 'members' },
          group.members.map((m) =>
            h(
              'li',
              {},
              h('strong', {}, m.person.name),
              ` — ${m.role}, ${validity(m)}`,
              quote(m.quote),
              reportReference(m.report),
            ),
          ),
        ),
      ),
    group.claims.length > 0 &&
      section(
        'Claims about it',
        h(
          'ul',
          { class: 'claims' },
          group.claims.map((claim) => claimItem(claim)),
        ),
      ),
  )
}

const nameOrLink = (other: { id: string; name: string }, self: string) =>
  other.id === self ? h('strong', {}, other.name) : groupLink(other.id, other.name)
