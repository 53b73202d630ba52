import type { PlanAnswer } from '../planner/plan-answer.js';
import type { PlannerService } from '../planner/planner-service.js';
import { UNKNOWN, type EntityValue } from './entity-values.js';
import type { HomeAssistantPublisher } from './home-assistant.js';

/** Savings and the plan's status are refreshed at least this often, "running now" at a window's edges. */
const REFRESH_MS = 60_000;

const number = (value: number | null | undefined): string => (value === null || value === undefined ? UNKNOWN : String(value));

/** The device of a task: `homeiq_planner_<task>`. */
export function plannerOwner(task: string): string {
  return `planner_${task}`;
}

/**
 * A planned task as Home Assistant shows it: when it starts and ends (timestamps, for an automation's
 * time trigger), whether it runs now, and what it saves against starting at once.
 */
export function planEntities(plan: PlanAnswer, now: number): EntityValue[] {
  const running = plan.segments.some((s) => Date.parse(s.start) <= now && now < Date.parse(s.end));
  const { savings } = plan;
  return [
    {
      key: 'next_start',
      name: 'Next start',
      device_class: 'timestamp',
      icon: 'mdi:clock-start',
      state: plan.start ?? UNKNOWN,
      attributes: { status: plan.status, message: plan.message ?? null, segments: plan.segments, coverage: plan.coverage, generated_at: plan.generated_at },
    },
    { key: 'end', name: 'End', device_class: 'timestamp', icon: 'mdi:clock-end', state: plan.end ?? UNKNOWN, attributes: null },
    { key: 'running_now', name: 'Running now', component: 'binary_sensor', device_class: 'running', state: running ? 'ON' : 'OFF', attributes: null },
    {
      key: 'carbon_savings',
      name: 'Expected CO2 savings',
      unit: '%',
      state_class: 'measurement',
      icon: 'mdi:leaf',
      suggested_display_precision: 0,
      state: number(savings.carbon_intensity_pct),
      attributes: { co2_g: savings.co2_g, carbon_intensity_now: plan.now.carbon_intensity, carbon_intensity_planned: plan.expected.carbon_intensity },
    },
    {
      key: 'price_savings',
      name: 'Expected price savings',
      unit: '%',
      state_class: 'measurement',
      icon: 'mdi:cash',
      suggested_display_precision: 0,
      state: number(savings.price_pct),
      attributes: { cost: savings.cost, currency: plan.now.currency, price_now: plan.now.price_per_kwh, price_planned: plan.expected.price_per_kwh },
    },
  ];
}

/** When "running now" next changes: the first window edge after `now`, if any. */
function nextEdge(plans: Iterable<PlanAnswer>, now: number): number | null {
  let next: number | null = null;
  for (const plan of plans) {
    for (const s of plan.segments) {
      for (const edge of [Date.parse(s.start), Date.parse(s.end)]) if (edge > now && (next === null || edge < next)) next = edge;
    }
  }
  return next;
}

/**
 * Publishes the planner's tasks to Home Assistant, each as a device: at start, whenever a plan
 * changes, at each window's start and end, and every minute (savings move as forecasts age). A
 * task removed from the config loses its device.
 */
export class PlannerEntities {
  private readonly published = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly planner: PlannerService,
    private readonly homeAssistant: HomeAssistantPublisher,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.unsubscribe ??= this.planner.onPlanChanged(() => this.refresh());
    this.refresh();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Publishes every task's plan now, and removes the devices of tasks the config no longer has (a reload). */
  refresh(): void {
    if (this.timer) clearTimeout(this.timer);
    const now = this.now();
    const tasks = new Set(this.planner.taskNames);
    for (const task of this.published) {
      if (tasks.has(task)) continue;
      this.homeAssistant.remove(plannerOwner(task));
      this.published.delete(task);
    }
    const plans = this.planner.plans;
    for (const [task, plan] of plans) {
      if (!tasks.has(task)) continue;
      for (const entity of planEntities(plan, now)) this.homeAssistant.publishEntity(plannerOwner(task), 'planner', entity);
      this.published.add(task);
    }
    const edge = nextEdge(plans.values(), now);
    const wait = edge === null ? REFRESH_MS : Math.min(REFRESH_MS, edge - now + 50);
    this.timer = setTimeout(() => this.refresh(), wait);
    this.timer.unref();
  }
}
