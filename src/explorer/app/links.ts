import { h } from './dom.js'
import { type ExplorerState, stateFromQuery, stateToQuery } from './state.js'

/** A URL of the current view with some of its state changed. */
function hrefWith(change: Partial<ExplorerState>): string {
  return `${location.pathname}${stateToQuery({ ...stateFromQuery(location.search), ...change })}`
}

// Real links (they open in a new tab, and can be copied); main.ts turns a plain click on one
// into a change of state without reloading the page.
export const eventLink = (id: string, ...text: (Node | string)[]) =>
  h('a', { href: hrefWith({ event: id, profile: null }), 'data-event': id }, ...text)

export const groupLink = (id: string, ...text: (Node | string)[]) =>
  h('a', { href: hrefWith({ event: null, profile: id }), 'data-profile': id }, ...text)
