import { eventWindowOptions, Type, type Static } from '../../core/plugin-api/index.js';

/** Google's OAuth 2.0 token endpoint, where the refresh token is exchanged for access tokens. */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** JSON Schema of `options:` (the host adds base_url, refresh_before, timeout, retries …). */
export const optionsSchema = Type.Object(
  {
    calendar_id: Type.String({
      minLength: 1,
      default: 'primary',
      description: 'The calendar to read: primary (the account\'s own) or a calendar id such as abc123@group.calendar.google.com.',
    }),
    calendar: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'The calendar tag of every point. Default: the calendar_id.',
      }),
    ),
    ...eventWindowOptions(),
    time_zone: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'IANA time zone in which all-day events begin and end at midnight. Default: the calendar\'s own time zone.',
      }),
    ),
    // The host reads this option to override the declaration's token_url (tests point it at a fake).
    token_url: Type.String({
      format: 'uri-reference',
      default: GOOGLE_TOKEN_URL,
      description: 'OAuth 2.0 token endpoint; a path without a host is taken relative to base_url.',
    }),
  },
  { additionalProperties: false },
);

/** The options of a `google-calendar` source, validated and with defaults applied. */
export type GoogleCalendarOptions = Static<typeof optionsSchema>;
