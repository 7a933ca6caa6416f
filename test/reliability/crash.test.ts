/**
 * Crash test: the real built daemon (`confsync daemon`, a child process) is SIGKILLed at each fault
 * point (CONFSYNC_FAULT, with CONFSYNC_FAULT_SKIP varying the moment) while it commits, fetches,
 * merges (a concurrent change from another machine forces a real merge), applies, pushes, handles a
 * burst of watched edits, or saves its snapshot; and once at a random moment of a burst with no fault
 * point at all. After each kill the daemon is started again without the fault and must:
 *   - start (no stale lock or index.lock blocks it) and finish a sync (`confsync sync --json` through
 *     the running daemon);
 *   - leave no repo mid-merge (no MERGE_HEAD), no lock files, `git fsck --strict` clean;
 *   - lose nothing: every content the live files held at the kill is reachable from the remote head,
 *     and the live files, the daemon's HEAD and the remote head agree.
 * One daemon "lineage" per run: the kills pile up on the same config dir, repo and remote, as they
 * would on a person's machine.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CLI, daemonEnv } from '../helpers/daemon.js';
import { Machine, bareRemote, tmp, waitFor } from '../helpers/machine.js';
import type { AppState } from '../../shared/state.js';
import { daemonCall, Rng, size, seedFromEnv, STRESS, git, reachableObjects, treeAt, fsck, repoLeftovers, liveTree, isOwnTemp, diffMaps, sleep } from './helpers.js';

type Prepare = 'none' | 'local' | 'remote' | 'both' | 'conflict';
type After = 'none' | 'edit' | 'burst' | 'burst-sigkill';
interface KillCase {
  point: string | null;
  skip: number;
  prepare: Prepare;
  after: After;
}

/** The fixed spread run by npm test (20 kills). */
const FIXED: KillCase[] = [
  { point: 'commit', skip: 0, prepare: 'local', after: 'none' },
  { point: 'commit', skip: 1, prepare: 'local', after: 'edit' },
  { point: 'commit', skip: 0, prepare: 'both', after: 'none' },
  { point: 'fetch', skip: 0, prepare: 'local', after: 'none' },
  { point: 'fetch', skip: 1, prepare: 'none', after: 'edit' },
  { point: 'merge', skip: 0, prepare: 'remote', after: 'none' },
  { point: 'merge', skip: 0, prepare: 'both', after: 'none' },
  { point: 'merge', skip: 0, prepare: 'conflict', after: 'none' },
  { point: 'merge-commit', skip: 0, prepare: 'both', after: 'none' },
  { point: 'merge-commit', skip: 0, prepare: 'conflict', after: 'none' },
  { point: 'apply', skip: 0, prepare: 'remote', after: 'none' },
  { point: 'apply', skip: 2, prepare: 'remote', after: 'none' },
  { point: 'apply', skip: 1, prepare: 'both', after: 'none' },
  { point: 'push', skip: 0, prepare: 'local', after: 'none' },
  { point: 'push', skip: 0, prepare: 'both', after: 'none' },
  { point: 'push', skip: 1, prepare: 'local', after: 'edit' },
  { point: 'watch-batch', skip: 0, prepare: 'none', after: 'burst' },
  { point: 'watch-batch', skip: 1, prepare: 'none', after: 'burst' },
  { point: 'snapshot-save', skip: 0, prepare: 'local', after: 'none' },
  { point: null, skip: 0, prepare: 'local', after: 'burst-sigkill' },
];

/** Feasible (point, prepare, after, max skip) combinations the stress run draws from. */
const TEMPLATES: (Omit<KillCase, 'skip'> & { maxSkip: number })[] = [
  { point: 'commit', prepare: 'local', after: 'none', maxSkip: 0 },
  { point: 'commit', prepare: 'both', after: 'burst', maxSkip: 3 },
  { point: 'fetch', prepare: 'both', after: 'edit', maxSkip: 1 },
  { point: 'merge', prepare: 'remote', after: 'none', maxSkip: 0 },
  { point: 'merge', prepare: 'both', after: 'none', maxSkip: 0 },
  { point: 'merge', prepare: 'conflict', after: 'none', maxSkip: 0 },
  { point: 'merge-commit', prepare: 'both', after: 'none', maxSkip: 0 },
  { point: 'merge-commit', prepare: 'conflict', after: 'none', maxSkip: 0 },
  { point: 'apply', prepare: 'remote', after: 'none', maxSkip: 2 },
  { point: 'apply', prepare: 'both', after: 'none', maxSkip: 2 },
  { point: 'push', prepare: 'both', after: 'edit', maxSkip: 1 },
  { point: 'watch-batch', prepare: 'local', after: 'burst', maxSkip: 1 },
  { point: 'snapshot-save', prepare: 'both', after: 'edit', maxSkip: 1 },
  { point: null, prepare: 'both', after: 'burst-sigkill', maxSkip: 0 },
];

function stressCases(seed: number, n: number): KillCase[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const t = rng.pick(TEMPLATES);
    return { point: t.point, prepare: t.prepare, after: t.after, skip: rng.int(0, t.maxSkip) };
  });
}

const SEED = seedFromEnv(4242);
const CASES = STRESS ? [...FIXED, ...stressCases(SEED, size(0, 36))] : FIXED;

interface Proc {
  proc: ChildProcess;
  out: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe(`crash: SIGKILL at fault points (${CASES.length} kills, seed ${SEED})`, () => {
  const root = tmp('cs-crash-');
  const home = join(root, 'home');
  const configDir = join(root, 'config');
  const dots = join(home, 'dots');
  const remote = bareRemote();
  const other = new Machine('other', { remote, profiles: ['dots'] });
  let n = 0;
  let running: Proc | null = null;

  const settings = {
    hostName: 'crashy',
    enabledProfiles: ['dots'],
    remote: { url: remote, branch: 'main' },
    sync: { debounceMs: 100, maxWaitMs: 500, intervalSec: 3600 },
    km: { enabled: false },
  };

  function spawnDaemon(env: Record<string, string> = {}): Proc {
    const proc = spawn(process.execPath, [CLI, 'daemon', '--ui', '--port', '0'], { env: daemonEnv(home, configDir, env), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
    return { proc, out: () => out, exited };
  }

  const ready = (p: Proc) =>
    waitFor(() => {
      if (p.proc.exitCode !== null || p.proc.signalCode !== null) throw new Error(`daemon exited: ${p.out()}`);
      return /confsync daemon running/.test(p.out());
    }, 'daemon ready', 30_000);

  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env: daemonEnv(home, configDir), encoding: 'utf8', timeout: 120_000 });

  let seq = 0;
  const unique = (what: string) => `${what} #${++seq} ${Date.now().toString(36)}\n`;
  const writeLive = (rel: string, text: string) => {
    mkdirSync(dirname(join(dots, rel)), { recursive: true });
    writeFileSync(join(dots, rel), text);
  };

  beforeAll(async () => {
    mkdirSync(dots, { recursive: true });
    mkdirSync(configDir, { recursive: true });
    writeFileSync(join(configDir, 'config.json'), JSON.stringify(settings));
    // The other machine creates the remote with the profile; the daemon's repo starts as a clone.
    mkdirSync(other.path('dots'), { recursive: true });
    other.write('dots/shared.conf', 'line one\nline two\nline three\n');
    await other.open();
    await other.invoke('profiles:save', { profile: { name: 'dots', paths: ['~/dots'] } });
    expect(['ok', 'nothing-to-do']).toContain((await other.sync()).kind);
    expect(git(remote, 'show', 'main:.confsync/profiles.json')).toContain('"dots"');
    git(configDir, 'clone', '-q', remote, join(configDir, 'repo'));
    // A first clean run so the snapshot exists.
    running = spawnDaemon();
    await ready(running);
    const r = cli('sync', '--json');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    running.proc.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
    running = null;
  }, 120_000);

  const stopRunning = async () => {
    if (running && running.proc.exitCode === null && running.proc.signalCode === null) {
      running.proc.kill('SIGTERM');
      await Promise.race([running.exited, sleep(30_000)]);
      if (running.proc.exitCode === null && running.proc.signalCode === null) running.proc.kill('SIGKILL');
    }
    running = null;
  };
  // A failed case must not leave its daemon holding the lock for the next one.
  afterEach(stopRunning);

  afterAll(async () => {
    await stopRunning();
    await other.stop().catch(() => undefined);
  });

  async function prepare(p: Prepare): Promise<void> {
    if (p === 'local' || p === 'both') {
      writeLive(`local-${seq}.conf`, unique('local new'));
      writeLive('edited.conf', unique('local edit'));
      const files = readdirSync(dots).filter((f) => f.startsWith('local-'));
      if (files.length > 3) rmSync(join(dots, files[0]));
    }
    if (p === 'remote' || p === 'both' || p === 'conflict') {
      await other.sync();
      other.write(`dots/remote-${seq}.conf`, unique('remote new'));
      other.write('dots/remote-edited.conf', unique('remote edit'));
      other.write(`dots/sub/remote-${seq}.txt`, unique('remote nested'));
      if (p === 'conflict') other.write('dots/shared.conf', unique('other changed line one') + 'line two\nline three\n');
      const r = await other.sync();
      expect(['ok', 'conflict'], `other machine push: ${r.kind} ${r.message} ${r.detail ?? ''}`).toContain(r.kind);
    }
    if (p === 'conflict') {
      // The same line changed here: the merge must keep both.
      writeLive('shared.conf', unique('crashy changed line one') + 'line two\nline three\n');
    }
  }

  /**
   * The start-up sync done: its full scan would otherwise swallow the edits meant for the watcher,
   * and the fault point they should reach (a later commit, fetch, push, batch) would never come.
   */
  const startSyncDone = async (d: Proc): Promise<void> => {
    const end = Date.now() + 60_000;
    while (Date.now() < end) {
      // Killed meanwhile (the fault struck during start-up): nothing left to wait for.
      if (d.proc.exitCode !== null || d.proc.signalCode !== null) throw new Error('daemon gone');
      const st = await daemonCall<AppState>(configDir, 'state:get', undefined, 5_000).catch(() => null);
      if (st && st.repo.lastResult !== null && st.phase === 'idle') return;
      await sleep(100);
    }
    throw new Error('start-up sync did not finish');
  };

  async function after(a: After, d: Proc): Promise<void> {
    if (a === 'edit') {
      await ready(d);
      await startSyncDone(d);
      writeLive('watched.conf', unique('watched edit'));
    } else if (a === 'burst' || a === 'burst-sigkill') {
      await ready(d);
      if (a === 'burst') await startSyncDone(d);
      // Four waves of new and changed files, each longer apart than the debounce: several batches.
      const dead = () => d.proc.exitCode !== null || d.proc.signalCode !== null;
      for (let wave = 0; wave < 4; wave++) {
        if (dead()) return;
        for (let i = 0; i < 20; i++) writeLive(`burst/w${wave}-f${i}.conf`, unique(`burst ${wave}/${i}`));
        writeLive('edited.conf', unique(`burst edit ${wave}`));
        await sleep(a === 'burst-sigkill' ? new Rng(SEED + seq).int(0, 250) : 400);
      }
      if (a === 'burst-sigkill') d.proc.kill('SIGKILL');
    }
  }

  for (const c of CASES) {
    const label = `${++n}. ${c.point ? `at ${c.point} (skip ${c.skip})` : 'plain SIGKILL'} · prepared: ${c.prepare} · then: ${c.after}`;
    it(label, async () => {
      await prepare(c.prepare);
      const env: Record<string, string> = c.point ? { CONFSYNC_FAULT: c.point, CONFSYNC_FAULT_SKIP: String(c.skip) } : {};
      const d = spawnDaemon(env);
      running = d;
      // The person keeps editing until the daemon is gone; nothing is written after that.
      const editing = after(c.after, d).catch(() => undefined);
      const end = await Promise.race([d.exited, sleep(60_000).then(() => null)]);
      await editing;
      if (!end) {
        d.proc.kill('SIGKILL');
        await d.exited;
      }
      expect(end, `the daemon was never killed: fault point ${c.point} (skip ${c.skip}) not reached\n${d.out()}`).not.toBeNull();
      expect(end!.signal, `daemon output:\n${d.out()}`).toBe('SIGKILL');
      // What the person had on disk at the moment of the crash: all of it must survive.
      const atKill = liveTree(dots, { skip: isOwnTemp });
      const repo = join(configDir, 'repo');
      // The kill really struck mid-operation.
      if ((c.point === 'merge' && (c.prepare === 'both' || c.prepare === 'conflict')) || c.point === 'merge-commit') {
        // Merges are built in a temporary index and committed before HEAD moves: even a kill in the
        // middle of one leaves git itself never mid-merge.
        expect(repoLeftovers(repo), 'killed in a merge: git must never be left mid-merge').not.toContain('MERGE_HEAD');
      }
      if (c.point === 'apply') {
        expect([...liveTree(dots).keys()].filter(isOwnTemp).length, 'killed mid-apply: a temp file expected beside the live file').toBeGreaterThan(0);
      }

      const again = spawnDaemon();
      running = again;
      await ready(again);
      const r = cli('sync', '--json');
      expect(r.status, `confsync sync after the kill: ${r.stdout}${r.stderr}\n${again.out()}`).toBe(0);
      const result = JSON.parse(r.stdout) as { kind: string; message: string };
      expect(['ok', 'nothing-to-do', 'conflict']).toContain(result.kind);
      // The watcher may still be committing what the restart found: wait for the daemon to settle.
      const st = await waitFor(async () => {
        const state = await daemonCall<AppState>(configDir, 'state:get');
        return state.safeToShutDown && state.repo.ahead === 0 && state.phase === 'idle' ? state : null;
      }, 'daemon idle and pushed', 60_000, 100);
      expect(repoLeftovers(repo), 'crash leftovers in the repo').toEqual([]);
      expect(fsck(repo)).toBeNull();
      expect(fsck(remote)).toBeNull();
      const remoteHead = git(remote, 'rev-parse', 'main').trim();
      expect(st.repo.head).toBe(remoteHead);
      expect(git(repo, 'rev-parse', 'HEAD').trim()).toBe(remoteHead);
      const reachable = reachableObjects(remote, 'main');
      const lost = [...atKill].filter(([, oid]) => !reachable.has(oid)).map(([rel]) => rel);
      expect(lost, 'contents present at the kill are missing from the remote history').toEqual([]);
      const head = treeAt(repo, 'HEAD');
      const expected = new Map([...head].filter(([p]) => p.startsWith('dots/dots/')).map(([p, oid]) => [p.slice('dots/dots/'.length), oid]));
      expect(diffMaps(liveTree(dots, { skip: isOwnTemp }), expected, ['live', 'HEAD']), 'live files and HEAD disagree').toEqual([]);
      expect([...head.keys()].filter(isOwnTemp), 'temp files committed').toEqual([]);
      expect([...liveTree(dots).keys()].filter(isOwnTemp), 'temp files of interrupted writes left beside live files').toEqual([]);
      // A clean stop flushes and exits 0, ready for the next kill.
      again.proc.kill('SIGTERM');
      expect((await again.exited).code).toBe(0);
      running = null;
      expect(existsSync(join(configDir, 'daemon.json'))).toBe(false);
    }, 240_000);
  }
});
