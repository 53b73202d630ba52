import { definePlugin, NEXT_EVENT_ENTITY } from '../../core/plugin-api/index.js';
import { authCommand } from './auth-command.js';
import { GoogleCalendarSource } from './calendar-source.js';
import { GOOGLE_TOKEN_URL, optionsSchema } from './options.js';

/** Google Calendar (API v3) through an OAuth 2.0 refresh token: see README.md. */
export default definePlugin({
  id: 'google-calendar',
  apiVersion: 1,
  title: 'Google Calendar',
  description: 'Events of one Google calendar (OAuth 2.0 refresh token), incrementally synced.',
  credentials: {
    style: 'oauth2_refresh',
    token_url: GOOGLE_TOKEN_URL,
    // Google's access tokens live an hour (expires_in 3599); the host renews them refresh_before that.
    default_lifetime: '1h',
    env: { client_id: 'GOOGLE_CLIENT_ID', client_secret: 'GOOGLE_CLIENT_SECRET', refresh_token: 'GOOGLE_REFRESH_TOKEN' },
  },
  base_url: 'https://www.googleapis.com/calendar/v3',
  // An incremental sync is one small request when nothing changed; every 15 minutes is ~96 a day,
  // far inside the Calendar API's per-user quota, and what Home Assistant polls. "Now" is worked
  // out when /latest is asked, so a poll interval never delays "is anyone away now".
  default_schedule: '15m',
  options: optionsSchema,
  commands: [authCommand],
  entities: [NEXT_EVENT_ENTITY],
  create: ({ options }) => new GoogleCalendarSource(options),
});
