// The report's text cut into what the rules read: paragraphs, sentences and words, each with
// its offsets into the original text, so that every value found points back at its words.

export interface Piece {
  readonly text: string
  readonly start: number
  readonly end: number
}

export interface Sentence extends Piece {
  readonly index: number
  readonly paragraph: number
  /** A line with no sentence-final stop: a headline, a caption, a dateline's own line. */
  readonly heading: boolean
}

// A stop after one of these ends no sentence ("Lt. Col. Gerry Besana", "11:30 p.m. on Thursday").
const abbreviations = new Set(
  [
    'mr',
    'mrs',
    'ms',
    'dr',
    'gen',
    'col',
    'lt',
    'maj',
    'capt',
    'sgt',
    'brig',
    'st',
    'no',
    'jan',
    'feb',
    'aug',
    'sept',
    'sep',
    'oct',
    'nov',
    'dec',
    'p.m',
    'a.m',
    'u.s',
    'u.n',
    'u.k',
    'gov',
    'sen',
    'rep',
    'vs',
  ].map((word) => word.toLowerCase()),
)

/** Paragraphs are lines; sentences end at a stop followed by space and a capital or a quote. */
export function sentencesOf(text: string): Sentence[] {
  const sentences: Sentence[] = []
  let paragraph = 0
  const lines = /[^\n]+/g
  for (let line = lines.exec(text); line; line = lines.exec(text)) {
    const lineStart = line.index
    const lineText = line[0]
    if (!/\S/.test(lineText)) continue
    const heading = !/[.!?]["”’)]?\s*$/.test(lineText)
    let start = 0
    const stops = /[.!?]["”’)]?(?=\s+["“‘(]?[A-Z0-9])/g
    for (let stop = stops.exec(lineText); stop; stop = stops.exec(lineText)) {
      const before = lineText.slice(start, stop.index + 1)
      const lastWord = /([A-Za-z.]+)\.$/.exec(before)?.[1]?.toLowerCase() ?? ''
      if (abbreviations.has(lastWord.replace(/\.$/, '')) || /^[A-Z]\.$/.test(before.slice(-2)))
        continue
      push(start, stop.index + stop[0].length)
      start = stop.index + stop[0].length
    }
    push(start, lineText.length)
    paragraph++

    function push(from: number, to: number) {
      const piece = trimmed(text, lineStart + from, lineStart + to)
      if (piece)
        sentences.push({ ...piece, index: sentences.length, paragraph, heading: heading && true })
    }
  }
  return sentences
}

/** The piece of text between the offsets without the blanks at its ends; null when blank. */
export function trimmed(text: string, start: number, end: number): Piece | null {
  let from = start
  let to = end
  while (from < to && /\s/.test(text[from] as string)) from++
  while (to > from && /\s/.test(text[to - 1] as string)) to--
  return from < to ? { text: text.slice(from, to), start: from, end: to } : null
}

export interface Word extends Piece {
  readonly lower: string
  /** Starts with a capital letter (or a digit-free all-caps acronym). */
  readonly capital: boolean
}

/** The words of a sentence: letters, digits and the marks inside names (al-Khilafa, Jama'at). */
export function wordsOf(sentence: Piece): Word[] {
  const words: Word[] = []
  const pattern = /[\p{L}\p{N}@][\p{L}\p{N}'’\-/@.,]*[\p{L}\p{N}]|[\p{L}\p{N}]/gu
  for (let match = pattern.exec(sentence.text); match; match = pattern.exec(sentence.text)) {
    let value = match[0]
    // "1,200" keeps its comma; "Sliti," does not. A trailing stop ends the word unless it is "U.S.".
    if (!/^\d{1,3}(,\d{3})+$/.test(value) && value.includes(',')) value = value.split(',')[0] ?? ''
    if (value.endsWith('.') && !/^([A-Z]\.)+$/.test(value)) value = value.replace(/\.+$/, '')
    if (!value) continue
    const start = sentence.start + match.index
    words.push({
      text: value,
      start,
      end: start + value.length,
      lower: value.toLowerCase().replace(/’/g, "'"),
      capital: /^\p{Lu}/u.test(value),
    })
  }
  return words
}

const units: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  single: 1,
  two: 2,
  both: 2,
  twin: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  dozen: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
}
const tens: Record<string, number> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
}

/** Words that count people without a number ("dozens of villagers"). */
export const vagueCounts = new Set([
  'dozens',
  'scores',
  'hundreds',
  'thousands',
  'several',
  'many',
  'numerous',
  'some',
])

/**
 * The number a word says: digits ("1,200", "12"), a word ("eleven", "twenty-six"), or null.
 * "a"/"an"/"both" count too, for "a police officer injured"; callers decide when that applies.
 */
export function numberOf(word: string): number | null {
  const lower = word.toLowerCase()
  if (/^\d{1,3}(,\d{3})+$|^\d+$/.test(lower)) return Number(lower.replace(/,/g, ''))
  if (lower in units) return units[lower] as number
  if (lower in tens) return tens[lower] as number
  const [ten, unit] = lower.split('-')
  if (ten && unit && ten in tens && unit in units)
    return (tens[ten] as number) + (units[unit] as number)
  if (lower === 'hundred') return 100
  return null
}

/** Lower-case particles that sit inside proper names (Jund al-Khilafa, Brigade of Jihad and Unity). */
const nameParticles = new Set([
  'al',
  'el',
  'ad',
  'as',
  'ash',
  'bin',
  'ibn',
  'bint',
  'de',
  'del',
  'du',
  'la',
  'le',
  'of',
  'for',
  'and',
  'the',
  'wal',
  'to',
  'van',
  'von',
  'in',
])

/**
 * Runs of capitalised words (with the particles that names hold, and "al-" names that start
 * lower case): the candidates for names of groups, people, places and sources. A run ends at
 * punctuation and after a possessive ("Nigeria's Kaduna state" is two names).
 */
export function capitalRuns(text: string, words: readonly Word[]): { from: number; to: number }[] {
  const runs: { from: number; to: number }[] = []
  const startsName = (word: Word | undefined) =>
    word !== undefined &&
    (word.capital ||
      /^(al|el|ad|an|as|ash|ar|wal)[-'’]\p{Lu}/u.test(word.text) ||
      word.lower === 'anti-balaka')
  // One space (or a quote mark inside "Katibat ‘Uqbah") between the words of one name.
  const joined = (a: Word, b: Word) =>
    /^ ?[‘’']?$/.test(text.slice(a.end, b.start)) && !/['’]s$/.test(a.text)
  // "al Qaeda", "al Shabaab": the article written apart.
  const article = (index: number) =>
    /^(al|el)$/i.test(words[index]?.text ?? '') &&
    startsName(words[index + 1]) &&
    joined(words[index] as Word, words[index + 1] as Word)
  let from = -1
  for (let index = 0; index <= words.length; index++) {
    const word = words[index]
    const previous = words[index - 1]
    if (from >= 0 && word && previous && !joined(previous, word)) {
      close(index)
    }
    if (word && (startsName(word) || (from < 0 && article(index)))) {
      if (from < 0) from = index
      continue
    }
    if (word && from >= 0 && particleJoins(words, index)) continue
    close(index)
  }
  return runs

  function close(index: number) {
    if (from < 0) return
    let to = index
    while (to > from && nameParticles.has((words[to - 1] as Word).lower)) to--
    if (to > from) runs.push({ from, to })
    from = -1
  }

  /** A particle (or a chain: "for the") between capitalised words of one name. */
  function particleJoins(all: readonly Word[], index: number): boolean {
    let at = index
    while (at < all.length && nameParticles.has((all[at] as Word).lower)) {
      if (!joined(all[at - 1] as Word, all[at] as Word)) return false
      at++
    }
    if (
      at === index ||
      at - index > 2 ||
      !startsName(all[at]) ||
      !joined(all[at - 1] as Word, all[at] as Word)
    )
      return false
    const before = all[index - 1]?.text ?? ''
    const particle = (all[index] as Word).lower
    // "in" only joins "Ansar al-Sharia in Tunisia"; "to" only "Group to Support Islam".
    if (particle === 'in') return /sharia|khilafa|jund|ansar/i.test(before)
    if (particle === 'to') return /^(Group|Movement|Front|Committee|Council)$/.test(before)
    return true
  }
}

/** The text of words[from..to) as written in the report (marks between them kept). */
export function span(text: string, words: readonly Word[], from: number, to: number): Piece {
  const first = words[from] as Word
  const last = words[to - 1] as Word
  return { text: text.slice(first.start, last.end), start: first.start, end: last.end }
}
