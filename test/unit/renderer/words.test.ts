import { describe, expect, it } from 'vitest';
import { describeState, lastSyncWords, localOnlyWords, nextSyncWords, shutdownWords, syncMessageInline, syncResultWords, testConnectionWords, phaseWords, kmStatusWords } from '../../../renderer/lib/words';
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
  summary: 'changed on both',
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
