/**
 * The shared meanings (shared/state.ts, section "shared words") and that every surface says them the
 * same way: the tray (electron/shell/tray-state.ts), the windows (renderer/lib/words.ts) and the CLI
 * (electron/cli/confsync.ts) take the state's kind, busy phases, success kinds and time words from one
 * place.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BUSY_PHASES,
  initialAppState,
  isBusy,
  isSuccess,
  notSynced,
  notSyncedWords,
  possessive,
  relativeTime,
  sideLabel,
  skippedWords,
  stateKind,
  STATE_KINDS,
  SUCCESS_KINDS,
  SyncPhase,
  whereWords,
  type AppState,
  type Conflict,
  type SkippedFile,
  type SyncResult,
} from '../../../shared/state';
import { describeState } from '../../../renderer/lib/words';
import { formatDate, formatRelative, pluralize } from '../../../renderer/lib/time';
import { trayIcon } from '../../../electron/shell/tray-state';

type Cli = typeof import('../../../electron/cli/confsync');
let cli: Cli;
beforeAll(async () => {
  // Importing the CLI module must not run the CLI.
  process.env.CONFSYNC_NO_MAIN = '1';
  cli = await import('../../../electron/cli/confsync');
});

const base = initialAppState({ version: '0.1.0', host: 'alpha', configDir: '/c', repoPath: '/r', branch: 'main' });
const st = (patch: Partial<Omit<AppState, 'repo'>> & { repo?: Partial<AppState['repo']> } = {}): AppState => {
  const { repo, ...rest } = patch;
  return { ...base, phase: 'idle', ...rest, repo: { ...base.repo, ...repo } };
};
const conflict = (over: Partial<Conflict> = {}): Conflict => ({
  path: 'zsh/.zshrc',
  livePath: '/home/u/.zshrc',
  copyPath: 'zsh/.zshrc.conflict-bravo-20260101-120000',
  kind: 'text',
  mine: { host: 'alpha', at: 1, where: 'live' },
  theirs: { host: 'bravo', at: 2, where: 'copy' },
  others: [], summary: '.zshrc changed here and on bravo',
  detectedAt: 3,
  ...over,
});
const skip = (path: string, over: Partial<SkippedFile> = {}): SkippedFile => ({ path, reason: 'larger than 5 MB', unsynced: true, direction: 'outgoing', ...over });
const result = (p: Partial<SyncResult> = {}): SyncResult => ({ kind: 'ok', message: '', committed: 0, applied: 0, pushed: false, conflicts: 0, at: 0, skipped: [], warnings: [], ...p });

describe('stateKind: one priority for the tray, the windows and the CLI', () => {
  const cases: [string, AppState, (typeof STATE_KINDS)[number]][] = [
    ['config error beats everything', st({ configError: 'bad', conflicts: [conflict()], phase: 'offline', paused: true }), 'error'],
    ['error phase beats conflicts', st({ phase: 'error', conflicts: [conflict()] }), 'error'],
    ['conflicts beat offline', st({ phase: 'offline', paused: true, conflicts: [conflict()] }), 'conflict'],
    ['offline beats paused', st({ phase: 'offline', paused: true }), 'offline'],
    ['paused beats syncing', st({ phase: 'pushing', paused: true }), 'paused'],
    ['stopped reads as paused', st({ phase: 'stopped' }), 'paused'],
    ['a busy phase is syncing', st({ phase: 'applying' }), 'syncing'],
    ['starting is syncing', st({ phase: 'starting' }), 'syncing'],
    ['idle otherwise', st(), 'idle'],
  ];
  it.each(cases)('%s', (_, s, kind) => {
    expect(stateKind(s)).toBe(kind);
    expect(trayIcon(s)).toBe(kind);
    expect(describeState(s).kind).toBe(kind);
  });
  it('lists the kinds in priority order', () => {
    expect(STATE_KINDS).toEqual(['error', 'conflict', 'offline', 'paused', 'syncing', 'idle']);
  });
  it('every phase maps to a kind', () => {
    for (const phase of SyncPhase.options) expect(STATE_KINDS).toContain(stateKind(st({ phase })));
  });
});

describe('busy phases and success kinds', () => {
  it('busy: the five working phases', () => {
    expect([...BUSY_PHASES].sort()).toEqual(['applying', 'committing', 'pulling', 'pushing', 'scanning']);
    expect(isBusy('idle')).toBe(false);
    expect(isBusy('starting')).toBe(false);
  });
  it('success: ok, nothing to do, local only, conflict, and waiting (changes held for a review)', () => {
    expect([...SUCCESS_KINDS].sort()).toEqual(['conflict', 'local-only', 'nothing-to-do', 'ok', 'waiting']);
    expect(isSuccess('waiting')).toBe(true);
    expect(isSuccess('offline')).toBe(false);
  });
});

describe('time words are the shared ones everywhere', () => {
  it('the renderer re-exports relativeTime and dateWords', () => {
    expect(formatRelative).toBe(relativeTime);
    const now = Date.UTC(2026, 2, 12, 12);
    expect(formatDate(now)).toMatch(/^1[12] Mar 2026$/);
    expect(pluralize(10_002, 'file', 'files')).toBe('10,002 files');
    expect(pluralize(1, 'file')).toBe('1 file');
  });
});

describe('conflict sides from this machine', () => {
  it('labels: "Yours (this machine, alpha)" and "bravo\'s"', () => {
    const c = conflict();
    expect(sideLabel(c, 'mine')).toBe('Yours (this machine, alpha)');
    expect(sideLabel(c, 'theirs')).toBe("bravo's");
    expect(possessive('Chris')).toBe("Chris'");
  });
  it('where each version is', () => {
    expect(whereWords('live')).toBe('in the file');
    expect(whereWords('copy')).toBe('in the copy beside it');
    expect(whereWords('deleted')).toBe('deleted');
  });
});

describe('files not synced', () => {
  it('the state\'s list and the last result\'s, once per path', () => {
    const s = st({ skipped: [skip('a'), skip('b')], repo: { lastResult: result({ kind: 'nothing-to-do', skipped: [skip('b'), skip('c', { direction: 'incoming' })] }) } });
    expect(notSynced(s).map((k) => k.path)).toEqual(['a', 'b', 'c']);
    expect(notSyncedWords(1)).toBe('1 file not synced');
    expect(notSyncedWords(3)).toBe('3 files not synced');
  });
  it('says which version could not go where', () => {
    expect(skippedWords(skip('zsh/.big'))).toBe("zsh/.big: larger than 5 MB (this machine's version could not be sent)");
    expect(skippedWords(skip('zsh/.big', { direction: 'incoming', reason: 'permission denied' }))).toBe("zsh/.big: permission denied (the repo's version could not be written here)");
  });
});

describe('CLI words (confsync status / sync)', () => {
  const NOW = 1_700_000_000_000;
  it('status: the state kind in words, relative times, real plurals, no raw epoch ms', () => {
    const s = st({
      safeToShutDown: false,
      conflicts: [conflict()],
      skipped: [skip('zsh/.big')],
      repo: { remote: 'git@x:y.git', ahead: 1, behind: 0, lastSyncAt: NOW - 3 * 60_000, nextSyncAt: NOW + 10 * 60_000, lastResult: result({ kind: 'conflict', message: 'Synced: 1 file committed; 1 conflict needs you', at: NOW - 3 * 60_000, warnings: ['git gc failed'] }) },
      errors: [{ at: NOW - 60 * 60_000, source: 'git', message: 'push failed' }],
      profiles: [{ name: 'zsh', title: 'Zsh', builtin: true, detected: true, enabled: true, files: 1, error: null }],
      watch: { ...base.watch, filesWatched: 1, commits: 2 },
    });
    const out = cli.describeState(s, NOW);
    expect(out).toContain('ConfSync 0.1.0 on alpha: 1 conflict to resolve · not safe to shut down yet');
    expect(out).toContain('git@x:y.git · 1 commit to push, nothing to pull');
    expect(out).toContain('last sync 3 min ago');
    expect(out).toContain('next sync in 10 min');
    expect(out).toContain('watch     not watching · 1 file · 2 commits');
    expect(out).toContain("/home/u/.zshrc: yours in the file, bravo's in the copy beside it");
    expect(out).toContain('1 file not synced:');
    expect(out).toContain("zsh/.big: larger than 5 MB (this machine's version could not be sent)");
    expect(out).toContain('warning   git gc failed');
    expect(out).toContain('last error push failed (1 h ago)');
    expect(out).not.toMatch(/\(s\)/);
    expect(out).not.toMatch(/\d{10,}/);
    // The first line names the same kind as the tray.
    expect(stateKind(s)).toBe('conflict');
  });
  it('status: never synced, local only, idle', () => {
    const out = cli.describeState(st({ safeToShutDown: true }), NOW);
    expect(out.split('\n')[0]).toBe('ConfSync 0.1.0 on alpha: idle · safe to shut down');
    expect(out).toContain('remote    none (local only)');
    expect(out).toContain('last sync never');
    expect(out).toContain('next sync not scheduled');
  });
  it('a sync result lists the files not synced with their reasons and the warnings', () => {
    const out = cli.describeResult(result({ kind: 'nothing-to-do', message: '2 files skipped', skipped: [skip('a'), skip('b', { direction: 'incoming' })], warnings: ['w1'] }));
    expect(out.split('\n')).toEqual([
      '2 files skipped',
      '2 files not synced:',
      "  a: larger than 5 MB (this machine's version could not be sent)",
      "  b: larger than 5 MB (the repo's version could not be written here)",
      'warning: w1',
    ]);
  });
  it('a conflict side: who, where, when', () => {
    expect(cli.sideWords({ host: 'alpha', at: NOW - 120_000, where: 'copy' }, 'alpha', NOW)).toBe('alpha (this machine), in the copy beside it, changed 2 min ago');
    expect(cli.sideWords({ host: 'bravo', at: null, where: 'deleted' }, 'alpha', NOW)).toBe('bravo, deleted');
  });
});
