/**
 * Replaces every secret value the host resolved (credentials, storage tokens, bearer tokens it
 * obtained) wherever it appears in text: log lines, error messages, health JSON. Known secret keys
 * are also censored by the logger itself (see logger.ts); this catches values that travel inside
 * messages, URLs and error causes.
 */
export class Redactor {
  /** Each secret with the number of holders that registered it: a value shared by two sources stays hidden until both let go. */
  private readonly secrets = new Map<string, number>();
  private pattern: RegExp | null = null;
  static readonly CENSOR = '[REDACTED]';
  /** Shorter values are not redacted: they would mangle ordinary text ("1", "no"). */
  static readonly MIN_LENGTH = 4;

  /**
   * Registers a secret value and its URL-encoded form. Returns a function that forgets them again
   * (once; later calls do nothing), for secrets that end, such as replaced tokens past their expiry.
   */
  add(value: string | undefined | null): () => void {
    if (!value || value.length < Redactor.MIN_LENGTH) return () => undefined;
    const forms = [...new Set([value, encodeURIComponent(value)])];
    for (const form of forms) this.hold(form);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const form of forms) this.release(form);
    };
  }

  private hold(form: string): void {
    const holders = this.secrets.get(form) ?? 0;
    this.secrets.set(form, holders + 1);
    if (holders === 0) this.forgetPattern();
  }

  private release(form: string): void {
    const holders = this.secrets.get(form) ?? 0;
    if (holders > 1) {
      this.secrets.set(form, holders - 1);
      return;
    }
    this.secrets.delete(form);
    this.forgetPattern();
  }

  private forgetPattern(): void {
    this.pattern = null;
  }

  /** Registers the Basic auth form of a username and password. */
  addBasicAuth(username: string, password: string): void {
    if (!password) return;
    this.add(Buffer.from(`${username}:${password}`).toString('base64'));
  }

  /** How many distinct secret forms are held (each value and its encoding). */
  get size(): number {
    return this.secrets.size;
  }

  redact(text: string): string {
    if (this.secrets.size === 0) return text;
    if (!this.pattern) {
      // Longest first, so a secret containing another is replaced whole.
      const alternatives = [...this.secrets.keys()]
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
