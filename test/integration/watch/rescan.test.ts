/**
 * Safety-net rescan: a native subscription that silently misses events (as @parcel/watcher does on
 * inotify queue overflow) is corrected by the periodic walk, which emits synthetic events for the
 * differences — but not for paths the native watcher did report.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  defaultBackendFactory,
  type BackendName,
  type BackendSink,
  type WatchBackend,
} from '../../../electron/engine/watch/index.js';
import { EventLog, cleanupTmp, makeWatcher, mkTmp, stopAll, waitFor, write } from './helpers.js';

afterEach(async () => {
  await stopAll();
  cleanupTmp();
});

/** A "parcel" that subscribes fine and then reports only what the test tells it to. */
function deafParcel() {
  const sinks: BackendSink[] = [];
  const factory = (name: BackendName): WatchBackend =>
    name !== 'parcel'
      ? defaultBackendFactory(name)
      : {
          name,
          subscribe: async (_spec, _ctx, sink) => {
            sinks.push(sink);
            return { close: async () => undefined };
          },
        };
  return { factory, sinks };
}

describe('safety-net rescan', () => {
  it('finds changes the native watcher missed and emits them once', async () => {
    const tree = mkTmp();
    write(path.join(tree, 'mod.json'), '1');
    write(path.join(tree, 'gone.json'), '1');
    write(path.join(tree, 'reported.json'), '1');
    const deaf = deafParcel();
    const log = new EventLog();
    const w = makeWatcher(log, { backend: 'auto', backendFactory: deaf.factory, rescanIntervalMs: 300 });
    await w.start([{ path: tree, kind: 'tree' }]);
    expect(w.status().backend).toBe('parcel');
    // No walk at start; the first round (one interval in) has nothing to compare with and asks for a
    // rescan of the whole tree instead.
    await log.expect('overflow', tree);
    expect(log.events.map((e) => e.type)).toEqual(['overflow']);

    write(path.join(tree, 'mod.json'), '22');
    fs.unlinkSync(path.join(tree, 'gone.json'));
    write(path.join(tree, 'new', 'deep.json'), 'n');
    write(path.join(tree, 'reported.json'), '22');
    // the native watcher reports this one itself
    deaf.sinks[0]!.events([{ type: 'change', path: path.join(tree, 'reported.json'), isDir: false }]);

    await log.expect('change', path.join(tree, 'mod.json'));
    await log.expect('unlink', path.join(tree, 'gone.json'));
    await log.expect('add', path.join(tree, 'new', 'deep.json'));
    await log.expect('addDir', path.join(tree, 'new'));
    // two more rounds: nothing is reported twice
    const count = log.events.length;
    await new Promise((r) => setTimeout(r, 800));
    expect(log.events.length).toBe(count);
    expect(log.for(path.join(tree, 'reported.json'))).toHaveLength(1);
    expect(log.for(path.join(tree, 'mod.json'))).toHaveLength(1);
    expect(log.events.filter((e) => e.type === 'overflow')).toHaveLength(1);
  });

  it('takes no baseline walk at start: a change missed right after arming falls under the first round’s rescan of the whole tree', async () => {
    const tree = mkTmp();
    write(path.join(tree, 'a.json'), '1');
    const deaf = deafParcel();
    const log = new EventLog();
    const w = makeWatcher(log, { backend: 'auto', backendFactory: deaf.factory, rescanIntervalMs: 300 });
    await w.start([{ path: tree, kind: 'tree' }]);
    // Missed by the watcher right after arming (a baseline walked now would record it as the truth).
    write(path.join(tree, 'a.json'), '22');
    await log.expect('overflow', tree);
    expect(log.for(path.join(tree, 'a.json'))).toEqual([]);
  });

  it('is off when rescanIntervalMs is 0 (the default under tests)', async () => {
    const tree = mkTmp();
    const deaf = deafParcel();
    const log = new EventLog();
    const w = makeWatcher(log, { backend: 'auto', backendFactory: deaf.factory });
    await w.start([{ path: tree, kind: 'tree' }]);
    write(path.join(tree, 'x'), '1');
    await new Promise((r) => setTimeout(r, 500));
    expect(log.events).toEqual([]);
    await waitFor(() => true);
  });
});

describe('safety-net budget', () => {
  it('waits its interval on a small tree, and walk time ÷ 0.05 % on a tree whose walk costs more', async () => {
    const { RescanNet, RESCAN_BUDGET } = await import('../../../electron/engine/watch/rescan.js');
    const tree = mkTmp();
    for (let d = 0; d < 20; d++) for (let f = 0; f < 50; f++) write(path.join(tree, `d${d}`, `f${f}.txt`), 'x');
    const net = new RescanNet({ root: tree, intervalMs: 60_000, isIgnored: () => false, emit: () => undefined, onError: (e) => { throw e; } });
    await net.rescanNow();
    expect(net.lastWalkMs).toBeGreaterThan(0);
    // 1,000 files walk in milliseconds: the interval holds.
    expect(net.nextDelayMs()).toBe(Math.max(60_000, Math.round(net.lastWalkMs / RESCAN_BUDGET)));
    // A walk of 0.5 s (100,000 files) waits 1,000 s: 0.05 % of a core.
    net.lastWalkMs = 500;
    expect(net.nextDelayMs()).toBe(1_000_000);
    expect(RESCAN_BUDGET).toBe(0.0005);
    await net.close();
  });
});
