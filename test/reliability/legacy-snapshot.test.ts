/**
 * A snapshot from before snapshots recorded their commit (snapshot.json of version 1, binary version
 * 2) does not say which history its entries agree with. Met with a history replaced under it (the
 * remote recreated, the repo re-cloned by hand while upgrading), a path the new history lacks read as
 * deleted by the repo and the live file was deleted. Its entries now count only where HEAD holds the
 * same version; the rest are met as on a first run. The usual upgrade (nothing replaced) still sends
 * an edit and a deletion made while stopped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Machine, bareRemote, git, tmp } from '../helpers/machine.js';
import { startWithDots } from './helpers.js';
import { Snapshot } from '../../electron/engine/snapshot/snapshot.js';

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
});

/** Rewrites the config dir's snapshot as the snapshot.json older versions wrote (no commit recorded). */
function downgradeSnapshot(configDir: string): void {
  const s = new Snapshot(join(configDir, 'snapshot.bin'));
  const r = s.load();
  if (r.error) throw new Error(r.error);
  const entries: unknown[] = [];
  for (const p of s.paths()) {
    const e = s.get(p)!;
    entries.push([p, e.oid, e.mode, e.size, Math.round(e.mtimeMs), e.recordedAt ?? 0, (e.priv ? 1 : 0) | (e.stricter ? 2 : 0)]);
  }
  rmSync(join(configDir, 'snapshot.bin'));
  writeFileSync(join(configDir, 'snapshot.json'), JSON.stringify({ version: 1, entries }));
}

async function alpha(remote: string): Promise<Machine> {
  const a = new Machine('alpha', { remote, profiles: ['dots'] });
  open.push(a);
  a.write('dots/keep.conf', 'keep v1\n');
  a.write('dots/edit.conf', 'edit v1\n');
  a.write('dots/gone.conf', 'gone v1\n');
  await startWithDots(a);
  return a;
}

describe('an older, unanchored snapshot', () => {
  it('with a history replaced under it (re-cloned by hand): no live file is deleted, and the person is told', async () => {
    const remote = bareRemote();
    const a = await alpha(remote);
    await a.stop();
    downgradeSnapshot(a.configDir);
    // Someone recreates the remote with a fresh history that lacks gone.conf.
    const w = join(tmp('cs-newhist-'), 'w');
    git(dirname(w), 'clone', '-q', remote, w);
    git(w, 'checkout', '-q', '--orphan', 'fresh');
    git(w, 'rm', '-q', '--cached', 'dots/dots/gone.conf');
    rmSync(join(w, 'dots/dots/gone.conf'));
    git(w, '-c', 'user.name=x', '-c', 'user.email=x@example.com', 'commit', '-q', '-m', 'fresh');
    git(w, 'push', '-q', '--force', 'origin', 'fresh:main');
    // The person re-clones the repo into place by hand while upgrading.
    rmSync(a.repo, { recursive: true, force: true });
    mkdirSync(dirname(a.repo), { recursive: true });
    git(dirname(a.repo), 'clone', '-q', remote, a.repo);
    await a.open();
    await a.sync();
    expect(a.read('dots/gone.conf')).toBe('gone v1\n');
    expect(a.read('dots/keep.conf')).toBe('keep v1\n');
    expect(a.read('dots/edit.conf')).toBe('edit v1\n');
    expect(a.engine.store.getState().activity.map((x) => x.text).join('\n')).toMatch(/written by an older version .* compared afresh/);
  });

  it('the usual upgrade: an edit and a deletion made while stopped are sent, nothing else changes', async () => {
    const remote = bareRemote();
    const a = await alpha(remote);
    const b = new Machine('bravo', { remote, profiles: ['dots'] });
    open.push(b);
    await b.open();
    await b.sync();
    await a.stop();
    downgradeSnapshot(a.configDir);
    a.write('dots/edit.conf', 'edit v2 on alpha while stopped\n');
    a.remove('dots/gone.conf');
    await a.open();
    await a.sync();
    await b.sync();
    expect(b.read('dots/edit.conf')).toBe('edit v2 on alpha while stopped\n');
    expect(b.read('dots/gone.conf')).toBeNull();
    expect(b.read('dots/keep.conf')).toBe('keep v1\n');
    expect(a.read('dots/gone.conf')).toBeNull();
    expect(a.engine.store.getState().activity.map((x) => x.text).join('\n')).not.toMatch(/written by an older version/);
  });
});
