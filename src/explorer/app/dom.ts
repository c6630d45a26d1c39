// A tiny element builder. Text always goes in as text nodes, never as HTML, so nothing from
// the API can inject markup.

type Child = Node | string | number | null | undefined | false
type Attributes = Record<string, string | number | boolean | null | undefined | EventListener>

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue
    if (typeof value === 'function') element.addEventListener(name.slice(2), value)
    // The page's Content-Security-Policy refuses style attributes (style-src 'self'); styles
    // set through the CSSOM are the script's own, and allowed.
    else if (name === 'style') element.style.cssText = String(value)
    else element.setAttribute(name, value === true ? '' : String(value))
  }
  append(element, children)
  return element
}

export function append(parent: Node, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)))
  }
}

/** Replaces an element's content. */
export function fill(parent: Element, ...children: (Child | Child[])[]): void {
  parent.replaceChildren()
  append(parent, children)
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id)
  if (!element) throw new Error(`#${id} is missing from the page`)
  return element as T
}

/** A loading, empty or error line; errors offer a retry when given one. */
export function statusLine(
  kind: 'loading' | 'empty' | 'error',
  text: string,
  retry?: () => void,
): HTMLElement {
  return h(
    'div',
    { class: `status status-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    text,
    retry && h('button', { type: 'button', onclick: () => retry() }, 'Try again'),
  )
}
