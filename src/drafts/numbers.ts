import nlp from 'compromise'
import { numberOf, type Word } from './text.js'

// Counts written in more than one word ("two hundred", "1.5 million", "twenty-six thousand"),
// read by compromise's number parser; single words are numberOf's (text.ts).

const multipliers = /^(hundred|thousand|million|billion|hundreds|thousands)$/

/** Whether words[index] multiplies the number before it ("two hundred"): that number starts the count. */
export function continuesNumber(words: readonly Word[], index: number): boolean {
  const previous = words[index - 1]
  return (
    multipliers.test(words[index]?.lower ?? '') &&
    previous !== undefined &&
    numberOf(previous.text.replace(/\.\d+$/, '')) !== null
  )
}

/** The count that starts at words[index] and the index after its last word; null for no number. */
export function numberAt(
  words: readonly Word[],
  index: number,
): { value: number; to: number } | null {
  const word = words[index]
  if (!word) return null
  let to = index + 1
  while (
    to < words.length &&
    multipliers.test((words[to] as Word).lower) &&
    !/s$/.test((words[to] as Word).lower)
  )
    to++
  const decimal = /^\d+\.\d+$/.test(word.text)
  if (to === index + 1 && !decimal) {
    const value = numberOf(word.text)
    return value === null ? null : { value, to }
  }
  const phrase = words
    .slice(index, to)
    .map((one) => one.text)
    .join(' ')
  const parsed = ([] as unknown[]).concat(nlp(phrase).numbers().get())[0]
  return typeof parsed === 'number' && Number.isFinite(parsed)
    ? { value: Math.round(parsed), to }
    : null
}
