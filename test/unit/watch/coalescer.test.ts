import { describe, expect, it } from 'vitest';
import { Coalescer, type ChangeBatch, type RawEvent } from '../../../electron/engine/watch/index.js';
import { FakeClock, settleMicrotasks } from './fake-clock.js';

const ev = (type: RawEvent['type'], p: string, at = 0): RawEvent => ({ type, path: p, at });

function setup(over: Partial<ConstructorParameters<typeof Coalescer>[0]> = {}) {
  const clock = new FakeClock();
  const batches: { at: number; batch: ChangeBatch }[] = [];
  const c = new Coalescer({
    debounceMs: 1000,
    maxWaitMs: 5000,
    maxPending: 100_000,
    clock,
    onBatch: (batch) => {
      batches.push({ at: clock.now(), batch });
    },
    ...over,
  });
  return { clock, batches, c };
}

const kinds = (b: ChangeBatch) => Object.fromEntries(b.changes.map((c) => [c.path, c.kind]));

describe('Coalescer timing', () => {
  it('delivers after a quiet window of debounceMs', async () => {
    const { clock, batches, c } = setup();
    c.push([ev('add', '/a/x')]);
    await clock.advance(999);
    expect(batches).toHaveLength(0);
    expect(c.pending()).toBe(1);
    await clock.advance(1);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.at).toBe(1000);
    expect(c.pending()).toBe(0);
  });

  it('a new event restarts the quiet window', async () => {
    const { clock, batches, c } = setup();
    c.push([ev('add', '/a/x')]);
    await clock.advance(600);
    c.push([ev('change', '/a/y')]);
    await clock.advance(600);
    expect(batches).toHaveLength(0);
    await clock.advance(400);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.at).toBe(1600);
    expect(kinds(batches[0]!.batch)).toEqual({ '/a/x': 'upsert', '/a/y': 'upsert' });
  });

  it('a continuous burst is cut at maxWaitMs after the oldest pending event', async () => {
    const { clock, batches, c } = setup();
    // one event every 200 ms for 20 s: the quiet window never happens
    for (let i = 0; i < 100; i++) {
      c.push([ev('change', `/burst/f${i}`, clock.now())]);
      await clock.advance(200);
    }
    expect(batches.length).toBeGreaterThanOrEqual(3);
    let prevEnd = 0;
    for (const { at, batch } of batches) {
      const oldest = Math.min(...batch.changes.map((ch) => ch.firstSeenAt));
      expect(at - oldest).toBeLessThanOrEqual(5000);
      expect(oldest).toBeGreaterThanOrEqual(prevEnd);
      prevEnd = at;
    }
    await c.flush();
    const delivered = batches.flatMap((b) => b.batch.changes.map((ch) => ch.path));
    expect(new Set(delivered).size).toBe(100);
  });

  it('keeps a single timer (no timer per event)', async () => {
    const { clock, c } = setup();
    for (let i = 0; i < 1000; i++) c.push([ev('change', `/p/${i}`)]);
    expect(clock.pendingTimers()).toBe(1);
    await c.close();
  });
});

describe('Coalescer adaptive quiet time', () => {
  it('a lone save (events within 50 ms) goes after minDebounceMs', async () => {
    const { clock, batches, c } = setup({ minDebounceMs: 250 });
    c.push([ev('change', '/a/x')]);
    await clock.advance(10);
    c.push([ev('add', '/a/x'), ev('change', '/a/x')]); // an editor's write + rename
    await clock.advance(249);
    expect(batches).toHaveLength(0);
    await clock.advance(1);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.at).toBe(260);
  });

  it('each further burst doubles the wait, up to debounceMs, and maxWaitMs still cuts a stream', async () => {
    const { clock, batches, c } = setup({ minDebounceMs: 250, maxWaitMs: 3000 });
    c.push([ev('change', '/log')]); // quiet 250
    await clock.advance(200);
    c.push([ev('change', '/log')]); // 2nd burst: quiet 500
    await clock.advance(499);
    expect(batches).toHaveLength(0);
    c.push([ev('change', '/log')]); // 3rd burst: quiet 1000 (capped at debounceMs)
    await clock.advance(999);
    expect(batches).toHaveLength(0);
    await clock.advance(1);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.at).toBe(1699);
    // A new window starts lone again.
    c.push([ev('change', '/log')]);
    await clock.advance(250);
    expect(batches).toHaveLength(2);
    // A steady stream every 100 ms is delivered by maxWaitMs.
    const start = clock.now();
    for (let i = 0; i < 40 && batches.length === 2; i++) {
      c.push([ev('change', '/stream')]);
      await clock.advance(100);
    }
    expect(batches).toHaveLength(3);
    expect(batches[2]!.at - start).toBeLessThanOrEqual(3000);
  });

  it('without minDebounceMs the window is fixed (debounceMs)', async () => {
    const { clock, batches, c } = setup();
    c.push([ev('change', '/a/x')]);
    await clock.advance(999);
    expect(batches).toHaveLength(0);
    await clock.advance(1);
    expect(batches).toHaveLength(1);
  });
});

describe('Coalescer dedupe', () => {
  it('reduces each path to its latest state and keeps the first-seen time', async () => {
    const { clock, batches, c } = setup();
    c.push([ev('add', '/d/a', 10), ev('change', '/d/a', 20), ev('unlink', '/d/a', 30)]);
    c.push([ev('unlink', '/d/b', 11), ev('add', '/d/b', 21)]);
    c.push([ev('change', '/d/c', 12), ev('change', '/d/c', 22), ev('change', '/d/c', 32)]);
    c.push([ev('addDir', '/d/newdir', 13)]);
    c.push([ev('unlinkDir', '/d/olddir', 14)]);
    await clock.advance(1000);
    expect(batches).toHaveLength(1);
    const b = batches[0]!.batch;
    expect(kinds(b)).toEqual({
      '/d/a': 'delete',
      '/d/b': 'upsert',
      '/d/c': 'upsert',
      '/d/newdir': 'rescan-dir',
      '/d/olddir': 'delete',
    });
    expect(b.changes.find((ch) => ch.path === '/d/a')!.firstSeenAt).toBe(10);
    expect(b.changes.find((ch) => ch.path === '/d/c')!.firstSeenAt).toBe(12);
    expect(b.overflow).toBe(false);
    expect(b.changes).toHaveLength(5);
  });

  it('a move is a delete of the old path and an upsert of the new one', async () => {
    const { clock, batches, c } = setup();
    c.push([ev('unlink', '/m/old.json'), ev('add', '/m/new.json')]);
    await clock.advance(1000);
    expect(kinds(batches[0]!.batch)).toEqual({ '/m/old.json': 'delete', '/m/new.json': 'upsert' });
  });

  it('an overflow event becomes rescan-dir and flags the batch', async () => {
    const { batches, c } = setup();
    c.push([ev('overflow', '/tree')]);
    await c.flush();
    expect(batches[0]!.batch.overflow).toBe(true);
    expect(kinds(batches[0]!.batch)).toEqual({ '/tree': 'rescan-dir' });
  });
});

describe('Coalescer serialisation and flush', () => {
  it('runs one onBatch at a time; events during a batch form the next one', async () => {
    const clock = new FakeClock();
    let active = 0;
    let maxActive = 0;
    const seen: string[][] = [];
    const releases: (() => void)[] = [];
    const c = new Coalescer({
      debounceMs: 100,
      maxWaitMs: 1000,
      maxPending: 1000,
      clock,
      onBatch: async (b) => {
        active++;
        maxActive = Math.max(maxActive, active);
        seen.push(b.changes.map((ch) => ch.path));
        await new Promise<void>((r) => releases.push(r));
        active--;
      },
    });
    c.push([ev('add', '/s/1')]);
    await clock.advance(100);
    expect(seen).toHaveLength(1);
    c.push([ev('add', '/s/2')]);
    await clock.advance(5000); // well past due: still waits for the running batch
    expect(seen).toHaveLength(1);
    expect(c.pending()).toBe(1);
    releases.shift()!();
    await settleMicrotasks();
    expect(seen).toHaveLength(2); // already due: delivered as soon as the first finished
    expect(seen[1]).toEqual(['/s/2']);
    releases.shift()!();
    await settleMicrotasks();
    expect(maxActive).toBe(1);
  });

  it('flush delivers everything pending now and waits for onBatch to finish', async () => {
    const clock = new FakeClock();
    const done: string[] = [];
    const c = new Coalescer({
      debounceMs: 10_000,
      maxWaitMs: 60_000,
      clock,
      onBatch: async (b) => {
        await new Promise((r) => setTimeout(r, 20));
        done.push(...b.changes.map((ch) => ch.path));
      },
    });
    c.push([ev('add', '/f/1'), ev('add', '/f/2')]);
    const flushing = c.flush();
    c.push([ev('add', '/f/3')]); // arrives while the first batch runs
    await flushing;
    expect(done.sort()).toEqual(['/f/1', '/f/2', '/f/3']);
    expect(c.pending()).toBe(0);
  });

  it('flush rethrows an onBatch error; timer-driven errors go to onError', async () => {
    const clock = new FakeClock();
    const errors: Error[] = [];
    const c = new Coalescer({
      debounceMs: 10,
      maxWaitMs: 100,
      clock,
      onError: (e) => errors.push(e),
      onBatch: () => {
        throw new Error('boom');
      },
    });
    c.push([ev('add', '/e/1')]);
    await expect(c.flush()).rejects.toThrow('boom');
    c.push([ev('add', '/e/2')]);
    await clock.advance(10);
    expect(errors.map((e) => e.message)).toEqual(['boom']);
  });

  it('close flushes and then ignores further events', async () => {
    const { batches, c, clock } = setup();
    c.push([ev('add', '/c/1')]);
    await c.close();
    expect(batches).toHaveLength(1);
    c.push([ev('add', '/c/2')]);
    await clock.advance(10_000);
    expect(batches).toHaveLength(1);
    expect(c.pending()).toBe(0);
  });
});

describe('Coalescer backpressure', () => {
  it('collapses into rescan-dir entries by common parent past maxPending', async () => {
    const { batches, c } = setup({ maxPending: 100 });
    const events: RawEvent[] = [];
    for (let d = 0; d < 10; d++) for (let f = 0; f < 50; f++) events.push(ev('change', `/root/dir${d}/file${f}`, d * 100 + f));
    c.push(events);
    expect(c.pending()).toBeLessThanOrEqual(100);
    // later events under a collapsed directory are absorbed
    c.push([ev('add', '/root/dir3/another')]);
    await c.flush();
    const b = batches[0]!.batch;
    expect(b.overflow).toBe(true);
    expect(b.changes.every((ch) => ch.kind === 'rescan-dir')).toBe(true);
    expect(b.changes.map((ch) => ch.path).sort()).toEqual(Array.from({ length: 10 }, (_, d) => `/root/dir${d}`).sort());
    expect(b.changes.find((ch) => ch.path === '/root/dir0')!.firstSeenAt).toBe(0);
  });

  it('goes up more levels when parents alone are still too many', async () => {
    const { batches, c } = setup({ maxPending: 20 });
    const events: RawEvent[] = [];
    for (let g = 0; g < 3; g++) for (let d = 0; d < 30; d++) events.push(ev('add', `/top/g${g}/d${d}/file`));
    c.push(events);
    c.push([ev('add', '/elsewhere/x')]);
    await c.flush();
    const b = batches[0]!.batch;
    expect(b.overflow).toBe(true);
    const byPath = kinds(b);
    expect(byPath['/top/g0']).toBe('rescan-dir');
    expect(byPath['/top/g1']).toBe('rescan-dir');
    expect(byPath['/top/g2']).toBe('rescan-dir');
    // once overflowing, the rest of the batch is recorded at directory level
    expect(byPath['/elsewhere']).toBe('rescan-dir');
    expect(b.changes.length).toBeLessThanOrEqual(20);
    // the next batch starts clean
    c.push([ev('add', '/top/g0/d1/file')]);
    await c.flush();
    expect(batches[1]!.batch.overflow).toBe(false);
    expect(kinds(batches[1]!.batch)).toEqual({ '/top/g0/d1/file': 'upsert' });
  });

  it('handles 100 000 events through push + flush', async () => {
    const batches: ChangeBatch[] = [];
    const c = new Coalescer({ debounceMs: 1000, maxWaitMs: 10_000, maxPending: 100_000, onBatch: (b) => void batches.push(b) });
    const events: RawEvent[] = [];
    const now = Date.now();
    for (let i = 0; i < 100_000; i++) events.push({ type: i % 3 === 0 ? 'add' : 'change', path: `/big/d${i % 1000}/f${i}`, at: now });
    const t0 = performance.now();
    for (let i = 0; i < events.length; i += 1000) c.push(events.slice(i, i + 1000));
    await c.flush();
    const ms = performance.now() - t0;
    expect(batches).toHaveLength(1);
    expect(batches[0]!.changes).toHaveLength(100_000);
    expect(batches[0]!.overflow).toBe(false);
    // informational only (never asserted): printed so regressions are visible in the log
    console.info(`coalescer: 100k events push+flush in ${ms.toFixed(1)} ms`);
  });
});
