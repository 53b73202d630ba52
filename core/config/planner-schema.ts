import { Type } from '@sinclair/typebox';

/** A task's name, of the form of a source id: a key of `planner.tasks`, also a URL path segment and an MQTT id. */
export const TASK_NAME_PATTERN = '^[a-z0-9][a-z0-9_-]*$';

/** The most pieces a plan may be split into. */
export const MAX_SEGMENTS = 12;

const TimeSpec = (description: string) =>
  Type.String({ minLength: 1, description: `${description}: a clock time "07:00" in time_zone (the next one), an ISO 8601 time, or a duration from now ("12h").` });

const WeightsSchema = Type.Object(
  {
    carbon: Type.Optional(Type.Number({ minimum: 0, description: 'Weight of carbon intensity.' })),
    price: Type.Optional(Type.Number({ minimum: 0, description: 'Weight of the price.' })),
  },
  { additionalProperties: false, description: 'Default: equal where both signals exist; a weight left out is 0 once one is given.' },
);

/** One named load under `planner.tasks` (CONTRACT §8). */
export const TaskSchema = Type.Object(
  {
    duration: Type.String({ minLength: 1, description: 'How long the load runs, a multiple of 5 minutes, e.g. 2h.' }),
    deadline: Type.Optional(TimeSpec('When it must have finished')),
    not_before: Type.Optional(TimeSpec('When it may start at the earliest')),
    energy_kwh: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Energy of one run: gives grams of CO2 and the cost.' })),
    weights: Type.Optional(WeightsSchema),
    contiguous: Type.Optional(Type.Boolean({ default: true, description: 'false: the best slots, in at most max_segments pieces of at least 15 minutes.' })),
    max_segments: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SEGMENTS, default: 3, description: 'Pieces at most when contiguous is false.' })),
  },
  { additionalProperties: false },
);

/** `planner`: off unless it names at least one signal source. */
export const PlannerSchema = Type.Object(
  {
    carbon: Type.Optional(Type.String({ minLength: 1, description: 'Source id whose carbon_intensity forecast feeds the planner.' })),
    price: Type.Optional(Type.String({ minLength: 1, description: 'Source id whose electricity_price feeds the planner.' })),
    time_zone: Type.Optional(Type.String({ minLength: 1, description: "IANA time zone for clock times like 07:00; default the host's." })),
    tasks: Type.Optional(
      Type.Record(Type.String({ pattern: TASK_NAME_PATTERN }), TaskSchema, { default: {}, description: 'Named loads, planned again after every run of a signal source.' }),
    ),
  },
  { additionalProperties: false, description: 'The planner (CONTRACT §8): the best time to run a load, from carbon and price forecasts.' },
);
