/**
 * The engine: a small facade over the sync modules. It owns the lifecycle (open, start, stop), the
 * repo mutex (one sequence of repo work at a time), the sync queue, and the typed events hosts and
 * features subscribe to. Every decision about a path is sync/rule.ts; every pass is sync/reconcile.ts;
 * a cycle with the remote is sync/cycle.ts; what people do on purpose is sync/actions.ts; what the
 * hosts show (phase, result, "safe to shut down") is written only by sync/status.ts.
 *
 * Hosts never assemble an engine themselves: they call openHost() (electron/host.ts).
 */
import { hostname } from 'node:os';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { createAppStore, patchState, pushActivity, pushError, pushLatency, type AppStore } from './state/app-store.js';
import { initialAppState, isSuccess, plural, type SyncResult } from '../../shared/state.js';
import type { Settings } from '../../shared/settings.js';
import type { SettingsStore } from './config/settings-store.js';
import { configFiles, resolveHome, type ConfigFiles } from './config/paths.js';
import { nullPorts, type HostPorts } from './ports.js';
import { Mutex } from './util/mutex.js';
import { Emitter } from './util/emitter.js';
import { GitRunner, gitMessage } from './git/runner.js';
import { ensureRepo, configureRepo, setRemote, lsRemote, repoIdentity, strayOutsideSparse, MARKER_DIR } from './git/init.js';
import { revParse, rootCommit, blobAt } from './git/tree.js';
import { stageAndCommit } from './git/commit.js';
import { REMOTE_REF } from './git/fetch.js';
import { recoverRepo } from './git/recover.js';
import { fileHistory } from './git/history.js';
import { Snapshot } from './snapshot/snapshot.js';
import { rememberHostName } from './machine.js';
import { checkFolderMark } from './snapshot/folder-mark.js';
import { readLive } from './mirror/live.js';
import { writeRepoFile } from './mirror/worktree.js';
import { InstanceLock } from './lock.js';
import { ProfileSet } from './profiles-set.js';
import { LocalWatch } from './local-watch.js';
import { SyncScheduler } from './scheduler/scheduler.js';
import { buildHandlers } from './handlers.js';
import { buildIgnore, CONFSYNCIGNORE } from './ignore-rules.js';
import { createRequestHandler, type RequestHandler } from './api.js';
import { blobOid } from './snapshot/hash.js';
import { faultPoint } from './util/fault.js';
import { Formats, keyMatcher, type KeyMatch } from './formats/index.js';
import { LiveAccess } from './sync/live-access.js';
import { previewSync, pendingDiffs } from './sync/preview.js';
import { isPristine } from './sync/cycle.js';
import { timeline, changeDetail, restoreChange, type TimelineQuery, type TimelineEntry } from './sync/timeline.js';
import { ActivityFile } from './state/activity-file.js';
import { loadCatalog } from './profiles/catalog.js';
import { SealedSet, PlainIds, noSealer, type Sealer } from './sync/sealed.js';
import { blocksCodec } from './formats/blocks.js';
import { Variants, osOf } from './sync/variants.js';
import type { PendingDiff, ProfileDefinition, SyncPreview } from '../../shared/contract.js';
import { isBinary } from './formats/codec.js';
import type { Feature, FeatureHandlers } from './features/feature.js';
import { Reconciler, type ReconcileReport, type Scope } from './sync/reconcile.js';
import { runCycle, aheadCount } from './sync/cycle.js';
import { resolveConflict, restoreVersion, knownPaths, ActionError, beforeAction, addVariant, listVariants, addSecret, removeSecret, listSecrets, type Keep, type VariantView, type SecretView } from './sync/actions.js';
import { ConflictStore, conflictsCodec, viewConflict, isConflictCopy, copiesInTree, versionsOf, mineIndex } from './sync/conflicts.js';
import { ModesFile, modesCodec } from './sync/modes.js';
import { PathMap } from './sync/paths.js';
import { Status } from './sync/status.js';
import type { SyncContext } from './sync/context.js';
import type { EngineEvents } from './sync/events.js';

export interface EngineOptions {
  configDir: string;
  home?: string;
  platform?: NodeJS.Platform;
  version: string;
  settings: SettingsStore;
  ports?: HostPorts;
  /** Start file watchers, the schedule and the features in start(). One-shot CLI commands pass false. */
  watch?: boolean;
  /** Keyboard Maestro, peers, secrets: data, the same in every host. */
  features?: Feature[];
  /** How long to wait for another ConfSync process to release the config dir (0: fail at once). */
  lockWaitMs?: number;
  /** Called while waiting for the lock (once), with who holds it. */
  onLockWait?: (message: string) => void;
}

export class LockedError extends Error {
  override name = 'LockedError';
}

export { ActionError };

export class Engine {
  readonly store: AppStore;
  readonly settings: SettingsStore;
  readonly handle: RequestHandler;
  readonly files: ConfigFiles;
  readonly home: string;
  readonly platform: NodeJS.Platform;
  readonly host: string;
  /** See SyncContext.hostNames; kept in the config dir's hosts.json. */
  readonly hostNames: readonly string[];
  readonly git: GitRunner;
  readonly profiles: ProfileSet;
  readonly conflicts: ConflictStore;
  readonly ports: HostPorts;
  readonly events = new Emitter<EngineEvents>();
  readonly status: Status;
  readonly features: readonly Feature[];
  readonly featureHandlers: FeatureHandlers;
  private readonly repoMutex = new Mutex();
  private readonly snapshot: Snapshot;
  private readonly lock: InstanceLock;
  private readonly modes: ModesFile;
  private readonly formats: Formats;
  readonly sealed: SealedSet;
  readonly sealer: Sealer;
  private readonly plainIds: PlainIds;
  private readonly activityFile: ActivityFile;
  /** Per profile: its ignored and machine-local keys as one matcher (cleared when profiles reload). */
  private readonly keyMatches = new Map<string, KeyMatch | null>();
  private readonly paths: PathMap;
  private readonly ctx: SyncContext;
  private readonly reconciler: Reconciler;
  private watch: LocalWatch | null = null;
  private scheduler: SyncScheduler | null = null;
  private started = false;
  private stopped = false;
  private repoFilesVersion = 0;

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
    this.hostNames = rememberHostName(join(opts.configDir, 'hosts.json'), this.host);
    this.ports = opts.ports ?? nullPorts;
    this.features = opts.features ?? [];
    this.featureHandlers = Object.assign({}, ...this.features.map((f) => f.handlers ?? {})) as FeatureHandlers;
    this.git = new GitRunner({ dir: this.repoDir, timeoutMs: () => this.cfg.sync.gitTimeoutMs, identity: repoIdentity(this.host) });
    this.snapshot = new Snapshot(this.files.snapshot);
    this.store = createAppStore(initialAppState({ version: opts.version, host: this.host, configDir: opts.configDir, repoPath: this.repoDir, branch: s.remote.branch }));
    this.status = new Status(this.store, { paused: s.paused, remote: s.remote.url, configError: this.settings.loadError?.message ?? null });
    this.profiles = new ProfileSet({
      repoDir: this.repoDir,
      home: this.home,
      platform: this.platform,
      settings: this.settings,
      lastGoodFile: join(opts.configDir, 'profiles.last-good.json'),
      // Whatever reloaded the definitions (a merge, a profile saved or removed here, settings), the
      // watcher follows: else edits under a new or changed profile wait for a restart or a full scan.
      onReload: () => {
        this.keyMatches.clear();
        void this.watch?.setTargets(this.profiles.enabled()).catch(() => undefined);
      },
    });
    this.conflicts = new ConflictStore(this.repoDir);
    this.modes = new ModesFile(this.repoDir);
    // Per-machine blocks (formats/blocks.ts) on the platforms they can name; elsewhere files stay as they are.
    const blocks = ['darwin', 'linux', 'win32'].includes(this.platform) ? [blocksCodec(() => this.machine())] : [];
    this.formats = new Formats([...this.features.flatMap((f) => f.codecs ?? []), conflictsCodec, modesCodec, ...blocks], (repoPath) => this.keyMatchFor(repoPath), { maxRepoBytes: () => this.cfg.sync.maxFileBytes });
    this.sealed = new SealedSet(this.repoDir);
    this.plainIds = new PlainIds(join(opts.configDir, 'sealed-ids.json'));
    this.activityFile = new ActivityFile(join(opts.configDir, 'activity.json'), this.store);
    this.sealer = this.features.find((f) => f.sealer)?.sealer ?? noSealer;
    this.paths = new PathMap(this.profiles, this.home, new Variants(() => this.machine()), this.sealed);
    const env = { store: this.store, settings: this.settings, ports: this.ports };
    const guards = {
      liveWrite: this.features.flatMap((f) => f.guards?.liveWrite ?? []),
      commit: this.features.flatMap((f) => f.guards?.commit ?? []).map((g) => (p: string, content: Buffer) => g(p, content, env)),
    };
    this.ctx = {
      git: this.git,
      repoDir: this.repoDir,
      host: this.host,
      hostNames: this.hostNames,
      home: this.home,
      platform: this.platform,
      settings: () => this.cfg,
      snapshot: this.snapshot,
      profiles: this.profiles,
      paths: this.paths,
      formats: this.formats,
      conflicts: this.conflicts,
      modes: this.modes,
      guards,
      status: this.status,
      store: this.store,
      events: this.events,
      ports: this.ports,
      ignore: () => this.ignoreFn(),
      sealed: this.sealed,
      sealer: this.sealer,
      plainIds: this.plainIds,
      live: new LiveAccess(
        this.features.flatMap((f) => f.liveIO ?? []),
        (live) => {
          const def = this.definitionForLive(live);
          return { ...(def?.app ? { app: def.app } : {}), ...(def?.applyWhen ? { applyWhen: def.applyWhen } : {}) };
        },
      ),
    };
    this.reconciler = new Reconciler(this.ctx);
    this.handle = createRequestHandler(buildHandlers(this));
    this.settings.onChange((next) => this.onSettingsChanged(next));
    if (this.settings.loadError) pushError(this.store, 'config', this.settings.loadError.message);
    let lastPhase = this.store.getState().phase;
    this.store.subscribe((st) => {
      if (st.phase !== lastPhase) {
        lastPhase = st.phase;
        this.events.emit('phase', { phase: st.phase });
      }
    });
  }

  get repoDir(): string {
    return this.opts.settings.get().repoPath ?? this.files.defaultRepo;
  }

  get cfg(): Settings {
    return this.settings.get();
  }

  /** Takes the config dir's single-instance lock (waiting up to lockWaitMs), recovers the repo, loads the snapshot. */
  static async open(opts: EngineOptions): Promise<Engine> {
    mkdirSync(opts.configDir, { recursive: true });
    const lock = new InstanceLock(configFiles(opts.configDir).lock);
    const got = await lock.acquire({ waitMs: opts.lockWaitMs ?? 0, onWait: opts.onLockWait });
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
    await configureRepo(this.git, this.host);
    const rec = await recoverRepo(this.git, s.remote.branch);
    for (const note of rec.notes) pushActivity(this.store, 'info', `Recovered: ${note}`);
    this.activityFile.load();
    const snap = this.snapshot.load();
    this.plainIds.load();
    if (snap.error) pushError(this.store, 'snapshot', snap.error);
    if (checkFolderMark(this.files.dir, this.files.snapshotMark) === 'copied' && this.snapshot.size > 0) {
      const n = this.snapshot.size;
      this.snapshot.reset();
      await this.snapshot.save();
      const words = `This config dir is a copy (it is not the folder ConfSync kept its records in): its record of ${n.toLocaleString('en-US')} synced files describes the machine it came from, so every file here is compared afresh, as on a first run. None is deleted or replaced because the record says so: where a file here differs from the repo's, the repo's version stays at the path and this machine's goes beside it`;
      pushActivity(this.store, 'info', words);
    }
    if (created || !(await revParse(this.git, 'HEAD'))) await this.initialCommit();
    else await this.keepUncommittedRepoFiles();
    await setRemote(this.git, s.remote.url);
    // Embedded default: the first run enables the catalog profiles whose files exist here.
    if (s.enabledProfiles === null && !this.settings.loadError) {
      const detected = await this.profiles.detectCatalog();
      this.settings.update({ enabledProfiles: detected });
      if (detected.length) pushActivity(this.store, 'info', `Enabled ${detected.length} detected profiles: ${detected.join(', ')}`);
    }
    await this.reloadRepoFiles();
    patchState(this.store, 'repo', { remote: s.remote.url, branch: s.remote.branch });
    await this.refreshProfilesState();
    await this.refreshRepoState();
  }

  private async initialCommit(): Promise<void> {
    this.profiles.ensureFiles();
    await stageAndCommit(this.git, [MARKER_DIR], 'ConfSync repository', this.host);
  }

  /**
   * The working tree is ours, and the live files are the truth for local edits, so start-up puts it
   * back to HEAD. Nothing uncommitted is deleted on the way: a `.confsyncignore` placed in the repo by
   * hand is committed (it is shared), and anything else is moved aside into the config dir with a
   * notice, unless it only repeats what the live file holds (a pass that was interrupted).
   */
  private async keepUncommittedRepoFiles(): Promise<void> {
    // Synced files are left out of the working tree (sparse checkout). A synced file present in it
    // (checked out by hand) is taken out again by git's own pass over every entry, run only then: it
    // costs 0.2 s at 100,000 files. (An entry that lost its skip-worktree bit to a crash between a
    // commit's two index updates shows below as deleted, and the reset at the end restores it.)
    if (strayOutsideSparse(this.repoDir)) await this.git.raw(['sparse-checkout', 'reapply']).catch(() => undefined);
    const out = await this.git.raw(['status', '--porcelain=v1', '-z', '--untracked-files=all'], { readonly: true }).catch(() => '');
    const entries = out.split('\0').filter(Boolean);
    if (!entries.length) return;
    this.profiles.reload();
    const toCommit: string[] = [];
    const aside: string[] = [];
    const stampDir = join(this.files.dir, 'recovered', new Date().toISOString().replace(/[:.]/g, '-'));
    for (let i = 0; i < entries.length; i++) {
      const rec = entries[i];
      const xy = rec.slice(0, 2);
      const path = rec.slice(3);
      if (xy[0] === 'R' || xy[0] === 'C') i++; // rename: the next field is the source
      const abs = join(this.repoDir, ...path.split('/'));
      if (/(^|\/)\.confsync-[0-9a-f]{8}\.tmp$/.test(path)) {
        rmSync(abs, { force: true });
        continue;
      }
      if (path === CONFSYNCIGNORE) {
        toCommit.push(path);
        continue;
      }
      if (!existsSync(abs)) continue; // a deletion: HEAD still has it
      const live = this.paths.toLive(path);
      if (live) {
        const lr = await readLive(live, Number.MAX_SAFE_INTEGER);
        if (lr.kind === 'file' && lr.content.equals(readFileSync(abs))) continue;
      }
      const dest = join(stampDir, ...path.split('/'));
      mkdirSync(dirname(dest), { recursive: true });
      renameSync(abs, dest);
      aside.push(path);
    }
    if (toCommit.length) {
      const r = await stageAndCommit(this.git, toCommit, `${this.host}: keep ${toCommit.join(', ')} placed in the repo folder`, this.host);
      if (r.kind === 'committed') pushActivity(this.store, 'info', `Committed ${toCommit.join(', ')}, which was placed in the repo folder by hand`);
    }
    if (aside.length) {
      const words = `${aside.length} uncommitted file${aside.length === 1 ? '' : 's'} in the repo folder (${aside.slice(0, 3).join(', ')}${aside.length > 3 ? ', …' : ''}) moved aside to ${stampDir}`;
      pushActivity(this.store, 'info', words);
      pushError(this.store, 'repo', words);
    }
    await this.git.raw(['reset', '-q', '--hard', 'HEAD']);
    await this.git.raw(['clean', '-q', '-fd']).catch(() => undefined);
  }

  /** After anything that may have changed the repo's own files (a merge, an ignore edit). */
  /**
   * Re-reads the repo's own files after a merge. Returns what the person should hear of it: a profile
   * on here whose definition the merge removed (its files stay as they are, and are no longer synced).
   */
  private async reloadRepoFiles(): Promise<string[]> {
    const before = new Set(this.profiles.enabled().map((p) => p.name));
    this.profiles.reload();
    const after = new Set(this.profiles.enabled().map((p) => p.name));
    const gone = [...before].filter((n) => !after.has(n) && !this.profiles.definitions().some((d) => d.name === n));
    const notices = gone.map((n) => `Profile "${n}" was removed from the repo by another machine: its files here stay as they are and are no longer synced (define it again, or turn it off here)`);
    for (const n of notices) pushActivity(this.store, 'info', n);
    this.conflicts.reload(await copiesInTree(this.git));
    this.modes.reload();
    this.sealed.reload();
    this.repoFilesVersion++;
    this.reportRepoFileErrors();
    this.refreshConflictsState();
    return notices;
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.status.set({ lifecycle: 'running' });
    if (this.opts.watch === false) return;
    const s = this.cfg;
    this.watch = new LocalWatch({
      engine: { ignore: () => this.ignoreFn(), updateSafe: () => this.status.set({ pendingLocal: this.watch?.pending() ?? 0 }) },
      settings: this.settings,
      store: this.store,
      onBatch: (paths, firstSeenAt, rescan) => this.onWatchBatch(paths, firstSeenAt, rescan),
    });
    this.scheduler = new SyncScheduler({
      intervalMs: () => this.cfg.sync.intervalSec * 1000,
      run: () => this.syncNow({ reason: 'schedule' }),
      onNext: (at) => patchState(this.store, 'repo', { nextSyncAt: at }),
    });
    // While the watcher crawls the tree (its own thread), HEAD's tree is listed for the start-up pass
    // (kept while HEAD stays): the two overlap instead of following each other.
    const armed = this.watch.start(this.profiles.enabled());
    await Promise.all([armed, this.reconciler.refreshVariants().catch(() => undefined)]);
    for (const f of this.features) await f.start?.(this).catch((e: unknown) => pushError(this.store, f.name, `${f.name} could not start: ${(e as Error).message}`));
    // Catch-up: edits made while we were not running, then a first sync.
    if (!s.paused) void this.syncNow({ reason: 'start' }).catch(() => undefined);
    this.scheduler.start();
  }

  /** Runs `fn` while no other repo work runs (exports that commit beside the sync). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.repoMutex.run(fn);
  }

  /** Asks the scheduler for a sync soon (a local commit was made). */
  kick(): void {
    this.scheduler?.kick();
  }

  /** The commit guards (secrets) for content that reaches the repo by another route (Keyboard Maestro exports). */
  async commitAllowed(repoPath: string, content: Buffer): Promise<boolean> {
    for (const g of this.ctx.guards.commit) if (await g(repoPath, content)) return false;
    return true;
  }

  /**
   * Finishes the job now, within `timeoutMs`: waits a moment for the watcher to report edits saved
   * just before, then one full cycle (every file looked at, not only what the watcher saw: commit,
   * fetch, merge, push). Used on stop, quit, and before the machine sleeps.
   */
  async flush(timeoutMs = 10_000): Promise<'done' | 'timed-out'> {
    const work = (async () => {
      if (this.watch) {
        await new Promise((r) => setTimeout(r, 150)); // a save a moment ago reaches the watcher
        await this.watch.flush();
      }
      if (this.started && this.opts.watch !== false && !this.cfg.paused && !this.settings.loadError) {
        await this.queueSync({ reason: 'flush', full: true }).catch(() => undefined);
      } else {
        await this.repoMutex.run(async () => undefined);
      }
      return 'done' as const;
    })();
    return Promise.race([work, new Promise<'timed-out'>((r) => setTimeout(() => r('timed-out'), timeoutMs).unref())]);
  }

  /** Finishes the job (flush, bounded by `flushTimeoutMs`), stops watchers and features, releases the lock. */
  async stop(opts: { flushTimeoutMs?: number } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.scheduler?.stop();
    await this.flush(opts.flushTimeoutMs ?? 10_000);
    await this.watch?.stop();
    for (const f of this.features) await f.stop?.().catch(() => undefined);
    await this.snapshot.save().catch(() => undefined);
    await this.activityFile.close();
    this.status.set({ lifecycle: 'stopped' });
    await this.lock.release();
  }

  setPaused(paused: boolean): void {
    this.settings.update({ paused });
  }

  private onSettingsChanged(next: Settings): void {
    this.requestFullScan();
    const wasPaused = this.status.get().paused;
    this.status.set({ paused: next.paused, remote: next.remote.url, configError: this.settings.loadError?.message ?? null });
    if (next.paused && !wasPaused) pushActivity(this.store, 'info', 'Sync paused');
    else if (!next.paused && wasPaused) {
      pushActivity(this.store, 'info', 'Sync resumed');
      void this.syncNow({ reason: 'resume' }).catch(() => undefined);
    }
    this.ports.setLoginItem(next.startAtLogin);
    const st = this.store.getState();
    if (next.remote.url !== st.repo.remote || next.remote.branch !== st.repo.branch) {
      patchState(this.store, 'repo', { remote: next.remote.url, branch: next.remote.branch });
      // A remote replaced by another is used at once. Setting the first one is part of setting up:
      // the setup flow and `confsync init` preview first and then join or sync themselves.
      const urlChanged = next.remote.url !== st.repo.remote && st.repo.remote !== null;
      void this.repoMutex
        .run(() => setRemote(this.git, next.remote.url))
        .then(() => this.refreshRepoState())
        // Not at the next scheduled sync. A repo that has not joined yet waits: joining goes through
        // its preview (the setup flow, `confsync init`).
        .then(async () => {
          if (!urlChanged || !next.remote.url || next.paused || this.stopped) return;
          if (await isPristine(this.ctx)) return;
          await this.syncNow({ reason: 'remote' });
        })
        .catch(() => undefined);
    }
    this.profiles.reload();
    void this.watch?.setTargets(this.profiles.enabled());
    this.scheduler?.reschedule();
  }

  // ---------------------------------------------------------------- local changes

  /** This machine's facts for variants and per-machine blocks: host name, OS, classes (settings). */
  machine(): { host: string; os: 'macos' | 'linux' | 'windows'; classes: string[] } {
    return { host: this.host, os: osOf(this.platform), classes: this.cfg.machine.classes.map((c) => c.toLowerCase()) };
  }

  /** The definition of the enabled profile a live path belongs to (its app, applyWhen, key rules). */
  definitionForLive(live: string): ProfileDefinition | null {
    const repo = this.profiles.liveToRepo(live);
    const p = repo ? this.profiles.forRepoPath(repo) : null;
    return p ? (this.profiles.definitions().find((d) => d.name === p.name) ?? null) : null;
  }

  /** The per-key rules of the profile holding a repo path (see formats/keys.ts). */
  private keyMatchFor(repoPath: string): KeyMatch | null {
    const p = this.profiles.forRepoPath(repoPath);
    if (!p) return null;
    let m = this.keyMatches.get(p.name);
    if (m === undefined) {
      const def = this.profiles.definitions().find((d) => d.name === p.name);
      m = keyMatcher({ ignore: def?.ignoreKeys ?? [], local: def?.localKeys ?? [] });
      this.keyMatches.set(p.name, m);
    }
    return m;
  }

  private async onWatchBatch(livePaths: string[], firstSeenAt: number, rescan: boolean): Promise<void> {
    if (this.cfg.paused) {
      this.status.set({ dirtyWhilePaused: true });
      return;
    }
    const report = await this.repoMutex.run(() => {
      faultPoint('watch-batch');
      return this.reconciler.run(rescan ? { all: true } : { livePaths }, { reason: 'watch' });
    });
    if (rescan) this.status.set({ skipped: report.skipped });
    else this.status.updateSkips(report.looked, report.skipped);
    if (report.failure) this.status.set({ uncommitted: true });
    this.status.set({ pendingLocal: this.watch?.pending() ?? 0 });
    if (report.commit) {
      pushLatency(this.store, Date.now() - firstSeenAt);
      // One more commit to push (counted exactly by the next cycle).
      if (this.cfg.remote.url) this.status.set({ ahead: this.status.get().ahead + 1 });
      patchState(this.store, 'repo', { head: report.commit });
      this.scheduler?.kick();
    }
  }

  /** One reconcile pass (the repo mutex held by the caller or taken here). Tests use it directly. */
  async reconcile(scope: Scope, reason: string): Promise<ReconcileReport> {
    return this.reconciler.run(scope, { reason });
  }

  /** What a sync would do, path by path, changing nothing. */
  async plan(): Promise<ReconcileReport> {
    const r = await this.repoMutex.run(() => this.reconciler.run({ all: true }, { reason: 'plan', dryRun: true }));
    // What cannot be synced is a fact about now: status shows it (a one-shot `status` sees it too).
    this.status.set({ skipped: r.skipped });
    return r;
  }

  // ---------------------------------------------------------------- the sync queue

  private syncing: Promise<SyncResult> | null = null;
  private queued: { promise: Promise<SyncResult>; opts: { reason: string; adoptRemote?: boolean; full?: boolean; apply?: boolean } } | null = null;
  private fullScanWanted = true;

  /**
   * One full cycle. A request made while a cycle runs is answered by the next cycle, which starts
   * after the running one (requests made meanwhile share it), so the caller always sees its own edits.
   */
  syncNow(opts: { reason?: string; adoptRemote?: boolean; apply?: boolean } = {}): Promise<SyncResult> {
    return this.queueSync({ reason: opts.reason ?? 'manual', adoptRemote: opts.adoptRemote, apply: opts.apply });
  }

  private queueSync(opts: { reason: string; adoptRemote?: boolean; full?: boolean; apply?: boolean }): Promise<SyncResult> {
    if (this.syncing) {
      if (this.queued) {
        this.queued.opts.adoptRemote ||= opts.adoptRemote;
        this.queued.opts.full ||= opts.full;
        this.queued.opts.apply ||= opts.apply;
        return this.queued.promise;
      }
      const queuedOpts = { ...opts };
      const promise = this.syncing
        .catch(() => undefined)
        .then(() => {
          this.queued = null;
          return this.queueSync(queuedOpts);
        });
      this.queued = { promise, opts: queuedOpts };
      return promise;
    }
    this.syncing = this.repoMutex
      .run(() => this.cycle(opts))
      .finally(() => {
        this.syncing = null;
      });
    return this.syncing;
  }

  private async cycle(opts: { reason: string; adoptRemote?: boolean; full?: boolean; apply?: boolean }): Promise<SyncResult> {
    // With a live watcher (which has its own safety-net rescan), local edits arrive as watch batches:
    // scheduled, hinted and back-online cycles trust it; start-up, an explicit "Sync now", resolve, restore and
    // stop look at every file.
    const full = !!opts.full || this.fullScanWanted || !this.watch || !['schedule', 'hint', 'online'].includes(opts.reason);
    if (full && this.watch) this.fullScanWanted = false; // cleared first: anything during this pass may ask again
    let result: SyncResult;
    try {
      if (!this.cfg.paused) this.status.set({ dirtyWhilePaused: false });
      result = await runCycle(this.ctx, this.reconciler, { reloadRepoFiles: () => this.reloadRepoFiles(), requestFullScan: () => this.requestFullScan() }, { reason: opts.reason, adoptRemote: opts.adoptRemote, apply: opts.apply, full });
    } catch (e) {
      // Whatever threw (a full disk while saving the snapshot, an unexpected git state), the caller
      // gets a typed result and the state shows it; the next pass starts over.
      const disk = (e as NodeJS.ErrnoException)?.code === 'ENOSPC' || /No space left/i.test(String((e as Error)?.message));
      result = { kind: disk ? 'disk-full' : 'error', message: disk ? 'Disk full: changes wait and will sync when space frees up' : 'Sync failed', detail: (e as Error)?.message ?? String(e), committed: 0, applied: 0, pushed: false, conflicts: 0, at: Date.now(), skipped: [], warnings: [] };
      this.requestFullScan();
    }
    this.finish(result, full, opts.reason);
    return result;
  }

  private finish(r: SyncResult, full: boolean, reason: string): void {
    this.status.set({ uncommitted: r.kind === 'disk-full' || (r.kind === 'error' && /commit/i.test(r.message)) ? true : full ? false : this.status.get().uncommitted });
    this.status.finish(r, { skippedComplete: full });
    if (!isSuccess(r.kind)) {
      pushError(this.store, 'sync', r.message, r.detail);
      if (r.kind !== 'offline') this.ports.notify({ kind: 'error', title: 'ConfSync: sync problem', body: r.message, tab: 'health' });
    }
    this.refreshConflictsState();
    this.scheduler?.result(isSuccess(r.kind));
    this.events.emit('synced', { result: r, reason });
  }

  /** The next sync scans everything (after a resume, a settings or profile change, or a watcher overflow). */
  requestFullScan(): void {
    this.fullScanWanted = true;
  }

  async refreshRepoState(): Promise<void> {
    const s = this.cfg;
    const head = await revParse(this.git, 'HEAD');
    let behind = 0;
    let ahead = 0;
    if (s.remote.url && (await revParse(this.git, REMOTE_REF(s.remote.branch)))) {
      const out = (await this.git.raw(['rev-list', '--left-right', '--count', `HEAD...${REMOTE_REF(s.remote.branch)}`], { readonly: true }).catch(() => '0\t0')).trim().split(/\s+/);
      ahead = Number(out[0]) || 0;
      behind = Number(out[1]) || 0;
    } else if (s.remote.url) ahead = await aheadCount(this.ctx);
    patchState(this.store, 'repo', { head, behind, remote: s.remote.url, branch: s.remote.branch, path: this.repoDir });
    this.status.set({ ahead, remote: s.remote.url });
  }

  async refreshProfilesState(): Promise<void> {
    const counts = new Map(this.store.getState().profiles.map((p) => [p.name, p.files]));
    const next = await this.profiles.states();
    this.store.setState({ profiles: next.map((p) => ({ ...p, files: p.enabled ? (counts.get(p.name) ?? 0) : 0 })) });
  }

  private ignoreCache: { key: unknown; version: number; fn: (abs: string, isDir?: boolean) => boolean } | null = null;

  /** Ignore rules for the enabled profiles (rebuilt when they or the repo's .confsyncignore change). */
  private ignoreFn(): (abs: string, isDir?: boolean) => boolean {
    const key = this.profiles.enabled();
    if (this.ignoreCache?.key !== key || this.ignoreCache.version !== this.repoFilesVersion) {
      this.ignoreCache = { key, version: this.repoFilesVersion, fn: buildIgnore(this.repoDir, key, (a) => this.profiles.liveToRepo(a)) };
    }
    return this.ignoreCache.fn;
  }

  private repoFileErrors = '';

  /** A broken `.confsync/profiles.json` or `conflicts.json` (they may come from any clone) is shown once per change. */
  private reportRepoFileErrors(): void {
    const errs = [this.profiles.fileError && `${this.profiles.fileError} (the last good profile definitions stay in force)`, this.conflicts.error].filter((e): e is string => !!e);
    const key = errs.join('\n');
    if (key !== this.repoFileErrors) for (const e of errs) pushError(this.store, 'repo', e);
    this.repoFileErrors = key;
  }

  // ---------------------------------------------------------------- conflicts, history, paths

  refreshConflictsState(): void {
    this.store.setState({ conflicts: this.conflicts.list().map((c) => viewConflict(c, this.hostNames, this.paths.toLive(c.path))) });
  }

  /** A PATH a person typed (live, `~/…` or repo path) → the repo path, or an error naming the closest. */
  async resolvePath(input: string, opts: { history?: boolean } = {}): Promise<string> {
    const known = await knownPaths(this.ctx, opts);
    const r = this.paths.resolveArg(input, known);
    if (!r.ok) throw new ActionError(r.message);
    return r.repoPath;
  }

  async resolveConflict(pathArg: string, keep: Keep, from?: string): Promise<SyncResult> {
    const path = await this.resolvePath(pathArg);
    const words = await this.repoMutex.run(async () => {
      // First the current live content is committed, so any choice is undoable.
      const pre = await this.reconciler.run({ all: true }, { reason: 'resolve' });
      return resolveConflict(this.ctx, path, keep, from, beforeAction(pre));
    });
    this.refreshConflictsState();
    const r = await this.syncNow({ reason: 'resolve' });
    return { ...r, message: afterAction(words, r) };
  }

  async history(pathArg: string) {
    const path = await this.resolvePath(pathArg, { history: true });
    return fileHistory(this.git, path);
  }

  async restore(pathArg: string, rev: string): Promise<SyncResult> {
    const path = await this.resolvePath(pathArg, { history: true });
    const words = await this.repoMutex.run(async () => {
      const pre = await this.reconciler.run({ all: true }, { reason: 'restore' }); // the current content is committed first: undoable
      return restoreVersion(this.ctx, path, rev, beforeAction(pre));
    });
    const r = await this.syncNow({ reason: 'restore' });
    return { ...r, message: afterAction(words, r) };
  }

  /** The variants of a synced file, and which one is live here. */
  async variants(pathArg: string): Promise<VariantView[]> {
    const path = await this.resolvePath(pathArg);
    return this.repoMutex.run(async () => {
      await this.reconciler.refreshVariants();
      return listVariants(this.ctx, path);
    });
  }

  /** Creates a variant of a synced file from this machine's version (see sync/actions.ts addVariant). */
  async addVariant(pathArg: string, spec: string): Promise<SyncResult> {
    const path = await this.resolvePath(pathArg);
    const words = await this.repoMutex.run(async () => {
      await this.reconciler.run({ all: true }, { reason: 'variant' }); // this machine's edits first
      await this.reconciler.refreshVariants();
      const w = await addVariant(this.ctx, path, spec);
      await this.reconciler.refreshVariants();
      return w;
    });
    const r = await this.syncNow({ reason: 'variant' });
    return { ...r, message: afterAction(words, r) };
  }

  /** What a sync would do here, changing nothing (sync/preview.ts). */
  async preview(target: { url?: string; branch?: string } = {}): Promise<SyncPreview> {
    // Not a sync: the header keeps saying what it said (no "Syncing"), Sync now stays available.
    return this.repoMutex.run(() => previewSync(this.ctx, this.reconciler, target));
  }

  /** The text of pending changes, both ways (or of one path): sync/preview.ts pendingDiffs. */
  async diff(pathArg?: string, target: { url?: string; branch?: string } = {}): Promise<PendingDiff[]> {
    const all = await this.repoMutex.run(() => pendingDiffs(this.ctx, this.reconciler, undefined, target));
    if (!pathArg) return all;
    // A PATH may name a file only one side has so far (a new file here, or one arriving).
    const r = this.paths.resolveArg(pathArg, [...all.map((d) => d.path), ...(await knownPaths(this.ctx, { history: true }))]);
    if (!r.ok) throw new ActionError(r.message);
    return all.filter((d) => d.path === r.repoPath);
  }

  /**
   * Joins the repo: turns on the profiles the preview would (those with files in the repo whose files
   * exist here), or the ones named, then syncs.
   */
  async join(names?: string[]): Promise<SyncResult> {
    const cur = this.settings.get().enabledProfiles ?? [];
    const isKnown = (names: Iterable<string>) => {
      const known = new Set([...this.profiles.definitions().map((d) => d.name), ...loadCatalog().map((d) => d.name), ...names].map((n) => n.toLowerCase()));
      return (n: string) => known.has(n.toLowerCase());
    };
    // The preview reads the remote's profile definitions (a profile the repo defines is known before
    // this machine's repo has them; they arrive with the sync below). Named profiles all known here
    // need no look at the remote.
    let known = isKnown([]);
    let turnOn = names;
    if (!turnOn || turnOn.some((n) => !known(n))) {
      const preview = await this.preview();
      turnOn ??= preview.profiles.filter((p) => p.willEnable).map((p) => p.name);
      known = isKnown(preview.profiles.map((p) => p.name));
    }
    const add = turnOn.filter((n) => !cur.some((c) => c.toLowerCase() === n.toLowerCase()));
    const unknown = add.filter((n) => !known(n));
    if (unknown.length) throw new ActionError(`unknown profile ${unknown.join(', ')} (see \`confsync profile list\`)`);
    if (add.length) {
      this.settings.update({ enabledProfiles: [...cur, ...add] });
      pushActivity(this.store, 'info', `Turned on ${add.length === 1 ? 'the profile' : `${add.length} profiles`} with files in the repo: ${add.join(', ')}`);
    }
    return this.syncNow({ reason: 'join' });
  }

  /** History as a timeline (sync/timeline.ts). */
  async timeline(q: TimelineQuery = {}): Promise<TimelineEntry[]> {
    if (q.profile && !this.profiles.definitions().some((d) => d.name.toLowerCase() === q.profile!.toLowerCase())) {
      throw new ActionError(`unknown profile ${q.profile} (see \`confsync profile list\`)`);
    }
    return timeline(this.ctx, q);
  }

  change(rev: string) {
    return changeDetail(this.ctx, rev);
  }

  /** Restores every file of one change (undoable: the current content is committed first). */
  async restoreChange(rev: string): Promise<SyncResult> {
    const r = await this.repoMutex.run(async () => {
      const pre = await this.reconciler.run({ all: true }, { reason: 'restore' });
      return restoreChange(this.ctx, rev, beforeAction(pre));
    });
    const s = await this.syncNow({ reason: 'restore' });
    const words = [
      r.restored.length ? `${plural(r.restored.length, 'file')} restored (${r.restored.map((p) => p.split('/').pop()).join(', ')})` : 'No file restored',
      ...r.notRestored.map((n) => `${n.path.split('/').pop()} not restored: ${n.why}`),
    ].join('; ');
    return { ...s, message: `${words}.` };
  }

  /** The files stored encrypted, and whether this machine can open them. */
  async secrets(): Promise<SecretView[]> {
    return this.repoMutex.run(() => listSecrets(this.ctx));
  }

  /** Stores a synced file encrypted from now on (see sync/actions.ts addSecret). */
  async addSecret(pathArg: string): Promise<SyncResult> {
    const path = await this.resolveSecretPath(pathArg);
    const words = await this.repoMutex.run(async () => {
      await this.reconciler.run({ all: true }, { reason: 'secret' });
      return addSecret(this.ctx, path);
    });
    const r = await this.syncNow({ reason: 'secret' });
    return { ...r, message: afterAction(words, r) };
  }

  async removeSecret(pathArg: string): Promise<SyncResult> {
    const path = await this.resolveSecretPath(pathArg);
    const words = await this.repoMutex.run(() => removeSecret(this.ctx, path));
    const r = await this.syncNow({ reason: 'secret' });
    return { ...r, message: afterAction(words, r) };
  }

  /**
   * A PATH for the secret commands: a synced file, or a file of an enabled profile that is not synced
   * yet (the secrets guard holds back a file with a token, so it may never have been committed).
   */
  private async resolveSecretPath(input: string): Promise<string> {
    const raw = input.trim();
    const live = raw === '~' || raw.startsWith('~/') ? join(this.home, raw.slice(2)) : isAbsolute(raw) ? raw : null;
    if (live) {
      const repo = this.paths.toRepo(live);
      if (repo && existsSync(live)) return repo.endsWith('.age') && this.sealed.isSealed(repo) ? this.sealed.plainOf(repo)! : repo;
    }
    // A repo path of a file held back by the secrets guard (never committed, so not in the history).
    if (!live && !raw.split('/').includes('..')) {
      const at = this.paths.toLive(raw.replace(/^\.\//, ''));
      if (at && existsSync(at)) return this.sealed.plainOf(raw) ?? raw;
    }
    const repo = await this.resolvePath(input);
    return this.sealed.plainOf(repo) ?? repo;
  }

  /** What people see of a repo blob: an encrypted file's plain text (in this process only), when this machine can open it. */
  private async plainOf(repoPath: string, bytes: Buffer | null): Promise<Buffer | null> {
    if (!bytes || !this.sealed.isSealed(repoPath)) return bytes;
    return this.sealer.open(bytes).catch(() => null);
  }

  async showVersion(pathArg: string, rev: string): Promise<{ content: string | null; binary: boolean; current: string | null }> {
    const path = await this.resolvePath(pathArg, { history: true });
    const { resolveCommit, revProblem } = await import('./git/rev.js');
    const r = await resolveCommit(this.git, rev);
    if (r.kind !== 'ok') throw new ActionError(revProblem(r));
    const content = await this.plainOf(path, await blobAt(this.git, r.oid, path));
    const livePath = this.paths.toLive(path);
    const cur = livePath && !this.reconciler.linkOnTheWay(livePath) ? await readLive(livePath, this.cfg.sync.maxFileBytes) : null;
    const current = cur?.kind === 'file' ? cur.content : null;
    const text = (b: Buffer | null) => (b ? this.formats.diffText(path, b) : null);
    const binary = (content && isBinary(content) && text(content) === null) || (current && isBinary(current) && text(current) === null) || false;
    return { content: binary ? null : text(content), binary: !!binary, current: binary ? null : text(current) };
  }

  /** Mine and theirs of a conflict (from this machine's point of view), as text where they can be shown. */
  async conflictDetail(pathArg: string, from?: string) {
    const path = await this.resolvePath(pathArg);
    const g = this.conflicts.get(path);
    if (!g) throw new ActionError(`no conflict recorded for ${path}`);
    const view = viewConflict(g, this.hostNames, this.paths.toLive(g.path));
    const versions = versionsOf(g);
    const mi = mineIndex(g, this.hostNames);
    const ti = from ? versions.findIndex((v, i) => i !== mi && v.host === from) : versions.findIndex((_, i) => i !== mi);
    const bytesOf = async (i: number): Promise<Buffer | null> => {
      const v = versions[i];
      if (!v || v.deleted) return null;
      const p = i === 0 ? g.path : v.copyPath!;
      return this.plainOf(p, await blobAt(this.git, 'HEAD', p));
    };
    const mine = await bytesOf(mi);
    const theirs = ti >= 0 ? await bytesOf(ti) : null;
    const text = (b: Buffer | null) => (b ? this.formats.diffText(g.path, b) : null);
    const binary = !!((mine && text(mine) === null) || (theirs && text(theirs) === null));
    const macros = view.kind === 'km-macro' ? this.featureHandlers.conflictDetail?.(g.path, mine, theirs) : undefined;
    return { conflict: view, mine: binary ? null : text(mine), theirs: binary ? null : text(theirs), binary, ...(macros ? { macros } : {}) };
  }

  // ---------------------------------------------------------------- the shared ignore file

  async ignoreList(): Promise<string[]> {
    const file = join(this.repoDir, CONFSYNCIGNORE);
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')) : [];
  }

  /** Adds or removes one pattern of the shared `.confsyncignore`, commits it, and syncs. */
  async ignoreEdit(op: 'add' | 'remove', pattern: string): Promise<string[]> {
    const p = pattern.trim();
    if (!p || p.includes('\n') || p.includes('\0')) throw new ActionError('a pattern is one line of gitignore syntax, e.g. "zsh/.zsh_history" or "*.log"');
    await this.repoMutex.run(async () => {
      const file = join(this.repoDir, CONFSYNCIGNORE);
      const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
      const has = lines.some((l) => l.trim() === p);
      if (op === 'add' && has) return;
      if (op === 'remove' && !has) throw new ActionError(`"${p}" is not in .confsyncignore (patterns: ${(await this.ignoreList()).join(', ') || 'none'})`);
      const next = op === 'add' ? [...lines.filter((l, i) => l !== '' || i < lines.length - 1), p] : lines.filter((l) => l.trim() !== p);
      await writeRepoFile(this.repoDir, CONFSYNCIGNORE, Buffer.from(next.filter((l, i, a) => l !== '' || i < a.length - 1).join('\n').replace(/\n*$/, '\n')), '100644');
      const r = await stageAndCommit(this.git, [CONFSYNCIGNORE], `${this.host}: ${op === 'add' ? 'ignore' : 'stop ignoring'} ${p}`, this.host);
      if (r.kind === 'error' || r.kind === 'disk-full') throw new Error(r.message);
      this.repoFilesVersion++;
    });
    this.requestFullScan();
    void this.watch?.setTargets(this.profiles.enabled()).catch(() => undefined);
    void this.syncNow({ reason: 'ignore' }).catch(() => undefined);
    return this.ignoreList();
  }

  // ---------------------------------------------------------------- remote set-up

  async setRemote(url: string | null, branch?: string): Promise<void> {
    await this.repoMutex.run(async () => {
      this.settings.update({ remote: { url, ...(branch ? { branch } : {}) } });
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

export { isConflictCopy, blobOid };

/**
 * The words of a person's action (resolve, restore, variant, secret) with what the sync after it did:
 * never "Synced" for a restore; the sync's own words only when it did not work.
 */
export function afterAction(words: string, r: SyncResult): string {
  if (!isSuccess(r.kind)) return `${words}. ${r.message}`;
  if (r.kind === 'waiting') return `${words}. ${r.message}`;
  const tail = r.kind === 'local-only' ? ' (on this machine; no remote is set up)' : r.pushed ? ', and sent to your other machines' : '';
  return `${words}${tail}.`;
}
