import type { JsonSchema } from '../../core/plugin-api/index.js';

// A type alias, not an interface: it must fit PluginDeclaration's Record<string, unknown>.
/** The options of an `ics` source, validated and with defaults applied. */
export type IcsOptions = {
  url: string;
  calendar?: string;
  days_back: number;
  days_ahead: number;
  time_zone?: string;
};

/** JSON Schema of `options:` (the host adds base_url, timeout, retries …). */
export const optionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: {
      type: 'string',
      minLength: 1,
      format: 'uri-reference',
      // A private feed's address is its password: annotated so, and never shown in messages.
      writeOnly: true,
      description: 'The iCalendar feed (https://…, http://… or webcal://…). A path without a host is taken relative to base_url.',
    },
    calendar: {
      type: 'string',
      minLength: 1,
      description: 'The calendar tag of every point. Default: the source id.',
    },
    days_back: {
      type: 'integer',
      minimum: 0,
      maximum: 366,
      default: 1,
      description: 'Report events that end less than this many days ago (ongoing ones always count).',
    },
    days_ahead: {
      type: 'integer',
      minimum: 1,
      maximum: 366,
      default: 30,
      description: 'Report events that start within this many days from now; recurring events are expanded this far.',
    },
    time_zone: {
      type: 'string',
      minLength: 1,
      description: 'IANA time zone for all-day events and times without a zone. Default: the feed\'s X-WR-TIMEZONE, else UTC.',
    },
  },
};
