/**
 * Replaces every secret value the host resolved (credentials, storage tokens, bearer tokens it
 * obtained, the user info of URLs) wherever it appears in text: log lines, error messages, health
 * JSON. Known secret keys are also censored by the logger itself (see logger.ts); this catches
 * values that travel inside messages, URLs, headers and error causes, in each of the forms a
 * secret takes on the way (see {@link formsOf}).
 */
export class Redactor {
  /** Each secret with the number of holders that registered it: a value shared by two sources stays hidden until both let go. */
  private readonly secrets = new Map<string, number>();
  private compiled: Compiled | null = null;
  static readonly CENSOR = '[REDACTED]';
  /**
   * Forms shorter than this are redacted only as a whole value (after `:` or `=`, see
   * {@link SHORT_BEFORE}): anywhere, a two-letter password would turn every "ab" of a log into
   * [REDACTED] and mangle ordinary text ("1", "no").
   */
  static readonly MIN_LENGTH = 4;
  /** The most characters of a message kept for health and logs, after redaction. */
  static readonly MAX_MESSAGE = 1000;

  /**
   * Registers a secret value (with every derived form). Returns a function that forgets it again
   * (once; later calls do nothing), for secrets that end, such as replaced tokens past their expiry.
   */
  add(value: string | undefined | null): () => void {
    if (!value) return () => undefined;
    this.secrets.set(value, (this.secrets.get(value) ?? 0) + 1);
    this.compiled = null;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const holders = this.secrets.get(value) ?? 0;
      if (holders > 1) return void this.secrets.set(value, holders - 1);
      this.secrets.delete(value);
      this.compiled = null;
    };
  }

  /** Registers a username and password as HTTP basic auth sends them: `user:password`, whose base64 is the header. */
  addBasicAuth(username: string, password: string): () => void {
    if (!password) return () => undefined;
    return this.add(`${username}:${password}`);
  }

  /**
   * Registers the user info of a URL (`http://user:pass@host`): the password and the `user:pass`
   * pair, decoded and as written. The username alone identifies, it is not redacted (as for
   * credentials, see {@link isSecretField}). Text that is not a URL registers nothing.
   */
  addUrl(text: string): void {
    if (!text.includes('@')) return;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return;
    }
    if (!url.password) return;
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    };
    this.add(url.password);
    this.add(`${url.username}:${url.password}`);
    this.add(decode(url.password));
    this.addBasicAuth(decode(url.username), decode(url.password));
  }

  /** How many distinct secrets are held (each with its derived forms). */
  get size(): number {
    return this.secrets.size;
  }

  redact(text: string): string {
    if (this.secrets.size === 0) return text;
    const { pattern, replacement } = this.compile();
    return text.replace(pattern, replacement);
  }

  /**
   * A message as health and logs keep it: redacted first, then cut to `max` characters with an
   * ellipsis (cut first, a secret's prefix would survive). Only the start of a long text is
   * redacted, so a 20 MB message costs no more than a short one.
   */
  brief(text: string, max = Redactor.MAX_MESSAGE): string {
    // Past the window's end the text is unseen; a secret the window cuts lies within its last `longest` characters.
    const longest = this.secrets.size === 0 ? 0 : this.compile().longest;
    for (let window = 2 * max + 2 * longest; ; window *= 2) {
      if (text.length <= window) return cut(this.redact(text), max);
      const redacted = this.redact(text.slice(0, window));
      const safe = redacted.slice(0, redacted.length - longest);
      if (safe.length > max) return cut(safe, max);
    }
  }

  private compile(): Compiled {
    if (this.compiled) return this.compiled;
    const forms = new Set([...this.secrets.keys()].flatMap(formsOf));
    // Longest first, so a secret containing another is replaced whole.
    const sorted = [...forms].sort((a, b) => b.length - a.length);
    const long = sorted.filter((f) => f.length >= Redactor.MIN_LENGTH).map(escapeRegExp);
    const short = sorted.filter((f) => f.length < Redactor.MIN_LENGTH).map(escapeRegExp);
    const alternatives = long.length ? [long.join('|')] : [];
    // A short form keeps what stands before it (group 1); a long one is replaced whole.
    if (short.length) alternatives.push(`(${SHORT_BEFORE})(?:${short.join('|')})(?=${SHORT_AFTER})`);
    // One pass over a line whatever the number of secrets: a line's cost stays flat as tokens renew.
    this.compiled = {
      pattern: new RegExp(alternatives.join('|'), 'g'),
      replacement: short.length ? `$1${Redactor.CENSOR}` : Redactor.CENSOR,
      longest: (sorted[0]?.length ?? 0) + 1,
    };
    return this.compiled;
  }
}

interface Compiled {
  pattern: RegExp;
  replacement: string;
  /** The longest form's length, plus one (a short form needs the character after it). */
  longest: number;
}

/**
 * Where a short secret counts as a whole value: after `:` or `=`, also URL-encoded (user info, a
 * header, a query), a JSON field's key (`"password":"ab"`, also escaped) or an auth scheme. Not an unquoted value
 * right after a JSON key: that is a number of a log line (`"level":30`), never a secret.
 */
const SHORT_BEFORE = String.raw`%3[ADad]|[:=](?<!"[:=])[ \t]*(?:\\*["'])?|"[:=][ \t]*\\*"|\b(?:Basic|Bearer|Token) `;
/** ... and up to the end of the value: the end of the text, a space, a quote or a separator. */
const SHORT_AFTER = String.raw`$|[\s"'&;,@/#?)\]}<>\\]`;

/**
 * A secret as it may appear in text: raw; URL-encoded (`encodeURIComponent`) and form-encoded
 * (`+` for spaces); base64, with and without padding (`user:password` in a Basic header); and each
 * of these as a JSON string holds it, escaped once (a log line, /health) and twice (JSON quoted
 * inside JSON).
 */
export function formsOf(secret: string): string[] {
  const base64 = Buffer.from(secret).toString('base64');
  const encoded = [secret, encodeURIComponent(secret), new URLSearchParams([['', secret]]).toString().slice(1), base64, base64.replace(/=+$/, '')];
  return [...new Set(encoded.flatMap((s) => [s, jsonEscaped(s), jsonEscaped(jsonEscaped(s))]))].filter((s) => s !== '');
}

function jsonEscaped(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `text` cut to `max` characters, the last an ellipsis when anything was cut. */
export function cut(text: string, max = Redactor.MAX_MESSAGE): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Credential fields that identify rather than authenticate: redacting them would mangle ordinary
 * text (a username `meter` would hide the source id "meter") and hide what a user must check (the
 * OAuth client id in an `invalid_client` message). Every other credential field is a secret.
 */
const PUBLIC_FIELDS = new Set(['username', 'user', 'email', 'client_id', 'account', 'account_id']);

export function isSecretField(field: string): boolean {
  return !PUBLIC_FIELDS.has(field);
}
