import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import type { PlanAnswer } from '../planner/plan-answer.js';
import { parseLoadDuration, parseTimeSpec, TIME_SPEC_EXPECTED } from '../planner/time-spec.js';
import { formatTable } from './check.js';
import type { CliIo } from './cli.js';

const USAGE = 'Usage: homeiq plan --duration 2h [--deadline 07:00] [--not-before 22:00] [--energy 1.2] [--config FILE | --url http://localhost:8010]';

/** A flag error: exit 2 with the usage. */
function badFlag(io: CliIo, message: string): number {
  io.err(`homeiq plan: ${message}\n${USAGE}\n`);
  return 2;
}

/**
 * `homeiq plan`: asks the running host (its address from the config, or `--url`) for the best
 * window of a load and prints the plan and the savings as a table.
 */
export async function planCommand(args: string[], configFile: string, io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { duration: { type: 'string' }, deadline: { type: 'string' }, 'not-before': { type: 'string' }, energy: { type: 'string' }, url: { type: 'string' }, config: { type: 'string', short: 'c' } },
    }));
  } catch (err) {
    return badFlag(io, (err as Error).message);
  }
  if (!values.duration) return badFlag(io, '--duration is required, e.g. --duration 2h');
  const duration = parseLoadDuration(values.duration);
  if (typeof duration === 'string') return badFlag(io, `--duration ${duration}`);
  for (const flag of ['deadline', 'not-before'] as const) {
    if (values[flag] !== undefined && !parseTimeSpec(values[flag], 'UTC')) return badFlag(io, `--${flag}: ${TIME_SPEC_EXPECTED}`);
  }
  if (values.energy !== undefined && !(Number(values.energy) > 0)) return badFlag(io, `--energy: expected kWh above 0, got "${values.energy}"`);
  const base = values.url ?? (await hostUrl(values.config ?? configFile, io.env));
  const query = new URLSearchParams({ duration: values.duration });
  if (values.deadline) query.set('deadline', values.deadline);
  if (values['not-before']) query.set('not_before', values['not-before']);
  if (values.energy) query.set('energy_kwh', values.energy);
  const url = `${base.replace(/\/$/, '')}/api/planner/best-window?${query}`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    io.err(`homeiq plan: no answer from the host at ${base} (is it running? ${(err as Error).message})\n`);
    return 1;
  }
  const body = (await response.json().catch(() => ({}))) as PlanAnswer & { error?: string };
  if (!response.ok) {
    io.err(`homeiq plan: the host answered ${response.status}: ${body.error ?? 'no reason given'}\n`);
    return response.status === 400 ? 2 : 1;
  }
  io.out(formatPlan(body));
  return 0;
}

/** The host's address from the config (PORT overrides; 0.0.0.0 is asked on loopback). */
async function hostUrl(configFile: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { config } = await loadConfig(configFile, env);
  const host = ['0.0.0.0', '::', ''].includes(config.server.host) ? '127.0.0.1' : config.server.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.server.port}`;
}

const show = (n: number | null, unit = '') => (n === null ? '-' : `${n}${unit}`);

/** The plan as text: when, then a table of plan, now and savings. */
export function formatPlan(plan: PlanAnswer): string {
  const lines: string[] = [];
  if (plan.status === 'no_data') lines.push(`No plan: ${plan.message ?? 'no data'}`);
  else {
    const pieces = plan.segments.map((s) => `${s.start} → ${s.end}`).join(', ');
    lines.push(`Best window (${plan.status}): ${pieces}`);
    if (plan.status === 'partial' && plan.message) lines.push(`Note: ${plan.message}`);
  }
  const currency = plan.expected.currency ?? plan.now.currency ?? '';
  const { expected: e, now: n, savings: s } = plan;
  const rows = [
    ['carbon intensity (gCO2eq/kWh)', show(e.carbon_intensity), show(n.carbon_intensity), show(s.carbon_intensity_pct, ' %')],
    [currency ? `price (${currency}/kWh)` : 'price (per kWh)', show(e.price_per_kwh), show(n.price_per_kwh), show(s.price_pct, ' %')],
    ['CO2 (g)', show(e.co2_g), show(n.co2_g), show(s.co2_g)],
    [currency ? `cost (${currency})` : 'cost', show(e.cost), show(n.cost), show(s.cost)],
  ];
  const coverage = Object.entries(plan.coverage).map(([k, v]) => `${k} ${Math.round((v ?? 0) * 100)} %`).join(', ');
  return `${lines.join('\n')}\n\n${formatTable(['', 'PLAN', 'NOW', 'SAVINGS'], rows)}\ncoverage: ${coverage || '-'}\n`;
}
