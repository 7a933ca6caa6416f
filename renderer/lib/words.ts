/**
 * AppState → words. The renderer never computes sync state: the host decides the phase, whether it is
 * safe to shut down, and what a sync ended with. These functions only say it in words (and pick a tone
 * and a shape so colour is never the only signal).
 */
import { isBusy, isSuccess, notSynced, notSyncedWords, plural, possessive, sideLabel, stateKind, watcherWords, whereWords } from '../../shared/meanings.js';
import type { ActivityItem, AppState, Conflict, KmStatus, StateKind, SyncPhase, SyncResult } from '../../shared/state.js';
import type { TestConnectionResult } from '../../shared/contract.js';
import { formatCount, formatRelative, pluralize } from './time.js';
import { cleanErrorMessage, explainProblem, gitFirstLine, type Problem } from './host-errors.js';

/** Visual tone; each tone has its own colour AND its own icon shape. */
export type Tone = 'ok' | 'busy' | 'pending' | 'paused' | 'warning' | 'error' | 'neutral';

/**
 * What the tray icon shows: `stateKind` (shared/state.ts), the one function the tray
 * (electron/shell/tray-state.ts) uses too, so the headless page names the icon the menu bar would show.
 */
export type TrayKind = StateKind;

export interface Described {
  kind: TrayKind;
  tone: Tone;
  /** Short words, e.g. "Up to date". */
  label: string;
  /** One sentence with what it means for the person. */
  detail: string;
}

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
 * The state in words. The kind (and so the priority) is the shared `stateKind`: error (bad config or
 * error phase) > conflicts > offline > paused/stopped > syncing/starting > idle. Idle reads "Up to date"
 * only when the host says it is safe to shut down and nothing was left unsynced or warned about;
 * otherwise "N files not synced", "Synced with a warning" or "Changes waiting" (the icon is still the
 * idle one).
 */
export function describeState(s: AppState): Described {
  const kind = stateKind(s);
  switch (kind) {
    case 'error': {
      if (s.configError) {
        return { kind, tone: 'error', label: 'Settings problem', detail: 'The settings file could not be read; syncing waits until it is fixed.' };
      }
      // The cause, once and in words (the popover's banner says what to do about it).
      const p = stateProblem(s);
      return { kind, tone: 'error', label: 'Sync failed', detail: p.problem ? `${p.problem.cause}.` : p.words ? `Stopped on an error: ${endSentence(p.words)}` : 'Syncing stopped on an error.' };
    }
    case 'conflict':
      return {
        kind,
        tone: 'warning',
        label: plural(s.conflicts.length, 'conflict'),
        detail: 'Syncing goes on while you choose.',
      };
    case 'offline': {
      const waiting = s.repo.ahead > 0 ? ` ${pluralize(s.repo.ahead, 'commit', 'commits')} waiting.` : '';
      // git calls a missing repository "could not read from remote": it is not offline, and waiting
      // will not fix it.
      if (stateProblem(s).problem?.id === 'not-found') {
        const where = s.repo.remote ? ` at ${s.repo.remote}` : ' at that address';
        return { kind, tone: 'error', label: 'Remote not found', detail: `Nothing is sent or received: there is no repository${where}.` };
      }
      return { kind, tone: 'warning', label: 'Offline', detail: `Changes are saved locally and sent when the connection is back.${waiting}` };
    }
    case 'paused':
      if (s.paused || s.phase === 'paused') return { kind, tone: 'paused', label: 'Paused', detail: 'Changes are noticed but not synced until you resume.' };
      return { kind, tone: 'neutral', label: 'Stopped', detail: 'Syncing is not running.' };
    case 'syncing':
      if (s.phase === 'starting') return { kind, tone: 'busy', label: 'Starting', detail: 'Getting ready…' };
      return { kind, tone: 'busy', label: 'Syncing', detail: `${phaseWords(s.phase)}…` };
    case 'idle':
      return idleWords(s);
  }
}

function idleWords(s: AppState): Described {
  const skipped = notSynced(s);
  const warnings = s.repo.lastResult?.warnings ?? [];
  if (skipped.length > 0) {
    const words = notSyncedWords(skipped.length);
    return {
      kind: 'idle',
      tone: 'warning',
      label: words.charAt(0).toUpperCase() + words.slice(1),
      // The files themselves are listed beside this (the popover's banner, Health); say what else holds.
      detail: pendingDetail(s) ?? (s.repo.remote == null ? 'Everything else is saved on this machine.' : 'Everything else is synced.'),
    };
  }
  if (warnings.length > 0 && s.safeToShutDown) {
    return { kind: 'idle', tone: 'warning', label: warnings.length === 1 ? 'Synced with a warning' : `Synced with ${warnings.length} warnings`, detail: warnings[0] };
  }
  if (s.safeToShutDown) {
    return { kind: 'idle', tone: 'ok', label: 'Up to date', detail: s.repo.remote == null ? 'Everything is saved on this machine.' : 'Everything is synced.' };
  }
  return { kind: 'idle', tone: 'pending', label: 'Changes waiting', detail: pendingDetail(s) ?? 'Some changes are not saved yet.' };
}

/**
 * The popover's headline. The same as `describeState` (the tray's priority), with one difference: when
 * the person paused syncing, the headline says Paused even while conflicts wait. Pausing is the
 * person's own choice and changes what the buttons do, so it leads; the conflicts stay visible in the
 * detail line (their count) and in the banner below (which file, and the way to review them). The
 * `kind` stays the tray's, so the page can still name the icon the menu bar shows.
 */
export function headerWords(s: AppState): Described {
  const d = describeState(s);
  if (d.kind === 'conflict' && (s.paused || s.phase === 'paused')) {
    return {
      kind: d.kind,
      tone: 'paused',
      label: 'Paused',
      detail: `Changes are noticed but not synced until you resume. ${plural(s.conflicts.length, 'conflict')} ${s.conflicts.length === 1 ? 'waits' : 'wait'} for your choice.`,
    };
  }
  return d;
}

/**
 * The problem the state is in, from the last sync's result (when it failed) or the latest error:
 * the fixable `problem` when ConfSync knows it, else `words`, the host's message with git's first line.
 */
export function stateProblem(s: Pick<AppState, 'repo' | 'errors'>): { problem: Problem | null; words: string | null; gitLine: string | null } {
  const r = s.repo.lastResult;
  if (r && !isSuccess(r.kind)) return failureWords(r.kind, r.message, r.detail, r.warnings);
  const e = s.errors[0];
  if (e) return failureWords('error', e.message, e.detail, []);
  return { problem: null, words: null, gitLine: null };
}

/** A failed result (or an error item) in words: the problem it is, or its message and git's line. */
export function failureWords(
  kind: string,
  message: string | null | undefined,
  detail: string | null | undefined,
  warnings: readonly string[] | undefined,
): { problem: Problem | null; words: string | null; gitLine: string | null } {
  const problem = explainProblem(kind, [message, detail, ...(warnings ?? [])]);
  const words = message ? cleanErrorMessage(message) : null;
  const gitLine = gitFirstLine(detail ?? warnings?.[0]);
  return { problem, words, gitLine: gitLine && gitLine !== words ? gitLine : null };
}

/** The problem behind a finished sync, or null when it worked (or ConfSync cannot explain it). */
export function resultProblem(r: SyncResult): Problem | null {
  return isSuccess(r.kind) ? null : failureWords(r.kind, r.message, r.detail, r.warnings).problem;
}

function endSentence(text: string): string {
  const t = text.trim();
  return t + (/[.!?]$/.test(t) ? '' : '.');
}

/** What is waiting, in words ("2 changes not saved yet, 1 commit not sent yet."), or null. */
function pendingDetail(s: AppState): string | null {
  const parts: string[] = [];
  if (s.watch.pendingPaths > 0) parts.push(`${pluralize(s.watch.pendingPaths, 'change', 'changes')} not saved yet`);
  if (s.repo.ahead > 0) parts.push(`${pluralize(s.repo.ahead, 'commit', 'commits')} not sent yet`);
  return parts.length ? capitalize(parts.join(', ')) + '.' : null;
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
  const held = unsyncedCount(s);
  if (held > 0) why.push(pluralize(held, 'file', 'files') + ' with changes that cannot be synced');
  if (why.length) return { safe: false, text: `Wait before shutting down: ${why.join(', ')}` };
  if (s.phase === 'starting') return { safe: false, text: 'Wait before shutting down: ConfSync is starting' };
  if (isBusy(s.phase)) return { safe: false, text: 'Wait before shutting down: a sync is running' };
  if (s.paused) return { safe: false, text: 'Wait before shutting down: changes made while paused are not saved yet' };
  return { safe: false, text: 'Wait before shutting down: changes are not saved yet' };
}

/** Skipped files holding content this machine could not send (the host counts them against "safe"). */
function unsyncedCount(s: AppState): number {
  return s.skipped.filter((k) => k.unsynced).length;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
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
  // A last sync "in the future" (the clock went back) reads "just now".
  return s.repo.lastSyncAt == null ? 'Never synced' : `Last sync ${formatRelative(Math.min(s.repo.lastSyncAt, now), now)}`;
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
  waiting: { title: 'Changes from other machines wait for your review', tone: 'warning' },
};

/**
 * "Synced — 2 changes saved, 1 file updated from other machines, sent to the remote". A sync that left
 * files out or warned never reads "up to date" and is never shown in the all-well tone: it says
 * "Nothing new to sync — 2 files not synced" (the reasons are listed by SyncResultView).
 */
export function syncResultWords(r: SyncResult): { title: string; tone: Tone; summary: string } {
  const w = RESULT_WORDS[r.kind] ?? { title: r.kind, tone: 'neutral' as Tone };
  const skipped = r.skipped?.length ?? 0;
  const warnings = r.warnings?.length ?? 0;
  let { title, tone } = w;
  if ((skipped || warnings) && isSuccess(r.kind)) {
    if (r.kind === 'nothing-to-do') title = 'Nothing new to sync';
    if (tone === 'ok') tone = 'warning';
  }
  const parts: string[] = [];
  if (r.committed) parts.push(`${pluralize(r.committed, 'change', 'changes')} saved`);
  if (r.applied) parts.push(`${pluralize(r.applied, 'file', 'files')} updated from other machines`);
  // `pushed` says the remote has everything (nothing left to send), not that this sync sent something;
  // it is news only when there was something of ours to send.
  if (r.pushed && r.committed) parts.push('sent to the remote');
  if (r.conflicts) parts.push(`${pluralize(r.conflicts, 'conflict', 'conflicts')}`);
  if (skipped) parts.push(notSyncedWords(skipped));
  if (warnings) parts.push(plural(warnings, 'warning'));
  return { title, tone, summary: parts.join(', ') };
}

/**
 * Whether the host's own message adds something beside the words above: after a success its message
 * repeats the counts ("Synced: 1 committed, 0 applied, …"), so it goes under Details; an "Already up to
 * date" with a different reason (e.g. "Sync is paused") keeps it. A pass that left files out says so
 * with the list, so its tally goes under Details too.
 */
export function syncMessageInline(r: SyncResult): boolean {
  if (!r.message) return false;
  if (isSuccess(r.kind) && r.kind !== 'nothing-to-do') return false;
  if (r.kind === 'nothing-to-do') return !(r.skipped?.length || r.warnings?.length) && !/^(everything is )?up to date\b/i.test(r.message.trim());
  return true;
}

const TEST_WORDS: Record<TestConnectionResult['kind'], { title: string; tone: Tone }> = {
  ok: { title: 'Connected: the repository is reachable', tone: 'ok' },
  empty: { title: 'Connected: the repository is empty (the first sync will set it up)', tone: 'ok' },
  offline: { title: 'Cannot reach the server (offline?)', tone: 'warning' },
  'auth-failed': { title: 'The server refused the credentials', tone: 'error' },
  'host-key-changed': { title: "The server's host key changed: check it before trusting it", tone: 'error' },
  'not-found': { title: 'Not found: check the address', tone: 'error' },
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

/**
 * Which activity entries the popover lists. The rule: what happened to your files and what needs you
 * (Saved, Arrived, Conflict, Resolved, Restored, Held back, Keyboard Maestro macro changes, Error, and
 * one-off notices). Left out, unless the person asks for everything:
 * - "Sent" ('pushed'): every Saved is followed by one, and the header's "Safe to shut down" already
 *   says nothing waits to leave this machine;
 * - notices that repeat what the header shows: "Sync paused" / "Sync resumed" (the header says
 *   Paused), another machine's hint "bravo pushed changes: fetching now" (the header says Syncing);
 * - an arrival of nothing but a conflict copy (".zshrc.conflict-bravo-… arrived from bravo"): the
 *   Conflict entry already says both versions are kept, and the copy is the other version.
 * Other notices ('info': profiles enabled on the first run, files moved out of the repo folder, joining
 * the remote's history) happen once and are shown.
 */
export function activityMatters(a: Pick<ActivityItem, 'kind' | 'text'>): boolean {
  switch (a.kind) {
    case 'pushed':
      return false;
    case 'info':
      return !/^Sync (paused|resumed)\.?$/i.test(a.text) && !/ pushed (changes|earlier): fetching now$/i.test(a.text);
    case 'arrived':
      return !/\.conflict-[A-Za-z0-9._-]+-\d{8}-\d{6}(\.[^./\s]*)? arrived from /.test(a.text);
    default:
      return true;
  }
}

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

/** The conflict list's words for a kind: the CLI and notifications share them (shared/meanings.ts). */
export { conflictKindWords } from '../../shared/meanings.js';

/** One side of a conflict as this machine shows it. */
export interface ConflictSideWords {
  /** "Yours (this machine, alpha)" / "bravo's". */
  label: string;
  /** A short tag for diff rows: "yours" / "bravo". */
  tag: string;
  /** "in the file" / "in the copy beside it" / "deleted". */
  where: string;
}

/**
 * A conflict from this machine's point of view (the engine computes `mine` as this machine's version
 * on every machine): the two sides, and what each resolve button does from here.
 */
export interface ConflictWords {
  mine: ConflictSideWords;
  theirs: ConflictSideWords;
  keepMine: { label: string; help: string };
  keepTheirs: { label: string; help: string };
  /** null when a side deleted the file (there is nothing to keep beside it). */
  keepBoth: { label: string; help: string } | null;
  /** Whose version the conflict copy holds: "The copy beside it holds bravo's version" / "… holds your version". */
  copyHolder: string | null;
}

export function conflictWords(c: Conflict): ConflictWords {
  const theirs = possessive(c.theirs.host);
  const deleted = c.mine.where === 'deleted' || c.theirs.where === 'deleted';
  const gone = 'The file is deleted here and on your other machines (every version stays in History).';
  const keepMineHelp =
    c.mine.where === 'deleted' ? gone : c.mine.where === 'copy' ? `Puts your version back in the file, replacing ${theirs}.` : `Leaves your version in the file; ${theirs} is dropped.`;
  const keepTheirsHelp =
    c.theirs.where === 'deleted' ? gone : c.theirs.where === 'copy' ? `Puts ${theirs} version in the file, replacing yours.` : `Leaves ${theirs} version in the file; yours is dropped.`;
  return {
    mine: { label: sideLabel(c, 'mine'), tag: 'yours', where: whereWords(c.mine.where) },
    theirs: { label: sideLabel(c, 'theirs'), tag: c.theirs.host, where: whereWords(c.theirs.where) },
    keepMine: { label: 'Keep yours', help: keepMineHelp },
    keepTheirs: { label: `Keep ${theirs}`, help: keepTheirsHelp },
    keepBoth: deleted ? null : { label: 'Keep both (yours in the file, theirs beside it)', help: `Your version in the file, and ${theirs} kept beside it as a separate file.` },
    copyHolder:
      c.copyPath == null ? null : `The copy beside it holds ${c.mine.where === 'copy' ? 'your version' : c.theirs.where === 'copy' ? `${theirs} version` : 'the other version'}`,
  };
}

function fileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1) || path;
}

function andList(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The popover's conflict banner, from this machine's point of view: ".zshrc changed here and on
 * alpha.", "2 files changed here and on alpha and bravo.".
 */
export function conflictBannerWords(list: Conflict[]): string {
  if (list.length === 0) return '';
  if (list.length === 1) {
    const c = list[0];
    const name = fileName(c.path);
    const on = `on ${c.theirs.host}`;
    switch (c.kind) {
      case 'delete-vs-modify':
        return c.mine.where === 'deleted' ? `${name} was deleted here and changed ${on}.` : `${name} was changed here and deleted ${on}.`;
      case 'km-macro':
        return `A Keyboard Maestro macro changed here and ${on}.`;
      case 'kind-change':
        return `${name} is a different kind of item here and ${on}.`;
      case 'first-meeting':
        return `${name} had its own version here and ${on}.`;
      default:
        return `${name} changed here and ${on}.`;
    }
  }
  const hosts = [...new Set(list.map((c) => c.theirs.host))];
  return `${plural(list.length, 'file')} changed here and on ${hosts.length <= 3 ? andList(hosts) : 'other machines'}.`;
}

/**
 * The first scan's progress. A bar that fills (`determinate`) only when the host knows more files than
 * it has looked at (`total > scanned`); otherwise a bar that moves without claiming how far along it is
 * (today the engine counts as it goes, so total equals scanned).
 */
export function scanProgress(scan: AppState['scan']): { determinate: boolean; percent: number | null; words: string } {
  const { scanned, total } = scan;
  if (total > scanned) {
    return { determinate: true, percent: Math.min(100, Math.floor((scanned / total) * 100)), words: `Scanned ${formatCount(scanned)} of ${pluralize(total, 'file', 'files')}` };
  }
  return { determinate: false, percent: null, words: scanned > 0 ? `Scanned ${pluralize(scanned, 'file', 'files')} so far` : 'Looking for files…' };
}

/** How files are watched, for a figure: "Watching for changes", "Not watching" (`watcherWords`, capitalised). */
export function watcherLabel(backend: string): string {
  const w = watcherWords(backend);
  return w.charAt(0).toUpperCase() + w.slice(1);
}

const REFUSED_HINT_WORDS: Record<string, string> = {
  malformed: 'unreadable',
  'bad-signature': 'wrong signature',
  'unknown-type': 'unknown kind of message',
  schema: 'unexpected content',
  stale: 'too old',
  replay: 'sent twice',
  'replay-cache-full': 'too many at once',
  'rate-limited': 'too frequent',
  oversized: 'too large',
};

/** Hints from other machines that were refused, by reason: "None", "3 (wrong signature: 2, too old: 1)". */
export function refusedHintsWords(rejected: Record<string, number>): string {
  const parts = Object.entries(rejected).filter(([, n]) => n > 0);
  if (!parts.length) return 'None';
  const total = parts.reduce((t, [, n]) => t + n, 0);
  return `${formatCount(total)} (${parts.map(([why, n]) => `${REFUSED_HINT_WORDS[why] ?? why.replace(/-/g, ' ')}: ${formatCount(n)}`).join(', ')})`;
}

/** The latency chart's summary: "1 sample; median 420 ms, slowest 420 ms." */
export function latencySummaryWords(samples: number, median: string, slowest: string): string {
  return samples ? `${plural(samples, 'sample')}; median ${median}, slowest ${slowest}.` : 'No changes were committed in this period.';
}

/**
 * The commits chart's summary: "1 commit in this period.", "3 commits in this period; the busiest 10
 * minutes had 2 commits." (the busiest only when more than one bar has commits), and where the counts come from.
 */
export function commitsSummaryWords(total: number, busiest: number, barsWithCommits: number): string {
  if (!total) return 'No commits in this period.';
  return `${plural(total, 'commit')} in this period${barsWithCommits > 1 ? `; the busiest 10 minutes had ${plural(busiest, 'commit')}` : ''}.`;
}

/** " Counted from the 200 most recent activity entries the host keeps." ("" when it keeps none). */
export function commitsKeptWords(kept: number): string {
  if (kept <= 0) return '';
  return ` Counted from ${kept === 1 ? 'the one activity entry' : `the ${formatCount(kept)} most recent activity entries`} the host keeps.`;
}

/** A transfer in progress (a large first push, or joining a repo): "Sending 4,500 of 10,000 objects". */
export function transferProgress(t: NonNullable<AppState['repo']['transfer']>): { percent: number; words: string } {
  const verb = t.what === 'sending' ? 'Sending' : 'Receiving';
  const where = t.what === 'sending' ? 'to the remote' : 'from the remote';
  return { percent: t.total > 0 ? Math.min(100, Math.floor((t.done / t.total) * 100)) : 0, words: `${verb} ${formatCount(t.done)} of ${pluralize(t.total, 'object', 'objects')} ${where}` };
}
