// The dashboard icon and text of a source (CONTRACT §3): a port of core/runtime/status-icon.ts for
// the browser. test/http/status-page-scripts.test.ts checks that both agree on every pair.

/**
 * @param {string} status healthy | degraded | error | unknown
 * @param {string} detail the source's status_detail
 * @returns {{ icon: string, text: string }}
 */
export function statusIcon(status, detail) {
  if (status === 'unknown') return { icon: '⏸️', text: 'Paused' };
  if (status === 'degraded') return { icon: '⚠️', text: 'Degraded' };
  if (status === 'error') return detail === 'credentials_invalid' ? { icon: '🔑', text: 'Credentials Rejected' } : { icon: '❌', text: 'Error' };
  if (detail === 'credentials_missing') return { icon: '🔑', text: 'Credentials Needed' };
  return { icon: '✅', text: 'Healthy' };
}

/**
 * The colour family of a state, for the page's styles: a key needed is not a failure.
 * @param {string} status
 * @param {string} detail
 * @returns {'ok' | 'key' | 'warn' | 'bad' | 'paused'}
 */
export function statusTone(status, detail) {
  if (status === 'unknown') return 'paused';
  if (status === 'degraded') return 'warn';
  if (detail === 'credentials_missing' || detail === 'credentials_invalid') return 'key';
  if (status === 'error') return 'bad';
  return 'ok';
}
