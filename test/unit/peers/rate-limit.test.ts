import { describe, it, expect } from 'vitest';
import { RateLimiter } from '../../../electron/engine/peers/rate-limit.js';

describe('RateLimiter', () => {
  it('allows the per-minute budget, blocks the address on the next frame, for blockMs', () => {
    const clock = { t: 0 };
    const rl = new RateLimiter({ perMinute: 60, blockMs: 60_000, now: () => clock.t });
    for (let i = 0; i < 60; i++) expect(rl.hit('10.0.0.1')).toBe('ok');
    expect(rl.hit('10.0.0.1')).toBe('exceeded');
    expect(rl.isBlocked('10.0.0.1')).toBe(true);
    expect(rl.blockedUntil('10.0.0.1')).toBe(60_000);
    expect(rl.hit('10.0.0.1')).toBe('blocked');
    expect(rl.blocked()).toEqual(['10.0.0.1']);
    // Other addresses are unaffected.
    expect(rl.hit('10.0.0.2')).toBe('ok');
    clock.t = 59_999;
    expect(rl.hit('10.0.0.1')).toBe('blocked');
    clock.t = 60_000;
    expect(rl.isBlocked('10.0.0.1')).toBe(false);
    expect(rl.hit('10.0.0.1')).toBe('ok');
  });

  it('refills continuously: a steady rate at the limit is never blocked', () => {
    const clock = { t: 0 };
    const rl = new RateLimiter({ perMinute: 60, now: () => clock.t });
    for (let i = 0; i < 600; i++) {
      expect(rl.hit('a')).toBe('ok');
      clock.t += 1000;
    }
  });

  it('does not bank more than one minute of budget', () => {
    const clock = { t: 0 };
    const rl = new RateLimiter({ perMinute: 10, now: () => clock.t });
    clock.t = 3_600_000;
    for (let i = 0; i < 10; i++) expect(rl.hit('a')).toBe('ok');
    expect(rl.hit('a')).toBe('exceeded');
  });

  it('forgets idle addresses instead of growing without bound', () => {
    const clock = { t: 0 };
    const rl = new RateLimiter({ perMinute: 10, now: () => clock.t, maxAddresses: 5 });
    for (let i = 0; i < 50; i++) rl.hit(`h${i}`);
    clock.t = 120_000;
    for (let i = 50; i < 100; i++) rl.hit(`h${i}`);
    expect((rl as unknown as { buckets: Map<string, unknown> }).buckets.size).toBeLessThanOrEqual(5);
  });
});
