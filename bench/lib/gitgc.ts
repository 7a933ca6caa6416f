/**
 * `git commit` runs `git gc --auto`, which detaches (gc.autoDetach) when the repo has more loose
 * objects than gc.auto (ConfSync sets 256): after the engine commits thousands of files, a background
 * git packs them. It is no child of the engine any more (daemonized), so the engine's CPU accounting
 * does not see it, and it keeps writing into .git after the engine stopped. Here we find it by its lock
 * file (`.git/gc.pid`: "<pid> <host>"), sample its CPU from /proc until it ends, and wait for it before
 * idle windows and before deleting temp trees. We never signal it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { now, sleep } from './measure.js';

const CLK_TCK = Number(process.env.BENCH_CLK_TCK) || 100;

function readStat(pid: number): { ppid: number; cpuMs: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // f[1] = ppid (field 4); f[11], f[12] = utime, stime (fields 14, 15)
    return { ppid: Number(f[1]), cpuMs: ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK };
  } catch {
    return null;
  }
}

/**
 * Own CPU (utime+stime) of `root` and of every live descendant, by pid. git gc spends its time in
 * children (pack-objects, ...), so the tree is sampled, not just the gc process.
 */
function treeCpu(root: number, into: Map<number, number>): void {
  let pids: number[];
  try {
    pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return;
  }
  const parent = new Map<number, { ppid: number; cpuMs: number }>();
  for (const pid of pids) {
    const s = readStat(pid);
    if (s) parent.set(pid, s);
  }
  for (const [pid, s] of parent) {
    let cur: number | undefined = pid;
    for (let hops = 0; cur && hops < 16; hops++) {
      if (cur === root) {
        into.set(pid, Math.max(into.get(pid) ?? 0, s.cpuMs));
        break;
      }
      cur = parent.get(cur)?.ppid;
    }
  }
}

export interface GcRun {
  ran: boolean;
  /** From when we started looking until the lock file went away. */
  wallMs: number;
  /** CPU of the gc process tree (gc, pack-objects, ...), from 200 ms samples: a lower bound. */
  cpuMs: number | null;
}

/** Waits for a background gc of `repo` (if one shows up within `appearMs`) to finish. */
export async function waitGitGc(repo: string, appearMs = 3000, timeoutMs = 900_000): Promise<GcRun> {
  const pidFile = join(repo, '.git', 'gc.pid');
  const t0 = now();
  while (!existsSync(pidFile) && now() - t0 < appearMs) await sleep(100);
  if (!existsSync(pidFile)) return { ran: false, wallMs: 0, cpuMs: null };
  let pid = 0;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim().split(/\s+/)[0]);
  } catch {
    /* gone already */
  }
  const seen = new Map<number, number>();
  while (existsSync(pidFile) && now() - t0 < timeoutMs) {
    if (pid) treeCpu(pid, seen);
    await sleep(200);
  }
  const cpuMs = seen.size ? [...seen.values()].reduce((a, b) => a + b, 0) : null;
  return { ran: true, wallMs: now() - t0, cpuMs };
}

/** Repos under `root` (a few levels down, never descending into a repo or a `home`). */
export function reposUnder(root: string, depth = 4): string[] {
  const out: string[] = [];
  const walk = (dir: string, d: number) => {
    if (existsSync(join(dir, '.git'))) {
      out.push(dir);
      return;
    }
    if (d === 0) return;
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory() && e.name !== 'home' && e.name !== 'tree') walk(join(dir, e.name), d - 1);
  };
  walk(root, depth);
  return out;
}

/** Waits until no background gc runs in any repo under `root`. */
export async function waitGcUnder(root: string, timeoutMs = 900_000): Promise<void> {
  for (const repo of reposUnder(root)) await waitGitGc(repo, 0, timeoutMs);
}
