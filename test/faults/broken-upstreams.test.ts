import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBrokenBodyApi, type BrokenBodyApi } from '../fakes/broken-body.js';
import { startFakeExampleApi, type FakeExampleApi } from '../fakes/example-api.js';
import { buildCli, exampleSource, expectOnSchedule, expectPrompt, sleep, startCliHost, type CliHost } from './cli-host.js';

// Upstreams that break an answer after its headers: one closes the connection mid-body, one
// sends the body a byte every 50 ms until the source's `timeout` cuts it.
const KEY = 'example-key-7f3a9c';
let fake: FakeExampleApi;
let broken: BrokenBodyApi;
let host: CliHost | undefined;

beforeAll(buildCli, 120_000);
beforeEach(async () => {
  fake = await startFakeExampleApi(KEY);
  broken = await startBrokenBodyApi(KEY);
});
afterEach(async () => {
  await host?.stop();
  host = undefined;
  await fake.close();
  await broken.close();
});

describe('an upstream that breaks its answers mid-body', () => {
  it('is reported per source with a clear message; /health stays prompt, the others keep their schedule, no socket is left open', async () => {
    host = await startCliHost(
      exampleSource('hallway', KEY, fake.url) +
        exampleSource('cut', KEY, `${broken.url}/cut`, '1s', '      timeout: 3s\n') +
        exampleSource('slow', KEY, `${broken.url}/slow`, '1s', '      timeout: 1s\n'),
    );
    const latencies: number[] = [];
    const sockets: number[] = [];
    let answeredMidTrickle = 0;
    for (let i = 0; i < 22; i++) {
      const trickling = broken.trickling > 0;
      const h = await host.get('/health');
      expect(h.status).toBe(200);
      if (trickling && broken.trickling > 0) answeredMidTrickle += 1;
      latencies.push(h.ms);
      sockets.push(broken.openSockets);
      await sleep(200);
    }
    // /health answered promptly all along, also while a slow answer was coming in; the healthy
    // source kept its 1 s schedule.
    expect(answeredMidTrickle).toBeGreaterThanOrEqual(3);
    expectPrompt(latencies);
    const { body } = await host.get('/health');
    expect(body.sources.hallway.status_detail).toBe('operational');
    expect(fake.requests.length).toBeGreaterThanOrEqual(4);
    expectOnSchedule(fake.requests.map((r) => r.at), 1000);

    // Each failure says what happened, on which request, in its source; never the key.
    expect(body.sources.cut.status).toMatch(/degraded|error/);
    expect(body.sources.cut).toMatchObject({ last_error: { message: expect.stringMatching(
      /^Example Sensor closed the connection in the middle of its answer to GET \/cut\/reading \(ECONNRESET after \d+ of \d+ bytes\)$/) } });
    expect(body.sources.slow.status).toMatch(/degraded|error/);
    expect(body.sources.slow.last_error.message).toMatch(
      /^Example Sensor sent its answer to GET \/slow\/reading too slowly: \d+ of \d+ bytes arrived within the time limit \(option timeout\)$/);
    // The log says it too, with the source (once per change of state, not at every run).
    const changes = host.logs().filter((l) => l.msg === 'source state changed' && l.status !== 'healthy');
    const logged = (source: string) => changes.filter((l) => l.source === source).map((l) => l.error as string);
    expect(logged('cut').some((e) => e.includes('closed the connection in the middle of its answer'))).toBe(true);
    expect(logged('slow').some((e) => e.includes('sent its answer to GET /slow/reading too slowly'))).toBe(true);
    expect(JSON.stringify(body) + host.output()).not.toContain(KEY);

    // Each broken answer let go of its socket: they do not pile up, and none is left at the end.
    expect(Math.max(...sockets)).toBeLessThanOrEqual(2);
    const stopped = await host.stop();
    host = undefined;
    expect(stopped).toMatchObject({ code: 0 });
    expect(stopped.ms).toBeLessThan(5000);
    expect(broken.openSockets).toBe(0);
    expect(broken.trickling).toBe(0);
  }, 60_000);
});
