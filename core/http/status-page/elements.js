// Building DOM nodes. Every value from the host goes in as text, never as HTML.

/**
 * `h('p', { class: 'hint' }, 'text', child)`: an element with attributes and children.
 * `null`/`undefined`/`false` children and attributes are left out.
 * @param {string} tag
 * @param {Record<string, string | number | boolean | null | undefined>} [attrs]
 * @param {...(Node | string | number | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? String(c) : c);
  }
  return el;
}

/**
 * An SVG element with attributes (charts are drawn by the page's own script, no library).
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 */
export function svgElement(tag, attrs = {}) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/**
 * An icon with its words as accessible name: screen readers say "Healthy", not "check mark".
 * @param {string} icon
 * @param {string} label
 */
export function iconElement(icon, label) {
  return h('span', { class: 'icon', role: 'img', 'aria-label': label }, icon);
}

/**
 * A time shown relative ("3 min ago"), exact in its tooltip, kept current by refreshRelativeTimes.
 * @param {string | null | undefined} iso
 * @param {(iso: string) => string} relative
 * @param {(iso: string) => string} exact
 */
export function timeElement(iso, relative, exact) {
  if (!iso) return h('span', { class: 'muted' }, 'never');
  return h('time', { datetime: iso, title: exact(iso), 'data-relative': true }, relative(iso));
}

/**
 * A definition list from `[term, description]` pairs; pairs without a description are left out.
 * @param {[string, Node | string | number | null | undefined][]} rows
 * @param {string} [className]
 */
export function factList(rows, className = 'facts') {
  const dl = h('dl', { class: className });
  for (const [term, value] of rows) {
    if (value === null || value === undefined || value === '') continue;
    dl.append(h('div', {}, h('dt', {}, term), h('dd', {}, value)));
  }
  return dl;
}

/**
 * Replaces a node's children only when what they show changed, so reading, selecting text and
 * open `<details>` survive the page's refreshes.
 * @param {Element} parent
 * @param {string} signature what the new children show, e.g. their JSON
 * @param {() => (Node | string)[]} build
 */
export function replaceWhenChanged(parent, signature, build) {
  if (signatures.get(parent) === signature) return;
  signatures.set(parent, signature);
  parent.replaceChildren(...build());
}

/** @type {WeakMap<Element, string>} */
const signatures = new WeakMap();
