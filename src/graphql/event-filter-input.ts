import type { EventFilter } from '../db/event-filter.js'
import { toDbEnum as lower } from './enums.js'
import { badUserInput } from './errors.js'
import type { EventFilter as EventFilterInput } from './generated/resolvers.js'
import { idOfType } from './ids.js'

const maxSearchLength = 500
const maxListLength = 1000

/**
 * The API's filter input as the database's filter: ids decoded, enums lowered, and each rule
 * checked, so a bad filter is a BAD_USER_INPUT naming its field before any SQL runs.
 */
export function toEventFilter(
  input: EventFilterInput | null | undefined,
  argument = 'filter',
): EventFilter {
  if (!input) return {}
  const field = (name: string) => `${argument}.${name}`
  for (const name of [
    'countries',
    'places',
    'groups',
    'sources',
    'reports',
    'eventTypes',
    'externalIds',
  ] as const) {
    if ((input[name]?.length ?? 0) > maxListLength) {
      throw badUserInput(
        `${field(name)} may list at most ${maxListLength} values`,
        field(name),
        'max_list_length',
      )
    }
  }
  const { from, to } = input.dateRange ?? {}
  if (from && to && from > to) {
    throw badUserInput(
      `${field('dateRange')}: from (${from}) is after to (${to})`,
      field('dateRange'),
      'from_not_after_to',
    )
  }
  if (input.includeAffiliates && !input.groups?.length) {
    throw badUserInput(
      `${field('includeAffiliates')} needs groups`,
      field('includeAffiliates'),
      'needs_groups',
    )
  }
  if (input.search && input.search.length > maxSearchLength) {
    throw badUserInput(
      `${field('search')} is longer than ${maxSearchLength} characters`,
      field('search'),
      'max_length',
    )
  }
  const box = input.boundingBox
  if (box && box.south > box.north) {
    throw badUserInput(
      `${field('boundingBox')}: south is north of north`,
      field('boundingBox'),
      'south_not_above_north',
    )
  }
  const near = input.near
  if (near && !(near.radiusKm > 0 && near.radiusKm <= 20_000)) {
    throw badUserInput(
      `${field('near.radiusKm')} must be more than 0 and at most 20000`,
      field('near.radiusKm'),
      'range',
    )
  }
  const ids = (
    values: readonly string[] | null | undefined,
    type: Parameters<typeof idOfType>[1],
    name: string,
  ) => values?.map((value) => idOfType(value, type, field(name)))
  return dropUndefined({
    from: from ?? undefined,
    to: to ?? undefined,
    countries: input.countries ?? undefined,
    placeIds: ids(input.places, 'Place', 'places'),
    eventTypes: input.eventTypes?.map((type) => ({ scheme: lower(type.scheme), code: type.code })),
    groupIds: ids(input.groups, 'ArmedGroup', 'groups'),
    includeAffiliates: input.includeAffiliates ?? undefined,
    actorRoles: input.actorRoles?.map(lower),
    attributions: input.attributions?.map(lower),
    minKilled: input.minKilled ?? undefined,
    minInjured: input.minInjured ?? undefined,
    search: input.search ?? undefined,
    boundingBox: box ?? undefined,
    near: near ?? undefined,
    sourceIds: ids(input.sources, 'Source', 'sources'),
    reportIds: ids(input.reports, 'Report', 'reports'),
    updatedSince: input.updatedSince?.toISOString(),
    disputed: input.disputed ?? undefined,
    externalIds: input.externalIds ?? undefined,
  })
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T
}
