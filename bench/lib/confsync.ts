/**
 * Running the real ConfSync engine inside a measurement child: a config dir with a custom profile over
 * a generated tree, `Engine.open` + `start` with watching on, and probes that time what the engine does
 * without changing it (prototype wrappers installed before the engine exists).
 *
 * "Ready" for ConfSync = watchers armed AND the start-up reconcile (the first sync cycle, which hashes
 * every file and commits what differs) has finished: that is when an edit is picked up and nothing
 * is left to catch up.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../electron/engine/engine.js';
import { openHeadlessSettings } from '../../electron/engine/config/conf-store.js';
import { writeProfilesFile } from '../../electron/engine/profiles/store.js';
import { GitRunner } from '../../electron/engine/git/runner.js';
import { Snapshot } from '../../electron/engine/snapshot/snapshot.js';
import { ProfileSet } from '../../electron/engine/profiles-set.js';
import type { SyncResult } from '../../shared/state.js';
import { cpuMark, cpuSince, now, type CpuDelta } from './measure.js';

export const PROFILE = 'bench';

export interface CsSetup {
  home: string;
  configDir: string;
  /** Directory under home the profile covers (e.g. 'tree'). */
  treeRel: string;
  remote?: string | null;
  /** Deep-merged into the settings written on a fresh set-up. */
  settings?: Record<string, unknown>;
  host?: string;
}

/** Writes config.json and the repo's profile definitions (a fresh machine). */
export function prepareConfig(s: CsSetup): void {
  mkdirSync(s.configDir, { recursive: true });
  const sync = { maxFilesPerProfile: 1_000_000, ...((s.settings?.sync as object | undefined) ?? {}) };
  const settings = {
    hostName: s.host ?? 'bench',
    enabledProfiles: [PROFILE],
    remote: { url: s.remote ?? null, branch: 'main' },
    ...s.settings,
    sync,
  };
  writeFileSync(join(s.configDir, 'config.json'), JSON.stringify(settings));
  writeProfilesFile(join(s.configDir, 'repo'), [{ name: PROFILE, paths: [`~/${s.treeRel}`] }]);
}

/** Repo path of a file under the profile's tree. */
export function repoPathOf(treeRel: string, rel: string): string {
  return `${PROFILE}/${treeRel}/${rel.split('\\').join('/')}`;
}

// ------------------------------------------------------------------------------------ probes

export interface PhaseTimes {
  /** git subcommand → { calls, ms } (wall time of each git process, as awaited by the engine). */
  git: Record<string, { calls: number; ms: number }>;
  scanMs: number;
  scanCalls: number;
  snapshotSaveMs: number;
  snapshotLoadMs: number;
  reconcileMs: number;
  reconcileCalls: number;
}

const phases: PhaseTimes = { git: {}, scanMs: 0, scanCalls: 0, snapshotSaveMs: 0, snapshotLoadMs: 0, reconcileMs: 0, reconcileCalls: 0 };
let probesInstalled = false;

export function resetPhases(): void {
  phases.git = {};
  phases.scanMs = phases.snapshotSaveMs = phases.snapshotLoadMs = phases.reconcileMs = 0;
  phases.scanCalls = phases.reconcileCalls = 0;
}

export function phaseTimes(): PhaseTimes {
  return structuredClone(phases);
}

function gitKey(args: string[]): string {
  const sub = args.find((a) => !a.startsWith('-')) ?? '?';
  return sub;
}

/** Wraps engine internals (prototype methods) with timers. Behaviour is unchanged. */
export function installProbes(): void {
  if (probesInstalled) return;
  probesInstalled = true;
  const addGit = (k: string, ms: number) => {
    const e = (phases.git[k] ??= { calls: 0, ms: 0 });
    e.calls++;
    e.ms += ms;
  };
  const raw = GitRunner.prototype.raw;
  GitRunner.prototype.raw = async function (this: GitRunner, args: string[], opts?: { readonly?: boolean; network?: boolean }) {
    const t = now();
    try {
      return await raw.call(this, args, opts);
    } finally {
      addGit(gitKey(args), now() - t);
    }
  };
  const exitCode = GitRunner.prototype.exitCode;
  GitRunner.prototype.exitCode = async function (this: GitRunner, args: string[]) {
    const t = now();
    try {
      return await exitCode.call(this, args);
    } finally {
      addGit(gitKey(args), now() - t);
    }
  };
  const catBlob = GitRunner.prototype.catBlob;
  GitRunner.prototype.catBlob = async function (this: GitRunner, oid: string) {
    const t = now();
    try {
      return await catBlob.call(this, oid);
    } finally {
      addGit('cat-file', now() - t);
    }
  };
  const save = Snapshot.prototype.save;
  Snapshot.prototype.save = async function (this: Snapshot) {
    const t = now();
    try {
      return await save.call(this);
    } finally {
      phases.snapshotSaveMs += now() - t;
    }
  };
  const load = Snapshot.prototype.load;
  Snapshot.prototype.load = function (this: Snapshot) {
    const t = now();
    try {
      return load.call(this);
    } finally {
      phases.snapshotLoadMs += now() - t;
    }
  };
  const scan = ProfileSet.prototype.scan;
  ProfileSet.prototype.scan = async function (this: ProfileSet, ...a: Parameters<ProfileSet['scan']>) {
    const t = now();
    try {
      return await scan.apply(this, a);
    } finally {
      phases.scanMs += now() - t;
      phases.scanCalls++;
    }
  };
  const reconcile = Engine.prototype.reconcile;
  Engine.prototype.reconcile = async function (this: Engine, ...a: Parameters<Engine['reconcile']>) {
    const t = now();
    try {
      return await reconcile.apply(this, a);
    } finally {
      phases.reconcileMs += now() - t;
      phases.reconcileCalls++;
    }
  };
}

// ------------------------------------------------------------------------------------ open / ready

export interface OpenTimes {
  openMs: number;
  watchStartMs: number;
  initialSyncMs: number;
  readyMs: number;
  /** CPU of the start-up sync cycle alone (Node + git children). */
  syncCpu: CpuDelta;
  /** CPU from Engine.open to ready. */
  totalCpu: CpuDelta;
  result: SyncResult | null;
}

/** Opens and starts the engine; resolves when the start-up sync cycle has finished. */
export async function openEngine(
  s: CsSetup,
  opts: { timeoutMs?: number } = {},
  beforeStart?: (engine: Engine) => Promise<void>,
): Promise<{ engine: Engine; times: OpenTimes }> {
  const t0 = now();
  const c0 = cpuMark();
  const settings = openHeadlessSettings(s.configDir);
  const engine = await Engine.open({ configDir: s.configDir, home: s.home, settings, version: 'bench', watch: true });
  if (beforeStart) await beforeStart(engine);
  const t1 = now();
  const before = engine.store.getState().repo.lastResult;
  const done = new Promise<SyncResult>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('start-up sync did not finish')), opts.timeoutMs ?? 600_000);
    timer.unref();
    const unsub = engine.store.subscribe((st) => {
      const r = st.repo.lastResult;
      if (r && r !== before) {
        clearTimeout(timer);
        unsub();
        resolve(r);
      }
    });
  });
  await engine.start();
  const t2 = now();
  const c2 = cpuMark();
  const result = await done;
  const t3 = now();
  const syncCpu = cpuSince(c2);
  return { engine, times: { openMs: t1 - t0, watchStartMs: t2 - t1, initialSyncMs: t3 - t2, readyMs: t3 - t0, syncCpu, totalCpu: cpuSince(c0), result } };
}

/** git in a directory (for checks outside the engine; never on the engine's own queue). */
export function gitOut(cwd: string, args: string[], maxBuffer = 512 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, maxBuffer, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' } }, (err, stdout) => (err ? reject(err) : resolve(String(stdout))));
  });
}

/** path → blob oid of HEAD under `prefix`. */
export async function headTree(repo: string, prefix: string): Promise<Map<string, string>> {
  const out = await gitOut(repo, ['ls-tree', '-r', '-z', '--full-tree', 'HEAD', '--', prefix]).catch(() => '');
  const map = new Map<string, string>();
  for (const rec of out.split('\0')) {
    if (!rec) continue;
    const tab = rec.indexOf('\t');
    const oid = rec.slice(0, tab).split(' ')[2]!;
    map.set(rec.slice(tab + 1), oid);
  }
  return map;
}
