/**
 * 7. Git processes per watched edit: how many git processes one small edit costs, from the write to
 * the push that carries it.
 *
 * One engine (in a child, opened through openHost like every host) watches a 50-file profile with
 * default settings and a bare remote on disk. Single-file edits, each made once the engine is quiet
 * again (idle, nothing pending or unpushed, no git process for 1.5 s), so every edit is its own
 * debounced batch → commit → kick → sync cycle → push. Every git process the engine runs is reported
 * by its GitRunner (`engine.git.onProcess`: arguments and wall time, so start = end − wall time).
 *   edit → pushed   processes that started after the write and ended before the `pushed` event of a
 *                   head containing the edit's commit (the `committed` event listing the file);
 *   until quiet     every process started after the write until the engine is quiet again (includes
 *                   the bookkeeping after the push: ahead count, repo state refresh).
 * Then a scheduled sync with nothing to do: `engine.syncNow({ reason: 'schedule' })` with the engine
 * idle (what the schedule runs every intervalSec), counted the same way.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { type Ctx, dirIn } from '../lib/ctx.js';
import { runTask } from '../lib/proc.js';
import { le, row } from '../lib/report.js';
import { median, spread } from '../lib/stats.js';
import { commentable, generateTree } from '../lib/tree.js';
import type { ProcCount, ProcsParams, ProcsResult } from './procs.child.js';

// ------------------------------------------------------------------------------------------ parent

export const PROCS_GOAL = 8;

/** subcommand → per-sample call counts (0 where a sample ran none), most frequent first. */
function bySub(samples: ProcCount[]): [string, number[], number[]][] {
  const subs = new Set(samples.flatMap((s) => Object.keys(s.bySub)));
  return [...subs]
    .map((k): [string, number[], number[]] => [k, samples.map((s) => s.bySub[k]?.calls ?? 0), samples.map((s) => s.bySub[k]?.ms ?? 0)])
    .sort((a, b) => median(b[1]) - median(a[1]) || Math.max(...b[1]) - Math.max(...a[1]) || a[0].localeCompare(b[0]));
}

/** The maintenance feature's one process (features/maintenance.ts). */
const MAINTENANCE_SUB = 'repack';

/** "rev-parse 3, rev-list 2 (max 3), …" */
function breakdown(samples: ProcCount[]): string {
  return bySub(samples)
    .map(([k, calls]) => {
      const med = median(calls);
      const max = Math.max(...calls);
      return `${k} ${Number.isInteger(med) ? med : med.toFixed(1)}${max !== med ? ` (max ${max})` : ''}`;
    })
    .join(', ');
}

export async function runProcs(ctx: Ctx): Promise<void> {
  const edits = ctx.quick ? 5 : 20;
  const idleSyncs = ctx.quick ? 2 : 5;
  const home = dirIn(ctx, 'procs', 'home');
  const tree = generateTree(join(home, 'tree'), 50, 31, 25);
  const remote = join(dirIn(ctx, 'procs', 'remote'), 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
  const configDir = join(ctx.tmp, 'procs', 'config');
  const r = await runTask<ProcsResult>(
    'procs',
    { home, configDir, treeRel: 'tree', remote, files: commentable(tree.sample).slice(0, 25), edits, idleSyncs, quietMs: 1500 } satisfies ProcsParams,
    { home, timeoutMs: (edits + idleSyncs) * 70_000 + 120_000, label: 'procs: ' },
  );
  ctx.raw.procs = r;
  const sec = 'Git processes per edit';
  const pushed = r.edits.map((e) => e.toPushed).filter((x): x is ProcCount => x !== null);
  const lost = r.edits.length - pushed.length;
  const notes = [lost ? `${lost} edits never pushed` : '', r.remoteHasLast ? '' : 'remote lacks the last commit!', r.errors.length ? `errors: ${r.errors.join(' | ')}` : ''].filter(Boolean);
  // The store's upkeep (the maintenance feature's `repack`, amortised: one per ~256 KiB of new objects)
  // is not part of an edit's way to the remote; when one falls in an edit's window it is named apart.
  const upkeep = (x: ProcCount) => x.bySub[MAINTENANCE_SUB]?.calls ?? 0;
  const repacks = pushed.reduce((n, x) => n + upkeep(x), 0);
  ctx.rows.push(
    row(sec, `git processes per watched edit, edit → pushed (${edits} edits, debounce ${r.debounceMs} ms, bare remote)`, spread(pushed.map((x) => x.n - upkeep(x))), 'processes', {
      goal: le(PROCS_GOAL, 'max', 'processes'),
      digits: 0,
      note: [breakdown(pushed), repacks ? `the store's upkeep (${MAINTENANCE_SUB}, counted apart): ${repacks} in ${pushed.length} edits` : '', ...notes].filter(Boolean).join('; '),
    }),
  );
  for (const [sub, calls, ms] of bySub(pushed)) {
    ctx.rows.push(row(sec, `  … git ${sub}`, spread(calls), 'processes', { digits: 0, note: `${median(ms).toFixed(0)} ms wall per edit (median)` }));
  }
  ctx.rows.push(row(sec, 'git wall time per edit, edit → pushed', spread(pushed.map((x) => x.ms)), 'ms', { digits: 0, note: 'summed wall time of the processes (they run one at a time)' }));
  const quiet = r.edits.map((e) => e.toQuiet);
  ctx.rows.push(row(sec, 'git processes per watched edit, until the engine is quiet again', spread(quiet.map((x) => x.n)), 'processes', { digits: 0, note: breakdown(quiet) }));
  ctx.rows.push(
    row(sec, 'edit → pushed', spread(r.edits.map((e) => e.pushMs ?? Number.NaN)), 'ms', {
      digits: 0,
      note: `commits per edit: ${[...new Set(r.edits.map((e) => e.commits))].sort((a, b) => a - b).join(' / ')}`,
    }),
  );
  const idleCall = r.idle.map((x) => x.inCall);
  const idleQuiet = r.idle.map((x) => x.toQuiet);
  const kinds = [...new Set(r.idle.map((x) => x.kind))].join(', ');
  ctx.rows.push(
    row(sec, `scheduled sync with nothing to do: git processes (${r.idle.length} syncs, every ${r.intervalSec} s)`, spread(idleCall.map((x) => x.n)), 'processes', {
      digits: 0,
      note: `${breakdown(idleCall)}; result ${kinds}; until quiet ${spread(idleQuiet.map((x) => x.n)).median}`,
    }),
  );
  ctx.rows.push(row(sec, 'scheduled sync with nothing to do: wall time', spread(r.idle.map((x) => x.ms)), 'ms', { digits: 0, note: `git ${median(idleCall.map((x) => x.ms)).toFixed(0)} ms of it` }));
  const startN = Object.values(r.startup).reduce((s, v) => s + v.calls, 0);
  ctx.rows.push(
    row(sec, 'start-up sync cycle (first run, 50 files, empty remote): git processes', spread([startN]), 'processes', {
      digits: 0,
      note: `${Object.entries(r.startup)
        .sort((a, b) => b[1].calls - a[1].calls)
        .map(([k, v]) => `${k} ${v.calls}`)
        .join(', ')} (Engine.open's own processes are not observable)`,
    }),
  );
  const med = spread(pushed.map((x) => x.n));
  ctx.log(`  per edit (edit → pushed): median ${med.median}, max ${med.max} processes: ${breakdown(pushed)}`);
  ctx.log(`  per edit until quiet: median ${median(quiet.map((x) => x.n))}: ${breakdown(quiet)}`);
  ctx.log(`  idle scheduled sync: median ${median(idleCall.map((x) => x.n))} processes (${breakdown(idleCall)}), ${median(r.idle.map((x) => x.ms)).toFixed(0)} ms`);
}
