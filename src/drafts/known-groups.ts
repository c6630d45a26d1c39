import { sameGroup } from './actors.js'

// Armed groups news copy names often, each with the names and acronyms it goes by: what tells
// a bare name ("Jaish-e-Mohammed", "CODECO", "BLA") from a person or a place, and gives a draft
// the other names of a group it found, so the editor and groups(search:) see them. Not a
// register of groups: the database is; this list only helps read the text.

const groups: readonly (readonly string[])[] = [
  [
    'Islamic State',
    'ISIS',
    'ISIL',
    'IS',
    'Daesh',
    'Daish',
    'Islamic State of Iraq and Syria',
    'Islamic State of Iraq and the Levant',
  ],
  ['Islamic State West Africa Province', 'ISWAP', 'ISWA'],
  ['Islamic State in the Greater Sahara', 'ISGS', 'Islamic State Sahel Province', 'ISSP'],
  ['Islamic State-Khorasan', 'IS-K', 'ISKP', 'ISIS-K', 'Islamic State Khorasan Province'],
  ['Islamic State Central Africa Province', 'ISCAP'],
  ['Islamic State Mozambique Province', 'ISM', 'Ahlu Sunnah Wal Jamaa', 'Ansar al-Sunna'],
  ['al-Qaeda', 'al Qaeda', 'al-Qaida', 'al Qaida'],
  ['al-Qaeda in the Arabian Peninsula', 'AQAP'],
  ['al-Qaeda in the Islamic Maghreb', 'AQIM'],
  [
    'Jama’at Nusrat al-Islam wal-Muslimin',
    'JNIM',
    'GSIM',
    'Jamaat Nusrat al-Islam wal-Muslimeen',
    'Group to Support Islam and Muslims',
    'Group for the Support of Islam and Muslims',
  ],
  ['al-Shabaab', 'al Shabaab', 'al-Shabab', 'al Shabab', 'Harakat al-Shabaab al-Mujahideen'],
  ['Boko Haram', 'Jama’atu Ahlis Sunna Lidda’awati wal-Jihad', 'JAS'],
  ['Ansaru'],
  ['Allied Democratic Forces', 'ADF'],
  ['March 23 Movement', 'M23'],
  ['CODECO', 'Cooperative for the Development of Congo'],
  ['Taliban', 'Taleban', 'Afghan Taliban'],
  ['Tehrik-i-Taliban Pakistan', 'TTP', 'Pakistani Taliban', 'Tehreek-e-Taliban Pakistan'],
  ['Balochistan Liberation Army', 'BLA', 'Baloch Liberation Army'],
  ['Balochistan Liberation Front', 'BLF'],
  ['Jaish-e-Mohammed', 'JeM', 'Jaish-e-Muhammad', 'Jaish-i-Mohammed'],
  ['Lashkar-e-Taiba', 'LeT', 'Lashkar-e-Toiba'],
  ['Hizbul Mujahideen', 'Hizb-ul-Mujahideen'],
  ['The Resistance Front', 'TRF'],
  [
    'Communist Party of India (Maoist)',
    'CPI (Maoist)',
    'CPI-Maoist',
    'Maoists',
    'Maoist',
    'Naxalites',
    'Naxals',
  ],
  ['Hayat Tahrir al-Sham', 'HTS', 'Hay’at Tahrir al-Sham'],
  ['Houthis', 'Houthi', 'Ansar Allah', 'Ansarullah'],
  ['Hezbollah', 'Hizbollah', 'Hizballah'],
  ['Hamas'],
  ['Palestinian Islamic Jihad', 'PIJ', 'Islamic Jihad'],
  ['Kurdistan Workers’ Party', 'PKK'],
  ['Revolutionary Armed Forces of Colombia', 'FARC', 'FARC dissidents'],
  ['National Liberation Army', 'ELN'],
  ['Clan del Golfo', 'Gulf Clan', 'Autodefensas Gaitanistas de Colombia', 'AGC'],
  ['Oliver Sinisterra Front'],
  ['Jalisco New Generation Cartel', 'CJNG'],
  ['Sinaloa Cartel'],
  ['Abu Sayyaf', 'Abu Sayyaf Group', 'ASG'],
  ['Dawlah Islamiyah', 'Dawlah Islamiyah-Maute', 'Maute group', 'Maute'],
  ['Bangsamoro Islamic Freedom Fighters', 'BIFF'],
  ['New People’s Army', 'NPA'],
  ['Moro Islamic Liberation Front', 'MILF'],
  ['Jund al-Khilafa', 'Jund al-Khilafah', 'Jund al-Khalifa'],
  ['Okba Ibn Nafaa Brigade', 'Uqba bin Nafi Brigade'],
  ['Ansar al-Sharia'],
  ['Wagner Group', 'Wagner', 'Africa Corps'],
  ['Rapid Support Forces'],
  ['Popular Front for the Renaissance of Central Africa', 'FPRC'],
  ['Union for Peace in the Central African Republic', 'UPC'],
  ['3R', 'Return, Reclamation, Rehabilitation'],
  ['anti-balaka', 'anti-Balaka'],
  ['Ambazonia Defence Forces', 'ADF Ambazonia', 'Amba Boys'],
  ['Fulani militia', 'Fulani militants'],
  ['Oromo Liberation Army', 'OLA'],
  ['Tigray People’s Liberation Front', 'TPLF'],
  ['Fano'],
  ['Arakan Army'],
  ['United Liberation Front of Asom', 'ULFA'],
  ['National Socialist Council of Nagaland', 'NSCN'],
  ['Hurras al-Din', 'Hurras al-Deen'],
  ['Ansar Dine', 'Ansar Eddine'],
  ['Macina Liberation Front', 'Katiba Macina', 'FLM'],
  ['Ansarul Islam', 'Ansar ul Islam'],
  ['Lakurawa'],
]

export interface KnownGroup {
  readonly name: string
  readonly aliases: readonly string[]
}

const known: readonly KnownGroup[] = groups.map(([name, ...aliases]) => ({
  name: name as string,
  aliases,
}))
/** A name's key: no accents, case, leading "the", spaces or punctuation ("The al-Shabab" = "alshabab"). */
export const nameKey = (name: string) =>
  name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/^the\s+/, '')
    .replace(/[^\p{L}\p{N}]+/gu, '')
const key = nameKey
const byKey = new Map<string, KnownGroup>()
for (const group of known)
  for (const name of [group.name, ...group.aliases]) byKey.set(key(name), group)

/**
 * The known group a name is: by any of its names, or spelt a letter or two off (sameGroup's
 * tolerance, for names long enough that a slip cannot make another word). Acronyms of two
 * letters count only as written, in capitals.
 */
export function knownGroup(name: string): KnownGroup | null {
  const exact = byKey.get(key(name))
  if (exact) {
    const short = key(name).length <= 2
    return short && name !== name.toUpperCase() ? null : exact
  }
  if (key(name).length <= 8) return null
  return known.find((group) => sameGroup(group, { name, aliases: [] })) ?? null
}

const longestFirst = known
  .flatMap((group) => [group.name, ...group.aliases])
  .filter((name) => /\s(in|of|for|the|al|wal)\s/.test(name))
  .sort((a, b) => b.length - a.length)

/**
 * A known group's name written at text[start], longer than the capitalised words found there:
 * "Islamic State in the Greater Sahara", whose "in the" ends a run of capitals.
 */
export function knownNameAt(text: string, start: number, found: string): string | null {
  const name = longestFirst.find((one) => one.length > found.length && text.startsWith(one, start))
  return name ?? null
}
