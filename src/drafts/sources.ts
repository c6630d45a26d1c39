import type { SourceKind, SourceValue } from './extraction.js'
import type { Name } from './names.js'
import type { Piece, Sentence } from './text.js'

// The chain of sources: who says what the report says ("the interior ministry said"), and
// through whom ("told Reuters"). Each voice once, under the first name the report gives it.

const speech =
  /\b(said|says|told|added|stated|announced|reported|confirmed|estimates|estimated|emphasi[sz]ed|warned|quoted|put the number|blamed|accused|called for|urged|condemned)\b/g
const agencies =
  /^(Reuters|AP|AFP|Associated Press|Agence France-Presse|Agence France Presse|Xinhua|dpa|Anadolu|EFE|ANSA|Kyodo|Bernama|UPI|PTI|IANS|Interfax|TASS)$/
const pronouns =
  /^(he|she|they|it|we|i|you|one|officials? who|a source|sources|it has been|this|that)$/i

/** The agencies' short names, written out as their sources are named (sql/0053 keeps the variants). */
const agencyNames: Record<string, string> = {
  AP: 'Associated Press',
  AFP: 'Agence France-Presse',
  dpa: 'Deutsche Presse-Agentur',
}

export function sourceKind(name: string): SourceKind {
  if (agencies.test(name) || /\bnews agency\b/i.test(name)) return 'NEWS_AGENCY'
  if (/^@|\b(Twitter|Facebook|Telegram|X|YouTube|WhatsApp)\b/.test(name)) return 'SOCIAL_MEDIA'
  if (
    /\b(TV|television|radio|Post|Times|newspaper|Dawn|CRTV|Masirah|Andalus|Amaq|al-Akhbar|station)\b/i.test(
      name,
    )
  )
    return 'NEWS_OUTLET'
  if (/\b(United Nations|UN|MINUSCA|Red Cross|ICRC|OCHA|UNHCR|African Union|mission)\b/i.test(name))
    return 'INTERNATIONAL_ORGANIZATION'
  if (
    /\b(Human Rights Watch|HRW|Amnesty|Doctors Without Borders|MSF|ACLED|rights group|civil society|monitor)/i.test(
      name,
    )
  )
    return 'NGO'
  if (
    /\b(ministry|minister|government|police|army|military|officials?|authorities|forces|governor|spokes(man|person|woman)|agency|service|cell|commissioner|administrator|ombudsman|state|intelligence)\b/i.test(
      name,
    )
  )
    return 'GOVERNMENT'
  return 'OTHER'
}

const leadingWords =
  /^((the|a|an|its|his|her|their|two|three|several|one of the|senior|both|another|regional|local)\s+)+/i

/** The name a phrase gives a source: "two military sources" → "military sources". */
function cleanName(phrase: string): string {
  const withoutLead = phrase
    .replace(/^[\s,;:"“”'‘’-]+|[\s,;:"“”'‘’.-]+$/g, '')
    .replace(/^(and|but|as|while|when|however|on \w+|in a statement|also)\s+/i, '')
  const cleaned = withoutLead.replace(leadingWords, (lead) =>
    /regional|local|senior/i.test(lead)
      ? lead.replace(/^(the|a|an|two|three|several)\s+/i, '')
      : '',
  )
  return cleaned
    .replace(/^(a |the )?statement (from|by) (the )?/i, '')
    .replace(/^[\w'’]+-(run|backed|led|owned)\s+/i, '')
    .replace(/\s+(initially|later|also|earlier|previously|first|separately|again)$/i, '')
    .replace(/['’]s$/, '')
    .trim()
}

interface Voice extends Piece {
  readonly name: string
  readonly via: string | null
  readonly confidence: number
}

/** The subject of a speech verb: the words before it back to the clause's start. */
function subjectBefore(sentence: Sentence, at: number, names: readonly Name[]): Voice | null {
  const before = sentence.text.slice(0, at - sentence.start)
  // "…, police said" / "Khalid Zadran, a spokesman for …, said" / "the army said".
  const person = names
    .filter((name) => name.kind === 'person' && name.end <= at && at - name.end < 80)
    .at(-1)
  const clause =
    /(?:^|[,;:"“”]|\b(?:and|but|as|while|when|after|before|because|that)\s)\s*([^,;:"“”]*?)\s*$/i.exec(
      before,
    )
  const phrase = clause?.[1] ?? ''
  const between = before.slice(person ? person.end - sentence.start : 0)
  if (
    person &&
    (/^[\s,"”]*$/.test(between) ||
      /^,\s+[^,.]{0,70},\s*$/.test(between) ||
      phrase.includes(person.text))
  )
    return { ...pieceOf(person), name: person.text, via: null, confidence: 0.85 }
  if (/^(who|which)$/i.test(phrase.trim())) {
    const head = /(?:by|from|of)\s+((?:the\s+)?[\w'’ -]{2,40}?)\s*,\s*(who|which)\s*$/i.exec(before)
    if (!head) return null
    const start = sentence.start + before.lastIndexOf(head[1] as string)
    return {
      text: head[1] as string,
      start,
      end: start + (head[1] as string).length,
      name: cleanName(head[1] as string),
      via: null,
      confidence: 0.6,
    }
  }
  const name = cleanName(phrase)
  if (
    !name ||
    pronouns.test(name) ||
    /\b(has|have|had|been|is|was)$/i.test(name) ||
    name.split(/\s+/).length > 6 ||
    /^(that|which|who)\b/i.test(name)
  )
    return null
  const start = sentence.start + before.lastIndexOf(phrase)
  return { text: phrase, start, end: start + phrase.length, name, via: null, confidence: 0.7 }
}

const keyOf = (name: string) =>
  name
    .toLowerCase()
    .replace(/^the\s+/, '')
    .replace(/[^\p{L}\p{N}]+/gu, '')

const pieceOf = (piece: Piece): Piece => ({ text: piece.text, start: piece.start, end: piece.end })

/** Every voice of one sentence. */
function voicesIn(sentence: Sentence, names: readonly Name[]): Voice[] {
  const voices: Voice[] = []
  speech.lastIndex = 0
  for (let verb = speech.exec(sentence.text); verb; verb = speech.exec(sentence.text)) {
    const at = sentence.start + verb.index
    const after = sentence.text.slice(verb.index + verb[0].length)
    // Inverted: "…, said Donat Kibwana".
    const inverted = /^\s+((?:[A-Z][\w'’-]+\s?){2,4})/.exec(after)
    const subject =
      /[,"”]\s*$/.test(sentence.text.slice(0, verb.index)) && inverted
        ? {
            text: (inverted[1] as string).trim(),
            start: at + verb[0].length + 1,
            end: at + verb[0].length + 1 + (inverted[1] as string).trim().length,
            name: (inverted[1] as string).trim(),
            via: null,
            confidence: 0.8,
          }
        : subjectBefore(sentence, at, names)
    // "told Reuters", "told state radio CRTV", "told The Defense Post".
    const told =
      /^\s+((?:state |local )?(?:radio |television |TV )?(?:The )?(?:[A-Z@][\w@/'’-]*\s?){1,4})/.exec(
        after,
      )
    let via: Voice | null = null
    if (verb[0] === 'told' && told) {
      const name = cleanName(told[1] as string).replace(/\s+(on|in|that)$/, '')
      const start = at + verb[0].length + (told[0].length - (told[1] as string).length)
      if (name && !/^(reporters|journalists)$/i.test(name))
        via = { text: name, start, end: start + name.length, name, via: null, confidence: 0.85 }
    }
    if (via) voices.push(via)
    if (subject) voices.push({ ...subject, via: via?.name ?? null })
  }
  // "according to Zelin", "according to the monitoring group ACLED".
  const according = /\baccording to ([^,.;]+)/gi
  for (let match = according.exec(sentence.text); match; match = according.exec(sentence.text)) {
    const phrase = (match[1] as string).replace(/\s+(interviewed|who|which|cited)\b.*$/, '')
    const capital = /([A-Z@][\w'’@-]*(?:\s+[A-Z][\w'’-]*)*)\s*$/.exec(phrase)?.[1]
    const name = cleanName(capital ?? phrase)
    const start = sentence.start + match.index + match[0].indexOf(capital ?? phrase)
    if (name)
      voices.push({ text: name, start, end: start + name.length, name, via: null, confidence: 0.8 })
  }
  // Outlets a statement appeared on: "on its Amaq news agency", "posted on Facebook", "on state television".
  const outlet =
    /\b(?:on|through|via|by|to|in) (?:its |the |state |a )?((?:[A-Z][\w'’-]*\s)*(?:news agency|radio station|radio|TV|television)(?:\s(?:al-|el-)?[A-Z][\w'’-]*)*|Facebook|Twitter|Telegram|Twitter\/@\w+|(?:[A-Z][\w-]*\s)?news agency [a-z]*-?[A-Z][\w-]*)/g
  for (let match = outlet.exec(sentence.text); match; match = outlet.exec(sentence.text)) {
    const phrase = (match[1] as string).trim()
    const name = phrase
      .replace(/^(Mauritanian |its )/, '')
      .replace(/\s*(news agency|radio station)\s*/i, ' ')
      .trim()
    const start = sentence.start + match.index + match[0].indexOf(phrase)
    if (name && !/^(state )?(television|radio|TV)$/i.test(name))
      voices.push({
        text: phrase,
        start,
        end: start + phrase.length,
        name,
        via: null,
        confidence: 0.7,
      })
    else if (name)
      voices.push({
        text: phrase,
        start,
        end: start + phrase.length,
        name: `state ${name}`,
        via: null,
        confidence: 0.6,
      })
  }
  // "Image: Twitter/@menastream": a picture's source.
  const handle = /@[A-Za-z0-9_]+/g
  for (let match = handle.exec(sentence.text); match; match = handle.exec(sentence.text)) {
    const start = sentence.start + match.index
    if (!voices.some((voice) => voice.name.includes(match?.[0] ?? '')))
      voices.push({
        text: match[0],
        start,
        end: start + match[0].length,
        name: match[0],
        via: null,
        confidence: 0.8,
      })
  }
  return voices
}

/** The sources of the whole report, the dateline's agency first. */
export function sourcesIn(
  sentences: readonly Sentence[],
  names: readonly Name[],
  dateline: { agency: Piece | null },
  reportSource: string,
): SourceValue[] {
  const found: SourceValue[] = []
  const own = keyOf(reportSource)
  const persons = names.filter((name) => name.kind === 'person')
  const add = (voice: Voice) => {
    const spaced = voice.name.replace(/\s+/g, ' ')
    // "Zelin" is the Aaron Zelin the report named before; "AP" is the Associated Press.
    const fullName =
      (!spaced.includes(' ') &&
        persons.find((person) => person.text.split(' ').at(-1) === spaced)?.text) ||
      agencyNames[spaced] ||
      spaced
    const name = fullName
    if (keyOf(name) === own || !keyOf(name)) return
    const key = name.toLowerCase()
    const initials = (other: string) =>
      other
        .split(/\s+/)
        .map((word) => word[0])
        .join('')
    if (found.some((other) => initials(other.name) === name || other.name.toLowerCase() === key))
      return
    // A surname alone ("Sliti") names the person named in full before.
    const known = found.find(
      (other) =>
        other.name.toLowerCase() === key ||
        (other.kind === 'PERSON' && other.name.split(' ').at(-1)?.toLowerCase() === key),
    )
    if (known) return
    const isPerson = persons.some((other) => other.text === name)
    found.push({
      name,
      kind: isPerson ? 'PERSON' : sourceKind(name),
      via: voice.via,
      start: voice.start,
      end: voice.end,
      confidence: voice.confidence,
    })
  }
  if (dateline.agency) {
    const agency = dateline.agency
    add({ ...agency, name: agency.text, via: null, confidence: 0.95 })
  }
  for (const sentence of sentences) {
    // A headline's "…, UN says" repeats the lead.
    if (sentence.heading && sentence.index === 0) continue
    for (const voice of voicesIn(sentence, names)) add(voice)
  }
  return found
}
