import { describe, it, expect } from 'vitest';
import { followNetwork, type NetLike } from '../../../electron/shell/network.js';

/** A fake `net` whose answer the test sets, and hand-driven timers. */
function rig(initial: boolean | Error) {
  let answer: boolean | Error = initial;
  const net: NetLike = {
    isOnline: () => {
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  const calls: string[] = [];
  const errors: unknown[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  let poll: (() => void) | null = null;
  let pollMs = 0;
  let cleared = false;
  const stopper = followNetwork(
    net,
    { sync: () => calls.push('sync'), onError: (e) => errors.push(e) },
    {
      pollMs: 4000,
      settleMs: 2000,
      setTimer: (fn, ms) => timers.push({ fn, ms }),
      setInterval: (fn, ms) => {
        poll = fn;
        pollMs = ms;
        return 'handle';
      },
      clearInterval: (h) => {
        cleared = h === 'handle';
      },
    },
  );
  return {
    set: (a: boolean | Error) => (answer = a),
    tick: () => poll!(),
    fireTimers: () => {
      for (const t of timers.splice(0)) t.fn();
    },
    calls,
    errors,
    timers,
    pollMs: () => pollMs,
    cleared: () => cleared,
    stopper,
  };
}

describe('network back online', () => {
  it('syncs after a settle when the network comes back, once per return', () => {
    const r = rig(false);
    expect(r.pollMs()).toBe(4000);
    r.tick();
    expect(r.timers).toEqual([]);
    r.set(true);
    r.tick();
    expect(r.timers.map((t) => t.ms)).toEqual([2000]);
    expect(r.calls).toEqual([]); // not before the settle
    r.tick(); // still online: no second sync is scheduled
    expect(r.timers).toHaveLength(1);
    r.fireTimers();
    expect(r.calls).toEqual(['sync']);
    r.tick();
    r.fireTimers();
    expect(r.calls).toEqual(['sync']);
    // Offline again, then back: another sync.
    r.set(false);
    r.tick();
    r.set(true);
    r.tick();
    r.fireTimers();
    expect(r.calls).toEqual(['sync', 'sync']);
  });

  it('starting online is not a return; a flap that is offline again after the settle does not sync', () => {
    const r = rig(true);
    r.tick();
    expect(r.timers).toEqual([]);
    r.set(false);
    r.tick();
    r.set(true);
    r.tick();
    r.set(false);
    r.fireTimers();
    expect(r.calls).toEqual([]);
  });

  it('a net that cannot answer is reported once and changes nothing; stop clears the poll and any pending sync', () => {
    const r = rig(new Error('net is not ready'));
    r.tick();
    r.tick();
    expect(r.errors).toHaveLength(1);
    expect((r.errors[0] as Error).message).toBe('net is not ready');
    r.set(false);
    r.tick();
    r.set(true);
    r.tick();
    r.stopper.stop();
    expect(r.cleared()).toBe(true);
    r.fireTimers();
    expect(r.calls).toEqual([]);
  });
});
