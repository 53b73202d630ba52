/**
 * Replaces every secret value the host resolved (credentials, storage tokens, bearer tokens it
 * obtained) wherever it appears in text: log lines, error messages, health JSON. Known secret keys
 * are also censored by the logger itself (see logger.ts); this catches values that travel inside
 * messages, URLs and error causes.
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | null = null;
  static readonly CENSOR = '[REDACTED]';
  /** Shorter values are not redacted: they would mangle ordinary text ("1", "no"). */
  static readonly MIN_LENGTH = 4;

  /** Registers a secret value and its common encodings (URL, Basic auth base64 is added by callers). */
  add(value: string | undefined | null): void {
    if (!value || value.length < Redactor.MIN_LENGTH) return;
    const before = this.secrets.size;
    this.secrets.add(value);
    const encoded = encodeURIComponent(value);
    if (encoded !== value) this.secrets.add(encoded);
    if (this.secrets.size !== before) this.pattern = null;
  }

  /** Registers the Basic auth form of a username and password. */
  addBasicAuth(username: string, password: string): void {
    if (!password) return;
    this.add(Buffer.from(`${username}:${password}`).toString('base64'));
  }

  get size(): number {
    return this.secrets.size;
  }

  redact(text: string): string {
    if (this.secrets.size === 0) return text;
    if (!this.pattern) {
      // Longest first, so a secret containing another is replaced whole.
      const alternatives = [...this.secrets]
        .sort((a, b) => b.length - a.length)
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      this.pattern = new RegExp(alternatives.join('|'), 'g');
    }
    return text.replace(this.pattern, Redactor.CENSOR);
  }
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
