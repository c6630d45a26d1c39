// What an extractor finds in a report: every value with the span of text that says it and how
// sure the extractor is. Values use the API's enum spellings, so a draft stores them as they are
// shown and written (schema.graphql: EventDraft).

/** Where in the report's text a value is said: [start, end) in UTF-16 code units, as JS slices. */
export interface Evidence {
  readonly start: number
  readonly end: number
  /** From 0 (a guess) to 1 (said in so many words). */
  readonly confidence: number
}

export type DatePrecision = 'DAY' | 'WEEK' | 'MONTH' | 'YEAR' | 'RANGE'
export type CasualtyCategory = 'KILLED' | 'INJURED' | 'HOSTAGE' | 'MISSING' | 'ARRESTED'
export type CasualtyPopulation =
  | 'ALL'
  | 'PERPETRATORS'
  | 'SECURITY_FORCES'
  | 'CIVILIANS'
  | 'SIDE_A'
  | 'SIDE_B'
  | 'UNKNOWN'
export type FigureQualifier = 'EXACT' | 'AT_LEAST' | 'AT_MOST' | 'APPROXIMATELY' | 'VAGUE'
export type ActorRole = 'PERPETRATOR' | 'TARGET' | 'PARTICIPANT' | 'ASSOCIATED'
export type Attribution = 'CONFIRMED' | 'CLAIMED' | 'SUSPECTED' | 'COMPETING_CLAIM'
export type PersonOutcome = 'KILLED' | 'INJURED' | 'ARRESTED' | 'MISSING' | 'HOSTAGE' | 'UNHARMED'
export type SourceKind =
  | 'NEWS_AGENCY'
  | 'NEWS_OUTLET'
  | 'GOVERNMENT'
  | 'ARMED_GROUP'
  | 'NGO'
  | 'INTERNATIONAL_ORGANIZATION'
  | 'SOCIAL_MEDIA'
  | 'PERSON'
  | 'OTHER'

export interface DateValue extends Evidence {
  /** The first day (YYYY-MM-DD). */
  readonly date: string
  /** The last day: the same as `date` for a day. */
  readonly dateEnd: string
  readonly precision: DatePrecision
  /** Another date the report gives for the same event, or a weekday that does not fit. */
  readonly conflict: string | null
}

export interface PlaceValue extends Evidence {
  /** The most specific place named: a town, a district, a province, or the country. */
  readonly name: string
  /** The country it lies in, as ISO 3166-1 alpha-3, when the report makes it known. */
  readonly countryCode: string | null
  readonly country: string | null
  /** The first-level division (state, province) it lies in, when the report names it. */
  readonly admin1: string | null
  /** Its point, from the gazetteer the project ships (data/gazetteer/), when it knows the name. */
  readonly latitude: number | null
  readonly longitude: number | null
  /** How close the point or the name comes to where it happened (the API's GeoPrecision). */
  readonly geoPrecision: 'NEAR' | 'ADMIN2' | 'ADMIN1' | 'COUNTRY' | null
}

export interface FigureValue extends Evidence {
  readonly category: CasualtyCategory
  readonly population: CasualtyPopulation
  readonly low: number | null
  readonly best: number | null
  readonly high: number | null
  readonly qualifier: FigureQualifier
  readonly vagueTerm: string | null
  /** A later figure of the report (a toll that rose, a revised count) replaces this one. */
  readonly superseded: boolean
}

export interface GroupValue extends Evidence {
  /** The name as the report writes it. */
  readonly name: string
  /** Other names the report gives it ("ISWAP"). */
  readonly aliases: readonly string[]
  readonly role: ActorRole
  readonly attribution: Attribution
}

export interface PersonValue extends Evidence {
  readonly name: string
  /** What the report calls them: "head of the Brigade of Jihad and Unity", "suicide bomber". */
  readonly role: string | null
  readonly outcome: PersonOutcome | null
  /** A group the report says they belong to or lead. */
  readonly groupName: string | null
}

export interface SourceValue extends Evidence {
  readonly name: string
  readonly kind: SourceKind
  /** Who passes the statement on ("told Reuters": Reuters); null when the report itself does. */
  readonly via: string | null
}

/** A statement about a group that fits no column: an estimate, an allegiance. */
export interface ClaimValue extends Evidence {
  readonly groupName: string
  readonly property: string
  readonly statement: string
  readonly low: number | null
  readonly best: number | null
  readonly high: number | null
  readonly qualifier: FigureQualifier
  readonly valueText: string | null
  /** Who says so inside the report, when someone other than the report does. */
  readonly statedBy: string | null
}

export interface EventExtraction {
  readonly title: string
  readonly date: DateValue | null
  readonly place: PlaceValue | null
  readonly figures: readonly FigureValue[]
  readonly groups: readonly GroupValue[]
  readonly persons: readonly PersonValue[]
  /** The sentences that describe it. */
  readonly evidence: Evidence
}

export interface Extraction {
  readonly title: { readonly value: string } & Evidence
  /** The event the report is about. */
  readonly event: EventExtraction
  /** Other events the report mentions (earlier attacks given as context). */
  readonly mentionedEvents: readonly EventExtraction[]
  readonly sources: readonly SourceValue[]
  readonly claims: readonly ClaimValue[]
}

export interface ReportInput {
  readonly text: string
  /** YYYY-MM-DD: what relative dates ("on Thursday") count back from. */
  readonly publishedOn: string
  /** The outlet that published the report. */
  readonly source: string
}

/**
 * Turns a report into an extraction. Rules and libraries now; a model later can take the same
 * place (src/drafts/extractors.ts chooses).
 */
export interface Extractor {
  /** Name and version, kept with each draft: which extractor made it. */
  readonly name: string
  extract(input: ReportInput): Extraction
}
