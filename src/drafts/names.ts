import { countriesByName } from './gazetteer.js'
import { knownGroup, knownNameAt } from './known-groups.js'
import {
  capitalRuns,
  numberOf,
  type Piece,
  type Sentence,
  span,
  type Word,
  wordsOf,
} from './text.js'

// Names in a sentence, sorted by what they name: armed groups, people, places. A name is a run
// of capitalised words; what surrounds it and the words inside it say which kind it is.

export type NameKind = 'group' | 'person' | 'place' | 'country' | 'other'

export interface Name extends Piece {
  readonly kind: NameKind
  readonly sentence: number
  /** An acronym written after it in brackets: "(ISWAP)". */
  readonly acronym: string | null
  /** A title or role written before it ("Health Minister", "spokesman"). */
  readonly title: string | null
  readonly confidence: number
}

const groupWords =
  /\b(State|Qa'?eda|Qa'?ida|Shabaa?b|Haram|Taliban|Taleban|Front|Army|Brigades?|Battalions?|Movement|Militias?|Group|Organi[sz]ation|Alliance|Coalition|Jund|Ansar|Jama'?at|Jamaat|Jamaa|Katibat|Katiba|Harakat|Hezbollah|Hizballah|Hamas|Tehrik|Sayyaf|S[eé]l[eé]ka|anti-balaka|Mujahideen|Tigers|Liberation|Resistance|Province|Khorasan|Houthis?|Forces|Faction|Jihad|Boko)\b/
// Not groups, though their words say so: state bodies, agencies, missions, places.
const notGroups =
  /\b(United States|Security Council|Red Cross|Human Rights|Counter-Terrorism Service|Security Media Cell|Mission|Ministry|Minister|Police|Government|University|Institute|Army headquarters|Crisis Group|Amaq|Andalus|Masirah)\b|^(Army|Police|State|The State|Forces|Group|Islamic State (militants|fighters))$/
const personTitles =
  /^(General|Gen|Colonel|Col|Lt|Lieutenant|Major|Maj|Captain|Capt|President|Minister|Dr|Mr|Mrs|Ms|Sheikh|Imam|Governor|Commander|Sergeant|Sgt|Brigadier|Prime|Health|Interior|Defence|Defense|Foreign|Communications|Information|Senator|Mayor|Father|Bishop|Chief|Police|Regional|Senior|Spokesman|Spokesperson)$/
const roleNouns =
  /\b(spokes(man|woman|person)|minister|commander|governor|official|chief|leader|administrator|cleric|comedian|mayor|head|director|fellow|analyst|commissioner|general|colonel|president|officer|bomber|member|founder|emir|deputy|envoy|lawmaker|senator|journalist|activist)$/i
const organisationWords =
  /\b(Ministry|Institute|Agency|Service|Cell|Mission|Council|Committee|Hotel|Cathedral|Catholic|Nations|Cross|Borders|TV|Radio|Spring|Media|Watch|Post|Court|Office|Church|College|University|Hospital|Airport|Bank|Company|Corporation|Program|Programme|Fund|Union|Republic|Parliament|Assembly|News|Times|Journal|Television|Press|Mass|Road|Street|Mosque|School|Market)\b/
const monthsAndDays =
  /^(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Aug|Sept|Oct|Nov|Dec|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)$/
const notNames =
  /^(The|A|An|In|On|At|But|And|However|According|Most|It|He|She|They|We|This|That|These|Those|His|Her|Their|Its|No|Both|All|Some|Two|Three|Four|Five|Several|Police|Officials|Security|Image|Related|Posts|Earlier|Last|Separately|Among|Unidentified|Suspected|Gunmen|Militants|Soldiers|Insurgents|Rebels|Jihadists|Fighting|Clashes|Islamist|Air|Two|One|Ten|Eight|Twin|Death|Blast|Bomb|Roadside|Suicide)$/
const placeNouns =
  /^(town|city|village|capital|district|area|island|suburb|outskirts|region|province|state|county|governorate|territory|neighbourhood|neighborhood|camp|port|municipality|commune|department|prefecture)$/

/** A word that is a person's name part: capitalised, or a particle inside Arabic names. */
const personPart = (word: Word) =>
  (word.capital && !monthsAndDays.test(word.text)) ||
  /^(al-|el-|bin|ibn|de|van|abdel|abu)/i.test(word.text)

export function namesIn(text: string, sentence: Sentence): Name[] {
  const words = wordsOf(sentence)
  const names: Name[] = []
  for (const run of splitAtAnd(text, words, capitalRuns(text, words))) {
    let { from, to } = run
    // "(ISWAP)" right after a name is that name's acronym, not another name.
    if (
      /\(\s*$/.test(
        text.slice(Math.max(0, (words[from] as Word).start - 2), (words[from] as Word).start),
      )
    )
      continue
    // "Fighters of the Popular Front…", "Militants from …": the name after the people.
    if (
      /^(Fighters|Militants|Members|Soldiers|Troops|Rebels|Supporters)$/.test(
        (words[from] as Word).text,
      )
    ) {
      let at = from + 1
      while (at < to && /^(of|from|the|for)$/.test((words[at] as Word).lower)) at++
      if (at > from + 1) from = at
    }
    // Leading words that start a sentence or head a title, not the name.
    while (from < to && notNames.test((words[from] as Word).text)) from++
    const titleWords: string[] = []
    while (from < to - 2 && personTitles.test((words[from] as Word).text)) {
      titleWords.push((words[from] as Word).text)
      from++
    }
    while (from < to && monthsAndDays.test((words[from] as Word).text)) from++
    while (to > from && monthsAndDays.test((words[to - 1] as Word).text)) to--
    if (from >= to) continue
    // "al-Qaeda-linked al-Shabaab": the name after the link word.
    for (let at = from; at < to - 1; at++) {
      if (
        /-(linked|led|backed|aligned|allied|affiliated|claimed|based|run)$/.test(
          (words[at] as Word).lower,
        )
      ) {
        names.push(...classify(text, sentence, words, from, at + 1, titleWords, true))
        from = at + 1
      }
    }
    names.push(...classify(text, sentence, words, from, to, titleWords, false))
  }
  return names
}

const andParts = /^(.*?)\s+and\s+(.*)$/

/** "Iraq and Syria", "al Qaeda and Islamic State": two names joined by "and" are two names. */
function splitAtAnd(text: string, words: readonly Word[], runs: { from: number; to: number }[]) {
  return runs.flatMap((run) => {
    const and = words.slice(run.from, run.to).findIndex((word) => word.lower === 'and')
    if (and < 0) return [run]
    const at = run.from + and
    const left = span(text, words, run.from, at).text
    const right = span(text, words, at + 1, run.to).text
    // "Brigade of Jihad and Unity" is one name: a group's name and one more word.
    const oneName = groupWords.test(left) && at + 2 === run.to && !countriesByName.has(right)
    let rightFrom = at + 1
    while (rightFrom < run.to && /^(the|of)$/.test((words[rightFrom] as Word).lower)) rightFrom++
    return oneName || !andParts.test(`${left} and ${right}`) || rightFrom >= run.to
      ? [run]
      : [
          { from: run.from, to: at },
          { from: rightFrom, to: run.to },
        ]
  })
}

function classify(
  text: string,
  sentence: Sentence,
  words: readonly Word[],
  from: number,
  to: number,
  titleWords: readonly string[],
  linked: boolean,
): Name[] {
  let end = to
  const piece = span(text, words, from, end)
  let name = piece.text.replace(/['’]s$/, '')
  const after = text.slice(piece.end, Math.min(sentence.end, piece.end + 40))
  const before = text.slice(Math.max(sentence.start, piece.start - 40), piece.start)
  const acronym = /^\s*\(([A-Z][A-Za-z-]{1,9})\)/.exec(after)?.[1] ?? null
  const base = {
    start: piece.start,
    sentence: sentence.index,
    acronym,
    title: null as string | null,
  }
  const country = countriesByName.get(name) ?? countriesByName.get(name.replace(/s$/, ''))
  if (country)
    return [
      { ...base, text: name, end: piece.start + name.length, kind: 'country', confidence: 0.9 },
    ]
  // A group news copy names often, by any of its names ("Jaish-e-Mohammed", "CODECO").
  const longer = knownNameAt(text, piece.start, name)
  if (longer)
    return [
      { ...base, text: longer, end: piece.start + longer.length, kind: 'group', confidence: 0.85 },
    ]
  if (!linked && knownGroup(name) && !notGroups.test(name))
    return [
      { ...base, text: name, end: piece.start + name.length, kind: 'group', confidence: 0.85 },
    ]
  if (linked) {
    const stripped = name.replace(
      /-(linked|led|backed|aligned|allied|affiliated|claimed|based|run)$/i,
      '',
    )
    // "Saudi-led coalition": the coalition is the group, named with its leader.
    const noun = /^\s+(coalition|forces|alliance|movement|group)\b/i.exec(text.slice(piece.end))
    if (noun && /led|backed/.test(name))
      return [
        {
          ...base,
          text: `${name} ${noun[1]}`,
          end: piece.end + noun[0].length,
          kind: 'group',
          confidence: 0.7,
        },
      ]
    const strippedKind =
      groupWords.test(stripped) || /^[A-Z]{2,6}$/.test(stripped) ? 'group' : 'other'
    return [
      {
        ...base,
        text: stripped,
        end: piece.start + stripped.length,
        kind: strippedKind,
        confidence: 0.6,
      },
    ]
  }
  // "Abu Sayyaf group", "the Houthi movement", "Khalifa group": a name and a group noun.
  const groupNoun = /^\s+(group|movement|militia|rebels|insurgents|faction|coalition)\b/i.exec(
    text.slice(piece.end),
  )
  const groupish = groupWords.test(name) && !notGroups.test(name)
  // "the Somali Islamist group" describes a group; it does not name one.
  if (/\b(Islamist|Jihadist|Militant|Rebel|Anglophone)$/.test(name) && !groupish)
    return [{ ...base, text: name, end: piece.start + name.length, kind: 'other', confidence: 0.3 }]
  if (groupish || groupNoun) {
    const plainNoun = groupNoun && !groupish && /coalition|movement/i.test(groupNoun[1] as string)
    if (plainNoun) {
      name = `${name} ${groupNoun?.[1]}`
      end = piece.start + name.length
    }
    return [
      {
        ...base,
        text: name,
        end: plainNoun ? end : piece.start + name.length,
        kind: 'group',
        confidence: groupish ? 0.8 : 0.6,
      },
    ]
  }
  // An acronym alone ("ISWAP", "ADF", "ELN") after a name is that name's; alone it may be a group.
  if (
    /^[A-Z]{2,6}$/.test(name) &&
    /\b(claimed|militants|fighters|rebels|insurgents|blamed|suspected|join|allegiance|attack|attacks)\b/i.test(
      `${before} ${after}`,
    )
  )
    return [{ ...base, text: name, end: piece.start + name.length, kind: 'group', confidence: 0.6 }]
  if (organisationWords.test(name))
    return [{ ...base, text: name, end: piece.start + name.length, kind: 'other', confidence: 0.5 }]
  const placeBefore =
    /\b(capital|city|town|village)\s*,?\s+$|\b(in|near|outside|of)\s+(the\s+)?(central|northern|southern|eastern|western|north-?eastern|north-?western|south-?eastern|south-?western|coastal|rural|remote)\s+$|\b(town|city|village|capital|district|area|island|suburb|outskirts|region|province|governorate|county|state|territory) of\s+(the\s+)?$|\b(in|near|outside|around|at|of|from|to|toward|towards|north|south|east|west|northeast|northwest|southeast|southwest)\s+(the\s+)?$/i.test(
      before,
    )
  const placeAfter = new RegExp(`^\\s+(${placeNouns.source.slice(2, -2)})\\b`, 'i').test(after)
  const parts = words.slice(from, end)
  // "Niger River", "Frontier Corps", "Twenty-two Indian": a feature, a force or a count, not a person.
  if (
    /\b(River|Lake|Mountains?|Forest|Valley|Hills?|Desert|Dam|Bridge|Highway|Corps|Gulf|Sea)$/.test(
      name,
    )
  )
    return [
      {
        ...base,
        text: name,
        end: piece.start + name.length,
        kind: 'other',
        confidence: 0.5,
      },
    ]
  if (numberOf(parts[0]?.text ?? '') !== null)
    return [{ ...base, text: name, end: piece.start + name.length, kind: 'other', confidence: 0.3 }]
  const titled =
    titleWords.length > 0 || roleNouns.test(before.trim()) || /^,\s+(a|an|the)\s+\w+/.test(after)
  const speaks = /^,?\s+(said|says|told|added|estimates|estimated|emphasi[sz]ed|warned|who)\b/.test(
    after,
  )
  const looksPersonal =
    parts.length >= 2 &&
    parts.length <= 4 &&
    parts.every(personPart) &&
    !placeAfter &&
    !/^(North|South|East|West|Central)$/.test(parts[0]?.text ?? '')
  if (
    looksPersonal &&
    (titled ||
      speaks ||
      /\b(identified as|named as|was named|including|among them|cleric|mayor|leader)\s*,?\s*$/i.test(
        before,
      ) ||
      !placeBefore)
  ) {
    return [
      {
        ...base,
        text: name,
        end: piece.start + name.length,
        kind: 'person',
        title: titleWords.length ? titleWords.join(' ') : null,
        confidence: titled || speaks ? 0.85 : 0.6,
      },
    ]
  }
  if (placeBefore || placeAfter)
    return [
      {
        ...base,
        text: name,
        end: piece.start + name.length,
        kind: 'place',
        confidence: placeAfter ? 0.85 : 0.65,
      },
    ]
  return [{ ...base, text: name, end: piece.start + name.length, kind: 'other', confidence: 0.4 }]
}
