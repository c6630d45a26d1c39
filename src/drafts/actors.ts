import type {
  ActorRole,
  Attribution,
  ClaimValue,
  GroupValue,
  PersonOutcome,
  PersonValue,
} from './extraction.js'
import type { FoundFigure } from './figures.js'
import type { Name } from './names.js'
import { numberOf, type Sentence } from './text.js'
import { categoryOf, qualifierPhrases } from './vocabulary.js'

// Who did it and who suffered it: groups with how the report attributes the event to them,
// people with their roles and fates, and what the report states about groups besides.

/** How the words around a group's name attribute the event to it; null: only mentioned. */
export function attributionOf(
  sentence: Sentence,
  name: Name,
  firstGroup: boolean,
): Attribution | null {
  const before = sentence.text.slice(0, name.start - sentence.start)
  const after = sentence.text.slice(name.end - sentence.start)
  const near = before.slice(-60)
  // "al-Qaeda-linked", "Houthi-run", "al-Qaeda's branch", "a Taliban cleric", "a former Islamic
  // State stronghold": the name describes something else, it does no act here.
  if (
    /^(-(linked|backed|aligned|affiliated|allied|run|led|held|controlled|based)|['’]s\s+(branch|affiliate|wing|arm|franchise|offshoot|leader|territory)|\s+(cleric|officials?|spokes\w+|leaders?|commanders?|government|territory|stronghold|positions?|bases?|prisoners?|detainees?)\b)/i.test(
      after,
    )
  )
    return null
  // Named as another group's patron or parent, not as an actor here.
  if (
    /(allegiance to|linked to|affiliate of|affiliated (to|with)|branch of|split from|faction of|loyal to|aligned with|known as|part of|led by|the former|former|ex-|ally of|allies of|allied (to|with)|joined|to join|left to join|run by|held by|controlled by|used by|operated by|owned by|government of)\s+(the\s+)?$/i.test(
      near,
    )
  )
    return null
  if (/-claimed$/.test(name.text) || /^-claimed/.test(after)) return 'CLAIMED'
  if (/\bclaimed by\s+(the\s+)?$/i.test(near)) return 'CLAIMED'
  if (
    firstGroup &&
    /\bclaim(ed|s)?\b/i.test(after) &&
    !/\bno (group|one)\b.*\bclaim/i.test(sentence.text)
  )
    return 'CLAIMED'
  if (
    /\b(suspected|suspect|suspects|blamed|blame|blames|accused|hallmarks of|believed to be|attributed to|presumed)\b[^.]*$/i.test(
      near,
    ) ||
    /^\s*(is|are|were|was)?\s*(suspected|blamed|believed)\b/i.test(after)
  )
    return 'SUSPECTED'
  if (
    /\b(belong(ed|s)? to|members? of|militants? (of|from)|fighters? (of|from)|by|between|clashed with|with)\s+(the\s+)?(group known locally as\s+)?$/i.test(
      near,
    )
  )
    return 'CONFIRMED'
  if (
    /\bbetween\b[^.]*\band\s+(the\s+)?$/i.test(before) ||
    /\b(targeting|raid (on|of)|raids? against|operation against|offensive against|crackdown on)\s+(an?\s+|the\s+)?$/i.test(
      near,
    )
  )
    return 'CONFIRMED'
  if (/^\s+(attack|attacks|bombing|assault|ambush)\b/i.test(after)) return 'CONFIRMED'
  if (
    /^\s*(militants|fighters|rebels|insurgents|gunmen|militiamen|forces)?\s*(,[^,]*,\s*)?(killed|attacked|stormed|abducted|kidnapped|clashed|carried out|struck|opened fire|ambushed|seized)\b/i.test(
      after,
    )
  )
    return 'CONFIRMED'
  if (/^\s+(militants|fighters|rebels|insurgents|gunmen|militiamen)\b/i.test(after))
    return 'CONFIRMED'
  return null
}

export function roleOf(sentence: Sentence, name: Name): ActorRole {
  const before = sentence.text.slice(0, name.start - sentence.start).slice(-80)
  if (
    /\b(targeting|against|raid (on|of)|operation against|offensive against|raids? (of|on)|police raid of)\b[^.]*$/i.test(
      before,
    )
  )
    return 'TARGET'
  if (
    /\b(clash(es|ed)? (with|between)|fighting between|battles? between|clashed with)\b/i.test(
      sentence.text,
    )
  )
    return 'PARTICIPANT'
  return 'PERPETRATOR'
}

/** The same group twice: equal names, or one the other's acronym, or a spelling a letter or two off. */
export function sameGroup(
  a: { name: string; aliases: readonly string[] },
  b: { name: string; aliases: readonly string[] },
): boolean {
  const keys = (group: { name: string; aliases: readonly string[] }) =>
    [group.name, ...group.aliases].map((name) => name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ''))
  const left = keys(a)
  const right = keys(b)
  return left.some((x) =>
    right.some((y) => x === y || (x.length > 8 && y.length > 8 && editDistance(x, y) <= 2)),
  )
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
    previous = current
  }
  return previous[b.length] as number
}

const strength: Record<Attribution, number> = {
  CONFIRMED: 1,
  CLAIMED: 2,
  SUSPECTED: 0,
  COMPETING_CLAIM: 3,
}

/** Adds a group to an event's list, or strengthens the one there (a claim outranks a suspicion). */
export function addGroup(groups: GroupValue[], group: GroupValue): void {
  const index = groups.findIndex((other) => sameGroup(other, group))
  const existing = groups[index]
  if (!existing) {
    groups.push(group)
    return
  }
  const aliases = [
    ...new Set([
      ...existing.aliases,
      ...group.aliases,
      ...(existing.name === group.name ? [] : [group.name]),
    ]),
  ].filter((alias) => alias !== existing.name)
  groups[index] = {
    ...existing,
    aliases,
    attribution:
      strength[group.attribution] > strength[existing.attribution]
        ? group.attribution
        : existing.attribution,
    role: existing.role === 'PERPETRATOR' && group.role === 'TARGET' ? 'TARGET' : existing.role,
  }
}

/** A person's fate in the sentence that names them, and the role it gives them. */
export function personIn(
  sentence: Sentence,
  name: Name,
  figures: readonly FoundFigure[],
  groups: readonly Name[],
): Omit<PersonValue, 'start' | 'end' | 'confidence'> | null {
  const text = sentence.text
  const before = text.slice(0, name.start - sentence.start)
  const after = text.slice(name.end - sentence.start)
  if (
    /^(,[^,]{0,80},)?,?\s+(said|says|told|added|estimates|estimated|emphasi[sz]ed|warned|blamed)\b/.test(
      after,
    )
  )
    return null
  if (/\b(according to|said|told)\s+$/i.test(before)) return null
  // "Ezzedine Alaoui, the head of the Brigade of Jihad and Unity": a role, perhaps a group.
  const appositive =
    /^,\s+((?:the|a|an)\s+[^,]{2,80}?)(?:,|\s+(?:was|were|is|who|had)\b)/.exec(after)?.[1] ??
    /\b(?:the|a|an)\s+([\w\s-]{2,60}?),\s*$/.exec(before)?.[1] ??
    /\b(cleric|comedian|mayor|leader|commander|bomber|chief)\s*,?\s*$/i.exec(before)?.[0] ??
    null
  const role = appositive ? appositive.replace(/^(the|a|an)\s+/i, '').trim() : name.title
  if (
    role &&
    /\b(spokes(man|person|woman)|minister|governor|official|administrator|fellow|analyst|commissioner)\b/i.test(
      role,
    )
  )
    return null
  const group = groups.find((other) => role?.includes(other.text))?.text ?? null
  let outcome: PersonOutcome | null = null
  for (const word of text.toLowerCase().split(/[^a-z]+/)) {
    const category = categoryOf(word)
    if (category && category !== 'MISSING') {
      outcome = category === 'ARRESTED' ? 'ARRESTED' : category
      break
    }
  }
  if (!outcome && /\bamong the dead\b|\bshot\b/i.test(text)) outcome = 'KILLED'
  if (
    !outcome &&
    /\bsuspects\b/i.test(text) &&
    figures.some((figure) => figure.category === 'ARRESTED')
  )
    outcome = 'ARRESTED'
  const identified = /\b(identified as|named as)\s*$/i.test(before) || /\bwas named\b/.test(after)
  if (!outcome && !identified && !group) return null
  return { name: name.text, role: role ?? null, outcome, groupName: group }
}

const claimNouns = /^([a-z]+|[A-Z][a-z]+s)$/

/**
 * Statements about a group that are no casualty of an event: an estimate ("up to 6,000
 * Tunisians have left the country to join ISIS", "some 2,400 fighters") or an allegiance.
 */
export function claimsIn(
  sentence: Sentence,
  groups: readonly Name[],
  figures: readonly FoundFigure[],
  statedBy: string | null,
): ClaimValue[] {
  const claims: ClaimValue[] = []
  const text = sentence.text
  const allegiance =
    /\b(?:has |have |had )?(pledged|sworn|swore|declared) (?:its |their )?(?:allegiance|loyalty) to\s+/gi
  for (let match = allegiance.exec(text); match; match = allegiance.exec(text)) {
    const at = sentence.start + match.index
    const after = at + match[0].length - 1
    const subject = groups.filter((group) => group.end <= at).at(-1)
    const object = groups.find((group) => group.start >= after)
    if (!subject || !object) continue
    claims.push({
      groupName: subject.text,
      property: 'allegiance',
      statement: `${subject.text} pledged allegiance to ${object.text}.`,
      low: null,
      best: null,
      high: null,
      qualifier: 'EXACT',
      valueText: object.text,
      statedBy,
      start: subject.start,
      end: object.end,
      confidence: 0.75,
    })
  }
  if (!groups.length) return claims
  const counted = /\b(\d{1,3}(?:,\d{3})+|\d{2,})\s+([A-Za-z]+)/g
  for (let match = counted.exec(text); match; match = counted.exec(text)) {
    const at = sentence.start + match.index
    if (figures.some((figure) => figure.at === at)) continue
    const value = numberOf(match[1] as string)
    const noun = match[2] as string
    if (
      value === null ||
      (value >= 1900 && value <= 2100) ||
      !claimNouns.test(noun) ||
      (/^(people|km|miles|years|days)$/.test(noun) && !/join|fighters|members/.test(text))
    )
      continue
    if (
      !/\b(join|joined|fighters|members|recruits|estimated|estimates|strong|has some|have some)\b/i.test(
        text,
      )
    )
      continue
    const group = groups
      .filter((name) => name.kind === 'group')
      .sort((a, b) => Math.abs(a.start - at) - Math.abs(b.start - at))[0]
    if (!group) continue
    const before = text.slice(0, match.index)
    const qualifier = qualifierPhrases.find(([pattern]) => pattern.test(before))?.[1] ?? 'EXACT'
    const end = Math.min(sentence.end, at + 120)
    const statement = sentenceClause(text, match.index)
    claims.push({
      groupName: group.text,
      property: /\bjoin/i.test(statement)
        ? 'recruits_from_abroad'
        : `${noun.toLowerCase()}_count`.replace(/[^a-z_]/g, ''),
      statement,
      low: qualifier === 'AT_LEAST' ? value : null,
      best: qualifier === 'EXACT' || qualifier === 'APPROXIMATELY' ? value : null,
      high: qualifier === 'AT_MOST' ? value : null,
      qualifier,
      valueText: null,
      statedBy,
      start: at,
      end: Math.max(
        at + (match[0] as string).length,
        Math.min(end, sentence.start + match.index + statement.length),
      ),
      confidence: 0.6,
    })
  }
  return claims
}

/** The clause around an offset: from the previous to the next comma or stop. */
function sentenceClause(text: string, at: number): string {
  const start = Math.max(text.lastIndexOf(',', at) + 1, 0)
  const comma = text.indexOf(',', at)
  const end = comma < 0 ? text.length : comma
  return text
    .slice(start, end)
    .trim()
    .replace(/^(and|but|although|however)\s+/i, '')
}
