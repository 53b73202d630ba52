import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectionCap, openFilesLimit } from '../../core/http/server.js';
import { tempConfig } from '../support/temp-config.js';

const limits = (soft: string) => {
  const file = path.join(tempConfig('').dir, 'limits');
  writeFileSync(file, `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                 524288               files\n`);
  return file;
};

describe('the connection cap', () => {
  it('reads the soft limit of open files, as ulimit -n says it', () => {
    expect(openFilesLimit(limits('1024'))).toBe(1024);
    expect(openFilesLimit(limits('unlimited'))).toBeUndefined();
    expect(openFilesLimit('/no/such/limits')).toBeUndefined();
  });

  it('is server.max_connections, kept 256 below the open-files limit for the core', () => {
    expect(connectionCap(512, 20_000)).toBe(512);
    expect(connectionCap(512, 512)).toBe(256);
    expect(connectionCap(512, 100)).toBe(1);
    expect(connectionCap(300, undefined)).toBe(300);
  });
});
