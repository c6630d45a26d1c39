import countries from 'i18n-iso-countries'
import en from 'i18n-iso-countries/langs/en.json' with { type: 'json' }

countries.registerLocale(en)

/**
 * The ISO 3166-1 alpha-3 code of a country the datasets name ("Central African Republic") or
 * number (ACLED's numeric iso), so imported events answer the API's country filter.
 */
export function isoAlpha3(name: string, numeric?: string | null): string | null {
  if (numeric && /^\d{1,3}$/.test(numeric)) {
    const code = countries.numericToAlpha3(numeric.padStart(3, '0'))
    if (code) return code
  }
  return countries.getAlpha3Code(name, 'en') ?? null
}
