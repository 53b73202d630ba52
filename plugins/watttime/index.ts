import { carbonIntensityEntity, definePlugin, type EntityDeclaration } from '../../core/plugin-api/index.js';
import { WATTTIME_OPTIONS_SCHEMA } from './options.js';
import { registerCommand } from './register-command.js';
import { WattTimeSource } from './watttime-source.js';

/** WattTime gives CO₂ in lb/MWh; Home Assistant users read g/kWh (1 lb/MWh = 0.45359237 g/kWh). */
const LB_PER_MWH_TO_G_PER_KWH = 0.45359237;

/**
 * Carbon intensity now per signal and the signal index, one entity each per region. The marginal
 * signal reads the forecast's current period (the coming ones as `forecast`); the average one is
 * hourly history only. `health_damage` has no documented unit: left to the InfluxDB and REST ways.
 */
const carbon = (key: string, name: string, signal: string, series: 'forecast' | 'historical'): EntityDeclaration =>
  carbonIntensityEntity(key, name, series, { tags: { signal_type: signal }, per_tag: 'region', scale: LB_PER_MWH_TO_G_PER_KWH });
const ENTITIES: EntityDeclaration[] = [
  carbon('carbon_intensity', 'Marginal carbon intensity', 'co2_moer', 'forecast'),
  carbon('average_carbon_intensity', 'Average carbon intensity', 'co2_aoer', 'historical'),
  { key: 'signal_index', name: 'Carbon signal index', measurement: 'carbon_intensity', field: 'value', tags: { series: 'index' }, per_tag: 'region', unit: '%', state_class: 'measurement', icon: 'mdi:leaf', suggested_display_precision: 0 },
];

/**
 * WattTime API v3: grid carbon intensity (marginal or average emissions, or health damage) of one
 * or more regions: the forecast, the signal index (0–100 percentile) and the history.
 */
export default definePlugin({
  id: 'watttime',
  apiVersion: 1,
  title: 'WattTime',
  writes: ['carbon_intensity'],
  description: 'Grid carbon intensity from WattTime: the forecast, the 0-100 signal index and the history of one or more regions.',
  // GET /login with Basic auth gives a JWT for 30 minutes; the host reads its `exp` and renews it.
  credentials: { style: 'login', default_lifetime: '30m', env: { username: 'WATTTIME_USERNAME', password: 'WATTTIME_PASSWORD' } },
  options: WATTTIME_OPTIONS_SCHEMA,
  base_url: 'https://api.watttime.org',
  // WattTime computes a new forecast and index every 5 minutes (generated_at_period_seconds: 300),
  // so polling faster reads the same values again. A run of one region costs 3 requests (plus
  // backfill windows): about 36 in 5 minutes for ten regions, against 3,000 allowed.
  default_schedule: '*/5 * * * *',
  // The index and the forecast's first point are the current 5-minute period: 30 minutes without a
  // newer one means several runs in a row brought nothing new.
  max_data_age: '30m',
  entities: ENTITIES,
  commands: [registerCommand],
  create: ({ options }) => new WattTimeSource(options),
});
