import type {
  CasualtyCategory,
  CasualtyPopulation,
  FigureQualifier,
  FigureValue,
} from './extraction.js'
import { continuesNumber, numberAt } from './numbers.js'
import { numberOf, type Sentence, vagueCounts, type Word, wordsOf } from './text.js'
import {
  categoryOf,
  killedPhrases,
  nounModifiers,
  populationOf,
  qualifierPhrases,
  revisedLater,
  statedEarlier,
} from './vocabulary.js'

// Casualty figures: a count, the people it counts, and what happened to them, in either order
// ("two suspected militants were killed", "killing four policemen", "wounding 22", "the death
// toll rose to 21", "five soldiers were among the dead").

export interface FoundFigure extends Omit<FigureValue, 'superseded'> {
  /** Said as a change of an earlier figure ("rose to"), or as one later replaced ("initially"). */
  readonly revises: boolean
  readonly earlier: boolean
  readonly sentence: number
  /** Where the count itself is: figures of two events in one sentence split there. */
  readonly at: number
}

interface Count {
  readonly value: number | null
  readonly vague: string | null
  readonly qualifier: FigureQualifier
  readonly from: number
  /** The index after the count's last word ("two hundred" is two words). */
  readonly to: number
}

/** A count at words[index]: a number, or a vague word ("dozens"), with its qualifier. */
function countAt(sentence: Sentence, words: readonly Word[], index: number): Count | null {
  const word = words[index]
  if (!word) return null
  const before = sentence.text.slice(0, word.start - sentence.start)
  const qualified = qualifierPhrases.find(([pattern]) => pattern.test(before))
  const qualifier = qualified?.[1] ?? 'EXACT'
  // A year or an hour is not a count.
  if (/^(19|20)\d\d$/.test(word.text) || /:\d/.test(word.text)) return null
  if (vagueCounts.has(word.lower) && word.lower !== 'some')
    return { value: null, vague: word.text, qualifier: 'VAGUE', from: index, to: index + 1 }
  // "hundred" in "two hundred" belongs to the count that "two" starts.
  if (continuesNumber(words, index)) return null
  // "a dozen", "dozen": twelve (the count starts at "a").
  if (word.lower === 'dozen' && /^(a|an)$/.test(words[index - 1]?.lower ?? '')) return null
  if (
    word.lower === 'dozen' ||
    (/^(a|an)$/.test(word.lower) && words[index + 1]?.lower === 'dozen')
  )
    return {
      value: 12,
      vague: null,
      qualifier,
      from: index,
      to: index + (word.lower === 'dozen' ? 1 : 2),
    }
  const number = numberAt(words, index)
  if (number === null) return null
  // "a"/"an"/"one" only count a person named right after ("a police officer").
  if ((word.lower === 'a' || word.lower === 'an') && qualifier !== 'EXACT') return null
  return { value: number.value, vague: null, qualifier, from: index, to: number.to }
}

let source = ''
const textBetween = (a: Word, b: Word) => source.slice(a.end, b.start)

/** The population of the noun phrase from words[index] on (skipping modifiers), and where it ends. */
function nounAfter(
  words: readonly Word[],
  index: number,
): { population: CasualtyPopulation; to: number } | null {
  for (let at = index; at < Math.min(words.length, index + 5); at++) {
    const word = words[at] as Word
    // The noun belongs to another clause past a comma ("wounding 22, police said").
    if (at >= 1 && /[,;:]/.test(textBetween(words[at - 1] as Word, word))) return null
    const population = populationOf(word.lower)
    if (population) return { population, to: at + 1 }
    if (!nounModifiers.test(word.lower) && !word.capital && !/-/.test(word.text)) return null
  }
  return null
}

function figure(
  sentence: Sentence,
  words: readonly Word[],
  count: Count,
  category: CasualtyCategory,
  population: CasualtyPopulation,
  from: number,
  to: number,
  confidence: number,
): FoundFigure {
  const { value, vague, qualifier } = count
  const before = sentence.text.slice(0, (words[from] as Word).start - sentence.start)
  const clause = sentence.text
  return {
    category,
    population,
    low: qualifier === 'AT_LEAST' ? value : null,
    best: qualifier === 'AT_MOST' || qualifier === 'VAGUE' ? null : value,
    high: qualifier === 'AT_MOST' ? value : null,
    qualifier,
    vagueTerm: vague,
    start: Math.min((words[from] as Word).start, (words[count.from] as Word).start),
    end: Math.max((words[to - 1] as Word).end, (words[count.from] as Word).end),
    confidence,
    revises:
      revisedLater.test(before.slice(-60)) ||
      /\btoll\b/i.test(
        sentence.text.slice(
          (words[from] as Word).start - sentence.start,
          (words[to - 1] as Word).end - sentence.start,
        ),
      ) ||
      revisedLater.test(
        sentence.text.slice(
          (words[from] as Word).start - sentence.start,
          (words[to - 1] as Word).end - sentence.start,
        ),
      ),
    earlier: statedEarlier.test(clause),
    sentence: sentence.index,
    at: (words[count.from] as Word).start,
  }
}

const auxiliaries =
  /^(were|was|have|has|had|been|be|being|also|reportedly|later|all|who|are|is|allegedly|confirmed|said|to|and|among|the|those|subsequently|eventually|since)$/

/** "treated in hospital", "admitted to hospital": injured, said of where they are. */
const inHospital =
  /^\s+(?:in|at|to)\s+(?:a\s+|the\s+|local\s+|nearby\s+)?(?:hospitals?|clinics?)\b|^\s+for\s+(?:injuries|wounds|gunshot wounds)\b/i

/**
 * ", most of them civilians," between a count's noun and its verb: an aside that says more of
 * the same people. The words before it hold the count.
 */
const aside =
  /,\s+(?:most|many|some|all|several|half|mostly|among them|including|one|two|three|four|five|six|seven|eight|nine|ten)\b[^,]{0,60},\s*(?:(?:were|was|had|have|been|being|also|all|reportedly)\s+)*$/i

/**
 * The count of the noun at or shortly before words[from] ("two suspected militants"), added as
 * a figure of the category at words[index]; the index of the count, or null for none.
 */
function subjectCount(
  sentence: Sentence,
  words: readonly Word[],
  from: number,
  index: number,
  category: CasualtyCategory,
  add: (value: FoundFigure, indices: number[]) => void,
  lastPopulation: CasualtyPopulation | null,
): number | null {
  for (let nounAt = from; nounAt >= Math.max(0, from - 4); nounAt--) {
    let population = populationOf((words[nounAt] as Word).lower)
    if (!population) continue
    if (population === 'ALL' && (words[nounAt] as Word).lower === 'others' && lastPopulation)
      population = lastPopulation
    for (let countIndex = nounAt - 1; countIndex >= Math.max(0, nounAt - 5); countIndex--) {
      const count = countAt(sentence, words, countIndex)
      // "one of the combatants killed" is a person among them, not a count.
      const one = count?.value === 1 && words[countIndex + 1]?.lower === 'of'
      if (count && !one) {
        add(figure(sentence, words, count, category, population, countIndex, index + 1, 0.85), [
          countIndex,
        ])
        return countIndex
      }
      const between = (words[countIndex] as Word).lower
      if (
        !nounModifiers.test(between) &&
        !(words[countIndex] as Word).capital &&
        !/-|ed$|ing$/.test(between)
      )
        return null
    }
    return null
  }
  return null
}

/** Every figure one sentence states. */
export function figuresIn(text: string, sentence: Sentence): FoundFigure[] {
  source = text
  const words = wordsOf(sentence)
  const found: FoundFigure[] = []
  const used = new Set<number>()
  let lastPopulation: CasualtyPopulation | null = null
  const add = (value: FoundFigure, indices: number[]) => {
    if (indices.some((index) => used.has(index))) return
    for (const index of indices) used.add(index)
    found.push(value)
    lastPopulation = value.population
  }
  for (let index = 0; index < words.length; index++) {
    const word = words[index] as Word
    const category =
      categoryOf(word.lower) ??
      (/^(treated|admitted|hospitali[sz]ed)$/.test(word.lower) &&
      inHospital.test(text.slice(word.end, word.end + 40))
        ? 'INJURED'
        : null)
    if (!category) continue
    // "killing four policemen", "abducted 39 students", "killed at least 11 soldiers",
    // "wounding 22", "the death toll rose to 21", "put the number of dead at 27".
    let ahead = index + 1
    while (
      ahead < words.length &&
      /^(at|least|more|than|over|up|to|as|many|about|around|some|nearly|almost|rose|risen|reached|had|has|have|stood|an|estimated|a|little|toll|tolls|was|is|been|later|revised|raised|climbed|increased|jumped|now|stands|since|further|put|officially|then|by|the|of|number|roughly|approximately)$/.test(
        (words[ahead] as Word).lower,
      ) &&
      numberOf((words[ahead] as Word).text) === null
    )
      ahead++
    const countAhead = ahead < index + 8 ? countAt(sentence, words, ahead) : null
    if (
      countAhead &&
      !(
        countAhead.value === 1 &&
        /^(a|an)$/.test((words[ahead] as Word).lower) &&
        !nounAfter(words, ahead + 1)
      )
    ) {
      const noun = nounAfter(words, countAhead.to)
      // "The number of civilians killed has reached 21": the noun before the word.
      // Not "Bomber kills 17": the noun before an active verb did the killing.
      const passive = /^(has|have|had|rose|stood|reached|was|is|stands|now|climbed)$/.test(
        words[index + 1]?.lower ?? '',
      )
      const nounBefore = (passive ? [words[index - 1], words[index - 2]] : [])
        .map((before) => (before ? populationOf(before.lower) : null))
        .find((population) => population !== null && population !== 'ALL')
      const population =
        noun &&
        !(
          noun.population === 'ALL' &&
          /^others$/i.test((words[noun.to - 1] as Word).text) &&
          lastPopulation
        )
          ? noun.population
          : countAhead.value !== null
            ? (nounBefore ?? lastPopulation ?? 'ALL')
            : // "injured dozens more": more people, said of no one in particular.
              /^(more|others)$/.test(words[countAhead.to]?.lower ?? '')
              ? 'ALL'
              : null
      if (population && !(noun === null && /^(a|an|one)$/.test((words[ahead] as Word).lower))) {
        add(
          figure(
            sentence,
            words,
            countAhead,
            category,
            population,
            index,
            noun?.to ?? countAhead.to,
            noun ? 0.9 : 0.7,
          ),
          [ahead],
        )
        continue
      }
    }
    // "Two suspected militants were killed", "38 people ... were gunned down", "two others wounded",
    // "five soldiers were among the dead", "40 wounded people".
    let back = index - 1
    const asideBefore = aside.exec(sentence.text.slice(0, word.start - sentence.start))
    if (asideBefore) {
      const asideAt = sentence.start + asideBefore.index
      while (back >= 0 && (words[back] as Word).start >= asideAt) back--
    }
    while (back >= 0 && auxiliaries.test((words[back] as Word).lower)) back--
    // "Two police officers were killed and three injured": a count alone counts the same people.
    const bare = back >= 0 && back < index - 0 ? countAt(sentence, words, back) : null
    if (
      bare &&
      bare.value !== null &&
      lastPopulation &&
      // "and one was wounded": "one" counts when a verb follows it; "and a police officer" is a noun's.
      (!/^(a|an|one)$/.test((words[back] as Word).lower) ||
        ((words[back] as Word).lower === 'one' && back < index - 1)) &&
      (words[back - 1]?.lower === 'and' || back === index - 1)
    ) {
      add(figure(sentence, words, bare, category, lastPopulation, back, index + 1, 0.75), [back])
      continue
    }
    // "Three suspected militants and a soldier were killed": each count of the subject, back
    // across "and" and commas.
    let scanFrom = back
    while (scanFrom >= 0) {
      const countIndex = subjectCount(
        sentence,
        words,
        scanFrom,
        index,
        category,
        add,
        lastPopulation,
      )
      if (countIndex === null || countIndex < 1) break
      const joint = words[countIndex - 1] as Word
      const comma = /,\s*$/.test(textBetween(joint, words[countIndex] as Word))
      if (joint.lower === 'and') scanFrom = countIndex - 2
      else if (comma) scanFrom = countIndex - 1
      else break
    }
    // "40 wounded people": count, the word, then the noun.
    const countBefore = index > 0 ? countAt(sentence, words, index - 1) : null
    const noun = nounAfter(words, index + 1)
    if (countBefore && noun && countBefore.value !== null)
      add(
        figure(sentence, words, countBefore, category, noun.population, index - 1, noun.to, 0.8),
        [index - 1],
      )
  }
  // "38 people ... were gunned down", "Both militants blew themselves up".
  const phrase = killedPhrases.exec(sentence.text)
  if (phrase && !found.some((value) => value.category === 'KILLED')) {
    const phraseAt = sentence.start + phrase.index
    const before = words.filter((word) => word.end <= phraseAt)
    for (let nounAt = before.length - 1; nounAt >= 0; nounAt--) {
      const population = populationOf((before[nounAt] as Word).lower)
      if (!population) continue
      for (let countIndex = nounAt - 1; countIndex >= Math.max(0, nounAt - 3); countIndex--) {
        const count = countAt(sentence, words, countIndex)
        const partitive = words[countIndex + 1]?.lower === 'of'
        if (count && !partitive && !/^(a|an)$/.test((words[countIndex] as Word).lower)) {
          add(figure(sentence, words, count, 'KILLED', population, countIndex, nounAt + 1, 0.8), [
            countIndex,
          ])
          break
        }
      }
      if (found.some((value) => value.category === 'KILLED')) break
    }
  }
  // "killing 21, including a police officer": some of those counted, said of whom.
  for (let index = 0; index < words.length - 1; index++) {
    const lower = (words[index] as Word).lower
    const first =
      lower === 'including' || lower === 'includes'
        ? index + 1
        : lower === 'among' && /^(them|whom)$/.test(words[index + 1]?.lower ?? '')
          ? index + 2
          : lower === 'of' && words[index + 1]?.lower === 'whom'
            ? index + 2
            : -1
    if (first < 0) continue
    const count = countAt(sentence, words, first)
    const noun = count ? nounAfter(words, count.to) : null
    const at = (words[index] as Word).start
    const whole = found.filter((value) => value.at < at).at(-1)
    if (!count || count.value === null || !noun || noun.population === 'ALL' || !whole) continue
    if (whole.population === noun.population || (whole.best ?? whole.low ?? 0) <= count.value)
      continue
    add(figure(sentence, words, count, whole.category, noun.population, first, noun.to, 0.75), [
      first,
    ])
  }
  // "killed 16 soldiers ..., and another 11 in a separate assault": the same kind again.
  const another = /\b(?:another|a further|an additional)\s+(\d[\d,]*|[a-z]+(?:-[a-z]+)?)\b/gi
  for (let match = another.exec(sentence.text); match; match = another.exec(sentence.text)) {
    const value = numberOf(match[1] as string)
    const at = sentence.start + match.index
    const previous = found.filter((figure) => figure.at < at).at(-1)
    if (value === null || !previous) continue
    const start = sentence.start + match.index
    found.push({
      ...previous,
      low: null,
      best: value,
      high: null,
      qualifier: 'EXACT',
      start,
      end: start + match[0].length,
      at: start,
      confidence: 0.7,
    })
  }
  // A sentence that revises a toll states the new one; its other counts of that kind explain it.
  const revision = found.find((value) => value.revises && value.category === 'KILLED')
  return revision
    ? found.filter(
        (value) =>
          value === revision ||
          value.category !== 'KILLED' ||
          (!value.revises && value.at < revision.at) ||
          // "had risen to 21, among them a police officer": a part of the new toll.
          (value.at > revision.at &&
            value.population !== revision.population &&
            (value.best ?? 0) < (revision.best ?? revision.low ?? 0)),
      )
    : found
}
