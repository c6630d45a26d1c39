import { addGroup, attributionOf, claimsIn, personIn, roleOf, sameGroup } from './actors.js'
import { type DateMention, datesIn, daysBetween } from './dates.js'
import type {
  CasualtyCategory,
  ClaimValue,
  DateValue,
  EventExtraction,
  Extraction,
  Extractor,
  FigureValue,
  GroupValue,
  PersonValue,
  PlaceValue,
  ReportInput,
} from './extraction.js'
import { type FoundFigure, figuresIn } from './figures.js'
import { countriesByName, countryName } from './gazetteer.js'
import { type Name, namesIn } from './names.js'
import { knownGroup } from './known-groups.js'
import { knownPlaces } from './places.js'
import { sourcesIn } from './sources.js'
import { type Piece, type Sentence, sentencesOf } from './text.js'
import { populationOf as populationOfNoun } from './vocabulary.js'

// The extractor of rules: the report's sentences are cut into clauses, each clause belongs to
// the event the report is about, to another event it mentions, or to none (background), by the
// dates it gives and the words that open it ("Separately", "Last week"); each event then takes
// the figures, groups, people and places of its clauses.

/** Words that say something happened to people or places: what makes a clause an event's. */
const eventWords =
  /\b(kill\w*|attack\w*|bomb\w*|blast|explo\w+|raid\w*|clash\w*|ambush\w*|abduct\w*|kidnap\w*|stormed|gunned|shot|dead|died|wounded|injur\w+|fighting|massacre\w*|strike|strikes|shelling|shootout|assault|siege|beheading|arrested|seized)\b/i
const otherEventCue =
  /^(separately|in (a|another) separate|in another|last (week|month|year)|earlier this (week|month|year)|most recently|previously|in (january|february|march|april|may|june|july|august|september|october|november|december)\b|in (19|20)\d\d)|\bin a separate\b|^,?\s*and another\b/i
const statementDate =
  /\b(said|told|announced|statement|reported|added|claimed|declared|television|radio|rose|risen|reached|climbed|revised|ended)\b[^.]{0,25}$/i

interface Clause extends Piece {
  readonly sentence: Sentence
  event: number | null
}

interface EventDraftState {
  readonly date: DateMention | null
  readonly clauses: Clause[]
  /** Another event's clauses about "the attacks" together: they attribute this one too. */
  shared?: Clause[]
}

const together =
  /\b(the|both|these|the two|the three|all three) (attacks|assaults|bombings|raids|ambushes|killings)\b/i

/** Clauses about several attacks at once ("which bore the hallmarks of…") are each one's. */
function shareClauses(events: EventDraftState[]): void {
  for (const event of events) {
    event.shared = events.flatMap((other) =>
      other === event ||
      !other.date ||
      !event.date ||
      Math.abs(daysBetween(other.date.date, event.date.date)) > 7
        ? []
        : other.clauses.filter((clause) => together.test(clause.text)),
    )
  }
}

export class RuleExtractor implements Extractor {
  readonly name = 'rules-1'

  extract(input: ReportInput): Extraction {
    const { text, publishedOn } = input
    const dateline = datelineOf(text)
    const sentences = sentencesOf(text).map((sentence) =>
      dateline && sentence.start <= dateline.end && sentence.end > dateline.end
        ? { ...sentence, text: text.slice(dateline.end, sentence.end), start: dateline.end }
        : sentence,
    )
    const dates = datesIn(text, publishedOn).filter(
      (mention) => !dateline || mention.start >= dateline.end || mention.end <= dateline.start,
    )
    const names = sentences.flatMap((sentence) => namesIn(text, sentence))
    const figures = sentences.flatMap((sentence) => figuresIn(text, sentence))
    const clauses = sentences.flatMap(clausesOf)
    const mainDate = mainDateOf(dates, clauses, publishedOn)
    const events = assignClauses(clauses, dates, mainDate, publishedOn)
    shareClauses(events)
    const title = titleOf(sentences)
    const sources = sourcesIn(sentences, names, { agency: dateline?.agency ?? null }, input.source)
    const built = events.map((event, index) =>
      buildEvent(text, event, index === 0, {
        names,
        figures,
        dates,
        dateline,
        title: index === 0 ? title.value : null,
      }),
    )
    const claims = sentences.flatMap((sentence) => {
      const inSentence = names.filter(
        (name) => name.sentence === sentence.index && name.kind === 'group',
      )
      const speaker = sources.find(
        (source) =>
          source.kind === 'PERSON' && source.start >= sentence.start && source.end <= sentence.end,
      )
      return claimsIn(
        sentence,
        inSentence,
        figures.filter((figure) => figure.sentence === sentence.index),
        speaker?.name ?? null,
      )
    })
    groupsOfEveryEvent(text, built)
    sameDayAsMain(text, built)
    return {
      title,
      event: built[0] as EventExtraction,
      mentionedEvents: built.slice(1),
      sources,
      claims: dedupeClaims(claims),
    }
  }
}

/**
 * "claimed responsibility for both attacks": a group said of all the report's events is each
 * one's. Adds it (in place) to the events that lack it.
 */
function groupsOfEveryEvent(text: string, built: EventExtraction[]): void {
  if (built.length < 2) return
  const every =
    /\b(?:both|the two|all (?:the|three|four|five)|each of the)\s+(?:attacks|assaults|bombings|ambushes|raids|incidents|killings)\b/i
  for (const event of [...built])
    for (const group of event.groups) {
      const sentenceStart = text.lastIndexOf('.', group.start) + 1
      const sentenceEnd = text.indexOf('.', group.end)
      if (!every.test(text.slice(sentenceStart, sentenceEnd < 0 ? text.length : sentenceEnd)))
        continue
      for (const [index, other] of built.entries())
        if (!other.groups.some((one) => sameGroup(one, group)))
          built[index] = { ...other, groups: [...other.groups, group] }
    }
}

/** "in a separate attack … on the same day": an event with no date of its own has the main one's. */
function sameDayAsMain(text: string, built: EventExtraction[]): void {
  const main = built[0]?.date
  if (!main) return
  for (const [index, event] of built.entries()) {
    if (index === 0 || event.date) continue
    const said = /\b(?:on )?the same day\b/i.exec(
      text.slice(event.evidence.start, event.evidence.end),
    )
    if (!said) continue
    const start = event.evidence.start + said.index
    built[index] = {
      ...event,
      date: { ...main, conflict: null, start, end: start + said[0].length, confidence: 0.6 },
    }
  }
}

/** "MAIDUGURI, Nigeria (Reuters) - ", "KABUL, Aug 22 (Reuters) - ": where the wire says it was filed. */
function datelineOf(
  text: string,
): (Piece & { city: Piece; agency: Piece | null; country: string | null }) | null {
  const pattern =
    /(^|\n)([A-Z][A-Z'’ .-]{2,})(?:,\s+([A-Z][A-Za-z .'-]+?))?(?:,?\s+[A-Z][a-z]{2,4}\.?\s+\d{1,2})?(?:\s+\(([A-Za-z][\w .-]*)\))?\s+[-–—]\s+/
  const match = pattern.exec(text)
  if (!match) return null
  const start = match.index + (match[1] as string).length
  const cityText = match[2] as string
  const city = { text: titleCase(cityText), start, end: start + cityText.length }
  const agencyText = match[4]
  const agencyAt = agencyText ? match.index + match[0].indexOf(`(${agencyText})`) + 1 : -1
  const countryText = match[3]?.trim()
  const country = countryText ? (countriesByName.get(countryText)?.code ?? null) : null
  return {
    text: match[0].slice((match[1] as string).length),
    start,
    end: match.index + match[0].length,
    city,
    agency: agencyText
      ? { text: agencyText, start: agencyAt, end: agencyAt + agencyText.length }
      : null,
    country,
  }
}

const titleCase = (upper: string) =>
  upper
    .toLowerCase()
    .replace(
      /(^|[\s'-])(\p{L})/gu,
      (_, space: string, letter: string) => space + letter.toUpperCase(),
    )

function titleOf(sentences: readonly Sentence[]): Extraction['title'] {
  const headline =
    sentences.find((sentence) => sentence.heading && sentence.text.split(/\s+/).length >= 4) ??
    sentences[0]
  if (!headline) return { value: '', start: 0, end: 0, confidence: 0 }
  return {
    value: headline.text,
    start: headline.start,
    end: headline.end,
    confidence: headline.heading ? 0.9 : 0.5,
  }
}

/** A sentence's clauses: "…killed 16 soldiers…, and another 11 in a separate assault…" is two. */
function clausesOf(sentence: Sentence): Clause[] {
  const cuts = [0]
  // "Fifteen soldiers died in a separate attack" is one clause about the other event: only a
  // comma before "in a separate" ends the clause of the first.
  const cue = /,?\s+(?=and another\b)|,\s+(?=in a separate\b)|;\s+/g
  for (let match = cue.exec(sentence.text); match; match = cue.exec(sentence.text))
    if (match.index - (cuts.at(-1) ?? 0) > 30 || cuts.length === 1) cuts.push(match.index)
  cuts.push(sentence.text.length)
  return cuts.slice(0, -1).map((from, index) => {
    const to = cuts[index + 1] as number
    return {
      text: sentence.text.slice(from, to),
      start: sentence.start + from,
      end: sentence.start + to,
      sentence,
      event: null,
    }
  })
}

const within = (mention: DateMention, clause: Piece) =>
  mention.start >= clause.start && mention.end <= clause.end

/** Dates of what happened, not of who said it when ("the army said on Wednesday"). */
function eventDatesIn(clause: Piece, dates: readonly DateMention[], text: string): DateMention[] {
  return dates.filter(
    (mention) =>
      within(mention, clause) && !statementDate.test(text.slice(clause.start, mention.start)),
  )
}

/**
 * The date of the event the report is about: a date of the days just before publication in a
 * clause that reports violence, earliest in the text; else the first date said at all.
 */
function mainDateOf(
  dates: readonly DateMention[],
  clauses: readonly Clause[],
  publishedOn: string,
): DateMention | null {
  let best: { mention: DateMention; score: number } | null = null
  for (const clause of clauses) {
    const source = clause.sentence.text
    if (otherEventCue.test(clause.text.trim()) && clause.start !== clause.sentence.start) continue
    for (const mention of eventDatesIn(clause, dates, sourceText(clause, source))) {
      const age = daysBetween(publishedOn, mention.date)
      const recent = age >= -1 && age <= 10
      const score =
        mention.confidence +
        (recent ? 1 : 0) +
        (eventWords.test(clause.text) ? 0.4 : 0) +
        (mention.precision === 'DAY' || mention.precision === 'RANGE' ? 0.2 : 0) -
        clause.sentence.index * 0.03 -
        (otherEventCue.test(clause.text.trim()) ? 1 : 0)
      if (!best || score > best.score) best = { mention, score }
    }
  }
  return best?.mention ?? null
}

// The clause's own text stands for the whole text: offsets are the report's.
function sourceText(clause: Clause, _sentenceText: string): string {
  return `${' '.repeat(clause.start)}${clause.text}`
}

/** Whether a date is the main event's: the same days, or the same day of another year (a conflict). */
function fitsMain(mention: DateMention, main: DateMention | null): 'same' | 'conflict' | 'other' {
  if (!main) return 'other'
  const gap = daysBetween(mention.date, main.date)
  if (mention.precision === 'DAY' && main.precision === 'DAY' && gap >= -1 && gap <= 2)
    return 'same'
  if (mention.date <= main.dateEnd && mention.dateEnd >= main.date && mention.precision !== 'YEAR')
    return mention.precision === 'DAY' && main.precision === 'DAY' && gap !== 0 ? 'other' : 'same'
  if (
    mention.precision === 'DAY' &&
    main.precision === 'DAY' &&
    mention.date.slice(5) === main.date.slice(5)
  )
    return 'conflict'
  return 'other'
}

function assignClauses(
  clauses: Clause[],
  dates: readonly DateMention[],
  main: DateMention | null,
  _publishedOn: string,
): EventDraftState[] {
  const events: EventDraftState[] = [{ date: main, clauses: [] }]
  let current: number | null = 0
  for (const clause of clauses) {
    const sentence = clause.sentence
    const own = eventDatesIn(clause, dates, sourceText(clause, sentence.text))
    const violent = eventWords.test(clause.text)
    const cue = otherEventCue.test(clause.text.trim())
    // The date nearest the words of violence is the event's.
    const trigger = eventWords.exec(clause.text)
    const triggerAt = trigger ? clause.start + trigger.index : clause.start
    // A year alone ("this year", "defeated in 2017") dates no event of its own.
    const dated = own.filter(
      (mention) => mention.precision !== 'YEAR' || !/^(this|in) /i.test(mention.text),
    )
    const date = dated.sort(
      (a, b) => Math.abs(a.start - triggerAt) - Math.abs(b.start - triggerAt),
    )[0]
    // "has killed more than 4,000 people since 2017": a running total, no event.
    const cumulative = own.some((mention) => /^since\b/i.test(mention.text))
    if (sentence.heading) {
      clause.event = 0
    } else if (cumulative) {
      clause.event = null
    } else if (date) {
      const fit = fitsMain(date, main)
      if ((fit === 'same' || fit === 'conflict') && !(cue && fit !== 'conflict' && date !== main))
        clause.event = 0
      else {
        const existing = events.findIndex(
          (event, index) =>
            index > 0 && event.date?.date === date.date && event.date.precision === date.precision,
        )
        if (existing > 0) clause.event = existing
        else if (violent && date.precision !== 'YEAR') {
          events.push({ date, clauses: [] })
          clause.event = events.length - 1
        } else clause.event = null
      }
    } else if (cue && violent) {
      events.push({ date: null, clauses: [] })
      clause.event = events.length - 1
    } else {
      // Undated: the event the report was telling about goes on.
      clause.event = current
    }
    if (clause.event !== null) events[clause.event]?.clauses.push(clause)
    current = clause.event
  }
  return events.filter((event, index) => index === 0 || event.clauses.length > 0)
}

interface Found {
  readonly names: readonly Name[]
  readonly figures: readonly FoundFigure[]
  readonly dates: readonly DateMention[]
  readonly dateline: ReturnType<typeof datelineOf>
  readonly title: string | null
}

function buildEvent(
  text: string,
  event: EventDraftState,
  main: boolean,
  found: Found,
): EventExtraction {
  const clauses = [...event.clauses, ...(event.shared ?? [])]
  const inEvent = (piece: { start: number }) =>
    event.clauses.some((clause) => piece.start >= clause.start && piece.start < clause.end)
  const inShared = (piece: { start: number }) =>
    (event.shared ?? []).some((clause) => piece.start >= clause.start && piece.start < clause.end)
  const names = found.names.filter(
    (name) => inEvent(name) || (name.kind === 'group' && inShared(name)),
  )
  const figures = eventFigures(
    found.figures.filter((figure) =>
      event.clauses.some((clause) => figure.at >= clause.start && figure.at < clause.end),
    ),
    event.clauses,
  )
  const groups: GroupValue[] = []
  const sentenceOf = (name: Name) =>
    (clauses.find((clause) => name.start >= clause.start && name.start < clause.end) as Clause)
      .sentence
  const targeted: string[] = []
  const bodyGroups = names.filter((name) => name.kind === 'group' && !sentenceOf(name).heading)
  for (const name of names) {
    if (name.kind !== 'group') continue
    const sentence = sentenceOf(name)
    // A headline states loosely what the body hedges ("Al Shabaab gunmen" / "suspected al Shabaab").
    if (
      sentence.heading &&
      bodyGroups.some((other) =>
        sameGroup({ name: other.text, aliases: [] }, { name: name.text, aliases: [] }),
      )
    ) {
      // …but a caption's "raid of a Jund al-Khalifa group location" still says whom it targeted.
      if (roleOf(sentence, name) === 'TARGET') targeted.push(name.text)
      continue
    }
    // "The Pakistani Taliban, or Tehrik-i-Taliban Pakistan (TTP), claimed": one group, two names.
    const previous = names[names.indexOf(name) - 1]
    if (previous?.kind === 'group' && /^,?\s+or\s+$/.test(text.slice(previous.end, name.start))) {
      const index = groups.findIndex((group) => group.name === previous.text)
      const existing = groups[index]
      if (existing) {
        groups[index] = {
          ...existing,
          name: name.text,
          aliases: [...existing.aliases, existing.name, ...(name.acronym ? [name.acronym] : [])],
        }
        continue
      }
    }
    const firstGroup =
      names.find(
        (other) =>
          other.kind === 'group' &&
          other.sentence === name.sentence &&
          // "The al-Qaeda-linked al-Shabaab group claimed": the linked name is not the subject.
          !/^-(linked|backed|aligned|affiliated|allied|run|led)/i.test(
            text.slice(other.end, other.end + 12),
          ),
      ) === name
    const attribution = attributionOf(sentence, name, firstGroup)
    if (!attribution) continue
    addGroup(groups, {
      name: name.text,
      aliases: aliasesOf(name),
      role: roleOf(sentence, name),
      attribution,
      start: name.start,
      end: name.end,
      confidence: name.confidence * (attribution === 'CONFIRMED' ? 0.9 : 1),
    })
  }
  for (const [index, group] of groups.entries())
    if (targeted.some((name) => sameGroup(group, { name, aliases: [] })))
      groups[index] = { ...group, role: 'TARGET' }
  // "Taliban officials said they suspected the group": the group named just before.
  for (const clause of event.clauses) {
    const anaphora = /\b(suspected|blamed)\s+the group\b/i.exec(clause.text)
    if (!anaphora) continue
    const at = clause.start + anaphora.index
    const named = found.names
      .filter(
        (name) => name.kind === 'group' && name.end < at && !/Taliban/.test(name.text) === true,
      )
      .at(-1)
    if (named)
      addGroup(groups, {
        name: named.text,
        aliases: [],
        role: 'PERPETRATOR',
        attribution: 'SUSPECTED',
        start: named.start,
        end: named.end,
        confidence: 0.6,
      })
  }
  const persons: PersonValue[] = []
  for (const name of names) {
    if (name.kind !== 'person') continue
    const sentence = sentenceOf(name)
    const groupNames = found.names.filter(
      (other) => other.kind === 'group' && other.sentence === name.sentence,
    )
    const person = personIn(sentence, name, found.figures.filter(inEvent), groupNames)
    if (person && !persons.some((other) => other.name === person.name))
      persons.push({ ...person, start: name.start, end: name.end, confidence: name.confidence })
  }
  const place = placeOf(text, names, found, main)
  const date = dateOf(event, found.dates, main)
  const start = Math.min(
    ...event.clauses.filter((clause) => !clause.sentence.heading).map((clause) => clause.start),
    text.length,
  )
  const end = Math.max(...event.clauses.map((clause) => clause.end), 0)
  return {
    title: found.title ?? mentionedTitle(event, figures, place),
    date,
    place,
    figures,
    groups,
    persons,
    evidence: { start: Math.min(start, end), end, confidence: main ? 0.8 : 0.6 },
  }
}

function mentionedTitle(
  event: EventDraftState,
  figures: readonly FigureValue[],
  place: PlaceValue | null,
): string {
  const first = event.clauses.find((clause) => !clause.sentence.heading)
  const clause = (first?.text ?? '').replace(
    /^(most recently|separately|in \w+ \d{4}|last \w+|earlier this \w+),?\s*/i,
    '',
  )
  const killed = figures.find((figure) => figure.category === 'KILLED' && !figure.superseded)
  if (clause.length <= 90) return clause.replace(/[.,]$/, '')
  const count = killed?.best ?? killed?.low
  return count != null && place
    ? `${count} killed in ${place.name}`
    : `${clause.slice(0, 87).replace(/\s+\S*$/, '')}…`
}

function dateOf(
  event: EventDraftState,
  dates: readonly DateMention[],
  main: boolean,
): DateValue | null {
  const mention = event.date
  if (!mention) return null
  const conflicts = main
    ? event.clauses
        .flatMap((clause) => dates.filter((other) => within(other, clause)))
        .filter((other) => other !== mention && fitsMain(other, mention) === 'conflict')
        .map((other) => `"${other.text}" also said (${other.date})`)
    : []
  if (mention.conflict) conflicts.unshift(mention.conflict)
  return {
    date: mention.date,
    dateEnd: mention.dateEnd,
    precision: mention.precision,
    conflict: conflicts.length ? conflicts.join('; ') : null,
    start: mention.start,
    end: mention.end,
    confidence: conflicts.length ? Math.min(mention.confidence, 0.6) : mention.confidence,
  }
}

/** The most specific place the event's clauses name, its country, and its point when known. */
function placeOf(
  text: string,
  names: readonly Name[],
  found: Found,
  main: boolean,
): PlaceValue | null {
  const codeOf = (name: Name) => countriesByName.get(name.text.replace(/s$/, ''))?.code
  const isAdjective = (name: Name) =>
    countriesByName.get(name.text.replace(/s$/, ''))?.adjective ?? true
  const countries = names
    .filter((name) => name.kind === 'country')
    .sort((a, b) => Number(isAdjective(a)) - Number(isAdjective(b)) || a.start - b.start)
  // The countries the report names, the event's own first: a place name is looked up in them.
  const named = [
    ...countries.map(codeOf),
    found.dateline?.country,
    ...found.names.filter((name) => name.kind === 'country').map(codeOf),
  ].filter((code, at, all): code is string => Boolean(code) && all.indexOf(code) === at)
  // A name the gazetteer knows in one of those countries, or anywhere when none is named.
  const known = (name: Name) => {
    const all = knownPlaces(name.text)
    return (
      all.find((place) => named.includes(place.countryCode)) ??
      (named.length ? null : (all[0] ?? null))
    )
  }
  // How specific a name is: a first-level division (said so, or known as one) least, then a
  // district, then a name said as nothing more, then a town the gazetteer knows or the report
  // calls a town.
  const rank = (name: Name) => {
    const after = text.slice(name.end, name.end + 16)
    const before = text.slice(Math.max(0, name.start - 20), name.start)
    const place = known(name)
    if (/^\s+(state|province|region|governorate)\b/i.test(after) || place?.level === 'ADMIN1')
      return place?.level === 'LOCALITY' ? 3 : 1
    if (place?.level === 'LOCALITY' || /\b(town|city|village|site) of\s+$/i.test(before)) return 4
    if (/^\s+(county|territory|district|department|municipality)\b/i.test(after)) return 2
    return 3
  }
  const places = names.filter(
    (name) =>
      name.kind === 'place' ||
      // A bare name in no telling context ("near Bamba"), which the gazetteer knows.
      (name.kind === 'other' && known(name) !== null),
  )
  const body = places.filter((name) => !isHeading(name, found))
  const ranked = (body.length ? body : places)
    .slice()
    .sort((a, b) => rank(b) - rank(a) || a.start - b.start)
  const place = ranked[0]
  const point = place ? known(place) : null
  const code = point?.countryCode ?? named[0] ?? null
  // The first-level division the event's clauses name in that country.
  const admin1 = ranked
    .map((name) => knownPlaces(name.text).find((one) => one.level === 'ADMIN1'))
    .find((one) => one && one.countryCode === code)
  const geo = {
    admin1: admin1?.name ?? null,
    latitude: point?.latitude ?? null,
    longitude: point?.longitude ?? null,
  }
  if (place)
    return {
      name: place.text,
      countryCode: code,
      country: code ? countryName(code) : null,
      ...geo,
      geoPrecision:
        point?.latitude != null
          ? 'NEAR'
          : rank(place) === 1
            ? 'ADMIN1'
            : rank(place) === 2
              ? 'ADMIN2'
              : null,
      start: place.start,
      end: place.end,
      confidence: point ? Math.max(place.confidence, 0.8) : place.confidence,
    }
  if (main && found.dateline) {
    const city = found.dateline.city
    const cityPoint = knownPlaces(city.text).find((one) => one.countryCode === code)
    return {
      name: city.text,
      countryCode: code,
      country: code ? countryName(code) : null,
      admin1: null,
      latitude: cityPoint?.latitude ?? null,
      longitude: cityPoint?.longitude ?? null,
      geoPrecision: cityPoint?.latitude != null ? 'NEAR' : null,
      start: city.start,
      end: city.end,
      confidence: 0.5,
    }
  }
  const countryMention = countries[0]
  if (countryMention && code)
    return {
      name: countryName(code),
      countryCode: code,
      country: countryName(code),
      admin1: null,
      latitude: null,
      longitude: null,
      geoPrecision: 'COUNTRY',
      start: countryMention.start,
      end: countryMention.end,
      confidence: 0.6,
    }
  return null
}

/** A group's other names: the acronym the report gives, then the names a known group goes by. */
function aliasesOf(name: Name): string[] {
  const known = knownGroup(name.text)
  const all = [
    ...(name.acronym ? [name.acronym] : []),
    ...(known ? [known.name, ...known.aliases] : []),
  ]
  return [...new Set(all)].filter((alias) => alias !== name.text)
}

const isHeading = (name: Name, found: Found) => found.title !== null && name.sentence === 0

/**
 * The event's figures: one per category, population and count (the headline and the lead say it
 * twice), a count said of "people" folded into the same count said of whom, and a toll that
 * rose or was revised superseding the figure it replaces.
 */
function eventFigures(found: readonly FoundFigure[], clauses: readonly Clause[]): FigureValue[] {
  const populationOf = (noun: string) => populationOfNoun(noun.toLowerCase())
  const inHeading = (figure: FoundFigure) =>
    clauses.some(
      (clause) => clause.sentence.heading && figure.at >= clause.start && figure.at < clause.end,
    )
  const body = found.filter((figure) => !inHeading(figure))
  const headline = found
    .filter(inHeading)
    .filter((figure) => !body.some((other) => other.category === figure.category))
  // The headline's "five worshippers" says whom the lead's "five people" were.
  const named = body.map((figure) => {
    const said = found.find(
      (other) =>
        inHeading(other) &&
        other.category === figure.category &&
        other.population !== 'ALL' &&
        (other.best ?? other.low) === (figure.best ?? figure.low),
    )
    return figure.population === 'ALL' && said ? { ...figure, population: said.population } : figure
  })
  // "the dead and wounded were all civilians": whom the counts of people counted.
  const statement = clauses
    .map((clause) =>
      /\bthe (dead|killed|wounded|injured)(?: and (?:the )?(dead|killed|wounded|injured))? (?:were|are) (?:all |mostly )?(civilians|soldiers|militants|police officers|policemen)\b/i.exec(
        clause.text,
      ),
    )
    .find((match) => match !== null)
  const stated = statement
    ? {
        categories: [statement[1], statement[2]]
          .filter(Boolean)
          .map(
            (word): CasualtyCategory =>
              /dead|killed/i.test(word as string) ? 'KILLED' : 'INJURED',
          ),
        population: populationOf((statement[3] as string).split(' ').at(-1) as string),
      }
    : null
  const all = [...named, ...headline].map((figure) =>
    stated?.population && figure.population === 'ALL' && stated.categories.includes(figure.category)
      ? { ...figure, population: stated.population }
      : figure,
  )
  const count = (figure: FoundFigure) => figure.best ?? figure.low ?? figure.high
  // A revised toll said of no one in particular counts whom the first figure of its kind counted.
  const resolved = all.map((figure) => {
    if (!figure.revises || figure.population !== 'ALL') return figure
    const first = all.find(
      (other) => other.category === figure.category && other !== figure && !other.revises,
    )
    return first ? { ...figure, population: first.population } : figure
  })
  const kept: FoundFigure[] = []
  for (const figure of resolved) {
    const same = kept.findIndex(
      (other) =>
        other.category === figure.category &&
        count(other) === count(figure) &&
        (other.population === figure.population ||
          other.population === 'ALL' ||
          figure.population === 'ALL'),
    )
    if (same < 0) kept.push(figure)
    else if ((kept[same] as FoundFigure).population === 'ALL' && figure.population !== 'ALL')
      kept[same] = { ...figure, revises: figure.revises || (kept[same] as FoundFigure).revises }
  }
  return kept.map((figure) => {
    const later = kept.find(
      (other) =>
        other !== figure &&
        other.category === figure.category &&
        other.population === figure.population &&
        other.revises &&
        !figure.revises,
    )
    const replaced = kept.some(
      (other) =>
        other !== figure &&
        other.category === figure.category &&
        !other.earlier &&
        (other.population === figure.population || figure.population === 'ALL'),
    )
    const superseded = Boolean(later) || (figure.earlier && replaced)
    const { revises: _revises, earlier: _earlier, sentence: _sentence, at: _at, ...value } = figure
    return { ...value, superseded }
  })
}

function dedupeClaims(claims: readonly ClaimValue[]): ClaimValue[] {
  return claims.filter(
    (claim, index) =>
      claims.findIndex(
        (other) => other.property === claim.property && other.start === claim.start,
      ) === index,
  )
}
