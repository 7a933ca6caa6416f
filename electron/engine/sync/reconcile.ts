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

import { lstat } from 'node:fs/promises';
import { lstatSync, existsSync, readFileSync } from 'node:fs';
import { presentAt } from '../util/fs.js';
import { isAbsolute, join, normalize, relative, sep, dirname } from 'node:path';
import { decide, same, ABSENT, DIR, FOLDER_MEETS_FILE, type Decision, type Version, type RuleInput } from './rule.js';
import { splitVariant } from './variants.js';
import type { SyncContext } from './context.js';
import { encodeLinkTarget, type LiveRead } from '../mirror/live.js';
import { lsTree, foldersOf, type TreeEntry } from '../git/tree.js';
import { commitEntries, renderCommitMessage } from '../git/commit.js';
import { BlobWriter, BlobReader } from '../git/objects.js';
import { headProblem, readHead } from '../git/refs.js';
import { blobOid } from '../snapshot/hash.js';
import type { SnapshotEntry } from '../snapshot/snapshot.js';
import { isConflictCopy, copiesInTree, CONFLICTS_REL } from './conflicts.js';
import { isPrivateMode, MODES_REL } from './modes.js';
import { tooLargeReason, formatBytes } from '../profiles/scan.js';
import { pushActivity, pushError, patchState } from '../state/app-store.js';
import { Applier } from './apply.js';
import { scanAll, fromLive, fromRepo, type Candidate, type CandidateStat } from './scan.js';
import { Stage, SPECIAL, DROPPED, gatheredBytes, depth, isDiskFull, versionOfEntry, type Item, type ReconcileReport, type Scope } from './pass.js';

export type { ReconcileReport, Scope } from './pass.js';

async function lstatOf(live: string): Promise<CandidateStat | null> {
  try {
    const st = await lstat(live);
    return st.isFile() || st.isSymbolicLink() ? { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, mode: st.mode & 0o7777, symlink: st.isSymbolicLink() } : null;
  } catch {
    return null;
  }
}

/**
 * git's own heuristic, from one lstat: same kind, mode, size and mtime as when the path was synced.
 * Size and mtime can be put back (cp -p, rsync -t, touch -r, archive restores) and a second write can
 * share the first one's timestamp: trusted only when the inode has not changed at all (ctime) since
 * well before the entry was recorded, and not in the last 2 s ("racily clean"). A chmod changes the
 * ctime too, so a file made unreadable is read (and reported), never trusted.
 */
export function unchangedSinceSync(st: CandidateStat | null, base: SnapshotEntry, now = Date.now()): boolean {
  if (!st) return false;
  const kindOk = base.mode === '120000' ? st.symlink : !st.symlink && ((st.mode & 0o100) !== 0 ? '100755' : '100644') === base.mode && isPrivateMode(st.mode) === (!!base.priv || !!base.stricter);
  if (!(kindOk && st.size === base.size && Math.round(st.mtimeMs) === Math.round(base.mtimeMs) && now - st.mtimeMs > 2000)) return false;
  return st.ctimeMs < (base.recordedAt ?? 0) - 2000;
}

/** The id prefix of a new, not yet encrypted, version of an encrypted file. */
const NEW_PLAIN = 'plain:';

/** Runs `fn` over `items`, at most `limit` at a time. */
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  // Much of the work per item is synchronous (small reads, hashing): the event loop gets a turn every
  // few milliseconds, so the UI's sockets and timers are served during a pass over 100,000 files.
  let lastTurn = performance.now();
  const worker = async () => {
    while (next < items.length) {
      await fn(items[next++]);
      if (performance.now() - lastTurn > 8) {
        await new Promise<void>((r) => setImmediate(r));
        lastTurn = performance.now();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export class Reconciler {
  private readonly apply: Applier;

  constructor(private readonly c: SyncContext) {
    this.apply = new Applier(c);
  }

  /**
   * HEAD's tree, kept between passes: valid while HEAD is the commit it was listed (or built) for,
   * which is read from the repo's files without a process. A watched edit then costs no `ls-tree`.
   */
  private headCache: { oid: string; tree: Map<string, TreeEntry>; dirs: Set<string> } | null = null;
  /** The modes.json problem last told to the person (see noteModesProblem). */
  private modesProblemSaid: string | null = null;
  /** Per gather phase: the first link at or above a folder (see linkOnTheWay). */
  private linkCache: Map<string, string | null> | null = null;

  private variantsSeen: Map<string, TreeEntry> | null = null;

  /**
   * The variants follow HEAD's tree. When the variant this machine uses for a file changes, its
   * synced state moves with it (variants.ts): the new version then arrives as a change from the repo.
   */
  private async followVariants(tree: Map<string, TreeEntry>): Promise<void> {
    if (this.variantsSeen === tree) return;
    this.variantsSeen = tree;
    for (const { from, to } of this.c.paths.variants.update(tree.keys())) {
      const s = this.c.snapshot.get(from);
      if (s && !this.c.snapshot.get(to)) this.c.snapshot.set(to, (await this.variantBase(from, to, s)) ?? s);
      this.c.snapshot.delete(from);
    }
  }

  /**
   * The synced state a newly used variant starts from. Usually this machine's state of the file it used
   * before. But when that file's last change here was made without the variant's maker knowing of it
   * (this machine's own edit, committed in the pass before the variant arrived), the variant did not
   * start from it: its base is the variant's first version (the file it was made from), so the edit
   * meets the variant as a change of this machine's, merged or kept, never dropped.
   */
  private async variantBase(from: string, to: string, s: SnapshotEntry): Promise<SnapshotEntry | null> {
    // Only a variant arriving: back to the shared file (a variant gone, a class dropped) keeps this
    // machine's state, whose first version would be the file's oldest.
    if (!splitVariant(to)) return null;
    const git = this.c.git;
    const added = (await git.raw(['log', '-1', '--diff-filter=A', '--format=%H', 'HEAD', '--', to], { readonly: true }).catch(() => '')).trim();
    if (!added) return null;
    const first = (await git.raw(['ls-tree', '-z', added, '--', to], { readonly: true }).catch(() => '')).split('\0')[0];
    const m = /^(\d+) blob ([0-9a-f]{40})\t/.exec(first ?? '');
    if (!m || m[2] === s.oid) return null;
    const changed = (await git.raw(['log', '-1', '--format=%H', 'HEAD', '--', from], { readonly: true }).catch(() => '')).trim();
    if (!changed) return null;
    const knew = (await git.exitCode(['merge-base', '--is-ancestor', changed, added])).code === 0;
    // Its size and time are not the live file's: the file is read, never taken as unchanged.
    return knew ? null : { ...s, oid: m[2], mode: m[1], size: -1, mtimeMs: 0 };
  }

  /** Brings the variants in use up to HEAD (a pass does this itself). */
  async refreshVariants(): Promise<void> {
    await this.headTree();
  }

  /** `oid`: HEAD as the caller just read it (read here when not given). */
  private async headTree(oid = readHead(this.c.repoDir)): Promise<{ tree: Map<string, TreeEntry>; dirs: Set<string> }> {
    const r = await this.listHeadTree(oid);
    await this.followVariants(r.tree);
    return r;
  }

  private async listHeadTree(oid: string | null): Promise<{ tree: Map<string, TreeEntry>; dirs: Set<string> }> {
    if (oid && this.headCache?.oid === oid) return this.headCache;
    // Keyed by the snapshot's own path strings: the two live side by side for the engine's life.
    const snap = this.c.snapshot;
    // A HEAD that is there but cannot be listed (a missing object) fails the pass: an empty tree would
    // read as every synced file deleted by the repo.
    const tree = await lsTree(this.c.git, 'HEAD', { intern: (p) => snap.keyOf(p), strict: oid !== null });
    const entry = { oid: oid ?? '', tree, dirs: foldersOf(tree.keys()) };
    this.headCache = oid ? entry : null;
    return entry;
  }

  /**
   * A snapshot written before snapshots recorded their commit (snapshot.json, binary version 2) says
   * nothing of which history its entries agree with, so a replaced history could not be told: a path
   * the new history lacks read as deleted by the repo, and the live file was deleted. Its entries are
   * kept where HEAD holds the same version (the usual case: nothing happened while upgrading) and
   * dropped where it does not, so those paths are met as on a first run (policy 2): nothing is deleted
   * or replaced because of them. Then the snapshot is anchored to HEAD. Returns true when any was
   * dropped (the pass then looks at every file).
   */
  private async adoptUnanchored(head: string | null, report: ReconcileReport): Promise<boolean> {
    const snap = this.c.snapshot;
    if (snap.commit !== null || snap.size === 0 || !head) return false;
    const { tree } = await this.listHeadTree(head);
    const drop: string[] = [];
    for (const p of snap.paths()) {
      const e = snap.get(p)!;
      const h = tree.get(p);
      if (!h || h.oid !== e.oid || h.mode !== e.mode) drop.push(p);
    }
    for (const p of drop) snap.delete(p);
    snap.anchorTo(head);
    if (drop.length === 0) return false;
    const words = `The record of synced files was written by an older version and does not say which history it agrees with: ${drop.length.toLocaleString('en-US')} files whose record differs from the repository are compared afresh, and none is deleted or replaced because of it`;
    report.notices.push(words);
    pushActivity(this.c.store, 'info', words);
    return true;
  }

  /** The repo's modes.json cannot be read: said once per problem (ModesFile keeps every file private meanwhile). */
  private noteModesProblem(report: ReconcileReport): void {
    const problem = this.c.modes.problem;
    if (problem === this.modesProblemSaid) return;
    this.modesProblemSaid = problem;
    if (!problem) return;
    const words = `The repository's ${MODES_REL} cannot be read (${problem}): until it is repaired, every file that arrives here is kept private (owner only), and no change of a file's privacy is recorded`;
    report.notices.push(words);
    pushActivity(this.c.store, 'error', words);
  }

  /** After our own commit: the cached tree becomes the new HEAD's without listing it again. */
  private advanceHeadCache(from: Map<string, TreeEntry>, commit: string, changes: Map<string, { mode: string; oid: string } | null>): void {
    const tree = new Map(from);
    for (const [p, e] of changes) {
      if (e) tree.set(p, e);
      else tree.delete(p);
    }
    this.headCache = { oid: commit, tree, dirs: foldersOf(tree.keys()) };
  }

  /**
   * The snapshot's entries hold only while HEAD descends from the commit they agree with. A path HEAD
   * lacks then counts as deleted by the repo; when the history was replaced under this machine (the
   * repo deleted and created anew, or reset by hand to another line of commits) it says nothing of the
   * kind, and the snapshot is dropped: every path is met as on a first run (policy 2), so no live file
   * is deleted or replaced because a new history lacks it. One `merge-base` only when HEAD moved other
   * than by this machine's own passes and merges (those move the anchor with it).
   */
  private async checkAnchor(head: string | null, report: ReconcileReport): Promise<boolean> {
    const snap = this.c.snapshot;
    const anchor = snap.commit;
    // No HEAD to read (the repo is gone or unreadable): the pass fails on its own, and the snapshot
    // stays for the repo's return.
    if (!anchor || !head || anchor === head || snap.size === 0) return false;
    const r = await this.c.git.exitCode(['merge-base', '--is-ancestor', anchor, head]);
    if (r.code === 0) {
      snap.anchorTo(head);
      return false;
    }
    // 1: not an ancestor. Else the anchor may be missing from this repo (a new history), or git failed:
    // a snapshot is dropped only on an answer, never on a failure.
    if (r.code !== 1 && (await this.c.git.exitCode(['cat-file', '-e', `${anchor}^{commit}`])).code === 0) {
      throw new Error(`could not tell whether HEAD ${head.slice(0, 8)} descends from ${anchor.slice(0, 8)} (git merge-base exited ${r.code})`);
    }
    const n = snap.size;
    snap.reset();
    this.headCache = null;
    const words = `The repository's history was replaced (HEAD ${head.slice(0, 8)} does not descend from ${anchor.slice(0, 8)}, the commit this machine last synced): ${n.toLocaleString('en-US')} files are compared afresh, and none is deleted because the new history lacks it`;
    report.notices.push(words);
    pushActivity(this.c.store, 'info', words);
    return true;
  }

  async run(scope: Scope, opts: { reason: string; dryRun?: boolean }): Promise<ReconcileReport> {
    const t0 = performance.now();
    const report: ReconcileReport = { committed: [], applied: [], conflicts: [], skipped: [], errors: [], commit: null, failure: null, looked: [], plan: [], notices: [] };
    const headOid = readHead(this.c.repoDir);
    if (!headOid) {
      const problem = headProblem(this.c.repoDir);
      if (problem?.kind === 'damaged') {
        throw new Error(
          `The repository's HEAD cannot be read: ${problem.file} in ${this.c.repoDir} holds no commit (a crash before the disk was written can leave it empty). Nothing was changed. \`git -C "${this.c.repoDir}" reflog\` lists the commits it pointed to; \`git -C "${this.c.repoDir}" update-ref HEAD <commit>\` puts it back.`,
        );
      }
    }
    // A snapshot from before anchors (versions 1 and 2) is checked against HEAD once.
    if (await this.adoptUnanchored(headOid, report)) scope = { all: true };
    // A replaced history is met whole, whatever the pass was for: every file is compared afresh.
    if (await this.checkAnchor(headOid, report)) scope = { all: true };
    const { tree: head, dirs: headDirs } = await this.headTree(headOid);
    this.c.modes.reload();
    this.noteModesProblem(report);
    this.c.sealed.reload();
    const candidates = 'all' in scope ? await scanAll(this.c, head, report) : 'livePaths' in scope ? fromLive(this.c, scope.livePaths) : fromRepo(this.c, scope.repoPaths);
    // One `cat-file --batch` serves every blob this pass reads.
    const reader = new BlobReader(this.c.git);
    this.apply.readBlob = (oid) => reader.read(oid);
    // Repo changes of this pass, committed together (none in a dry run).
    const stage = opts.dryRun ? null : new Stage(new BlobWriter(this.c.git));
    try {
      const items = await this.gatherAll(candidates, head, headDirs, stage, report, 'all' in scope);
      await this.followFolders(items, head);
      report.looked = candidates.map((x) => x.live);
      if (!stage) {
        // A dry run: what the pass would do, path by path (a real pass has carried some out already).
        for (const it of items) report.plan.push({ path: it.path, live: it.live, action: it.decision.action });
        for (const it of items) this.apply.noteHold(it, report);
        return report;
      }
      await this.carryOutAll(items, head, headDirs, stage, report);
      await this.commit(stage, report, opts.reason, head);
    } catch (e) {
      await stage?.blobs.abort();
      throw e;
    } finally {
      await reader.close();
      this.apply.readBlob = (oid) => this.c.git.catBlob(oid);
    }
    // The entries now agree with the commit this pass made, or with the HEAD it worked on.
    if (!opts.dryRun) this.c.snapshot.anchorTo(report.commit ?? headOid);
    await this.c.snapshot.save();
    this.c.plainIds.save();
    this.c.events.emit('reconciled', { ms: performance.now() - t0, scope: 'all' in scope ? 'all' : 'livePaths' in scope ? 'live' : 'repo', paths: candidates.length, reason: opts.reason, commit: report.commit, committed: report.committed });
    return report;
  }

  /**
   * Gathers and decides every candidate, a few at a time, and returns what is left to carry out. This
   * machine's new versions that only go to the repo are staged at once: their blobs stream into the
   * pack (a git process on the other core) while the pass goes on looking, and their bytes are let go;
   * paths in sync are remembered at once. A first run over 100,000 files holds no file contents, and
   * no per-file record but the stage's, between reading and the commit.
   */
  private async gatherAll(candidates: readonly Candidate[], head: Map<string, TreeEntry>, headDirs: Set<string>, stage: Stage | null, report: ReconcileReport, full: boolean): Promise<Item[]> {
    const items: Item[] = [];
    // Folders are looked at once per pass while gathering (100,000 files share a few thousand).
    this.linkCache = new Map();
    // A full pass shows "N of M files" while it reads and compares them (the walk found M).
    let looked = 0;
    let shownAt = performance.now();
    try {
      // What the scan's own lstat shows unchanged since it was synced is settled here, in one
      // synchronous sweep: a restart over 100,000 unchanged files makes no promise per file.
      const rest = await this.settledByStat(candidates, head);
      looked = candidates.length - rest.length;
      await eachLimited(rest, 32, async (cand) => {
        try {
          const it = await this.gather(cand.path, cand.live, head, headDirs, cand.stat);
          // (null: unchanged since it was synced)
          if (it && stage && (sendsAtOnce(it) || (it.decision.action === 'none' && it.R.kind !== 'dir'))) {
            // Done with at once: sent to the repo (its blob streams into the pack meanwhile), or in
            // sync and remembered as such. Nothing of it is kept for later.
            await this.carryOut(it, head, headDirs, stage, report);
          } else if (it) {
            items.push(it);
            // Bytes still needed only where a version will be written here, merged, or decided again.
            if (stage && it.decision.action === 'hold' && it.R.kind !== 'dir') dropBytes(it);
          }
        } catch (e) {
          this.fail(report, cand.live, e);
        }
        looked++;
        if (full && performance.now() - shownAt > 100) {
          shownAt = performance.now();
          patchState(this.c.store, 'scan', { running: true, scanned: looked, total: candidates.length });
        }
      });
    } finally {
      this.linkCache = null;
      if (full) patchState(this.c.store, 'scan', { running: false, scanned: candidates.length, total: candidates.length });
    }
    return items;
  }

  /**
   * A repo folder whose every file this pass deletes is not a folder any more: a file may take its
   * place (this machine replaced the folder by a file).
   */
  private async followFolders(items: Item[], head: Map<string, TreeEntry>): Promise<void> {
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
  }

  /** Carries out what is left of the pass's decisions: removals first (deepest first), then the rest. */
  private async carryOutAll(items: Item[], head: Map<string, TreeEntry>, headDirs: Set<string>, stage: Stage, report: ReconcileReport): Promise<void> {
    // Removals first, deepest first: a file that became a folder must be gone before its files arrive.
    const removals = items.filter((it) => this.removesLive(it)).sort((a, b) => depth(b.live) - depth(a.live));
    const removing = new Set(removals);
    const rest = items.filter((it) => !removing.has(it) && it.decision.action !== 'none');
    for (const it of removals) await this.carryOut(it, head, headDirs, stage, report);
    // Then everything else, shallowest first; a folder emptied by the removals counts as absent now.
    // Paths are independent from here on (parents are created as needed): a few at a time.
    rest.sort((a, b) => depth(a.live) - depth(b.live));
    await eachLimited(rest, 16, async (it) => {
      const cur = it.L.kind === 'dir' || it.underLink ? await this.gather(it.path, it.live, head, headDirs) : it;
      if (cur) await this.carryOut(cur, head, headDirs, stage, report);
    });
    // Paths in sync: remembered as such (the snapshot), nothing to carry out.
    for (const it of items) if (it.decision.action === 'none' && !removing.has(it)) await this.apply.execute(it, stage, report);
  }

  // ---------------------------------------------------------------------------- candidates

  // ---------------------------------------------------------------------------- gather + decide

  /**
   * The candidates that still need a look: those the scan found unchanged since they were synced
   * (gather's fast path, from the scan's lstat, with HEAD still holding the synced version) are left
   * out. The scan never descends through a link, so a path it found has none on the way; one that is
   * unchanged is not read or written, so nothing can follow a link placed there since.
   */
  private async settledByStat(candidates: readonly Candidate[], head: Map<string, TreeEntry>): Promise<Candidate[]> {
    const rest: Candidate[] = [];
    const now = Date.now();
    let lastTurn = performance.now();
    for (let i = 0; i < candidates.length; i++) {
      const cand = candidates[i];
      if (!this.unchangedByStat(cand, head, now)) rest.push(cand);
      if ((i & 1023) === 1023 && performance.now() - lastTurn > 8) {
        await new Promise<void>((r) => setImmediate(r));
        lastTurn = performance.now();
      }
    }
    return rest;
  }

  private unchangedByStat(cand: Candidate, head: Map<string, TreeEntry>, now: number): boolean {
    if (!cand.stat) return false;
    const h = head.get(cand.path);
    if (!h) return false;
    const base = this.c.snapshot.get(cand.path);
    if (!base || base.dormant) return false;
    return same(versionOfEntry(base, !!base.priv), versionOfEntry(h, this.c.modes.isPrivate(cand.path))) && unchangedSinceSync(cand.stat, base, now);
  }

  /**
   * The snapshot's entry for a path being looked at. A dormant one (the path was out of scope here) is
   * the base again when the live file is there; when it is not, the entry is dropped: the file went
   * while nothing here was synced, so the repo's version arrives rather than a deletion leaving.
   */
  private wakeBase(path: string, live: string): SnapshotEntry | null {
    const base = this.c.snapshot.get(path) ?? null;
    if (!base?.dormant) return base;
    if (!presentAt(live)) {
      this.c.snapshot.delete(path);
      return null;
    }
    this.c.snapshot.wake(path);
    return { ...base, dormant: false };
  }

  private async gather(path: string, live: string, head: Map<string, TreeEntry>, headDirs: Set<string>, stat?: CandidateStat): Promise<Item | null> {
    const s = this.c.settings();
    const base = this.wakeBase(path, live);
    const h = head.get(path) ?? null;
    let B: Version = base ? versionOfEntry(base, !!base.priv) : ABSENT;
    const R: Version = h ? versionOfEntry(h, this.c.modes.isPrivate(path)) : headDirs.has(path) ? DIR : ABSENT;
    const link = this.linkOnTheWay(live);
    if (link) {
      // Reading or writing here would follow the link out of the profile: the path keeps its state
      // until the link is gone.
      const read: LiveRead = { kind: 'special', what: 'inside a link' };
      return { path, live, B, L: B, R: B, read, head: h, base, localHeld: null, remoteHeld: null, underLink: true, decision: { action: 'hold', side: 'both', reason: `inside ${link}, a symbolic link (links are synced as links, never followed)` } };
    }
    // Fast path: unchanged size and mtime since the last sync, and HEAD still holds the synced version.
    if (base && h && same(B, R) && unchangedSinceSync(stat ?? (await lstatOf(live)), base)) return null;
    const read = await this.c.live.read(live, s.sync.maxFileBytes);
    let L: Version;
    let localHeld: string | null = null;
    let localRepo: Buffer | undefined;
    switch (read.kind) {
      case 'absent':
        L = ABSENT;
        break;
      case 'dir':
        L = read.empty ? ABSENT : DIR;
        break;
      case 'file': {
        if (this.c.sealed.isSealed(path)) {
          // Encrypted in the repo: versions compare by their plain text (see sealed.ts PlainIds).
          L = { kind: 'file', oid: await this.sealedLocalId(read.oid, B, R, h), exec: (read.perm & 0o100) !== 0, private: isPrivateMode(read.perm) };
          break;
        }
        // What the repo would store: the live bytes, or (with per-key rules) without this machine's own keys.
        const repoBytes = this.c.formats.codecFor(path, read.content).toRepo(read.content, { repoPath: path, host: this.c.host, platform: this.c.platform });
        if (repoBytes !== read.content) localRepo = repoBytes;
        L = { kind: 'file', oid: localRepo ? blobOid(localRepo) : read.oid, exec: (read.perm & 0o100) !== 0, private: isPrivateMode(read.perm) };
        // Kept stricter than the repo's record on purpose (see modes.ts): not an edit to send.
        if (base?.stricter && L.private && B.kind === 'file' && !B.private && L.oid === B.oid && L.exec === !!B.exec) L = B;
        break;
      }
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
    // A file another machine just started encrypting: this machine synced it under its plain name. When
    // the live file is still exactly that version, it is unchanged here (not a first meeting): the
    // encrypted path takes over the plain one's synced state.
    if (B.kind === 'absent' && L.kind === 'file' && read.kind === 'file' && this.c.sealed.isSealed(path)) {
      const plain = this.c.sealed.plainOf(path)!;
      const pe = this.c.snapshot.get(plain);
      if (pe && pe.mode !== '120000' && pe.oid === read.oid) {
        B = L;
        this.c.snapshot.delete(plain);
      }
    }
    if (isConflictCopy(path) && B.kind === 'absent' && R.kind === 'absent') return null;
    const it: Item = { path, live, B, L, R, read, head: h, base, localHeld, remoteHeld: null, decision: { action: 'none' }, ...(localRepo ? { localRepo } : {}) };
    it.decision = await this.decideWithHolds(it);
    // A file that cannot be read is never written over, and the person is told, even when nothing
    // about it seems to have changed.
    if (read.kind === 'error' && it.decision.action !== 'hold') it.decision = { action: 'hold', side: 'local', reason: localHeld! };
    // Inside a folder that waits against a repo file (rule.ts FOLDER_MEETS_FILE): its files wait too.
    const under = B.kind === 'absent' && R.kind === 'absent' && it.decision.action === 'take-local' ? this.unsyncedRepoFileAbove(path, head) : null;
    if (under) it.decision = { action: 'hold', side: 'local', reason: `inside ${under.split('/').pop()}, ${FOLDER_MEETS_FILE}` };
    return it;
  }

  /** The nearest folder above `path` that is a file in HEAD this machine never synced, or null. */
  private unsyncedRepoFileAbove(path: string, head: Map<string, TreeEntry>): string | null {
    for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
      const p = path.slice(0, i);
      if (head.has(p)) return this.c.snapshot.get(p) ? null : p;
    }
    return null;
  }

  /** Decides; asks the guards only when a version would cross, then decides again with their answers. */
  private async decideWithHolds(it: Item): Promise<Decision> {
    // A link a person chose when resolving a conflict here is applied as chosen, not questioned again.
    const remoteChosen = it.R.kind === 'link' && this.c.conflicts.chosen(it.path)?.oid === it.R.oid;
    const input = (): RuleInput => ({ base: it.B, local: it.L, remote: it.R, localHeld: it.localHeld, remoteHeld: it.remoteHeld, remoteChosen });
    let d = decide({ base: it.B, local: it.L, remote: it.R, remoteChosen });
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
    if (this.c.sealed.isSealed(it.path) && it.L.kind === 'file' && it.L.oid!.startsWith(NEW_PLAIN)) {
      // This machine's new version of an encrypted file: sealed now, so what reaches the repo is known.
      try {
        it.localRepo = await this.c.sealer.seal(gatheredBytes(it));
      } catch (e) {
        return `encrypted in the repo, and this machine cannot encrypt it: ${(e as Error).message}`;
      }
      const oid = blobOid(it.localRepo);
      this.c.plainIds.set(oid, it.read.oid);
      it.L = { ...it.L, oid };
    } else if (this.c.sealed.isSealed(it.path) && it.L.kind === 'file') {
      // The plain text is a version the repo already holds encrypted (only the mode differs): what
      // goes is that encrypted blob, never these bytes.
      it.localRepo = await this.apply.readBlob(it.L.oid!);
    }
    const v = this.c.formats.validate(it.path, gatheredBytes(it));
    if (!v.ok) return `held back: ${v.reason}; the last good version stays in the repo, and syncing resumes when it is valid again`;
    for (const g of this.c.guards.commit) {
      // What would reach the repo (a machine-local key holding a token never does).
      const why = await g(it.path, it.localRepo ?? gatheredBytes(it));
      if (why) return why;
    }
    return null;
  }

  /** Why the repo's version cannot be written here: this machine's size limit, a corrupt file, a live-write guard. */
  private async remoteHold(it: Item): Promise<string | null> {
    const s = this.c.settings();
    const h = it.head;
    if (h && this.c.sealed.isSealed(it.path) && !(await this.c.sealer.ready())) {
      return 'encrypted in the repo with your secrets identity, which this machine does not have yet: paste it in Preferences → Health, or run `confsync secret import FILE`';
    }
    if (h && h.mode !== '120000') {
      it.remoteBytes ??= await this.apply.readBlob(h.oid);
      if (it.remoteBytes.length > s.sync.maxFileBytes) {
        return `the repo's version is ${formatBytes(it.remoteBytes.length)}, larger than this machine's limit of ${formatBytes(s.sync.maxFileBytes)}; not written (sync.maxFileBytes)`;
      }
    }
    if (h && h.mode === '120000') {
      const target = (await this.apply.readBlob(h.oid)).toString('utf8');
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
      const outcome = await this.apply.execute(it, stage, report);
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

  // ---------------------------------------------------------------------------- commit

  private async commit(stage: Stage, report: ReconcileReport, reason: string, head: Map<string, TreeEntry>): Promise<void> {
    // ConfSync's own files live in the (sparse) working tree too: written there, and committed as blobs.
    if (stage.modes && this.c.modes.save()) stage.paths.add(MODES_REL);
    if (stage.conflicts) {
      this.c.conflicts.save();
      stage.paths.add(CONFLICTS_REL);
    }
    for (const p of [MODES_REL, CONFLICTS_REL]) {
      if (!stage.paths.has(p)) continue;
      const abs = join(this.c.repoDir, ...p.split('/'));
      if (existsSync(abs)) await stage.put(p, '100644', readFileSync(abs));
      else stage.remove(p);
    }
    if (stage.paths.size === 0) return;
    const paths = [...stage.paths];
    const userPaths = paths.filter((p) => !p.startsWith(SPECIAL));
    const s = this.c.settings();
    const msg = userPaths.length ? renderCommitMessage(s.sync.commitTemplate, { host: this.c.host, files: userPaths }) : `${this.c.host}: record conflicts`;
    const r = await this.c.status.during('committing', async () => {
      try {
        await stage.blobs.flush();
      } catch (e) {
        return { kind: isDiskFull(e) ? ('disk-full' as const) : ('error' as const), message: (e as Error).message };
      }
      return commitEntries(this.c.git, stage.index, msg, this.c.host);
    });
    if (r.kind === 'committed') {
      report.commit = r.oid;
      report.committed = userPaths;
      this.advanceHeadCache(head, r.oid, stage.index);
      for (const [p, e] of stage.entries) {
        if (!e.version) this.c.snapshot.delete(p);
        else this.apply.setSnapshot(p, e.version, e.written, false, e.at);
      }
      const st = this.c.store.getState();
      patchState(this.c.store, 'watch', { commits: st.watch.commits + 1, batches: st.watch.batches + 1 });
      if (userPaths.length) pushActivity(this.c.store, 'commit', committedWords(userPaths));
      for (const p of stage.resolvedByHand) pushActivity(this.c.store, 'resolved', `Conflict in ${p.split('/').pop()} resolved: its copy was deleted, the version in the file stays`);
      this.c.events.emit('committed', { oid: r.oid, paths, reason });
    } else if (r.kind === 'nothing') {
      for (const [p, e] of stage.entries) {
        if (!e.version) this.c.snapshot.delete(p);
        else this.apply.setSnapshot(p, e.version, e.written, false, e.at);
      }
    } else {
      // Nothing is lost: the live files still hold the edits and the next pass retries them.
      await this.c.git.raw(['reset', '-q', '--hard', 'HEAD']).catch(() => undefined);
      this.c.conflicts.reload(await copiesInTree(this.c.git));
      report.conflicts = [];
      report.errors.push(r.message);
      report.failure = { kind: r.kind, message: r.message };
      pushError(this.c.store, 'commit', r.kind === 'disk-full' ? 'Disk full: could not commit; will retry' : 'Could not commit', r.message);
    }
  }

  // ---------------------------------------------------------------------------- helpers

  /**
   * The id of this machine's version of an encrypted file: the synced version's when the plain text is
   * the one last synced, the repo's when it is the repo's plain text (a machine joining with the same
   * file), else a new version (sealed only if it is to be sent: localHold).
   */
  private async sealedLocalId(plainOid: string, B: Version, R: Version, h: TreeEntry | null): Promise<string> {
    if (B.kind === 'file' && this.c.plainIds.get(B.oid) === plainOid) return B.oid!;
    if (R.kind === 'file' && h) {
      const known = this.c.plainIds.get(h.oid);
      if (known === plainOid) return h.oid;
      if (known === undefined && (await this.c.sealer.ready())) {
        const plain = await this.c.sealer.open(await this.apply.readBlob(h.oid)).catch(() => null);
        if (plain) {
          const id = blobOid(plain);
          this.c.plainIds.set(h.oid, id);
          if (id === plainOid) return h.oid;
        }
      }
    }
    return `${NEW_PLAIN}${plainOid}`;
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
    const parentDir = dirname(live);
    let from: string;
    if (parentDir === base) from = base;
    else if (parentDir.startsWith(base + sep) && normalize(parentDir) === parentDir) from = parentDir;
    else {
      const rel = relative(base, parentDir);
      if (rel.startsWith('..') || isAbsolute(rel)) return null;
      from = rel === '' ? base : join(base, rel);
    }
    const cache = this.linkCache;
    const at = (dir: string): string | null => {
      const key = `${base}\0${dir}`;
      const known = cache?.get(key);
      if (known !== undefined) return known;
      const parent = dirname(dir);
      let found = dir === base ? null : at(parent);
      if (found === null) {
        try {
          if (lstatSync(dir).isSymbolicLink()) found = dir;
        } catch {
          found = null; // absent: nothing to follow
        }
      }
      cache?.set(key, found);
      return found;
    };
    return at(from);
  }
}

export function committedWords(paths: string[]): string {
  const names = paths.map((p) => p.split('/').pop() || p);
  if (names.length === 1) return `${names[0]} committed`;
  if (names.length <= 3) return `${names.join(', ')} committed`;
  return `${names.length.toLocaleString('en-US')} files committed (${names.slice(0, 2).join(', ')}, …)`;
}

/**
 * This machine's version goes to the repo and nothing is written here: staged the moment it is
 * decided. (A path where the repo holds a folder may be decided again once the pass knows which of
 * the folder's files go: followFolders.)
 */
function sendsAtOnce(it: Item): boolean {
  return it.decision.action === 'take-local' && (it.L.kind === 'file' || it.L.kind === 'link') && it.R.kind !== 'dir' && !it.underLink;
}

/** Lets a gathered file's bytes go: its id, mode and times stay (see DROPPED). */
function dropBytes(it: Item): void {
  if (it.read.kind === 'file') it.read = { ...it.read, content: DROPPED };
  delete it.localRepo;
  delete it.remoteBytes;
}
