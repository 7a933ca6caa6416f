/**
 * Public types of the watch layer. The engine talks to `createWatcher` (watcher.ts), `Coalescer`
 * (coalescer.ts) and `createIgnoreFilter` (ignore.ts); everything else is internal.
 */

export type RawEventType = 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir' | 'overflow';

/**
 * One observed change. `overflow` means "events under `path` may have been lost: rescan it".
 * Note: @parcel/watcher does not say whether a deleted path was a directory, so a deleted directory
 * can arrive as `unlink` (consumers should treat `unlink` of a directory path as a recursive delete).
 */
export interface RawEvent {
  type: RawEventType;
  /** Absolute path. */
  path: string;
  /** Date.now() when the watch layer saw it. */
  at: number;
}

/** A single file, or a directory tree watched recursively. */
export interface WatchTarget {
  /** Absolute path. */
  path: string;
  kind: 'file' | 'tree';
}

export type BackendName = 'chokidar' | 'parcel' | 'polling';

export interface WatcherOptions {
  backend: 'auto' | BackendName;
  /** Polling fallback interval (default 2000). */
  pollIntervalMs: number;
  /** Supplied by the engine; applied before anything is emitted. `isDir` undefined = unknown. */
  isIgnored: (absPath: string, isDir: boolean | undefined) => boolean;
  onEvents: (events: RawEvent[]) => void;
  onError: (err: Error, target?: string) => void;
  onBackendChange?: (status: WatcherStatus) => void;

  // ---- optional extras (not needed by the engine) ----
  /**
   * Safety-net rescan of native tree targets: a full walk every N ms, compared with the last known
   * (mtime,size) map; differences not already reported natively are emitted as synthetic events.
   * Default 300 000 (watcher.ts DEFAULT_RESCAN_INTERVAL_MS), but 0 (off) when running under vitest
   * (`process.env.VITEST`). 0 disables.
   */
  rescanIntervalMs?: number;
  /**
   * Glob hints handed to @parcel/watcher's own `ignore` option so it does not crawl/watch those
   * directories at all (e.g. `**\/node_modules` for a tree with a huge ignored folder). Pure
   * optimisation: `isIgnored` is applied regardless. Default []: parcel matches globs with
   * std::regex per crawled path, which made a 100k-file tree 2–5× slower to be ready.
   */
  nativeIgnoreGlobs?: string[];
  /** Test seam: build a backend by name (inject a failing one to simulate ENOSPC). */
  backendFactory?: (name: BackendName) => WatchBackend;
  /**
   * In 'auto' mode, trees on network file systems (NFS, SMB/CIFS, 9p, ...; Linux only) are polled,
   * because inotify does not see changes made by other machines. Default true.
   */
  detectNetworkFs?: boolean;
}

export interface TargetStatus {
  path: string;
  kind: 'file' | 'tree';
  /** Backend actually in use (the intended one while the target does not exist yet). */
  backend: BackendName;
  /** armed: watched natively/polled; pending: path missing, nearest existing ancestor watched. */
  state: 'armed' | 'pending' | 'polling';
  /** Why this target is polled, when it is. */
  pollingReason?: string;
  /** Set when the target is inside another tree target and shares its subscription. */
  coveredBy?: string;
}

export interface WatcherStatus {
  /** e.g. 'parcel', 'chokidar', 'mixed', 'polling'; 'none' with no targets. */
  backend: string;
  watchedTargets: number;
  /** Target paths currently served by the polling backend (explicitly or after a fallback). */
  pollingPaths: string[];
  ready: boolean;
  /** Per-target detail (extra). */
  targets?: TargetStatus[];
}

export interface Watcher {
  /** Resolves when every target is ready (watched, polled, or waiting for its path to appear). */
  start(targets: WatchTarget[]): Promise<void>;
  setTargets(targets: WatchTarget[]): Promise<void>;
  stop(): Promise<void>;
  status(): WatcherStatus;
}

// ---------------------------------------------------------------------------------------------
// Backend interface (internal, exported for tests and for injecting fakes).

/**
 * What a backend is asked to watch. `tree`: `dir` recursively. `files`: only the direct children
 * of `dir` named in `names` (single-file targets grouped by parent directory; watching the parent
 * keeps working across delete+recreate and rename-over "atomic saves").
 */
export type HostSpec =
  | { mode: 'tree'; dir: string }
  | { mode: 'files'; dir: string; names: ReadonlySet<string> };

/** An event as a backend reports it; `isDir` when known. */
export interface BackendEvent {
  type: RawEventType;
  path: string;
  isDir?: boolean;
}

export interface BackendSink {
  events(events: BackendEvent[]): void;
  /** The subscription is broken (e.g. ENOSPC while adding a watch for a new dir): fall back. */
  fatal(err: Error): void;
  /** Non-fatal problem worth reporting. */
  warn(err: Error): void;
}

export interface BackendContext {
  isIgnored: (absPath: string, isDir: boolean | undefined) => boolean;
  pollIntervalMs: number;
  nativeIgnoreGlobs: string[];
}

export interface BackendSubscription {
  close(): Promise<void>;
}

export interface WatchBackend {
  readonly name: BackendName;
  /** Resolves once the backend is ready; rejects if it cannot watch `spec` (caller falls back). */
  subscribe(spec: HostSpec, ctx: BackendContext, sink: BackendSink): Promise<BackendSubscription>;
}
