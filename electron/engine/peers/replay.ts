/**
 * Remembers the nonces of accepted messages for as long as their timestamp could still pass the
 * window check (until ts + windowMs), so a captured frame cannot be accepted twice. Bounded: when full
 * of unexpired entries it fails closed ("full"): only correctly signed messages are ever recorded, and
 * the per-address rate limit keeps honest traffic far below the bound.
 */
export type ReplayVerdict = 'fresh' | 'replay' | 'full';

export interface ReplayCacheOptions {
  windowMs: number;
  maxEntries?: number;
  now: () => number;
}

export class ReplayCache {
  private readonly seen = new Map<string, number>();
  private readonly max: number;
  private nextSweep = 0;

  constructor(private readonly o: ReplayCacheOptions) {
    this.max = o.maxEntries ?? 10_000;
  }

  get size(): number {
    return this.seen.size;
  }

  /** Records `nonce` when fresh. `ts` is the message's own (already window-checked) timestamp. */
  check(nonce: string, ts: number): ReplayVerdict {
    const now = this.o.now();
    if (now >= this.nextSweep || this.seen.size >= this.max) this.sweep(now);
    const exp = this.seen.get(nonce);
    if (exp !== undefined && exp > now) return 'replay';
    if (exp === undefined && this.seen.size >= this.max) return 'full';
    this.seen.set(nonce, Math.max(ts, now) + this.o.windowMs);
    return 'fresh';
  }

  /** Drops expired entries; runs at most about once a second during normal traffic. */
  sweep(now = this.o.now()): void {
    for (const [k, exp] of this.seen) if (exp <= now) this.seen.delete(k);
    this.nextSweep = now + 1000;
  }
}
