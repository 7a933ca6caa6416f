/**
 * Runs the real `confsync daemon` (built CLI) as a child process on a temp HOME and config dir, and
 * reads the UI URL it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmp, waitFor } from './machine.js';

export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'confsync.mjs');

export interface DaemonHandle {
  proc: ChildProcess;
  url: string;
  port: number;
  token: string;
  home: string;
  configDir: string;
  out: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function daemonEnv(home: string, configDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, HOME: home, CONFSYNC_CONFIG_DIR: configDir, XDG_CONFIG_HOME: join(home, '.config'), ...extra };
}

export async function startDaemon(opts: { settings?: Record<string, unknown>; files?: Record<string, string>; args?: string[]; env?: Record<string, string>; root?: string } = {}): Promise<DaemonHandle> {
  if (!existsSync(CLI)) throw new Error('dist/cli/confsync.mjs is missing: run `npm run build` first (npm test does)');
  const root = opts.root ?? tmp('cs-daemon-');
  const home = join(root, 'home');
  const configDir = join(root, 'config');
  mkdirSync(home, { recursive: true });
  mkdirSync(configDir, { recursive: true });
  if (opts.settings) writeFileSync(join(configDir, 'config.json'), JSON.stringify(opts.settings));
  for (const [rel, content] of Object.entries(opts.files ?? {})) {
    const p = join(home, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, content);
  }
  const proc = spawn(process.execPath, [CLI, 'daemon', '--ui', '--port', '0', ...(opts.args ?? [])], { env: daemonEnv(home, configDir, opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const url: string = await waitFor((): string | undefined => {
    if (proc.exitCode !== null) throw new Error(`daemon exited ${proc.exitCode}: ${out}`);
    return /ConfSync UI: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out)?.[1];
  }, 'daemon URL', 30_000);
  const u = new URL(url);
  return {
    proc,
    url,
    port: Number(u.port),
    token: u.searchParams.get('token')!,
    home,
    configDir,
    out: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve(proc.exitCode);
        proc.once('exit', (code) => resolve(code));
        proc.kill(signal);
      }),
  };
}
