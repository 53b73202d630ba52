import { AccessDeniedError, ConfigError, CredentialsError } from '../../core/plugin-api/index.js';

/**
 * OpenWeatherMap's errors that a status alone cannot tell apart. Its 401 means two things: a key it
 * does not accept ("Invalid API key", also for a new key during its first ~2 hours) and a key
 * without the "One Call by Call" subscription that One Call 3.0 needs (a plan matter, so
 * `access_denied`, not refused credentials). Undefined for what the host maps by status.
 */
export function openWeatherMapError(err: unknown, path: string, everSucceeded: boolean): Error | undefined {
  const response = (err as { response?: { statusCode?: unknown; body?: unknown } } | null)?.response;
  if (!response || typeof response.statusCode !== 'number') return undefined;
  const status = response.statusCode;
  const said = messageOf(response.body);
  const options = { httpStatus: status, cause: err };
  if (status === 401 && /separate subscription/i.test(said)) {
    return new AccessDeniedError(`OpenWeatherMap refused One Call 3.0 for this key: ${said} (set one_call: false to read the current weather, which every key may)`, options);
  }
  if (status === 401) {
    const why = everSucceeded
      ? 'it worked before, so it was probably deleted or blocked'
      : 'a new key takes up to 2 hours to become active: if it was created just now, wait, as the source tries again by itself (credentials_retry_after)';
    return new CredentialsError(`OpenWeatherMap refused the API key (${said || '401 Unauthorized'}); ${why}`, options);
  }
  if (status === 400 || status === 404) return new ConfigError(`OpenWeatherMap refused the request for GET /${path}: ${said || status}`, options);
  return undefined;
}

/** The `message` of an OpenWeatherMap error body (`{"cod":401,"message":"…"}`; `cod` may be a string). */
export function messageOf(body: unknown): string {
  let value = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      value = JSON.parse(body.toString()) as unknown;
    } catch {
      return '';
    }
  }
  const message = (value as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message.replace(/\s+/g, ' ').trim() : '';
}
