/**
 * The meanings every host shares, defined once: which results are successes, which phases are busy,
 * the state's kind (the one priority the tray, the popover and the CLI show), and the words for counts,
 * times and conflict sides. No zod here: the renderer bundles this without the schemas
 * (shared/state.ts re-exports it for everyone else).
 */
import type { AppState, Conflict, ConflictSide, SkippedFile, SyncPhase, SyncResultKind } from './state.js';

/** Result kinds that mean the sync itself worked (a conflict is a successful sync that needs a choice). */
export const SUCCESS_KINDS: ReadonlySet<SyncResultKind> = new Set<SyncResultKind>(['ok', 'nothing-to-do', 'local-only', 'conflict', 'waiting']);
export function isSuccess(kind: SyncResultKind): boolean {
  return SUCCESS_KINDS.has(kind);
}

/** Phases in which work is running (the tray animates, Sync now waits). */
export const BUSY_PHASES: ReadonlySet<SyncPhase> = new Set<SyncPhase>(['scanning', 'committing', 'pulling', 'applying', 'pushing']);
export function isBusy(phase: SyncPhase): boolean {
  return BUSY_PHASES.has(phase);
}

// ------------------------------------------------------------------------------------ shared words

/** "1 file", "2 files", "10,002 files" (thousands separated). `many` defaults to `one` + "s". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "12 Mar 2026" in local time. */
export function dateWords(at: number): string {
  const d = new Date(at);
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}`;
}

/** "just now", "45 s ago", "2 min ago", "3 h ago", "yesterday", "4 days ago", "12 Mar 2026"; future: "in 2 min"; null: "never". */
export function relativeTime(at: number | null | undefined, now: number): string {
  if (at == null || !Number.isFinite(at)) return 'never';
  const diff = now - at;
  if (diff < 0) {
    const ahead = -diff;
    if (ahead < 5 * SECOND) return 'now';
    if (ahead < MINUTE) return `in ${Math.round(ahead / SECOND)} s`;
    if (ahead < HOUR) return `in ${Math.round(ahead / MINUTE)} min`;
    if (ahead < DAY) return `in ${Math.round(ahead / HOUR)} h`;
    return `on ${dateWords(at)}`;
  }
  if (diff < 10 * SECOND) return 'just now';
  if (diff < MINUTE) return `${Math.floor(diff / SECOND)} s ago`;
  if (diff < HOUR) return `${Math.floor(diff / MINUTE)} min ago`;
  if (diff < DAY) return `${Math.floor(diff / HOUR)} h ago`;
  const days = Math.floor(diff / DAY);
  if (days === 1) return 'yesterday';
  if (days < 7) return `${days} days ago`;
  return dateWords(at);
}

/**
 * The state's kind: the one thing the tray icon, the popover header, the landing page and
 * `confsync status` say first, chosen by priority (highest first):
 *
 *   error     phase 'error', or an invalid config file. Nothing else can be trusted while sync is broken,
 *             so this outranks everything, even unresolved conflicts.
 *   conflict  at least one unresolved conflict. Sync still runs, but a person must act; that is more
 *             urgent than waiting for the network.
 *   offline   phase 'offline'. Commits queue up locally (repo.ahead) and will go out on their own.
 *   paused    the person chose this (state.paused, or phase 'paused'); 'stopped' is shown the same way.
 *   syncing   a busy phase (BUSY_PHASES), and 'starting' (work in progress).
 *   idle      everything else.
 */
export const STATE_KINDS = ['error', 'conflict', 'offline', 'paused', 'syncing', 'idle'] as const;
export type StateKind = (typeof STATE_KINDS)[number];

export function stateKind(s: Pick<AppState, 'phase' | 'paused' | 'configError' | 'conflicts'>): StateKind {
  if (s.phase === 'error' || s.configError) return 'error';
  if (s.conflicts.length > 0) return 'conflict';
  if (s.phase === 'offline') return 'offline';
  if (s.paused || s.phase === 'paused' || s.phase === 'stopped') return 'paused';
  if (s.phase === 'starting' || isBusy(s.phase)) return 'syncing';
  return 'idle';
}

/** Where one side of a conflict is on this machine: "in the file", "in the copy beside it", "deleted". */
export function whereWords(where: ConflictSide['where']): string {
  switch (where) {
    case 'live':
      return 'in the file';
    case 'copy':
      return 'in the copy beside it';
    case 'deleted':
      return 'deleted';
  }
}

/** "Yours (this machine, alpha)" for this machine's side, "bravo's" for the other host's. */
export function sideLabel(c: Pick<Conflict, 'mine' | 'theirs'>, side: 'mine' | 'theirs'): string {
  return side === 'mine' ? `Yours (this machine, ${c.mine.host})` : possessive(c.theirs.host);
}

/** "bravo's"; a name ending in s gets a bare apostrophe ("Chris'"). */
export function possessive(name: string): string {
  return /s$/i.test(name) ? `${name}'` : `${name}'s`;
}

/** "1 file not synced", "3 files not synced". */
export function notSyncedWords(n: number): string {
  return `${plural(n, 'file')} not synced`;
}

/** One skipped file in words: "zsh/.big: too large (this machine's version could not be sent)". */
export function skippedWords(k: SkippedFile): string {
  return `${k.path}: ${k.reason} (${k.direction === 'incoming' ? "the repo's version could not be written here" : "this machine's version could not be sent"})`;
}

/**
 * The files not synced that a person should hear about: the state's list (what is skipped now) and the
 * last result's (what that pass skipped), one entry per path, the state's first.
 */
export function notSynced(s: Pick<AppState, 'skipped' | 'repo'>): SkippedFile[] {
  const seen = new Set<string>();
  const out: SkippedFile[] = [];
  for (const k of [...s.skipped, ...(s.repo.lastResult?.skipped ?? [])]) {
    if (seen.has(k.path)) continue;
    seen.add(k.path);
    out.push(k);
  }
  return out;
}

/** A duration in words: "0.4 ms", "223 ms", "1.5 s", "45 s", "2 min", "3 h" (never a raw float). */
export function durationWords(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  if (ms < 10) return `${Math.round(ms * 10) / 10} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

/** How files are watched, in words, from the watch state's backend ('parcel', 'chokidar', 'polling', 'mixed', 'none'). */
export function watcherWords(backend: string): string {
  switch (backend) {
    case 'parcel':
    case 'chokidar':
      return 'watching for changes';
    case 'polling':
      return 'checking for changes every few seconds (polling)';
    case 'mixed':
      return 'watching for changes (some folders by polling)';
    case 'none':
      return 'not watching';
    default:
      return `watching for changes (${backend})`;
  }
}

/** What kind of conflict, in words (the same words as the UI's conflict list). */
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
      return 'A file on one machine, a folder or link on the other';
    case 'first-meeting':
      return 'Each machine had its own version when they first synced';
  }
}

/** The Keyboard Maestro poller's status in words (the same words as the UI's Keyboard Maestro tab). */
export function kmStatusLabel(status: AppState['km']['status']): string {
  switch (status) {
    case 'initializing':
      return 'Reading the macro library';
    case 'active':
      return 'Watching for macro changes';
    case 'paused':
      return 'Paused';
    case 'error':
      return 'Error';
    case 'stopped':
      return 'Stopped';
    case 'absent':
      return 'Keyboard Maestro not found on this machine';
    case 'disabled':
      return 'Turned off in settings';
  }
}
