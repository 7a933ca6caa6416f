/**
 * AppState → words. The renderer never computes sync state: the host decides the phase, whether it is
 * safe to shut down, and what a sync ended with. These functions only say it in words (and pick a tone
 * and a shape so colour is never the only signal).
 */
import type { ActivityItem, AppState, Conflict, KmStatus, SyncPhase, SyncResult } from '../../shared/state.js';
import type { TestConnectionResult } from '../../shared/contract.js';
import { formatRelative, pluralize } from './time.js';

/** Visual tone; each tone has its own colour AND its own icon shape. */
export type Tone = 'ok' | 'busy' | 'pending' | 'paused' | 'warning' | 'error' | 'neutral';

/**
 * What the tray icon shows: the same six icons, in the same priority, as electron/shell/tray-state.ts
 * (`trayIcon`), so the headless page names the icon the menu bar would show.
 */
export type TrayKind = 'idle' | 'syncing' | 'paused' | 'offline' | 'conflict' | 'error';

export interface Described {
  kind: TrayKind;
  tone: Tone;
  /** Short words, e.g. "Up to date". */
  label: string;
  /** One sentence with what it means for the person. */
  detail: string;
}

const BUSY_PHASES: ReadonlySet<SyncPhase> = new Set(['scanning', 'committing', 'pulling', 'applying', 'pushing']);

export function phaseWords(phase: SyncPhase): string {
  switch (phase) {
    case 'starting':
      return 'Starting';
    case 'idle':
      return 'Idle';
    case 'scanning':
      return 'Looking for changes';
    case 'committing':
      return 'Saving changes';
    case 'pulling':
      return 'Getting changes from other machines';
    case 'applying':
      return 'Applying changes from other machines';
    case 'pushing':
      return 'Sending changes';
    case 'offline':
      return 'Offline';
    case 'error':
      return 'Error';
    case 'paused':
      return 'Paused';
    case 'stopped':
      return 'Stopped';
  }
}

/**
 * The state in words. Priority as the tray's: error (bad config or error phase) > conflicts > offline >
 * paused/stopped > syncing/starting > idle. Idle reads "Up to date" only when the host says it is safe
 * to shut down; otherwise "Changes waiting" (the icon is still the idle one).
 */
export function describeState(s: AppState): Described {
  if (s.configError) {
    return { kind: 'error', tone: 'error', label: 'Settings problem', detail: 'The settings file could not be read; syncing waits until it is fixed.' };
  }
  if (s.phase === 'error') {
    const msg = s.errors[0]?.message ?? s.repo.lastResult?.message;
    return { kind: 'error', tone: 'error', label: 'Error', detail: msg ? `Syncing stopped on an error: ${msg}` : 'Syncing stopped on an error.' };
  }
  if (s.conflicts.length > 0) {
    return {
      kind: 'conflict',
      tone: 'warning',
      label: s.conflicts.length === 1 ? '1 conflict' : `${s.conflicts.length} conflicts`,
      detail: 'A file changed on two machines. Both versions are kept until you choose.',
    };
  }
  if (s.phase === 'offline') {
    const waiting = s.repo.ahead > 0 ? ` ${pluralize(s.repo.ahead, 'commit', 'commits')} waiting.` : '';
    return { kind: 'offline', tone: 'warning', label: 'Offline', detail: `Changes are saved locally and sent when the connection is back.${waiting}` };
  }
  if (s.paused || s.phase === 'paused') {
    return { kind: 'paused', tone: 'paused', label: 'Paused', detail: 'Changes are noticed but not synced until you resume.' };
  }
  if (s.phase === 'stopped') {
    return { kind: 'paused', tone: 'neutral', label: 'Stopped', detail: 'Syncing is not running.' };
  }
  if (s.phase === 'starting') {
    return { kind: 'syncing', tone: 'busy', label: 'Starting', detail: 'Getting ready…' };
  }
  if (BUSY_PHASES.has(s.phase)) {
    return { kind: 'syncing', tone: 'busy', label: 'Syncing', detail: `${phaseWords(s.phase)}…` };
  }
  if (s.safeToShutDown) {
    return { kind: 'idle', tone: 'ok', label: 'Up to date', detail: s.repo.remote == null ? 'Everything is saved on this machine.' : 'Everything is synced.' };
  }
  return { kind: 'idle', tone: 'pending', label: 'Changes waiting', detail: pendingDetail(s) };
}

function pendingDetail(s: AppState): string {
  const parts: string[] = [];
  if (s.watch.pendingPaths > 0) parts.push(`${pluralize(s.watch.pendingPaths, 'change', 'changes')} not saved yet`);
  if (s.repo.ahead > 0) parts.push(`${pluralize(s.repo.ahead, 'commit', 'commits')} not sent yet`);
  if (parts.length) return parts.join(', ') + '.';
  return 'Some changes are not saved yet.';
}

/**
 * Tray-only line: "Safe to shut down" exactly when the host says so (`state.safeToShutDown` is the only
 * truth), otherwise why not. Never contains the phrase "safe to shut down" when false. Having no remote
 * is not a reason to wait (nothing waits to be sent): `localOnlyWords` says that separately.
 */
export function shutdownWords(s: AppState): { safe: boolean; text: string } {
  if (s.safeToShutDown) return { safe: true, text: 'Safe to shut down' };
  const why: string[] = [];
  if (s.conflicts.length > 0) why.push(pluralize(s.conflicts.length, 'conflict', 'conflicts') + ' to resolve');
  if (s.watch.pendingPaths > 0) why.push(pluralize(s.watch.pendingPaths, 'change', 'changes') + ' waiting to be saved');
  if (s.repo.ahead > 0) why.push(pluralize(s.repo.ahead, 'commit', 'commits') + ' waiting to be sent');
  if (why.length) return { safe: false, text: `Wait before shutting down: ${why.join(', ')}` };
  if (s.phase === 'starting') return { safe: false, text: 'Wait before shutting down: ConfSync is starting' };
  if (BUSY_PHASES.has(s.phase)) return { safe: false, text: 'Wait before shutting down: a sync is running' };
  if (s.paused) return { safe: false, text: 'Wait before shutting down: changes made while paused are not saved yet' };
  return { safe: false, text: 'Wait before shutting down: changes are not saved yet' };
}

/** A calm note beside the shutdown line when no remote is set (null otherwise). Not a warning. */
export function localOnlyWords(s: AppState): string | null {
  return s.repo.remote == null ? 'No remote set up: changes are kept on this machine only' : null;
}

/** "Next sync in 4 min", "Next sync due now" (when the time has passed), "Not scheduled". */
export function nextSyncWords(at: number | null, now: number): string {
  if (at == null) return 'Not scheduled';
  if (at - now < 5000) return 'Next sync due now';
  return `Next sync ${formatRelative(at, now)}`;
}

export function lastSyncWords(s: AppState, now: number): string {
  return s.repo.lastSyncAt == null ? 'Never synced' : `Last sync ${formatRelative(s.repo.lastSyncAt, now)}`;
}

const RESULT_WORDS: Record<SyncResult['kind'], { title: string; tone: Tone }> = {
  ok: { title: 'Synced', tone: 'ok' },
  'nothing-to-do': { title: 'Already up to date', tone: 'ok' },
  'local-only': { title: 'Saved on this machine (no remote set up)', tone: 'ok' },
  offline: { title: 'Offline: changes will be sent later', tone: 'warning' },
  'auth-failed': { title: 'The server refused the credentials', tone: 'error' },
  'host-key-changed': { title: "The server's host key changed", tone: 'error' },
  rejected: { title: 'The server rejected the push', tone: 'error' },
  'disk-full': { title: 'The disk is full', tone: 'error' },
  timeout: { title: 'The server did not answer in time', tone: 'warning' },
  'remote-rewritten': { title: 'The remote history was rewritten', tone: 'error' },
  'not-confsync-repo': { title: 'The remote is not a ConfSync repository', tone: 'error' },
  conflict: { title: 'Synced with conflicts to review', tone: 'warning' },
  busy: { title: 'A sync is already running', tone: 'busy' },
  error: { title: 'Sync failed', tone: 'error' },
};

/** "Synced — 2 changes saved, 1 file updated from other machines, sent to the remote". */
export function syncResultWords(r: SyncResult): { title: string; tone: Tone; summary: string } {
  const w = RESULT_WORDS[r.kind] ?? { title: r.kind, tone: 'neutral' as Tone };
  const parts: string[] = [];
  if (r.committed) parts.push(`${pluralize(r.committed, 'change', 'changes')} saved`);
  if (r.applied) parts.push(`${pluralize(r.applied, 'file', 'files')} updated from other machines`);
  // `pushed` says the remote has everything (nothing left to send), not that this sync sent something;
  // it is news only when there was something of ours to send.
  if (r.pushed && r.committed) parts.push('sent to the remote');
  if (r.conflicts) parts.push(`${pluralize(r.conflicts, 'conflict', 'conflicts')}`);
  return { title: w.title, tone: w.tone, summary: parts.join(', ') };
}

/**
 * Whether the host's own message adds something beside the words above: after a success its message
 * repeats the counts ("Synced: 1 committed, 0 applied, …"), so it goes under Details; an "Already up to
 * date" with a different reason (e.g. "Sync is paused") keeps it.
 */
export function syncMessageInline(r: SyncResult): boolean {
  if (!r.message) return false;
  if (r.kind === 'ok' || r.kind === 'conflict' || r.kind === 'local-only') return false;
  if (r.kind === 'nothing-to-do') return !/^(everything is )?up to date\b/i.test(r.message.trim());
  return true;
}

const TEST_WORDS: Record<TestConnectionResult['kind'], { title: string; tone: Tone }> = {
  ok: { title: 'Connected: the repository is reachable', tone: 'ok' },
  empty: { title: 'Connected: the repository is empty (the first sync will set it up)', tone: 'ok' },
  offline: { title: 'Cannot reach the server (offline?)', tone: 'warning' },
  'auth-failed': { title: 'The server refused the credentials', tone: 'error' },
  'host-key-changed': { title: "The server's host key changed: check it before trusting it", tone: 'error' },
  'not-found': { title: 'No repository at that address', tone: 'error' },
  timeout: { title: 'The server did not answer in time', tone: 'warning' },
  error: { title: 'The connection test failed', tone: 'error' },
};

export function testConnectionWords(kind: TestConnectionResult['kind']): { title: string; tone: Tone } {
  return TEST_WORDS[kind] ?? { title: kind, tone: 'neutral' };
}

const ACTIVITY_WORDS: Record<ActivityItem['kind'], string> = {
  commit: 'Saved',
  arrived: 'Arrived',
  pushed: 'Sent',
  conflict: 'Conflict',
  resolved: 'Resolved',
  restored: 'Restored',
  error: 'Error',
  km: 'KM',
  info: 'Info',
  secret: 'Held back',
};

export function activityKindWords(kind: ActivityItem['kind']): string {
  return ACTIVITY_WORDS[kind] ?? kind;
}

export function activityTone(kind: ActivityItem['kind']): Tone {
  switch (kind) {
    case 'error':
      return 'error';
    case 'conflict':
    case 'secret':
      return 'warning';
    case 'commit':
    case 'pushed':
    case 'resolved':
    case 'restored':
      return 'ok';
    case 'arrived':
    case 'km':
      return 'busy';
    default:
      return 'neutral';
  }
}

export function kmStatusWords(status: KmStatus): { label: string; tone: Tone } {
  switch (status) {
    case 'initializing':
      return { label: 'Reading the macro library', tone: 'busy' };
    case 'active':
      return { label: 'Watching for macro changes', tone: 'ok' };
    case 'paused':
      return { label: 'Paused', tone: 'paused' };
    case 'error':
      return { label: 'Error', tone: 'error' };
    case 'stopped':
      return { label: 'Stopped', tone: 'neutral' };
    case 'absent':
      return { label: 'Keyboard Maestro not found on this machine', tone: 'neutral' };
    case 'disabled':
      return { label: 'Turned off in settings', tone: 'neutral' };
  }
}

export function conflictKindWords(kind: Conflict['kind']): string {
  switch (kind) {
    case 'text':
      return 'Text changed on both machines';
    case 'structured':
      return 'Settings changed on both machines';
    case 'delete-vs-modify':
      return 'Deleted on one machine, changed on the other';
    case 'km-macro':
      return 'Keyboard Maestro macros changed on both machines';
    case 'kind-change':
      return 'A file, a folder or a link met at the same place';
    case 'first-meeting':
      return 'Two versions met when a machine first synced';
  }
}
