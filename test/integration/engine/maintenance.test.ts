/**
 * The repo's object store kept packed (features/maintenance.ts, git/maintenance.ts): after many edits
 * the loose objects stay within the budget, a repack never runs beside another git process of the
 * engine, and what it leaves is one pack holding every version.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Machine, bareRemote, git, tmp, waitFor } from '../../helpers/machine';
import { repoMaintenanceFeature, secretsFeature, type MaintenanceFeature } from '../../../electron/engine/features/index';
import { repack, storeSize } from '../../../electron/engine/git/maintenance';
import { GitRunner } from '../../../electron/engine/git/runner';

const FILE = '.config/app/state.txt';
const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
});

/**
 * ~75 KB of text that changes a little with each edit, with a 12 KB token that is new each time: a
 * file git stores whole (~20 KB compressed) when loose.
 */
function content(i: number): string {
  const lines: string[] = [];
  for (let n = 0; n < 1000; n++) lines.push(`setting.${n} = ${n % 97 === i % 97 ? `edited ${i}` : `value ${n * 7919}`} ${'x'.repeat(40)}`);
  return `${lines.join('\n')}\n# edit ${i}\n${randomBytes(9000).toString('base64').replace(/.{76}/g, '$&\n')}\n`;
}

/** Opens the machine with one profile, `app` (~/.config/app), enabled. */
async function openWithApp(m: Machine): Promise<void> {
  await m.open();
  await m.invoke('profiles:save', { profile: { name: 'app', paths: ['~/.config/app'] } });
  await m.invoke('profiles:set-enabled', { name: 'app', enabled: true });
}

describe('repo maintenance', () => {
  it('after many edits the loose objects stay within the budget, and never repacks beside another git process', async () => {
    const budget = 256 * 1024;
    const maint: MaintenanceFeature = repoMaintenanceFeature({ budgetBytes: budget, quietMs: 0 });
    const m = new Machine('alpha', { remote: bareRemote(), profiles: [], features: () => [secretsFeature(), maint] });
    open.push(m);
    m.write(FILE, content(0));
    await openWithApp(m);
    await m.sync();
    const procs: { args: string[]; start: number; end: number }[] = [];
    m.engine.git.onProcess((p) => procs.push({ args: p.args, start: performance.now() - p.ms, end: performance.now() }));
    await maint.start!(m.engine);

    let most = 0;
    for (let i = 1; i <= 40; i++) {
      m.write(FILE, content(i));
      // The edit's sync and a look at the store, at the same time: the repack waits for the sync.
      await Promise.all([m.sync(), maint.checkNow()]);
      most = Math.max(most, storeSize(m.repo).looseBytes + storeSize(m.repo).smallPackBytes);
    }
    // One edit adds ~20 KB loose (the file whole, compressed, its trees and commit): the budget plus one
    // edit at most, never what 40 edits would pile up (~800 KB without the feature).
    expect(most).toBeLessThan(budget + 64 * 1024);

    const isRepack = (p: { args: string[] }) => p.args.includes('repack');
    const repackProcs = procs.filter(isRepack);
    expect(repackProcs.length).toBeGreaterThan(0);
    for (const r of repackProcs) {
      for (const p of procs.filter((x) => !isRepack(x))) expect(p.end <= r.start + 1 || p.start >= r.end - 1, `${p.args.join(' ')} ran beside the repack`).toBe(true);
    }
    // Every version is still there.
    expect(Number(git(m.repo, 'rev-list', '--count', 'HEAD', '--', `app/${FILE}`).trim())).toBe(41);
    execFileSync('git', ['-C', m.repo, 'fsck', '--no-dangling']);
    expect(storeSize(m.repo).packs).toBeGreaterThanOrEqual(1);
  });

  it('repacks by itself after a sync, once the engine is quiet', async () => {
    const maint = repoMaintenanceFeature({ budgetBytes: 64 * 1024, quietMs: 50 });
    const m = new Machine('beta', { profiles: [], features: () => [secretsFeature(), maint] });
    open.push(m);
    await openWithApp(m);
    await maint.start!(m.engine);
    for (let i = 1; i <= 8; i++) {
      m.write(FILE, content(i));
      await m.sync();
    }
    await waitFor(() => storeSize(m.repo).looseBytes < 64 * 1024 && storeSize(m.repo).packs >= 1, 'a repack after the syncs');
  });


  it('is not put off by a steady stream of syncs', async () => {
    const maint = repoMaintenanceFeature({ budgetBytes: 64 * 1024, quietMs: 60_000, maxWaitMs: 300 });
    const m = new Machine('gamma', { profiles: [], features: () => [secretsFeature(), maint] });
    open.push(m);
    await openWithApp(m);
    await maint.start!(m.engine);
    let repacked = false;
    m.engine.git.onProcess((p) => (repacked ||= p.args.includes('repack')));
    // A sync every ~100 ms, never 60 s of quiet: the look comes 300 ms after the first.
    for (let i = 1; i <= 40 && !repacked; i++) {
      m.write(FILE, content(i));
      await m.sync();
    }
    await waitFor(() => repacked, 'a repack while syncs kept coming');
  });
});

describe('git/maintenance', () => {
  it('counts loose objects and packs from the folders; repack -a -d leaves one pack; the geometric roll-up packs loose objects', async () => {
    const dir = tmp('cs-maint-');
    execFileSync('git', ['init', '-q', dir]);
    const g = new GitRunner({ dir, identity: { name: 't', email: 't@example.invalid' } });
    for (let i = 0; i < 5; i++) {
      await g.run(['hash-object', '-w', '--stdin'], { input: content(i) });
    }
    let s = storeSize(dir);
    expect(s.looseCount).toBe(5);
    expect(s.looseBytes).toBeGreaterThan(1000);
    expect(s.packs).toBe(0);
    // Loose objects nothing reaches stay loose (never deleted here).
    expect((await repack(g, { all: true })).kind).toBe('ok');
    expect(storeSize(dir).looseCount).toBe(5);
    // Reachable ones are packed.
    execFileSync('git', ['-C', dir, 'add', '-A']);
    for (let i = 0; i < 3; i++) {
      execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@e.invalid', 'commit', '-q', '--allow-empty', '-m', `c${i}`]);
    }
    s = storeSize(dir);
    const r = await repack(g, { all: false });
    expect(r.kind).toBe('ok');
    expect(storeSize(dir).looseCount).toBeLessThan(s.looseCount);
    expect((await repack(g, { all: true })).kind).toBe('ok');
    expect(storeSize(dir).packs).toBe(1);
    expect(storeSize(dir).packObjects).toBe(Number(/in-pack: (\d+)/.exec(execFileSync('git', ['-C', dir, 'count-objects', '-v'], { encoding: 'utf8' }))![1]));
    expect(existsSync(join(dir, '.git', 'gc.pid'))).toBe(false);
    // git's own gc lock held by a live gc: no repack beside it; a lock left by a gone process is taken over.
    writeFileSync(join(dir, '.git', 'gc.pid'), `${process.pid} ${hostname()}`);
    expect((await repack(g, { all: true })).kind).toBe('busy');
    writeFileSync(join(dir, '.git', 'gc.pid'), `999999 ${hostname()}`);
    expect((await repack(g, { all: true })).kind).toBe('ok');
    expect(existsSync(join(dir, '.git', 'gc.pid'))).toBe(false);
  });
});
