import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import { freePort, runCli, spawnCli } from '../../support/run-cli.js';
import { localStorageYaml, tempConfig } from '../../support/temp-config.js';
import { FAKE_KEY, startFakeHttpJson, type FakeHttpJson } from '../../fakes/http-json.js';

let fake: FakeHttpJson;
beforeEach(async () => {
  fake = await startFakeHttpJson();
});
afterEach(async () => {
  await fake.close();
});

const sources = (url: string) => `sources:
  uk_grid:
    plugin: http-json
    interval: 30m
    options:
      base_url: ${url}
      url: intensity
      records: data
      time: from
      measurement: carbon_intensity
      tags:
        region: {value: GB}
        index: intensity.index
      fields:
        forecast: intensity.forecast
        actual: intensity.actual
  prices:
    plugin: http-json
    credentials:
      api_key: \${PRICES_KEY}
    options:
      base_url: ${url}
      url: keyed/prices
      auth: {style: api_key, in: header, name: X-API-Key}
      records: prices
      time: ts
      time_format: epoch_ms
      measurement: electricity_price
      fields:
        eur_mwh: eur_mwh
`;

describe('http-json through the built program', () => {
  it('once prints what a mapping produces: line protocol, the time range, nothing secret', async () => {
    const cfg = tempConfig('');
    cfg.write(localStorageYaml(cfg.dir) + sources(fake.url));
    const r = await runCli(['once', '--config', cfg.file], { PRICES_KEY: FAKE_KEY });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').sort()).toEqual([
      'carbon_intensity,index=moderate,region=GB,source=uk_grid actual=208,forecast=212 1796491800000000000',
      'carbon_intensity,index=moderate,region=GB,source=uk_grid forecast=230 1796493600000000000',
      'electricity_price,source=prices eur_mwh=74.25 1796497200000000000',
      'electricity_price,source=prices eur_mwh=81.5 1796493600000000000',
    ]);
    expect(r.stderr).toContain('# uk_grid: 2 point(s), 2026-12-05T17:30:00.000Z … 2026-12-05T18:00:00.000Z\n');
    expect(r.stderr).toContain('# prices: 2 point(s), 2026-12-05T18:00:00.000Z … 2026-12-05T19:00:00.000Z\n');
    expect(r.stdout + r.stderr).not.toContain(FAKE_KEY);
  }, 30_000);

  it('once names a skipped record on stderr and keeps the good one', async () => {
    const cfg = tempConfig('');
    cfg.write(localStorageYaml(cfg.dir) + sources(fake.url).split('  prices:')[0]);
    fake.failNext(1, 200, { body: { data: [{ from: '2026-12-05T17:30Z', intensity: { forecast: 1 } }, { intensity: { forecast: 2 } }] } });
    const r = await runCli(['once', '--config', cfg.file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('# uk_grid: skipped record 1: record 1: time from is missing\n');
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  }, 30_000);

  it('a selector that does not compile stops the start with exit 2 and the key path', async () => {
    const cfg = tempConfig('');
    cfg.write(localStorageYaml(cfg.dir) + sources(fake.url).replace('time: from', 'time: from[').split('  prices:')[0]);
    const r = await runCli(['once', '--config', cfg.file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sources\.uk_grid\.options\.time: is not a JMESPath expression/);
    expect(fake.requests).toHaveLength(0);
  }, 30_000);

  it('start writes the points to the store and shows the source healthy', async () => {
    const cfg = tempConfig('');
    const port = await freePort();
    cfg.write(`server:\n  host: 127.0.0.1\n  port: ${port}\nstorage:\n  spool_dir: ${path.join(cfg.dir, 'spool')}\n  local_dir: ${path.join(cfg.dir, 'points')}\n  flush_interval: 100ms\n` + sources(fake.url));
    const child = spawnCli(['start', '--config', cfg.file], { PRICES_KEY: FAKE_KEY });
    try {
      const stored = () => {
        try {
          return readdirSync(path.join(cfg.dir, 'points'), { recursive: true })
            .map((f) => path.join(cfg.dir, 'points', String(f)))
            .filter((f) => /\.(lp|txt|line)/.test(f) || !f.includes('.'))
            .map((f) => { try { return readFileSync(f, 'utf8'); } catch { return ''; } })
            .join('');
        } catch {
          return '';
        }
      };
      await eventually('the points are stored', async () => stored().includes('carbon_intensity,index=moderate,region=GB,source=uk_grid'), 20_000);
      const health = (await (await fetch(`http://127.0.0.1:${port}/health/sources/prices`)).json()) as { status_detail: string };
      expect(health.status_detail).toBe('operational');
      expect(child.output()).not.toContain(FAKE_KEY);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 40_000);
});
