// The planner's chart: carbon intensity (left scale) and price (right scale) over the next hours as
// step lines, each task's planned window shaded with its name. Inline SVG, no chart library.

import { svgElement } from './elements.js';
import { formatValue } from './sparkline.js';
import { zonedFormat } from './planner-words.js';

const BOX = { width: 720, height: 250, left: 58, right: 66, top: 28, bottom: 26 };

/**
 * Round tick values that span [lo, hi] in about `count` steps of 1, 2, 2.5 or 5 × a power of ten.
 * @param {number} lo
 * @param {number} hi
 */
export function niceTicks(lo, hi, count = 4) {
  if (!(hi > lo)) [lo, hi] = [lo - Math.max(Math.abs(lo) * 0.1, 0.01), hi + Math.max(Math.abs(hi) * 0.1, 0.01)];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const ticks = [];
  for (let v = Math.floor(lo / step) * step; v <= Math.ceil(hi / step) * step + step / 2; v += step) ticks.push(Number(v.toPrecision(10)));
  return ticks;
}

/**
 * The SVG path of slots as a step line, broken where a slot does not start at the previous end.
 * @param {{ start: string, end: string, value: number }[]} slots
 * @param {(t: number) => number} x
 * @param {(v: number) => number} y
 */
export function stepPath(slots, x, y) {
  const parts = [];
  let lastEnd = NaN;
  for (const slot of slots) {
    const [a, b] = [Date.parse(slot.start), Date.parse(slot.end)];
    const [xa, xb, yv] = [x(a), x(b), y(slot.value)];
    if (xb <= xa) continue;
    parts.push(`${a === lastEnd ? 'L' : 'M'}${xa},${yv}H${xb}`);
    lastEnd = b;
  }
  return parts.join('');
}

const round = (n) => Math.round(n * 10) / 10;

/** @param {string} tag @param {Record<string, string | number>} attrs @param {string} text */
const label = (tag, attrs, text) => Object.assign(svgElement(tag, attrs), { textContent: text });

/** A vertical scale of one signal: its ticks, where a value goes, and its labels on one side. */
function scale(slots, side) {
  const values = slots.map((s) => s.value);
  const ticks = niceTicks(Math.min(...values), Math.max(...values));
  const [lo, hi] = [ticks[0], ticks[ticks.length - 1]];
  const inner = BOX.height - BOX.top - BOX.bottom;
  const y = (v) => round(BOX.top + (1 - (v - lo) / (hi - lo)) * inner);
  const x = side === 'left' ? BOX.left - 6 : BOX.width - BOX.right + 6;
  const anchor = side === 'left' ? 'end' : 'start';
  const marks = ticks.map((t) => label('text', { x, y: y(t) + 4, 'text-anchor': anchor, class: 'tick' }, formatValue(t)));
  return { y, marks, ticks };
}

/** Hour marks every few hours, at whole hours of the planner's time zone. */
function timeMarks(from, to, x, zone) {
  const hourOf = zonedFormat(zone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const every = to - from > 30 * 3_600_000 ? 6 : 3;
  const marks = [];
  for (let t = Math.ceil(from / 3_600_000) * 3_600_000; t <= to; t += 3_600_000) {
    const [hour, minute] = hourOf.format(t).split(':').map(Number);
    if (minute !== 0 || hour % every !== 0) continue;
    marks.push(svgElement('line', { x1: x(t), x2: x(t), y1: BOX.top, y2: BOX.height - BOX.bottom, class: 'grid' }));
    marks.push(label('text', { x: x(t), y: BOX.height - 8, 'text-anchor': 'middle', class: 'tick' }, hour === 0 ? zonedFormat(zone, { weekday: 'short' }).format(t) : hourOf.format(t)));
  }
  return marks;
}

/**
 * The chart of the signals (the answer of `GET /api/planner/signals`) with the tasks' plans shaded.
 * @param {Record<string, any>} answer
 * @param {[string, Record<string, any>][]} plans task name and plan
 * @param {string} description the chart in words (its accessible name)
 */
export function plannerChart(answer, plans, description) {
  const [from, to] = [Date.parse(answer.from), Date.parse(answer.to)];
  const x = (t) => round(BOX.left + ((Math.min(Math.max(t, from), to) - from) / (to - from)) * (BOX.width - BOX.left - BOX.right));
  const svg = svgElement('svg', { viewBox: `0 0 ${BOX.width} ${BOX.height}`, role: 'img', class: 'planner-chart' });
  svg.setAttribute('aria-label', description);
  svg.append(label('title', {}, description), ...timeMarks(from, to, x, answer.time_zone));
  for (const [row, [name, plan]] of plans.filter(([, plan]) => plan.segments?.length > 0).entries()) {
    for (const [i, segment] of plan.segments.entries()) {
      const [a, b] = [x(Date.parse(segment.start)), x(Date.parse(segment.end))];
      if (b <= a) continue;
      svg.append(svgElement('rect', { x: a, y: BOX.top, width: round(b - a), height: BOX.height - BOX.top - BOX.bottom, class: 'plan-window', 'data-task': name }));
      // One row per task, so that windows that overlap keep their names apart; late ones read leftwards.
      const late = a > BOX.width * 0.7;
      const at = { x: late ? b - 3 : a + 3, y: BOX.top + 12 + 13 * (row % 12), 'text-anchor': late ? 'end' : 'start', class: 'plan-label' };
      if (i === 0) svg.append(label('text', at, name));
    }
  }
  const sides = { carbon: 'left', price: 'right' };
  for (const [signal, side] of Object.entries(sides)) {
    const series = answer.signals?.[signal];
    if (!series || series.slots.length === 0) continue;
    const { y, marks } = scale(series.slots, side);
    const unitX = side === 'left' ? 4 : BOX.width - 4;
    svg.append(...marks, label('text', { x: unitX, y: 14, 'text-anchor': side === 'left' ? 'start' : 'end', class: `unit ${signal}` }, series.unit));
    svg.append(svgElement('path', { d: stepPath(series.slots, x, y), class: `signal ${signal}`, 'data-signal': signal }));
  }
  svg.append(svgElement('line', { x1: BOX.left, x2: BOX.left, y1: BOX.top, y2: BOX.height - BOX.bottom, class: 'axis' }));
  svg.append(svgElement('line', { x1: BOX.left, x2: BOX.width - BOX.right, y1: BOX.height - BOX.bottom, y2: BOX.height - BOX.bottom, class: 'axis' }));
  return svg;
}
