import { describe, expect, it } from 'vitest';
import { createSchemaValidator, isAbsoluteUri } from '../../core/config/schema-validator.js';

describe('the `uri` format of config schemas', () => {
  it('takes absolute URIs the way users write upstream and InfluxDB addresses', () => {
    for (const ok of ['http://influxdb:8086', 'https://api.watttime.org/v3/', 'http://[::1]:8086/write?db=x', 'webcal://example.org/cal.ics', 'http://127.0.0.1']) {
      expect(isAbsoluteUri(ok), ok).toBe(true);
    }
    for (const bad of ['not a url', 'influxdb', '/relative/path', '://no-scheme', 'http://exa mple.org', 'http://']) {
      expect(isAbsoluteUri(bad), bad).toBe(false);
    }
  });

  it('is what ajv checks `format: uri` with', () => {
    const validate = createSchemaValidator(false).compile({ type: 'string', format: 'uri' });
    expect(validate('http://influxdb:8086')).toBe(true);
    expect(validate('not a url')).toBe(false);
  });
});
