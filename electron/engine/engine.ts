/**
 * The one object hosts talk to. It owns the sync repo, the snapshot, the watchers, the schedule and the
 * AppState store; hosts (Electron main, the headless daemon, the CLI) only call it.
 *
 * Every sync decision is one rule, per repo path, over three versions:
 *   B = the last-synced blob (snapshot), L = the live file, R = the repo's HEAD.
 *   L = R            → nothing to do (record L as synced)
 *   L = B, R ≠ B     → a remote change: write R to the live file (atomic, re-checked before rename)
 *   R = B, L ≠ B     → a local change: copy L into the repo and commit it
 *   all three differ → both changed: structured/text merge, else keep both (conflict copy)
 * The same rule finds edits made while ConfSync was not running (catch-up), commits watched edits,
 * and applies what a merge brought in, so a crash anywhere is repaired by simply running it again.
 */
import { hostname } from 'node:os';
import { lstatSync, mkdirSync, constants as fsConstants } from 'node:fs';
import { access, lstat, readdir, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { createAppStore, patchState, pushActivity, pushError, pushLatency, type AppStore } from './state/app-store.js';
import { initialAppState, type AppState, type Conflict, type SyncResult, type SyncResultKind } from '../../shared/state.js';
import type { Settings } from '../../shared/settings.js';
import type { SettingsStore } from './config/settings-store.js';
import { configFiles, resolveHome, type ConfigFiles } from './config/paths.js';
import { nullPorts, type HostPorts } from './ports.js';
import { Mutex } from './util/mutex.js';
import { GitRunner, gitMessage } from './git/runner.js';
import { ensureRepo, configureRepo, setRemote, lsRemote, MARKER_DIR } from './git/init.js';
import { lsTree, revParse, countCommits, blobAt, rootCommit, mergeBase, type TreeEntry } from './git/tree.js';
import { stageAndCommit, renderCommitMessage } from './git/commit.js';
import { fetchRemote, remoteWasRewritten, markRemoteSeen, REMOTE_REF } from './git/fetch.js';
import { mergeRemote, lastTouch } from './git/merge.js';
import { pushCommit } from './git/push.js';
import { recoverRepo } from './git/recover.js';
import { fileHistory } from './git/history.js';
import { Snapshot } from './snapshot/snapshot.js';
import { readLive, writeLiveIfUnchanged, deleteLiveIfUnchanged, LIVE_TEMP_RE, type LiveFile } from './mirror/live.js';
import { writeRepoFile, removeRepoFile } from './mirror/worktree.js';
import { mergeContents, isBinary } from './conflicts/merge-content.js';
import { conflictCopyName, isConflictCopy } from './conflicts/names.js';
import { ConflictRegistry } from './conflicts/registry.js';
import { InstanceLock } from './lock.js';
import { ProfileSet, PROFILES_REL } from './profiles-set.js';
import { tooLargeReason } from './profiles/scan.js';
import { LocalWatch } from './local-watch.js';
import { SyncScheduler } from './scheduler/scheduler.js';
import { SecretsGate } from './secrets-gate.js';
import { buildHandlers } from './handlers.js';
import { buildIgnore } from './ignore-rules.js';
import './km-merge.js';
import { createRequestHandler, type RequestHandler } from './api.js';
import { blobOid } from './snapshot/hash.js';
import { faultPoint } from './util/fault.js';

export interface EngineOptions {
  configDir: string;
  home?: string;
  platform?: NodeJS.Platform;
  version: string;
  settings: SettingsStore;
  ports?: HostPorts;
  /** Start file watchers, the schedule and pollers in start(). One-shot CLI commands pass false. */
  watch?: boolean;
}

export class LockedError extends Error {
  override name = 'LockedError';
}

type Change = { path: string; live: string | null };

export interface ReconcileReport {
  committed: string[];
  applied: string[];
  conflicts: Conflict[];
  errors: string[];
  commit: string | null;
  /** The pass could not write (commit failed, or the disk is full): its edits wait on disk. */
  failure: { kind: 'disk-full' | 'error'; message: string } | null;
}

function isDiskFull(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === 'ENOSPC' || /No space left on device|disk quota exceeded/i.test(String((e as Error)?.message ?? e));
}

const SPECIAL_PREFIX = `${MARKER_DIR}/`;

export class Engine {
  readonly store: AppStore;
  readonly settings: SettingsStore;
  readonly handle: RequestHandler;
  readonly files: ConfigFiles;
  readonly home: string;
  readonly platform: NodeJS.Platform;
  readonly host: string;
  readonly git: GitRunner;
  readonly profiles: ProfileSet;
  readonly conflicts: ConflictRegistry;
  readonly ports: HostPorts;
  private readonly repoMutex = new Mutex();
  private readonly snapshot: Snapshot;
  private readonly lock: InstanceLock;
  private readonly secrets: SecretsGate;
  private watch: LocalWatch | null = null;
  private scheduler: SyncScheduler | null = null;
  private started = false;
  private stopped = false;
  private dirtyWhilePaused = false;
  /** The last full pass could not commit (disk full, commit error): edits wait on disk. */
  private uncommitted = false;
  private readonly extraStops: (() => Promise<void>)[] = [];

  private constructor(
    private readonly opts: EngineOptions,
    lock: InstanceLock,
  ) {
    this.lock = lock;
    this.settings = opts.settings;
    this.files = configFiles(opts.configDir);
    this.home = opts.home ?? resolveHome();
    this.platform = opts.platform ?? process.platform;
    const s = this.settings.get();
    this.host = s.hostName ?? (hostname().split('.')[0] || 'host').replace(/[^A-Za-z0-9._-]/g, '-');
    this.ports = opts.ports ?? nullPorts;
    this.git = new GitRunner({ dir: this.repoDir, timeoutMs: () => this.cfg.sync.gitTimeoutMs });
    this.snapshot = new Snapshot(this.files.snapshot);
    this.store = createAppStore(
      initialAppState({ version: opts.version, host: this.host, configDir: opts.configDir, repoPath: this.repoDir, branch: s.remote.branch }),
    );
    this.profiles = new ProfileSet({
      repoDir: this.repoDir,
      home: this.home,
      platform: this.platform,
      settings: this.settings,
      lastGoodFile: join(opts.configDir, 'profiles.last-good.json'),
      // Whatever reloaded the definitions (a merge, a profile saved or removed here, settings), the
      // watcher follows: else edits under a new or changed profile wait for a restart or a full scan.
      onReload: () => void this.watch?.setTargets(this.profiles.enabled()).catch(() => undefined),
    });
    this.conflicts = new ConflictRegistry(this.repoDir, this.profiles);
    this.secrets = new SecretsGate(this.settings, this.store, this.ports);
    this.handle = createRequestHandler(buildHandlers(this));
    this.settings.onChange((next) => this.onSettingsChanged(next));
    if (this.settings.loadError) {
      this.store.setState({ configError: this.settings.loadError.message });
      pushError(this.store, 'config', this.settings.loadError.message);
    }
  }

  get repoDir(): string {
    return this.opts.settings.get().repoPath ?? this.files.defaultRepo;
  }

  get cfg(): Settings {
    return this.settings.get();
  }

  /** Takes the config dir's single-instance lock, recovers the repo from any crash, loads the snapshot. */
  static async open(opts: EngineOptions): Promise<Engine> {
    mkdirSync(opts.configDir, { recursive: true });
    const lock = new InstanceLock(configFiles(opts.configDir).lock);
    const got = await lock.acquire();
    if (!got.ok) throw new LockedError(got.message);
    const engine = new Engine(opts, lock);
    try {
      await engine.prepare();
    } catch (e) {
      await lock.release();
      throw e;
    }
    return engine;
  }

  private async prepare(): Promise<void> {
    const s = this.cfg;
    const { created } = await ensureRepo(this.git, s.remote.branch);
    if (!created) await configureRepo(this.git);
    const rec = await recoverRepo(this.git, s.remote.branch);
    for (const note of rec.notes) pushActivity(this.store, 'info', `Recovered: ${note}`);
    // The working tree is ours alone and the live files are the truth for local edits: start clean.
    if (await revParse(this.git, 'HEAD')) {
      await this.git.raw(['reset', '-q', '--hard', 'HEAD']);
      await this.git.raw(['clean', '-q', '-fd']);
    }
    await setRemote(this.git, s.remote.url);
    const snap = this.snapshot.load();
    if (snap.error) pushError(this.store, 'snapshot', snap.error);
    if (created || !(await revParse(this.git, 'HEAD'))) await this.initialCommit();
    // Embedded default: the first run enables the catalog profiles whose files exist here.
    if (s.enabledProfiles === null && !this.settings.loadError) {
      const detected = await this.profiles.detectCatalog();
      this.settings.update({ enabledProfiles: detected });
      if (detected.length) pushActivity(this.store, 'info', `Enabled ${detected.length} detected profiles: ${detected.join(', ')}`);
    }
    this.profiles.reload();
    this.conflicts.reload();
    this.reportRepoFileErrors();
    patchState(this.store, 'repo', { remote: s.remote.url, branch: s.remote.branch });
    this.store.setState({ paused: s.paused, phase: s.paused ? 'paused' : 'idle' });
    await this.refreshProfilesState();
    await this.refreshRepoState();
    this.refreshConflictsState();
  }

  private async initialCommit(): Promise<void> {
    this.profiles.ensureFiles();
    await stageAndCommit(this.git, [MARKER_DIR], 'ConfSync repository', this.host);
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.opts.watch === false) return;
    const s = this.cfg;
    this.watch = new LocalWatch({
      engine: this,
      settings: this.settings,
      store: this.store,
      onBatch: (paths, firstSeenAt, rescan) => this.onWatchBatch(paths, firstSeenAt, rescan),
    });
    this.scheduler = new SyncScheduler({
      intervalMs: () => this.cfg.sync.intervalSec * 1000,
      run: () => this.syncNow({ reason: 'schedule' }),
      onNext: (at) => patchState(this.store, 'repo', { nextSyncAt: at }),
    });
    await this.watch.start(this.profiles.enabled());
    // Catch-up: edits made while we were not running, then a first sync.
    if (!s.paused) {
      void this.syncNow({ reason: 'start' }).catch(() => undefined);
    }
    this.scheduler.start();
  }

  /** The secrets guard for content that reaches the repo by another route (Keyboard Maestro exports). */
  secretsAllow(repoPath: string, content: Buffer): Promise<boolean> {
    return this.secrets.allow(repoPath, content);
  }

  /** Runs `fn` while no other repo work runs (exports that commit beside the sync). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.repoMutex.run(fn);
  }

  /** Asks the scheduler for a sync soon (a local commit was made). */
  kick(): void {
    this.scheduler?.kick();
  }

  onStop(fn: () => Promise<void>): void {
    this.extraStops.push(fn);
  }

  /** Flushes pending changes (bounded), stops everything, releases the lock. */
  async stop(opts: { flushTimeoutMs?: number } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const timeout = opts.flushTimeoutMs ?? 10_000;
    const work = (async () => {
      this.scheduler?.stop();
      if (this.watch) await this.watch.flush();
      await this.repoMutex.run(async () => undefined);
    })();
    await Promise.race([work, new Promise((r) => setTimeout(r, timeout).unref())]);
    await this.watch?.stop();
    for (const fn of this.extraStops) await fn().catch(() => undefined);
    await this.snapshot.save().catch(() => undefined);
    this.store.setState({ phase: 'stopped' });
    await this.lock.release();
  }

  setPaused(paused: boolean): void {
    this.settings.update({ paused });
  }

  private onSettingsChanged(next: Settings): void {
    this.requestFullScan();
    const wasPaused = this.store.getState().paused;
    this.store.setState({ paused: next.paused });
    if (next.paused && !wasPaused) {
      this.store.setState({ phase: 'paused' });
      pushActivity(this.store, 'info', 'Sync paused');
    } else if (!next.paused && wasPaused) {
      this.store.setState({ phase: 'idle' });
      pushActivity(this.store, 'info', 'Sync resumed');
      void this.syncNow({ reason: 'resume' }).catch(() => undefined);
    }
    this.ports.setLoginItem(next.startAtLogin);
    if (next.remote.url !== this.store.getState().repo.remote || next.remote.branch !== this.store.getState().repo.branch) {
      patchState(this.store, 'repo', { remote: next.remote.url, branch: next.remote.branch });
      void this.repoMutex.run(() => setRemote(this.git, next.remote.url)).then(() => this.refreshRepoState()).catch(() => undefined);
    }
    this.profiles.reload();
    void this.watch?.setTargets(this.profiles.enabled());
    this.scheduler?.reschedule();
    this.updateSafe();
  }

  // ---------------------------------------------------------------- local changes

  private async onWatchBatch(livePaths: string[], firstSeenAt: number, rescan: boolean): Promise<void> {
    if (this.cfg.paused) {
      this.dirtyWhilePaused = true;
      return;
    }
    const report = await this.repoMutex.run(() => {
      faultPoint('watch-batch');
      return this.reconcile(rescan ? { all: true } : { livePaths }, 'watch');
    });
    if (!this.syncing) this.restPhase();
    this.updateSafe();
    if (report.commit) {
      pushLatency(this.store, Date.now() - firstSeenAt);
      this.scheduler?.kick();
    }
  }

  /** Finds what changed locally, commits it; applies what the repo has that the live files lack. */
  async reconcile(scope: { all: true } | { livePaths: string[] } | { repoPaths: string[] }, reason: string): Promise<ReconcileReport> {
    const report: ReconcileReport = { committed: [], applied: [], conflicts: [], errors: [], commit: null, failure: null };
    const tree = await lsTree(this.git, 'HEAD');
    const changes = 'all' in scope ? await this.scanAll(tree) : 'livePaths' in scope ? this.changesFor(scope.livePaths) : this.changesForRepo(scope.repoPaths);
    const staged = new Map<string, LiveFile | null>();
    const s = this.cfg;
    for (const c of changes) {
      try {
        await this.reconcilePath(c, tree.get(c.path) ?? null, staged, report);
      } catch (e) {
        const msg = `${c.live ?? c.path}: ${(e as Error).message}`;
        report.errors.push(msg);
        if (isDiskFull(e)) report.failure = { kind: 'disk-full', message: msg };
        pushError(this.store, 'sync', msg);
      }
    }
    if (staged.size) {
      this.setPhase('committing');
      const paths = [...staged.keys()];
      const msg = renderCommitMessage(s.sync.commitTemplate, { host: this.host, files: paths });
      const r = await stageAndCommit(this.git, paths, msg, this.host);
      if (r.kind === 'committed') {
        report.commit = r.oid;
        report.committed = paths;
        for (const [p, f] of staged) {
          if (f) this.snapshot.set(p, { oid: f.oid, mode: f.mode, size: f.size, mtimeMs: f.mtimeMs });
          else this.snapshot.delete(p);
        }
        const st = this.store.getState();
        patchState(this.store, 'watch', { commits: st.watch.commits + 1, batches: st.watch.batches + 1 });
        pushActivity(this.store, 'commit', committedWords(paths));
      } else if (r.kind !== 'nothing') {
        // Nothing is lost: the live files still hold the edits and the next pass retries them.
        await this.git.raw(['reset', '-q', '--hard', 'HEAD']).catch(() => undefined);
        report.errors.push(r.message);
        report.failure = { kind: r.kind, message: r.message };
        pushError(this.store, 'commit', r.kind === 'disk-full' ? 'Disk full: could not commit; will retry' : 'Could not commit', r.message);
        this.setLastResult({ kind: r.kind === 'disk-full' ? 'disk-full' : 'error', message: r.kind === 'disk-full' ? 'Disk full: changes wait on disk and will be committed when space frees up' : 'Commit failed', detail: r.message });
      }
    }
    if (report.conflicts.length) {
      await this.recordConflicts(report.conflicts);
    }
    await this.snapshot.save();
    if (report.failure) this.uncommitted = true;
    else if ('all' in scope) this.uncommitted = false;
    void reason;
    return report;
  }

  /** Every candidate path: what the scan found, what the snapshot knew, what HEAD holds. */
  private async scanAll(tree: Map<string, TreeEntry>): Promise<Change[]> {
    this.setPhase('scanning');
    const s = this.cfg;
    const out = new Map<string, Change>();
    const trusted: ((p: string) => boolean)[] = [];
    const profiles = this.profiles.enabled();
    let total = 0;
    patchState(this.store, 'scan', { running: true, scanned: 0, total: 0 });
    const skipped: { path: string; reason: string }[] = [];
    const isIgnored = this.ignoreFn();
    const fileCounts = new Map<string, number>();
    const unsureExact = new Set<string>();
    const unsureDirs: string[] = [];
    // Temp files of our own atomic live writes survive only a crash mid-write (every live write runs
    // under the repo mutex, as this scan does): never synced, and removed here.
    const staleTemps: string[] = [];
    for (const p of profiles) {
      const r = await this.profiles.scan(p, {
        maxFiles: s.sync.maxFilesPerProfile,
        maxFileBytes: s.sync.maxFileBytes,
        isIgnored: (abs, isDir) => {
          if (!isDir && LIVE_TEMP_RE.test(basename(abs))) {
            staleTemps.push(abs);
            return true;
          }
          return isIgnored(abs, isDir);
        },
        onProgress: (n) => patchState(this.store, 'scan', { scanned: total + n, total: total + n }),
      });
      if (r.tooMany) {
        const msg = `Profile "${p.name}" matches more than ${s.sync.maxFilesPerProfile} files; it is not synced until its paths are narrowed or the limit (sync.maxFilesPerProfile) is raised`;
        this.profiles.setError(p.name, msg);
        pushError(this.store, 'profiles', msg);
        continue;
      }
      this.profiles.setError(p.name, null);
      total += r.files.length;
      fileCounts.set(p.name, r.files.length);
      // A profile we could scan owns its repo paths: absent ones are deletions.
      trusted.push((path) => path.startsWith(`${p.name}/`));
      // Paths the scan could not vouch for (skipped, unreadable, or under an unreadable directory)
      // keep their state: they are never taken as deletions.
      for (const sk of r.skipped) {
        skipped.push(sk);
        const repo = this.profiles.liveToRepo(sk.path);
        if (repo) unsureExact.add(repo);
      }
      for (const e of r.errors) {
        skipped.push({ path: e.path, reason: e.message });
        const repo = this.profiles.liveToRepo(e.path);
        if (repo) {
          unsureExact.add(repo);
          unsureDirs.push(`${repo}/`);
        }
      }
      for (const f of r.files) if (!unsureExact.has(f.repo)) out.set(f.repo, { path: f.repo, live: f.abs });
    }
    staleTemps.push(...(await staleTempsBeside(profiles)));
    for (const t of staleTemps) await rm(t, { force: true }).catch(() => undefined);
    patchState(this.store, 'scan', { running: false, scanned: total, total });
    this.store.setState({ skipped: skipped.slice(0, 500) });
    patchState(this.store, 'watch', { filesWatched: total });
    this.store.setState((st) => ({ profiles: st.profiles.map((ps) => ({ ...ps, files: fileCounts.get(ps.name) ?? (ps.enabled ? ps.files : 0) })) }));
    const isUnsure = (p: string) => unsureExact.has(p) || unsureDirs.some((d) => p.startsWith(d));
    const consider = (p: string) => {
      if (out.has(p) || p.startsWith(SPECIAL_PREFIX) || isUnsure(p)) return;
      const prof = this.profiles.forRepoPath(p);
      if (!prof || !trusted.some((t) => t(p))) return;
      if (isConflictCopy(p)) {
        out.set(p, { path: p, live: this.conflicts.liveCopyPath(p) });
        return;
      }
      out.set(p, { path: p, live: this.profiles.repoToLive(p) });
    };
    for (const p of this.snapshot.paths()) consider(p);
    for (const p of tree.keys()) consider(p);
    return [...out.values()];
  }

  private ignoreCache: { key: unknown; fn: (abs: string, isDir?: boolean) => boolean } | null = null;

  /** Ignore rules for the enabled profiles (rebuilt when they change). */
  private ignoreFn(): (abs: string, isDir?: boolean) => boolean {
    const key = this.profiles.enabled();
    if (this.ignoreCache?.key !== key) {
      this.ignoreCache = { key, fn: buildIgnore(this.repoDir, key, (a) => this.profiles.liveToRepo(a)) };
    }
    return this.ignoreCache.fn;
  }

  /** Repo paths (what a merge changed) mapped to their live places on this machine. */
  private changesForRepo(repoPaths: string[]): Change[] {
    const out: Change[] = [];
    for (const p of repoPaths) {
      if (p.startsWith(SPECIAL_PREFIX) || !this.profiles.forRepoPath(p)) continue;
      out.push({ path: p, live: isConflictCopy(p) ? this.conflicts.liveCopyPath(p) : this.profiles.repoToLive(p) });
    }
    return out;
  }

  private changesFor(livePaths: string[]): Change[] {
    const out = new Map<string, Change>();
    const isIgnored = this.ignoreFn();
    for (const live of livePaths) {
      if (isIgnored(live)) continue;
      const repo = this.profiles.liveToRepo(live);
      if (repo && !repo.startsWith(SPECIAL_PREFIX)) out.set(repo, { path: repo, live });
    }
    return [...out.values()];
  }

  private async reconcilePath(c: Change, head: TreeEntry | null, staged: Map<string, LiveFile | null>, report: ReconcileReport): Promise<void> {
    const s = this.cfg;
    const base = this.snapshot.get(c.path) ?? null;
    const copy = isConflictCopy(c.path);
    if (!c.live) return; // not mapped on this platform
    const link = this.linkOnTheWay(c.live);
    if (link) {
      // Reading or writing here would follow the link out of the profile (a link that arrived from
      // another clone can point anywhere): the path keeps its state until the link is gone.
      this.addSkipped(c.live, `inside ${link}, a symbolic link (links are synced as links, never followed)`);
      return;
    }
    // Fast path: unchanged size and mtime since the last sync means the synced content (git's own
    // heuristic). A file modified in the last 2 s is always hashed ("racily clean" guard).
    if (base && head && head.oid === base.oid && (await this.unchangedSinceSync(c.live, base))) return;
    const lr = await readLive(c.live, s.sync.maxFileBytes);
    if (lr.kind === 'too-large') {
      this.addSkipped(c.live, tooLargeReason(s.sync.maxFileBytes, lr.size));
      return;
    }
    if (lr.kind === 'error') {
      this.addSkipped(c.live, `unreadable: ${lr.message}`);
      pushError(this.store, 'read', `Cannot read ${c.live}`, lr.message);
      return;
    }
    if (lr.kind === 'not-a-file') {
      // A file replaced by a directory: the directory's files are separate paths; the file is gone.
      if (base && head?.oid === base.oid) {
        staged.set(c.path, null);
        await removeRepoFile(this.repoDir, c.path);
      }
      return;
    }
    const live = lr.kind === 'file' ? lr.file : null;
    const L = live?.oid ?? null;
    const B = base?.oid ?? null;
    const R = head?.oid ?? null;

    if (L === R) {
      if (L === null) this.snapshot.delete(c.path);
      // Re-recorded also when only the fast path refused it (racy or touched): next time it is trusted.
      else this.snapshot.set(c.path, { oid: L, mode: live!.mode, size: live!.size, mtimeMs: live!.mtimeMs });
      return;
    }
    if (L === B) {
      if (await this.liveWriteBlocked(c.live)) return;
      await this.applyRemote(c, head, base, report, staged);
      return;
    }
    if (copy) return; // conflict copies only ever flow from the repo to the live side
    if (R === B) {
      // A local change.
      if (live && !(await this.secrets.allow(c.path, live.content))) return;
      if (live) await writeRepoFile(this.repoDir, c.path, live.content, live.mode);
      else await removeRepoFile(this.repoDir, c.path);
      staged.set(c.path, live);
      return;
    }
    // Both changed since the last sync.
    if (await this.liveWriteBlocked(c.live)) return;
    await this.bothChanged(c, live, head, base, staged, report);
  }

  private async unchangedSinceSync(live: string, base: { size: number; mtimeMs: number; mode: string; recordedAt?: number }): Promise<boolean> {
    try {
      const st = await lstat(live);
      const kindOk = base.mode === '120000' ? st.isSymbolicLink() : st.isFile() && (st.mode & 0o111 ? '100755' : '100644') === base.mode;
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

  /**
   * Ports that may forbid writing a live file for now (the Keyboard Maestro library while its engine
   * runs). A blocked path is left exactly as it is; the rule applies it on a later pass.
   */
  readonly liveWriteGuards: ((livePath: string) => Promise<string | null>)[] = [];

  private async liveWriteBlocked(livePath: string): Promise<string | null> {
    for (const g of this.liveWriteGuards) {
      const why = await g(livePath);
      if (why) {
        this.addSkipped(livePath, why);
        this.requestFullScan(); // retried by the next sync's full pass
        return why;
      }
    }
    return null;
  }

  private async applyRemote(c: Change, head: TreeEntry | null, base: { oid: string } | null, report: ReconcileReport, staged: Map<string, LiveFile | null>): Promise<void> {
    this.setPhase('applying');
    const live = c.live!;
    if (!head) {
      const r = await deleteLiveIfUnchanged(live, base!.oid);
      if (r.kind === 'deleted') {
        this.snapshot.delete(c.path);
        report.applied.push(c.path);
      } else if (r.kind === 'moved') {
        await this.raceConflict(c, head, base, staged, report);
      } else if (r.kind === 'error') throw new Error(r.message);
      return;
    }
    const content = await this.git.catBlob(head.oid);
    const w = await writeLiveIfUnchanged(live, content, head.mode, base?.oid ?? null);
    if (w.kind === 'written') {
      this.snapshot.set(c.path, { oid: head.oid, mode: head.mode, size: w.size, mtimeMs: w.mtimeMs });
      report.applied.push(c.path);
    } else if (w.kind === 'moved') {
      await this.raceConflict(c, head, base, staged, report);
    } else {
      throw new Error(w.message);
    }
  }

  /** The live file moved under us while applying: treat it as "both changed". */
  private async raceConflict(c: Change, head: TreeEntry | null, base: { oid: string } | null, staged: Map<string, LiveFile | null>, report: ReconcileReport): Promise<void> {
    const lr = await readLive(c.live!, this.cfg.sync.maxFileBytes);
    const live = lr.kind === 'file' ? lr.file : null;
    await this.bothChanged(c, live, head, base, staged, report);
  }

  private async bothChanged(
    c: Change,
    live: LiveFile | null,
    head: TreeEntry | null,
    base: { oid: string } | null,
    staged: Map<string, LiveFile | null>,
    report: ReconcileReport,
  ): Promise<void> {
    const theirsInfo = await lastTouch(this.git, 'HEAD', c.path);
    const now = new Date();
    const mine = { host: this.host, at: now.getTime() };
    if (!live || !head) {
      // Delete vs modify: keep the modified side.
      if (live) {
        if (!(await this.secrets.allow(c.path, live.content))) return;
        await writeRepoFile(this.repoDir, c.path, live.content, live.mode);
        staged.set(c.path, live);
      } else if (head) {
        const content = await this.git.catBlob(head.oid);
        const w = await writeLiveIfUnchanged(c.live!, content, head.mode, null);
        if (w.kind === 'written') this.snapshot.set(c.path, { oid: head.oid, mode: head.mode, size: w.size, mtimeMs: w.mtimeMs });
      }
      report.conflicts.push({
        path: c.path,
        livePath: c.live,
        copyPath: null,
        kind: 'delete-vs-modify',
        mine,
        theirs: theirsInfo,
        summary: live ? `${c.path} was deleted on ${theirsInfo.host} but changed here; kept the changed version` : `${c.path} was deleted here but changed on ${theirsInfo.host}; kept the changed version`,
        detectedAt: now.getTime(),
      });
      return;
    }
    const theirs = await this.git.catBlob(head.oid);
    const baseContent = base ? await this.git.catBlob(base.oid).catch(() => null) : null;
    const m = await mergeContents(c.path, baseContent, live.content, theirs);
    if (m.clean) {
      const merged = m.content;
      // The merge result holds this machine's edit: it passes the secrets guard like any local edit
      // (else a key pasted here would ride into the repo on a clean merge). Blocked: nothing changes
      // until the key is gone; the other machine's edit waits in the repo.
      if (!(await this.secrets.allow(c.path, merged))) return;
      const oid = blobOid(merged);
      const w = await writeLiveIfUnchanged(c.live!, merged, live.mode, live.oid);
      if (w.kind !== 'written') return; // it moved again; the next pass sees it
      const file: LiveFile = { content: merged, oid, mode: live.mode, size: w.size, mtimeMs: w.mtimeMs };
      await writeRepoFile(this.repoDir, c.path, merged, live.mode);
      staged.set(c.path, file);
      report.applied.push(c.path);
      return;
    }
    // Keep both: the live file keeps ours; theirs goes beside it, in the repo and on disk.
    if (!(await this.secrets.allow(c.path, live.content))) return;
    const copyPath = conflictCopyName(c.path, theirsInfo.host, now);
    await writeRepoFile(this.repoDir, c.path, live.content, live.mode);
    await writeRepoFile(this.repoDir, copyPath, theirs, head.mode);
    staged.set(c.path, live);
    const liveCopy = this.conflicts.liveCopyPath(copyPath);
    if (liveCopy) {
      const w = await writeLiveIfUnchanged(liveCopy, theirs, head.mode, null);
      const copyFile: LiveFile = { content: theirs, oid: head.oid, mode: head.mode as LiveFile['mode'], size: theirs.length, mtimeMs: w.kind === 'written' ? w.mtimeMs : 0 };
      staged.set(copyPath, copyFile);
    } else {
      staged.set(copyPath, { content: theirs, oid: head.oid, mode: head.mode as LiveFile['mode'], size: theirs.length, mtimeMs: 0 });
    }
    report.conflicts.push({
      path: c.path,
      livePath: c.live,
      copyPath,
      kind: m.how === 'structured' ? (/Keyboard Maestro Macros\.plist$/.test(c.path) ? 'km-macro' : 'structured') : 'text',
      mine,
      theirs: theirsInfo,
      summary: `${c.path} changed here and on ${theirsInfo.host}: ${m.details.join('; ')}`,
      detectedAt: now.getTime(),
    });
  }

  private repoFileErrors = '';

  /**
   * A broken `.confsync/profiles.json` or `conflicts.json` (they may come from any clone) is shown
   * once per change in the errors list; the last good profiles stay in force meanwhile.
   */
  private reportRepoFileErrors(): void {
    const errs = [this.profiles.fileError && `${this.profiles.fileError} (the last good profile definitions stay in force)`, this.conflicts.error].filter((e): e is string => !!e);
    const key = errs.join('\n');
    if (key !== this.repoFileErrors) for (const e of errs) pushError(this.store, 'repo', e);
    this.repoFileErrors = key;
  }

  /** The first symbolic link between a live path's profile entry base (inclusive) and the path, if any. */
  private linkOnTheWay(live: string): string | null {
    const base = this.profiles.entryBase(live);
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

  private assertNoLinkOnTheWay(live: string): void {
    const link = this.linkOnTheWay(live);
    if (link) throw new Error(`${live} is inside ${link}, a symbolic link; ConfSync never writes through links`);
  }

  private addSkipped(path: string, reason: string): void {
    const cur = this.store.getState().skipped.filter((s) => s.path !== path);
    this.store.setState({ skipped: [{ path, reason }, ...cur].slice(0, 500) });
  }

  // ---------------------------------------------------------------- remote sync

  private syncing: Promise<SyncResult> | null = null;
  private queued: { promise: Promise<SyncResult>; opts: { reason?: string; adoptRemote?: boolean } } | null = null;

  /**
   * One full cycle. A request made while a cycle runs is answered by the next cycle, which starts
   * after the running one (requests made meanwhile share it), so the caller always sees its own edits.
   */
  syncNow(opts: { reason?: string; adoptRemote?: boolean } = {}): Promise<SyncResult> {
    if (this.syncing) {
      if (this.queued) {
        this.queued.opts.adoptRemote ||= opts.adoptRemote;
        return this.queued.promise;
      }
      const queuedOpts = { ...opts };
      const promise = this.syncing
        .catch(() => undefined)
        .then(() => {
          this.queued = null;
          return this.syncNow(queuedOpts);
        });
      this.queued = { promise, opts: queuedOpts };
      return promise;
    }
    this.syncing = this.repoMutex
      .run(() =>
        this.syncCycle(opts).catch((e: unknown) => {
          // Whatever threw (a full disk while saving the snapshot, an unexpected git state), the
          // caller gets a typed result and the state shows it; the next pass starts over.
          const at = Date.now();
          return this.finish(this.failure(isDiskFull(e) ? 'disk-full' : 'error', (e as Error)?.message ?? String(e), { committed: 0, applied: 0, conflicts: 0, at }));
        }),
      )
      .finally(() => {
        this.syncing = null;
        this.updateSafe();
      });
    return this.syncing;
  }

  private async syncCycle(opts: { reason?: string; adoptRemote?: boolean }): Promise<SyncResult> {
    const s = this.cfg;
    const at = Date.now();
    if (s.paused && opts.reason !== 'manual-override') {
      return this.finish({ kind: 'nothing-to-do', message: 'Sync is paused', committed: 0, applied: 0, pushed: false, conflicts: 0, at });
    }
    if (this.settings.loadError) {
      return this.finish({ kind: 'error', message: this.settings.loadError.message, committed: 0, applied: 0, pushed: false, conflicts: 0, at });
    }
    this.dirtyWhilePaused = false;
    await setRemote(this.git, s.remote.url);
    patchState(this.store, 'repo', { remote: s.remote.url, branch: s.remote.branch });
    // With a live watcher (which has its own safety-net rescan), local edits arrive as watch batches:
    // the full scan runs at start, after a rescan request, and in one-shot (CLI) mode.
    // Scheduled and hinted cycles trust the watcher for local edits; an explicit "Sync now" (UI, CLI,
    // resolve, restore) looks at everything, including an edit made a moment ago.
    const full = this.needsFullScan() || !['schedule', 'hint'].includes(opts.reason ?? '');
    if (full) this.fullScanDone(); // cleared first: anything during this pass may ask again
    const local: ReconcileReport = full
      ? await this.reconcile({ all: true }, 'sync')
      : { committed: [], applied: [], conflicts: [], errors: [], commit: null, failure: null };
    if (local.failure) this.requestFullScan();
    let committed = local.committed.length;
    let pushedCommits = 0;
    let applied = local.applied.length;
    let conflicts = local.conflicts.length;
    if (local.failure) {
      // Edits that could not be committed wait on disk; saying "up to date" here would hide them.
      await this.refreshRepoState();
      return this.finish(this.failure(local.failure.kind, local.failure.message, { committed, applied, conflicts, at }));
    }
    if (!s.remote.url) {
      await this.refreshRepoState();
      return this.finish({ kind: 'local-only', message: committed ? `Committed ${committed} file(s); no remote set` : 'Up to date (no remote set)', committed, applied, pushed: false, conflicts, at });
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      this.setPhase('pulling');
      const f = await fetchRemote(this.git, s.remote.branch);
      if (f.kind !== 'ok') {
        await this.refreshRepoState();
        return this.finish(this.failure(f.kind, f.message, { committed, applied, conflicts, at }));
      }
      patchState(this.store, 'repo', { lastFetchAt: Date.now() });
      if (f.remoteHead) {
        if (!opts.adoptRemote && (await remoteWasRewritten(this.git, f.remoteHead))) {
          await this.refreshRepoState();
          return this.finish({
            kind: 'remote-rewritten',
            message: 'The remote history was rewritten (force-pushed). Nothing was merged or pushed; your local commits are safe. Run `confsync sync --adopt-remote` to merge the new remote history.',
            committed,
            applied,
            pushed: false,
            conflicts,
            at,
          });
        }
        const head = await revParse(this.git, 'HEAD');
        const related = head ? (await mergeBase(this.git, head, f.remoteHead)) !== null : true;
        if (!related && !(await this.remoteIsConfSync(f.remoteHead))) {
          await this.refreshRepoState();
          return this.finish({ kind: 'not-confsync-repo', message: `The remote branch ${s.remote.branch} holds a repository that is not a ConfSync repo (no ${MARKER_DIR}/ folder). Nothing was merged or pushed.`, committed, applied, pushed: false, conflicts, at });
        }
        // A fresh machine (nothing but ConfSync's own first commit) joins by adopting the remote's
        // history, so the repo keeps one root commit (its identity for the peers channel).
        const m =
          !related && head && (await this.isPristine())
            ? await this.adoptRemote(head, f.remoteHead)
            : await mergeRemote(this.git, REMOTE_REF(s.remote.branch), { host: this.host, allowUnrelated: true });
        if (m.kind === 'error' || m.kind === 'disk-full') {
          await this.refreshRepoState();
          return this.finish(this.failure(m.kind, m.message, { committed, applied, conflicts, at }));
        }
        await markRemoteSeen(this.git, f.remoteHead);
        if (m.kind === 'merged' || m.kind === 'fast-forward') {
          this.profiles.reload();
          this.conflicts.reload();
          this.reportRepoFileErrors();
          this.refreshConflictsState();
          if (m.kind === 'merged' && m.conflicts.length) {
            await this.recordConflicts(m.conflicts);
            conflicts += m.conflicts.length;
          }
          // Apply exactly what the merge changed (a full pass when profiles changed with it).
          const changed = m.from ? (await this.git.raw(['diff', '--name-only', '-z', '--no-renames', m.from, m.to], { readonly: true })).split('\0').filter(Boolean) : null;
          const after = changed && !changed.includes(PROFILES_REL) ? await this.reconcile({ repoPaths: changed }, 'apply') : await this.reconcile({ all: true }, 'apply');
          applied += after.applied.length;
          committed += after.committed.length;
          conflicts += after.conflicts.length;
          if (after.failure) {
            await this.refreshRepoState();
            return this.finish(this.failure(after.failure.kind, after.failure.message, { committed, applied, conflicts, at }));
          }
          if (after.applied.length) {
            // Name the machine the changes came from: the remote side, not our own merge commit.
            const from = await lastTouch(this.git, f.remoteHead, '.');
            pushActivity(this.store, 'arrived', arrivedWords(after.applied, from.host));
            this.ports.notify({ kind: 'arrived', title: 'Changes arrived', body: arrivedWords(after.applied, from.host), tab: 'history' });
          }
        }
      }
      const ahead = await this.aheadCount();
      if (ahead === 0 && f.remoteHead) break;
      this.setPhase('pushing');
      // Push the commit we looked at by oid: the bookkeeping below then describes exactly what the
      // remote has, whatever happens to HEAD meanwhile.
      const pushing = (await revParse(this.git, 'HEAD'))!;
      const p = await pushCommit(this.git, pushing, s.remote.branch);
      if (p.kind === 'ok') {
        await markRemoteSeen(this.git, pushing);
        await this.git.raw(['update-ref', REMOTE_REF(s.remote.branch), pushing]).catch(() => undefined);
        patchState(this.store, 'repo', { lastPushAt: Date.now() });
        pushActivity(this.store, 'pushed', `Pushed ${ahead} commit${ahead === 1 ? '' : 's'}`);
        pushedCommits += ahead;
        this.afterPush?.(pushing);
        break;
      }
      if (p.kind === 'rejected' && attempt < 2) continue; // someone pushed first: fetch, merge, retry
      await this.refreshRepoState();
      return this.finish(this.failure(p.kind, p.message, { committed, applied, conflicts, at }));
    }
    await this.refreshRepoState();
    const st = this.store.getState().repo;
    const pushed = st.ahead === 0;
    const words =
      committed || applied || pushedCommits
        ? `Synced: ${committed} committed, ${applied} applied, ${pushedCommits} commit(s) pushed${conflicts ? `, ${conflicts} conflict(s)` : ''}`
        : conflicts
          ? `${conflicts} conflict(s) need you`
          : 'Everything is up to date';
    return this.finish({ kind: conflicts ? 'conflict' : committed || applied || pushedCommits ? 'ok' : 'nothing-to-do', message: words, committed, applied, pushed, conflicts, at });
  }

  /** Called with the new head after every successful push (the peers hint channel hooks in here). */
  afterPush: ((head: string) => void) | null = null;

  /** True when the repo holds only the initial commit, with nothing but the .confsync/ folder. */
  private async isPristine(): Promise<boolean> {
    if ((await countCommits(this.git, 'HEAD')) !== 1) return false;
    const top = (await this.git.raw(['ls-tree', '--name-only', 'HEAD'], { readonly: true })).split('\n').filter(Boolean);
    return top.every((n) => n === MARKER_DIR);
  }

  private async adoptRemote(head: string, remoteHead: string): Promise<{ kind: 'fast-forward'; from: string; to: string }> {
    // The local profile definitions (possibly added before joining) survive: merge them into the remote's.
    const mine = await blobAt(this.git, head, PROFILES_REL);
    await this.git.raw(['reset', '-q', '--hard', remoteHead]);
    if (mine) {
      const theirs = await blobAt(this.git, 'HEAD', PROFILES_REL);
      const merged = theirs ? await mergeContents(PROFILES_REL, null, mine, theirs) : { clean: true as const, content: mine };
      if (merged.clean && (!theirs || !merged.content.equals(theirs))) {
        await writeRepoFile(this.repoDir, PROFILES_REL, merged.content, '100644');
        await stageAndCommit(this.git, [PROFILES_REL], `${this.host}: keep profiles defined before joining`, this.host);
      }
    }
    pushActivity(this.store, 'info', `Joined the remote's history (${remoteHead.slice(0, 8)})`);
    return { kind: 'fast-forward', from: head, to: remoteHead };
  }

  private async remoteIsConfSync(remoteHead: string): Promise<boolean> {
    const out = await this.git.raw(['ls-tree', '--name-only', remoteHead], { readonly: true }).catch(() => '');
    return out.split('\n').includes(MARKER_DIR);
  }

  private failure(kind: SyncResultKind, detail: string, c: { committed: number; applied: number; conflicts: number; at: number }): SyncResult {
    const ahead = this.store.getState().repo.ahead;
    const words: Record<string, string> = {
      offline: `Offline: ${ahead} commit${ahead === 1 ? '' : 's'} waiting`,
      'auth-failed': 'The remote refused our credentials (check your ssh key or credential helper)',
      'host-key-changed': "The remote's ssh host key changed: check it before trusting it again",
      rejected: 'The remote rejected the push',
      'disk-full': 'Disk full: changes wait and will sync when space frees up',
      timeout: 'The remote did not answer in time',
      error: 'Sync failed',
    };
    return { kind, message: words[kind] ?? 'Sync failed', detail: detail.slice(0, 4000), committed: c.committed, applied: c.applied, pushed: false, conflicts: c.conflicts, at: c.at };
  }

  private finish(r: SyncResult): SyncResult {
    this.setLastResult(r);
    return r;
  }

  private setLastResult(r: Omit<SyncResult, 'committed' | 'applied' | 'pushed' | 'conflicts' | 'at'> & Partial<SyncResult>): void {
    const full: SyncResult = { committed: 0, applied: 0, pushed: false, conflicts: 0, at: Date.now(), ...r };
    const okKinds: SyncResultKind[] = ['ok', 'nothing-to-do', 'local-only', 'conflict'];
    const phase = this.cfg.paused ? 'paused' : full.kind === 'offline' ? 'offline' : okKinds.includes(full.kind) ? 'idle' : 'error';
    patchState(this.store, 'repo', { lastResult: full, ...(okKinds.includes(full.kind) ? { lastSyncAt: full.at } : {}) });
    this.store.setState({ phase });
    if (!okKinds.includes(full.kind)) {
      pushError(this.store, 'sync', full.message, full.detail);
      if (full.kind !== 'offline') this.ports.notify({ kind: 'error', title: 'ConfSync: sync problem', body: full.message, tab: 'health' });
    }
    this.scheduler?.result(okKinds.includes(full.kind));
    this.updateSafe();
  }

  private fullScanWanted = true;

  /** A full scan is needed unless a running watcher reports local edits (and none was requested). */
  private needsFullScan(): boolean {
    return this.fullScanWanted || !this.watch;
  }

  private fullScanDone(): void {
    if (this.watch) this.fullScanWanted = false;
  }

  /** The next sync scans everything (after a resume, a settings or profile change, or a watcher overflow). */
  requestFullScan(): void {
    this.fullScanWanted = true;
  }

  /** Back to the phase that describes the last outcome, once no work runs. */
  private restPhase(): void {
    const last = this.store.getState().repo.lastResult;
    const phase = this.cfg.paused ? 'paused' : last?.kind === 'offline' ? 'offline' : last && !['ok', 'nothing-to-do', 'local-only', 'conflict'].includes(last.kind) ? 'error' : 'idle';
    this.setPhase(phase);
  }

  private setPhase(phase: AppState['phase']): void {
    if (this.store.getState().phase !== phase) this.store.setState({ phase });
    this.updateSafe();
  }

  updateSafe(): void {
    const st = this.store.getState();
    const pending = this.watch?.pending() ?? 0;
    const busy = this.repoMutex.busy || ['scanning', 'committing', 'pulling', 'applying', 'pushing'].includes(st.phase);
    const waiting = st.repo.remote ? st.repo.ahead > 0 : false;
    const safe = !busy && pending === 0 && !waiting && !this.dirtyWhilePaused && !this.uncommitted;
    if (st.safeToShutDown !== safe || st.watch.pendingPaths !== pending) {
      this.store.setState({ safeToShutDown: safe, watch: { ...st.watch, pendingPaths: pending } });
    }
  }

  private async aheadCount(): Promise<number> {
    const b = this.cfg.remote.branch;
    if (!(await revParse(this.git, REMOTE_REF(b)))) return countCommits(this.git, 'HEAD');
    return countCommits(this.git, `${REMOTE_REF(b)}..HEAD`);
  }

  async refreshRepoState(): Promise<void> {
    const s = this.cfg;
    const head = await revParse(this.git, 'HEAD');
    const hasRemoteRef = !!(await revParse(this.git, REMOTE_REF(s.remote.branch)));
    const ahead = s.remote.url ? await this.aheadCount() : 0;
    const behind = s.remote.url && hasRemoteRef ? await countCommits(this.git, `HEAD..${REMOTE_REF(s.remote.branch)}`) : 0;
    patchState(this.store, 'repo', { head, ahead, behind, remote: s.remote.url, branch: s.remote.branch, path: this.repoDir });
    this.updateSafe();
  }

  async refreshProfilesState(): Promise<void> {
    const counts = new Map(this.store.getState().profiles.map((p) => [p.name, p.files]));
    const next = await this.profiles.states();
    this.store.setState({ profiles: next.map((p) => ({ ...p, files: p.enabled ? (counts.get(p.name) ?? 0) : 0 })) });
  }

  // ---------------------------------------------------------------- conflicts

  private async recordConflicts(list: Conflict[]): Promise<void> {
    for (const c of list) {
      this.conflicts.add({ ...c, livePath: null });
      pushActivity(this.store, 'conflict', c.summary);
    }
    this.conflicts.save();
    await stageAndCommit(this.git, [this.conflicts.relPath], `${this.host}: record ${list.length} conflict(s)`, this.host);
    this.refreshConflictsState();
    const n = this.conflicts.list().length;
    this.ports.notify({ kind: 'conflict', title: n === 1 ? '1 conflict needs you' : `${n} conflicts need you`, body: list.map((c) => c.summary).join('\n').slice(0, 300), tab: 'conflicts' });
  }

  refreshConflictsState(): void {
    this.store.setState({ conflicts: this.conflicts.list() });
  }

  async resolveConflict(path: string, keep: 'mine' | 'theirs' | 'both'): Promise<SyncResult> {
    const r = await this.repoMutex.run(async () => {
      // First make sure the current live content is committed, so any choice is undoable.
      await this.reconcile({ all: true }, 'resolve');
      const c = this.conflicts.get(path);
      if (!c) throw new Error(`no conflict recorded for ${path}`);
      const livePath = this.profiles.repoToLive(path);
      if (livePath) this.assertNoLinkOnTheWay(livePath);
      const touched: string[] = [this.conflicts.relPath];
      if (c.kind === 'delete-vs-modify') {
        if (keep === 'theirs') {
          const base = this.snapshot.get(path);
          if (livePath && base) {
            const d = await deleteLiveIfUnchanged(livePath, base.oid);
            if (d.kind === 'moved') throw new Error(`${livePath} changed since the conflict was shown; sync, then choose again`);
          }
          await removeRepoFile(this.repoDir, path);
          this.snapshot.delete(path);
          touched.push(path);
        }
      } else if (c.copyPath) {
        const copyContent = await blobAt(this.git, 'HEAD', c.copyPath);
        if (keep === 'theirs' && copyContent) {
          const blocked = livePath ? await this.liveWriteBlocked(livePath) : null;
          if (blocked) throw new Error(blocked);
          const head = (await lsTree(this.git, 'HEAD')).get(path);
          const mode = head?.mode ?? '100644';
          if (livePath) {
            const base = this.snapshot.get(path);
            const w = await writeLiveIfUnchanged(livePath, copyContent, mode, base?.oid ?? null);
            if (w.kind === 'moved') throw new Error(`${livePath} changed since the conflict was shown; sync, then choose again`);
            if (w.kind === 'error') throw new Error(w.message);
            this.snapshot.set(path, { oid: blobOid(copyContent), mode, size: w.size, mtimeMs: w.mtimeMs });
          }
          await writeRepoFile(this.repoDir, path, copyContent, mode);
          touched.push(path);
        }
        // The copy leaves the repo. "both" keeps the live copy on this machine as a plain file.
        await removeRepoFile(this.repoDir, c.copyPath);
        touched.push(c.copyPath);
        const liveCopy = this.conflicts.liveCopyPath(c.copyPath);
        const copyBase = this.snapshot.get(c.copyPath);
        if (keep !== 'both' && liveCopy && copyBase) await deleteLiveIfUnchanged(liveCopy, copyBase.oid);
        this.snapshot.delete(c.copyPath);
      }
      this.conflicts.remove(path);
      this.conflicts.save();
      const commit = await stageAndCommit(this.git, touched, `${this.host}: resolve conflict in ${path} (keep ${keep})`, this.host);
      await this.snapshot.save();
      this.refreshConflictsState();
      pushActivity(this.store, 'resolved', `Conflict in ${path.split('/').pop()} resolved (kept ${keep})`);
      return commit;
    });
    if (r.kind === 'error' || r.kind === 'disk-full') throw new Error(r.message);
    return this.syncNow({ reason: 'resolve' });
  }

  // ---------------------------------------------------------------- history

  history(path: string) {
    return fileHistory(this.git, path);
  }

  async restore(path: string, rev: string): Promise<SyncResult> {
    const r = await this.repoMutex.run(async () => {
      await this.reconcile({ all: true }, 'restore'); // the current content is committed first: undoable
      const content = await blobAt(this.git, rev, path);
      const livePath = this.profiles.repoToLive(path);
      if (!livePath) throw new Error(`${path} does not belong to an enabled profile on this machine`);
      this.assertNoLinkOnTheWay(livePath);
      const blocked = await this.liveWriteBlocked(livePath);
      if (blocked) throw new Error(blocked);
      const base = this.snapshot.get(path);
      const entry = (await lsTree(this.git, rev)).get(path);
      if (content === null || !entry) {
        if (base) await deleteLiveIfUnchanged(livePath, base.oid);
        await removeRepoFile(this.repoDir, path);
        this.snapshot.delete(path);
      } else {
        const w = await writeLiveIfUnchanged(livePath, content, entry.mode, base?.oid ?? null);
        if (w.kind === 'moved') throw new Error(`${livePath} changed while restoring; try again`);
        if (w.kind === 'error') throw new Error(w.message);
        await writeRepoFile(this.repoDir, path, content, entry.mode);
        this.snapshot.set(path, { oid: entry.oid, mode: entry.mode, size: w.size, mtimeMs: w.mtimeMs });
      }
      const c = await stageAndCommit(this.git, [path], `${this.host}: restore ${path} to ${rev.slice(0, 8)}`, this.host);
      await this.snapshot.save();
      pushActivity(this.store, 'restored', `${path.split('/').pop()} restored to ${rev.slice(0, 8)}`);
      return c;
    });
    if (r.kind === 'error' || r.kind === 'disk-full') throw new Error(r.message);
    return this.syncNow({ reason: 'restore' });
  }

  async showVersion(path: string, rev: string): Promise<{ content: string | null; binary: boolean; current: string | null }> {
    const content = await blobAt(this.git, rev, path);
    const livePath = this.profiles.repoToLive(path);
    const cur = livePath && !this.linkOnTheWay(livePath) ? await readLive(livePath, this.cfg.sync.maxFileBytes) : null;
    const current = cur?.kind === 'file' ? cur.file.content : null;
    const binary = (content && isBinary(content)) || (current && isBinary(current)) || false;
    return { content: content && !binary ? content.toString('utf8') : null, binary: !!binary, current: current && !binary ? current.toString('utf8') : null };
  }

  // ---------------------------------------------------------------- remote set-up

  async setRemote(url: string | null, branch?: string): Promise<void> {
    await this.repoMutex.run(async () => {
      const patch: Record<string, unknown> = { remote: { url, ...(branch ? { branch } : {}) } };
      this.settings.update(patch);
      await setRemote(this.git, url);
      patchState(this.store, 'repo', { remote: url, branch: this.cfg.remote.branch });
    });
  }

  async testConnection(url?: string) {
    const target = url ?? this.cfg.remote.url;
    if (!target) return { kind: 'error' as const, message: 'No remote URL set' };
    const r = await lsRemote(this.git, target);
    if (r.kind === 'ok') {
      if (r.heads.size === 0) return { kind: 'empty' as const, message: 'Reachable; the repository is empty (this machine will create it)' };
      const b = this.cfg.remote.branch;
      return r.heads.has(b)
        ? { kind: 'ok' as const, message: `Reachable; branch ${b} exists` }
        : { kind: 'ok' as const, message: `Reachable; branch ${b} does not exist yet (branches: ${[...r.heads.keys()].slice(0, 5).join(', ')})` };
    }
    const kind = r.kind === 'offline' ? (/does not appear to be a git repository|not found/i.test(r.message) ? 'not-found' : 'offline') : (['auth-failed', 'host-key-changed', 'timeout'] as const).includes(r.kind as 'timeout') ? r.kind : 'error';
    return { kind: kind as 'error', message: kind === 'not-found' ? 'No repository at that address' : kind, detail: r.message };
  }

  async repoId(): Promise<string | null> {
    return rootCommit(this.git);
  }

  gitMessage = gitMessage;
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

function committedWords(paths: string[]): string {
  const names = paths.map((p) => p.split('/').pop() || p);
  if (names.length === 1) return `${names[0]} committed`;
  if (names.length <= 3) return `${names.join(', ')} committed`;
  return `${names.length} files committed (${names.slice(0, 2).join(', ')}, …)`;
}

function arrivedWords(paths: string[], host: string): string {
  if (paths.length === 1) return `${paths[0].split('/').pop()} arrived from ${host}`;
  return `${paths.length} files arrived from ${host}`;
}

