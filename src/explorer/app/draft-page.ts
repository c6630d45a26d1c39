import { request } from './api.js'
import { fill, h, statusLine } from './dom.js'
import {
  AcceptDraftDocument,
  type ActorRole,
  type Attribution,
  type CasualtyCategory,
  type CasualtyPopulation,
  type DatePrecision,
  type DraftChanges,
  DraftFromReportDocument,
  type DraftFromReportMutation,
  type FigureQualifier,
  type PersonOutcome,
  RejectDraftDocument,
} from './generated/operations.js'

// "Draft from a report": paste a report, get a draft of its event beside the text with the span
// behind each value highlighted, correct it, and accept it (the event is written, and the
// explorer opens it) or reject it. Writing needs an editor's API key, kept for the tab only.

type Draft = NonNullable<DraftFromReportMutation['draftFromReport']>
interface Span {
  readonly start: number
  readonly end: number
}

// Every value of each enum, typed against the schema: a value added there fails the typecheck here.
const categories: Record<CasualtyCategory, string> = {
  KILLED: 'killed',
  INJURED: 'injured',
  HOSTAGE: 'hostage',
  MISSING: 'missing',
  ARRESTED: 'arrested',
}
const populations: Record<CasualtyPopulation, string> = {
  ALL: 'all',
  PERPETRATORS: 'perpetrators',
  SECURITY_FORCES: 'security forces',
  CIVILIANS: 'civilians',
  SIDE_A: 'side A',
  SIDE_B: 'side B',
  UNKNOWN: 'unknown',
}
const qualifiers: Record<FigureQualifier, string> = {
  EXACT: 'exactly',
  AT_LEAST: 'at least',
  AT_MOST: 'at most',
  APPROXIMATELY: 'about',
  VAGUE: 'vague',
}
const attributions: Record<Attribution, string> = {
  CONFIRMED: 'confirmed',
  CLAIMED: 'claimed',
  SUSPECTED: 'suspected',
  COMPETING_CLAIM: 'competing claim',
}
const roles: Record<ActorRole, string> = {
  PERPETRATOR: 'perpetrator',
  TARGET: 'target',
  PARTICIPANT: 'participant',
  ASSOCIATED: 'associated',
}
const outcomes: Record<PersonOutcome, string> = {
  KILLED: 'killed',
  INJURED: 'injured',
  ARRESTED: 'arrested',
  MISSING: 'missing',
  HOSTAGE: 'hostage',
  UNHARMED: 'unharmed',
  UNKNOWN: 'unknown',
}
const precisions: Record<DatePrecision, string> = {
  DAY: 'day',
  WEEK: 'week',
  MONTH: 'month',
  YEAR: 'year',
  RANGE: 'range',
}

const keyStorage = 'attest-api-key'
const message = (error: unknown) => (error instanceof Error ? error.message : String(error))

function select<T extends string>(
  label: string,
  options: Record<T, string>,
  value: T | null,
  allowNone = false,
) {
  return h(
    'select',
    { 'aria-label': label },
    allowNone && h('option', { value: '' }, '—'),
    Object.entries<string>(options).map(([option, text]) =>
      h('option', { value: option, selected: option === value }, text),
    ),
  )
}

const percent = (confidence: number) => `${Math.round(confidence * 100)} %`

export function startDraftPage(root: HTMLElement): void {
  for (const other of document.querySelectorAll<HTMLElement>('.layout')) other.hidden = true
  root.hidden = false
  document.title = 'Attest · Draft from a report'
  const key = h('input', {
    type: 'password',
    id: 'draft-key',
    autocomplete: 'off',
    value: sessionStorage.getItem(keyStorage) ?? '',
  })
  const source = h('input', {
    type: 'text',
    id: 'draft-source',
    required: true,
    placeholder: 'Reuters',
  })
  const published = h('input', {
    type: 'date',
    id: 'draft-published',
    required: true,
    value: new Date().toISOString().slice(0, 10),
  })
  const url = h('input', { type: 'url', id: 'draft-url', placeholder: 'https://…' })
  const text = h('textarea', {
    id: 'draft-text',
    rows: 14,
    required: true,
    placeholder: 'Paste the report here.',
  })
  const status = h('div', { class: 'draft-status', 'aria-live': 'polite' })
  const review = h('div', { class: 'draft-review' })
  const form = h(
    'form',
    { class: 'draft-form' },
    h('h2', {}, 'Draft from a report'),
    h(
      'p',
      { class: 'hint' },
      'Paste a news report: its event is drafted with the words behind each value, for you to check, correct and accept.',
    ),
    h('label', {}, 'Editor’s API key', key),
    h('label', {}, 'Published by', source),
    h('label', {}, 'Published on', published),
    h('label', {}, 'URL', url),
    h('label', { class: 'wide' }, 'Report', text),
    h('button', { type: 'submit', id: 'draft-submit' }, 'Draft it'),
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    sessionStorage.setItem(keyStorage, key.value)
    fill(status, statusLine('loading', 'Reading the report…'))
    try {
      const { draftFromReport } = await request(
        DraftFromReportDocument,
        {
          text: text.value,
          url: url.value || null,
          publishedOn: published.value,
          source: source.value,
        },
        undefined,
        key.value,
      )
      if (!draftFromReport) throw new Error('No draft came back')
      fill(status)
      fill(review, new DraftReview(draftFromReport, key.value, status).element)
    } catch (error) {
      fill(status, statusLine('error', `Could not draft it: ${message(error)}`))
    }
  })
  fill(root, form, status, review)
}

/** One draft beside its text: values to correct on the right, their words marked on the left. */
class DraftReview {
  readonly element: HTMLElement
  private readonly textView = h('div', { class: 'draft-source-text', id: 'draft-source-text' })
  private readonly spans: { span: Span; kind: string }[] = []
  private readonly accept: () => DraftChanges

  constructor(
    private readonly draft: Draft,
    private readonly key: string,
    private readonly status: HTMLElement,
  ) {
    const title = h('input', { type: 'text', id: 'draft-title', value: draft.title.value })
    const dateStart = h('input', {
      type: 'date',
      id: 'draft-date-start',
      value: draft.date?.date ?? '',
    })
    const dateEnd = h('input', {
      type: 'date',
      id: 'draft-date-end',
      value: draft.date?.dateEnd ?? '',
    })
    const precision = select('Date precision', precisions, draft.date?.precision ?? 'DAY')
    const drafted = draft.place?.name ?? ''
    const placeName = h('input', { type: 'text', id: 'draft-place', value: drafted })
    const figures = draft.figures.map((figure) => this.figureRow(figure))
    const groups = draft.groups.map((group) => this.groupRow(group))
    const persons = draft.persons.map((person) => this.personRow(person))
    const sources = draft.sources.map((source) => this.sourceRow(source))
    this.accept = () => ({
      title: title.value,
      dateStart: dateStart.value || null,
      dateEnd: dateEnd.value || dateStart.value || null,
      datePrecision: precision.value as DatePrecision,
      // Another name than the drafted one is the editor's: the drafted match no longer holds.
      ...(draft.place?.place &&
        placeName.value.trim() === drafted && { placeId: draft.place.place.id }),
      ...(placeName.value.trim() !== drafted && { locationText: placeName.value.trim() || null }),
      figures: figures.flatMap((row) => row.value()),
      groups: groups.flatMap((row) => row.value()),
      persons: persons.flatMap((row) => row.value()),
      sources: sources.flatMap((row) => row.value()),
    })
    for (const value of [
      draft.date,
      draft.place,
      ...draft.figures,
      ...draft.groups,
      ...draft.persons,
      ...draft.sources,
    ])
      if (value) this.spans.push({ span: value, kind: 'value' })
    const values = h(
      'form',
      { class: 'draft-values', id: 'draft-values' },
      h(
        'p',
        { class: 'hint' },
        `Drafted by ${draft.extractor}. Select a value to see the words it comes from.`,
      ),
      h('label', {}, 'Title', title),
      h(
        'fieldset',
        {},
        h('legend', {}, 'When'),
        this.spanButton(
          draft.date,
          draft.date ? `${draft.date.date} · ${percent(draft.date.confidence)}` : 'no date found',
        ),
        h('label', {}, 'From', dateStart),
        h('label', {}, 'To', dateEnd),
        h('label', {}, 'Precision', precision),
        draft.date?.conflict &&
          h('p', { class: 'disputed', role: 'note' }, `Also said: ${draft.date.conflict}`),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Where'),
        this.spanButton(
          draft.place,
          draft.place
            ? `${draft.place.name}${draft.place.countryCode ? `, ${draft.place.countryCode}` : ''}${draft.place.place ? ` = recorded place ${draft.place.place.name}` : ' (no recorded place)'}`
            : 'no place found',
        ),
        draft.place?.admin1 && h('p', { class: 'hint' }, `In ${draft.place.admin1}`),
        draft.place?.latitude != null &&
          h(
            'p',
            { class: 'hint' },
            `Gazetteer point ${draft.place.latitude}, ${draft.place.longitude} (${(draft.place.geoPrecision ?? '').toLowerCase()})`,
          ),
        h('label', {}, 'Place name', placeName),
      ),
      h(
        'fieldset',
        { id: 'draft-figures' },
        h('legend', {}, 'Casualty figures'),
        figures.map((row) => row.element),
      ),
      h(
        'fieldset',
        { id: 'draft-groups' },
        h('legend', {}, 'Groups'),
        groups.map((row) => row.element),
      ),
      h(
        'fieldset',
        { id: 'draft-persons' },
        h('legend', {}, 'Persons'),
        persons.map((row) => row.element),
      ),
      h(
        'fieldset',
        { id: 'draft-sources' },
        h('legend', {}, 'Sources'),
        sources.map((row) => row.element),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Claims about groups'),
        h(
          'ul',
          {},
          draft.claims.map((c) =>
            h('li', {}, this.spanButton(c, `${c.groupName}: ${c.statement}`)),
          ),
        ),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Other events it mentions'),
        h(
          'ul',
          {},
          draft.mentionedEvents.map((m) =>
            h(
              'li',
              {},
              this.spanButton(m, `${m.date?.date ?? 'undated'} · ${m.title}`),
              m.candidates.length > 0 &&
                h(
                  'span',
                  { class: 'hint' },
                  ` — maybe ${m.candidates.map((c) => `${c.event?.title ?? 'a deleted event'} (${percent(c.score)})`).join('; ')}`,
                ),
            ),
          ),
        ),
      ),
      h(
        'div',
        { class: 'draft-actions' },
        h('button', { type: 'submit', id: 'draft-accept' }, 'Accept and write the event'),
        h(
          'button',
          { type: 'button', id: 'draft-reject', class: 'secondary', onclick: () => this.reject() },
          'Reject',
        ),
      ),
    )
    values.addEventListener('submit', (event) => {
      event.preventDefault()
      this.submit()
    })
    this.element = h('div', { class: 'draft-columns' }, this.textView, values)
    this.showText(null)
  }

  /** The text with the values' words marked; the selected one stands out and comes into view. */
  private showText(selected: Span | null): void {
    const chosen: Span[] = []
    for (const span of [...(selected ? [selected] : []), ...this.spans.map((s) => s.span)])
      if (!chosen.some((other) => span.start < other.end && span.end > other.start))
        chosen.push(span)
    chosen.sort((a, b) => a.start - b.start)
    const text = this.draft.text
    const parts: (Node | string)[] = []
    let at = 0
    for (const span of chosen) {
      parts.push(text.slice(at, span.start))
      parts.push(
        h('mark', { class: span === selected ? 'selected' : '' }, text.slice(span.start, span.end)),
      )
      at = span.end
    }
    parts.push(text.slice(at))
    fill(this.textView, parts)
    this.textView.querySelector('mark.selected')?.scrollIntoView({ block: 'nearest' })
  }

  private spanButton(
    span: (Span & { confidence?: number }) | null | undefined,
    label: string,
  ): HTMLElement {
    if (!span) return h('span', { class: 'hint' }, label)
    return h(
      'button',
      {
        type: 'button',
        class: 'span-link',
        onclick: () => this.showText(span),
        title: `Show the words (${percent(span.confidence ?? 0)})`,
      },
      label,
    )
  }

  private figureRow(figure: Draft['figures'][number]) {
    const include = h('input', {
      type: 'checkbox',
      checked: !figure.superseded,
      'aria-label': 'Write this figure',
    })
    const category = select('Category', categories, figure.category)
    const population = select('Population', populations, figure.population)
    const qualifier = select('Qualifier', qualifiers, figure.qualifier)
    const count = h('input', {
      type: 'number',
      min: 0,
      class: 'figure-count',
      'aria-label': 'Count',
      value: figure.best ?? figure.low ?? figure.high ?? '',
    })
    const element = h(
      'div',
      { class: 'draft-row figure-row' },
      include,
      count,
      qualifier,
      category,
      population,
      this.spanButton(
        figure,
        `“${figure.quote}”${figure.superseded ? ' (replaced by a later toll)' : ''}`,
      ),
    )
    const value = () => {
      if (!include.checked) return []
      const n = count.value === '' ? null : Number(count.value)
      const q = qualifier.value as FigureQualifier
      return [
        {
          category: category.value as CasualtyCategory,
          population: population.value as CasualtyPopulation,
          qualifier: q,
          low: q === 'AT_LEAST' ? n : null,
          best: q === 'EXACT' || q === 'APPROXIMATELY' ? n : null,
          high: q === 'AT_MOST' ? n : null,
          vagueTerm: q === 'VAGUE' ? (figure.vagueTerm ?? figure.quote) : null,
          start: figure.start,
          end: figure.end,
        },
      ]
    }
    return { element, value }
  }

  private groupRow(group: Draft['groups'][number]) {
    const include = h('input', {
      type: 'checkbox',
      checked: true,
      'aria-label': 'Write this group',
    })
    const attribution = select('Attribution', attributions, group.attribution)
    const role = select('Role', roles, group.role)
    const matched = group.group ? ` = ${group.group.name}` : ' (new group)'
    const element = h(
      'div',
      { class: 'draft-row' },
      include,
      this.spanButton(group, `${group.name}${matched}`),
      attribution,
      role,
    )
    const value = () =>
      include.checked
        ? [
            {
              ...(group.group ? { groupId: group.group.id } : { name: group.name }),
              role: role.value as ActorRole,
              attribution: attribution.value as Attribution,
            },
          ]
        : []
    return { element, value }
  }

  private personRow(person: Draft['persons'][number]) {
    const include = h('input', {
      type: 'checkbox',
      checked: true,
      'aria-label': 'Write this person',
    })
    const role = h('input', {
      type: 'text',
      'aria-label': 'Role',
      value: person.role ?? 'participant',
    })
    const outcome = select('Outcome', outcomes, person.outcome ?? null, true)
    const element = h(
      'div',
      { class: 'draft-row' },
      include,
      this.spanButton(person, person.person ? `${person.name} ✓ recorded` : person.name),
      role,
      outcome,
    )
    const value = () =>
      include.checked
        ? [
            {
              ...(person.person ? { personId: person.person.id } : { name: person.name }),
              role: role.value || 'participant',
              outcome: (outcome.value || null) as PersonOutcome | null,
            },
          ]
        : []
    return { element, value }
  }

  /** A voice of the chain: kept or dropped, its name corrected; cited with its own sentence. */
  private sourceRow(source: Draft['sources'][number]) {
    const include = h('input', {
      type: 'checkbox',
      checked: true,
      'aria-label': 'Cite this source',
    })
    const name = h('input', { type: 'text', 'aria-label': 'Source name', value: source.name })
    const element = h(
      'div',
      { class: 'draft-row' },
      include,
      this.spanButton(
        source,
        `${source.kind.toLowerCase().replace(/_/g, ' ')}${source.via ? ` via ${source.via}` : ''}${source.source ? ' ✓ recorded' : ''}`,
      ),
      name,
    )
    const value = () =>
      include.checked && name.value.trim()
        ? [{ name: name.value.trim(), kind: source.kind, start: source.start, end: source.end }]
        : []
    return { element, value }
  }

  private async submit(): Promise<void> {
    fill(this.status, statusLine('loading', 'Writing the event…'))
    try {
      const { acceptDraft } = await request(
        AcceptDraftDocument,
        { id: this.draft.id, changes: this.accept() },
        undefined,
        this.key,
      )
      const event = acceptDraft?.event
      if (!event) throw new Error('The event was not written')
      // The explorer, with the new event open.
      location.assign(`/?event=${encodeURIComponent(event.id)}`)
    } catch (error) {
      fill(this.status, statusLine('error', `Not written: ${message(error)}`))
    }
  }

  private async reject(): Promise<void> {
    try {
      await request(RejectDraftDocument, { id: this.draft.id, reason: null }, undefined, this.key)
      fill(this.status, statusLine('empty', 'Rejected: no event was written.'))
    } catch (error) {
      fill(this.status, statusLine('error', `Could not reject it: ${message(error)}`))
    }
  }
}
