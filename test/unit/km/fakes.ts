/** Fake clock and in-memory file system for the KM poller (no wall-clock time in tests). */
import type { KmClock, KmFileStat, KmFs } from '../../../electron/engine/km/poller.js';

interface Timer {
  id: number;
  at: number;
  ms: number;
  fn: () => void;
}

export class FakeClock implements KmClock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  /** Every delay ever passed to setTimeout, in order. */
  readonly scheduled: number[] = [];

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { id: ++this.seq, at: this.t + ms, ms, fn };
    this.timers.push(timer);
    this.scheduled.push(ms);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }

  /** Delays of the timers currently pending, soonest first. */
  pending(): number[] {
    return [...this.timers].sort((a, b) => a.at - b.at || a.id - b.id).map((x) => x.at - this.t);
  }

  /** Moves time forward, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers].sort((a, b) => a.at - b.at || a.id - b.id).find((x) => x.at <= end);
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }

  /** Fires the next timer, whatever its delay; returns that delay. */
  async next(): Promise<number> {
    const due = [...this.timers].sort((a, b) => a.at - b.at || a.id - b.id)[0];
    if (!due) throw new Error('no timer pending');
    const delay = due.at - this.t;
    await this.advance(delay);
    return delay;
  }
}

/** Lets queued promise callbacks run (several macrotask turns; no timers involved). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

export class MemoryFs implements KmFs {
  private files = new Map<string, { data: Buffer; mtimeMs: number }>();
  statCalls = 0;
  readCalls = 0;
  failNext: Error | null = null;

  write(path: string, data: Buffer, mtimeMs?: number): void {
    const prev = this.files.get(path);
    this.files.set(path, { data, mtimeMs: mtimeMs ?? (prev ? prev.mtimeMs + 1000 : 1000) });
  }

  remove(path: string): void {
    this.files.delete(path);
  }

  async stat(path: string): Promise<KmFileStat | null> {
    this.statCalls++;
    const f = this.files.get(path);
    return f ? { mtimeMs: f.mtimeMs, size: f.data.length } : null;
  }

  async readFile(path: string): Promise<Buffer> {
    this.readCalls++;
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = null;
      throw e;
    }
    const f = this.files.get(path);
    if (!f) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return f.data;
  }
}
