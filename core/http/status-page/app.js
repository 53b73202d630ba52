// The status page: reads `/health` every few seconds (and `/api/sources/:id/latest` after each new
// fetch of a source) and updates the page in place, without a reload. `?refresh=N` sets N seconds (0.25 to 300).

import { h } from './elements.js';
import { updateMqtt, updateStorage, updateSummary } from './overview.js';
import { updateHosts, updateScheduler } from './hosts-panel.js';
import { refreshPlanner } from './planner-panel.js';
import { refreshRelativeTimes, relativeTime } from './relative-time.js';
import { createCard, updateCard } from './source-card.js';
import { statusIcon } from './status-icon.js';
import { ValueHistory } from './value-history.js';

const requested = Number(new URLSearchParams(location.search).get('refresh'));
const REFRESH_MS = (Number.isFinite(requested) && requested > 0 ? Math.min(Math.max(requested, 0.25), 300) : 5) * 1000;
const values = new ValueHistory();
/** Per source, the fetch whose values the chart already holds. */
const chartedFetch = new Map();
/** Per source, the state text last shown, to announce changes once. */
const shownState = new Map();
let lastSuccess = 0;
/** When the planner panel was last read, its signal sources, and their fetches it was read after. */
let plannerRead = { at: 0, sources: /** @type {string[]} */ ([]), fetches: '' };
/** The panel's plans move with `now`: read again each minute, and after a signal source fetched. */
const PLANNER_EVERY_MS = 60_000;
let firstRender = true;

/** @param {string} url */
async function getJson(url) {
  const res = await fetch(url, { cache: 'no-store', headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res.json();
}

/** Reads the latest values of every source that fetched since the page last looked. */
async function collectValues(sources) {
  const fresh = Object.entries(sources).filter(([id, s]) => s.last_successful_fetch && chartedFetch.get(id) !== s.last_successful_fetch);
  await Promise.all(
    fresh.map(async ([id, s]) => {
      try {
        values.add(id, await getJson(`/api/sources/${encodeURIComponent(id)}/latest`));
        chartedFetch.set(id, s.last_successful_fetch);
      } catch {
        // The next refresh asks again; the health part of the page does not depend on it.
      }
    }),
  );
  values.keepOnly(Object.keys(sources));
  for (const id of [...chartedFetch.keys()]) if (!(id in sources)) chartedFetch.delete(id);
}

/** Puts the cards in config order, adding and removing as the config changes. */
function renderSources(sources) {
  const list = /** @type {HTMLElement} */ (document.getElementById('sources'));
  const cards = new Map([...list.children].map((c) => [c.getAttribute('data-source'), c]));
  const changes = [];
  for (const [id, s] of Object.entries(sources)) {
    const card = cards.get(id) ?? createCard(id);
    updateCard(/** @type {HTMLElement} */ (card), s, values.get(id));
    list.append(card); // appending an existing node moves it: the order follows the config
    cards.delete(id);
    const { text } = statusIcon(s.status, s.status_detail);
    if (!firstRender && shownState.get(id) !== text) changes.push(`${id}: ${text}`);
    shownState.set(id, text);
  }
  for (const [id, gone] of cards) {
    gone.remove();
    shownState.delete(id);
  }
  /** @type {HTMLElement} */ (document.getElementById('no-sources')).hidden = Object.keys(sources).length > 0;
  if (changes.length > 0) /** @type {HTMLElement} */ (document.getElementById('announce')).textContent = changes.join('; ');
}

function render(health) {
  updateSummary(/** @type {HTMLElement} */ (document.getElementById('summary')), health);
  renderSources(health.sources ?? {});
  updateStorage(/** @type {HTMLElement} */ (document.getElementById('storage')), health.storage, health.uptime_seconds);
  updateMqtt(/** @type {HTMLElement} */ (document.getElementById('mqtt')), health.mqtt);
  updateScheduler(/** @type {HTMLElement} */ (document.getElementById('scheduler')), health.scheduler, health.hosts);
  updateHosts(/** @type {HTMLElement} */ (document.getElementById('hosts')), health.hosts);
  const updated = /** @type {HTMLElement} */ (document.getElementById('updated'));
  updated.replaceChildren('Updated ', h('time', { datetime: new Date(lastSuccess).toISOString(), 'data-relative': true }, 'just now'));
  if (firstRender && location.hash) openLinkedSource(decodeURIComponent(location.hash.slice(1)));
  firstRender = false;
}

/** `/#source-carbon` opens that source's detail view. @param {string} target */
function openLinkedSource(target) {
  const card = document.getElementById(target);
  card?.querySelector('details')?.setAttribute('open', '');
  card?.scrollIntoView();
}

/** @param {unknown} problem null when the host answered */
function showConnection(problem) {
  const banner = /** @type {HTMLElement} */ (document.getElementById('connection'));
  banner.hidden = problem === null;
  if (problem === null) return;
  const since = lastSuccess ? `; this is the state from ${relativeTime(new Date(lastSuccess).toISOString())}` : '';
  banner.textContent = `Cannot reach the host (${problem instanceof Error ? problem.message : String(problem)})${since}. Trying again every ${REFRESH_MS / 1000} s.`;
}

async function refresh() {
  let health;
  try {
    health = await getJson('/health');
    await collectValues(health.sources ?? {});
    lastSuccess = Date.now();
    showConnection(null);
  } catch (err) {
    showConnection(err);
  }
  try {
    if (health) render(health);
  } catch (err) {
    console.error('status page: cannot show the answer of /health', err);
  }
  if (health) await updatePlanner(health.sources ?? {});
  setTimeout(refresh, REFRESH_MS);
}

/** Reads the planner panel again when a minute passed or a signal source fetched since it was read. */
async function updatePlanner(sources) {
  const fetchesOf = (ids) => ids.map((id) => sources[id]?.last_successful_fetch).join();
  if (plannerRead.at > 0 && fetchesOf(plannerRead.sources) === plannerRead.fetches && Date.now() - plannerRead.at < PLANNER_EVERY_MS) return;
  try {
    const signalSources = await refreshPlanner(/** @type {HTMLElement} */ (document.getElementById('planner')), getJson);
    plannerRead = { at: Date.now(), sources: signalSources, fetches: fetchesOf(signalSources) };
  } catch {
    // Tried again at the next refresh; the rest of the page does not depend on it.
  }
}

setInterval(() => refreshRelativeTimes(document), 1000);
void refresh();
