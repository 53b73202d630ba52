/**
 * A value a plugin offers to Home Assistant (like Home Assistant's own entity descriptions): which
 * series and field, and how to show it. The host turns each into an MQTT discovery entity when the
 * config has an `mqtt` section; a plugin that declares none gets one sensor per numeric field of
 * its newest points. The host checks unit × device class × state class when the plugin loads.
 */
export interface EntityDeclaration {
  /** Part of the entity's unique id (`homeiq_<source>_<key>`): `[a-z0-9_]+`, stable across releases. */
  key: string;
  /** The entity's name in Home Assistant, e.g. "Carbon intensity". */
  name: string;
  measurement: string;
  /** The field whose value is the state (unused with `value: 'time'`). */
  field?: string;
  /** Tag values a point must have, e.g. `{ series: 'index' }`. */
  tags?: Record<string, string>;
  /** One entity per value of this tag (e.g. `region`): its key and name get the value appended. */
  per_tag?: string;
  /** `now` (default): the point holding the present (the newest not after now, else the oldest); `next`: the first point after now. */
  pick?: 'now' | 'next';
  /** `field` (default) or `time`: the point's time as the state (a `timestamp` entity). */
  value?: 'field' | 'time';
  /** Multiplies the value (unit conversion, e.g. 0.45359237 for lb/MWh to g/kWh). */
  scale?: number;
  /** Unit; `{tag}` is replaced by the point's tag value, e.g. `{currency}/kWh`. */
  unit?: string;
  device_class?: string;
  state_class?: 'measurement' | 'total' | 'total_increasing';
  icon?: string;
  suggested_display_precision?: number;
  /** Other fields of the picked point shown as attributes (e.g. a calendar event's `summary`). */
  attributes?: string[];
  /** Puts the coming points into a `forecast` attribute, `[[epoch_seconds, value], …]`, under 16 KiB. */
  forecast?: boolean;
}

/*
 * The standard entities of CONTRACT §4's shared measurements: every plugin of a kind writes the
 * same series, so each declares the same entities from here rather than a copy of its own.
 */

const PRICE = 'electricity_price';

/**
 * Carbon intensity in gCO2eq/kWh of one `series` (`forecast`: the current period, the coming ones as
 * `forecast`; `historical`: the newest measured value). `scale` converts another unit (WattTime's
 * lb/MWh); `tags` narrow the series further (a signal type), `per_tag` makes one entity per region.
 */
export function carbonIntensityEntity(key: string, name: string, series: 'forecast' | 'historical', more: Pick<EntityDeclaration, 'tags' | 'per_tag' | 'scale'> = {}): EntityDeclaration {
  return {
    key,
    name,
    measurement: 'carbon_intensity',
    field: 'value',
    unit: 'gCO2eq/kWh',
    state_class: 'measurement',
    icon: 'mdi:molecule-co2',
    suggested_display_precision: 0,
    forecast: series === 'forecast',
    ...more,
    tags: { series, ...more.tags },
  };
}

/** Price now (with the coming slots as `forecast`) and the next slot's price; optionally with tax and Tibber's level. */
export function priceEntities(has: { inclTax?: boolean; level?: boolean; perArea?: boolean } = {}): EntityDeclaration[] {
  // A price per kWh is not `monetary` (that takes a bare currency and state class total only).
  const price = { measurement: PRICE, unit: '{currency}/kWh', state_class: 'measurement', icon: 'mdi:cash', suggested_display_precision: 4 } as const;
  const perArea = has.perArea ? { per_tag: 'area' } : {};
  const entities: EntityDeclaration[] = [
    { key: 'price', name: 'Price', field: 'price_per_kwh', forecast: true, ...price, ...perArea },
    { key: 'price_next', name: 'Next price', field: 'price_per_kwh', pick: 'next', ...price, ...perArea },
  ];
  if (has.inclTax) {
    entities.push(
      { key: 'price_incl_tax', name: 'Price incl. tax', field: 'price_per_kwh_incl_tax', forecast: true, ...price, ...perArea },
      { key: 'price_incl_tax_next', name: 'Next price incl. tax', field: 'price_per_kwh_incl_tax', pick: 'next', ...price, ...perArea },
    );
  }
  if (has.level) entities.push({ key: 'price_level', name: 'Price level', measurement: PRICE, field: 'level', icon: 'mdi:cash-marker', ...perArea });
  return entities;
}

/** Weather now (`weather`) and the next hour's forecast (`weather_forecast`) with the hours to come. */
export function weatherEntities(): EntityDeclaration[] {
  const now = { measurement: 'weather', state_class: 'measurement' } as const;
  const ahead = { measurement: 'weather_forecast', pick: 'next', forecast: true, state_class: 'measurement' } as const;
  return [
    { key: 'temperature', name: 'Temperature', field: 'temperature_c', unit: '°C', device_class: 'temperature', suggested_display_precision: 1, ...now },
    { key: 'humidity', name: 'Humidity', field: 'relative_humidity_pct', unit: '%', device_class: 'humidity', suggested_display_precision: 0, ...now },
    { key: 'wind_speed', name: 'Wind speed', field: 'wind_speed_kmh', unit: 'km/h', device_class: 'wind_speed', suggested_display_precision: 1, ...now },
    { key: 'wind_direction', name: 'Wind direction', field: 'wind_direction_deg', unit: '°', icon: 'mdi:compass-outline', suggested_display_precision: 0, ...now },
    { key: 'precipitation', name: 'Precipitation', field: 'precipitation_mm', unit: 'mm', device_class: 'precipitation', suggested_display_precision: 1, ...now },
    { key: 'pressure', name: 'Pressure', field: 'pressure_hpa', unit: 'hPa', device_class: 'atmospheric_pressure', suggested_display_precision: 0, ...now },
    { key: 'cloud_cover', name: 'Cloud cover', field: 'cloud_cover_pct', unit: '%', icon: 'mdi:weather-cloudy', suggested_display_precision: 0, ...now },
    // A WMO code is a category, not a quantity: no state class, so no statistics of it.
    { key: 'weather_code', name: 'Weather code', measurement: 'weather', field: 'weather_code', icon: 'mdi:weather-partly-cloudy' },
    { key: 'temperature_forecast', name: 'Temperature next hour', field: 'temperature_c', unit: '°C', device_class: 'temperature', suggested_display_precision: 1, ...ahead },
    { key: 'precipitation_forecast', name: 'Precipitation next hour', field: 'precipitation_mm', unit: 'mm', device_class: 'precipitation', suggested_display_precision: 1, ...ahead },
  ];
}

/** Names of the `parameter` tag's values (CONTRACT §4) as entity names. */
const POLLUTANTS = { o3: 'Ozone', pm25: 'PM2.5', pm10: 'PM10', no2: 'NO2', co: 'CO', so2: 'SO2' } as const;

/**
 * The overall AQI now (its category as an attribute), each pollutant's AQI and the overall
 * forecast. The plugins write index values, not concentrations: every AQI entity is device class
 * `aqi` (no unit), never `pm25` and the like, which mean μg/m³. An upstream whose forecasts often
 * give a category only (AirNow, whole days at midnight UTC) shows the day's category (1–6) instead.
 */
export function airQualityEntities(parameters: readonly (keyof typeof POLLUTANTS)[], forecast: 'aqi' | 'category' = 'aqi'): EntityDeclaration[] {
  const aqi = { field: 'aqi', device_class: 'aqi', state_class: 'measurement', suggested_display_precision: 0 } as const;
  const ahead = { measurement: 'air_quality_forecast', tags: { parameter: 'overall' }, pick: 'next' as const, forecast: true, attributes: ['category_name'] };
  return [
    { key: 'aqi', name: 'AQI', measurement: 'air_quality', tags: { parameter: 'overall' }, attributes: ['category_name'], ...aqi },
    ...parameters.map((p): EntityDeclaration => ({ key: `aqi_${p}`, name: `${POLLUTANTS[p]} AQI`, measurement: 'air_quality', tags: { parameter: p }, ...aqi })),
    forecast === 'aqi'
      ? { key: 'aqi_forecast', name: 'AQI forecast', ...ahead, ...aqi }
      : { key: 'aqi_category_forecast', name: 'AQI category forecast', field: 'category', state_class: 'measurement', icon: 'mdi:air-filter', ...ahead, pick: 'now' },
  ];
}

/** A calendar's next event: its start as a `timestamp` entity, the rest as attributes. */
export const NEXT_EVENT_ENTITY: EntityDeclaration = {
  key: 'next_event',
  name: 'Next event',
  measurement: 'calendar_event',
  value: 'time',
  pick: 'next',
  device_class: 'timestamp',
  icon: 'mdi:calendar-clock',
  attributes: ['summary', 'location', 'end', 'all_day'],
};
