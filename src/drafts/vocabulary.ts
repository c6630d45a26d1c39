import type { CasualtyCategory, CasualtyPopulation } from './extraction.js'

// The words the rules read: what happened to people, who they were, how sure the report is.

/** Word stems that say what happened to the people counted. */
export const categoryStems: readonly [RegExp, CasualtyCategory][] = [
  [
    /^(kill(s|ed|ing)?|dead|died|dies|die|deaths?|slain|massacred|beheaded|beheading|executed|lives|neutrali[sz]ed|tolls?)$/,
    'KILLED',
  ],
  [/^(injur(e|es|ed|ing|ies|y)|wound(s|ed|ing)?|hurt)$/, 'INJURED'],
  [/^(abduct(s|ed|ing|ion)?|kidnap(s|ped|ping)?|hostages?|seiz(e|ed|ing))$/, 'HOSTAGE'],
  [/^(missing)$/, 'MISSING'],
  [/^(arrest(s|ed|ing)?|detain(s|ed|ing)?|captured|apprehended)$/, 'ARRESTED'],
]

/** "gunned down", "shot dead", "lost their lives": killed, said in two words. */
export const killedPhrases =
  /\b(gunned down|shot dead|lost their lives|blew (?:himself|herself|themselves) up)\b/i

export function categoryOf(lower: string): CasualtyCategory | null {
  for (const [stem, category] of categoryStems) if (stem.test(lower)) return category
  return null
}

/** Nouns for the people counted, by population. */
const populationNouns: readonly [RegExp, CasualtyPopulation][] = [
  [
    /^(militants?|insurgents?|jihadists?|attackers?|assailants?|gunm[ae]n|rebels?|terrorists?|bombers?|extremists?|bandits?|suspects?|combatants?|fighters?|islamists?|separatists?|guerrillas?|kidnappers?|raiders?)$/,
    'PERPETRATORS',
  ],
  [
    /^(soldiers?|troops?|police(m[ae]n|wom[ae]n)?|officers?|gendarmes?|guards?|servicem[ae]n|peacekeepers?|personnel|commandos?|marines?|paramilitar(y|ies)|forces|conscripts?|recruits?|militiam[ae]n)$/,
    'SECURITY_FORCES',
  ],
  [
    /^(civilians?|villagers?|worshippers?|students?|children|child|women|woman|passengers?|residents?|pilgrims?|farmers?|schoolgirls?|schoolboys?|schoolchildren|pupils?|traders?|shoppers?|miners?|workers?|teachers?|journalists?|tourists?|citizens?|herders?|fishermen|displaced|refugees?|patients?|mourners?|guests?|protesters?|demonstrators?|staff|clerics?|boys?|girls?|men|man)$/,
    'CIVILIANS',
  ],
  [/^(people|persons?|others|individuals|victims|dead|bodies)$/, 'ALL'],
]

export function populationOf(lower: string): CasualtyPopulation | null {
  for (const [noun, population] of populationNouns) if (noun.test(lower)) return population
  return null
}

/** Words before a number that say how exact it is. */
export const qualifierPhrases: readonly [RegExp, 'AT_LEAST' | 'AT_MOST' | 'APPROXIMATELY'][] = [
  [
    /\b(at least|more than|over|upwards of|in excess of|no fewer than|a little more than)\s*$/i,
    'AT_LEAST',
  ],
  [/\b(up to|as many as|at most|fewer than|less than|no more than)\s*$/i, 'AT_MOST'],
  [
    /\b(about|around|some|nearly|almost|approximately|roughly|an estimated|close to|estimated)\s*$/i,
    'APPROXIMATELY',
  ],
]

/** Words between a number and its noun that change nothing ("two suspected militants"). */
export const nounModifiers =
  /^(suspected|alleged|other|more|further|local|foreign|armed|unarmed|security|police|army|military|innocent|young|female|male|elderly|british|american|french|presidential|rival|government|state|islamist|jihadist|taliban|rebel|wounded|injured|unidentified|civil|its|their|his|her|the|of|these|those|islamic|al|shabaab|forestry|christian|muslim|catholic|member|members|one|some)$/

/** Phrases that say a figure was replaced by a later one. */
export const revisedLater =
  /\b(rose|risen|raised|revised|climbed|increased|jumped|reached|now stands)\b/i
export const statedEarlier = /\b(initially|earlier|first|previously|originally)\b/i
