import type { FormatDefinition } from 'ajv';

/** An absolute URI: a scheme, then what WHATWG's URL parser accepts (`http://host:8086/x`, `webcal://…`). */
export function isAbsoluteUri(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(text) && URL.canParse(text);
}

/** The `uri` format of config schemas (see schema-validator.ts). */
export const URI_FORMAT: FormatDefinition<string> = { type: 'string', validate: isAbsoluteUri };

