import { describe, expect, it } from 'vitest';
import { ConfigFileError } from '../../core/config/load.js';
import { BUILTIN_PLUGINS } from '../../core/builtin-plugins.js';
import { PluginLoader } from '../../core/runtime/plugin-loader.js';
import { prepareSources } from '../../core/runtime/source-set.js';
import { load, refuse } from './config-files.js';

const SOURCES = `sources:
  carbon:
    plugin: watttime
  prices:
    plugin: awattar
  weather:
    plugin: open-meteo
    options: {latitude: 52.5, longitude: 13.4}
`;

describe('the planner section', () => {
  it('is read with its defaults: equal weights where both signals exist, contiguous, 3 pieces', async () => {
    const { config } = await load(`${SOURCES}planner:
  carbon: carbon
  price: prices
  time_zone: Europe/Berlin
  tasks:
    dishwasher: {duration: 2h, deadline: "07:00", not_before: "22:00", energy_kwh: 1.2}
    car: {duration: 4h, weights: {price: 1}, contiguous: false}
`);
    expect(config.planner).toEqual({
      carbon: 'carbon',
      price: 'prices',
      time_zone: 'Europe/Berlin',
      tasks: {
        dishwasher: { name: 'dishwasher', duration_ms: 7_200_000, deadline: '07:00', not_before: '22:00', energy_kwh: 1.2, weights: { carbon: 1, price: 1 }, contiguous: true, max_segments: 3 },
        car: { name: 'car', duration_ms: 14_400_000, weights: { carbon: 0, price: 1 }, contiguous: false, max_segments: 3 },
      },
    });
  });

  it('no planner section, no planner', async () => {
    expect((await load(SOURCES)).config.planner).toBeUndefined();
  });

  it('names each bad key with its line', async () => {
    const { file, lines } = await refuse(`${SOURCES}planner:
  carbon: carbonn
  time_zone: Mars/Olympus
  tasks:
    washer:
      duration: 7m
      deadline: tomorrow
      weights: {price: 1}
      max_segments: 40
      colour: red
`);
    expect(lines).toEqual([
      `${file}:10: planner.carbon: unknown source "carbonn" (sources: carbon, prices, weather)`,
      `${file}:11: planner.time_zone: is not a time zone known here (expected an IANA name like Europe/Berlin)`,
      `${file}:14: planner.tasks.washer.duration: must be a multiple of 5 minutes (the planner plans on a 5-minute grid)`,
      `${file}:15: planner.tasks.washer.deadline: expected a clock time like "07:00", an ISO 8601 time like "2026-12-06T07:00:00Z", or a duration like "12h"`,
      `${file}:16: planner.tasks.washer.weights.price: the planner has no price source (planner.price)`,
      `${file}:16: planner.tasks.washer.weights: at least one signal the planner has needs a weight above 0`,
      `${file}:17: planner.tasks.washer.max_segments: must be between 1 and 12`,
      `${file}:18: planner.tasks.washer.colour: unknown key`,
    ]);
  });

  it('a planner that names no signal is refused', async () => {
    const { file, lines } = await refuse(`${SOURCES}planner:\n  time_zone: UTC\n`);
    expect(lines).toEqual([`${file}:9: planner: names no signal: give carbon and/or price (a source id)`]);
  });

  it('a source whose plugin writes no carbon or price series is refused, naming the key', async () => {
    // open-meteo declares nothing (what a plugin writes may depend on its options): taken at its word.
    const loaded = await load(`${SOURCES}planner:\n  carbon: weather\n  price: carbon\n`);
    const error = await prepareSources(loaded, new PluginLoader(BUILTIN_PLUGINS)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigFileError);
    expect((error as Error).message.split('\n')).toEqual([
      `${loaded.config.file}:11: planner.price: source "carbon" (plugin watttime) writes no electricity_price series (it writes carbon_intensity)`,
    ]);
  });

  it('the built-in signal plugins declare what they write', () => {
    const writes = Object.fromEntries(BUILTIN_PLUGINS.filter((p) => p.writes).map((p) => [p.id, p.writes]));
    expect(writes).toEqual({
      watttime: ['carbon_intensity'],
      awattar: ['electricity_price'],
      entsoe: ['electricity_price'],
      'octopus-energy': ['electricity_price'],
      tibber: ['electricity_price'],
      'uk-carbon-intensity': ['carbon_intensity', 'generation_mix'],
      'electricity-maps': ['carbon_intensity'],
    });
  });
});
