import type { Status, StatusDetail } from './source-state.js';

/** The dashboard icon and text of a source (CONTRACT §3), the users' habit from the seed. */
export function statusIcon(status: Status, detail: StatusDetail | string): { icon: string; text: string } {
  if (status === 'unknown') return { icon: '⏸️', text: 'Paused' };
  if (status === 'degraded') return { icon: '⚠️', text: 'Degraded' };
  if (status === 'error') return detail === 'credentials_invalid' ? { icon: '🔑', text: 'Credentials Rejected' } : { icon: '❌', text: 'Error' };
  if (detail === 'credentials_missing') return { icon: '🔑', text: 'Credentials Needed' };
  return { icon: '✅', text: 'Healthy' };
}
