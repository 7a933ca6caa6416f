/**
 * Safety-net rescan for natively watched trees. @parcel/watcher's inotify backend drops the queue
 * overflow event (IN_Q_OVERFLOW) silently, and a watch can miss things in other ways (see
 * backend-parcel.ts); so now and then the tree is walked (lstat only, nothing read) and compared
 * with the last known snapshot. The pause between walks is `intervalMs` or, for a tree whose walk
 * costs more, that walk's time ÷ RESCAN_BUDGET: the net never uses more than 0.05 % of a core
 * (100,000 files, a 0.55 s walk: every 18 min; Syncthing's own full rescan, with its watcher on, is
 * hourly). At 0.2 % the net alone was twice what the speed issue allows a 100k tree at rest (0.1 %). Differences on paths the native watcher already reported since the previous walk are
 * skipped; the rest are emitted as synthetic events.
 *
 * No walk at start: the consumer has just scanned the tree itself (the engine's start-up pass), and a
 * second walk right after it only cost CPU (0.5 s at 100,000 files). The first round, having no walk
 * to compare with, reports an `overflow` of the root instead: the consumer compares the tree with
 * what it knows (the engine: a stat-only pass against its snapshot), so a change missed at any moment
 * since the watch was armed is found there, where a baseline walk taken after it would have hidden it.
 *
 * Memory: one Snapshot (relative path → one number) per tree plus the set of paths touched since
 * the last walk (bounded: past TOUCHED_LIMIT nothing is skipped, duplicates are harmless).
 */
import path from 'node:path';
import { diffSnapshots, walkTree, type Snapshot } from './walk.js';
import type { BackendEvent } from './types.js';

const TOUCHED_LIMIT = 100_000;

/** The share of one core the net may use over time: the pause after a walk is this many times its cost. */
export const RESCAN_BUDGET = 0.0005;

export interface RescanOptions {
  root: string;
  /** The shortest pause between walks; a large tree waits longer (its walk ÷ RESCAN_BUDGET). */
  intervalMs: number;
  isIgnored: (absPath: string, isDir: boolean | undefined) => boolean;
  emit: (events: BackendEvent[]) => void;
  onError: (err: Error) => void;
}

export class RescanNet {
  private snap: Snapshot | null = null;
  private touched = new Set<string>();
  private touchedOverflow = false;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private closed = false;
  /** Completed comparisons (for tests and status). */
  rounds = 0;

  constructor(private readonly opts: RescanOptions) {}

  /** Schedules the first round (see the top: no walk now). */
  start(): void {
    this.schedule();
  }

  /** A path reported by the native watcher. */
  touch(absPath: string): void {
    if (this.touchedOverflow) return;
    if (this.touched.size >= TOUCHED_LIMIT) {
      this.touchedOverflow = true;
      this.touched.clear();
      return;
    }
    this.touched.add(absPath);
  }

  /** Runs one round now (tests). */
  async rescanNow(): Promise<void> {
    await this.running;
    const scheduled = this.timer !== null;
    if (scheduled) {
      clearTimeout(this.timer!);
      this.timer = null;
    }
    await this.round();
    if (scheduled) this.schedule();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** How long the last walk took (stat only). */
  lastWalkMs = 0;

  private async walk(): Promise<Snapshot> {
    const t0 = performance.now();
    const snap = await walkTree(this.opts.root, {
      isIgnored: this.opts.isIgnored,
      isCancelled: () => this.closed,
    });
    this.lastWalkMs = performance.now() - t0;
    return snap;
  }

  /** The pause before the next walk: at least intervalMs, and long enough to stay within the budget. */
  nextDelayMs(): number {
    return Math.max(this.opts.intervalMs, Math.round(this.lastWalkMs / RESCAN_BUDGET));
  }

  private schedule(): void {
    if (this.closed || this.opts.intervalMs <= 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.round()
        .catch((err: unknown) => this.opts.onError(err as Error))
        .finally(() => {
          this.running = null;
          this.schedule();
        });
    }, this.nextDelayMs());
  }

  private async round(): Promise<void> {
    if (this.closed) return;
    const before = this.touched;
    const overflowBefore = this.touchedOverflow;
    this.touched = new Set();
    this.touchedOverflow = false;
    const next = await this.walk();
    if (this.closed) return;
    const prev = this.snap;
    this.snap = next;
    this.rounds++;
    if (!prev) {
      // Nothing to compare with: the consumer compares with what it knows.
      this.opts.emit([{ type: 'overflow', path: this.opts.root, isDir: true }]);
      return;
    }
    // past TOUCHED_LIMIT the touched set was dropped: skip nothing (duplicates are harmless)
    const skipNothing = overflowBefore || this.touchedOverflow;
    const root = this.opts.root;
    const isTouched = (rel: string): boolean => {
      if (skipNothing) return false;
      let p = rel === '' ? root : path.join(root, rel);
      for (;;) {
        if (before.has(p) || this.touched.has(p)) return true;
        if (p === root) return false;
        const up = path.dirname(p);
        if (up === p) return false;
        p = up;
      }
    };
    const events = diffSnapshots(root, prev, next, isTouched);
    if (events.length > 0) this.opts.emit(events);
  }
}
