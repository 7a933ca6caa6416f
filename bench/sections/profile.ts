/**
 * Diagnosis (not in the default run: `--only profile [--sizes 100000]`): the engine's first run and a
 * restart over one generated tree, each in a child started with `--cpu-prof`; the profile is summed
 * by function (self time) and printed with the engine's phase probes (git time per subcommand from
 * engine.git.onProcess, scan and reconcile from the `scanned` / `reconciled` events). Git's own CPU is
 * not in a Node profile: the probes give its wall time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Ctx, dirIn } from '../lib/ctx.js';
import { runTask } from '../lib/proc.js';
import { row } from '../lib/report.js';
import { spread } from '../lib/stats.js';
import { generateTree } from '../lib/tree.js';
import type { ProfileParams, ProfileRun } from './profile.child.js';

// ------------------------------------------------------------------------------------------ parent

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface FnCost {
  fn: string;
  selfMs: number;
  pct: number;
}

function summarise(file: string, top = 25): { totalMs: number; fns: FnCost[] } {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const node = byId.get(prof.samples[i]!);
    const dt = (prof.timeDeltas[i] ?? 0) / 1000;
    if (!node) continue;
    const cf = node.callFrame;
    if (cf.functionName === '(idle)') continue;
    const file = cf.url ? cf.url.split('/').slice(-2).join('/') : '';
    const key = `${cf.functionName || '(anonymous)'}${file ? ` ${file}:${cf.lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  }
  const fns = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, ms]) => ({ fn, selfMs: ms, pct: (ms / total) * 100 }));
  return { totalMs: total, fns };
}

export async function runProfile(ctx: Ctx): Promise<void> {
  const n = ctx.opts.sizes?.[0] ?? (ctx.quick ? 1000 : 100_000);
  const home = dirIn(ctx, 'profile', 'home');
  const tree = generateTree(join(home, 'tree'), n, n);
  ctx.log(`  tree: ${tree.files} files`);
  const configDir = join(ctx.tmp, 'profile', 'config');
  const out: Record<string, unknown> = {};
  for (const [label, fresh] of [
    ['first run', true],
    ['restart', false],
  ] as const) {
    const profDir = dirIn(ctx, 'profile', `prof-${fresh ? 'first' : 'restart'}`);
    const run = await runTask<ProfileRun>('profile', { home, configDir, treeRel: 'tree', fresh } satisfies ProfileParams, {
      home,
      timeoutMs: 900_000,
      execArgv: ['--expose-gc', '--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=500'],
    });
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    const summary = file ? summarise(join(profDir, file)) : null;
    out[label] = { run, summary };
    const ph = run.phases;
    const git = Object.entries(ph.git).sort((a, b) => b[1].ms - a[1].ms);
    const gitMs = git.reduce((s, [, v]) => s + v.ms, 0);
    ctx.log(
      `  ${label}: ready ${(run.times.readyMs / 1000).toFixed(1)} s (open + watch ${(run.times.openMs / 1000).toFixed(1)}, start-up sync ${(run.times.initialSyncMs / 1000).toFixed(1)}); CPU ${(run.cpu.selfMs / 1000).toFixed(1)} s in Node + ${(run.cpu.childrenMs / 1000).toFixed(1)} s in git`,
    );
    ctx.log(`    reconcile ${(ph.reconcileMs / 1000).toFixed(1)} s (${ph.reconcileCalls}×): scan ${(ph.scanMs / 1000).toFixed(1)} s (${ph.scanCalls}×), git ${(gitMs / 1000).toFixed(1)} s wall (processes of the start-up sync; Engine.open's are before the probes attach)`);
    const mem = run.memory;
    ctx.log(`    memory: peak RSS ${mem.peak.rssMb} MB at ${(mem.peak.atMs / 1000).toFixed(1)} s, ${mem.peak.atMs <= run.times.openMs ? 'opening' : 'in the start-up sync'} (heap ${mem.peak.heapUsedMb} MB, off-heap ${mem.peak.externalMb} MB), peak heap ${mem.peakHeapMb} MB; after the sync RSS ${mem.after.rssMb} MB, heap ${mem.after.heapUsedMb} MB (${mem.after.liveHeapMb ?? '?'} MB held after a full GC)`);
    ctx.log(`    git: ${git.map(([k, v]) => `${k} ${v.calls}× ${(v.ms / 1000).toFixed(2)} s`).join(', ')}`);
    if (summary) {
      ctx.log(`    CPU profile (${(summary.totalMs / 1000).toFixed(1)} s sampled, self time):`);
      for (const f of summary.fns.slice(0, 15)) ctx.log(`      ${f.pct.toFixed(1).padStart(5)} %  ${(f.selfMs / 1000).toFixed(2).padStart(6)} s  ${f.fn}`);
    }
    const sec = `Diagnosis ${n >= 1000 ? `${n / 1000}k` : n} files`;
    ctx.rows.push(row(sec, `engine ${label}: ready`, spread([run.times.readyMs / 1000]), 's'));
    ctx.rows.push(row(sec, `engine ${label}: peak RSS / peak heap`, spread([mem.peak.rssMb]), 'MB', { note: `peak heap ${mem.peakHeapMb} MB; after the sync RSS ${mem.after.rssMb} MB, heap ${mem.after.heapUsedMb} MB, ${mem.after.liveHeapMb ?? '?'} MB held` }));
    ctx.rows.push(row(sec, `engine ${label}: reconcile (hash + copy + commit)`, spread([ph.reconcileMs / 1000]), 's'));
    ctx.rows.push(row(sec, `engine ${label}: git wall time`, spread([gitMs / 1000]), 's', { note: git.slice(0, 3).map(([k, v]) => `${k} ${(v.ms / 1000).toFixed(1)} s/${v.calls}×`).join(', ') }));
  }
  ctx.raw.profile = out;
}
