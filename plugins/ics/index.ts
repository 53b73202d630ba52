import { definePlugin, NEXT_EVENT_ENTITY } from '../../core/plugin-api/index.js';
import { IcsSource } from './ics-source.js';
import { optionsSchema } from './options.js';

/** Any iCalendar (.ics) feed, key-free: see README.md. */
export default definePlugin({
  id: 'ics',
  apiVersion: 1,
  title: 'ICS feed',
  description: 'Events of an iCalendar (.ics) feed, recurring events expanded.',
  // Where a feed path without a host points; most users give a full url instead.
  base_url: 'https://calendar.google.com',
  // A run downloads the whole feed; Google's ICS export lags its API by minutes to hours anyway,
  // so every 30 minutes is polite to the publisher and loses nothing. "Now" is worked out when
  // /latest is asked, so the poll interval never delays "is anyone away now".
  default_schedule: '30m',
  options: optionsSchema,
  entities: [NEXT_EVENT_ENTITY],
  create: ({ options, sourceId }) => new IcsSource(options, sourceId),
});
