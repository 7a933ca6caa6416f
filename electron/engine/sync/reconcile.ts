/**
 * Reconcile: the live files against the repo's HEAD, path by path, through the one rule.
 *
 *   gather  B (this machine's snapshot), L (the live file), R (HEAD) for each candidate path
 *   decide  sync/rule.ts, pure; holds are asked for only when a version would cross
 *   carry out  removals first (deepest first), then writes (shallowest first), each re-checked
 *              against the live file right before it happens; repo changes staged into ONE commit
 *   record  snapshot entries only after the commit or live write they describe, so a crash anywhere
 *           is repaired by running the pass again
 *
 * The same pass finds edits made while ConfSync was not running, commits watched edits, and applies
 * what a merge brought in.
 */
import { lstat, readdir, rm, access } from 'node:fs/promises';
import { lstatSync, constants as fsConstants } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { decide, same, mergeMode, ABSENT, DIR, type Decision, type Version, type RuleInput } from './rule.js';
import type { SyncContext } from './context.js';
import { readLive, writeLive, deleteLive, chmodLive, encodeLinkTarget, decodeLinkTarget, LIVE_TEMP_RE, type LiveRead, type LiveContent } from '../mirror/live.js';
import { writeRepoFile, removeRepoFile } from '../mirror/worktree.js';
import { lsTree, foldersOf, type TreeEntry } from '../git/tree.js';
import { stageAndCommit, renderCommitMessage } from '../git/commit.js';
import { lastTouch } from '../git/log.js';
import { blobOid } from '../snapshot/hash.js';
import type { SnapshotEntry } from '../snapshot/snapshot.js';
import { isConflictCopy, conflictCopyName, CONFLICTS_REL, type StoredConflict } from './conflicts.js';
import { isPrivateMode, liveMode, MODES_REL } from './modes.js';
import { tooLargeReason, formatBytes } from '../profiles/scan.js';
import { MARKER_DIR } from '../git/init.js';
import { pushActivity, pushError, patchState } from '../state/app-store.js';
import type { SkippedFile } from '../../../shared/state.js';

export type Scope = { all: true } | { livePaths: string[] } | { repoPaths: string[] };

export interface ReconcileReport {
  committed: string[];
  applied: string[];
  conflicts: StoredConflict[];
  skipped: SkippedFile[];
  errors: string[];
  commit: string | null;
  /** The pass could not write (commit failed, or the disk is full): its edits wait on disk. */
  failure: { kind: 'disk-full' | 'error'; message: string } | null;
  /** Live paths this pass looked at (a partial pass replaces only their skip entries). */
  looked: string[];
  /** What the pass decided, path by path (a dry run stops here). */
  plan: { path: string; live: string; action: string }[];
}

interface Item {
  path: string;
  live: string;
  B: Version;
  L: Version;
  R: Version;
  read: LiveRead;
  head: TreeEntry | null;
  base: SnapshotEntry | null;
  localHeld: string | null;
  remoteHeld: string | null;
  decision: Decision;
  /** The repo's bytes, once read. */
  remoteBytes?: Buffer;
  /** Held because a link sits on the way (the link may be gone after this pass's removals). */
  underLink?: boolean;
}

const SPECIAL = `${MARKER_DIR}/`;

function isDiskFull(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === 'ENOSPC' || /No space left on device|disk quota exceeded/i.test(String((e as Error)?.message ?? e));
}

function versionOfEntry(e: { mode: string; oid: string } | null | undefined, priv: boolean): Version {
  if (!e) return ABSENT;
  if (e.mode === '120000') return { kind: 'link', oid: e.oid };
  return { kind: 'file', oid: e.oid, exec: e.mode === '100755', private: priv };
}

function gitMode(v: Version): string {
  return v.kind === 'link' ? '120000' : v.exec ? '100755' : '100644';
}

export class Reconciler {
  constructor(private readonly c: SyncContext) {}

  async run(scope: Scope, opts: { reason: string; dryRun?: boolean }): Promise<ReconcileReport> {
    const t0 = performance.now();
    const report: ReconcileReport = { committed: [], applied: [], conflicts: [], skipped: [], errors: [], commit: null, failure: null, looked: [], plan: [] };
    const head = await lsTree(this.c.git, 'HEAD');
    const headDirs = foldersOf(head.keys());
    this.c.modes.reload();
    const candidates = 'all' in scope ? await this.scanAll(head, report) : 'livePaths' in scope ? this.fromLive(scope.livePaths) : this.fromRepo(scope.repoPaths);
    const items: Item[] = [];
    for (const cand of candidates) {
      try {
        const it = await this.gather(cand.path, cand.live, head, headDirs);
        if (it) items.push(it);
      } catch (e) {
        this.fail(report, cand.live, e);
      }
    }
    // A repo folder whose every file this pass deletes is not a folder any more: a file may take its
    // place (this machine replaced the folder by a file).
    const deleting = new Set(items.filter((it) => it.decision.action === 'take-local' && (it.L.kind === 'absent' || it.L.kind === 'dir')).map((it) => it.path));
    for (const it of items) {
      if (it.R.kind !== 'dir') continue;
      const prefix = `${it.path}/`;
      let survives = false;
      for (const p of head.keys()) {
        if (p.startsWith(prefix) && !deleting.has(p)) {
          survives = true;
          break;
        }
      }
      if (!survives) {
        it.R = ABSENT;
        it.decision = await this.decideWithHolds(it);
      }
    }
    report.looked = candidates.map((x) => x.live);
    for (const it of items) report.plan.push({ path: it.path, live: it.live, action: it.decision.action });
    if (opts.dryRun) {
      for (const it of items) this.noteHold(it, report);
      return report;
    }

    const stage = new Stage();
    // Removals first, deepest first: a file that became a folder must be gone before its files arrive.
    const removals = items.filter((it) => this.removesLive(it)).sort((a, b) => depth(b.live) - depth(a.live));
    const rest = items.filter((it) => !removals.includes(it));
    for (const it of removals) await this.carryOut(it, head, headDirs, stage, report);
    // Then everything else, shallowest first; a folder emptied by the removals counts as absent now.
    rest.sort((a, b) => depth(a.live) - depth(b.live));
    for (const it of rest) {
      const cur = it.L.kind === 'dir' || it.underLink ? await this.gather(it.path, it.live, head, headDirs) : it;
      if (cur) await this.carryOut(cur, head, headDirs, stage, report);
    }

    await this.commit(stage, report, opts.reason);
    await this.c.snapshot.save();
    this.c.events.emit('reconciled', { ms: performance.now() - t0, scope: 'all' in scope ? 'all' : 'livePaths' in scope ? 'live' : 'repo', paths: candidates.length, reason: opts.reason, commit: report.commit, committed: report.committed });
    return report;
  }

  // ---------------------------------------------------------------------------- candidates

  /** Every candidate path: what the scan found, what the snapshot knew, what HEAD holds. */
  private async scanAll(head: Map<string, TreeEntry>, report: ReconcileReport): Promise<{ path: string; live: string }[]> {
    const t0 = performance.now();
    const s = this.c.settings();
    const out = new Map<string, string>();
    const trusted: string[] = [];
    const profiles = this.c.profiles.enabled();
    let total = 0;
    patchState(this.c.store, 'scan', { running: true, scanned: 0, total: 0 });
    const isIgnored = this.c.ignore();
    const fileCounts = new Map<string, number>();
    const unsure = new Set<string>();
    const unsureDirs: string[] = [];
    // Temp files of our own atomic live writes survive only a crash mid-write (every live write runs
    // under the repo mutex, as this scan does): never synced, and removed here.
    const staleTemps: string[] = [];
    for (const p of profiles) {
      const r = await this.c.profiles.scan(p, {
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
        onProgress: (n) => patchState(this.c.store, 'scan', { scanned: total + n, total: total + n }),
      });
      if (r.tooMany) {
        const msg = `Profile "${p.name}" matches more than ${s.sync.maxFilesPerProfile.toLocaleString('en-US')} files; it is not synced until its paths are narrowed or the limit (sync.maxFilesPerProfile) is raised`;
        this.c.profiles.setError(p.name, msg);
        pushError(this.c.store, 'profiles', msg);
        report.skipped.push({ path: p.entries[0]?.abs ?? p.name, reason: msg, unsynced: true, direction: 'outgoing' });
        continue;
      }
      this.c.profiles.setError(p.name, null);
      total += r.files.length;
      fileCounts.set(p.name, r.files.length);
      trusted.push(`${p.name}/`);
      // Paths the scan could not vouch for keep their state: they are never taken as deletions.
      for (const sk of r.skipped) {
        report.skipped.push({ path: sk.path, reason: sk.reason, unsynced: false, direction: 'outgoing' });
        const repo = this.c.paths.toRepo(sk.path);
        if (repo) unsure.add(repo);
      }
      for (const e of r.errors) {
        report.skipped.push({ path: e.path, reason: `unreadable: ${e.message}`, unsynced: this.hasSyncedUnder(e.path), direction: 'outgoing' });
        const repo = this.c.paths.toRepo(e.path);
        if (repo) {
          unsure.add(repo);
          unsureDirs.push(`${repo}/`);
        }
      }
      for (const f of r.files) if (!unsure.has(f.repo)) out.set(f.repo, f.abs);
    }
    staleTemps.push(...(await staleTempsBeside(profiles)));
    for (const t of staleTemps) await rm(t, { force: true }).catch(() => undefined);
    patchState(this.c.store, 'scan', { running: false, scanned: total, total });
    patchState(this.c.store, 'watch', { filesWatched: total });
    this.c.store.setState((st) => ({ profiles: st.profiles.map((ps) => ({ ...ps, files: fileCounts.get(ps.name) ?? (ps.enabled ? ps.files : 0) })) }));
    const isUnsure = (p: string) => unsure.has(p) || unsureDirs.some((d) => p.startsWith(d));
    const consider = (p: string) => {
      if (out.has(p) || p.startsWith(SPECIAL) || isUnsure(p)) return;
      if (!trusted.some((t) => p.startsWith(t))) return;
      const live = this.c.paths.toLive(p);
      if (live) out.set(p, live);
    };
    for (const p of this.c.snapshot.paths()) consider(p);
    for (const p of head.keys()) consider(p);
    this.c.events.emit('scanned', { ms: performance.now() - t0, files: total });
    return [...out].map(([path, live]) => ({ path, live }));
  }

  /** True when the snapshot holds a synced file at or under `abs` (an unreadable folder may hide edits). */
  private hasSyncedUnder(abs: string): boolean {
    const repo = this.c.paths.toRepo(abs);
    if (!repo) return false;
    for (const p of this.c.snapshot.paths()) if (p === repo || p.startsWith(`${repo}/`)) return true;
    return false;
  }

  private fromRepo(repoPaths: string[]): { path: string; live: string }[] {
    const out: { path: string; live: string }[] = [];
    for (const p of new Set(repoPaths)) {
      if (p.startsWith(SPECIAL) || !this.c.profiles.forRepoPath(p)) continue;
      const live = this.c.paths.toLive(p);
      if (live) out.push({ path: p, live });
    }
    return out;
  }

  private fromLive(livePaths: string[]): { path: string; live: string }[] {
    const out = new Map<string, string>();
    const isIgnored = this.c.ignore();
    for (const live of livePaths) {
      if (isIgnored(live)) continue;
      const repo = this.c.paths.toRepo(live);
      if (repo && !repo.startsWith(SPECIAL)) out.set(repo, live);
    }
    return [...out].map(([path, live]) => ({ path, live }));
  }

  // ---------------------------------------------------------------------------- gather + decide

  private async gather(path: string, live: string, head: Map<string, TreeEntry>, headDirs: Set<string>): Promise<Item | null> {
    const s = this.c.settings();
    const base = this.c.snapshot.get(path) ?? null;
    const h = head.get(path) ?? null;
    const B: Version = base ? versionOfEntry(base, !!base.priv) : ABSENT;
    const R: Version = h ? versionOfEntry(h, this.c.modes.isPrivate(path)) : headDirs.has(path) ? DIR : ABSENT;
    const link = this.linkOnTheWay(live);
    if (link) {
      // Reading or writing here would follow the link out of the profile: the path keeps its state
      // until the link is gone.
      const read: LiveRead = { kind: 'special', what: 'inside a link' };
      return { path, live, B, L: B, R: B, read, head: h, base, localHeld: null, remoteHeld: null, underLink: true, decision: { action: 'hold', side: 'both', reason: `inside ${link}, a symbolic link (links are synced as links, never followed)` } };
    }
    // Fast path: unchanged size and mtime since the last sync, and HEAD still holds the synced version.
    if (base && h && same(B, R) && (await this.unchangedSinceSync(live, base))) return null;
    const read = await readLive(live, s.sync.maxFileBytes);
    let L: Version;
    let localHeld: string | null = null;
    switch (read.kind) {
      case 'absent':
        L = ABSENT;
        break;
      case 'dir':
        L = read.empty ? ABSENT : DIR;
        break;
      case 'file':
        L = { kind: 'file', oid: read.oid, exec: (read.perm & 0o100) !== 0, private: isPrivateMode(read.perm) };
        break;
      case 'link': {
        const enc = encodeLinkTarget(read.target, live, this.c.home);
        if (enc.ok) L = { kind: 'link', oid: blobOid(Buffer.from(enc.stored, 'utf8')) };
        else {
          L = { kind: 'link', oid: `unsyncable:${read.oid}` };
          localHeld = enc.reason;
        }
        break;
      }
      case 'too-large':
        // Unchanged since it was synced (same size and time): it holds nothing back.
        if (base && base.size === read.size && Math.round(base.mtimeMs) === Math.round(read.mtimeMs)) L = B;
        else {
          L = { kind: 'file', oid: `too-large:${read.size}:${read.mtimeMs}` };
          localHeld = tooLargeReason(s.sync.maxFileBytes, read.size);
        }
        break;
      case 'special':
        L = { kind: 'file', oid: 'special' };
        localHeld = read.what;
        break;
      case 'error':
        L = base && (await this.statMatches(live, base)) ? B : { kind: 'file', oid: `unreadable:${read.code ?? ''}` };
        localHeld = `unreadable: ${read.message}`;
        pushError(this.c.store, 'read', `Cannot read ${live}`, read.message);
        break;
    }
    // A file named like a conflict copy that is neither synced nor in the repo is a "keep both"
    // leftover, a plain local file: never synced.
    if (isConflictCopy(path) && B.kind === 'absent' && R.kind === 'absent') return null;
    const it: Item = { path, live, B, L, R, read, head: h, base, localHeld, remoteHeld: null, decision: { action: 'none' } };
    it.decision = await this.decideWithHolds(it);
    // A file that cannot be read is never written over, and the person is told, even when nothing
    // about it seems to have changed.
    if (read.kind === 'error' && it.decision.action !== 'hold') it.decision = { action: 'hold', side: 'local', reason: localHeld! };
    return it;
  }

  /** Decides; asks the guards only when a version would cross, then decides again with their answers. */
  private async decideWithHolds(it: Item): Promise<Decision> {
    const input = (): RuleInput => ({ base: it.B, local: it.L, remote: it.R, localHeld: it.localHeld, remoteHeld: it.remoteHeld });
    let d = decide({ base: it.B, local: it.L, remote: it.R });
    if (d.action === 'none') return d;
    if (!it.localHeld && this.sendsLocal(d, it)) it.localHeld = await this.localHold(it);
    if (!it.remoteHeld && this.writesRemote(d, it)) it.remoteHeld = await this.remoteHold(it);
    d = decide(input());
    return d;
  }

  private sendsLocal(d: Decision, it: Item): boolean {
    if (it.L.kind !== 'file' && it.L.kind !== 'link') return false;
    if (d.action === 'take-local' || d.action === 'merge') return true;
    return d.action === 'conflict' && (d.keep === 'local' || d.other === 'copy');
  }

  private writesRemote(d: Decision, it: Item): boolean {
    if (it.R.kind !== 'file' && it.R.kind !== 'link') return false;
    if (d.action === 'take-remote' || d.action === 'merge') return true;
    return d.action === 'conflict' && (d.keep === 'remote' || d.other === 'copy');
  }

  /** Why this machine's version cannot be sent: not a valid file of its format, or a guard (secrets). */
  private async localHold(it: Item): Promise<string | null> {
    if (it.read.kind !== 'file') return null;
    const v = this.c.formats.validate(it.path, it.read.content);
    if (!v.ok) return `held back: ${v.reason}; the last good version stays in the repo, and syncing resumes when it is valid again`;
    for (const g of this.c.guards.commit) {
      const why = await g(it.path, it.read.content);
      if (why) return why;
    }
    return null;
  }

  /** Why the repo's version cannot be written here: this machine's size limit, a corrupt file, a live-write guard. */
  private async remoteHold(it: Item): Promise<string | null> {
    const s = this.c.settings();
    const h = it.head;
    if (h && h.mode !== '120000') {
      it.remoteBytes ??= await this.c.git.catBlob(h.oid);
      if (it.remoteBytes.length > s.sync.maxFileBytes) {
        return `the repo's version is ${formatBytes(it.remoteBytes.length)}, larger than this machine's limit of ${formatBytes(s.sync.maxFileBytes)}; not written (sync.maxFileBytes)`;
      }
    }
    if (h && h.mode === '120000') {
      const target = (await this.c.git.catBlob(h.oid)).toString('utf8');
      if (isAbsolute(target) && !target.startsWith(this.c.home + sep)) return `the repo's version is a link to ${target}, outside this home folder; not written`;
    } else if (h && it.remoteBytes && this.c.formats.codecFor(it.path, it.remoteBytes).id !== 'plain') {
      // Only files of a known structure can be checked (a plain file has no wrong shape).
      const v = this.c.formats.validate(it.path, it.remoteBytes);
      if (!v.ok) return `the repo's version is damaged (${v.reason}); not written, this machine keeps its own`;
    }
    for (const g of this.c.guards.liveWrite) {
      const why = await g(it.live);
      if (why) return why;
    }
    return null;
  }

  // ---------------------------------------------------------------------------- carry out

  private removesLive(it: Item): boolean {
    const d = it.decision;
    if (it.L.kind !== 'file' && it.L.kind !== 'link') return false;
    if (d.action === 'take-remote') return it.R.kind === 'absent' || it.R.kind === 'dir';
    return d.action === 'conflict' && d.keep === 'remote' && it.R.kind === 'dir';
  }

  private async carryOut(it: Item, head: Map<string, TreeEntry>, headDirs: Set<string>, stage: Stage, report: ReconcileReport, retry = true): Promise<void> {
    try {
      const outcome = await this.execute(it, stage, report);
      if (outcome === 'moved' && retry) {
        // The live file changed under us: look again and decide again, once.
        const again = await this.gather(it.path, it.live, head, headDirs);
        if (again) await this.carryOut(again, head, headDirs, stage, report, false);
      }
    } catch (e) {
      this.fail(report, it.live, e);
    }
  }

  private fail(report: ReconcileReport, live: string, e: unknown): void {
    const msg = `${live}: ${(e as Error)?.message ?? String(e)}`;
    report.errors.push(msg);
    if (isDiskFull(e)) report.failure = { kind: 'disk-full', message: msg };
    pushError(this.c.store, 'sync', msg);
  }

  private noteHold(it: Item, report: ReconcileReport): void {
    const d = it.decision;
    if (d.action !== 'hold') return;
    const outgoing = d.side !== 'remote';
    const unsynced = outgoing && !same(it.L, it.B) && it.L.kind !== 'absent' && it.L.kind !== 'dir';
    report.skipped.push({ path: it.live, reason: d.reason, unsynced, direction: outgoing ? 'outgoing' : 'incoming' });
  }

  /** Carries out one decision. Returns 'moved' when the live file changed under us. */
  private async execute(it: Item, stage: Stage, report: ReconcileReport): Promise<'done' | 'moved'> {
    const d = it.decision;
    switch (d.action) {
      case 'none':
        this.recordSynced(it);
        return 'done';
      case 'hold':
        this.noteHold(it, report);
        return 'done';
      case 'take-remote':
        return this.takeRemote(it, report);
      case 'take-local':
        await this.takeLocal(it, stage);
        return 'done';
      case 'merge':
        return this.merge(it, stage, report);
      case 'conflict':
        return this.conflict(it, d.keep, d.other, [], d.why, stage, report);
    }
  }

  /** L and R agree: remember it (or forget a path gone on both sides). */
  private recordSynced(it: Item): void {
    const r = it.read;
    if (it.L.kind === 'absent' || it.L.kind === 'dir') {
      this.c.snapshot.delete(it.path);
      return;
    }
    if (r.kind === 'file' || r.kind === 'link') {
      this.c.snapshot.set(it.path, { oid: it.L.oid!, mode: gitMode(it.L), priv: !!it.L.private, size: r.size, mtimeMs: r.mtimeMs });
    }
  }

  private liveId(it: Item): string | null {
    const r = it.read;
    return r.kind === 'file' || r.kind === 'link' ? r.oid : null;
  }

  /** The repo's version of a path, as bytes for the live side (a link's target re-rooted here). */
  private async remoteContent(it: Item, perm: number | null): Promise<LiveContent> {
    const h = it.head!;
    const bytes = (it.remoteBytes ??= await this.c.git.catBlob(h.oid));
    if (h.mode === '120000') return { kind: 'link', target: decodeLinkTarget(bytes.toString('utf8'), this.c.home) };
    const content = this.c.formats.codecFor(it.path, bytes).toLive(bytes, { repoPath: it.path, host: this.c.host, platform: this.c.platform, currentLive: it.read.kind === 'file' ? it.read.content : null });
    return { kind: 'file', content, perm: liveMode({ exec: h.mode === '100755', private: this.c.modes.isPrivate(it.path), current: perm }) };
  }

  private async takeRemote(it: Item, report: ReconcileReport): Promise<'done' | 'moved'> {
    const expected = this.liveId(it);
    if (it.R.kind === 'absent' || it.R.kind === 'dir') {
      if (it.L.kind === 'absent' || it.L.kind === 'dir') {
        this.c.snapshot.delete(it.path);
        return 'done';
      }
      const r = await deleteLive(it.live, expected!);
      if (r.kind === 'moved') return 'moved';
      if (r.kind === 'error') throw new Error(r.message);
      this.c.snapshot.delete(it.path);
      report.applied.push(it.path);
      return 'done';
    }
    const currentPerm = it.read.kind === 'file' ? it.read.perm : null;
    // Same bytes, another mode: only the permission bits change.
    if (it.read.kind === 'file' && it.L.kind === 'file' && it.R.kind === 'file' && it.L.oid === it.R.oid) {
      const perm = liveMode({ exec: !!it.R.exec, private: !!it.R.private, current: currentPerm });
      const w = await chmodLive(it.live, perm, expected!);
      if (w.kind === 'moved') return 'moved';
      if (w.kind === 'error') throw new Error(w.message);
      this.setSnapshot(it.path, it.R, w);
      report.applied.push(it.path);
      return 'done';
    }
    const w = await writeLive(it.live, await this.remoteContent(it, currentPerm), expected);
    if (w.kind === 'moved') return 'moved';
    if (w.kind === 'error') throw new Error(w.message);
    this.setSnapshot(it.path, it.R, w);
    report.applied.push(it.path);
    return 'done';
  }

  private setSnapshot(path: string, v: Version, w: { size: number; mtimeMs: number }): void {
    if (v.kind !== 'file' && v.kind !== 'link') {
      this.c.snapshot.delete(path);
      return;
    }
    this.c.snapshot.set(path, { oid: v.oid!, mode: gitMode(v), priv: !!v.private, size: w.size, mtimeMs: w.mtimeMs });
  }

  /** The bytes the repo stores for this machine's version. */
  private localRepoBytes(it: Item): Buffer {
    const r = it.read;
    if (r.kind === 'link') {
      const enc = encodeLinkTarget(r.target, it.live, this.c.home);
      if (!enc.ok) throw new Error(enc.reason);
      return Buffer.from(enc.stored, 'utf8');
    }
    if (r.kind === 'file') return this.c.formats.codecFor(it.path, r.content).toRepo(r.content, { repoPath: it.path, host: this.c.host, platform: this.c.platform });
    throw new Error(`${it.live} cannot be read`);
  }

  private async takeLocal(it: Item, stage: Stage): Promise<void> {
    if (it.L.kind === 'absent' || it.L.kind === 'dir') {
      await removeRepoFile(this.c.repoDir, it.path);
      if (this.c.modes.set(it.path, false)) stage.modes = true;
      stage.add(it.path, null, it);
      // A conflict copy deleted by hand resolves its conflict: the version in the file stays.
      const c = this.c.conflicts.byCopy(it.path);
      if (c) {
        this.c.conflicts.remove(c.path);
        stage.conflicts = true;
        stage.resolvedByHand.push(c.path);
      }
      return;
    }
    await writeRepoFile(this.c.repoDir, it.path, this.localRepoBytes(it), gitMode(it.L));
    if (this.c.modes.set(it.path, !!it.L.private)) stage.modes = true;
    stage.add(it.path, it.L, it);
  }

  private async merge(it: Item, stage: Stage, report: ReconcileReport): Promise<'done' | 'moved'> {
    const mode = mergeMode(it.B, it.L, it.R);
    const mergedVersion = (oid: string): Version => ({ kind: 'file', oid, exec: mode.exec, private: mode.private });
    if (it.L.kind === 'file' && it.R.kind === 'file' && it.read.kind === 'file' && it.head) {
      const mine = this.localRepoBytes(it);
      const theirs = await this.c.git.catBlob(it.head.oid);
      let content: Buffer | null = null;
      let details: string[] = [];
      if (it.L.oid === it.R.oid) content = mine;
      else {
        const base = it.B.kind === 'file' ? await this.c.git.catBlob(it.B.oid!).catch(() => null) : null;
        const m = await this.c.formats.merge(it.path, base, mine, theirs);
        if (m.clean) content = m.content;
        else details = m.details;
      }
      if (content) {
        const oid = blobOid(content);
        // The merge result holds this machine's edit: it passes the commit guards like any local edit.
        for (const g of this.c.guards.commit) {
          const why = await g(it.path, content);
          if (why) {
            report.skipped.push({ path: it.live, reason: why, unsynced: true, direction: 'outgoing' });
            return 'done';
          }
        }
        const v = mergedVersion(oid);
        const liveBytes = this.c.formats.codecFor(it.path, content).toLive(content, { repoPath: it.path, host: this.c.host, platform: this.c.platform, currentLive: it.read.content });
        const w = await writeLive(it.live, { kind: 'file', content: liveBytes, perm: liveMode({ exec: mode.exec, private: mode.private, current: it.read.perm }) }, it.read.oid);
        if (w.kind === 'moved') return 'moved';
        if (w.kind === 'error') throw new Error(w.message);
        await writeRepoFile(this.c.repoDir, it.path, content, gitMode(v));
        if (this.c.modes.set(it.path, mode.private)) stage.modes = true;
        stage.add(it.path, v, it, w);
        report.applied.push(it.path);
        return 'done';
      }
      return this.conflict(it, 'local', 'copy', details, 'both-changed', stage, report);
    }
    return this.conflict(it, 'local', 'copy', [], 'both-changed', stage, report);
  }

  /**
   * Keep both (the one policy): `keep` holds the path; the other version goes beside it as a conflict
   * copy named after its host (in the repo and next to the live file), or is recorded as a deletion.
   */
  private async conflict(it: Item, keep: 'local' | 'remote', other: 'copy' | 'deleted', details: string[], why: string, stage: Stage, report: ReconcileReport): Promise<'done' | 'moved'> {
    const now = new Date();
    const remoteSide = await lastTouch(this.c.git, 'HEAD', it.path);
    const localSide = { host: this.c.host, at: now.getTime() };
    const kind: StoredConflict['kind'] =
      why === 'delete-vs-modify' ? 'delete-vs-modify' : why === 'first-meeting' ? 'first-meeting' : why === 'kind-change' || why === 'link-over-file' ? 'kind-change' : /Keyboard Maestro Macros\.plist$/.test(it.path) ? 'km-macro' : details.length && details.every((x) => /^key |^profile /.test(x)) ? 'structured' : 'text';
    let copyPath: string | null = null;
    if (keep === 'local') {
      // This machine's version keeps the path (its live file stays as it is).
      if (other === 'copy' && it.head) {
        copyPath = conflictCopyName(it.path, remoteSide.host, now);
        const theirs = await this.c.git.catBlob(it.head.oid);
        await writeRepoFile(this.c.repoDir, copyPath, theirs, it.head.mode);
        if (this.c.modes.isPrivate(it.path) && this.c.modes.set(copyPath, true)) stage.modes = true;
        const liveCopy = this.c.paths.toLive(copyPath);
        let w: { size: number; mtimeMs: number } | null = null;
        if (liveCopy) {
          const content = it.head.mode === '120000' ? { kind: 'link' as const, target: decodeLinkTarget(theirs.toString('utf8'), this.c.home) } : { kind: 'file' as const, content: theirs, perm: liveMode({ exec: it.head.mode === '100755', private: this.c.modes.isPrivate(it.path), current: null }) };
          const r = await writeLive(liveCopy, content, null);
          if (r.kind === 'written') w = r;
        }
        stage.add(copyPath, versionOfEntry(it.head, this.c.modes.isPrivate(it.path)), null, w ?? { size: theirs.length, mtimeMs: 0 });
        report.applied.push(copyPath);
      }
      if (it.L.kind === 'file' || it.L.kind === 'link') {
        await writeRepoFile(this.c.repoDir, it.path, this.localRepoBytes(it), gitMode(it.L));
        if (this.c.modes.set(it.path, !!it.L.private)) stage.modes = true;
        stage.add(it.path, it.L, it);
      } else {
        await removeRepoFile(this.c.repoDir, it.path); // a folder keeps the path: its files are paths of their own
        stage.add(it.path, null, it);
      }
      this.record(stage, report, {
        path: it.path,
        copyPath,
        kind,
        atPath: { ...localSide, deleted: false },
        other: { host: remoteSide.host, at: remoteSide.at, deleted: other === 'deleted' },
        details,
        detectedAt: now.getTime(),
        detectedBy: this.c.host,
      });
      return 'done';
    }
    // The repo's version keeps the path; this machine's goes beside it (or was a deletion).
    if (other === 'copy' && (it.read.kind === 'file' || it.read.kind === 'link')) {
      copyPath = conflictCopyName(it.path, this.c.host, now);
      const liveCopy = this.c.paths.toLive(copyPath);
      const mineBytes = this.localRepoBytes(it);
      let w: { size: number; mtimeMs: number } | null = null;
      if (liveCopy) {
        const content: LiveContent = it.read.kind === 'link' ? { kind: 'link', target: it.read.target } : { kind: 'file', content: it.read.content, perm: it.read.perm };
        const r = await writeLive(liveCopy, content, null);
        if (r.kind === 'error') throw new Error(r.message);
        if (r.kind === 'written') w = r;
      }
      await writeRepoFile(this.c.repoDir, copyPath, mineBytes, gitMode(it.L));
      if (it.L.private && this.c.modes.set(copyPath, true)) stage.modes = true;
      stage.add(copyPath, it.L, null, w ?? { size: mineBytes.length, mtimeMs: 0 });
    }
    const expected = this.liveId(it);
    if (it.R.kind === 'dir') {
      if (expected) {
        const r = await deleteLive(it.live, expected);
        if (r.kind === 'moved') return 'moved';
        if (r.kind === 'error') throw new Error(r.message);
      }
      this.c.snapshot.delete(it.path);
    } else if (it.head) {
      const w = await writeLive(it.live, await this.remoteContent(it, it.read.kind === 'file' ? it.read.perm : null), other === 'deleted' ? null : expected);
      if (w.kind === 'moved') return 'moved';
      if (w.kind === 'error') throw new Error(w.message);
      this.setSnapshot(it.path, it.R, w);
      report.applied.push(it.path);
    }
    this.record(stage, report, {
      path: it.path,
      copyPath,
      kind,
      atPath: { host: remoteSide.host, at: remoteSide.at, deleted: false },
      other: { host: this.c.host, at: now.getTime(), deleted: other === 'deleted' },
      details,
      detectedAt: now.getTime(),
      detectedBy: this.c.host,
    });
    return 'done';
  }

  private record(stage: Stage, report: ReconcileReport, c: StoredConflict): void {
    this.c.conflicts.add(c);
    stage.conflicts = true;
    report.conflicts.push(c);
  }

  // ---------------------------------------------------------------------------- commit

  private async commit(stage: Stage, report: ReconcileReport, reason: string): Promise<void> {
    if (stage.modes && this.c.modes.save()) stage.paths.add(MODES_REL);
    if (stage.conflicts) {
      this.c.conflicts.save();
      stage.paths.add(CONFLICTS_REL);
    }
    if (stage.paths.size === 0) return;
    const paths = [...stage.paths];
    const userPaths = paths.filter((p) => !p.startsWith(SPECIAL));
    const s = this.c.settings();
    const msg = userPaths.length ? renderCommitMessage(s.sync.commitTemplate, { host: this.c.host, files: userPaths }) : `${this.c.host}: record conflicts`;
    const r = await this.c.status.during('committing', () => stageAndCommit(this.c.git, paths, msg, this.c.host));
    if (r.kind === 'committed') {
      report.commit = r.oid;
      report.committed = userPaths;
      for (const [p, e] of stage.entries) {
        if (!e.version) this.c.snapshot.delete(p);
        else this.setSnapshot(p, e.version, e.written ?? this.statOf(e.item) ?? { size: 0, mtimeMs: 0 });
      }
      const st = this.c.store.getState();
      patchState(this.c.store, 'watch', { commits: st.watch.commits + 1, batches: st.watch.batches + 1 });
      if (userPaths.length) pushActivity(this.c.store, 'commit', committedWords(userPaths));
      for (const p of stage.resolvedByHand) pushActivity(this.c.store, 'resolved', `Conflict in ${p.split('/').pop()} resolved: its copy was deleted, the version in the file stays`);
      this.c.events.emit('committed', { oid: r.oid, paths, reason });
    } else if (r.kind === 'nothing') {
      for (const [p, e] of stage.entries) {
        if (!e.version) this.c.snapshot.delete(p);
        else this.setSnapshot(p, e.version, e.written ?? this.statOf(e.item) ?? { size: 0, mtimeMs: 0 });
      }
    } else {
      // Nothing is lost: the live files still hold the edits and the next pass retries them.
      await this.c.git.raw(['reset', '-q', '--hard', 'HEAD']).catch(() => undefined);
      this.c.conflicts.reload();
      report.conflicts = [];
      report.errors.push(r.message);
      report.failure = { kind: r.kind, message: r.message };
      pushError(this.c.store, 'commit', r.kind === 'disk-full' ? 'Disk full: could not commit; will retry' : 'Could not commit', r.message);
    }
  }

  private statOf(it: Item | null): { size: number; mtimeMs: number } | null {
    const r = it?.read;
    return r && (r.kind === 'file' || r.kind === 'link') ? { size: r.size, mtimeMs: r.mtimeMs } : null;
  }

  // ---------------------------------------------------------------------------- helpers

  private async unchangedSinceSync(live: string, base: SnapshotEntry): Promise<boolean> {
    try {
      const st = await lstat(live);
      const kindOk =
        base.mode === '120000' ? st.isSymbolicLink() : st.isFile() && ((st.mode & 0o100) !== 0 ? '100755' : '100644') === base.mode && isPrivateMode(st.mode) === !!base.priv;
      if (!(kindOk && st.size === base.size && Math.round(st.mtimeMs) === Math.round(base.mtimeMs) && Date.now() - st.mtimeMs > 2000)) return false;
      // Size and mtime can be put back (cp -p, rsync -t, touch -r, archive restores) and a second write
      // can share the first one's timestamp: trust them only when the inode has not changed at all
      // (ctime) since well before the entry was recorded.
      if (!(st.ctimeMs < (base.recordedAt ?? 0) - 2000)) return false;
      // Still readable? (chmod changes no mtime; an unreadable file must be reported, not trusted.)
      if (!st.isSymbolicLink()) await access(live, fsConstants.R_OK);
      return true;
    } catch {
      return false;
    }
  }

  private async statMatches(live: string, base: SnapshotEntry): Promise<boolean> {
    try {
      const st = await lstat(live);
      return st.size === base.size && Math.round(st.mtimeMs) === Math.round(base.mtimeMs);
    } catch {
      return false;
    }
  }

  /** The first symbolic link between a live path's profile entry base (inclusive) and the path, if any. */
  linkOnTheWay(live: string): string | null {
    const base = this.c.profiles.entryBase(live);
    if (!base || base === live) return null;
    const rel = relative(base, dirname(live));
    if (rel.startsWith('..') || isAbsolute(rel)) return null;
    let cur = base;
    for (const seg of ['', ...rel.split(sep).filter(Boolean)]) {
      if (seg) cur = join(cur, seg);
      try {
        if (lstatSync(cur).isSymbolicLink()) return cur;
      } catch {
        return null; // absent: nothing to follow
      }
    }
    return null;
  }
}

/** Repo changes of one pass, committed together. */
class Stage {
  readonly paths = new Set<string>();
  readonly entries = new Map<string, { version: Version | null; item: Item | null; written?: { size: number; mtimeMs: number } }>();
  modes = false;
  conflicts = false;
  readonly resolvedByHand: string[] = [];

  add(path: string, version: Version | null, item: Item | null, written?: { size: number; mtimeMs: number }): void {
    this.paths.add(path);
    this.entries.set(path, { version, item, written });
  }
}

function depth(p: string): number {
  return p.split(sep).length;
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

export function committedWords(paths: string[]): string {
  const names = paths.map((p) => p.split('/').pop() || p);
  if (names.length === 1) return `${names[0]} committed`;
  if (names.length <= 3) return `${names.join(', ')} committed`;
  return `${names.length.toLocaleString('en-US')} files committed (${names.slice(0, 2).join(', ')}, …)`;
}
