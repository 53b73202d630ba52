import { eventWindowOptions, type EventWindowOptions, type JsonSchema } from '../../core/plugin-api/index.js';

/** Google's OAuth 2.0 token endpoint, where the refresh token is exchanged for access tokens. */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

// A type alias, not an interface: it must fit PluginDeclaration's Record<string, unknown>.
/** The options of a `google-calendar` source, validated and with defaults applied. */
export type GoogleCalendarOptions = EventWindowOptions & {
  calendar_id: string;
  calendar?: string;
  time_zone?: string;
  token_url: string;
};

/** JSON Schema of `options:` (the host adds base_url, refresh_before, timeout, retries …). */
export const optionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    calendar_id: {
      type: 'string',
      minLength: 1,
      default: 'primary',
      description: 'The calendar to read: primary (the account\'s own) or a calendar id such as abc123@group.calendar.google.com.',
    },
    calendar: {
      type: 'string',
      minLength: 1,
      description: 'The calendar tag of every point. Default: the calendar_id.',
    },
    ...eventWindowOptions(),
    time_zone: {
      type: 'string',
      minLength: 1,
      description: 'IANA time zone in which all-day events begin and end at midnight. Default: the calendar\'s own time zone.',
    },
    // The host reads this option to override the declaration's token_url (tests point it at a fake).
    token_url: {
      type: 'string',
      format: 'uri-reference',
      default: GOOGLE_TOKEN_URL,
      description: 'OAuth 2.0 token endpoint; a path without a host is taken relative to base_url.',
    },
  },
};
