import { StringEnum, Type, type CredentialsSpec, type Static } from '../../core/plugin-api/index.js';

const Selector = Type.String({ minLength: 1, description: 'A JMESPath expression on one record.' });

const Auth = Type.Object(
  {
    style: StringEnum(['api_key', 'login', 'oauth2_refresh'], { description: 'How the source signs in; its credentials follow from it.' }),
    in: Type.Optional(StringEnum(['header', 'query'], { description: 'api_key: where the key goes (default header).' })),
    name: Type.Optional(Type.String({ minLength: 1, description: 'api_key: the header or query parameter name.' })),
    prefix: Type.Optional(Type.String({ description: 'api_key: text before the key, e.g. "Bearer ".' })),
    url: Type.Optional(Type.String({ minLength: 1, description: 'login: the login URL relative to base_url; username and password are POSTed as JSON.' })),
    token: Type.Optional(Type.String({ minLength: 1, description: 'login: JMESPath of the token in the answer (default token).' })),
    expires_in: Type.Optional(Type.String({ minLength: 1, description: 'login: JMESPath of the lifetime in seconds (else JWT exp, else lifetime).' })),
    lifetime: Type.Optional(Type.String({ description: 'login/oauth2_refresh: assumed token lifetime, e.g. 30m.' })),
    token_url: Type.Optional(Type.String({ minLength: 1, description: 'oauth2_refresh: the token endpoint (absolute, or relative to base_url).' })),
  },
  { additionalProperties: false },
);

const Field = Type.Union([Selector, Type.Object({ select: Selector, type: StringEnum(['number', 'string']) }, { additionalProperties: false })]);
const Tag = Type.Union([Selector, Type.Object({ value: Type.String() }, { additionalProperties: false })]);

export const HTTP_JSON_OPTIONS_SCHEMA = Type.Object(
  {
    url: Type.String({ minLength: 1, description: 'The path to GET (or POST), relative to base_url.' }),
    method: StringEnum(['GET', 'POST'], { default: 'GET' }),
    query: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Query parameters.' })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Request headers.' })),
    auth: Type.Optional(Auth),
    records: Type.String({ minLength: 1, default: '@', description: 'JMESPath of the list of records in the answer (default: the answer itself).' }),
    time: Selector,
    time_format: StringEnum(['iso8601', 'epoch_s', 'epoch_ms', 'local'], { default: 'iso8601' }),
    time_zone: Type.Optional(Type.String({ description: 'time_format local: the IANA time zone of the times, e.g. Europe/London.' })),
    measurement: Type.String({ pattern: '^[a-z][a-z0-9_]*$', description: 'The measurement written, snake_case.' }),
    tags: Type.Record(Type.String(), Tag, { default: {}, description: 'Tag name → selector, or { value } for a constant.' }),
    fields: Type.Record(Type.String(), Field, { minProperties: 1, description: 'Field name → selector (a number), or { select, type }.' }),
  },
  { additionalProperties: false },
);

export type HttpJsonOptions = Static<typeof HTTP_JSON_OPTIONS_SCHEMA>;

/** The credentials a source takes, from its `auth` option (none without one). Never throws. */
export function credentialsOf(options: HttpJsonOptions): CredentialsSpec | undefined {
  const auth = (options as Partial<HttpJsonOptions>).auth;
  const lifetime = auth?.lifetime ?? '30m';
  switch (auth?.style) {
    case 'api_key':
      return { style: 'api_key', send: { in: auth.in ?? 'header', name: auth.name ?? 'x-api-key', prefix: auth.prefix ?? '' } };
    case 'login':
      return { style: 'login', default_lifetime: lifetime };
    case 'oauth2_refresh':
      return { style: 'oauth2_refresh', token_url: auth.token_url ?? 'oauth/token', default_lifetime: lifetime };
    default:
      return undefined;
  }
}
