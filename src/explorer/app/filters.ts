import { h } from './dom.js'
import { typeKey } from './event-types.js'
import type { EventTypeKeyFragment } from './generated/operations.js'
import { Picker, type PickerOption } from './picker.js'
import { type Filters, noFilters } from './state.js'

export interface FilterChoices {
  readonly countries: readonly { isoCode: string | null; name: string }[]
  readonly eventTypes: readonly EventTypeKeyFragment[]
}

export interface FilterFormHandlers {
  onChange(filters: Filters): void
  searchGroups(text: string, signal: AbortSignal): Promise<readonly PickerOption[]>
  /** Names for group ids (a shared link holds only ids). */
  groupNames(ids: readonly string[]): Promise<readonly PickerOption[]>
}

/** Local suggestions: options whose label contains every typed word. */
function matching(options: readonly PickerOption[]) {
  return async (text: string) => {
    const words = text.toLowerCase().split(/\s+/).filter(Boolean)
    return options.filter((o) => words.every((w) => o.label.toLowerCase().includes(w)))
  }
}

/** The filter form: every control maps onto a field of the API's EventFilter. */
export class FilterForm {
  readonly element: HTMLFormElement
  private filters: Filters = noFilters
  private readonly countryOptions: PickerOption[]
  private readonly typeOptions: PickerOption[]
  private readonly groupLabels = new Map<string, string>()
  private readonly from = h('input', { id: 'filter-from', type: 'date', name: 'from' })
  private readonly to = h('input', { id: 'filter-to', type: 'date', name: 'to' })
  private readonly affiliates = h('input', { id: 'filter-affiliates', type: 'checkbox' })
  private readonly minKilled = h('input', {
    id: 'filter-min-killed',
    type: 'number',
    min: 0,
    step: 1,
    inputmode: 'numeric',
    placeholder: 'any',
  })
  private readonly search = h('input', {
    id: 'filter-search',
    type: 'search',
    placeholder: 'words, "a phrase", -exclude',
  })
  private readonly countries: Picker
  private readonly groups: Picker
  private readonly types: Picker
  private searchTimer = 0

  constructor(
    choices: FilterChoices,
    private readonly handlers: FilterFormHandlers,
  ) {
    this.countryOptions = choices.countries
      .filter((c): c is { isoCode: string; name: string } => c.isoCode !== null)
      .map((c) => ({ value: c.isoCode, label: c.name, detail: c.isoCode }))
    this.typeOptions = choices.eventTypes.map((type) => ({
      value: typeKey(type),
      label: `${type.scheme} · ${type.parent ? `${type.parent.label} › ` : ''}${type.label}`,
    }))
    this.countries = new Picker({
      id: 'filter-countries',
      label: 'Countries',
      placeholder: 'Type a country',
      suggest: matching(this.countryOptions),
      onChange: (countries) => this.change({ countries }),
    })
    this.groups = new Picker({
      id: 'filter-groups',
      label: 'Groups',
      placeholder: 'Type a name or alias',
      suggest: async (text, signal) => {
        const found = text ? await handlers.searchGroups(text, signal) : []
        for (const option of found) this.groupLabels.set(option.value, option.label)
        return found
      },
      onChange: (groups) => this.change({ groups }),
    })
    this.types = new Picker({
      id: 'filter-types',
      label: 'Event types',
      placeholder: 'Type a type of violence',
      suggest: matching(this.typeOptions),
      onChange: (eventTypes) => this.change({ eventTypes }),
    })

    const field = (label: string, input: HTMLInputElement) =>
      h('div', { class: 'field' }, h('label', { for: input.id }, label), input)
    this.element = h(
      'form',
      { class: 'filter-form', role: 'search', onsubmit: (event: Event) => event.preventDefault() },
      field('Search', this.search),
      h(
        'fieldset',
        { class: 'dates' },
        h('legend', {}, 'Dates'),
        field('From', this.from),
        field('To', this.to),
      ),
      this.countries.element,
      this.groups.element,
      h(
        'div',
        { class: 'field checkbox' },
        this.affiliates,
        h('label', { for: this.affiliates.id }, 'Include affiliates (allegiances, branches)'),
      ),
      this.types.element,
      field('Minimum killed', this.minKilled),
      h('button', { type: 'reset', class: 'secondary' }, 'Clear filters'),
    )
    this.listen()
  }

  setFilters(filters: Filters): void {
    this.filters = filters
    this.from.value = filters.from ?? ''
    this.to.value = filters.to ?? ''
    this.affiliates.checked = filters.includeAffiliates
    this.affiliates.disabled = filters.groups.length === 0
    this.minKilled.value = filters.minKilled ? String(filters.minKilled) : ''
    if (document.activeElement !== this.search) this.search.value = filters.search
    const pick = (options: readonly PickerOption[], values: readonly string[]) =>
      values.map((v) => options.find((o) => o.value === v) ?? { value: v, label: v })
    this.countries.setSelected(pick(this.countryOptions, filters.countries))
    this.types.setSelected(pick(this.typeOptions, filters.eventTypes))
    this.showGroups(filters.groups)
  }

  private async showGroups(ids: readonly string[]): Promise<void> {
    const label = (id: string) => ({ value: id, label: this.groupLabels.get(id) ?? 'Loading…' })
    this.groups.setSelected(ids.map(label))
    const unknown = ids.filter((id) => !this.groupLabels.has(id))
    if (!unknown.length) return
    for (const option of await this.handlers.groupNames(unknown))
      this.groupLabels.set(option.value, option.label)
    // Only if the choice is still the same one when the names arrive.
    if (this.filters.groups.join() === ids.join()) this.groups.setSelected(ids.map(label))
  }

  private listen(): void {
    this.from.addEventListener('change', () => this.change({ from: this.from.value || null }))
    this.to.addEventListener('change', () => this.change({ to: this.to.value || null }))
    this.affiliates.addEventListener('change', () =>
      this.change({ includeAffiliates: this.affiliates.checked }),
    )
    this.minKilled.addEventListener('change', () => {
      const n = Number.parseInt(this.minKilled.value, 10)
      this.change({ minKilled: Number.isFinite(n) && n > 0 ? n : null })
    })
    this.search.addEventListener('input', () => {
      // Ask once the typing pauses, not on every key.
      window.clearTimeout(this.searchTimer)
      this.searchTimer = window.setTimeout(() => this.change({ search: this.search.value }), 350)
    })
    this.element.addEventListener('reset', (event) => {
      event.preventDefault()
      this.change(noFilters)
    })
  }

  private change(part: Partial<Filters>): void {
    const filters = { ...this.filters, ...part }
    this.setFilters(filters)
    this.handlers.onChange(filters)
  }
}
