import { describe, it, expect } from 'vitest';
import { EventEmitter } from 'node:events';
import { followPower, type PowerMonitorLike } from '../../../electron/shell/power.js';

describe('sleep and wake', () => {
  it('flushes before sleep and syncs after a settle on resume and unlock', () => {
    const pm = new EventEmitter();
    const calls: string[] = [];
    const timers: { fn: () => void; ms: number }[] = [];
    followPower(pm as unknown as PowerMonitorLike, { flush: async () => void calls.push('flush'), sync: () => calls.push('sync') }, { settleMs: 2000, setTimer: (fn, ms) => timers.push({ fn, ms }) });
    pm.emit('suspend');
    expect(calls).toEqual(['flush']);
    pm.emit('resume');
    pm.emit('unlock-screen');
    expect(calls).toEqual(['flush']);
    expect(timers.map((t) => t.ms)).toEqual([2000, 2000]);
    for (const t of timers) t.fn();
    expect(calls).toEqual(['flush', 'sync', 'sync']);
  });

  it('a failed flush is reported, not thrown', async () => {
    const pm = new EventEmitter();
    const errors: unknown[] = [];
    followPower(pm as unknown as PowerMonitorLike, { flush: () => Promise.reject(new Error('disk')), sync: () => undefined, onError: (e) => errors.push(e) });
    pm.emit('suspend');
    await new Promise((r) => setTimeout(r, 0));
    expect(errors).toHaveLength(1);
  });
});
