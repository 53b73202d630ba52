/** Small statistics and the printed lines of the benchmarks. */

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The p-th percentile (0–100), nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** One figure: the measured value, the baseline and their ratio. */
export function line(label: string, value: number, baseline: number, unit: string): string {
  const f = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(1));
  return `${label.padEnd(34)} ${f(value).padStart(8)} ${unit.padEnd(5)} baseline ${f(baseline).padStart(8)} ${unit.padEnd(5)} ratio ${(value / baseline).toFixed(2)}x`;
}

/** Prints the verdict as the last line and sets the exit code. */
export function verdict(checks: ReadonlyArray<{ goal: string; ok: boolean }>): void {
  for (const c of checks) console.log(`  goal ${c.ok ? 'met   ' : 'MISSED'} ${c.goal}`);
  const ok = checks.every((c) => c.ok);
  console.log(ok ? 'PASS' : 'FAIL');
  process.exitCode = ok ? 0 : 1;
}
