import type {
  ActorRole,
  ActorSide,
  Attribution,
  CasualtyCategory,
  CasualtyPopulation,
  DatePrecision,
  EventLinkKind,
  EventTypeScheme,
  FigureQualifier,
  GeoPrecision,
  GroupKind,
  GroupRelationKind,
  PersonOutcome,
  PlaceLevel,
  SourceKind,
} from '../db/schema.js'

/**
 * The shape of data/demo/*.json. Records refer to each other by `key`, local to the file;
 * the loader turns keys into database ids. Field names are the API's (camelCase).
 */
export interface DemoData {
  readonly places: readonly DemoPlace[]
  readonly sources: readonly DemoSource[]
  readonly reports: readonly DemoReport[]
  readonly reportCitations: readonly DemoReportCitation[]
  readonly groups: readonly DemoGroup[]
  readonly groupRelations: readonly DemoGroupRelation[]
  readonly persons: readonly DemoPerson[]
  readonly memberships: readonly DemoMembership[]
  readonly events: readonly DemoEvent[]
  readonly eventLinks: readonly DemoEventLink[]
  readonly claims: readonly DemoClaim[]
}

export interface DemoPlace {
  readonly key: string
  readonly parent?: string
  readonly level: PlaceLevel
  readonly name: string
  readonly isoAlpha3?: string
  readonly gwCode?: number
  readonly latitude?: number
  readonly longitude?: number
}

export interface DemoSource {
  readonly key: string
  readonly name: string
  readonly kind: SourceKind
  readonly scale?: string
  readonly country?: string
  readonly url?: string
  readonly description?: string
}

export interface DemoReport {
  readonly key: string
  readonly source: string
  readonly headline?: string
  readonly url?: string
  readonly publishedOn?: string
  readonly language?: string
  readonly citation?: string
}

export interface DemoReportCitation {
  readonly report: string
  readonly citedReport?: string
  readonly citedSource?: string
  readonly quote?: string
}

export interface DemoGroup {
  readonly key: string
  readonly name: string
  readonly kind: GroupKind
  readonly country?: string
  readonly description?: string
  readonly aliases: readonly { readonly alias: string; readonly language?: string }[]
  readonly externalIds?: readonly { readonly scheme: string; readonly id: string }[]
}

export interface DatedRange {
  readonly validFrom?: string
  readonly validFromPrecision?: DatePrecision
  readonly validTo?: string
  readonly validToPrecision?: DatePrecision
}

export interface DemoGroupRelation extends DatedRange {
  readonly from: string
  readonly to: string
  readonly kind: GroupRelationKind
  readonly report: string
  readonly quote?: string
}

export interface DemoPerson {
  readonly key: string
  readonly name: string
  readonly description?: string
  readonly bornOn?: string
  readonly diedOn?: string
}

export interface DemoMembership extends DatedRange {
  readonly person: string
  readonly group: string
  readonly role: string
  readonly report: string
  readonly quote?: string
}

export interface DemoEvent {
  readonly key: string
  readonly title: string
  readonly summary?: string
  readonly dateStart: string
  readonly dateEnd: string
  readonly datePrecision: DatePrecision
  readonly place?: string
  readonly locationText?: string
  readonly latitude?: number
  readonly longitude?: number
  readonly geoPrecision?: GeoPrecision
  readonly tags: readonly string[]
  readonly isSuicide: boolean
  readonly civilianTargeting: boolean
  readonly classifications: readonly {
    readonly scheme: EventTypeScheme
    readonly code: string
    readonly primary: boolean
  }[]
  readonly actors: readonly {
    readonly group: string
    readonly role: ActorRole
    readonly side?: ActorSide
    readonly attribution: Attribution
    readonly report?: string
  }[]
  readonly persons: readonly {
    readonly person: string
    readonly role: string
    readonly outcome?: PersonOutcome
    readonly report?: string
  }[]
  readonly casualties: readonly {
    readonly category: CasualtyCategory
    readonly population: CasualtyPopulation
    readonly low?: number
    readonly best?: number
    readonly high?: number
    readonly qualifier: FigureQualifier
    readonly vagueTerm?: string
    readonly report: string
    readonly quote?: string
  }[]
  readonly citations: readonly { readonly report: string; readonly quote?: string }[]
}

export interface DemoEventLink {
  readonly event: string
  readonly related: string
  readonly kind: EventLinkKind
  readonly note?: string
}

export interface DemoClaim {
  readonly subject: { readonly event?: string; readonly group?: string; readonly person?: string }
  readonly property: string
  readonly statement: string
  readonly valueText?: string
  readonly low?: number
  readonly best?: number
  readonly high?: number
  readonly unit?: string
  readonly qualifier?: FigureQualifier
  readonly report: string
  readonly statedBy?: string
  readonly quote?: string
}
