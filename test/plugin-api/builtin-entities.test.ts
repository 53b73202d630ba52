import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTIN_PLUGINS } from '../../core/builtin-plugins.js';
import { entityRuleProblem } from '../../core/mqtt/ha-rules.js';
import { checkDeclaration, PluginLoader } from '../../core/runtime/plugin-loader.js';
import { entityPoints, goldenPoints, pickedPoint } from '../support/entity-points.js';

// What Home Assistant shows of each built-in plugin: its declared entities pass Home Assistant's
// rules, and each one reads values the plugin really writes (its golden cases), so a declaration
// can never point at a measurement, tag or field that does not exist.

const loader = new PluginLoader(BUILTIN_PLUGINS);
/** A golden case writes an integer field as `{ int: n }`. */
const fieldValue = (v: unknown) => (typeof v === 'object' && v !== null && 'int' in v ? v.int : v);
/**
 * `http-json` writes what its config maps, so it cannot declare entities: like a drop-in plugin that
 * declares none, every numeric field of its newest points becomes a sensor (test/mqtt covers that).
 */
const CONFIGURED_BY_THE_USER = new Set(['http-json']);
const ids = BUILTIN_PLUGINS.map((p) => p.id).filter((id) => !CONFIGURED_BY_THE_USER.has(id));

it('only http-json declares no entities', async () => {
  const without = [];
  for (const p of BUILTIN_PLUGINS) if (!(await loader.load(p.id, '.')).entities) without.push(p.id);
  expect(without).toEqual([...CONFIGURED_BY_THE_USER]);
});

describe.each(ids)('%s entities', (id) => {
  it('are declared, load, and pass unit × device class × state class', async () => {
    const plugin = await loader.load(id, '.');
    expect(plugin.entities?.length, `${id} declares entities`).toBeGreaterThan(0);
    expect(checkDeclaration(plugin)).toEqual([]);
    for (const e of plugin.entities!) expect(entityRuleProblem({ ...e, unit: e.unit?.replace('{currency}', 'EUR') }), e.key).toBeNull();
  });

  it('each read a value the plugin writes in its golden cases, picked at the case time', async () => {
    const plugin = await loader.load(id, '.');
    const cases = goldenPoints(new URL(`../plugins/${id}/`, import.meta.url));
    expect(cases.length).toBeGreaterThan(0);
    for (const e of plugin.entities!) {
      const picked = cases.map((c) => pickedPoint(e, entityPoints(e, c.points), c.now)).filter((p) => p !== undefined);
      expect(picked.length, `${id} entity ${e.key} shows a point of some golden case`).toBeGreaterThan(0);
      const values = picked.map((p) => (e.value === 'time' ? p.time : fieldValue(p.fields[e.field!])));
      // A sensor with a unit or state class is a number in Home Assistant.
      if (e.unit !== undefined || e.state_class !== undefined) for (const v of values) expect(typeof v, `${id} ${e.key}`).toBe('number');
      for (const p of picked) for (const tag of (e.unit ?? '').matchAll(/\{([a-z_]+)\}/g)) expect(p.tags[tag[1]!], `${id} ${e.key} unit tag`).toBeDefined();
    }
  });

  it("are listed in the plugin's README table", async () => {
    const plugin = await loader.load(id, '.');
    const readme = readFileSync(new URL(`../../plugins/${id}/README.md`, import.meta.url), 'utf8');
    const section = readme.split('## Home Assistant entities')[1]?.split('\n## ')[0] ?? '';
    for (const e of plugin.entities!) expect(section, `${id} README lists ${e.key}`).toContain(`| \`${e.key}\` | ${e.name} |`);
  });
});

describe('the helpers the test relies on', () => {
  const point = (time: string, fields: Record<string, unknown>, tags: Record<string, string> = {}) => ({ measurement: 'm', tags, fields, time });
  it('match on measurement, tags and field, and pick now or next', () => {
    const points = [point('2026-01-01T00:00:00Z', { v: 1 }), point('2026-01-01T01:00:00Z', { v: 2 }), point('2026-01-01T02:00:00Z', { w: 3 }, { series: 'x' })];
    const e = { key: 'k', name: 'K', measurement: 'm', field: 'v' };
    expect(entityPoints(e, points)).toHaveLength(2);
    expect(entityPoints({ ...e, tags: { series: 'x' } }, points)).toHaveLength(0);
    expect(entityPoints({ ...e, field: 'w', tags: { series: 'x' } }, points)).toHaveLength(1);
    expect(pickedPoint(e, entityPoints(e, points), '2026-01-01T00:30:00Z')?.fields.v).toBe(1);
    expect(pickedPoint({ ...e, pick: 'next' }, entityPoints(e, points), '2026-01-01T00:30:00Z')?.fields.v).toBe(2);
    expect(pickedPoint({ ...e, pick: 'next' }, entityPoints(e, points), '2026-01-01T03:00:00Z')).toBeUndefined();
  });
});
