import { describe, it, expect } from 'vitest';
import { ReplayCache } from '../../../electron/engine/peers/replay.js';

describe('ReplayCache', () => {
  it('remembers a nonce until its timestamp leaves the window, then forgets it', () => {
    const clock = { t: 1000 };
    const c = new ReplayCache({ windowMs: 60_000, now: () => clock.t });
    expect(c.check('n1', 1000)).toBe('fresh');
    expect(c.check('n1', 1000)).toBe('replay');
    clock.t = 60_999;
    expect(c.check('n1', 1000)).toBe('replay');
    clock.t = 61_000;
    c.sweep();
    expect(c.size).toBe(0);
  });

  it('keeps a future-dated nonce for its whole acceptable life', () => {
    const clock = { t: 0 };
    const c = new ReplayCache({ windowMs: 60_000, now: () => clock.t });
    expect(c.check('f', 60_000)).toBe('fresh'); // 60 s ahead: still acceptable until t = 120 s
    clock.t = 119_999;
    expect(c.check('f', 60_000)).toBe('replay');
  });

  it('is bounded: expired entries make room, unexpired ones fail closed', () => {
    const clock = { t: 0 };
    const c = new ReplayCache({ windowMs: 1000, maxEntries: 3, now: () => clock.t });
    expect(['a', 'b', 'c'].map((n) => c.check(n, 0))).toEqual(['fresh', 'fresh', 'fresh']);
    expect(c.check('d', 0)).toBe('full');
    expect(c.check('a', 0)).toBe('replay');
    clock.t = 1000;
    expect(c.check('d', 1000)).toBe('fresh');
    expect(c.size).toBe(1);
  });

  it('sweeps expired entries during normal traffic', () => {
    const clock = { t: 0 };
    const c = new ReplayCache({ windowMs: 1000, now: () => clock.t });
    for (let i = 0; i < 100; i++) c.check(`n${i}`, 0);
    expect(c.size).toBe(100);
    clock.t = 5000;
    c.check('later', 5000);
    expect(c.size).toBe(1);
  });
});
