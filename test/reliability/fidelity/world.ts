/**
 * Set-up and probes for the fidelity scenarios: machines with distinct host names sharing a bare
 * remote, what the person sees on disk (contents, modes, links, files beside), and what the remote holds.
 * Everything lives in temp dirs; nothing touches the real home directory.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { Machine, bareRemote, tmp, waitFor } from '../../helpers/machine.js';
import { BIN, personEnv, type Driver } from './drivers.js';
import type { ConflictJson } from './shapes.js';

export interface MachineSpec {
  remote?: string | null;
  profiles?: string[];
  settings?: Record<string, unknown>;
}

/** Everything one test made; `close()` stops engines and daemons it started (registered with onTestFinished). */
export class Scope {
  readonly machines: Machine[] = [];
  readonly procs: ChildProcess[] = [];
  readonly servers: { close(): Promise<void> }[] = [];

  constructor(readonly d: Driver) {}

  /** A machine whose config.json says `{hostName: name, enabledProfiles, remote: {url, branch: 'main'}, ...settings}`. */
  machine(name: string, spec: MachineSpec = {}): Machine {
    const m = new Machine(name, { remote: spec.remote ?? null, profiles: spec.profiles ?? ['zsh'], settings: spec.settings });
    this.machines.push(m);
    return m;
  }

  async close(): Promise<void> {
    // Servers first: a hanging remote going away lets a daemon's pending fetch fail fast.
    for (const s of this.servers) await s.close().catch(() => undefined);
    for (const p of this.procs) await stopProc(p);
    for (const m of this.machines) await this.d.close(m);
  }
}

export async function stopProc(p: ChildProcess, timeoutMs = 25_000): Promise<number | null> {
  if (p.exitCode !== null || p.signalCode !== null) return p.exitCode;
  return new Promise((resolve) => {
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('exit', (code) => {
      clearTimeout(t);
      resolve(code);
    });
    p.kill('SIGTERM');
  });
}

export { bareRemote, tmp, waitFor };

/** Content of `path` on the remote's main, or null when it is not there. */
export function remoteFile(remote: string, path: string): string | null {
  try {
    return execFileSync('git', ['--git-dir', remote, 'show', `main:${path}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return null;
  }
}

export function remoteBytes(remote: string, path: string): Buffer | null {
  try {
    return execFileSync('git', ['--git-dir', remote, 'show', `main:${path}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return null;
  }
}

/** Every path on the remote's main (empty when there is no main). */
export function remoteTree(remote: string): string[] {
  try {
    return execFileSync('git', ['--git-dir', remote, 'ls-tree', '-r', '--name-only', '-z', 'main'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .split('\0')
      .filter(Boolean);
  } catch {
    return [];
  }
}

/** The remote path whose name ends with `/suffix` (how the product maps a live path, read back from the remote). */
export function remotePathEnding(remote: string, suffix: string): string | null {
  return remoteTree(remote).find((p) => p === suffix || p.endsWith(`/${suffix}`)) ?? null;
}

export function gitOut(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Relative paths of every file and link under `dir` (not descending into links). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string) => {
    let names: string[];
    try {
      names = readdirSync(abs);
    } catch {
      return;
    }
    for (const n of names) {
      const a = join(abs, n);
      const st = lstatSync(a);
      if (st.isDirectory()) walk(a);
      else out.push(relative(dir, a));
    }
  };
  walk(dir);
  return out.sort();
}

/** Regular files under `dir` whose content is exactly `content`. */
export function filesHolding(dir: string, content: string | Buffer): string[] {
  const want = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return filesUnder(dir).filter((rel) => {
    const a = join(dir, rel);
    try {
      return lstatSync(a).isFile() && readFileSync(a).equals(want);
    } catch {
      return false;
    }
  });
}

/** Names in the folder of `live` that start with `<basename>.conflict-`. */
export function conflictCopiesBeside(live: string): string[] {
  const base = live.split('/').pop()!;
  try {
    return readdirSync(dirname(live)).filter((n) => n.startsWith(`${base}.conflict-`));
  } catch {
    return [];
  }
}

export function mode(p: string): number {
  return lstatSync(p).mode & 0o777;
}

export function kindOf(p: string): 'file' | 'dir' | 'link' | 'absent' {
  try {
    const st = lstatSync(p);
    return st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : 'file';
  } catch {
    return 'absent';
  }
}

export function writeMode(m: Machine, rel: string, content: string, fileMode: number): void {
  m.write(rel, content);
  chmodSync(m.path(rel), fileMode);
}

/**
 * A conflict on `files` (home-relative, default `.zshrc`) between A (`laptop-a`) and B (`desk-b`):
 * both synced a common version, then both changed the same line differently; sync A, sync B (B
 * detects it), and (with `thirdSync`) sync A again.
 */
export async function makeConflict(
  s: Scope,
  opts: { files?: string[]; thirdSync?: boolean; names?: [string, string] } = {},
): Promise<{ remote: string; a: Machine; b: Machine; textA: Record<string, string>; textB: Record<string, string> }> {
  const d = s.d;
  const files = opts.files ?? ['.zshrc'];
  const [na, nb] = opts.names ?? ['laptop-a', 'desk-b'];
  const remote = bareRemote();
  const a = s.machine(na, { remote, profiles: ['zsh'] });
  const b = s.machine(nb, { remote, profiles: ['zsh'] });
  const textA: Record<string, string> = {};
  const textB: Record<string, string> = {};
  for (const f of files) a.write(f, `# ${f}\nexport EDITOR=vim\nalias ll='ls -l'\n`);
  await must(d.sync(a), 'first sync on A');
  await must(d.sync(b), 'first sync on B');
  for (const f of files) {
    textA[f] = `# ${f}\nexport EDITOR=nano # laptop-a\nalias ll='ls -l'\n`;
    textB[f] = `# ${f}\nexport EDITOR=emacs # desk-b\nalias ll='ls -l'\n`;
    a.write(f, textA[f]);
    b.write(f, textB[f]);
  }
  await must(d.sync(a), 'sync A after its edit');
  await must(d.sync(b), 'sync B after its edit (detects the conflict)');
  if (opts.thirdSync ?? true) await must(d.sync(a), 'sync A again');
  return { remote, a, b, textA, textB };
}

/** Awaits an action that set-up needs to succeed; throws with its output otherwise. */
export async function must<T extends { code: number; stdout: string; stderr: string }>(p: Promise<T>, what: string): Promise<T> {
  const r = await p;
  if (r.code !== 0) throw new Error(`set-up step failed: ${what}: exit ${r.code}\n${r.stderr.slice(0, 1500)}\n${r.stdout.slice(0, 1500)}`);
  return r;
}

export function listOf(r: { json: ConflictJson[] | null; code: number; stderr: string }): ConflictJson[] {
  if (r.code !== 0 || !Array.isArray(r.json)) throw new Error(`listing conflicts failed: exit ${r.code}: ${r.stderr}`);
  return r.json;
}

/** A TCP server that accepts connections and never answers (a remote that hangs). */
export async function silentServer(s: Scope): Promise<{ url: string; connections: () => number }> {
  const sockets: Socket[] = [];
  let count = 0;
  const server: Server = createServer((sock) => {
    count++;
    sockets.push(sock);
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  s.servers.push({
    close: () =>
      new Promise<void>((r) => {
        for (const k of sockets) k.destroy();
        server.close(() => r());
      }),
  });
  return { url: `git://127.0.0.1:${port}/hangs.git`, connections: () => count };
}

/**
 * A fake `pgrep` in its own folder: exits 0 (found) when its last argument is `Keyboard Maestro
 * Engine`, 1 otherwise, and appends its arguments to `log`.
 */
export function fakePgrep(): { dir: string; log: string } {
  const dir = join(tmp('cs-fakebin-'), 'bin');
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'pgrep.log');
  writeFileSync(
    join(dir, 'pgrep'),
    `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nlast=''\nfor a in "$@"; do last="$a"; done\n[ "$last" = 'Keyboard Maestro Engine' ] && exit 0\nexit 1\n`,
    { mode: 0o755 },
  );
  return { dir, log };
}

export function readIfExists(p: string): string {
  return existsSync(p) ? readFileSync(p, 'utf8') : '';
}

/** Spawns `confsync daemon --ui --port 0` for machine `m` (no wait). Output is collected. */
export function spawnDaemon(s: Scope, m: { home: string; configDir: string }): { proc: ChildProcess; out: () => string } {
  const proc = spawn(process.execPath, [BIN, 'daemon', '--ui', '--port', '0'], { cwd: m.home, env: personEnv(m), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (x) => (out += x));
  proc.stderr!.on('data', (x) => (out += x));
  s.procs.push(proc);
  return { proc, out: () => out };
}

export function exited(p: ChildProcess): Promise<number | null> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(p.exitCode);
  return new Promise((r) => p.once('exit', (code) => r(code)));
}
