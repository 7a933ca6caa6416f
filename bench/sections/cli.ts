/**
 * 10. The CLI's own cost (the speed issue: "load only what the command needs", ≤ 0.15 s). Each command
 * runs as a shell runs it, through bin/confsync.mjs's #! line (so with the runtime settings of
 * electron/cli/runtime.ts), with a temp HOME and config dir, next to `node -e 0` from the same run:
 *   --version
 *   config get sync.intervalSec   no daemon: reads the settings file
 *   status                        a `confsync daemon` running for the config dir, asked over its socket
 * Median of 7 runs each (3 with --quick), after one warm-up run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Ctx, dirIn } from '../lib/ctx.js';
import { le, row } from '../lib/report.js';
import { spread } from '../lib/stats.js';

/** The checkout: the first folder up from this file that holds bin/confsync.mjs (the bench is bundled into dist/). */
function checkout(): string | null {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(d, 'bin', 'confsync.mjs'))) return d;
    d = dirname(d);
  }
  return null;
}

export async function runCli(ctx: Ctx): Promise<void> {
  const sec = 'CLI';
  const root = checkout();
  if (!root || !existsSync(join(root, 'dist', 'cli', 'confsync.mjs'))) {
    ctx.rows.push(row(sec, 'command overhead', null, '', { status: 'TODO', note: 'the CLI is not built (npm run build)' }));
    return;
  }
  const bin = join(root, 'bin', 'confsync.mjs');
  const home = dirIn(ctx, 'cli', 'home');
  const configDir = dirIn(ctx, 'cli', 'config');
  const env = { ...process.env, HOME: home, CONFSYNC_CONFIG_DIR: configDir };
  const n = ctx.quick ? 3 : 7;
  const timed = (cmd: string, args: string[]): number[] => {
    const once = () => {
      const t = performance.now();
      const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${[cmd, ...args].join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).trim().slice(0, 300)}`);
      return performance.now() - t;
    };
    once();
    return Array.from({ length: n }, once);
  };
  const node0 = timed(process.execPath, ['-e', '0']);
  const version = timed(bin, ['--version']);
  const configGet = timed(bin, ['config', 'get', 'sync.intervalSec']);
  // A daemon for the config dir; `status` talks to it.
  const daemon = spawn(bin, ['daemon'], { env, stdio: 'ignore' });
  let status: number[] | null = null;
  try {
    const info = join(configDir, 'daemon.json');
    const until = Date.now() + 60_000;
    while (!existsSync(info) && Date.now() < until && daemon.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    if (existsSync(info)) status = timed(bin, ['status']);
  } finally {
    daemon.kill('SIGTERM');
    await new Promise<void>((r) => (daemon.exitCode !== null ? r() : daemon.once('exit', () => r())));
  }
  const goal = le(0.15, 'median', 's');
  const s = (xs: number[]) => spread(xs.map((x) => x / 1000));
  ctx.rows.push(row(sec, '`node -e 0` (the floor: Node starting)', s(node0), 's', { digits: 3 }));
  ctx.rows.push(row(sec, '`confsync --version`', s(version), 's', { goal, digits: 3 }));
  ctx.rows.push(row(sec, '`confsync config get sync.intervalSec` (no daemon)', s(configGet), 's', { goal, digits: 3 }));
  if (status) ctx.rows.push(row(sec, '`confsync status` (daemon running)', s(status), 's', { goal, digits: 3 }));
  else ctx.rows.push(row(sec, '`confsync status` (daemon running)', null, 's', { status: 'FAIL', note: 'the daemon did not start within 60 s' }));
  ctx.log(`  node -e 0 ${s(node0).median.toFixed(3)} s · --version ${s(version).median.toFixed(3)} s · config get ${s(configGet).median.toFixed(3)} s · status ${status ? s(status).median.toFixed(3) : '—'} s`);
}
