/**
 * Targets over their life: single files deleted and recreated, editors' atomic saves, targets that
 * do not exist yet, and tree roots deleted and recreated. Run with the default ('auto') backend
 * choice and with polling.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventLog, cleanupTmp, makeWatcher, mkTmp, stopAll, waitFor, write } from './helpers.js';

afterEach(async () => {
  await stopAll();
  cleanupTmp();
});

describe.each(['auto', 'polling'] as const)('targets with backend %s', (backend) => {
  it('a single-file target keeps reporting after delete + recreate', async () => {
    const dir = mkTmp();
    const f = path.join(dir, 'settings.json');
    const other = path.join(dir, 'other.json');
    write(f, '1');
    write(other, 'x');
    const log = new EventLog();
    const w = makeWatcher(log, { backend });
    await w.start([{ path: f, kind: 'file' }]);
    expect(w.status().backend).toBe(backend === 'auto' ? 'chokidar' : 'polling');

    write(f, '22');
    await log.expect('change', f);
    fs.unlinkSync(f);
    await log.expect('unlink', f);
    log.clear();
    write(f, '333');
    await log.expect(['add', 'change'], f);
    log.clear();
    write(f, '4444');
    await log.expect('change', f);

    // siblings of a file target are not reported
    write(other, 'changed');
    fs.unlinkSync(other);
    write(f, '55555'); // sentinel: once this is seen, the sibling events would have been too
    await log.expect('change', f);
    expect(log.paths()).toEqual(new Set([f]));
  });

  it('a single-file target survives atomic saves (write temp + rename over)', async () => {
    const dir = mkTmp();
    const f = path.join(dir, 'config.toml');
    write(f, 'a = 1');
    const log = new EventLog();
    const w = makeWatcher(log, { backend });
    await w.start([{ path: f, kind: 'file' }]);

    for (let i = 2; i <= 4; i++) {
      log.clear();
      const tmpName = `${f}.tmp-${i}`;
      fs.writeFileSync(tmpName, `a = ${i}${'!'.repeat(i)}`);
      fs.renameSync(tmpName, f);
      await log.expect(['change', 'add'], f);
      expect(log.events.every((e) => e.path === f)).toBe(true);
    }
    // and plain writes still work after the inode changed
    log.clear();
    write(f, 'a = 99');
    await log.expect('change', f);
  });

  it('a file target whose directory does not exist yet is reported when created', async () => {
    const base = mkTmp();
    const f = path.join(base, 'later', 'app', 'prefs.json');
    const log = new EventLog();
    const w = makeWatcher(log, { backend });
    await w.start([{ path: f, kind: 'file' }]);
    expect(w.status().ready).toBe(true);

    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, '{}');
    await log.expect(['add', 'change'], f);
    log.clear();
    write(f, '{"x":1}');
    await log.expect('change', f);

    // the whole directory goes away and comes back
    fs.rmSync(path.join(base, 'later'), { recursive: true });
    await log.expect('unlink', f);
    log.clear();
    write(f, '{"y":2}');
    await log.expect(['add', 'change'], f);
  });

  it('a tree target created later: files already in it are reported, later changes too', async () => {
    const base = mkTmp();
    const tree = path.join(base, 'a', 'b', 'tree');
    const log = new EventLog();
    const w = makeWatcher(log, { backend });
    await w.start([{ path: tree, kind: 'tree' }]);
    expect(w.status().ready).toBe(true);

    // appears with content already inside (built elsewhere, moved in)
    const staging = path.join(base, 'staging');
    write(path.join(staging, 'one.json'), '1');
    write(path.join(staging, 'nested', 'two.json'), '2');
    fs.mkdirSync(path.join(base, 'a', 'b'), { recursive: true });
    fs.renameSync(staging, tree);
    await log.expect(['add', 'change'], path.join(tree, 'one.json'));
    await log.expect(['add', 'change'], path.join(tree, 'nested', 'two.json'));

    // and is watched from then on
    write(path.join(tree, 'nested', 'three.json'), '3');
    await log.expect(['add', 'change'], path.join(tree, 'nested', 'three.json'));
    write(path.join(tree, 'one.json'), '11');
    await log.expect('change', path.join(tree, 'one.json'));
  });

  it('a tree root deleted and created again keeps being watched', async () => {
    const base = mkTmp();
    const tree = path.join(base, 'tree');
    write(path.join(tree, 'x.conf'), 'x');
    const log = new EventLog();
    const w = makeWatcher(log, { backend });
    await w.start([{ path: tree, kind: 'tree' }]);

    fs.rmSync(tree, { recursive: true });
    await log.expect(['unlinkDir', 'unlink'], tree);
    log.clear();
    write(path.join(tree, 'y.conf'), 'y');
    await log.expect(['add', 'change'], path.join(tree, 'y.conf'));
    log.clear();
    write(path.join(tree, 'sub', 'z.conf'), 'z');
    await log.expect(['add', 'change'], path.join(tree, 'sub', 'z.conf'));
  });
});

describe('target bookkeeping', () => {
  it('auto mode: parcel for trees, chokidar for files → mixed; covered targets share a subscription', async () => {
    const base = mkTmp();
    const tree = path.join(base, 'tree');
    const f = path.join(base, 'file.json');
    const inner = path.join(tree, 'inner.json');
    write(inner, '1');
    write(f, '1');
    const log = new EventLog();
    const w = makeWatcher(log, { backend: 'auto' });
    await w.start([
      { path: tree, kind: 'tree' },
      { path: f, kind: 'file' },
      { path: inner, kind: 'file' },
    ]);
    const st = w.status();
    expect(st.backend).toBe('mixed');
    expect(st.watchedTargets).toBe(3);
    expect(st.pollingPaths).toEqual([]);
    expect(st.targets!.find((t) => t.path === inner)!.coveredBy).toBe(tree);
    expect(st.targets!.find((t) => t.path === tree)!.backend).toBe('parcel');
    expect(st.targets!.find((t) => t.path === f)!.backend).toBe('chokidar');

    write(inner, '2');
    await log.expect('change', inner);
    await new Promise((r) => setTimeout(r, 300));
    expect(log.for(inner).filter((e) => e.type === 'change').length).toBeGreaterThanOrEqual(1);
  });

  it('setTargets adds and removes targets', async () => {
    const base = mkTmp();
    const a = path.join(base, 'a');
    const b = path.join(base, 'b');
    write(path.join(a, 'f'), '1');
    write(path.join(b, 'f'), '1');
    const log = new EventLog();
    const w = makeWatcher(log, { backend: 'auto' });
    await w.start([{ path: a, kind: 'tree' }]);
    await w.setTargets([{ path: b, kind: 'tree' }]);
    expect(w.status().watchedTargets).toBe(1);

    write(path.join(a, 'f'), '2');
    write(path.join(b, 'f'), '2');
    await log.expect('change', path.join(b, 'f'));
    write(path.join(b, 'g'), 'sentinel');
    await log.expect(['add', 'change'], path.join(b, 'g'));
    expect(log.events.some((e) => e.path.startsWith(a + path.sep))).toBe(false);
  });

  it('stop() ends all reporting', async () => {
    const base = mkTmp();
    const log = new EventLog();
    const w = makeWatcher(log, { backend: 'polling' });
    await w.start([{ path: base, kind: 'tree' }]);
    await w.stop();
    expect(w.status().ready).toBe(false);
    write(path.join(base, 'after-stop'), 'x');
    await new Promise((r) => setTimeout(r, 400));
    expect(log.events).toEqual([]);
    await waitFor(() => true);
  });
});
