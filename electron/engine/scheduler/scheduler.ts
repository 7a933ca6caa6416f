/**
 * Periodic sync with backoff: the next run is one interval after the last; after a failure it is
 * sooner at first and then further apart (exponential with full jitter, capped at the interval), so a
 * remote that comes back is noticed quickly without hammering one that stays away. `kick()` runs soon
 * (after a local commit).
 */
export interface SchedulerOptions {
  intervalMs: () => number;
  run: () => Promise<unknown>;
  onNext?: (at: number | null) => void;
  baseRetryMs?: number;
  kickDelayMs?: number;
  random?: () => number;
}

export class SyncScheduler {
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private running = false;
  private stopped = true;

  constructor(private readonly o: SchedulerOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(this.o.intervalMs());
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.o.onNext?.(null);
  }

  /** Delay before the next attempt after `failures` consecutive failures. */
  static backoff(failures: number, intervalMs: number, baseMs: number, random: () => number): number {
    if (failures <= 0) return intervalMs;
    const cap = Math.min(intervalMs, baseMs * 2 ** Math.min(failures - 1, 20));
    return Math.max(baseMs / 2, Math.round(cap * (0.5 + random() * 0.5)));
  }

  result(ok: boolean): void {
    this.failures = ok ? 0 : this.failures + 1;
    if (!this.stopped && !this.running) this.reschedule();
  }

  reschedule(): void {
    if (this.stopped) return;
    this.schedule(SyncScheduler.backoff(this.failures, this.o.intervalMs(), this.o.baseRetryMs ?? 5_000, this.o.random ?? Math.random));
  }

  kick(): void {
    if (this.stopped) return;
    this.schedule(this.o.kickDelayMs ?? 250);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    const at = Date.now() + ms;
    this.o.onNext?.(at);
    this.timer = setTimeout(() => void this.fire(), ms);
    this.timer.unref?.();
  }

  private async fire(): Promise<void> {
    this.timer = null;
    if (this.stopped) return;
    this.running = true;
    try {
      await this.o.run();
    } catch {
      this.failures++;
    } finally {
      this.running = false;
    }
    if (!this.stopped && !this.timer) this.reschedule();
  }
}
