import { describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logging/logger.js';
import { Redactor } from '../../core/logging/redactor.js';
import type { LoadedConfig } from '../../core/config/load.js';
import { registerSecrets } from '../../core/main.js';
import { LogCapture } from '../../core/testkit/index.js';
import { StorageWriteError } from '../../core/storage/write-failure.js';
import { buildStorage, tempDir } from '../support/storage-fixture.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const json = (s: string) => JSON.stringify(s).slice(1, -1);

/** The secrets a config with only an InfluxDB URL holds. */
function redactorOfStorageUrl(url: string): Redactor {
  const redactor = new Redactor();
  registerSecrets(redactor, { config: { storage: { influxdb: { url } }, scheduler: { type: 'local' }, sources: {} } } as unknown as LoadedConfig);
  return redactor;
}

describe('the forms a secret takes', () => {
  const PASSWORD = 'p@ss "w/rd" +1&x\\y';
  const redactor = redactorOfStorageUrl(`http://reader:${encodeURIComponent(PASSWORD)}@influx:8086`);

  it('hides the user info of the InfluxDB URL: Basic header, URL- and form-encoded, JSON-escaped, base64', () => {
    const texts = [
      `authorization: Basic ${b64(`reader:${PASSWORD}`)}`,
      `password base64 ${b64(PASSWORD)}`,
      `user info ${encodeURIComponent(`reader:${PASSWORD}`)}`,
      `posted ${new URLSearchParams({ password: PASSWORD }).toString()}`,
      JSON.stringify({ msg: `echoed ${PASSWORD}` }),
      JSON.stringify(JSON.stringify({ msg: `echoed ${PASSWORD}` })),
    ];
    for (const text of texts) {
      const out = redactor.redact(text);
      expect(out, text).toContain('[REDACTED]');
      for (const part of ['p@ss', 'cEBzcyAi', 'p%40ss', 'w/rd', 'w%2Frd', b64(`reader:${PASSWORD}`).slice(0, 12)]) expect(out, text).not.toContain(part);
    }
    // The username alone identifies and stays readable.
    expect(redactor.redact('user reader')).toBe('user reader');
  });

  it('hides a password shorter than 4 characters as a whole value, not inside words or numbers', () => {
    const short = redactorOfStorageUrl('http://reader:q7@influx:8086');
    const hidden = [
      ['http://reader:q7@influx', 'http://[REDACTED]@influx'],
      ['?db=homeiq&password=q7&u=x', '?db=homeiq&password=[REDACTED]&u=x'],
      ['{"password":"q7"}', '{"password":"[REDACTED]"}'],
      [json('{"password":"q7"}'), json('{"password":"[REDACTED]"}')],
      ['password: q7', 'password: [REDACTED]'],
      ['user info reader%3Aq7;', 'user info [REDACTED];'],
      ['***%3Aq7 end', '***%3A[REDACTED] end'],
      [`Basic ${b64('reader:q7')}`, 'Basic [REDACTED]'],
    ];
    for (const [text, out] of hidden) expect(short.redact(text!), text).toBe(out);
    for (const text of ['q7 and aq7 and q7b', '{"level":30,"q7":1}', 'x=q7b', 'time 12:q70']) expect(short.redact(text)).toBe(text);
  });

  it('hides secrets of every key: a password in a source option address too', () => {
    const redactor = new Redactor();
    const source = { credentials: {}, options: { base_url: 'https://proxy-user:Pr0xyPass@proxy.example/api' } };
    registerSecrets(redactor, { config: { storage: {}, scheduler: { type: 'local' }, sources: { s: source } } } as unknown as LoadedConfig);
    expect(redactor.redact(`Basic ${b64('proxy-user:Pr0xyPass')} and Pr0xyPass`)).toBe('Basic [REDACTED] and [REDACTED]');
  });

  it("hides the shared scheduler's Redis login: its password and the one in its URL", () => {
    const redactor = new Redactor();
    const scheduler = { type: 'redis', url: 'rediss://:UrlRedisPass@cache:6380', username: 'homeiq', password: 'AclRedisPass', prefix: 'homeiq', host_id: 'a' };
    registerSecrets(redactor, { config: { storage: {}, scheduler, sources: {} } } as unknown as LoadedConfig);
    expect(redactor.redact(`url ${scheduler.url} auth AclRedisPass, Basic ${b64('homeiq:AclRedisPass')}`)).toBe('url rediss://[REDACTED]@cache:6380 auth [REDACTED], Basic [REDACTED]');
  });
});

describe('messages cut short', () => {
  const SECRET = 'ENTSOETOKEN-1234';
  /** A prefix of SECRET (not of [REDACTED]) before the ellipsis. */
  const CUT_SECRET = /(^|[ x])E[A-Z0-9-]*…$/;

  it('are redacted first, then cut: no prefix of a secret survives, whatever the cut', () => {
    const redactor = new Redactor();
    redactor.add(SECRET);
    for (let pad = 0; pad < 40; pad++) {
      const out = redactor.brief(`${'x'.repeat(pad)}${`${SECRET} `.repeat(200)}`, 100);
      expect(out).toHaveLength(100);
      expect(out.endsWith('…')).toBe(true);
      expect(out).not.toMatch(CUT_SECRET);
    }
  });

  it('a 20 MB message is bounded to 1,000 characters, quickly', () => {
    const redactor = new Redactor();
    redactor.add(SECRET);
    const huge = `cannot read ${`${SECRET}/basic.ics `.repeat(20e6 / 27)}`;
    const started = performance.now();
    const out = redactor.brief(huge);
    expect(performance.now() - started).toBeLessThan(200);
    expect(out).toHaveLength(1000);
    expect(out).not.toContain('ENTSOE');
  });

  it('in the log: an error message is redacted, then bounded', () => {
    const redactor = new Redactor();
    redactor.add(SECRET);
    const capture = new LogCapture();
    const logger = createLogger({ redactor, destination: capture });
    logger.error({ err: new Error(`upstream said ${`${SECRET} `.repeat(1e5)}`) }, 'run failed');
    const line = JSON.parse(capture.text().trim()) as { err: { message: string } };
    expect(line.err.message).toHaveLength(1000);
    expect(line.err.message).not.toMatch(CUT_SECRET);
    expect(capture.text()).not.toContain('ENTSOE');
  });
});

describe('a line the store rejected, in the log', () => {
  it('is redacted, then cut: the secret in a field is not cut into a prefix', async () => {
    const SECRET = 'ENTSOETOKEN-1234';
    const redactor = new Redactor();
    redactor.add(SECRET);
    const capture = new LogCapture();
    const logger = createLogger({ redactor, destination: capture });
    const rejecting = {
      where: 'a store',
      write: async () => {
        throw new StorageWriteError('bad line', { failure: 'rejected', httpStatus: 400 });
      },
      close: async () => undefined,
    };
    const { dir, cleanup } = tempDir();
    const storage = buildStorage(rejecting, dir, logger, { brief: (text, max) => redactor.brief(text, max) });
    await storage.start();
    // The field's text puts the secret across the 200th character of the line, where the log cuts it.
    const point = { measurement: 'note', tags: { source: 'cal' }, fields: { text: `${'x'.repeat(170)}${SECRET}` }, time: new Date(Date.UTC(2026, 0, 1)) };
    storage.write([point]);
    await storage.flush();
    await storage.close();
    cleanup();
    expect(capture.text()).toContain('dropped lines the store rejected');
    expect(capture.text()).not.toContain('ENTSOE');
  });
});
