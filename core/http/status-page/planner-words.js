// A task's plan in words: "dishwasher: starting at 02:00 instead of now: 45 % less CO₂, 41 % cheaper."

/**
 * Formats an instant in the planner's time zone (the zone its "07:00" deadlines mean); the
 * browser's own zone when the host names one the browser does not know.
 * @param {string} zone
 * @param {Intl.DateTimeFormatOptions} options
 */
export function zonedFormat(zone, options) {
  try {
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone: zone });
  } catch {
    return new Intl.DateTimeFormat('en-GB', options);
  }
}

/**
 * `02:00`, `tomorrow at 02:00` or `on Monday at 02:00`, as the clock in `zone` shows it.
 * @param {string} iso
 * @param {string} zone
 * @param {number} now
 */
export function whenInWords(iso, zone, now) {
  const at = Date.parse(iso);
  const clock = zonedFormat(zone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  const day = zonedFormat(zone, { year: 'numeric', month: '2-digit', day: '2-digit' });
  if (day.format(at) === day.format(now)) return `at ${clock}`;
  if (day.format(at) === day.format(now + 86_400_000)) return `tomorrow at ${clock}`;
  return `on ${zonedFormat(zone, { weekday: 'long' }).format(at)} at ${clock}`;
}

/**
 * A percentage saved, in words; null when the plan cannot tell it.
 * @param {number | null | undefined} pct
 * @param {[string, string, string]} words less, more, the same
 */
function saving(pct, [less, more, same]) {
  if (pct === null || pct === undefined) return null;
  const rounded = Math.round(Math.abs(pct));
  if (rounded === 0) return same;
  return `${rounded} % ${pct > 0 ? less : more}`;
}

/**
 * The plan of one task in one or two plain sentences.
 * @param {string} name
 * @param {Record<string, any>} plan the answer of `GET /api/planner/tasks/:name`
 * @param {string} zone
 * @param {number} [now]
 */
export function planSentence(name, plan, zone, now = Date.now()) {
  if (plan.status === 'no_data' || !plan.start) return `${name}: no plan yet: ${plan.message ?? 'the forecasts do not cover the range'}.`;
  const pieces = plan.segments?.length ?? 1;
  const ends = pieces > 1 ? ` (in ${pieces} pieces, done ${whenInWords(plan.end, zone, now)})` : '';
  const startsNow = Date.parse(plan.start) - Date.parse(plan.generated_at ?? new Date(now).toISOString()) < 5 * 60_000;
  const parts = [
    saving(plan.savings?.carbon_intensity_pct, ['less CO₂', 'more CO₂', 'about the same CO₂']),
    saving(plan.savings?.price_pct, ['cheaper', 'dearer', 'about the same price']),
  ].filter((p) => p !== null);
  let text;
  if (startsNow) text = `${name}: start now${ends}: no later time is better before the deadline.`;
  else if (parts.length === 0) text = `${name}: starting ${whenInWords(plan.start, zone, now)}${ends}; the saving against starting now cannot be told (no forecast for now).`;
  else text = `${name}: starting ${whenInWords(plan.start, zone, now)}${ends} instead of now: ${parts.join(', ')}.`;
  if (plan.status === 'partial') text += ` ${partialWords(plan.coverage)}`;
  return text;
}

/** @param {Record<string, number> | undefined} coverage */
function partialWords(coverage) {
  const short = Object.entries(coverage ?? {})
    .filter(([, c]) => c < 1)
    .map(([signal, c]) => `${signal} ${Math.floor(c * 100)} %`);
  return `The forecasts do not cover the whole range yet (${short.join(', ') || 'some of it'}): the plan may change when they arrive.`;
}
