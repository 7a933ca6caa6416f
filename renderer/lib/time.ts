/**
 * Time and size formatting for people. Pure functions: every one takes `now` explicitly so tests and
 * components (which re-render on a ticking clock) agree.
 */

import { dateWords, plural, relativeTime } from '../../shared/meanings.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * "just now", "45 s ago", "2 min ago", "3 h ago", "yesterday", "4 days ago", "12 Mar 2026"; future: "in 2 min".
 * The shared words (shared/state.ts `relativeTime`), so the tray, the CLI and the windows agree.
 */
export const formatRelative = relativeTime;

/** "12 Mar 2026" in local time (shared/state.ts `dateWords`). */
export const formatDate = dateWords;

/** "14:05" in local time (24 h, zero-padded). */
export function formatClock(at: number): string {
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** "12 Mar 2026, 14:05:09" — for tooltips and tables where the exact moment matters. */
export function formatDateTime(at: number | null | undefined): string {
  if (at == null || !Number.isFinite(at)) return 'never';
  const d = new Date(at);
  return `${formatDate(at)}, ${formatClock(at)}:${String(d.getSeconds()).padStart(2, '0')}`;
}

/** "850 ms", "1.2 s", "2 min 5 s", "1 h 3 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms < 0) ms = 0;
  if (ms < SECOND) return `${Math.round(ms)} ms`;
  if (ms < 10 * SECOND) return `${(ms / SECOND).toFixed(1).replace(/\.0$/, '')} s`;
  if (ms < MINUTE) return `${Math.round(ms / SECOND)} s`;
  if (ms < HOUR) {
    const m = Math.floor(ms / MINUTE);
    const s = Math.round((ms - m * MINUTE) / SECOND);
    return s ? `${m} min ${s} s` : `${m} min`;
  }
  const h = Math.floor(ms / HOUR);
  const m = Math.round((ms - h * HOUR) / MINUTE);
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** "512 bytes", "1 byte", "4.2 KB", "3.1 MB" (1024-based, as file managers on macOS do not, but git does). */
export function formatBytes(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return 'unknown size';
  if (n < 1024) return plural(n, 'byte');
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1).replace(/\.0$/, '') : Math.round(v)} ${units[i]}`;
}

/** "1,234" with a thin, locale-free grouping so tests are stable. */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "1 file", "1,234 files" (shared/state.ts `plural`). */
export function pluralize(n: number, one: string, many?: string): string {
  return plural(n, one, many);
}
