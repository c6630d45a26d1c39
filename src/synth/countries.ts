/**
 * The countries a synthetic data set is spread over: ISO 3166-1 alpha-3, name, Gleditsch-Ward
 * code and a point near the middle (rounded), so map boxes and country filters behave as on
 * real data. Listed roughly by how many events conflict datasets hold for them: the synthetic
 * events favour the first ones.
 */
export const synthCountries = [
  ['SYR', 'Syria', 652, 35.0, 38.5],
  ['AFG', 'Afghanistan', 700, 33.9, 67.7],
  ['IRQ', 'Iraq', 645, 33.2, 43.7],
  ['NGA', 'Nigeria', 475, 9.1, 8.7],
  ['SOM', 'Somalia', 520, 5.2, 46.2],
  ['YEM', 'Yemen', 679, 15.6, 48.5],
  ['COD', 'Democratic Republic of the Congo', 490, -2.9, 23.7],
  ['MLI', 'Mali', 432, 17.6, -4.0],
  ['CAF', 'Central African Republic', 482, 6.6, 20.9],
  ['SDN', 'Sudan', 625, 12.9, 30.2],
  ['SSD', 'South Sudan', 626, 7.9, 30.0],
  ['BFA', 'Burkina Faso', 439, 12.2, -1.6],
  ['PAK', 'Pakistan', 770, 30.4, 69.3],
  ['IND', 'India', 750, 21.0, 78.0],
  ['MMR', 'Myanmar', 775, 21.9, 95.9],
  ['UKR', 'Ukraine', 369, 48.4, 31.2],
  ['COL', 'Colombia', 100, 4.6, -74.3],
  ['MEX', 'Mexico', 70, 23.6, -102.6],
  ['PHL', 'Philippines', 840, 12.9, 121.8],
  ['LBY', 'Libya', 620, 26.3, 17.2],
  ['ETH', 'Ethiopia', 530, 9.1, 40.5],
  ['CMR', 'Cameroon', 471, 7.4, 12.4],
  ['NER', 'Niger', 436, 17.6, 8.1],
  ['MOZ', 'Mozambique', 541, -18.7, 35.5],
  ['TCD', 'Chad', 483, 15.5, 18.7],
  ['EGY', 'Egypt', 651, 26.8, 30.8],
  ['TUR', 'Turkey', 640, 39.0, 35.2],
  ['TUN', 'Tunisia', 616, 34.0, 9.5],
  ['DZA', 'Algeria', 615, 28.0, 1.7],
  ['THA', 'Thailand', 800, 15.9, 100.9],
] as const satisfies readonly (readonly [string, string, number, number, number])[]
