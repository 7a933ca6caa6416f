/**
 * Watches the Keyboard Maestro library by polling (a file watcher may call `trigger()` to poll sooner).
 *
 * Schedule (all intervals in ms, defaults in brackets):
 * - `start()` polls at once; every poll schedules the next one when it ends (never two in flight).
 * - After a poll that found changes (events other than the first load): `fastIntervalMs` [5,000].
 * - After a quiet poll (nothing changed, skipped, file absent): `base × growth^k`, capped at
 *   `slowIntervalMs` [120,000], where k counts the quiet polls since the last change (or since start).
 *   So from start: 30,000, 33,000, 36,300, 39,930, … 120,000; after a change: 5,000, then 30,000,
 *   33,000, … again. Values are rounded to whole ms. The first load counts as quiet.
 * - After a failed poll: `fastIntervalMs` while fewer than `maxConsecutiveErrors` [3] failures in a row
 *   (a read during KM's save is the usual cause); from then on status `error` and exponential backoff
 *   `base × 2^(failures − max)`, capped at `maxBackoffMs` [600,000]: 30,000, 60,000, 120,000, …
 *   The first good poll recovers (`active`, error cleared).
 * - `trigger()` polls once `triggerDebounceMs` [1,000] after the last call in a burst.
 *
 * Cheap path: when the file's mtime and size equal those of the last good parse, the poll is a skip.
 * Events are collected for `batchMs` [200] and handed to each listener as one array (0 ⇒ at once).
 *
 * Failures: a corrupt/truncated file keeps the last good library (macros stay queryable) and reports
 * the error (state `error` field, `onError`). A missing file is status `absent`, not an error: the last
 * known macros stay, flagged stale, and NO macro_removed events are sent (a vanished file is not a mass
 * deletion: KM may be mid-save, a sync tool may be replacing it, the disk may be unmounted). When the
 * file comes back, `library_reloaded` is sent, followed by the differences against the stale library,
 * if there was one (so a file that returns unchanged gives just `library_reloaded`).
 *
 * State: `getState()` counts (macros, groups, enabledMacros = macros that actually run) describe the last
 * good library, also while `absent`/`error`. Status `disabled` (in KmStatus) is for the host to show
 * when KM sync is off; the poller itself never reports it. `parses` counts parse attempts, failed ones
 * included.
 */
import { stat as fsStat, readFile as fsReadFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { KmMacro } from '../../../shared/contract.js';
import type { KmState, KmStatus } from '../../../shared/state.js';
import { diffLibraries, reloadEvent, type KmEvent } from './diff.js';
import { errText } from './plist-codec.js';
import { parseLibrary } from './reader.js';
import { KmLibraryError, type KmLibrary } from './types.js';

export interface KmClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface KmFileStat {
  mtimeMs: number;
  size: number;
}

export interface KmFs {
  /** null when the file does not exist. */
  stat(path: string): Promise<KmFileStat | null> | KmFileStat | null;
  readFile(path: string): Promise<Buffer> | Buffer;
}

export interface KmPollerPorts {
  clock?: KmClock;
  fs?: KmFs;
}

export interface KmPollerOptions {
  libraryPath: string;
  baseIntervalMs?: number;
  fastIntervalMs?: number;
  slowIntervalMs?: number;
  growth?: number;
  triggerDebounceMs?: number;
  batchMs?: number;
  maxConsecutiveErrors?: number;
  maxBackoffMs?: number;
}

export type KmEventsListener = (events: KmEvent[]) => void;
export type KmStateListener = (state: KmState) => void;
export type KmErrorListener = (error: Error, source: 'poll' | 'listener') => void;

export const realClock: KmClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export const realFs: KmFs = {
  async stat(path) {
    try {
      const s = await fsStat(path);
      return { mtimeMs: s.mtimeMs, size: s.size };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  },
  readFile: (path) => fsReadFile(path),
};

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

type Mode = 'idle' | 'running' | 'paused' | 'stopped';
type Health = 'initializing' | 'active' | 'error' | 'absent';
type Outcome = 'changed' | 'quiet' | 'error';

export class KmPoller {
  readonly libraryPath: string;
  private readonly opt: Required<Omit<KmPollerOptions, 'libraryPath'>>;
  private readonly clock: KmClock;
  private readonly fs: KmFs;

  private mode: Mode = 'idle';
  private health: Health = 'initializing';
  private lib: KmLibrary | null = null;
  private stale = false;
  private lastSig: string | null = null;
  private enabledCount = 0;

  private polls = 0;
  private skips = 0;
  private parses = 0;
  private lastParseMs: number | null = null;
  private parseTotalMs = 0;
  private intervalMs: number | null = null;
  private lastPollAt: number | null = null;
  private error: string | null = null;
  private quietStreak = 0;
  private consecutiveErrors = 0;

  private timer: unknown = null;
  private triggerTimer: unknown = null;
  private batchTimer: unknown = null;
  private pending: KmEvent[] = [];
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | null = null;

  private readonly eventListeners = new Set<KmEventsListener>();
  private readonly stateListeners = new Set<KmStateListener>();
  private readonly errorListeners = new Set<KmErrorListener>();

  constructor(options: KmPollerOptions, ports: KmPollerPorts = {}) {
    this.libraryPath = options.libraryPath;
    this.opt = {
      baseIntervalMs: options.baseIntervalMs ?? 30_000,
      fastIntervalMs: options.fastIntervalMs ?? 5_000,
      slowIntervalMs: options.slowIntervalMs ?? 120_000,
      growth: options.growth ?? 1.1,
      triggerDebounceMs: options.triggerDebounceMs ?? 1_000,
      batchMs: options.batchMs ?? 200,
      maxConsecutiveErrors: Math.max(1, options.maxConsecutiveErrors ?? 3),
      maxBackoffMs: options.maxBackoffMs ?? 600_000,
    };
    this.clock = ports.clock ?? realClock;
    this.fs = ports.fs ?? realFs;
  }

  // ---- lifecycle ----

  /** Starts polling (first poll at once). No-op when already running or paused. */
  start(): void {
    if (this.mode === 'running' || this.mode === 'paused') return;
    this.mode = 'running';
    if (!this.lib) this.health = 'initializing';
    this.emitState();
    void this.pollNow();
  }

  /** Stops polling; events still waiting for their batch window are delivered now. */
  stop(): void {
    if (this.mode === 'stopped') return;
    this.mode = 'stopped';
    this.cancel('timer');
    this.cancel('triggerTimer');
    this.flush();
    this.emitState();
  }

  pause(): void {
    if (this.mode !== 'running') return;
    this.mode = 'paused';
    this.cancel('timer');
    this.cancel('triggerTimer');
    this.emitState();
  }

  /** Resumes after `pause()` with an immediate poll. */
  resume(): void {
    if (this.mode !== 'paused') return;
    this.mode = 'running';
    this.emitState();
    void this.pollNow();
  }

  /** Called by a file watcher: polls once after the debounce (ignored while paused or stopped). */
  trigger(): void {
    if (this.mode !== 'running') return;
    this.cancel('triggerTimer');
    this.triggerTimer = this.clock.setTimeout(() => {
      this.triggerTimer = null;
      void this.pollNow();
    }, this.opt.triggerDebounceMs);
  }

  /**
   * Polls now. Polls never overlap: a call while one runs queues one more (calls while that one is
   * still queued share it). Resolves when the poll is done (events may still wait for their batch).
   * Works before `start()` and while paused too; only a running poller schedules the next poll.
   */
  pollNow(): Promise<void> {
    if (this.queued) return this.queued;
    const p = this.chain.then(async () => {
      this.queued = null;
      await this.runPoll();
    });
    this.queued = p;
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Resolves once no poll is running or queued. */
  async whenIdle(): Promise<void> {
    let c: Promise<void>;
    do {
      c = this.chain;
      await c;
    } while (c !== this.chain);
  }

  // ---- queries ----

  getLibrary(): KmLibrary | null {
    return this.lib;
  }

  /** True when the macros shown are the last known ones of a file that is currently missing. */
  isStale(): boolean {
    return this.stale;
  }

  getState(): KmState {
    return {
      status: this.status(),
      libraryPath: this.libraryPath,
      macros: this.lib?.macros.size ?? 0,
      groups: this.lib?.groups.length ?? 0,
      enabledMacros: this.enabledCount,
      polls: this.polls,
      skips: this.skips,
      parses: this.parses,
      lastParseMs: this.lastParseMs,
      avgParseMs: this.parses > 0 ? this.parseTotalMs / this.parses : null,
      intervalMs: this.intervalMs,
      lastPollAt: this.lastPollAt,
      error: this.error,
    };
  }

  /**
   * Macros of the last good library. `group` matches a group name or UID; `disabled: true` lists
   * macros that do not run (own flag off or group off), `false` those that do.
   */
  listMacros(filter: { group?: string; disabled?: boolean } = {}): KmMacro[] {
    if (!this.lib) return [];
    const out: KmMacro[] = [];
    for (const m of this.lib.macros.values()) {
      if (filter.group !== undefined && m.groupName !== filter.group && m.groupUid !== filter.group) continue;
      if (filter.disabled !== undefined && filter.disabled === m.active) continue;
      out.push({ uid: m.uid, name: m.name, group: m.groupName, groupUid: m.groupUid, enabled: m.enabled, active: m.active });
    }
    return out;
  }

  // ---- listeners ----

  onEvents(listener: KmEventsListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onState(listener: KmStateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onError(listener: KmErrorListener): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  // ---- internals ----

  private status(): KmStatus {
    if (this.mode === 'paused') return 'paused';
    if (this.mode === 'stopped') return 'stopped';
    if (this.mode === 'idle' && this.polls === 0) return 'stopped';
    return this.health;
  }

  private async runPoll(): Promise<void> {
    this.cancel('timer');
    const now = this.clock.now();
    this.polls++;
    this.lastPollAt = now;
    let outcome: Outcome;
    try {
      outcome = await this.pollOnce(now);
    } catch (err) {
      outcome = 'error';
      this.consecutiveErrors++;
      this.quietStreak = 0;
      this.error = errText(err);
      if (this.health === 'absent') this.health = this.lib ? 'active' : 'initializing'; // it exists, just unreadable
      if (this.consecutiveErrors >= this.opt.maxConsecutiveErrors) this.health = 'error';
      this.reportError(err instanceof Error ? err : new Error(String(err)), 'poll');
    }
    this.intervalMs = this.nextInterval(outcome);
    if (this.mode === 'running') {
      this.timer = this.clock.setTimeout(() => {
        this.timer = null;
        void this.pollNow();
      }, this.intervalMs);
    }
    this.emitState();
  }

  private nextInterval(outcome: Outcome): number {
    const o = this.opt;
    if (outcome === 'changed') {
      this.quietStreak = 0;
      return o.fastIntervalMs;
    }
    if (outcome === 'error') {
      if (this.consecutiveErrors < o.maxConsecutiveErrors) return o.fastIntervalMs;
      return Math.min(o.maxBackoffMs, o.baseIntervalMs * 2 ** (this.consecutiveErrors - o.maxConsecutiveErrors));
    }
    const ms = Math.min(o.slowIntervalMs, Math.round(o.baseIntervalMs * o.growth ** this.quietStreak));
    this.quietStreak++;
    return ms;
  }

  /** One poll; throws on failure (not on absence). */
  private async pollOnce(now: number): Promise<Outcome> {
    const st = await this.fs.stat(this.libraryPath);
    if (!st) return this.markAbsent();
    const sig = `${st.mtimeMs}:${st.size}`;
    if (sig === this.lastSig && this.lib && !this.stale) {
      this.skips++;
      this.markHealthy();
      return 'quiet';
    }
    let buf: Buffer;
    try {
      buf = await this.fs.readFile(this.libraryPath);
    } catch (err) {
      if (isMissing(err)) return this.markAbsent();
      throw new KmLibraryError(`cannot read ${this.libraryPath}: ${errText(err)}`, 'io', { cause: err });
    }
    const t0 = performance.now();
    let next: KmLibrary;
    try {
      next = parseLibrary(buf);
    } finally {
      const dt = performance.now() - t0;
      this.parses++;
      this.lastParseMs = dt;
      this.parseTotalMs += dt;
    }
    const prev = this.lib;
    const returning = this.health === 'absent' || this.stale;
    const diff = diffLibraries(prev, next, now);
    const events = returning && prev ? [reloadEvent(next, now, prev), ...diff] : diff;
    const firstLoad = prev === null;
    this.lib = next;
    this.stale = false;
    this.lastSig = sig;
    this.enabledCount = 0;
    for (const m of next.macros.values()) if (m.active) this.enabledCount++;
    this.markHealthy();
    this.queue(events);
    return firstLoad || events.length === 0 ? 'quiet' : 'changed';
  }

  private markHealthy(): void {
    this.consecutiveErrors = 0;
    this.error = null;
    this.health = 'active';
  }

  private markAbsent(): Outcome {
    this.consecutiveErrors = 0;
    this.error = null;
    this.health = 'absent';
    this.lastSig = null;
    if (this.lib) this.stale = true;
    return 'quiet';
  }

  private queue(events: KmEvent[]): void {
    if (events.length === 0) return;
    this.pending.push(...events);
    if (this.opt.batchMs <= 0) {
      this.flush();
      return;
    }
    if (this.batchTimer === null) {
      this.batchTimer = this.clock.setTimeout(() => {
        this.batchTimer = null;
        this.flush();
      }, this.opt.batchMs);
    }
  }

  /** Delivers the events waiting for their batch window now. */
  flush(): void {
    this.cancel('batchTimer');
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    for (const l of [...this.eventListeners]) {
      try {
        l(batch);
      } catch (err) {
        this.reportError(err instanceof Error ? err : new Error(String(err)), 'listener');
      }
    }
  }

  private emitState(): void {
    if (this.stateListeners.size === 0) return;
    const s = this.getState();
    for (const l of [...this.stateListeners]) {
      try {
        l(s);
      } catch (err) {
        this.reportError(err instanceof Error ? err : new Error(String(err)), 'listener');
      }
    }
  }

  private reportError(err: Error, source: 'poll' | 'listener'): void {
    for (const l of [...this.errorListeners]) {
      try {
        l(err, source);
      } catch {
        // an error hook that throws has nowhere left to report to
      }
    }
  }

  private cancel(which: 'timer' | 'triggerTimer' | 'batchTimer'): void {
    const h = this[which];
    if (h !== null) {
      this.clock.clearTimeout(h);
      this[which] = null;
    }
  }
}
