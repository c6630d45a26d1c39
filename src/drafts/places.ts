import { readFileSync } from 'node:fs'
import path from 'node:path'
import countries from 'i18n-iso-countries'
import regions from 'country-region-data/data.json' with { type: 'json' }
import { projectRoot } from '../paths.js'

// The gazetteer below the country that the project ships: first-level divisions by name
// (country-region-data) and towns and cities with their point (data/gazetteer/cities.tsv,
// derived from GeoNames by `npm run gazetteer:build`). What a report's place name may be, and
// in which country: the extractor picks among them with the report's own countries.

export type PlaceLevel = 'ADMIN1' | 'LOCALITY'

export interface KnownPlace {
  readonly name: string
  /** ISO 3166-1 alpha-3. */
  readonly countryCode: string
  readonly level: PlaceLevel
  readonly latitude: number | null
  readonly longitude: number | null
  readonly population: number
}

/** A name's lookup key: no accents, case, hyphens or apostrophes ("Tillabéri" = "tillaberi"). */
export const placeKey = (name: string) =>
  name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[-\s]+/g, ' ')
    .trim()

let index: Map<string, KnownPlace[]> | null = null

function load(): Map<string, KnownPlace[]> {
  const byKey = new Map<string, KnownPlace[]>()
  const add = (key: string, place: KnownPlace) => {
    const list = byKey.get(key)
    if (!list) byKey.set(key, [place])
    else if (
      !list.some((one) => one.countryCode === place.countryCode && one.level === place.level)
    )
      list.push(place)
  }
  for (const country of regions as { countryShortCode: string; regions: { name: string }[] }[]) {
    const countryCode = countries.alpha2ToAlpha3(country.countryShortCode)
    if (!countryCode) continue
    for (const region of country.regions) {
      const place: KnownPlace = {
        name: region.name,
        countryCode,
        level: 'ADMIN1',
        latitude: null,
        longitude: null,
        population: 0,
      }
      add(placeKey(region.name), place)
      // "Michoacán de Ocampo", "Jammu and Kashmir" are also said shorter: "Michoacan".
      const short = /^(\S+)\s+(de|del)\s+\S+$/.exec(region.name)?.[1]
      if (short) add(placeKey(short), place)
    }
  }
  const file = readFileSync(path.join(projectRoot, 'data/gazetteer/cities.tsv'), 'utf8')
  for (const line of file.split('\n')) {
    if (!line || line.startsWith('#')) continue
    const [name, alpha2, , latitude, longitude, population] = line.split('\t')
    const countryCode = countries.alpha2ToAlpha3(alpha2 as string)
    if (!name || !countryCode) continue
    add(placeKey(name), {
      name,
      countryCode,
      level: 'LOCALITY',
      latitude: Number(latitude),
      longitude: Number(longitude),
      population: Number(population),
    })
  }
  // The most populous first: what a bare name most likely means.
  for (const list of byKey.values()) list.sort((a, b) => b.population - a.population)
  return byKey
}

/** The places the gazetteer knows by this name, the most populous first. */
export function knownPlaces(name: string): readonly KnownPlace[] {
  index ??= load()
  return index.get(placeKey(name)) ?? []
}
