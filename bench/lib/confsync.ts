/**
 * Running the real ConfSync engine inside a measurement child: a config dir with a custom profile over
 * a generated tree, opened through the one composition root (`openHost`, like every host) with watching
 * on, and probes that time what the engine does from its own typed events (`engine.events`) and its git
 * process reports (`engine.git.onProcess`). Nothing of the engine is patched or wrapped.
 *
 * "Ready" for ConfSync = watchers armed AND the start-up reconcile (the first sync cycle, which hashes
 * every file and commits what differs) has finished: that is when an edit is picked up and nothing
 * is left to catch up.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openHost, type Host } from '../../electron/host.js';
import type { Engine } from '../../electron/engine/engine.js';
import { writeProfilesFile } from '../../electron/engine/profiles/store.js';
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

export interface GitTally {
  calls: number;
  ms: number;
}

/**
 * What the engine did, from its events. Git: every process the engine's GitRunner ran (its own report,
 * wall time from spawn to exit). Scan and reconcile: the `scanned` / `reconciled` events. Snapshot
 * save / load times are not reported by any event and are not measured any more.
 */
export interface PhaseTimes {
  /** git subcommand → { calls, ms } (wall time of each git process, spawn to exit). */
  git: Record<string, GitTally>;
  scanMs: number;
  scanCalls: number;
  reconcileMs: number;
  reconcileCalls: number;
}

const phases: PhaseTimes = { git: {}, scanMs: 0, scanCalls: 0, reconcileMs: 0, reconcileCalls: 0 };

export function resetPhases(): void {
  phases.git = {};
  phases.scanMs = phases.reconcileMs = 0;
  phases.scanCalls = phases.reconcileCalls = 0;
}

export function phaseTimes(): PhaseTimes {
  return structuredClone(phases);
}

/** The git subcommand of an argument list (`-c k=v` / `-C dir` and other options before it skipped). */
export function gitSubcommand(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-c' || a === '-C') {
      i++;
      continue;
    }
    if (!a.startsWith('-')) return a;
  }
  return '?';
}

/** Adds one process to a subcommand → { calls, ms } tally. */
export function tallyGit(into: Record<string, GitTally>, sub: string, ms: number): void {
  const e = (into[sub] ??= { calls: 0, ms: 0 });
  e.calls++;
  e.ms += ms;
}

/**
 * Subscribes the phase probes to an opened engine (openEngine does it right after openHost returns,
 * before the start-up sync's first git process ends). Returns the unsubscribe function.
 */
export function attachProbes(engine: Engine): () => void {
  const offs = [
    engine.git.onProcess((p) => tallyGit(phases.git, gitSubcommand(p.args), p.ms)),
    engine.events.on('scanned', (e) => {
      phases.scanMs += e.ms;
      phases.scanCalls++;
    }),
    engine.events.on('reconciled', (e) => {
      phases.reconcileMs += e.ms;
      phases.reconcileCalls++;
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}

// ------------------------------------------------------------------------------------ open / ready

export interface OpenTimes {
  /** openHost: Engine.open (lock, repo recovery, snapshot load) + start (watchers armed, features started). */
  openMs: number;
  /** From openHost's return to the end of the start-up sync cycle it started. */
  initialSyncMs: number;
  readyMs: number;
  /** CPU of the start-up sync cycle alone (Node + git children). */
  syncCpu: CpuDelta;
  /** CPU from openHost to ready. */
  totalCpu: CpuDelta;
  result: SyncResult | null;
}

/**
 * Opens the engine through openHost (the same composition root, features and start-up as every host;
 * no API server) and resolves when the start-up sync cycle has finished. Stop it with `host.stop()`.
 */
export async function openEngine(s: CsSetup, opts: { timeoutMs?: number } = {}): Promise<{ host: Host; engine: Engine; times: OpenTimes }> {
  const t0 = now();
  const c0 = cpuMark();
  const host = await openHost({ configDir: s.configDir, home: s.home, version: 'bench', watch: true, serve: false });
  const engine = host.engine;
  // start() has just queued the start-up cycle; its first git process cannot have ended yet.
  attachProbes(engine);
  const t1 = now();
  const c1 = cpuMark();
  const result = await new Promise<SyncResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('start-up sync did not finish'));
    }, opts.timeoutMs ?? 600_000);
    timer.unref();
    const off = engine.events.on('synced', ({ result }) => {
      clearTimeout(timer);
      off();
      resolve(result);
    });
  }).catch(async (e: unknown) => {
    await host.stop({ flushTimeoutMs: 1000 }).catch(() => undefined);
    throw e;
  });
  const t2 = now();
  const syncCpu = cpuSince(c1);
  return { host, engine, times: { openMs: t1 - t0, initialSyncMs: t2 - t1, readyMs: t2 - t0, syncCpu, totalCpu: cpuSince(c0), result } };
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
