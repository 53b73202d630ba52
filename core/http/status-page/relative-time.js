// Times as people read them ("3 min ago", "in 5 min"), with the exact time kept for a tooltip.

const UNITS = [
  { limit: 60, size: 1, name: 's' },
  { limit: 3600, size: 60, name: 'min' },
  { limit: 86400, size: 3600, name: 'h' },
  { limit: Infinity, size: 86400, name: 'day' },
];

/**
 * @param {string | null | undefined} iso an ISO time, or null for "never"
 * @param {number} [now] milliseconds since the epoch
 * @returns {string} `just now`, `12 s ago`, `3 min ago`, `2 h ago`, `4 days ago`, `in 5 min`, or `never`
 */
export function relativeTime(iso, now = Date.now()) {
  if (!iso) return 'never';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return 'unknown time';
  const seconds = Math.round((now - at) / 1000);
  if (Math.abs(seconds) < 5) return seconds < 0 ? 'in a moment' : 'just now';
  const span = Math.abs(seconds);
  const unit = UNITS.find((u) => span < u.limit);
  const count = Math.floor(span / unit.size);
  const amount = unit.name === 'day' ? `${count} day${count === 1 ? '' : 's'}` : `${count} ${unit.name}`;
  return seconds > 0 ? `${amount} ago` : `in ${amount}`;
}

/**
 * The exact time in the reader's locale, for tooltips and the detail view.
 * @param {string | null | undefined} iso
 * @returns {string}
 */
export function exactTime(iso) {
  if (!iso) return 'never';
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : at.toLocaleString();
}

/**
 * Brings every `<time data-relative>` under `root` up to date, without asking the host.
 * @param {ParentNode} root
 * @param {number} [now]
 */
export function refreshRelativeTimes(root, now = Date.now()) {
  for (const el of root.querySelectorAll('time[data-relative]')) {
    const text = relativeTime(el.getAttribute('datetime'), now);
    if (el.textContent !== text) el.textContent = text;
  }
}
