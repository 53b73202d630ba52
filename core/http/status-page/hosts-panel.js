// Hosts sharing the sources (`scheduler.type: redis`): the scheduler's line in the header and the
// Hosts panel, one row per host with its heartbeat. Hidden on a host with the local scheduler.

import { h, iconElement, replaceWhenChanged, timeElement } from './elements.js';
import { exactTime, relativeTime } from './relative-time.js';

/** @param {string} iso */
const when = (iso) => timeElement(iso, relativeTime, exactTime);

/** A host's state as the page shows it. @type {Record<string, { icon: string, text: string, tone: string }>} */
const HOST_STATE = {
  up: { icon: '✅', text: 'Up', tone: 'ok' },
  gone: { icon: '❌', text: 'Gone (no heartbeat)', tone: 'bad' },
  stopped: { icon: '⏸️', text: 'Stopped', tone: 'paused' },
};

/**
 * The header line: Redis connected or not, how many hosts are up, how many sources it schedules.
 * @param {HTMLElement} el
 * @param {Record<string, any> | undefined} scheduler the `scheduler` object of `GET /health`
 * @param {Record<string, any>[] | undefined} hosts the `hosts` array
 */
export function updateScheduler(el, scheduler, hosts) {
  el.hidden = !scheduler;
  if (!scheduler) return;
  const up = (hosts ?? []).filter((x) => x.status === 'up').length;
  const state = scheduler.connected
    ? `connected · ${up} host${up === 1 ? '' : 's'} up · ${scheduler.sources_scheduled ?? '…'} sources scheduled`
    : `Redis unreachable, no runs start here${scheduler.last_error ? `: ${scheduler.last_error.message}` : ''}`;
  const [icon, text] = scheduler.connected ? ['✅', 'Healthy'] : ['❌', 'Error'];
  replaceWhenChanged(el, `${state}|${scheduler.host_id}`, () => [iconElement(icon, text), ` Shared scheduler (this is host ${scheduler.host_id}): ${state}`]);
}

/**
 * The Hosts panel.
 * @param {HTMLElement} section
 * @param {Record<string, any>[] | undefined} hosts the `hosts` array of `GET /health`
 */
export function updateHosts(section, hosts) {
  section.hidden = !hosts;
  if (!hosts) return;
  const body = /** @type {HTMLElement} */ (section.querySelector('.hosts-body'));
  replaceWhenChanged(body, JSON.stringify(hosts.map((x) => [x.id, x.status, x.last_heartbeat, x.runs, x.sources_run, x.running])), () => [
    h(
      'table',
      { class: 'hosts' },
      h('thead', {}, h('tr', {}, ...['Host', 'State', 'Last heartbeat', 'Runs', 'Sources run', 'Running now'].map((t) => h('th', { scope: 'col' }, t)))),
      h(
        'tbody',
        {},
        ...hosts.map((x) => {
          const state = HOST_STATE[x.status] ?? HOST_STATE.gone;
          return h(
            'tr',
            { 'data-tone': state.tone },
            h('th', { scope: 'row' }, x.id),
            h('td', {}, iconElement(state.icon, state.text), ' ', state.text),
            h('td', {}, when(x.last_heartbeat)),
            h('td', {}, String(x.runs)),
            h('td', {}, String(x.sources_run)),
            h('td', {}, String(x.running)),
          );
        }),
      ),
    ),
  ]);
}
