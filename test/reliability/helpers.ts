/**
 * Shared pieces of the reliability suites: run sizes (normal vs CONFSYNC_STRESS=1), a seeded PRNG,
 * and git/file-tree probes used to check "nothing lost" and "converged" after a run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { blobOid } from '../../electron/engine/snapshot/hash.js';
import type { Machine } from '../helpers/machine.js';

export const STRESS = process.env.CONFSYNC_STRESS === '1';

/** `normal` in npm test, `stress` under CONFSYNC_STRESS=1. */
export function size(normal: number, stress: number): number {
  return STRESS ? stress : normal;
}

/** CONFSYNC_SEED=n replays a run; else `fallback` (fixed, so npm test is repeatable). */
export function seedFromEnv(fallback: number): number {
  const s = process.env.CONFSYNC_SEED;
  return s !== undefined && s !== '' ? Number(s) >>> 0 : fallback;
}

/** mulberry32 with small helpers. */
export class Rng {
  private a: number;
  constructor(readonly seed: number) {
    this.a = seed >>> 0;
  }
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  /** Chooses a key by weight. */
  weighted<K extends string>(w: Record<K, number>): K {
    const entries = Object.entries(w) as [K, number][];
    const total = entries.reduce((s, [, v]) => s + v, 0);
    let r = this.next() * total;
    for (const [k, v] of entries) {
      r -= v;
      if (r < 0) return k;
    }
    return entries[entries.length - 1][0];
  }
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
}

/** Every object id (commits, trees, blobs) reachable from `rev`. */
export function reachableObjects(repo: string, rev = 'HEAD'): Set<string> {
  const out = git(repo, 'rev-list', '--objects', rev);
  return new Set(out.split('\n').map((l) => l.slice(0, 40)).filter((x) => x.length === 40));
}

/** path → blob id at `rev` (files and links). */
export function treeAt(repo: string, rev = 'HEAD'): Map<string, string> {
  const out = git(repo, 'ls-tree', '-r', '-z', '--full-tree', rev);
  const m = new Map<string, string>();
  for (const rec of out.split('\0')) {
    if (!rec) continue;
    const tab = rec.indexOf('\t');
    const [, type, oid] = rec.slice(0, tab).split(' ');
    if (type === 'blob') m.set(rec.slice(tab + 1), oid);
  }
  return m;
}

/** `git fsck --strict`: returns null when clean, else its output. */
export function fsck(repo: string): string | null {
  const r = spawnSync('git', ['fsck', '--strict', '--no-progress', '--no-dangling'], { cwd: repo, encoding: 'utf8' });
  const text = `${r.stdout}${r.stderr}`.trim();
  return r.status === 0 && !/error|missing|broken|corrupt/i.test(text) ? null : text || `exit ${r.status}`;
}

/** Crash leftovers that would block or confuse the next git command. */
export function repoLeftovers(repo: string): string[] {
  const g = join(repo, '.git');
  return ['index.lock', 'HEAD.lock', 'MERGE_HEAD', 'rebase-merge', 'rebase-apply', 'CHERRY_PICK_HEAD', 'refs/heads/main.lock'].filter((f) => existsSync(join(g, f)));
}

/**
 * A link's target as the repo stores it: an absolute target inside `home` becomes `~/…` (re-rooted on
 * each machine); anything else is stored as it is.
 */
export function storedLinkTarget(target: string, home: string): string {
  if (!isAbsolute(target)) return target;
  const rel = relative(home, target);
  if (rel.startsWith('..') || isAbsolute(rel)) return target;
  return rel === '' ? '~' : `~/${rel.split(sep).join('/')}`;
}

/**
 * The live files under `dir`, relative path → blob id of the content (a symlink's id is that of its
 * target string, as git stores it: with `home`, an absolute target inside it is encoded as `~/…`, so
 * links compare across machines). Editor noise and our own temp files are left out.
 */
export function liveTree(dir: string, opts: { skip?: (rel: string) => boolean; home?: string } = {}): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (abs: string, rel: string) => {
    for (const name of readdirSync(abs).sort()) {
      const a = join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      if (opts.skip?.(r)) continue;
      const st = lstatSync(a);
      if (st.isSymbolicLink()) {
        const target = readlinkSync(a);
        out.set(r, blobOid(Buffer.from(opts.home ? storedLinkTarget(target, opts.home) : target, 'utf8')));
      } else if (st.isDirectory()) walk(a, r);
      else if (st.isFile()) out.set(r, blobOid(readFileSync(a)));
    }
  };
  walk(dir, '');
  return out;
}

/** Permission bits (mode & 0o777) of the regular files under `dir` (links and folders left out). */
export function liveModes(dir: string, opts: { skip?: (rel: string) => boolean } = {}): Map<string, number> {
  const out = new Map<string, number>();
  if (!existsSync(dir)) return out;
  const walk = (abs: string, rel: string) => {
    for (const name of readdirSync(abs).sort()) {
      const a = join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      if (opts.skip?.(r)) continue;
      const st = lstatSync(a);
      if (st.isDirectory()) walk(a, r);
      else if (st.isFile()) out.set(r, st.mode & 0o777);
    }
  };
  walk(dir, '');
  return out;
}

/**
 * The mode record of every file at `rev`: its git mode (100644, 100755, 120000 for links) and whether
 * `.confsync/modes.json` lists it as private (owner-only).
 */
export function modesAt(repo: string, rev = 'HEAD'): Map<string, { mode: string; private: boolean }> {
  const out = git(repo, 'ls-tree', '-r', '-z', '--full-tree', rev);
  let priv = new Set<string>();
  try {
    const v = JSON.parse(git(repo, 'show', `${rev}:.confsync/modes.json`)) as { modes?: Record<string, string> };
    priv = new Set(Object.keys(v.modes ?? {}));
  } catch {
    // no modes.json: nothing is private
  }
  const m = new Map<string, { mode: string; private: boolean }>();
  for (const rec of out.split('\0')) {
    if (!rec) continue;
    const tab = rec.indexOf('\t');
    const [mode, type] = rec.slice(0, tab).split(' ');
    const path = rec.slice(tab + 1);
    if (type === 'blob') m.set(path, { mode, private: priv.has(path) });
  }
  return m;
}

/** Files ConfSync itself may leave beside live files while writing (temp files of atomic writes). */
export const isOwnTemp = (rel: string) => /\.confsync-[0-9a-f]+\.tmp$/.test(rel);

export function diffMaps(a: Map<string, string>, b: Map<string, string>, names = ['a', 'b']): string[] {
  const out: string[] = [];
  for (const [k, v] of a) if (b.get(k) !== v) out.push(`${k}: ${names[0]}=${v.slice(0, 8)} ${names[1]}=${b.get(k)?.slice(0, 8) ?? 'absent'}`);
  for (const k of b.keys()) if (!a.has(k)) out.push(`${k}: ${names[0]}=absent ${names[1]}=${b.get(k)!.slice(0, 8)}`);
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A tiny client of a running daemon's WebSocket API (port and token from its daemon.json). */
export async function daemonCall<T = unknown>(configDir: string, channel: string, payload?: unknown, timeoutMs = 60_000): Promise<T> {
  const { default: WebSocket } = await import('ws');
  const info = JSON.parse(readFileSync(join(configDir, 'daemon.json'), 'utf8')) as { port: number; token: string };
  const ws = new WebSocket(`ws://127.0.0.1:${info.port}/api?token=${encodeURIComponent(info.token)}`);
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${channel}: no answer in ${timeoutMs} ms`)), timeoutMs);
      ws.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
      ws.once('open', () => ws.send(JSON.stringify({ id: 1, channel, ...(payload === undefined ? {} : { payload }) })));
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString()) as { id?: number; ok?: boolean; result?: T; error?: { message: string } };
        if (m.id !== 1) return;
        clearTimeout(t);
        if (m.ok) resolve(m.result as T);
        else reject(new Error(m.error?.message ?? 'error'));
      });
    });
  } finally {
    ws.close();
  }
}

/** The text of every blob reachable from `rev`, joined (for "is this edit anywhere in history?"). */
export function reachableBlobText(repo: string, rev = 'HEAD'): string {
  const out = git(repo, 'rev-list', '--objects', rev);
  const oids = out.split('\n').map((l) => l.slice(0, 40)).filter((x) => x.length === 40);
  const types = execFileSync('git', ['cat-file', '--batch-check=%(objectname) %(objecttype)'], { cwd: repo, input: oids.join('\n') + '\n', maxBuffer: 256 * 1024 * 1024 }).toString();
  const blobs = types.split('\n').filter((l) => l.endsWith(' blob')).map((l) => l.slice(0, 40));
  if (!blobs.length) return '';
  const raw = execFileSync('git', ['cat-file', '--batch'], { cwd: repo, input: blobs.join('\n') + '\n', maxBuffer: 512 * 1024 * 1024 });
  return raw.toString('utf8');
}

/** The profile most of these suites sync: the folder ~/dots. */
export const DOTS = { name: 'dots', paths: ['~/dots'] };

/** Opens `m`, defines the `dots` profile there (it is shared through the repo) and makes its first sync. */
export async function startWithDots(m: Machine): Promise<void> {
  await m.open();
  await m.invoke('profiles:save', { profile: DOTS });
  await m.sync();
}
