import type { EntityDeclaration } from '../plugin-api/entity.js';

/**
 * Home Assistant's rules for a sensor's unit × device class × state class, for the classes this
 * project uses (shared/apis/home-assistant-mqtt.md; sensor/const.py). Since Home Assistant 2025.7
 * an invalid pair rejects the whole discovery message, so every entity is checked before it is
 * published and a plugin's declarations when it loads. `null` in a list means "no unit".
 */
const UNITS: Record<string, readonly (string | null)[]> = {
  aqi: [null],
  pm1: ['μg/m³'],
  pm25: ['μg/m³'],
  pm10: ['μg/m³'],
  ozone: ['μg/m³'],
  nitrogen_dioxide: ['μg/m³'],
  sulphur_dioxide: ['μg/m³'],
  carbon_monoxide: ['ppm', 'mg/m³', 'μg/m³'],
  carbon_dioxide: ['ppm'],
  temperature: ['°C', '°F', 'K'],
  humidity: ['%'],
  wind_speed: ['km/h', 'm/s', 'mph', 'kn', 'ft/s', 'Beaufort'],
  precipitation: ['mm', 'cm', 'in'],
  atmospheric_pressure: ['hPa', 'mbar', 'kPa', 'Pa', 'inHg', 'mmHg', 'psi', 'cbar', 'bar'],
  pressure: ['hPa', 'mbar', 'kPa', 'Pa', 'inHg', 'mmHg', 'psi', 'cbar', 'bar'],
  timestamp: [null],
  duration: ['d', 'h', 'min', 's', 'ms'],
};

/** Device classes that take no state class (their state is not a number). */
const NO_STATE_CLASS = new Set(['timestamp', 'date', 'enum']);
/** `monetary` takes an ISO 4217 code and only state class `total`. */
const CURRENCY = /^[A-Z]{3}$/;

/** What is wrong with one entity's unit, device class and state class; null when it is valid. */
export function entityRuleProblem(e: Pick<EntityDeclaration, 'unit' | 'device_class' | 'state_class'>): string | null {
  const unit = e.unit ?? null;
  if (unit !== null && unit.includes('µ')) return `unit ${unit} uses the micro sign U+00B5; Home Assistant wants μ (U+03BC)`;
  if (e.device_class === undefined) return null;
  if (e.device_class === 'monetary') {
    if (unit === null || !CURRENCY.test(unit)) return 'device class monetary needs an ISO 4217 currency code as its unit';
    if (e.state_class !== undefined && e.state_class !== 'total') return 'device class monetary allows only state class total';
    return null;
  }
  const units = UNITS[e.device_class];
  if (!units) return `device class ${e.device_class} is not one Home Assistant knows for a sensor`;
  if (!units.includes(unit)) {
    const allowed = units.map((u) => (u === null ? 'no unit' : u)).join(', ');
    return `unit ${unit ?? '(none)'} is not valid with device class ${e.device_class} (allowed: ${allowed})`;
  }
  if (NO_STATE_CLASS.has(e.device_class) && e.state_class !== undefined) return `device class ${e.device_class} takes no state class`;
  return null;
}

/** Problems of a plugin's `entities`, each naming the entity; empty when all are valid. */
export function entityDeclarationProblems(entities: unknown): string[] {
  if (entities === undefined) return [];
  if (!Array.isArray(entities)) return ['entities must be a list of { key, name, measurement, field, ... }'];
  const problems: string[] = [];
  const keys = new Set<string>();
  for (const [i, raw] of entities.entries()) {
    const e = raw as Partial<EntityDeclaration> | null;
    const label = `entity ${typeof e?.key === 'string' ? e.key : `#${i + 1}`}`;
    if (typeof e?.key !== 'string' || !/^[a-z0-9_]+$/.test(e.key)) problems.push(`${label}: key must match [a-z0-9_]+`);
    else if (keys.has(e.key)) problems.push(`${label}: key declared twice`);
    else keys.add(e.key);
    if (typeof e?.name !== 'string' || !e.name || typeof e.measurement !== 'string') {
      problems.push(`${label}: name and measurement are required`);
      continue;
    }
    if (e.value !== 'time' && typeof e.field !== 'string') problems.push(`${label}: field is required unless value is 'time'`);
    // A unit with a `{tag}` placeholder is checked with a representative value.
    const rule = entityRuleProblem({ ...e, unit: e.unit?.replace(/\{[a-z_]+\}/g, 'EUR') });
    if (rule) problems.push(`${label} (${e.name}): ${rule}`);
  }
  return problems;
}
