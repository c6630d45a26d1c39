import { fill, h } from './dom.js'

export interface PickerOption {
  readonly value: string
  readonly label: string
  /** Shown under the label in suggestions (a group's aliases). */
  readonly detail?: string
}

export interface PickerOptions {
  readonly id: string
  readonly label: string
  readonly placeholder: string
  /** Suggestions for what was typed; may ask the API (abort the previous ask on `signal`). */
  suggest(text: string, signal: AbortSignal): Promise<readonly PickerOption[]>
  onChange(values: string[]): void
}

let pickers = 0

/**
 * A multi-select with search as you type: chosen values as removable chips, suggestions in an
 * ARIA combobox listbox (arrow keys, Enter, Escape; Backspace removes the last chip).
 */
export class Picker {
  readonly element: HTMLElement
  private readonly input: HTMLInputElement
  private readonly chips = h('ul', { class: 'chips' })
  private readonly listbox: HTMLUListElement
  private selected: PickerOption[] = []
  private suggestions: readonly PickerOption[] = []
  private active = -1
  private pending: AbortController | null = null
  private readonly listboxId: string

  constructor(private readonly options: PickerOptions) {
    this.listboxId = `picker-${++pickers}-options`
    this.input = h('input', {
      id: options.id,
      type: 'text',
      autocomplete: 'off',
      role: 'combobox',
      'aria-autocomplete': 'list',
      'aria-expanded': 'false',
      'aria-controls': this.listboxId,
      placeholder: options.placeholder,
    })
    this.listbox = h('ul', {
      id: this.listboxId,
      role: 'listbox',
      class: 'suggestions',
      hidden: true,
    })
    this.element = h(
      'div',
      { class: 'picker' },
      h('label', { for: options.id }, options.label),
      this.chips,
      h('div', { class: 'picker-field' }, this.input, this.listbox),
    )
    this.input.addEventListener('input', () => this.search())
    this.input.addEventListener('focus', () => this.search())
    this.input.addEventListener('blur', () => this.close())
    this.input.addEventListener('keydown', (event) => this.key(event))
  }

  /** The chosen options (labels included, as a URL gives only values). */
  setSelected(options: readonly PickerOption[]): void {
    this.selected = [...options]
    this.renderChips()
  }

  private key(event: KeyboardEvent): void {
    const count = this.suggestions.length
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      if (this.listbox.hidden) return void this.search()
      if (!count) return
      this.active = (this.active + (event.key === 'ArrowDown' ? 1 : -1) + count) % count
      this.renderSuggestions()
    } else if (event.key === 'Enter') {
      const option = this.suggestions[this.active]
      if (!option || this.listbox.hidden) return
      event.preventDefault()
      this.choose(option)
    } else if (event.key === 'Escape') {
      this.close()
    } else if (event.key === 'Backspace' && !this.input.value && this.selected.length) {
      this.remove(this.selected[this.selected.length - 1] as PickerOption)
    }
  }

  private async search(): Promise<void> {
    this.pending?.abort()
    const pending = new AbortController()
    this.pending = pending
    try {
      const found = await this.options.suggest(this.input.value.trim(), pending.signal)
      if (pending.signal.aborted) return
      const chosen = new Set(this.selected.map((o) => o.value))
      this.suggestions = found.filter((o) => !chosen.has(o.value)).slice(0, 12)
      this.active = this.suggestions.length ? 0 : -1
      this.renderSuggestions()
    } catch {
      // A failed or aborted lookup leaves the suggestions as they were.
    }
  }

  private choose(option: PickerOption): void {
    this.selected.push(option)
    this.input.value = ''
    this.close()
    this.renderChips()
    this.options.onChange(this.selected.map((o) => o.value))
  }

  private remove(option: PickerOption): void {
    this.selected = this.selected.filter((o) => o.value !== option.value)
    this.renderChips()
    this.options.onChange(this.selected.map((o) => o.value))
    this.input.focus()
  }

  private close(): void {
    this.pending?.abort()
    this.listbox.hidden = true
    this.input.setAttribute('aria-expanded', 'false')
    this.input.removeAttribute('aria-activedescendant')
  }

  private renderChips(): void {
    fill(
      this.chips,
      this.selected.map((option) =>
        h(
          'li',
          { class: 'chip' },
          option.label,
          h(
            'button',
            {
              type: 'button',
              'aria-label': `Remove ${option.label}`,
              onclick: () => this.remove(option),
            },
            '×',
          ),
        ),
      ),
    )
  }

  private renderSuggestions(): void {
    const empty = this.suggestions.length === 0
    fill(
      this.listbox,
      empty
        ? h('li', { class: 'no-match' }, this.input.value ? 'No match' : 'Type to search')
        : this.suggestions.map((option, i) =>
            h(
              'li',
              {
                id: `${this.listboxId}-${i}`,
                role: 'option',
                'aria-selected': String(i === this.active),
                // Keep the focus in the input while the pointer picks an option.
                onmousedown: (event: Event) => event.preventDefault(),
                onclick: () => this.choose(option),
              },
              h('span', {}, option.label),
              option.detail && h('small', {}, option.detail),
            ),
          ),
    )
    this.listbox.hidden = false
    this.input.setAttribute('aria-expanded', 'true')
    if (empty) this.input.removeAttribute('aria-activedescendant')
    else this.input.setAttribute('aria-activedescendant', `${this.listboxId}-${this.active}`)
    this.listbox.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' })
  }
}
