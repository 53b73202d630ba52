import { eventWindowOptions, Type, type Static } from '../../core/plugin-api/index.js';

/** JSON Schema of `options:` (the host adds base_url, timeout, retries …). */
export const optionsSchema = Type.Object(
  {
    url: Type.String({
      minLength: 1,
      format: 'uri-reference',
      // A private feed's address is its password: annotated so, and never shown in messages.
      writeOnly: true,
      description: 'The iCalendar feed (https://…, http://… or webcal://…). A path without a host is taken relative to base_url.',
    }),
    calendar: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'The calendar tag of every point. Default: the source id.',
      }),
    ),
    ...eventWindowOptions('recurring events are expanded this far'),
    time_zone: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'IANA time zone for all-day events and times without a zone. Default: the feed\'s X-WR-TIMEZONE, else UTC.',
      }),
    ),
  },
  { additionalProperties: false },
);

/** The options of an `ics` source, validated and with defaults applied. */
export type IcsOptions = Static<typeof optionsSchema>;
