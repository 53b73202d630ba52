// The top of the page: the host's overall state, and the storage block (spooled and dropped points).

import { factList, h, iconElement, replaceWhenChanged, timeElement } from './elements.js';
import { exactTime, relativeTime } from './relative-time.js';
import { statusIcon, statusTone } from './status-icon.js';

/** @param {string} iso */
const when = (iso) => timeElement(iso, relativeTime, exactTime);

/** @param {number} seconds */
function duration(seconds) {
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86400)} days`;
}

/**
 * The overall state in the page header.
 * @param {HTMLElement} el
 * @param {Record<string, any>} health the answer of `GET /health`
 */
export function updateSummary(el, health) {
  const { icon, text } = statusIcon(health.status, 'operational');
  el.dataset.tone = statusTone(health.status, 'operational');
  const counts = Object.values(health.sources ?? {}).length;
  replaceWhenChanged(el, `${text}|${counts}|${health.version}`, () => [
    iconElement(icon, `Overall: ${text}`),
    h('span', { 'aria-hidden': 'true' }, text),
    h('span', { class: 'muted' }, ` · ${counts} source${counts === 1 ? '' : 's'} · version ${health.version}`),
  ]);
  document.title = `${icon} HomeIQ Sources: ${text}`;
}

/**
 * The storage block: where points go, how many wait in the spool and how many were lost.
 * @param {HTMLElement} el
 * @param {Record<string, any>} storage the `storage` object of `GET /health`
 * @param {number} uptimeSeconds
 */
export function updateStorage(el, storage, uptimeSeconds) {
  const { icon, text } = statusIcon(storage.status, 'operational');
  el.dataset.tone = statusTone(storage.status, 'operational');
  const error = storage.last_error;
  replaceWhenChanged(el, JSON.stringify(storage), () => [
    h('header', { class: 'source-head' }, h('h3', {}, storage.type === 'influxdb' ? 'InfluxDB' : 'Local store'), h('p', { class: 'status' }, iconElement(icon, text), h('span', { class: 'status-text', 'aria-hidden': 'true' }, text))),
    factList(
      [
        ['Spooled points', String(storage.spooled_points)],
        ['Dropped points', String(storage.dropped_points)],
        ['Points written', storage.points_written === undefined ? null : String(storage.points_written)],
        ['Last write', when(storage.last_write)],
        ['Last error', error ? h('span', {}, error.message, ' · ', when(error.at)) : 'none'],
      ],
      'facts storage-facts',
    ),
  ]);
  const uptime = document.getElementById('uptime');
  if (uptime) uptime.textContent = ` · up ${duration(uptimeSeconds)}`;
}

/**
 * The Home Assistant line: whether the MQTT broker is connected, and how many messages it took
 * (hidden when the config has no `mqtt`).
 * @param {HTMLElement} el
 * @param {Record<string, any> | undefined} mqtt the `mqtt` object of `GET /health`
 */
export function updateMqtt(el, mqtt) {
  el.hidden = !mqtt;
  if (!mqtt) return;
  const { icon, text } = statusIcon(mqtt.status, 'operational');
  const state = mqtt.connected ? `connected · ${mqtt.published} messages published` : `not connected${mqtt.last_error ? `: ${mqtt.last_error.message}` : ''}`;
  replaceWhenChanged(el, `${mqtt.status}|${state}`, () => [iconElement(icon, text), ` Home Assistant (MQTT): ${state}`]);
}
