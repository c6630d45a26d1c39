import countries from 'i18n-iso-countries'
import en from 'i18n-iso-countries/langs/en.json' with { type: 'json' }

countries.registerLocale(en)

// Countries by every name the i18n-iso-countries package ships for them, plus the short forms
// news copy uses that it lacks, and the adjectives ("Tunisian", "Congolese") that name a
// country without its noun. Places below the country come from the database (resolve.ts).

const shortNames: Record<string, string> = {
  Syria: 'SYR',
  Iran: 'IRN',
  Congo: 'COD',
  'Democratic Republic of Congo': 'COD',
  DRC: 'COD',
  'DR Congo': 'COD',
  'Republic of Congo': 'COG',
  Russia: 'RUS',
  Tanzania: 'TZA',
  Venezuela: 'VEN',
  Bolivia: 'BOL',
  Laos: 'LAO',
  Moldova: 'MDA',
  'Ivory Coast': 'CIV',
  Palestine: 'PSE',
  Gaza: 'PSE',
  'West Bank': 'PSE',
  Kosovo: 'XKX',
  Britain: 'GBR',
  Turkey: 'TUR',
}

const adjectives: Record<string, string> = {
  Afghan: 'AFG',
  Algerian: 'DZA',
  Burkinabe: 'BFA',
  Burundian: 'BDI',
  Cameroonian: 'CMR',
  Chadian: 'TCD',
  Colombian: 'COL',
  Congolese: 'COD',
  Egyptian: 'EGY',
  Ethiopian: 'ETH',
  Filipino: 'PHL',
  Philippine: 'PHL',
  French: 'FRA',
  British: 'GBR',
  Indian: 'IND',
  Iranian: 'IRN',
  Iraqi: 'IRQ',
  Israeli: 'ISR',
  Kenyan: 'KEN',
  Lebanese: 'LBN',
  Libyan: 'LBY',
  Malian: 'MLI',
  Mauritanian: 'MRT',
  Mozambican: 'MOZ',
  Nigerian: 'NGA',
  Nigerien: 'NER',
  Pakistani: 'PAK',
  Palestinian: 'PSE',
  Russian: 'RUS',
  Saudi: 'SAU',
  Somali: 'SOM',
  Sudanese: 'SDN',
  Syrian: 'SYR',
  Tunisian: 'TUN',
  Turkish: 'TUR',
  Ugandan: 'UGA',
  Ukrainian: 'UKR',
  Yemeni: 'YEM',
}

export interface CountryName {
  readonly name: string
  readonly code: string
  /** An adjective ("Tunisian"), not the country's name. */
  readonly adjective: boolean
}

function countryNames(): Map<string, CountryName> {
  const byName = new Map<string, CountryName>()
  const add = (name: string, code: string, adjective: boolean) => {
    if (!byName.has(name)) byName.set(name, { name, code, adjective })
  }
  for (const [name, code] of Object.entries(shortNames)) add(name, code, false)
  for (const [alpha2, names] of Object.entries(countries.getNames('en', { select: 'all' }))) {
    const code = countries.alpha2ToAlpha3(alpha2)
    // Two-letter forms ("US", "UK") are words in other senses too often.
    for (const name of names) if (code && name.length > 3) add(name, code, false)
  }
  for (const [name, code] of Object.entries(adjectives)) add(name, code, true)
  return byName
}

export const countriesByName = countryNames()

// Longest first, so "Central African Republic" wins over "Central".
const countryPattern = new RegExp(
  `\\b(${[...countriesByName.keys()]
    .sort((a, b) => b.length - a.length)
    .map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|')})s?\\b`,
  'g',
)

export interface CountryMention {
  readonly start: number
  readonly end: number
  readonly country: CountryName
}

export function countriesIn(text: string): CountryMention[] {
  const found: CountryMention[] = []
  countryPattern.lastIndex = 0
  for (let match = countryPattern.exec(text); match; match = countryPattern.exec(text)) {
    const name = match[1] as string
    const country = countriesByName.get(name)
    if (country) found.push({ start: match.index, end: match.index + name.length, country })
  }
  return found
}

/** The country's name in English, by its alpha-3 code. */
export function countryName(code: string): string {
  return countries.getName(countries.alpha3ToAlpha2(code) ?? '', 'en') ?? code
}
