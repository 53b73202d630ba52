import type { FormatDefinition } from 'ajv';
import { withinLongestDuration } from '../plugin-api/duration.js';

/** An absolute URI: a scheme, then what WHATWG's URL parser accepts (`http://host:8086/x`, `webcal://…`). */
export function isAbsoluteUri(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(text) && URL.canParse(text);
}

/** The `uri` format of config schemas (see schema-validator.ts). */
export const URI_FORMAT: FormatDefinition<string> = { type: 'string', validate: isAbsoluteUri };


/**
 * The `homeiq-duration` format of duration strings: no longer than LONGEST_DURATION (the pattern
 * checks the grammar; editors ignore a format they do not know).
 */
export const DURATION_FORMAT: FormatDefinition<string> = { type: 'string', validate: withinLongestDuration };
