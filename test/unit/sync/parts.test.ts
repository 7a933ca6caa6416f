/** The sync core's small parts: point of view, modes, links, status, path arguments. */
import { describe, it, expect } from 'vitest';
import { viewConflict, mineIndex, conflictsCodec, serializeConflicts, parseConflictsFile, conflictCopyName, copyOriginal, copyNameSide, groupOf, mergeGroups, ConflictStore, type StoredConflict, type ConflictGroup } from '../../../electron/engine/sync/conflicts.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveMode, modesCodec, serializeModes, parseModes } from '../../../electron/engine/sync/modes.js';
import { encodeLinkTarget, decodeLinkTarget } from '../../../electron/engine/mirror/live.js';
import { derive, type StatusFacts } from '../../../electron/engine/sync/status.js';
import { PathMap, editDistance } from '../../../electron/engine/sync/paths.js';
import { resultWords } from '../../../electron/engine/sync/cycle.js';

const pair = (over: Partial<StoredConflict> = {}): StoredConflict => ({
  path: 'zsh/.zshrc',
  copyPath: 'zsh/.zshrc.conflict-laptop-a-20261204-101010',
  kind: 'text',
  atPath: { host: 'desk-b', at: 2, deleted: false },
  other: { host: 'laptop-a', at: 1, deleted: false },
  details: [],
  detectedAt: 3,
  detectedBy: 'desk-b',
  ...over,
});
const rec = (over: Partial<StoredConflict> = {}): ConflictGroup => groupOf(pair(over));

describe('conflicts: point of view', () => {
  it('"mine" is always the version of the machine that shows it', () => {
    const c = rec();
    const onB = viewConflict(c, 'desk-b', '/home/b/.zshrc');
    const copy = 'zsh/.zshrc.conflict-laptop-a-20261204-101010';
    expect(onB.mine).toEqual({ host: 'desk-b', at: 2, where: 'live', copyPath: null });
    expect(onB.theirs).toEqual({ host: 'laptop-a', at: 1, where: 'copy', copyPath: copy });
    const onA = viewConflict(c, 'laptop-a', '/home/a/.zshrc');
    expect(onA.mine).toEqual({ host: 'laptop-a', at: 1, where: 'copy', copyPath: copy });
    expect(onA.theirs).toEqual({ host: 'desk-b', at: 2, where: 'live', copyPath: null });
    // A third machine's version is the one live there: the version at the path.
    expect(mineIndex(c, 'vm-c')).toBe(0);
    expect(viewConflict(c, 'vm-c', null).summary).toMatch(/changed on desk-b and on laptop-a/);
    expect(onA.summary).toMatch(/changed here and on desk-b/);
  });

  it('a deletion is a side too', () => {
    const c = rec({ kind: 'delete-vs-modify', copyPath: null, other: { host: 'laptop-a', at: 1, deleted: true } });
    expect(viewConflict(c, 'laptop-a', null).mine.where).toBe('deleted');
    expect(viewConflict(c, 'laptop-a', null).summary).toMatch(/deleted here but changed on desk-b/);
    expect(viewConflict(c, 'desk-b', null).summary).toMatch(/changed here but deleted on laptop-a/);
  });

  it('copies are named after the host whose version they hold, never "unknown"', () => {
    const at = new Date(Date.UTC(2026, 11, 4, 10, 10, 10));
    expect(conflictCopyName('zsh/.zshrc', 'laptop-a', at)).toBe('zsh/.zshrc.conflict-laptop-a-20261204-101010');
    expect(conflictCopyName('a/b.json', '', at)).toBe('a/b.conflict-other-20261204-101010.json');
    expect(copyOriginal('a/b.conflict-x-20261204-101010.json')).toBe('a/b.json');
  });

  it('a third version joins the open conflict instead of hiding it; "theirs" then needs a host', () => {
    const first = rec();
    const joined = mergeGroups(first, rec({ copyPath: 'zsh/.zshrc.conflict-vm-c-20261204-111111', other: { host: 'vm-c', at: 5, deleted: false }, detectedAt: 5, detectedBy: 'vm-c' }));
    expect(joined.others.map((o) => o.host)).toEqual(['laptop-a', 'vm-c']);
    const onC = viewConflict(joined, 'vm-c', null);
    expect(onC.mine).toMatchObject({ host: 'vm-c', where: 'copy' });
    expect(onC.others.map((o) => o.host)).toEqual(['desk-b', 'laptop-a']);
    expect(onC.summary).toMatch(/has 3 versions/);
  });

  it('the copies in the tree are the truth: a copy without a record is a conflict, a record without copies is over', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-conf-'));
    const store = new ConflictStore(dir);
    store.reload(['zsh/.zshrc.conflict-laptop-a-20261204-101010']);
    expect(store.list().map((g) => [g.path, g.others[0].host])).toEqual([['zsh/.zshrc', 'laptop-a']]);
    expect(copyNameSide('zsh/.zshrc.conflict-laptop-a-20261204-101010')).toEqual({ host: 'laptop-a', at: Date.UTC(2026, 11, 4, 10, 10, 10) });
    store.add(pair());
    store.noteCopy('zsh/.zshrc.conflict-laptop-a-20261204-101010', false);
    expect(store.list()).toEqual([]);
    // A deletion is a version without a copy: it stays until resolved.
    store.add(pair({ copyPath: null, kind: 'delete-vs-modify', other: { host: 'laptop-a', at: 1, deleted: true } }));
    expect(store.size).toBe(1);
    store.resolve('zsh/.zshrc', null);
    expect(store.size).toBe(0);
    expect(store.chosen('zsh/.zshrc')?.oid).toBeNull();
  });

  it('conflicts.json merges record by record', async () => {
    const base = new Map([['a', rec({ path: 'a' })]]);
    const mine = new Map([['b', rec({ path: 'b' })]]); // resolved a, found b
    const theirs = new Map([['a', rec({ path: 'a' })], ['c', rec({ path: 'c' })]]); // found c
    const m = await conflictsCodec.merge(Buffer.from(serializeConflicts(base)), Buffer.from(serializeConflicts(mine)), Buffer.from(serializeConflicts(theirs)));
    expect(m.clean && [...parseConflictsFile(m.content).conflicts.keys()].sort()).toEqual(['b', 'c']);
  });

  it('reads the first format (mine/theirs by finder) as hosts', () => {
    const v1 = JSON.stringify({ version: 1, conflicts: { p: { path: 'p', copyPath: 'p.conflict-x-20260101-000000', kind: 'text', mine: { host: 'f', at: 1 }, theirs: { host: 'unknown', at: null }, summary: 's', detectedAt: 1 } } });
    const r = parseConflictsFile(v1);
    expect(r.error).toBeNull();
    expect(r.conflicts.get('p')).toMatchObject({ atPath: { host: 'f' }, others: [{ host: 'another machine', copyPath: 'p.conflict-x-20260101-000000' }] });
  });
});

describe('modes', () => {
  it('owner bits from the record, group/other only where the file already allows them', () => {
    expect(liveMode({ exec: false, private: true, current: null })).toBe(0o600);
    expect(liveMode({ exec: true, private: true, current: null })).toBe(0o700);
    expect(liveMode({ exec: false, private: false, current: null })).toBe(0o644);
    expect(liveMode({ exec: false, private: false, current: 0o600 })).toBe(0o600); // stricter here stays stricter
    // The exec bit arrives for whoever may read the file here: 0644 → 0755 (as on the machine that made
    // it executable), a stricter 0640 → 0750; a file private here stays private.
    expect(liveMode({ exec: true, private: false, current: 0o644 })).toBe(0o755);
    expect(liveMode({ exec: true, private: false, current: 0o640 })).toBe(0o750);
    expect(liveMode({ exec: true, private: false, current: 0o600 })).toBe(0o700);
    expect(liveMode({ exec: false, private: false, current: 0o755 })).toBe(0o644); // exec taken away
    expect(liveMode({ exec: true, private: false, current: 0o755 })).toBe(0o755);
    // Read-only here stays read-only (the record knows nothing of it).
    expect(liveMode({ exec: false, private: false, current: 0o444 })).toBe(0o444);
    expect(liveMode({ exec: true, private: false, current: 0o444 })).toBe(0o555);
    expect(liveMode({ exec: false, private: true, current: 0o400 })).toBe(0o400);
    expect(liveMode({ exec: false, private: true, current: 0o644 })).toBe(0o600);
  });

  it('modes.json merges path by path and private wins', async () => {
    const m = await modesCodec.merge(Buffer.from(serializeModes(['a', 'b'])), Buffer.from(serializeModes(['a'])), Buffer.from(serializeModes(['a', 'b', 'c'])));
    expect(m.clean && [...parseModes(m.content)].sort()).toEqual(['a', 'c']);
  });

  it('a modes.json side that cannot be read makes nothing public: every path a readable side keeps private stays so', async () => {
    const cut = Buffer.from('{"version":1,"modes":{"a');
    const m = await modesCodec.merge(Buffer.from(serializeModes(['a', 'b'])), Buffer.from(serializeModes(['a', 'b'])), cut);
    expect(m.clean && [...parseModes(m.content)].sort()).toEqual(['a', 'b']);
    const r = await modesCodec.merge(cut, Buffer.from(serializeModes(['a'])), Buffer.from(serializeModes(['c'])));
    expect(r.clean && [...parseModes(r.content)].sort()).toEqual(['a', 'c']);
  });
});

describe('links', () => {
  it('a target inside home is stored relative to home and re-rooted', () => {
    expect(encodeLinkTarget('/home/a/dotfiles/zshrc', '/home/a/.zshrc', '/home/a')).toEqual({ ok: true, stored: '~/dotfiles/zshrc' });
    expect(decodeLinkTarget('~/dotfiles/zshrc', '/Users/b')).toBe('/Users/b/dotfiles/zshrc');
    expect(encodeLinkTarget('dotfiles/zshrc', '/home/a/.zshrc', '/home/a')).toEqual({ ok: true, stored: 'dotfiles/zshrc' });
  });
  it('a target outside home is not synced, with a reason', () => {
    const r = encodeLinkTarget('/etc/hosts', '/home/a/.hosts', '/home/a');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/outside your home folder/);
    expect(encodeLinkTarget('../../etc/x', '/home/a/.x', '/home/a').ok).toBe(false);
  });
});

describe('status: one derivation for every host', () => {
  const facts = (over: Partial<StatusFacts> = {}): StatusFacts => ({
    lifecycle: 'running',
    paused: false,
    configError: null,
    work: null,
    pendingLocal: 0,
    remote: 'x',
    ahead: 0,
    skipped: [],
    uncommitted: false,
    dirtyWhilePaused: false,
    lastResult: null,
    ...over,
  });
  it('safe only when nothing waits', () => {
    expect(derive(facts()).safeToShutDown).toBe(true);
    expect(derive(facts({ configError: 'bad' })).safeToShutDown).toBe(false);
    expect(derive(facts({ ahead: 1 })).safeToShutDown).toBe(false);
    expect(derive(facts({ ahead: 1, remote: null })).safeToShutDown).toBe(true);
    expect(derive(facts({ skipped: [{ path: 'x', reason: 'secret', unsynced: true, direction: 'outgoing' }] })).safeToShutDown).toBe(false);
    expect(derive(facts({ skipped: [{ path: 'x', reason: 'too large', unsynced: false, direction: 'outgoing' }] })).safeToShutDown).toBe(true);
    expect(derive(facts({ work: 'pushing' })).safeToShutDown).toBe(false);
    expect(derive(facts({ lifecycle: 'starting' })).safeToShutDown).toBe(false);
  });
  it('an open conflict does not change "safe": everything is committed and pushed', () => {
    const r = { kind: 'conflict' as const, message: '', committed: 0, applied: 0, pushed: true, conflicts: 1, at: 1, skipped: [], warnings: [] };
    expect(derive(facts({ lastResult: r })).safeToShutDown).toBe(true);
    expect(derive(facts({ lastResult: { ...r, kind: 'nothing-to-do' } })).safeToShutDown).toBe(true);
  });
  it('phase priority', () => {
    expect(derive(facts({ lifecycle: 'stopped', work: 'pushing' })).phase).toBe('stopped');
    expect(derive(facts({ paused: true })).phase).toBe('paused');
    expect(derive(facts({ work: 'applying' })).phase).toBe('applying');
    expect(derive(facts({ lastResult: { kind: 'offline', message: '', committed: 0, applied: 0, pushed: false, conflicts: 0, at: 1, skipped: [], warnings: [] } })).phase).toBe('offline');
    expect(derive(facts({ configError: 'x' })).phase).toBe('error');
  });
});

describe('result words', () => {
  const t = { committed: 0, applied: 0, pushed: 0, conflicts: 0, skipped: [], warnings: [] };
  it('never "up to date" while something waits', () => {
    expect(resultWords('nothing-to-do', t, 0, 0)).toBe('Everything is up to date');
    expect(resultWords('nothing-to-do', { ...t, skipped: [{ path: 'x', reason: 'secret', unsynced: true, direction: 'outgoing' as const }] }, 0, 0)).toBe('1 file not synced (see skipped)');
    expect(resultWords('nothing-to-do', t, 1, 0)).toBe('1 conflict needs you');
    expect(resultWords('ok', { ...t, committed: 10002, pushed: 1 }, 0, 0)).toBe('Synced: 10,002 files committed, 1 commit pushed');
  });
});

describe('path arguments', () => {
  const home = '/home/u';
  const map = new PathMap(
    {
      liveToRepo: (abs) => (abs === '/home/u/.zshrc' ? 'zsh/.zshrc' : abs.startsWith('/home/u/.config/nvim/') ? `nvim/.config/nvim/${abs.slice('/home/u/.config/nvim/'.length)}` : null),
      repoToLive: (p) => (p === 'zsh/.zshrc' ? '/home/u/.zshrc' : p.startsWith('nvim/.config/nvim/') ? `/home/u/.config/nvim/${p.slice('nvim/.config/nvim/'.length)}` : null),
    },
    home,
  );
  const known = ['zsh/.zshrc', 'nvim/.config/nvim/init.lua'];
  it('live (absolute or ~/) and repo paths name the same file', () => {
    expect(map.resolveArg('~/.zshrc', known)).toEqual({ ok: true, repoPath: 'zsh/.zshrc' });
    expect(map.resolveArg('/home/u/.zshrc', known)).toEqual({ ok: true, repoPath: 'zsh/.zshrc' });
    expect(map.resolveArg('zsh/.zshrc', known)).toEqual({ ok: true, repoPath: 'zsh/.zshrc' });
  });
  it('an unknown path names the closest synced one', () => {
    const r = map.resolveArg('~/.zshrcc', known);
    expect(r).toEqual({ ok: false, message: expect.stringMatching(/did you mean ~\/\.zshrc\?/) });
    const q = map.resolveArg('nvim/.config/nvim/init.lau', known);
    expect(!q.ok && q.message).toMatch(/did you mean nvim\/\.config\/nvim\/init\.lua\?/);
    expect(map.resolveArg('../etc/passwd', known).ok).toBe(false);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
  it('a conflict copy beside a file entry maps both ways', () => {
    expect(map.toLive('zsh/.zshrc.conflict-a-20261204-101010')).toBe('/home/u/.zshrc.conflict-a-20261204-101010');
    expect(map.toRepo('/home/u/.zshrc.conflict-a-20261204-101010')).toBe('zsh/.zshrc.conflict-a-20261204-101010');
  });
});
