import { afterEach } from 'vitest';
import plugin from '../../../plugins/http-json/index.js';
import { createTestSource, type TestSource } from '../../../core/testkit/index.js';
import { FAKE_KEY, startFakeHttpJson, type FakeHttpJson } from '../../fakes/http-json.js';
import { describeGoldenCases, type GoldenCase } from '../../support/golden-cases.js';

const KEYED = { url: 'keyed/prices', auth: { style: 'api_key', in: 'header', name: 'X-API-Key' }, records: 'prices', time: 'ts', time_format: 'epoch_ms', measurement: 'electricity_price', fields: { eur_mwh: 'eur_mwh' } };

let open: { fake: FakeHttpJson; src: TestSource } | undefined;
afterEach(async () => {
  await open?.src.stop();
  await open?.fake.close();
  open = undefined;
});

describeGoldenCases<GoldenCase, FakeHttpJson>('http-json', {
  dir: new URL('./golden/cases/', import.meta.url),
  make: async (golden) => {
    const fake = await startFakeHttpJson();
    const src = await createTestSource({ plugin, options: { base_url: fake.url, retries: 0, ...KEYED, ...golden.options }, credentials: { api_key: FAKE_KEY } });
    open = { fake, src };
    return open;
  },
});
