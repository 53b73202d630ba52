import { describe, expect, it } from 'vitest';
import { Redactor } from '../../core/logging/redactor.js';
import { TokenManager } from '../../core/runtime/token-manager.js';

describe('Redactor', () => {
  it('forgets a secret once every holder released it, and hides it until then', () => {
    const redactor = new Redactor();
    const first = redactor.add('shared-secret');
    const second = redactor.add('shared-secret');
    first();
    first(); // a second call does nothing
    expect(redactor.redact('key=shared-secret')).toBe('key=[REDACTED]');
    second();
    expect(redactor.redact('key=shared-secret')).toBe('key=shared-secret');
    expect(redactor.size).toBe(0);
  });

  it('forgets the URL-encoded form with the value', () => {
    const redactor = new Redactor();
    const forget = redactor.add('a b/c+d');
    expect(redactor.redact('?k=a%20b%2Fc%2Bd')).toBe('?k=[REDACTED]');
    forget();
    expect(redactor.size).toBe(0);
  });
});

describe('Redactor fed by a TokenManager', () => {
  const HOUR = 3_600_000;

  /** A token renewed every 55 minutes (one hour lifetime, five minutes before expiry), as WattTime's. */
  function renewingSource() {
    let now = 0;
    let n = 0;
    const redactor = new Redactor();
    redactor.add('static-password');
    const tokens = new TokenManager({
      obtain: async () => ({ token: `token-${++n}-${'x'.repeat(40)}`, expiresIn: 3600 }),
      refreshBeforeMs: 300_000,
      defaultLifetimeMs: HOUR,
      now: () => now,
      onToken: (t) => redactor.add(t),
    });
    const renew = async (times: number) => {
      for (let i = 0; i < times; i++) {
        now += HOUR - 300_000 + 1;
        await tokens.token();
      }
    };
    return { redactor, tokens, renew, token: (i: number) => `token-${i}-${'x'.repeat(40)}`, count: () => n };
  }

  /** Microseconds to redact one ordinary log line, the median of a few rounds. */
  function lineCost(redactor: Redactor): number {
    const line = '{"level":30,"time":1767225600000,"name":"homeiq","source":"carbon","msg":"fetched 288 points in 412 ms"}';
    const rounds: number[] = [];
    for (let round = 0; round < 7; round++) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < 2000; i++) redactor.redact(line + i);
      rounds.push(Number(process.hrtime.bigint() - start) / 2000 / 1000);
    }
    return rounds.sort((a, b) => a - b)[3]!;
  }

  it('keeps the current and the still valid previous token hidden, and forgets expired ones', async () => {
    const { redactor, tokens, renew, token } = renewingSource();
    await tokens.token();
    await renew(3);
    // token-4 is current, token-3 was replaced 5 minutes before its expiry: both hidden.
    expect(redactor.redact(`${token(4)} ${token(3)}`)).toBe('[REDACTED] [REDACTED]');
    // token-1 and token-2 expired after they were replaced: forgotten.
    expect(redactor.redact(token(1))).toBe(token(1));
    expect(redactor.redact('static-password')).toBe('[REDACTED]');
  });

  it('stays flat in size and per-line cost over 100,000 renewals', async () => {
    const { redactor, tokens, renew, count } = renewingSource();
    await tokens.token();
    await renew(10);
    const sizeAfter10 = redactor.size;
    const costAfter10 = lineCost(redactor);
    await renew(100_000);
    expect(count()).toBe(100_011);
    expect(redactor.size).toBe(sizeAfter10);
    expect(redactor.size).toBeLessThanOrEqual(3);
    // Times vary on a shared machine: compare the ratio, with a generous bound (a pattern of
    // 100,000 tokens costs hundreds of times more per line).
    expect(lineCost(redactor) / costAfter10).toBeLessThan(4);
  }, 60_000);
});
