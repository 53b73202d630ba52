import type { Logger } from 'pino';
import type { PlannerConfig } from '../config/types.js';
import type { Point } from '../plugin-api/point.js';
import type { Publisher } from '../runtime/publisher.js';
import { planBestWindow, SIGNAL_NAMES, type PerSignal, type SignalName } from './best-window.js';
import type { LoadSpec } from './load-spec.js';
import { taskSpec } from './load-spec.js';
import { planAnswer, type PlanAnswer, type SignalInfo } from './plan-answer.js';
import { carbonSeries, isoResolution, priceSeries, type SignalSeries } from './signal-points.js';
import type { Slot } from './signal.js';
import { resolveDeadline, resolveNotBefore } from './time-spec.js';

/** Where the planner reads a source's newest points (the runtime's `/latest` store). */
export type PointsOf = (sourceId: string) => readonly Point[];

/** Called with every task whose plan changed (start, end, segments or status), and its new plan. */
export type PlanListener = (task: string, plan: PlanAnswer) => void;

/**
 * Tasks are also planned again this often: a price source may run once a day (aWATTar), and
 * between its runs a plan's window passes and `now` moves on.
 */
const REPLAN_EVERY_MS = 5 * 60_000;

const SERIES: Record<SignalName, (points: readonly Point[]) => SignalSeries> = { carbon: carbonSeries, price: priceSeries };

/**
 * The planner of a running host: plans loads on the newest carbon and price forecasts, and plans
 * every configured task again after each successful run of a signal source (it is a Publisher:
 * the host hands it every run's outcome) and every 5 minutes once started. Publishers of plans (Home Assistant over MQTT) read
 * `plans` and subscribe with `onPlanChanged`.
 */
export class PlannerService implements Publisher {
  private config: PlannerConfig | undefined;
  private readonly latest = new Map<string, PlanAnswer>();
  private readonly listeners = new Set<PlanListener>();
  private pending: NodeJS.Immediate | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    config: PlannerConfig | undefined,
    private readonly pointsOf: PointsOf,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.config = config;
  }

  /** Whether the config has a planner. */
  get enabled(): boolean {
    return this.config !== undefined;
  }

  /** The signals the planner has (a source id each). */
  get signals(): SignalName[] {
    return SIGNAL_NAMES.filter((s) => this.config?.[s] !== undefined);
  }

  get timeZone(): string {
    return this.config?.time_zone ?? 'UTC';
  }

  get taskNames(): string[] {
    return Object.keys(this.config?.tasks ?? {});
  }

  /** A new config (reload): tasks are planned again, those removed are forgotten. */
  configure(config: PlannerConfig | undefined): void {
    this.config = config;
    for (const name of [...this.latest.keys()]) if (!config?.tasks[name]) this.latest.delete(name);
    this.replanSoon();
  }

  /** Publisher: a run of a signal source brought new forecasts. */
  runFinished(sourceId: string, outcome: 'success' | 'failure' | 'skipped'): void {
    if (outcome !== 'success' || !this.signals.some((s) => this.config![s] === sourceId)) return;
    this.replanSoon();
  }

  /** Plans one load now. */
  plan(spec: LoadSpec): PlanAnswer {
    const now = this.now();
    const zone = this.timeZone;
    const deadline = spec.deadline ? resolveDeadline(spec.deadline, zone, now) : undefined;
    const notBefore = spec.notBefore ? resolveNotBefore(spec.notBefore, zone, now, deadline) : undefined;
    const { slots, infos } = this.readSignals();
    const request = { now, durationMs: spec.durationMs, deadline, notBefore, weights: spec.weights, contiguous: spec.contiguous, maxSegments: spec.maxSegments };
    return planAnswer(planBestWindow(request, slots), spec.energyKwh, infos, now);
  }

  /** Each signal's newest forecast as the planner sees it: slots in its planning unit, and its source. */
  readSignals(): { slots: PerSignal<readonly Slot[]>; infos: PerSignal<SignalInfo> } {
    const slots: PerSignal<readonly Slot[]> = {};
    const infos: PerSignal<SignalInfo> = {};
    for (const s of this.signals) {
      const id = this.config![s]!;
      const series = SERIES[s](this.pointsOf(id));
      slots[s] = series.slots;
      infos[s] = {
        source: id,
        newest: series.newest === null ? null : new Date(series.newest).toISOString(),
        resolution: isoResolution(series.resolutionMs),
        ...(s === 'price' ? { currency: series.currency ?? null } : {}),
      };
    }
    return { slots, infos };
  }

  /** A task's plan as of now; undefined for a task the config does not have. */
  planTask(name: string): PlanAnswer | undefined {
    const task = this.config?.tasks[name];
    return task ? this.plan(taskSpec(task, this.timeZone)) : undefined;
  }

  /** Each task's plan as last made (after a signal source's run or a reload). */
  get plans(): ReadonlyMap<string, PlanAnswer> {
    return this.latest;
  }

  /** Subscribes to changed plans; returns the unsubscribe. */
  onPlanChanged(listener: PlanListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Plans every task once the current run's bookkeeping is done (runs that end together cost one). */
  private replanSoon(): void {
    if (this.pending) return;
    this.pending = setImmediate(() => {
      this.pending = null;
      this.replanTasks();
    });
  }

  /** Plans every task; a failure is logged and leaves the other tasks' plans. */
  replanTasks(): void {
    for (const name of this.taskNames) {
      try {
        const plan = this.planTask(name)!;
        const before = this.latest.get(name);
        this.latest.set(name, plan);
        if (before && sameWindow(before, plan)) continue;
        this.logger.info({ task: name, status: plan.status, start: plan.start, end: plan.end }, 'planner: task planned');
        for (const listener of this.listeners) listener(name, plan);
      } catch (err) {
        this.logger.error({ task: name, err }, 'planner: planning the task failed');
      }
    }
  }

  /** Plans the tasks now and then every few minutes (main calls it once the host runs). */
  start(): void {
    this.replanSoon();
    this.timer ??= setInterval(() => this.replanSoon(), REPLAN_EVERY_MS).unref();
  }

  /** Stops the timer and a pending replan (shutdown). */
  stop(): void {
    if (this.pending) clearImmediate(this.pending);
    if (this.timer) clearInterval(this.timer);
    this.pending = null;
    this.timer = null;
  }
}

function sameWindow(a: PlanAnswer, b: PlanAnswer): boolean {
  return a.status === b.status && JSON.stringify(a.segments) === JSON.stringify(b.segments);
}
