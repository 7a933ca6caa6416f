import { describe, expect, it } from 'vitest';
import { KmState } from '../../../shared/state.js';
import { KmMacro } from '../../../shared/contract.js';
import { KmPoller, type KmEvent, type KmPollerOptions } from '../../../electron/engine/km/index.js';
import { cloneRoot, encodeLibrary, generateLibrary, groupOf, macroOf, makeMacro, rng, type PlistDict } from '../../helpers/km-library.js';
import { FakeClock, MemoryFs, settle } from './fakes.js';

const PATH = '/km/Keyboard Maestro Macros.plist';
const brief = (evs: KmEvent[]) => evs.map((e) => `${e.type}:${e.name}`);

function setup(opts: Partial<KmPollerOptions> = {}) {
  const clock = new FakeClock();
  const fs = new MemoryFs();
  const poller = new KmPoller({ libraryPath: PATH, batchMs: 0, ...opts }, { clock, fs });
  const batches: KmEvent[][] = [];
  const errors: { err: Error; source: string }[] = [];
  poller.onEvents((evs) => batches.push(evs));
  poller.onError((err, source) => errors.push({ err, source }));
  const intervals: (number | null)[] = [];
  let polls = 0;
  poller.onState((s) => {
    if (s.polls !== polls) {
      polls = s.polls;
      intervals.push(s.intervalMs);
    }
  });
  return { clock, fs, poller, batches, errors, intervals, events: () => batches.flat() };
}

const root0 = generateLibrary({ groups: 3, macrosPerGroup: 4, seed: 7 });
const write = (fs: MemoryFs, root: unknown, format: 'binary' | 'xml' = 'binary') => fs.write(PATH, encodeLibrary(root, format));

describe('KmPoller: schedule', () => {
  it('first load, then quiet polls grow ×1.1 from base up to the slow cap', async () => {
    const { clock, fs, poller, intervals, events } = setup();
    write(fs, root0);
    poller.start();
    await poller.whenIdle();
    expect(brief(events())).toEqual(['library_reloaded:']);
    for (let i = 0; i < 20; i++) await clock.next();
    const expected = Array.from({ length: 21 }, (_, k) => Math.min(120_000, Math.round(30_000 * 1.1 ** k)));
    expect(intervals).toEqual(expected);
    expect(intervals.slice(0, 5)).toEqual([30_000, 33_000, 36_300, 39_930, 43_923]);
    expect(intervals.slice(-3)).toEqual([120_000, 120_000, 120_000]);
    expect(clock.pending()).toEqual([120_000]);
    expect(poller.getState()).toMatchObject({ polls: 21, skips: 20, parses: 1, intervalMs: 120_000 });
  });

  it('after a change the next poll is fast, then quiet polls start again from base', async () => {
    const { clock, fs, poller, intervals, events } = setup();
    write(fs, root0);
    poller.start();
    await poller.whenIdle();
    await clock.next(); // 30 000 → quiet
    const next = cloneRoot(root0);
    macroOf(next, 'Macro 1.1').macro.Name = 'Changed';
    write(fs, next);
    await clock.next(); // 33 000 → change
    await clock.next(); // 5 000 → quiet
    await clock.next(); // 30 000 → quiet
    expect(intervals).toEqual([30_000, 33_000, 5_000, 30_000, 33_000]);
    expect(brief(events())).toEqual(['library_reloaded:', 'macro_modified:Changed']);
  });

  it('skips parsing when mtime and size are unchanged; re-parses (quietly) on a new mtime', async () => {
    const { clock, fs, poller, batches } = setup();
    write(fs, root0);
    poller.start();
    await poller.whenIdle();
    await clock.next();
    await clock.next();
    expect(fs.readCalls).toBe(1);
    expect(poller.getState()).toMatchObject({ polls: 3, skips: 2, parses: 1 });
    write(fs, root0); // same bytes, newer mtime
    await clock.next();
    expect(fs.readCalls).toBe(2);
    expect(poller.getState()).toMatchObject({ polls: 4, skips: 2, parses: 2 });
    expect(batches).toHaveLength(1);
  });

  it('trigger() polls once, debounced', async () => {
    const { clock, fs, poller, events } = setup();
    write(fs, root0);
    poller.start();
    await poller.whenIdle();
    const next = cloneRoot(root0);
    macroOf(next, 'Macro 0.0').macro.IsActive = false;
    write(fs, next);
    for (let i = 0; i < 5; i++) {
      poller.trigger();
      await clock.advance(300);
    }
    expect(poller.getState().polls).toBe(1);
    await clock.advance(699);
    expect(poller.getState().polls).toBe(1);
    await clock.advance(1);
    await poller.whenIdle();
    expect(poller.getState().polls).toBe(2);
    expect(brief(events())).toEqual(['library_reloaded:', 'macro_disabled:Macro 0.0']);
    // the periodic timer was rescheduled from this poll: fast after a change
    expect(clock.pending()).toEqual([5_000]);
  });

  it('polls never overlap; calls while one is queued share it', async () => {
    const clock = new FakeClock();
    const mem = new MemoryFs();
    write(mem, root0);
    let release: () => void = () => undefined;
    let inFlight = 0;
    let maxInFlight = 0;
    const gated = {
      stat: async (p: string) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise<void>((r) => (release = r));
        inFlight--;
        return mem.stat(p);
      },
      readFile: (p: string) => mem.readFile(p),
    };
    const poller = new KmPoller({ libraryPath: PATH, batchMs: 0 }, { clock, fs: gated });
    const a = poller.pollNow();
    expect(poller.pollNow()).toBe(a); // not started yet: shared
    await settle();
    const b = poller.pollNow(); // a is running: b is queued
    const c = poller.pollNow();
    expect(b).toBe(c);
    expect(b).not.toBe(a);
    release();
    await a;
    await settle();
    release();
    await b;
    expect(maxInFlight).toBe(1);
    expect(poller.getState().polls).toBe(2);
  });
});

describe('KmPoller: events and listeners', () => {
  it('collects events for batchMs and delivers them as one array', async () => {
    const { clock, fs, poller, batches } = setup({ batchMs: 200 });
    write(fs, root0);
    await poller.pollNow();
    expect(batches).toHaveLength(0);
    const next = cloneRoot(root0);
    macroOf(next, 'Macro 2.2').macro.Name = 'X';
    write(fs, next);
    await poller.pollNow();
    await clock.advance(199);
    expect(batches).toHaveLength(0);
    await clock.advance(1);
    expect(batches.map(brief)).toEqual([['library_reloaded:', 'macro_modified:X']]);
  });

  it('a throwing listener does not stop the others; the error goes to onError', async () => {
    const { fs, poller, batches, errors } = setup();
    const seen: string[] = [];
    poller.onEvents(() => {
      throw new Error('boom');
    });
    poller.onEvents((evs) => seen.push(...brief(evs)));
    write(fs, root0);
    await poller.pollNow();
    expect(batches).toHaveLength(1);
    expect(seen).toEqual(['library_reloaded:']);
    expect(errors.map((e) => [e.source, e.err.message])).toEqual([['listener', 'boom']]);
  });

  it('unsubscribe stops delivery', async () => {
    const { fs, poller } = setup();
    const got: KmEvent[][] = [];
    const off = poller.onEvents((e) => got.push(e));
    off();
    write(fs, root0);
    await poller.pollNow();
    expect(got).toEqual([]);
  });
});

describe('KmPoller: errors, absence, lifecycle', () => {
  it('corrupt library: keeps last good macros, fast retries, then error + exponential backoff, then recovers', async () => {
    const { clock, fs, poller, intervals, errors, events } = setup();
    write(fs, root0);
    poller.start();
    await poller.whenIdle();
    const good = encodeLibrary(root0, 'binary');
    fs.write(PATH, good.subarray(0, good.length - 50));
    const statuses: string[] = [];
    for (let i = 0; i < 6; i++) {
      await clock.next();
      statuses.push(poller.getState().status);
      expect(poller.listMacros()).toHaveLength(12);
    }
    expect(statuses).toEqual(['active', 'active', 'error', 'error', 'error', 'error']);
    expect(intervals).toEqual([30_000, 5_000, 5_000, 30_000, 60_000, 120_000, 240_000]);
    expect(poller.getState().error).toMatch(/truncated/);
    expect(errors).toHaveLength(6);
    expect(errors.every((e) => e.source === 'poll' && e.err.name === 'KmLibraryError')).toBe(true);

    const next = cloneRoot(root0);
    (groupOf(next, 'Group 0').Macros as PlistDict[]).push(makeMacro(rng(9), 'Added while broken'));
    write(fs, next);
    await clock.next();
    expect(poller.getState()).toMatchObject({ status: 'active', error: null, macros: 13, intervalMs: 5_000 });
    expect(brief(events())).toEqual(['library_reloaded:', 'macro_added:Added while broken']);
  });

  it('backoff is capped at maxBackoffMs', async () => {
    const { clock, fs, poller, intervals } = setup({ maxBackoffMs: 100_000 });
    fs.write(PATH, Buffer.from('garbage'));
    poller.start();
    await poller.whenIdle();
    for (let i = 0; i < 6; i++) await clock.next();
    expect(intervals).toEqual([5_000, 5_000, 30_000, 60_000, 100_000, 100_000, 100_000]);
    expect(poller.getState()).toMatchObject({ status: 'error', macros: 0 });
  });

  it('read errors other than ENOENT are errors; ENOENT between stat and read is absence', async () => {
    const { fs, poller, errors } = setup();
    write(fs, root0);
    fs.failNext = Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
    await poller.pollNow();
    expect(poller.getState().error).toMatch(/EIO/);
    expect(errors).toHaveLength(1);
    fs.failNext = Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    await poller.pollNow();
    expect(poller.getState()).toMatchObject({ status: 'absent', error: null });
  });

  it('absent → present → absent → present: calm, reload events, no mass removal', async () => {
    const { clock, fs, poller, batches, errors, intervals } = setup();
    poller.start();
    await poller.whenIdle();
    expect(poller.getState()).toMatchObject({ status: 'absent', error: null, macros: 0 });
    expect(batches).toEqual([]);
    await clock.next();
    expect(intervals).toEqual([30_000, 33_000]); // absence is quiet

    write(fs, root0);
    await clock.next();
    expect(poller.getState()).toMatchObject({ status: 'active', macros: 12 });
    expect(batches.map(brief)).toEqual([['library_reloaded:']]);

    fs.remove(PATH);
    await clock.next();
    expect(poller.getState()).toMatchObject({ status: 'absent', macros: 12, error: null });
    expect(poller.isStale()).toBe(true);
    expect(poller.listMacros()).toHaveLength(12);
    expect(batches).toHaveLength(1); // no macro_removed

    write(fs, root0); // back, unchanged
    await clock.next();
    expect(batches.map(brief)).toEqual([['library_reloaded:'], ['library_reloaded:']]);
    expect(batches[1][0]).toMatchObject({ old: { macros: 12 }, new: { macros: 12 } });
    expect(poller.isStale()).toBe(false);

    fs.remove(PATH);
    await clock.next();
    const next = cloneRoot(root0);
    macroOf(next, 'Macro 0.3').macro.Name = 'Edited meanwhile';
    write(fs, next);
    await clock.next();
    expect(batches.map(brief)[2]).toEqual(['library_reloaded:', 'macro_modified:Edited meanwhile']);
    expect(errors).toEqual([]);
  });

  it('a file that appears unreadable is not "absent"; once readable it loads', async () => {
    const { fs, poller, batches } = setup();
    await poller.pollNow();
    expect(poller.getState().status).toBe('absent');
    fs.write(PATH, Buffer.from('bplist00 half written'));
    await poller.pollNow();
    expect(poller.getState()).toMatchObject({ status: 'initializing', error: expect.stringMatching(/truncated/) });
    write(fs, root0);
    await poller.pollNow();
    expect(poller.getState()).toMatchObject({ status: 'active', error: null, macros: 12 });
    expect(batches.map(brief)).toEqual([['library_reloaded:']]);
  });

  it('pause cancels timers and ignores triggers; resume polls at once', async () => {
    const { clock, fs, poller } = setup();
    write(fs, root0);
    poller.start();
    await poller.whenIdle();
    poller.pause();
    expect(poller.getState().status).toBe('paused');
    expect(clock.pending()).toEqual([]);
    poller.trigger();
    expect(clock.pending()).toEqual([]);
    await clock.advance(1_000_000);
    expect(poller.getState().polls).toBe(1);
    poller.resume();
    await poller.whenIdle();
    expect(poller.getState()).toMatchObject({ status: 'active', polls: 2 });
    expect(clock.pending()).toHaveLength(1);
  });

  it('stop cancels everything and delivers waiting events', async () => {
    const { clock, fs, poller, batches } = setup({ batchMs: 200 });
    write(fs, root0);
    poller.start();
    await poller.whenIdle();
    expect(batches).toHaveLength(0);
    poller.stop();
    expect(batches).toHaveLength(1);
    expect(clock.pending()).toEqual([]);
    expect(poller.getState().status).toBe('stopped');
    poller.trigger();
    await clock.advance(1_000_000);
    expect(poller.getState().polls).toBe(1);
  });

  it('a poll finishing after pause() does not reschedule or change the status', async () => {
    const { clock, fs, poller } = setup();
    write(fs, root0);
    poller.start(); // poll in flight
    poller.pause();
    await poller.whenIdle();
    await settle();
    expect(poller.getState().status).toBe('paused');
    expect(clock.pending()).toEqual([]);
  });
});

describe('KmPoller: state and queries', () => {
  it('fills KmState (valid per the shared schema) and lists macros as KmMacro', async () => {
    const { clock, fs, poller } = setup();
    expect(poller.getState()).toMatchObject({ status: 'stopped', macros: 0, polls: 0, intervalMs: null, lastPollAt: null });
    const root = cloneRoot(root0);
    groupOf(root, 'Group 1').IsActive = false;
    macroOf(root, 'Macro 0.0').macro.IsActive = false;
    write(fs, root, 'xml');
    poller.start();
    expect(poller.getState().status).toBe('initializing');
    await poller.whenIdle();
    const s = poller.getState();
    expect(KmState.parse(s)).toEqual(s);
    expect(s).toMatchObject({
      status: 'active',
      libraryPath: PATH,
      macros: 12,
      groups: 3,
      enabledMacros: 7,
      polls: 1,
      skips: 0,
      parses: 1,
      intervalMs: 30_000,
      lastPollAt: clock.now(),
      error: null,
    });
    expect(s.lastParseMs).toBeGreaterThanOrEqual(0);
    expect(s.avgParseMs).toBe(s.lastParseMs);

    const all = poller.listMacros();
    expect(all).toHaveLength(12);
    for (const m of all) expect(KmMacro.parse(m)).toEqual(m);
    expect(poller.listMacros({ group: 'Group 1' }).map((m) => m.name)).toEqual(['Macro 1.0', 'Macro 1.1', 'Macro 1.2', 'Macro 1.3']);
    expect(poller.listMacros({ group: groupOf(root, 'Group 2').UID as string })).toHaveLength(4);
    const off = poller.listMacros({ disabled: true });
    expect(off.map((m) => m.name).sort()).toEqual(['Macro 0.0', 'Macro 1.0', 'Macro 1.1', 'Macro 1.2', 'Macro 1.3']);
    expect(off.find((m) => m.name === 'Macro 1.0')).toMatchObject({ enabled: true, active: false });
    expect(poller.listMacros({ disabled: false })).toHaveLength(7);
    expect(poller.getLibrary()?.macros.size).toBe(12);
  });
});
