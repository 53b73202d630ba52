import { describe, expect, it } from 'vitest';
import { entityRuleProblem } from '../../core/mqtt/ha-rules.js';
import { checkDeclaration } from '../../core/runtime/plugin-loader.js';

const plugin = (entities: unknown) => ({ id: 'demo', apiVersion: 1, title: 'Demo', create: () => ({ fetch: () => [] }), entities });

describe("entity declarations checked against Home Assistant's rules at load", () => {
  it('accepts the table of shared/apis/home-assistant-mqtt.md', () => {
    const valid = [
      { unit: 'gCO2eq/kWh', state_class: 'measurement' },
      { unit: '%', state_class: 'measurement' },
      { unit: 'EUR/kWh', state_class: 'measurement' },
      { device_class: 'aqi', state_class: 'measurement' },
      { device_class: 'pm25', unit: 'μg/m³', state_class: 'measurement' },
      { device_class: 'ozone', unit: 'μg/m³', state_class: 'measurement' },
      { device_class: 'temperature', unit: '°C', state_class: 'measurement' },
      { device_class: 'humidity', unit: '%', state_class: 'measurement' },
      { device_class: 'wind_speed', unit: 'km/h', state_class: 'measurement' },
      { device_class: 'timestamp' },
      { device_class: 'monetary', unit: 'EUR', state_class: 'total' },
    ] as const;
    for (const e of valid) expect(entityRuleProblem(e)).toBeNull();
  });

  it('refuses the pairs Home Assistant rejects, saying why', () => {
    expect(entityRuleProblem({ device_class: 'pm25', unit: 'µg/m³' })).toMatch(/micro sign U\+00B5/);
    expect(entityRuleProblem({ device_class: 'carbon_dioxide', unit: 'gCO2eq/kWh' })).toMatch(/not valid with device class carbon_dioxide \(allowed: ppm\)/);
    expect(entityRuleProblem({ device_class: 'aqi', unit: 'AQI' })).toMatch(/allowed: no unit/);
    expect(entityRuleProblem({ device_class: 'temperature', unit: '℃' })).toMatch(/not valid/);
    expect(entityRuleProblem({ device_class: 'monetary', unit: 'EUR/kWh', state_class: 'measurement' })).toMatch(/ISO 4217/);
    expect(entityRuleProblem({ device_class: 'monetary', unit: 'EUR', state_class: 'measurement' })).toMatch(/only state class total/);
    expect(entityRuleProblem({ device_class: 'timestamp', state_class: 'measurement' })).toMatch(/takes no state class/);
    expect(entityRuleProblem({ device_class: 'co2_level', unit: 'ppm' })).toMatch(/not one Home Assistant knows/);
  });

  it('refuses a plugin that declares an invalid pair, naming the entity', () => {
    const problems = checkDeclaration(
      plugin([
        { key: 'pm25', name: 'PM2.5', measurement: 'air', field: 'pm25', device_class: 'pm25', unit: 'ug/m3', state_class: 'measurement' },
        { key: 'ok', name: 'Fine', measurement: 'air', field: 'x', unit: '{currency}/kWh', state_class: 'measurement' },
        { key: 'ok', name: 'Twice', measurement: 'air', field: 'y' },
        { key: 'Bad Key', name: 'Bad', measurement: 'air', field: 'z' },
        { key: 'nofield', name: 'No field', measurement: 'air' },
      ]),
    );
    expect(problems).toEqual([
      'entity pm25 (PM2.5): unit ug/m3 is not valid with device class pm25 (allowed: μg/m³)',
      'entity ok: key declared twice',
      'entity Bad Key: key must match [a-z0-9_]+',
      "entity nofield: field is required unless value is 'time'",
    ]);
    expect(checkDeclaration(plugin('sensor'))).toEqual(['entities must be a list of { key, name, measurement, field, ... }']);
    expect(checkDeclaration(plugin(undefined))).toEqual([]);
  });
});
