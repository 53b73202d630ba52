import type Router from '@koa/router';
import type Koa from 'koa';
import { querySpec } from '../planner/load-spec.js';
import type { PlannerService } from '../planner/planner-service.js';
import { signalsAnswer } from '../planner/signals-answer.js';

/** `GET /api/planner/signals?hours=N`: how far ahead, 48 hours unless asked (1 to 168). */
const SIGNAL_HOURS = { default: 48, max: 168 };

/** An error the app's error handler answers as JSON `{ error }` with this status. */
function clientError(status: number, message: string): Error {
  return Object.assign(new Error(message), { status, expose: true });
}

/**
 * `GET /api/planner/best-window` and `GET /api/planner/tasks/:name` (CONTRACT §8), and two
 * extensions for the status page: `GET /api/planner` and `GET /api/planner/signals`. Plans are made
 * at each request from the newest forecasts, so `now` and the savings are as of the request.
 * Without a `planner` section each but `/api/planner` answers 404 saying so.
 */
export function plannerRoutes(planner: PlannerService): (router: Router) => void {
  const answer = (ctx: Koa.Context, body: unknown) => {
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = JSON.stringify(body, null, ctx.query.pretty !== undefined ? 2 : undefined);
  };
  const requirePlanner = () => {
    if (!planner.enabled) throw clientError(404, 'no planner configured: add a planner section naming a carbon and/or price source (see README, Planner)');
  };
  return (router) => {
    // Extension: whether a planner is configured, always 200, so that the status page can ask.
    router.get('/api/planner', (ctx) => {
      answer(ctx, planner.enabled ? { enabled: true, time_zone: planner.timeZone, signals: planner.signals, tasks: planner.taskNames } : { enabled: false });
    });
    router.get('/api/planner/best-window', (ctx) => {
      requirePlanner();
      const spec = querySpec(ctx.query, planner.signals, planner.timeZone, Date.now());
      answer(ctx, planner.plan(spec));
    });
    // Extension: the forecasts the planner plans on, over the next hours (the status page's chart).
    router.get('/api/planner/signals', (ctx) => {
      requirePlanner();
      const unknown = Object.keys(ctx.query).find((key) => key !== 'hours' && key !== 'pretty');
      if (unknown) throw clientError(400, `${unknown}: unknown parameter (expected: hours)`);
      const text = ctx.query.hours;
      const hours = text === undefined ? SIGNAL_HOURS.default : Number(text);
      if (typeof text === 'object' || !Number.isInteger(hours) || hours < 1 || hours > SIGNAL_HOURS.max) {
        throw clientError(400, `hours: expected a whole number of hours from 1 to ${SIGNAL_HOURS.max}, got "${String(text)}"`);
      }
      const now = Date.now();
      const { slots, infos } = planner.readSignals();
      answer(ctx, signalsAnswer(slots, infos, now, now + hours * 3_600_000, planner.timeZone));
    });
    router.get('/api/planner/tasks', (ctx) => {
      requirePlanner();
      answer(ctx, { tasks: planner.taskNames });
    });
    router.get('/api/planner/tasks/:name', (ctx) => {
      requirePlanner();
      const plan = planner.planTask(ctx.params.name!);
      // Names only the task asked for, like an unknown source's 404.
      if (!plan) throw clientError(404, `no task named "${ctx.params.name}"`);
      answer(ctx, { task: ctx.params.name, ...plan });
    });
  };
}
