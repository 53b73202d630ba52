// One source on the page: its state in icon and words, what to do next, when it last fetched, a
// chart of its recent values, and a detail view (last error, token fields, next run).

import { factList, h, iconElement, replaceWhenChanged, timeElement } from './elements.js';
import { exactTime, relativeTime } from './relative-time.js';
import { formatValue, sparkline } from './sparkline.js';
import { statusIcon, statusTone } from './status-icon.js';

/** @param {string} id */
const domId = (id) => `source-${id}`;

/** @param {string} iso */
const when = (iso) => timeElement(iso, relativeTime, exactTime);

/** A hint starts a sentence on the page. @param {string} text */
const sentence = (text) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The empty card of a source; `updateCard` fills it. Built once, so an open detail view stays open.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function createCard(id) {
  const nameId = `${domId(id)}-name`;
  return h(
    'article',
    { class: 'source', id: domId(id), 'aria-labelledby': nameId, 'data-source': id },
    h('header', { class: 'source-head' }, h('div', {}, h('h3', { id: nameId }, id), h('p', { class: 'subtitle' })), h('p', { class: 'status' })),
    h('p', { class: 'hint' }),
    h('p', { class: 'problem' }),
    h('div', { class: 'times' }),
    h('figure', { class: 'chart' }),
    h('details', { class: 'more' }, h('summary', {}, 'Details'), h('div', { class: 'more-body' })),
  );
}

/**
 * @param {HTMLElement} card
 * @param {Record<string, any>} s the source's object from `GET /health`
 * @param {{ series: { measurement: string, field: string, tags: Record<string, string> }, samples: { time: number, value: number }[] } | undefined} chart
 */
export function updateCard(card, s, chart) {
  const { icon, text } = statusIcon(s.status, s.status_detail);
  card.dataset.tone = statusTone(s.status, s.status_detail);
  const part = (selector) => /** @type {HTMLElement} */ (card.querySelector(selector));
  part('.subtitle').textContent = s.title && s.title !== s.plugin ? `${s.title} · ${s.plugin}` : s.plugin;
  replaceWhenChanged(part('.status'), text, () => [iconElement(icon, text), h('span', { class: 'status-text', 'aria-hidden': 'true' }, text)]);
  part('.hint').textContent = s.hint ? sentence(s.hint) : '';
  part('.hint').hidden = !s.hint;
  updateProblem(part('.problem'), s);
  replaceWhenChanged(part('.times'), `${s.last_successful_fetch}|${s.next_run}`, () => [
    factList([
      ['Last successful fetch', when(s.last_successful_fetch)],
      ['Next run', s.next_run ? when(s.next_run) : null],
    ]),
  ]);
  updateChart(part('.chart'), s, chart);
  replaceWhenChanged(part('.more-body'), JSON.stringify(s), () => [detailList(s)]);
}

/**
 * Whether the source fetched successfully after its last error: the error is history, not its state.
 * @param {{ last_error?: { at: string } | null, last_successful_fetch?: string | null }} s
 */
export function errorIsPast(s) {
  if (!s.last_error || !s.last_successful_fetch) return false;
  return Date.parse(s.last_successful_fetch) > Date.parse(s.last_error.at);
}

/**
 * The card's error line: a current error in the tone's colour; one from before the last success
 * greyed, with its time, so a recovered source does not look broken. Paused sources show none.
 * @param {HTMLElement} el
 * @param {Record<string, any>} s
 */
function updateProblem(el, s) {
  const past = errorIsPast(s);
  const current = !past && s.status !== 'healthy' && s.status !== 'unknown' && s.last_error;
  const shown = s.status !== 'unknown' && (past || current);
  el.hidden = !shown;
  el.classList.toggle('past', past);
  replaceWhenChanged(el, shown ? `${past}|${JSON.stringify(s.last_error)}` : '', () => {
    if (!shown) return [];
    if (!past) return [`Last error: ${errorText(s.last_error)}`];
    return ['Last error ', when(s.last_error.at), `, before the last success: ${errorText(s.last_error)}`];
  });
}

/** The error's words, with its HTTP status unless the words already say it. @param {{ message: string, http_status?: number }} e */
function errorText(e) {
  return e.http_status && !e.message.includes(String(e.http_status)) ? `${e.message} (HTTP ${e.http_status})` : e.message;
}

/**
 * @param {HTMLElement} figure
 * @param {Record<string, any>} s
 * @param {Parameters<typeof updateCard>[2]} chart
 */
function updateChart(figure, s, chart) {
  const samples = chart?.samples ?? [];
  const last = samples[samples.length - 1];
  replaceWhenChanged(figure, `${chart?.series.measurement}|${samples.length}|${last?.time}|${last?.value}`, () => {
    if (!chart) {
      const why = s.last_successful_fetch ? 'No numbers to draw in its latest values' : 'No values yet';
      return [h('figcaption', { class: 'muted' }, why)];
    }
    const tags = Object.entries(chart.series.tags).filter(([k]) => k !== 'source').map(([k, v]) => `${k}=${v}`).join(', ');
    const name = `${chart.series.measurement} ${chart.series.field}`;
    const latest = samples.length > 0 ? ` · latest ${formatValue(samples[samples.length - 1].value)}` : '';
    return [sparkline(name, samples), h('figcaption', {}, `${tags ? `${name} (${tags})` : name}${latest}`)];
  });
}

/** The detail view's rows. @param {Record<string, any>} s */
function detailList(s) {
  const list = (items) => (items.length ? h('ul', {}, ...items.map((i) => h('li', {}, i))) : null);
  const lastError = !s.last_error
    ? 'none'
    : errorIsPast(s)
      ? h('span', { class: 'past' }, errorText(s.last_error), ' · ', when(s.last_error.at), ' · before the last success')
      : h('span', {}, errorText(s.last_error), ' · ', when(s.last_error.at));
  return factList(
    [
      ['State', `${s.status} / ${s.status_detail}`],
      ['Plugin', s.plugin],
      ['Schedule', s.schedule],
      ['Next run', s.next_run ? h('span', {}, when(s.next_run), ` · ${exactTime(s.next_run)}`) : 'not scheduled'],
      ['Last run on host', s.host === undefined ? null : s.host === null ? 'none yet' : h('span', {}, s.host, ` · tick ${exactTime(s.last_tick)} · started ${s.lag_seconds} s after it`)],
      ['Last successful fetch', when(s.last_successful_fetch)],
      ['Last written to storage', when(s.last_written)],
      ['Newest point', when(s.newest_point)],
      ['Points in the last run', s.points_last_run],
      ['Consecutive failures', s.consecutive_failures],
      ['Last error', lastError],
      ['Credentials', s.credentials_configured ? 'configured' : 'not configured'],
      ['Last token refresh', when(s.last_token_refresh)],
      ['Token refreshes', s.token_refresh_count],
      ['Token expires', s.token_expires_at ? when(s.token_expires_at) : 'no token held'],
      ['Warnings', list(s.warnings ?? [])],
      ['Item errors', list((s.item_errors ?? []).map((e) => `${e.item}: ${e.message}`))],
      ...Object.entries(s.details ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    ],
    'facts detail',
  );
}
