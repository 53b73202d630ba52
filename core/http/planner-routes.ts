import type Router from '@koa/router';
import type Koa from 'koa';
import { querySpec } from '../planner/load-spec.js';
import type { PlannerService } from '../planner/planner-service.js';

/** An error the app's error handler answers as JSON `{ error }` with this status. */
function clientError(status: number, message: string): Error {
  return Object.assign(new Error(message), { status, expose: true });
}

/**
 * `GET /api/planner/best-window` and `GET /api/planner/tasks/:name` (CONTRACT §8). Plans are made
 * at each request from the newest forecasts, so `now` and the savings are as of the request.
 * Without a `planner` section both answer 404 saying so.
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
    router.get('/api/planner/best-window', (ctx) => {
      requirePlanner();
      const spec = querySpec(ctx.query, planner.signals, planner.timeZone, Date.now());
      answer(ctx, planner.plan(spec));
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
