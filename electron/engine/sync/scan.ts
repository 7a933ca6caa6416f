/**
 * The candidates of a reconcile pass: every file the enabled profiles hold (a full scan), the paths
 * the watcher saw, or the repo paths a merge changed, each with its live place on this machine. A path
 * the scan could not vouch for (unreadable, skipped) keeps its state: it is never taken as a deletion.
 */
import { rm, readdir } from 'node:fs/promises';
import { lstatSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SyncContext } from './context.js';
import type { TreeEntry } from '../git/tree.js';
import { LIVE_TEMP_RE } from '../mirror/live.js';
import { patchState, pushError } from '../state/app-store.js';
import { SPECIAL, type ReconcileReport } from './pass.js';

/** What the scan already knows of a live file (one lstat): the fast path needs no second look. */
export interface CandidateStat {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  mode: number;
  symlink: boolean;
}

export interface Candidate {
  path: string;
  live: string;
  stat?: CandidateStat;
}


/** Every candidate path: what the scan found, what the snapshot knew, what HEAD holds. */
export async function scanAll(c: SyncContext, head: Map<string, TreeEntry>, report: ReconcileReport): Promise<Candidate[]> {
  const t0 = performance.now();
  const s = c.settings();
  // One candidate per repo path; a scanned file's own record is its stat (ScannedFile has those fields).
  const out = new Map<string, Candidate>();
  const trusted: string[] = [];
  const profiles = c.profiles.enabled();
  let total = 0;
  patchState(c.store, 'scan', { running: true, scanned: 0, total: 0 });
  const isIgnored = c.ignore();
  const fileCounts = new Map<string, number>();
  const unsure = new Set<string>();
  const unsureDirs: string[] = [];
  // Temp files of our own atomic live writes survive only a crash mid-write (every live write runs
  // under the repo mutex, as this scan does): never synced, and removed here.
  const staleTemps: string[] = [];
  for (const p of profiles) {
    const r = await c.profiles.scan(p, {
      maxFiles: s.sync.maxFilesPerProfile,
      // Sizes are judged per path by the rule (a large file that is unchanged holds nothing back).
      maxFileBytes: Number.MAX_SAFE_INTEGER,
      isIgnored: (abs, isDir) => {
        if (!isDir && LIVE_TEMP_RE.test(basename(abs))) {
          staleTemps.push(abs);
          return true;
        }
        return isIgnored(abs, isDir);
      },
      // While walking the total is not known yet (0: the UI shows an indeterminate bar).
      onProgress: (n) => patchState(c.store, 'scan', { scanned: total + n, total: 0 }),
    });
    if (r.tooMany) {
      const msg = `Profile "${p.name}" matches more than ${s.sync.maxFilesPerProfile.toLocaleString('en-US')} files; it is not synced until its paths are narrowed or the limit (sync.maxFilesPerProfile) is raised`;
      c.profiles.setError(p.name, msg);
      pushError(c.store, 'profiles', msg);
      report.skipped.push({ path: p.entries[0]?.abs ?? p.name, reason: msg, unsynced: true, direction: 'outgoing' });
      continue;
    }
    c.profiles.setError(p.name, null);
    // An entry that is itself a link to a folder (a dotfile manager's `~/dots → ~/dotfiles/dots`) is
    // synced as the link it is: its files are not, and the person is told where to point the profile.
    for (const e of p.entries) {
      const to = linkedFolder(e.abs);
      if (to) report.notices.push(`${c.paths.pretty(e.abs)} (profile "${p.name}") is a link to the folder ${c.paths.pretty(to)}: the link is synced as a link, the files in that folder are not; point the profile at ${c.paths.pretty(to)} to sync them`);
    }
    total += r.files.length;
    fileCounts.set(p.name, r.files.length);
    trusted.push(`${p.name}/`);
    // Paths the scan could not vouch for keep their state: they are never taken as deletions.
    for (const sk of r.skipped) {
      report.skipped.push({ path: sk.path, reason: sk.reason, unsynced: false, direction: 'outgoing' });
      const repo = c.paths.toRepo(sk.path);
      if (repo) unsure.add(repo);
    }
    for (const e of r.errors) {
      report.skipped.push({ path: e.path, reason: `unreadable: ${e.message}`, unsynced: hasSyncedUnder(c, e.path), direction: 'outgoing' });
      const repo = c.paths.toRepo(e.path);
      if (repo) {
        unsure.add(repo);
        unsureDirs.push(`${repo}/`);
      }
    }
    for (const f of r.files) {
      const repo = c.paths.used(f.repo); // this machine's variant of the file, if it has one
      if (unsure.has(repo)) continue;
      out.set(repo, { path: repo, live: f.abs, stat: f });
    }
  }
  staleTemps.push(...(await staleTempsBeside(profiles)));
  for (const t of staleTemps) await rm(t, { force: true }).catch(() => undefined);
  // Looking at the files comes next (reconcile.ts): `scanned` counts them against this total.
  patchState(c.store, 'scan', { running: true, scanned: 0, total });
  patchState(c.store, 'watch', { filesWatched: total });
  c.store.setState((st) => ({ profiles: st.profiles.map((ps) => ({ ...ps, files: fileCounts.get(ps.name) ?? (ps.enabled ? ps.files : 0) })) }));
  const isUnsure = (p: string) => unsure.has(p) || unsureDirs.some((d) => p.startsWith(d));
  // A path synced here before but out of scope now (its profile off or gone, excluded, ignored) is not
  // looked at, and its entry goes dormant: whatever happens to its live file meanwhile is not synced,
  // so a file missing when the path comes back is no deletion to send (see SnapshotEntry.dormant).
  const consider = (p: string, synced: boolean) => {
    if (out.has(p) || p.startsWith(SPECIAL) || isUnsure(p)) return;
    const live = c.paths.toLive(p);
    if (!live) {
      if (synced) c.snapshot.markDormant(p);
      return;
    }
    if (!trusted.some((t) => p.startsWith(t))) return;
    // Ignored paths are not synced, whoever's commit holds them (as the watcher and a watched pass do).
    if (isIgnored(live, false)) {
      if (synced) c.snapshot.markDormant(p);
      return;
    }
    out.set(p, { path: p, live });
  };
  for (const p of c.snapshot.paths()) consider(p, true);
  for (const p of head.keys()) consider(p, false);
  c.events.emit('scanned', { ms: performance.now() - t0, files: total });
  return [...out.values()];
}

/** True when the snapshot holds a synced file at or under `abs` (an unreadable folder may hide edits). */
function hasSyncedUnder(c: SyncContext, abs: string): boolean {
  const repo = c.paths.toRepo(abs);
  if (!repo) return false;
  for (const p of c.snapshot.paths()) if (p === repo || p.startsWith(`${repo}/`)) return true;
  return false;
}

export function fromRepo(c: SyncContext, repoPaths: string[]): Candidate[] {
  const out: { path: string; live: string }[] = [];
  const isIgnored = c.ignore();
  for (const p of new Set(repoPaths)) {
    if (p.startsWith(SPECIAL) || !c.profiles.forRepoPath(p)) continue;
    const live = c.paths.toLive(p);
    if (live && !isIgnored(live, false)) out.push({ path: p, live });
  }
  return out;
}

export function fromLive(c: SyncContext, livePaths: string[]): Candidate[] {
  const out = new Map<string, string>();
  const isIgnored = c.ignore();
  for (const live of livePaths) {
    if (isIgnored(live)) continue;
    const repo = c.paths.toRepo(live);
    if (repo && !repo.startsWith(SPECIAL)) out.set(repo, live);
  }
  return [...out].map(([path, live]) => ({ path, live }));
}

/**
 * Crash leftovers of live writes to the entries themselves (`~/.zshrc` → `~/..zshrc.confsync-<hex>.tmp`):
 * they sit beside the entry, outside what the scan walks. Only temps named after an entry match.
 */
async function staleTempsBeside(profiles: { entries: readonly { abs: string; glob: string | null }[] }[]): Promise<string[]> {
  const byDir = new Map<string, Set<string>>();
  for (const p of profiles) {
    for (const e of p.entries) {
      if (e.glob) continue;
      const d = dirname(e.abs);
      if (!byDir.has(d)) byDir.set(d, new Set());
      byDir.get(d)!.add(basename(e.abs));
    }
  }
  const out: string[] = [];
  for (const [dir, names] of byDir) {
    const list = await readdir(dir).catch(() => [] as string[]);
    for (const n of list) {
      const m = /^\.(.+)\.confsync-[0-9a-f]{8}\.tmp$/.exec(n);
      if (m && names.has(m[1])) out.push(join(dir, n));
    }
  }
  return out;
}

/** The folder a link at `abs` points to (resolved), or null when `abs` is no link to a folder. */
function linkedFolder(abs: string): string | null {
  try {
    if (!lstatSync(abs).isSymbolicLink()) return null;
    return statSync(abs).isDirectory() ? realpathSync(abs) : null;
  } catch {
    return null;
  }
}
