/**
 * Per-address rate limit: a token bucket of `perMinute` tokens refilled continuously. Every frame from
 * an address takes a token, valid or not. The frame that finds the bucket empty "exceeds" the limit and
 * blocks the address for `blockMs` (default 60 s); while blocked every frame is dropped and new
 * connections from it are refused. Memory is bounded: idle, unblocked addresses are forgotten.
 */
export type RateVerdict = 'ok' | 'exceeded' | 'blocked';

export interface RateLimiterOptions {
  perMinute: number;
  blockMs?: number;
  now: () => number;
  maxAddresses?: number;
}

interface Bucket {
  tokens: number;
  at: number;
  blockedUntil: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  readonly blockMs: number;

  constructor(private readonly o: RateLimiterOptions) {
    this.blockMs = o.blockMs ?? 60_000;
  }

  hit(address: string): RateVerdict {
    const now = this.o.now();
    let b = this.buckets.get(address);
    if (!b) {
      if (this.buckets.size >= (this.o.maxAddresses ?? 4096)) this.prune(now);
      b = { tokens: this.o.perMinute, at: now, blockedUntil: 0 };
      this.buckets.set(address, b);
    }
    if (b.blockedUntil > now) return 'blocked';
    b.tokens = Math.min(this.o.perMinute, b.tokens + ((now - b.at) * this.o.perMinute) / 60_000);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 'ok';
    }
    b.blockedUntil = now + this.blockMs;
    b.tokens = 0;
    return 'exceeded';
  }

  isBlocked(address: string): boolean {
    const b = this.buckets.get(address);
    return !!b && b.blockedUntil > this.o.now();
  }

  blockedUntil(address: string): number {
    return this.buckets.get(address)?.blockedUntil ?? 0;
  }

  /** Addresses blocked right now. */
  blocked(): string[] {
    const now = this.o.now();
    return [...this.buckets].filter(([, b]) => b.blockedUntil > now).map(([a]) => a);
  }

  private prune(now: number): void {
    for (const [a, b] of this.buckets) {
      const full = b.tokens + ((now - b.at) * this.o.perMinute) / 60_000 >= this.o.perMinute;
      if (b.blockedUntil <= now && full) this.buckets.delete(a);
    }
    // Still full of active addresses: forget the oldest unblocked one rather than grow.
    if (this.buckets.size >= (this.o.maxAddresses ?? 4096)) {
      for (const [a, b] of this.buckets) {
        if (b.blockedUntil <= now) {
          this.buckets.delete(a);
          break;
        }
      }
    }
  }
}
