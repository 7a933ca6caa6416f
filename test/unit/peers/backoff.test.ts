import { describe, it, expect } from 'vitest';
import { reconnectDelay } from '../../../electron/engine/peers/backoff.js';

describe('reconnectDelay', () => {
  it('doubles from the base up to the cap; jitter spans the upper half of each step', () => {
    const lo = (n: number) => reconnectDelay(n, { baseMs: 1000, maxMs: 60_000, random: () => 0 });
    const hi = (n: number) => reconnectDelay(n, { baseMs: 1000, maxMs: 60_000, random: () => 1 });
    expect([0, 1, 2, 3, 4, 5, 6, 7, 20].map(hi)).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    expect([0, 1, 2, 6].map(lo)).toEqual([500, 1000, 2000, 30_000]);
    expect(reconnectDelay(3, { baseMs: 1000, maxMs: 60_000, random: () => 0.5 })).toBe(6000);
  });

  it('stays in range for any random value and any attempt count', () => {
    for (const r of [-1, 0, 0.3, 0.999, 1, 2]) {
      for (const n of [-5, 0, 1, 10, 1000]) {
        const d = reconnectDelay(n, { baseMs: 200, maxMs: 5000, random: () => r });
        expect(d).toBeGreaterThanOrEqual(100);
        expect(d).toBeLessThanOrEqual(5000);
      }
    }
  });
});
