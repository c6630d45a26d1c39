import type {
  ActorRole,
  ActorSide,
  Attribution,
  CasualtyCategory,
  CasualtyPopulation,
  DatePrecision,
  EventTypeScheme,
  FigureQualifier,
  GeoPrecision,
  GroupKind,
} from '../db/schema.js'

/**
 * One dataset row, normalized: what every importer (UCDP, ACLED, GTD) maps its rows to and
 * the one batch writer (write-batch.ts) stores. Names, not ids: the writer finds or creates the
 * places, groups, sources and reports they name.
 */
export interface ImportedEvent {
  /** The dataset's own id of the row: the import's idempotency key. */
  readonly externalId: string
  /** The row as read, kept in import_record. */
  readonly raw: Readonly<Record<string, string>>
  /** The file line the row starts on (for messages). */
  readonly line: number
  readonly title: string
  readonly summary: string | null
  readonly dateStart: string
  readonly dateEnd: string
  readonly datePrecision: DatePrecision
  readonly place: ImportedPlace
  readonly locationText: string | null
  readonly latitude: number | null
  readonly longitude: number | null
  readonly geoPrecision: GeoPrecision | null
  readonly tags: readonly string[]
  readonly isSuicide: boolean
  readonly civilianTargeting: boolean
  readonly types: readonly {
    readonly scheme: EventTypeScheme
    readonly code: string
    readonly primary: boolean
  }[]
  readonly actors: readonly ImportedActor[]
  /** Figures the dataset itself gives: attested by the dataset release's report. */
  readonly figures: readonly ImportedFigure[]
  /** The documents the row cites. */
  readonly reports: readonly ImportedReport[]
}

export interface ImportedPlace {
  readonly country: string
  readonly gwCode: number | null
  readonly isoAlpha3: string | null
  readonly admin1: string | null
  readonly admin2: string | null
}

export interface ImportedActor {
  readonly name: string
  /** The group's id in the dataset (UCDP actor id), so one actor across rows is one group. */
  readonly externalId: string | null
  readonly kind: GroupKind
  readonly role: ActorRole
  readonly side: ActorSide | null
  readonly attribution: Attribution
}

export interface ImportedFigure {
  readonly category: CasualtyCategory
  readonly population: CasualtyPopulation
  readonly low: number | null
  readonly best: number | null
  readonly high: number | null
  readonly qualifier: FigureQualifier
}

export interface ImportedReport {
  /** The reference as the dataset writes it; one report per distinct reference. */
  readonly citation: string
  /** The publisher, when the dataset names it. */
  readonly sourceName: string | null
  readonly headline: string | null
  readonly publishedOn: string | null
  /** Who the report quotes (UCDP source_original). */
  readonly quotes: readonly string[]
}

/** A row that cannot be imported, and why: reported with its line and column. */
export interface Reject {
  readonly line: number
  /** Empty when the row as a whole is malformed. */
  readonly column: string
  readonly reason: string
  /** The row as the file has it. */
  readonly raw?: string
}
