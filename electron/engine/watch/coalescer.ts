/**
 * Coalescer: turns a stream of RawEvents into batches of per-path changes.
 *
 * Timing (decision): one quiet window for the whole pending set, not a timer per path. A batch is
 * delivered when no event arrived for the quiet time, but never later than `maxWaitMs` after the
 * oldest pending event, so a continuous burst cannot postpone delivery forever. A single timer is
 * kept: pushes only record the time of the last event; when the timer fires it either delivers or
 * re-arms for the new due time (no clearTimeout/setTimeout per event). The quiet time adapts: a lone
 * save waits `minDebounceMs` (250 ms in the engine), and every further burst of events doubles it up
 * to `debounceMs`, so one edit travels fast and a stream of writes still lands as one commit.
 * Why not per-path windows: the consumer commits a batch at a time; per-path timers would split one
 * save-all into several commits and cost a timer per file under bursts.
 *
 * State per path (latest wins, first-seen time kept):
 *   add/change → upsert; unlink/unlinkDir → delete; addDir → rescan-dir; overflow → rescan-dir and
 *   batch.overflow = true. So add→change→unlink = delete, unlink→add = upsert, and a move (which
 *   watchers report as unlink + add) is a delete of the old path and an upsert of the new one.
 *
 * Serialisation: one onBatch at a time; events arriving meanwhile form the next batch.
 *
 * Backpressure: when more than `maxPending` paths are pending, entries are collapsed into
 * 'rescan-dir' entries of their parent directories (then grandparents, ...) until at most half of
 * `maxPending` remain (deepest directories are lifted first), and the batch is marked overflow. From then on until that batch is delivered,
 * events are recorded at directory level: absorbed by a collapsed ancestor, or recorded as a
 * 'rescan-dir' of their parent directory. A 'rescan-dir' means: reconcile this directory's subtree against the disk
 * (it may no longer exist).
 */
import path from 'node:path';
import type { RawEvent } from './types.js';

/** Events closer together than this belong to one save (an editor's write + rename + chmod). */
const BURST_GAP_MS = 50;

export type ChangeKind = 'upsert' | 'delete' | 'rescan-dir';

export interface Change {
  path: string;
  kind: ChangeKind;
  /** `at` of the first event seen for this path in this batch. */
  firstSeenAt: number;
}

export interface ChangeBatch {
  changes: Change[];
  /** Events were collapsed (backpressure) or a watcher reported possible loss. */
  overflow: boolean;
}

export interface CoalescerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface CoalescerOptions {
  debounceMs: number;
  /**
   * Adaptive quiet time: a lone save waits only this long; each further burst of events (more than
   * BURST_GAP_MS after the previous one) doubles the wait, up to `debounceMs`. Default: `debounceMs`
   * (a fixed window).
   */
  minDebounceMs?: number;
  maxWaitMs: number;
  /** Bound on pending paths (default 100 000). */
  maxPending?: number;
  onBatch: (batch: ChangeBatch) => Promise<void> | void;
  clock?: CoalescerClock;
  /** Errors thrown by onBatch for timer-driven batches (flush() rethrows its own). */
  onError?: (err: Error) => void;
}

const systemClock: CoalescerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

function kindOf(type: RawEvent['type']): ChangeKind {
  switch (type) {
    case 'add':
    case 'change':
      return 'upsert';
    case 'unlink':
    case 'unlinkDir':
      return 'delete';
    case 'addDir':
    case 'overflow':
      return 'rescan-dir';
  }
}

export class Coalescer {
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;
  private readonly maxPending: number;
  private readonly clock: CoalescerClock;
  private map = new Map<string, Change>();
  private overflow = false;
  /** Directories that absorbed collapsed entries in the current pending set. */
  private collapsed: Set<string> | null = null;
  private oldestAt = 0;
  private lastAt = 0;
  /** Separate bursts of events since the window opened (0: one lone save so far). */
  private bursts = 0;
  private timer: unknown = null;
  private running: Promise<Error | null> | null = null;
  private closed = false;

  constructor(private readonly opts: CoalescerOptions) {
    this.debounceMs = Math.max(0, opts.debounceMs);
    this.maxWaitMs = Math.max(this.debounceMs, opts.maxWaitMs);
    this.maxPending = Math.max(1, opts.maxPending ?? 100_000);
    this.clock = opts.clock ?? systemClock;
  }

  push(events: RawEvent[]): void {
    if (this.closed || events.length === 0) return;
    const now = this.clock.now();
    if (this.map.size === 0) {
      this.oldestAt = now;
      this.bursts = 0;
    } else if (now - this.lastAt > BURST_GAP_MS) this.bursts++;
    this.lastAt = now;
    for (let i = 0; i < events.length; i++) {
      const map = this.map;
      const ev = events[i]!;
      const kind = kindOf(ev.type);
      if (ev.type === 'overflow') this.overflow = true;
      if (this.collapsed !== null) {
        // overflow mode: everything is recorded at directory level
        if (this.isCollapsed(ev.path)) continue;
        const dir = kind === 'rescan-dir' ? ev.path : path.dirname(ev.path);
        this.collapsed.add(dir);
        const prev = this.map.get(dir);
        if (prev !== undefined) prev.kind = 'rescan-dir';
        else this.map.set(dir, { path: dir, kind: 'rescan-dir', firstSeenAt: ev.at });
        if (this.map.size > this.maxPending) this.collapse();
        continue;
      }
      const existing = map.get(ev.path);
      if (existing !== undefined) existing.kind = kind;
      else map.set(ev.path, { path: ev.path, kind, firstSeenAt: ev.at });
      if (map.size > this.maxPending) this.collapse();
    }
    if (this.map.size > 0) this.arm();
  }

  /** Number of pending paths (not yet handed to onBatch). */
  pending(): number {
    return this.map.size;
  }

  /** Delivers everything pending now (and whatever arrives meanwhile) and waits for onBatch. */
  async flush(): Promise<void> {
    let firstError: Error | null = null;
    for (;;) {
      if (this.running) {
        await this.running;
        continue;
      }
      if (this.map.size === 0) break;
      const err = await this.deliver();
      firstError ??= err;
    }
    if (firstError) throw firstError;
  }

  /** Flushes, then ignores further pushes. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.closed = true;
      this.disarm();
    }
  }

  // ---- timing --------------------------------------------------------------------------------

  /** The quiet time now: short for a lone save, growing while events keep coming. */
  private quietMs(): number {
    const min = Math.min(this.debounceMs, Math.max(0, this.opts.minDebounceMs ?? this.debounceMs));
    return Math.min(this.debounceMs, min * 2 ** Math.min(this.bursts, 20));
  }

  private dueAt(): number {
    return Math.min(this.lastAt + this.quietMs(), this.oldestAt + this.maxWaitMs);
  }

  private arm(): void {
    if (this.timer !== null) return; // the armed timer re-checks when it fires
    const delay = Math.max(0, this.dueAt() - this.clock.now());
    this.timer = this.clock.setTimeout(() => this.onTimer(), delay);
  }

  private disarm(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private onTimer(): void {
    this.timer = null;
    if (this.map.size === 0 || this.running) return; // a running batch re-checks when done
    if (this.clock.now() >= this.dueAt()) {
      void this.deliver().then((err) => {
        if (err) this.opts.onError?.(err);
      });
    } else {
      this.arm();
    }
  }

  private deliver(): Promise<Error | null> {
    this.disarm();
    const batch: ChangeBatch = { changes: [...this.map.values()], overflow: this.overflow };
    this.map = new Map();
    this.overflow = false;
    this.collapsed = null;
    const run = (async (): Promise<Error | null> => {
      try {
        await this.opts.onBatch(batch);
        return null;
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
    })();
    this.running = run.then((err) => {
      this.running = null;
      // events that arrived during the batch: deliver now if already due, else wait
      if (this.map.size > 0 && !this.closed) {
        if (this.clock.now() >= this.dueAt()) this.onTimer();
        else this.arm();
      }
      return err;
    });
    return this.running;
  }

  // ---- backpressure --------------------------------------------------------------------------

  private isCollapsed(p: string): boolean {
    const set = this.collapsed!;
    let cur = p;
    for (;;) {
      if (set.has(cur)) return true;
      const up = path.dirname(cur);
      if (up === cur) return false;
      cur = up;
    }
  }

  private collapse(): void {
    const target = Math.max(1, Math.floor(this.maxPending / 2));
    // first level: files → their directory; rescan-dir entries stay themselves
    let dirs = new Map<string, number>();
    const add = (d: string, t: number) => {
      const prev = dirs.get(d);
      if (prev === undefined || t < prev) dirs.set(d, t);
    };
    for (const c of this.map.values()) add(c.kind === 'rescan-dir' ? c.path : path.dirname(c.path), c.firstSeenAt);
    dirs = dropNested(dirs);
    // lift the deepest directories one level at a time, so coarse entries stay as they are
    while (dirs.size > target) {
      let maxDepth = 0;
      for (const d of dirs.keys()) maxDepth = Math.max(maxDepth, depthOf(d));
      if (maxDepth === 0) break;
      const up = new Map<string, number>();
      for (const [d, t] of dirs) {
        const key = depthOf(d) === maxDepth ? path.dirname(d) : d;
        const prev = up.get(key);
        if (prev === undefined || t < prev) up.set(key, t);
      }
      dirs = dropNested(up);
    }
    const next = new Map<string, Change>();
    for (const [d, t] of dirs) next.set(d, { path: d, kind: 'rescan-dir', firstSeenAt: t });
    this.map = next;
    this.collapsed = new Set(dirs.keys());
    this.overflow = true;
  }
}

function depthOf(p: string): number {
  let n = 0;
  for (let i = 0; i < p.length; i++) if (p.charCodeAt(i) === 47 /* / */ || p[i] === path.sep) n++;
  return p.length > 1 && (p.endsWith('/') || p.endsWith(path.sep)) ? n - 1 : p === path.sep ? 0 : n;
}

/** Removes directories that have an ancestor in the map (keeping the earliest time on the ancestor). */
function dropNested(dirs: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [d, t] of dirs) {
    let cur = path.dirname(d);
    let nested = false;
    for (;;) {
      if (cur !== d && dirs.has(cur)) {
        nested = true;
        const at = dirs.get(cur)!;
        if (t < at) dirs.set(cur, t);
        break;
      }
      const up = path.dirname(cur);
      if (up === cur) break;
      cur = up;
    }
    if (!nested) out.set(d, t);
  }
  // times may have been lowered on ancestors after they were copied
  for (const d of out.keys()) out.set(d, dirs.get(d)!);
  return out;
}
