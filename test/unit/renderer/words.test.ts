import { describe, expect, it } from 'vitest';
import {
  conflictBannerWords,
  conflictKindWords,
  conflictWords,
  describeState,
  lastSyncWords,
  localOnlyWords,
  nextSyncWords,
  shutdownWords,
  syncMessageInline,
  syncResultWords,
  testConnectionWords,
  phaseWords,
  kmStatusWords,
} from '../../../renderer/lib/words';
import { validateIgnorePattern } from '../../../renderer/lib/ignore-form';
import { ConflictKind, type Conflict, type SkippedFile } from '../../../shared/state';
import { initialAppState, SyncPhase, type AppState, type SyncResult } from '../../../shared/state';
import { TestConnectionResult } from '../../../shared/contract';

const base = initialAppState({ version: '0.1.0', host: 'mac', configDir: '/c', repoPath: '/r', branch: 'main' });
const st = (patch: Partial<AppState>): AppState => ({ ...base, phase: 'idle', ...patch });
const conflict = {
  path: 'zsh/.zshrc',
  livePath: '/home/u/.zshrc',
  copyPath: null,
  kind: 'text' as const,
  mine: { host: 'mac', at: 1, where: 'live' as const },
  theirs: { host: 'linux', at: 2, where: 'copy' as const },
  others: [], summary: 'changed on both',
  detectedAt: 3,
};

describe('describeState (what the tray shows, in words)', () => {
  it('up to date only when the host says it is safe', () => {
    expect(describeState(st({ safeToShutDown: true }))).toMatchObject({ kind: 'idle', tone: 'ok', label: 'Up to date' });
    const pending = describeState(st({ safeToShutDown: false, repo: { ...base.repo, ahead: 2 } }));
    expect(pending).toMatchObject({ kind: 'idle', tone: 'pending', label: 'Changes waiting' });
    expect(pending.detail).toContain('2 commits not sent yet');
  });
  it('busy phases read as syncing with the phase in words', () => {
    for (const phase of ['scanning', 'committing', 'pulling', 'applying', 'pushing'] as const) {
      const d = describeState(st({ phase }));
      expect(d.kind).toBe('syncing');
      expect(d.detail).toBe(`${phaseWords(phase)}…`);
    }
  });
  it('config errors and error phases win over everything', () => {
    expect(describeState(st({ configError: 'bad key', conflicts: [conflict] })).kind).toBe('error');
    const e = describeState(st({ phase: 'error', errors: [{ at: 1, source: 'git', message: 'disk full' }] }));
    expect(e).toMatchObject({ kind: 'error', tone: 'error' });
    expect(e.detail).toContain('disk full');
  });
  it('conflicts: the header says what happens meanwhile (the banner names the file)', () => {
    expect(describeState(st({ conflicts: [conflict] })).detail).toBe('Syncing goes on while you choose.');
  });
  it('conflicts come before offline, and offline before paused (as the tray)', () => {
    expect(describeState(st({ phase: 'offline', paused: true, conflicts: [conflict, conflict] }))).toMatchObject({ kind: 'conflict', label: '2 conflicts' });
    expect(describeState(st({ phase: 'offline', paused: true })).kind).toBe('offline');
    expect(describeState(st({ conflicts: [conflict] })).label).toBe('1 conflict');
  });
  it('paused, offline, starting, stopped', () => {
    expect(describeState(st({ phase: 'paused', paused: true })).kind).toBe('paused');
    expect(describeState(st({ paused: true })).kind).toBe('paused');
    expect(describeState(st({ phase: 'offline' })).kind).toBe('offline');
    expect(describeState(st({ phase: 'starting' }))).toMatchObject({ kind: 'syncing', label: 'Starting' });
    expect(describeState(st({ phase: 'stopped' }))).toMatchObject({ kind: 'paused', label: 'Stopped' });
  });
  it('every phase has words', () => {
    for (const p of SyncPhase.options) expect(phaseWords(p)).toMatch(/\w/);
  });
});

describe('shutdownWords', () => {
  it('says "Safe to shut down" only when the host says so', () => {
    expect(shutdownWords(st({ safeToShutDown: true }))).toEqual({ safe: true, text: 'Safe to shut down' });
    const no = shutdownWords(st({ safeToShutDown: false, watch: { ...base.watch, pendingPaths: 1 }, repo: { ...base.repo, ahead: 3 } }));
    expect(no.safe).toBe(false);
    expect(no.text).toBe('Wait before shutting down: 1 change waiting to be saved, 3 commits waiting to be sent');
    expect(no.text.toLowerCase()).not.toContain('safe to shut down');
  });
  it('names conflicts, a running sync or start-up as reasons; never a missing remote', () => {
    expect(shutdownWords(st({ conflicts: [conflict] })).text).toBe('Wait before shutting down: 1 conflict to resolve');
    expect(shutdownWords(st({ phase: 'pushing' })).text).toBe('Wait before shutting down: a sync is running');
    expect(shutdownWords(st({ phase: 'starting' })).text).toBe('Wait before shutting down: ConfSync is starting');
    expect(shutdownWords(st({})).text).toBe('Wait before shutting down: changes are not saved yet');
    expect(shutdownWords(st({ repo: { ...base.repo, remote: 'git@x:y.git' } })).text).toBe('Wait before shutting down: changes are not saved yet');
  });
  it('with no remote, the host\'s "safe" is shown as safe, and "local only" is a separate calm note', () => {
    const local = st({ safeToShutDown: true });
    expect(local.repo.remote).toBeNull();
    expect(shutdownWords(local)).toEqual({ safe: true, text: 'Safe to shut down' });
    expect(localOnlyWords(local)).toBe('No remote set up: changes are kept on this machine only');
    expect(localOnlyWords(st({ repo: { ...base.repo, remote: 'git@x:y.git' } }))).toBeNull();
    expect(describeState(local)).toMatchObject({ label: 'Up to date', detail: 'Everything is saved on this machine.' });
  });
});

describe('nextSyncWords', () => {
  it('future, overdue, none', () => {
    expect(nextSyncWords(null, 0)).toBe('Not scheduled');
    expect(nextSyncWords(4 * 60_000, 0)).toBe('Next sync in 4 min');
    expect(nextSyncWords(0, 120_000)).toBe('Next sync due now');
  });
});

describe('lastSyncWords', () => {
  it('never / relative', () => {
    expect(lastSyncWords(st({}), 10_000)).toBe('Never synced');
    expect(lastSyncWords(st({ repo: { ...base.repo, lastSyncAt: 0 } }), 120_000)).toBe('Last sync 2 min ago');
  });
});

describe('syncResultWords', () => {
  const r = (p: Partial<SyncResult>): SyncResult => ({ kind: 'ok', message: '', committed: 0, applied: 0, pushed: false, conflicts: 0, at: 0, skipped: [], warnings: [], ...p });
  it('summarises what happened', () => {
    expect(syncResultWords(r({ committed: 2, applied: 1, pushed: true }))).toEqual({
      title: 'Synced',
      tone: 'ok',
      summary: '2 changes saved, 1 file updated from other machines, sent to the remote',
    });
    expect(syncResultWords(r({ kind: 'offline' }))).toMatchObject({ tone: 'warning', title: 'Offline: changes will be sent later' });
    expect(syncResultWords(r({ kind: 'auth-failed' })).tone).toBe('error');
    expect(syncResultWords(r({ kind: 'conflict', conflicts: 1 })).summary).toBe('1 conflict');
  });
  it('says "sent" only when something of ours was saved (pushed means "the remote has everything")', () => {
    expect(syncResultWords(r({ kind: 'nothing-to-do', pushed: true })).summary).toBe('');
    expect(syncResultWords(r({ applied: 1, pushed: true })).summary).toBe('1 file updated from other machines');
  });
  it("keeps the host's message inline only when it adds something", () => {
    expect(syncMessageInline(r({ message: 'Synced: 1 committed, 0 applied, 1 commit(s) pushed' }))).toBe(false);
    expect(syncMessageInline(r({ kind: 'nothing-to-do', message: 'Everything is up to date' }))).toBe(false);
    expect(syncMessageInline(r({ kind: 'nothing-to-do', message: 'Sync is paused' }))).toBe(true);
    expect(syncMessageInline(r({ kind: 'offline', message: 'Cannot reach the remote' }))).toBe(true);
    expect(syncMessageInline(r({ kind: 'error', message: '' }))).toBe(false);
  });
  it('has words for every result kind and every connection-test kind', () => {
    for (const kind of ['ok', 'nothing-to-do', 'local-only', 'offline', 'auth-failed', 'host-key-changed', 'rejected', 'disk-full', 'timeout', 'remote-rewritten', 'not-confsync-repo', 'conflict', 'busy', 'error'] as const) {
      expect(syncResultWords(r({ kind })).title).not.toBe(kind);
    }
    for (const kind of TestConnectionResult.shape.kind.options) expect(testConnectionWords(kind).title).not.toBe(kind);
  });
  it('km status words', () => {
    expect(kmStatusWords('absent').label).toContain('not found');
  });
});

const skip = (path: string, over: Partial<SkippedFile> = {}): SkippedFile => ({ path, reason: 'larger than 5 MB', unsynced: false, direction: 'outgoing', ...over });
const res = (p: Partial<SyncResult>): SyncResult => ({ kind: 'ok', message: '', committed: 0, applied: 0, pushed: false, conflicts: 0, at: 0, skipped: [], warnings: [], ...p });

describe('files not synced and warnings never read "up to date"', () => {
  it('a result with skipped files: "Nothing new to sync — 1 file not synced", warning tone', () => {
    const w = syncResultWords(res({ kind: 'nothing-to-do', skipped: [skip('zsh/.big')] }));
    expect(w).toEqual({ title: 'Nothing new to sync', tone: 'warning', summary: '1 file not synced' });
    expect(`${w.title} ${w.summary}`).not.toMatch(/up to date/i);
    expect(syncResultWords(res({ committed: 1, skipped: [skip('a'), skip('b')], warnings: ['x'] }))).toEqual({
      title: 'Synced',
      tone: 'warning',
      summary: '1 change saved, 2 files not synced, 1 warning',
    });
    expect(syncResultWords(res({ kind: 'nothing-to-do', warnings: ['x'] })).title).toBe('Nothing new to sync');
    // A failure keeps its own tone.
    expect(syncResultWords(res({ kind: 'auth-failed', skipped: [skip('a')] })).tone).toBe('error');
  });
  it("the host's tally goes under Details when the files are listed", () => {
    expect(syncMessageInline(res({ kind: 'nothing-to-do', message: '1 file skipped', skipped: [skip('a')] }))).toBe(false);
  });
  it('the idle header: "N files not synced" instead of "Up to date"', () => {
    const d = describeState(st({ safeToShutDown: true, skipped: [skip('a')] }));
    expect(d).toMatchObject({ kind: 'idle', tone: 'warning', label: '1 file not synced' });
    const fromResult = describeState(st({ safeToShutDown: true, repo: { ...base.repo, lastResult: res({ kind: 'nothing-to-do', skipped: [skip('a'), skip('b')] }) } }));
    expect(fromResult.label).toBe('2 files not synced');
    const warned = describeState(st({ safeToShutDown: true, repo: { ...base.repo, lastResult: res({ kind: 'nothing-to-do', warnings: ['gc failed'] }) } }));
    expect(warned).toMatchObject({ label: 'Synced with a warning', detail: 'gc failed', tone: 'warning' });
    for (const x of [d, fromResult, warned]) expect(`${x.label} ${x.detail}`).not.toMatch(/up to date/i);
  });
  it('unsynced files are named as a reason to wait', () => {
    const s = st({ skipped: [skip('a', { unsynced: true })] });
    expect(shutdownWords(s).text).toBe('Wait before shutting down: 1 file with changes that cannot be synced');
    // The header names the files (the banner lists them) and says what else is the case.
    expect(describeState(s)).toMatchObject({ label: '1 file not synced', detail: 'Everything else is saved on this machine.' });
    expect(describeState(st({ skipped: [skip('a', { unsynced: true })], repo: { ...base.repo, remote: 'git@x:y.git', ahead: 2 } })).detail).toBe('2 commits not sent yet.');
  });
});

describe('conflicts from this machine\'s point of view', () => {
  const c = (over: Partial<Conflict> = {}): Conflict => ({
    path: 'zsh/.zshrc',
    livePath: '/home/u/.zshrc',
    copyPath: 'zsh/.zshrc.conflict-bravo-20260101-120000',
    kind: 'text',
    mine: { host: 'alpha', at: 1, where: 'live' },
    theirs: { host: 'bravo', at: 2, where: 'copy' },
    others: [], summary: 's',
    detectedAt: 3,
    ...over,
  });
  it('labels the sides and says where each one is', () => {
    const w = conflictWords(c());
    expect(w.mine).toEqual({ label: 'Yours (this machine, alpha)', tag: 'yours', where: 'in the file' });
    expect(w.theirs).toEqual({ label: "bravo's", tag: 'bravo', where: 'in the copy beside it' });
    expect(w.copyHolder).toBe("The copy beside it holds bravo's version");
  });
  it('buttons say what they do from here', () => {
    const here = conflictWords(c());
    expect([here.keepMine.label, here.keepTheirs.label, here.keepBoth?.label]).toEqual(['Keep yours', "Keep bravo's", 'Keep both (yours in the file, theirs beside it)']);
    expect(here.keepMine.help).toBe("Leaves your version in the file; bravo's is dropped.");
    expect(here.keepTheirs.help).toBe("Puts bravo's version in the file, replacing yours.");
    // On the machine whose version is in the copy, the same buttons say the opposite moves.
    const there = conflictWords(c({ mine: { host: 'bravo', at: 2, where: 'copy' }, theirs: { host: 'alpha', at: 1, where: 'live' } }));
    expect(there.mine.label).toBe('Yours (this machine, bravo)');
    expect(there.keepTheirs.label).toBe("Keep alpha's");
    expect(there.keepMine.help).toBe("Puts your version back in the file, replacing alpha's.");
    expect(there.copyHolder).toBe('The copy beside it holds your version');
  });
  it('a deletion: no "Keep both", and keeping the deleted side says the file goes', () => {
    const w = conflictWords(c({ kind: 'delete-vs-modify', copyPath: null, mine: { host: 'alpha', at: 1, where: 'deleted' }, theirs: { host: 'bravo', at: 2, where: 'live' } }));
    expect(w.keepBoth).toBeNull();
    expect(w.mine.where).toBe('deleted');
    expect(w.keepMine.help).toMatch(/^The file is deleted here and on your other machines/);
    expect(w.copyHolder).toBeNull();
  });
  it('the popover banner', () => {
    expect(conflictBannerWords([c()])).toBe('.zshrc changed here and on bravo.');
    expect(conflictBannerWords([c({ kind: 'delete-vs-modify', mine: { host: 'alpha', at: 1, where: 'deleted' }, theirs: { host: 'bravo', at: 2, where: 'live' } })])).toBe(
      '.zshrc was deleted here and changed on bravo.',
    );
    expect(conflictBannerWords([c({ kind: 'first-meeting' })])).toBe('.zshrc had its own version here and on bravo.');
    expect(conflictBannerWords([c(), c({ path: 'git/.gitconfig', theirs: { host: 'charlie', at: 2, where: 'copy' } })])).toBe('2 files changed here and on bravo and charlie.');
    expect(conflictBannerWords([])).toBe('');
  });
  it('every conflict kind has words, the new ones too', () => {
    for (const k of ConflictKind.options) expect(conflictKindWords(k)).toMatch(/\w/);
    expect(conflictKindWords('kind-change')).toBe('A file on one machine, a folder or link on the other');
    expect(conflictKindWords('first-meeting')).toBe('Each machine had its own version when they first synced');
  });
});

describe('the shared ignore list: a pattern before it is sent', () => {
  it('refuses empty input with a message', () => {
    expect(validateIgnorePattern('   ')).toEqual({ ok: false, error: 'Enter a pattern, e.g. zsh/.zsh_history or *.log' });
  });
  it('trims, and refuses comments, paths on this machine and duplicates', () => {
    expect(validateIgnorePattern('  zsh/.zsh_history ')).toEqual({ ok: true, pattern: 'zsh/.zsh_history' });
    expect(validateIgnorePattern('/zsh/.zsh_history')).toEqual({ ok: true, pattern: '/zsh/.zsh_history' });
    expect(validateIgnorePattern('# note').ok).toBe(false);
    expect(validateIgnorePattern('~/.zsh_history')).toMatchObject({ ok: false, error: expect.stringMatching(/repo paths/) });
    expect(validateIgnorePattern('/Users/me/.zsh_history').ok).toBe(false);
    expect(validateIgnorePattern('*.log', ['*.log'])).toEqual({ ok: false, error: '*.log is already in the list' });
  });
});
