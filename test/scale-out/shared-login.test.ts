// Issue 22, item 2: hosts sharing the sources log in once per source, not once per host. Three
// hosts of the built program (as `npm start` runs it) share two WattTime sources through a real
// Redis; the fake WattTime counts the logins and sees which tokens the data requests carry.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeWattTime, type FakeWattTime } from '../fakes/watttime.js';
import { buildCli, startCliHost, type CliHost } from '../faults/cli-host.js';
import { localStorageYaml } from '../support/temp-config.js';
import { eventually } from '../support/eventually.js';

const USER = { username: 'supplier-user', password: 'Sh4red-login!' };
const ENV = { WATTTIME_USERNAME: USER.username, WATTTIME_PASSWORD: USER.password };

let fake: FakeWattTime | undefined;
const hosts: CliHost[] = [];

beforeAll(buildCli);
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
  await fake?.close();
  fake = undefined;
});

/** Two WattTime sources (two regions, one account), run every 2 s. */
function sources(url: string): string {
  return ['CAISO_NORTH', 'PJM_DC']
    .map(
      (region, i) => `  carbon-${i}:
    plugin: watttime
    interval: 2s
    credentials:
      username: \${WATTTIME_USERNAME}
      password: \${WATTTIME_PASSWORD}
    options:
      region: ${region}
      base_url: ${url}
      series: [index]
      retries: 0
`,
    )
    .join('');
}

/** The storage of each host, and the shared scheduler on the suite's Redis under a prefix of this test's own. */
const shared = (prefix: string) => (dir: string) => `${localStorageYaml(dir)}scheduler:\n  type: redis\n  url: ${inject('redisUrl')}\n  prefix: ${prefix}\n  host_id: \${HOST_ID}\n`;

describe('hosts sharing the sources (issue 22)', () => {
  it('log in once per source for all hosts, and use that token on every host', async () => {
    fake = await startFakeWattTime();
    fake.addUser(USER.username, USER.password);
    const prefix = `login-${randomUUID().slice(0, 8)}`;
    for (const id of ['a', 'b', 'c']) hosts.push(await startCliHost(sources(fake.url), {}, { env: { ...ENV, HOST_ID: id }, storage: shared(prefix) }));
    // Runs every 2 s spread over the hosts: wait until at least two hosts have run each source.
    const ranOn = new Map<string, Set<string>>();
    await eventually(
      'each source run by two hosts or more',
      async () => {
        for (const host of hosts) {
          const { body } = await host.get('/health');
          for (const [id, h] of Object.entries(body.sources as Record<string, { host: string | null; status: string }>)) {
            if (h.host && h.status === 'healthy') ranOn.set(id, (ranOn.get(id) ?? new Set()).add(h.host));
          }
        }
        return [...ranOn.values()].filter((s) => s.size >= 2).length === 2;
      },
      40_000,
    );
    // One login per source, whichever hosts ran it; every data request carried one of those two tokens.
    expect(fake.loginCount).toBe(2);
    expect(new Set(fake.tokensSeen).size).toBe(2);
    expect(fake.tokensSeen.length).toBeGreaterThanOrEqual(4);
    // The hosts block on every host names all three, up.
    for (const host of hosts) {
      const { body } = await host.get('/health');
      expect(body.hosts.map((h: { id: string; status: string }) => `${h.id}:${h.status}`)).toEqual(['a:up', 'b:up', 'c:up']);
      // No password or token in any host's report or log.
      const text = JSON.stringify(body) + host.output();
      expect(text).not.toContain(USER.password);
      for (const token of fake.tokensIssued) expect(text).not.toContain(token);
    }
    // Prometheus sees the same: Redis reached, three hosts up.
    const metrics = await (await fetch(`${hosts[0]!.url}/metrics`)).text();
    expect(metrics).toContain('homeiq_scheduler_connected 1');
    expect(metrics).toContain('homeiq_scheduler_hosts{state="up"} 3');
  }, 90_000);

  it('a token the upstream refused is replaced by one new login, shared again', async () => {
    fake = await startFakeWattTime();
    fake.addUser(USER.username, USER.password);
    const prefix = `relogin-${randomUUID().slice(0, 8)}`;
    for (const id of ['a', 'b']) hosts.push(await startCliHost(sources(fake.url), {}, { env: { ...ENV, HOST_ID: id }, storage: shared(prefix) }));
    await eventually('both sources logged in', () => fake!.loginCount === 2, 30_000);
    const revokedAt = Date.now();
    fake.revokeAllTokens();
    // After the revocation both sources fetch again (on either host) with one new login each.
    await eventually(
      'both sources fetched after the revocation',
      async () => {
        const { body } = await hosts[0]!.get('/health');
        const fetched = Object.values(body.sources as Record<string, { last_successful_fetch: string | null }>).map((h) => Date.parse(h.last_successful_fetch ?? ''));
        return fetched.every((t) => t > revokedAt);
      },
      30_000,
    );
    expect(fake.loginCount).toBe(4);
    for (const host of hosts) {
      const { body } = await host.get('/health');
      for (const h of Object.values(body.sources as Record<string, { status: string }>)) expect(h.status).toBe('healthy');
    }
  }, 90_000);
});
