/**
 * Polling fallback: a native backend that cannot subscribe (simulated ENOSPC through an injected
 * backend factory), or that breaks later, hands its target to the poller; status and
 * onBackendChange say so; events keep flowing.
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

function enospc(): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error('inotify_add_watch failed: No space left on device');
  err.code = 'ENOSPC';
  return err;
}

/** Backends named in `failing` reject every subscription with ENOSPC. */
function failingFactory(failing: BackendName[]): (name: BackendName) => WatchBackend {
  return (name) => {
    if (!failing.includes(name)) return defaultBackendFactory(name);
    return {
      name,
      subscribe: async () => {
        throw enospc();
      },
    };
  };
}

describe('polling fallback', () => {
  it('a tree whose native subscription fails is polled, and reported as such', async () => {
    const base = mkTmp();
    const tree = path.join(base, 'tree');
    const file = path.join(base, 'single.json');
    write(path.join(tree, 'a.json'), '1');
    write(file, '1');
    const log = new EventLog();
    const w = makeWatcher(log, { backend: 'auto', backendFactory: failingFactory(['parcel']) });
    await w.start([
      { path: tree, kind: 'tree' },
      { path: file, kind: 'file' },
    ]);
    const st = w.status();
    expect(st.ready).toBe(true);
    expect(st.pollingPaths).toEqual([tree]);
    expect(st.backend).toBe('mixed'); // the file is still on chokidar
    const t = st.targets!.find((x) => x.path === tree)!;
    expect(t.backend).toBe('polling');
    expect(t.pollingReason).toMatch(/ENOSPC/);
    expect(log.statuses.some((s) => s.pollingPaths.includes(tree))).toBe(true);

    write(path.join(tree, 'a.json'), '22');
    await log.expect('change', path.join(tree, 'a.json'));
    write(path.join(tree, 'deep', 'b.json'), '1');
    await log.expect(['add', 'change'], path.join(tree, 'deep', 'b.json'));
    write(file, '22');
    await log.expect('change', file);
  });

  it('single files fall back too when chokidar cannot watch', async () => {
    const base = mkTmp();
    const file = path.join(base, 'x.conf');
    write(file, '1');
    const log = new EventLog();
    const w = makeWatcher(log, { backend: 'auto', backendFactory: failingFactory(['chokidar', 'parcel']) });
    await w.start([{ path: file, kind: 'file' }]);
    expect(w.status().backend).toBe('polling');
    expect(w.status().pollingPaths).toEqual([file]);
    fs.unlinkSync(file);
    await log.expect('unlink', file);
    write(file, '2');
    await log.expect('add', file);
  });

  it('a target that appears later and then fails natively is polled, with its content reported', async () => {
    const base = mkTmp();
    const tree = path.join(base, 'later');
    const log = new EventLog();
    const w = makeWatcher(log, { backend: 'auto', backendFactory: failingFactory(['parcel']) });
    await w.start([{ path: tree, kind: 'tree' }]);
    expect(w.status().pollingPaths).toEqual([]); // nothing to subscribe to yet
    write(path.join(tree, 'x.json'), '1');
    await log.expect(['add', 'change'], path.join(tree, 'x.json'));
    await waitFor(() => w.status().pollingPaths.includes(tree));
  });

  it('a native backend that breaks while running hands over to polling and flags possible loss', async () => {
    const base = mkTmp();
    const tree = path.join(base, 'tree');
    write(path.join(tree, 'a.json'), '1');
    let breakIt: ((err: Error) => void) | null = null;
    const factory = (name: BackendName): WatchBackend => {
      if (name !== 'parcel') return defaultBackendFactory(name);
      return {
        name,
        subscribe: async (_spec, _ctx, sink: BackendSink) => {
          breakIt = (err) => sink.fatal(err);
          return { close: async () => undefined };
        },
      };
    };
    const log = new EventLog();
    const w = makeWatcher(log, { backend: 'auto', backendFactory: factory });
    await w.start([{ path: tree, kind: 'tree' }]);
    expect(w.status().backend).toBe('parcel');
    expect(breakIt).not.toBeNull();
    breakIt!(enospc());
    await waitFor(() => w.status().pollingPaths.includes(tree));
    await log.expect('overflow', tree);
    expect(log.statuses.at(-1)!.pollingPaths).toEqual([tree]);
    write(path.join(tree, 'a.json'), '2');
    await log.expect('change', path.join(tree, 'a.json'));
  });

  it("backend 'polling' polls everything", async () => {
    const base = mkTmp();
    const tree = path.join(base, 't');
    const file = path.join(base, 'f');
    fs.mkdirSync(tree);
    write(file, '');
    const log = new EventLog();
    const w = makeWatcher(log, { backend: 'polling' });
    await w.start([
      { path: tree, kind: 'tree' },
      { path: file, kind: 'file' },
    ]);
    const st = w.status();
    expect(st.backend).toBe('polling');
    expect(st.pollingPaths).toEqual([file, tree].sort());
    expect(st.targets!.every((t) => t.pollingReason === 'configured')).toBe(true);
  });
});
