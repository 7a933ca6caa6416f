/**
 * A "machine" for integration tests: its own temp HOME and config dir, real files, a real engine over
 * a real git repo, optionally sharing a bare remote with other machines.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createServer } from 'node:net';
import type { Engine } from '../../electron/engine/engine.js';
import { openHost, type Host } from '../../electron/host.js';
import type { Feature } from '../../electron/engine/features/index.js';
import { typedInvoke } from '../../electron/engine/api.js';
import type { Settings } from '../../shared/settings.js';
import type { HostPorts, Notice } from '../../electron/engine/ports.js';

export function tmp(prefix = 'cs-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Runs `fn` with a `git` on PATH that records each call's arguments (one line per call), then runs the
 * real git. For tests that count or name the git processes a step starts.
 */
export async function recordingGit<T>(fn: (calls: () => string[]) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'confsync-git-rec-'));
  const log = join(dir, 'calls.log');
  const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  writeFileSync(join(dir, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
  const before = process.env.PATH;
  process.env.PATH = `${dir}:${before}`;
  try {
    return await fn(() => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []));
  } finally {
    process.env.PATH = before;
    rmSync(dir, { recursive: true, force: true });
  }
}

export function bareRemote(): string {
  const dir = join(tmp('cs-remote-'), 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', dir]);
  return dir;
}

export interface MachineOptions {
  remote?: string | null;
  profiles?: string[];
  settings?: Record<string, unknown>;
  watch?: boolean;
  /** Default: the features every host runs (secrets, Keyboard Maestro, peers). */
  features?: () => Feature[];
  /** Serve the loopback API and write daemon.json, like a long-running host. Default false. */
  serve?: boolean;
}

export class Machine {
  engine!: Engine;
  host!: Host;
  notices: Notice[] = [];
  readonly home: string;
  readonly configDir: string;

  constructor(
    readonly name: string,
    readonly opts: MachineOptions = {},
    root = tmp(`cs-${name}-`),
  ) {
    this.home = join(root, 'home');
    this.configDir = join(root, 'config');
    mkdirSync(this.home, { recursive: true });
    mkdirSync(this.configDir, { recursive: true });
    const settings: Record<string, unknown> = {
      hostName: name,
      enabledProfiles: opts.profiles ?? ['zsh', 'git'],
      remote: { url: opts.remote ?? null, branch: 'main' },
      ...opts.settings,
    };
    writeFileSync(join(this.configDir, 'config.json'), JSON.stringify(settings));
  }

  get repo(): string {
    return join(this.configDir, 'repo');
  }

  ports(): HostPorts {
    return {
      openPath: async () => undefined,
      showLogs: async () => undefined,
      notify: (n) => this.notices.push(n),
      setLoginItem: () => undefined,
    };
  }

  /** Opens the machine's host the way every host does: openHost(). */
  async open(): Promise<this> {
    this.host = await openHost({
      configDir: this.configDir,
      home: this.home,
      version: 'test',
      ports: this.ports(),
      watch: this.opts.watch ?? false,
      serve: this.opts.serve ? {} : false,
      ...(this.opts.features ? { features: this.opts.features() } : {}),
    });
    this.engine = this.host.engine;
    return this;
  }

  get invoke() {
    return typedInvoke(this.engine.handle);
  }

  sync(opts: { adoptRemote?: boolean } = {}) {
    return this.engine.syncNow({ reason: 'test', ...opts });
  }

  async stop(): Promise<void> {
    await this.host?.stop({ flushTimeoutMs: 20_000 });
  }

  async restart(): Promise<this> {
    await this.stop();
    return this.open();
  }

  path(rel: string): string {
    return join(this.home, rel);
  }

  write(rel: string, content: string | Buffer): void {
    const p = this.path(rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }

  read(rel: string): string | null {
    const p = this.path(rel);
    return existsSync(p) ? readFileSync(p, 'utf8') : null;
  }

  remove(rel: string): void {
    rmSync(this.path(rel), { force: true, recursive: true });
  }

  /** Content of a repo path at HEAD, or null. */
  repoFile(path: string): string | null {
    try {
      return git(this.repo, 'show', `HEAD:${path}`);
    } catch {
      return null;
    }
  }

  commits(): string[] {
    return git(this.repo, 'log', '--format=%s').trim().split('\n').filter(Boolean);
  }

  settings(): Settings {
    return this.engine.settings.get();
  }
}

/** Polls until fn() is truthy (behaviour, not timing: the limit is only a hang guard). */
export async function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 30_000, everyMs = 50): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A real git server on 127.0.0.1 (`git daemon`), serving bare repos under `base`, push enabled. */
export class GitServer {
  private proc: ChildProcess | null = null;
  port = 0;

  constructor(readonly base: string) {}

  url(name: string): string {
    return `git://127.0.0.1:${this.port}/${name}`;
  }

  async start(port?: number): Promise<void> {
    // A port picked free can be taken before git daemon binds it, and a loaded machine can be slow to
    // start it: a daemon that exits is started again on another port (unless the caller chose one).
    for (let attempt = 1; ; attempt++) {
      this.port = port ?? (attempt === 1 ? this.port : undefined) ?? (await freePort());
      const proc = spawn('git', ['daemon', `--base-path=${this.base}`, '--export-all', '--enable=receive-pack', '--reuseaddr', '--listen=127.0.0.1', `--port=${this.port}`, this.base], { stdio: 'ignore' });
      this.proc = proc;
      try {
        const exited = () => proc.exitCode !== null || proc.signalCode !== null;
        await waitFor(
          () =>
            exited() ||
            new Promise<boolean>((resolve) => {
              const s = createServer();
              s.once('error', () => resolve(true)); // port taken: the daemon is listening
              s.listen(this.port, '127.0.0.1', () => s.close(() => resolve(false)));
            }),
          'git daemon to listen',
          20_000,
        );
        if (exited()) throw new Error(`git daemon exited (${proc.exitCode ?? proc.signalCode}) on port ${this.port}`);
        return;
      } catch (e) {
        proc.kill('SIGKILL');
        if (port !== undefined || attempt >= 3) throw e;
      }
    }
  }

  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((r) => {
      p.once('exit', () => r());
      p.kill('SIGTERM');
    });
  }
}
