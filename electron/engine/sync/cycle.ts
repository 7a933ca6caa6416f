/**
 * One sync cycle, with one exit: local edits → fetch → merge (the rule, per path) → apply → push.
 * Every way out builds its SyncResult in `done()`, which carries the pass's skips and warnings, so no
 * result can say "Everything is up to date" while a file was held back, skipped, or a conflict waits.
 */
import type { SyncContext } from './context.js';
import type { Reconciler, ReconcileReport } from './reconcile.js';
import { mergeRemote } from './merge.js';
import { convertRepoForms } from './repo-form.js';
import { fetchRemote, remoteWasRewritten, markRemoteSeen, REMOTE_REF, SEEN_REF } from '../git/fetch.js';
import { readHead, readRef, readRefs } from '../git/refs.js';
import { pushCommit } from '../git/push.js';
import { revParse, countCommits, mergeBase, EMPTY_TREE } from '../git/tree.js';
import { lastTouch } from '../git/log.js';
import { stageAndCommit } from '../git/commit.js';
import { changedEntries } from '../git/diff.js';
import { MARKER_DIR } from '../git/init.js';
import { blobAt } from '../git/tree.js';
import { writeRepoFile } from '../mirror/worktree.js';
import { PROFILES_REL } from '../profiles-set.js';
import { MODES_REL, parseModes } from './modes.js';
import { isSuccess, type SkippedFile, type SyncResult, type SyncResultKind } from '../../../shared/state.js';
import { pushActivity } from '../state/app-store.js';
import { plural } from '../../../shared/state.js';

export interface CycleOptions {
  reason: string;
  adoptRemote?: boolean;
  /** Scan every file for local edits (else trust the watcher). */
  full: boolean;
  /** Apply changes from other machines even in 'ask' mode (the person reviewed them). */
  apply?: boolean;
}

export interface CycleHooks {
  /** Profiles and conflicts files may have changed (a merge): reload them. */
  /** Returns notices for the person (a profile on here whose definition went). */
  reloadRepoFiles(): Promise<string[]>;
  /** A full scan is wanted next time (a pass could not finish). */
  requestFullScan(): void;
}

interface Tally {
  committed: number;
  applied: number;
  pushed: number;
  conflicts: number;
  skipped: SkippedFile[];
  warnings: string[];
  looked: string[];
  full: boolean;
}

const FAILURE_WORDS: Partial<Record<SyncResultKind, string>> = {
  'auth-failed': 'The remote refused our credentials (check your ssh key or credential helper)',
  'host-key-changed': "The remote's ssh host key changed: check it before trusting it again",
  rejected: 'The remote rejected the push',
  'disk-full': 'Disk full: changes wait and will sync when space frees up',
  timeout: 'The remote did not answer in time',
  error: 'Sync failed',
};

export async function runCycle(c: SyncContext, reconciler: Reconciler, hooks: CycleHooks, o: CycleOptions): Promise<SyncResult> {
  const s = c.settings();
  const at = Date.now();
  const t: Tally = { committed: 0, applied: 0, pushed: 0, conflicts: 0, skipped: [], warnings: [], looked: [], full: o.full };
  const add = (r: ReconcileReport) => {
    t.committed += r.committed.length;
    t.applied += r.applied.length;
    t.conflicts += r.conflicts.length;
    t.skipped.push(...r.skipped);
    t.looked.push(...r.looked);
    for (const e of r.errors.slice(0, 5)) t.warnings.push(e);
    for (const n of r.notices ?? []) t.warnings.push(n);
  };
  /** Commits here that the remote lacks: null until known (then counted once, at the end). */
  let ahead: number | null = null;
  const done = async (kind: SyncResultKind, message: string | null, detail?: string): Promise<SyncResult> => {
    if (s.remote.url && ahead === null) ahead = await aheadCount(c);
    const n = s.remote.url ? (ahead ?? 0) : 0;
    c.status.set({ ahead: n, remote: s.remote.url });
    const head = readHead(c.repoDir);
    c.store.setState((st) => ({ repo: { ...st.repo, head, transfer: null, ...(kind === 'ok' || kind === 'nothing-to-do' || kind === 'conflict' ? { behind: 0 } : {}) } }));
    const open = c.conflicts.size;
    const words = message ?? resultWords(kind, t, open, n);
    const result: SyncResult = {
      kind: kind === 'nothing-to-do' && (t.committed || t.applied || t.pushed) ? 'ok' : kind === 'ok' && t.conflicts ? 'conflict' : kind,
      message: words,
      ...(detail ? { detail: detail.slice(0, 4000) } : {}),
      committed: t.committed,
      applied: t.applied,
      pushed: s.remote.url ? n === 0 : false,
      conflicts: t.conflicts,
      at,
      skipped: dedupeSkips(t.skipped),
      warnings: [...new Set(t.warnings)],
    };
    return result;
  };

  if (s.paused && o.reason !== 'manual-override') return done('nothing-to-do', 'Sync is paused');
  if (c.status.get().configError) return done('error', `Settings file problem: ${c.status.get().configError}`);

  // A fresh repo (nothing but its first commit) joins the remote's history before it commits anything
  // of its own, so a joining machine meets the repo's versions file by file (policy 2), not as a merge
  // of two unrelated histories.
  if (s.remote.url && (await isPristine(c))) {
    const f = await c.status.during('pulling', () => fetchRemote(c.git, s.remote.branch, transferTo(c)));
    if (f.kind === 'ok' && f.remoteHead && (await remoteIsConfSync(c, f.remoteHead))) {
      await adoptRemote(c, f.remoteHead);
      await markRemoteSeen(c.git, f.remoteHead);
      t.warnings.push(...(await hooks.reloadRepoFiles()));
      // Before this machine's files meet the repo's: binary plists an older version stored as they were.
      await convertRepoForms(c, { force: true });
    }
  }
  // Once per clone: what this clone's HEAD still holds in an older repo form (repo-form.ts).
  await convertRepoForms(c);

  const local = await c.status.during('scanning', () => (o.full ? reconciler.run({ all: true }, { reason: o.reason }) : Promise.resolve(null)));
  if (local) {
    add(local);
    // Versions the repo had that this machine lacked (a machine that just joined, a profile newly on).
    if (local.applied.length) await arrived(c, local.applied, 'HEAD');
    if (local.failure) {
      hooks.requestFullScan();
      return done(local.failure.kind, local.failure.kind === 'disk-full' ? 'Disk full: changes wait on disk and will be committed when space frees up' : 'Could not commit', local.failure.message);
    }
  }
  if (!s.remote.url) return done('local-only', null);

  const branch = s.remote.branch;
  for (let attempt = 0; attempt < 3; attempt++) {
    const f = await c.status.during('pulling', () => fetchRemote(c.git, branch, transferTo(c)));
    if (f.kind !== 'ok') return done(f.kind, f.kind === 'offline' ? null : (FAILURE_WORDS[f.kind] ?? 'Sync failed'), f.message);
    c.store.setState((st) => ({ repo: { ...st.repo, lastFetchAt: Date.now() } }));
    // The refs from the repo's files (no process); everything below is skipped when nothing new arrived.
    const remoteHead = f.remoteHead;
    const seen = readRef(c.repoDir, SEEN_REF) ?? (await readRefs(c.git, [SEEN_REF])).get(SEEN_REF) ?? null;
    if (remoteHead && remoteHead !== seen) {
      if (!o.adoptRemote && (await remoteWasRewritten(c.git, remoteHead))) {
        const head0 = readHead(c.repoDir);
        const unrelated = head0 !== null && (await mergeBase(c.git, head0, remoteHead)) === null;
        return done(
          'remote-rewritten',
          unrelated
            ? "The remote now holds a history with nothing in common with this machine's (the repository was recreated, or another one is at that address). Nothing was merged or pushed; your files and commits are safe. If it is yours, `confsync sync --adopt-remote` merges it: where both hold a file differently, this machine's stays and the other goes beside it."
            : 'The remote history was rewritten (force-pushed). Nothing was merged or pushed; your local commits are safe. Run `confsync sync --adopt-remote` to merge the new remote history.',
        );
      }
      const head = readHead(c.repoDir);
      const related = head ? (await mergeBase(c.git, head, remoteHead)) !== null : true;
      if (!related && !(await remoteIsConfSync(c, remoteHead))) {
        return done('not-confsync-repo', `The remote branch ${branch} holds a repository that is not a ConfSync repo (no ${MARKER_DIR}/ folder). Nothing was merged or pushed.`);
      }
      // 'ask' mode: changes from other machines wait for the person's review (this machine's own
      // commits stay here meanwhile; they are pushed with the next approved sync).
      if (s.sync.applyIncoming === 'ask' && !o.apply) {
        const n = await incomingFiles(c, head, remoteHead);
        if (n > 0) {
          c.store.setState((st) => ({ repo: { ...st.repo, incomingWaiting: n } }));
          return done('waiting', `${plural(n, 'change')} from other machines waiting for your review (apply them with Review → Apply, or \`confsync sync --apply\`)`);
        }
      }
      const m = await c.status.during('pulling', () => mergeRemote(c, REMOTE_REF(branch), { established: seen !== null }));
      c.store.setState((st) => (st.repo.incomingWaiting ? { repo: { ...st.repo, incomingWaiting: 0 } } : {}));
      if (m.kind === 'error' || m.kind === 'disk-full') return done(m.kind, FAILURE_WORDS[m.kind] ?? 'Sync failed', m.message);
      await markRemoteSeen(c.git, remoteHead);
      if (m.kind === 'merged' || m.kind === 'fast-forward') {
        // HEAD moved to a descendant of where it was: the snapshot's anchor moves with it (no check).
        if (m.from && c.snapshot.commit === m.from) c.snapshot.anchorTo(m.to);
        t.warnings.push(...(await hooks.reloadRepoFiles()));
        if (m.kind === 'merged' && m.conflicts.length) {
          t.conflicts += m.conflicts.length;
          for (const x of m.conflicts) pushActivity(c.store, 'conflict', `${x.path.split('/').pop()}: ${x.atPath.host} and ${x.other.host} both changed it; both versions are kept`);
          c.ports.notify({ kind: 'conflict', title: `${plural(m.conflicts.length, 'conflict')} ${m.conflicts.length === 1 ? 'needs' : 'need'} you`, body: m.conflicts.map((x) => x.path.split('/').pop()).join(', '), tab: 'conflicts' });
        }
        // Apply exactly what the merge changed (everything when the profiles changed with it).
        const changed = (await c.git.raw(['diff', '--name-only', '-z', '--no-renames', m.from ?? EMPTY_TREE, m.to], { readonly: true })).split('\0').filter(Boolean);
        // A change of privacy alone (chmod 600 elsewhere) shows only in modes.json: apply those paths too.
        if (changed.includes(MODES_REL)) changed.push(...(await privacyChanges(c, m.from, m.to)));
        const after = await c.status.during('applying', () => (changed.includes(PROFILES_REL) ? reconciler.run({ all: true }, { reason: 'apply' }) : reconciler.run({ repoPaths: changed }, { reason: 'apply' })));
        add(after);
        if (after.failure) return done(after.failure.kind, 'Could not commit', after.failure.message);
        if (after.applied.length) await arrived(c, after.applied, remoteHead);
      }
    }
    const head = readHead(c.repoDir);
    ahead = head && head === remoteHead ? 0 : await aheadCount(c);
    if (ahead === 0 && remoteHead) break;
    // Push the commit we looked at by oid: the bookkeeping then describes exactly what the remote has.
    const pushing = head ?? (await revParse(c.git, 'HEAD'))!;
    const p = await c.status.during('pushing', () => pushCommit(c.git, pushing, branch, transferTo(c)));
    if (p.kind === 'ok') {
      await c.git.run(['update-ref', '--stdin'], { input: `update ${REMOTE_REF(branch)} ${pushing}\nupdate ${SEEN_REF} ${pushing}\n` });
      c.store.setState((st) => ({ repo: { ...st.repo, lastPushAt: Date.now() } }));
      pushActivity(c.store, 'pushed', `Pushed ${plural(ahead, 'commit')}`);
      t.pushed += ahead;
      c.events.emit('pushed', { head: pushing, commits: ahead });
      ahead = 0;
      break;
    }
    if (p.kind === 'rejected' && attempt < 2) continue; // someone pushed first: fetch, merge, retry
    ahead = null;
    return done(p.kind, p.kind === 'offline' ? null : (FAILURE_WORDS[p.kind] ?? 'Sync failed'), p.message);
  }
  return done(t.conflicts ? 'conflict' : t.committed || t.applied || t.pushed ? 'ok' : 'nothing-to-do', null);
}

/** The words of a result: what happened, then what needs the person. Never "up to date" when something waits. */
export function resultWords(kind: SyncResultKind, t: Pick<Tally, 'committed' | 'applied' | 'pushed' | 'conflicts' | 'skipped' | 'warnings'>, openConflicts: number, ahead: number): string {
  if (kind === 'offline') return ahead ? `Offline: ${plural(ahead, 'commit')} waiting` : 'Offline: nothing waiting to be sent';
  if (!isSuccess(kind)) return FAILURE_WORDS[kind] ?? 'Sync failed';
  const did: string[] = [];
  if (t.committed) did.push(`${plural(t.committed, 'file')} committed`);
  if (t.applied) did.push(`${plural(t.applied, 'file')} applied`);
  if (t.pushed) did.push(`${plural(t.pushed, 'commit')} pushed`);
  const needs: string[] = [];
  const skipped = dedupeSkips(t.skipped);
  const held = skipped.filter((x) => x.unsynced).length;
  if (openConflicts) needs.push(`${plural(openConflicts, 'conflict')} need${openConflicts === 1 ? 's' : ''} you`);
  if (held) needs.push(`${plural(held, 'file')} not synced (see skipped)`);
  const other = skipped.length - held;
  if (other) needs.push(`${plural(other, 'file')} skipped`);
  if (t.warnings.length) needs.push(plural(t.warnings.length, 'warning'));
  const head = did.length ? `Synced: ${did.join(', ')}` : '';
  const tail = needs.join('; ');
  if (kind === 'local-only') return [did.length ? `Saved here: ${did.join(', ')} (no remote set)` : 'Nothing new to save (no remote set)', tail].filter(Boolean).join('; ');
  if (!head && !tail) return 'Everything is up to date';
  return [head, tail].filter(Boolean).join('; ');
}

function dedupeSkips(list: SkippedFile[]): SkippedFile[] {
  const m = new Map<string, SkippedFile>();
  for (const s of list) {
    const prev = m.get(s.path);
    if (!prev || (s.unsynced && !prev.unsynced)) m.set(s.path, s);
  }
  return [...m.values()].slice(0, 500);
}

/** Paths whose private flag differs between two commits' `.confsync/modes.json`. */
async function privacyChanges(c: SyncContext, from: string | null, to: string): Promise<string[]> {
  const before = parseModes(from ? await blobAt(c.git, from, MODES_REL) : null);
  const after = parseModes(await blobAt(c.git, to, MODES_REL));
  return [...before, ...after].filter((p) => before.has(p) !== after.has(p));
}

/** Tells the person what arrived, naming the machine it came from (the remote side, not our merge). */
async function arrived(c: SyncContext, paths: string[], rev: string): Promise<void> {
  const from = (await lastTouch(c.git, rev, paths[0])).host;
  const words = arrivedWords(paths, from);
  pushActivity(c.store, 'arrived', words);
  c.ports.notify({ kind: 'arrived', title: 'Changes arrived', body: words, tab: 'history' });
  c.events.emit('applied', { paths, from });
}

function arrivedWords(paths: string[], host: string): string {
  if (paths.length === 1) return `${paths[0].split('/').pop()} arrived from ${host}`;
  return `${paths.length.toLocaleString('en-US')} files arrived from ${host}`;
}

export async function aheadCount(c: SyncContext): Promise<number> {
  const b = c.settings().remote.branch;
  const remote = readRef(c.repoDir, REMOTE_REF(b));
  if (remote && remote === readHead(c.repoDir)) return 0;
  return remote ? countCommits(c.git, `${REMOTE_REF(b)}..HEAD`) : countCommits(c.git, 'HEAD');
}

/** True when the repo holds only the initial commit, with nothing but the .confsync/ folder. */
/** Files here that the remote changed since the histories met (what 'ask' mode holds back). */
async function incomingFiles(c: SyncContext, head: string | null, remoteHead: string): Promise<number> {
  const base = head ? await mergeBase(c.git, head, remoteHead) : null;
  let n = 0;
  for (const ch of await changedEntries(c.git, base, remoteHead)) if (!ch.path.startsWith(`${MARKER_DIR}/`) && c.paths.toLive(ch.path)) n++;
  return n;
}

/** Shows a transfer's object counts (throttled), and clears them when it ends. */
function transferTo(c: SyncContext): (t: { what: 'sending' | 'receiving'; done: number; total: number }) => void {
  let shownAt = 0;
  return (t) => {
    const now = Date.now();
    if (t.done < t.total && now - shownAt < 100) return;
    shownAt = now;
    c.store.setState((st) => ({ repo: { ...st.repo, transfer: t.done >= t.total ? null : t } }));
  };
}

export async function isPristine(c: SyncContext): Promise<boolean> {
  // Cheap first: a repo that ever fetched is not pristine (read from its files, no process).
  if (readRef(c.repoDir, REMOTE_REF(c.settings().remote.branch))) return false;
  if ((await countCommits(c.git, 'HEAD')) > 1) return false;
  const top = (await c.git.raw(['ls-tree', '--name-only', 'HEAD'], { readonly: true }).catch(() => '')).split('\n').filter(Boolean);
  return top.every((n) => n === MARKER_DIR);
}

async function remoteIsConfSync(c: SyncContext, remoteHead: string): Promise<boolean> {
  const out = await c.git.raw(['ls-tree', '--name-only', remoteHead], { readonly: true }).catch(() => '');
  return out.split('\n').includes(MARKER_DIR);
}

/** Joins the remote's history; the profile definitions made here before joining are merged into its own. */
async function adoptRemote(c: SyncContext, remoteHead: string): Promise<void> {
  const mine = await blobAt(c.git, 'HEAD', PROFILES_REL);
  await c.git.raw(['reset', '-q', '--hard', remoteHead]);
  if (mine) {
    const theirs = await blobAt(c.git, 'HEAD', PROFILES_REL);
    const merged = theirs ? await c.formats.merge(PROFILES_REL, null, mine, theirs) : { clean: true as const, content: mine, how: 'identical' as const };
    if (merged.clean && (!theirs || !merged.content.equals(theirs))) {
      await writeRepoFile(c.repoDir, PROFILES_REL, merged.content, '100644');
      await stageAndCommit(c.git, [PROFILES_REL], `${c.host}: keep profiles defined before joining`, c.host);
    }
  }
  pushActivity(c.store, 'info', `Joined the remote's history`);
}
