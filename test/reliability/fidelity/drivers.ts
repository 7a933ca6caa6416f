/**
 * Two ways to act as the person on a machine, behind one small interface, so each fidelity scenario is
 * written once and run through both:
 *   - `cli`: every action is a spawned `confsync` command (the built CLI, one process per command, no
 *     daemon), with HOME and CONFSYNC_CONFIG_DIR of the machine;
 *   - `engine`: the same actions in-process through Machine (test/helpers/machine.ts), errors caught
 *     into `{ code: 1, stderr: message }`.
 * Sync-like results map to exit codes as the CLI does (0 for ok, nothing-to-do, local-only, conflict).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Machine } from '../../helpers/machine.js';
import type { ConflictJson, Res, StatusJson, SyncResultJson } from './shapes.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
export const BIN = join(REPO_ROOT, 'bin', 'confsync.mjs');
export const CLI_BUNDLE = join(REPO_ROOT, 'dist', 'cli', 'confsync.mjs');

export type Keep = 'mine' | 'theirs' | 'both';
const OK_KINDS = ['ok', 'nothing-to-do', 'local-only', 'conflict'];

/**
 * The environment of a person's shell on that machine: their HOME and config dir, PATH inherited
 * (with `pathPrefix` first when a scenario needs fake executables). The test process's git identity
 * (GIT_AUTHOR_* / GIT_COMMITTER_*, set by test/helpers/setup.ts) is not passed on: people do not
 * have it, and it would hide a repo without an identity.
 */
export function personEnv(m: { home: string; configDir: string }, extra: { pathPrefix?: string; env?: Record<string, string> } = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^GIT_(AUTHOR|COMMITTER)_/.test(k)) env[k] = v;
  env.HOME = m.home;
  env.USERPROFILE = m.home;
  env.CONFSYNC_CONFIG_DIR = m.configDir;
  env.XDG_CONFIG_HOME = join(m.home, '.config');
  if (extra.pathPrefix) env.PATH = `${extra.pathPrefix}:${process.env.PATH ?? ''}`;
  return { ...env, ...extra.env };
}

/** Runs `confsync ARGS` as the person on machine `m`. A hang guard kills it after `timeoutMs`. */
export function runCli(m: { home: string; configDir: string }, args: string[], opts: { pathPrefix?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Res> {
  if (!existsSync(CLI_BUNDLE)) throw new Error('dist/cli/confsync.mjs is missing: run `node scripts/build.mjs cli` first (npm test does)');
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: m.home, env: personEnv(m, opts), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const guard = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    p.once('error', (e) => {
      clearTimeout(guard);
      reject(e);
    });
    p.once('close', (code, signal) => {
      clearTimeout(guard);
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = null;
      }
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr: signal ? `${stderr}\n(killed by ${signal})` : stderr, json });
    });
  });
}

export interface Driver {
  readonly name: 'cli' | 'engine';
  sync(m: Machine, opts?: { pathPrefix?: string }): Promise<Res<SyncResultJson>>;
  conflicts(m: Machine): Promise<Res<ConflictJson[]>>;
  resolve(m: Machine, path: string, keep: Keep): Promise<Res<SyncResultJson>>;
  restore(m: Machine, path: string, rev: string): Promise<Res<SyncResultJson>>;
  history(m: Machine, path: string): Promise<Res<{ rev: string; host: string }[]>>;
  status(m: Machine): Promise<Res<StatusJson>>;
  /** Points the machine at a remote and syncs (cli: `init --remote URL`; engine: settings + first sync). */
  init(m: Machine, url: string): Promise<Res<SyncResultJson>>;
  /** Defines a custom profile through the product and enables it on this machine. */
  addProfile(m: Machine, name: string, paths: string[]): Promise<Res>;
  /** What a new process sees: cli commands are new processes anyway; the engine is restarted. */
  reopen(m: Machine): Promise<void>;
  close(m: Machine): Promise<void>;
}

/** A short account of a result, for assertion messages: exit code, kind and message (or the output). */
export function show(r: Res): string {
  const j = r.json as { kind?: unknown; message?: unknown; detail?: unknown } | null;
  const said = j && typeof j === 'object' && 'kind' in j ? `${String(j.kind)}: ${String(j.message)}${j.detail ? ` (${String(j.detail).slice(0, 300)})` : ''}` : r.stdout.trim().slice(0, 600);
  return `exit ${r.code}${said ? `; ${said}` : ''}${r.stderr.trim() ? `; stderr: ${r.stderr.trim().slice(0, 800)}` : ''}`;
}

export const cliDriver: Driver = {
  name: 'cli',
  sync: (m, opts) => runCli(m, ['sync', '--json'], opts) as Promise<Res<SyncResultJson>>,
  conflicts: (m) => runCli(m, ['conflicts', '--json']) as Promise<Res<ConflictJson[]>>,
  resolve: (m, path, keep) => runCli(m, ['resolve', path, '--keep', keep, '--json']) as Promise<Res<SyncResultJson>>,
  restore: (m, path, rev) => runCli(m, ['restore', path, '--at', rev, '--json']) as Promise<Res<SyncResultJson>>,
  history: (m, path) => runCli(m, ['history', path, '--json']) as Promise<Res<{ rev: string; host: string }[]>>,
  status: (m) => runCli(m, ['status', '--json']) as Promise<Res<StatusJson>>,
  // --yes: a joining machine's init previews and asks first; scripts (and this driver) apply at once.
  init: (m, url) => runCli(m, ['init', '--remote', url, '--yes', '--json']) as Promise<Res<SyncResultJson>>,
  addProfile: (m, name, paths) => runCli(m, ['profile', 'add', name, ...paths.flatMap((p) => ['--path', p])]),
  reopen: async () => undefined,
  close: async () => undefined,
};

const opened = new WeakSet<Machine>();

async function ensureOpen(m: Machine): Promise<Machine> {
  if (!opened.has(m)) {
    await m.open();
    opened.add(m);
  }
  return m;
}

async function caught<T>(fn: () => Promise<T>, codeOf: (v: T) => number = () => 0): Promise<Res<T>> {
  try {
    const v = await fn();
    const json = JSON.parse(JSON.stringify(v ?? null)) as T;
    return { code: codeOf(v), stdout: JSON.stringify(v), stderr: '', json };
  } catch (e) {
    return { code: 1, stdout: '', stderr: (e as Error)?.message ?? String(e), json: null };
  }
}

const syncCode = (r: { kind: string }) => (OK_KINDS.includes(r.kind) ? 0 : 1);

export const engineDriver: Driver = {
  name: 'engine',
  sync: (m) => caught(async () => (await ensureOpen(m)).sync() as Promise<SyncResultJson>, syncCode),
  conflicts: (m) => caught(async () => (await (await ensureOpen(m)).invoke('state:get')).conflicts as ConflictJson[]),
  resolve: (m, path, keep) => caught(async () => (await ensureOpen(m)).invoke('conflicts:resolve', { path, keep }) as Promise<SyncResultJson>),
  restore: (m, path, rev) => caught(async () => (await ensureOpen(m)).invoke('history:restore', { path, rev }) as Promise<SyncResultJson>),
  history: (m, path) => caught(async () => (await ensureOpen(m)).invoke('history:list', { path })),
  status: (m) => caught(async () => (await ensureOpen(m)).engine.store.getState() as unknown as StatusJson),
  init: (m, url) =>
    caught(async () => {
      await ensureOpen(m);
      await m.invoke('settings:update', { patch: { remote: { url } } });
      return m.sync() as Promise<SyncResultJson>;
    }, syncCode),
  addProfile: (m, name, paths) =>
    caught(async () => {
      await ensureOpen(m);
      await m.invoke('profiles:save', { profile: { name, paths } });
      await m.invoke('profiles:set-enabled', { name, enabled: true });
      return { ok: true };
    }),
  reopen: async (m) => {
    if (opened.has(m)) await m.restart();
    else await ensureOpen(m);
  },
  close: async (m) => {
    if (!opened.has(m)) return;
    opened.delete(m);
    await m.stop().catch(() => undefined);
  },
};

export const DRIVERS: Driver[] = [cliDriver, engineDriver];
