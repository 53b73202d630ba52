// The planner panel: shown only when the host has a planner. Reads `/api/planner`, each task's plan
// and `/api/planner/signals`, and draws the next 48 hours with the plans and their savings in words.

import { h, replaceWhenChanged } from './elements.js';
import { plannerChart } from './planner-chart.js';
import { formatValue } from './sparkline.js';
import { planSentence, whenInWords } from './planner-words.js';

const HOURS = 48;

/** @param {string} name @param {Record<string, any> | undefined} series */
function range(name, series) {
  const values = (series?.slots ?? []).map((s) => s.value);
  if (values.length === 0) return `no ${name} forecast yet`;
  return `${name} from ${formatValue(Math.min(...values))} to ${formatValue(Math.max(...values))} ${series.unit}`;
}

/** What the chart shows, in words: its accessible name. */
function describe(answer, plans) {
  const signals = Object.keys(answer.signals ?? {}).map((s) => range(s === 'carbon' ? 'carbon intensity' : 'price', answer.signals[s]));
  const windows = plans
    .filter(([, plan]) => plan.start)
    .map(([name, plan]) => `${name} planned ${whenInWords(plan.start, answer.time_zone, Date.now())} to ${whenInWords(plan.end, answer.time_zone, Date.now())}`);
  return `Next ${HOURS} hours: ${[...signals, ...windows].join('; ')}`;
}

/** The legend under the chart: which line is which, with its unit and scale side. */
function legend(answer) {
  const item = (signal, side) => {
    const series = answer.signals?.[signal];
    if (!series) return null;
    return h('li', { class: `key ${signal}` }, `${signal === 'carbon' ? 'Carbon intensity' : 'Price'} (${series.unit}, ${side} scale, from ${series.source})`);
  };
  return h('ul', { class: 'legend' }, item('carbon', 'left'), item('price', 'right'), h('li', { class: 'key plan' }, 'Planned window'));
}

/**
 * Shows or hides the panel and draws it; resolves with the ids of the signal sources (none without a planner).
 * @param {HTMLElement} section the `#planner` section
 * @param {(url: string) => Promise<any>} getJson
 * @returns {Promise<string[]>}
 */
export async function refreshPlanner(section, getJson) {
  const planner = await getJson('/api/planner');
  section.hidden = !planner.enabled;
  if (!planner.enabled) return [];
  const [answer, ...plans] = await Promise.all([
    getJson(`/api/planner/signals?hours=${HOURS}`),
    ...planner.tasks.map((name) => getJson(`/api/planner/tasks/${encodeURIComponent(name)}`)),
  ]);
  /** @type {[string, Record<string, any>][]} */
  const named = planner.tasks.map((name, i) => [name, plans[i]]);
  // `generated_at` and `now` change at every request; what is drawn changes with windows and data.
  const shown = named.map(([name, plan]) => [name, plan.status, plan.segments, plan.savings, plan.coverage, plan.message]);
  const body = /** @type {HTMLElement} */ (section.querySelector('.planner-body'));
  replaceWhenChanged(body, JSON.stringify([answer.signals, shown, Math.floor(Date.now() / 60_000)]), () => [
    h('figure', { class: 'planner-figure' }, plannerChart(answer, named, describe(answer, named)), legend(answer)),
    named.length === 0
      ? h('p', { class: 'muted' }, 'No tasks configured: add one under planner.tasks in the config file.')
      : h('ul', { class: 'plans' }, ...named.map(([name, plan]) => h('li', { class: 'plan', 'data-task': name, 'data-status': plan.status }, planSentence(name, plan, answer.time_zone)))),
  ]);
  return Object.values(answer.signals ?? {}).map((s) => s.source);
}
