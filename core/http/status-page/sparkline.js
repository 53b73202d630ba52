// A small inline-SVG line chart of a source's recent values; no chart library, no CDN.

import { svgElement } from './elements.js';

/**
 * Where each sample goes in a `width` × `height` box with `pad` pixels kept free at the edges.
 * Equal times or equal values are centred instead of dividing by zero.
 * @param {{ time: number, value: number }[]} samples oldest first
 * @param {{ width: number, height: number, pad: number }} box
 * @returns {{ x: number, y: number }[]}
 */
export function chartCoordinates(samples, box) {
  if (samples.length === 0) return [];
  const times = samples.map((s) => s.time);
  const values = samples.map((s) => s.value);
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const [v0, v1] = [Math.min(...values), Math.max(...values)];
  const w = box.width - 2 * box.pad;
  const h = box.height - 2 * box.pad;
  const round = (n) => Math.round(n * 10) / 10;
  return samples.map((s) => ({
    x: round(box.pad + (t1 === t0 ? w / 2 : ((s.time - t0) / (t1 - t0)) * w)),
    y: round(box.pad + (v1 === v0 ? h / 2 : (1 - (s.value - v0) / (v1 - v0)) * h)),
  }));
}

/**
 * A number as the page prints it: at most three decimals, in the reader's locale.
 * @param {number} n
 */
export function formatValue(n) {
  return n.toLocaleString(undefined, { maximumFractionDigits: 3 });
}

/**
 * What the chart shows, in words: the SVG's accessible name.
 * @param {string} name the series, e.g. `example_reading value`
 * @param {{ value: number }[]} samples
 */
export function chartDescription(name, samples) {
  if (samples.length === 0) return `No values of ${name} yet`;
  const values = samples.map((s) => s.value);
  const latest = formatValue(values[values.length - 1]);
  if (samples.length === 1) return `${name}: 1 value so far, ${latest}`;
  return `${name}: ${samples.length} values from ${formatValue(Math.min(...values))} to ${formatValue(Math.max(...values))}, latest ${latest}`;
}

/**
 * The chart as an `<svg role="img">` whose accessible name says what it shows.
 * @param {string} name
 * @param {{ time: number, value: number }[]} samples
 * @returns {SVGSVGElement}
 */
export function sparkline(name, samples) {
  const box = { width: 240, height: 56, pad: 4 };
  const svg = svgElement('svg', { viewBox: `0 0 ${box.width} ${box.height}`, role: 'img', class: 'sparkline', 'data-samples': samples.length });
  const description = chartDescription(name, samples);
  svg.setAttribute('aria-label', description);
  const title = svgElement('title', {});
  title.textContent = description;
  svg.append(title, svgElement('line', { x1: 0, x2: box.width, y1: box.height - 1, y2: box.height - 1, class: 'axis' }));
  const points = chartCoordinates(samples, box);
  if (points.length > 1) {
    const line = points.map((p) => `${p.x},${p.y}`).join(' ');
    const area = `${points[0].x},${box.height - 1} ${line} ${points[points.length - 1].x},${box.height - 1}`;
    svg.append(svgElement('polygon', { points: area, class: 'area' }), svgElement('polyline', { points: line, class: 'line' }));
  }
  const last = points[points.length - 1];
  if (last) svg.append(svgElement('circle', { cx: last.x, cy: last.y, r: 3, class: 'dot' }));
  return svg;
}
