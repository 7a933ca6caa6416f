/**
 * Reconnect schedule: exponential (base * 2^attempt, capped) with "equal jitter": half of the delay is
 * fixed, half random, so many clients that lost the same peer do not come back in lock-step, and no
 * delay is ever shorter than half the exponential step.
 */
export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  random?: () => number;
}

export const DEFAULT_BACKOFF = { baseMs: 1000, maxMs: 60_000 } as const;

/** Delay before reconnect attempt number `attempt` (0 = first retry after a loss). */
export function reconnectDelay(attempt: number, o: BackoffOptions = {}): number {
  const base = o.baseMs ?? DEFAULT_BACKOFF.baseMs;
  const max = o.maxMs ?? DEFAULT_BACKOFF.maxMs;
  const random = o.random ?? Math.random;
  const step = Math.min(max, base * 2 ** Math.min(Math.max(0, attempt), 30));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(step / 2 + (step / 2) * r);
}
