/**
 * 2. Edit → commit and edit → pushed latency, default debounce (1000 ms from the settings).
 *
 * One engine (in a child) over a 200-file profile with a bare remote on disk. Single-file edits,
 * spaced 1.2 × debounce apart, rotate over 50 files. Timing is in-process:
 *   commit: the moment the engine's store counts a new commit (watch.commits increments, right after
 *           `git commit` returned), paired with the reconcile report that made it, which must list the
 *           edited file;
 *   pushed: the engine's `pushed` event (after `git push` succeeded) at or after that commit.
 * The engine's own measure (pushLatency: first watcher event → commit) is reported beside it, so the
 * watcher's detection delay is the difference.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { type Ctx, dirIn } from '../lib/ctx.js';
import { runTask } from '../lib/proc.js';
import { le, row } from '../lib/report.js';
import { pct, spread } from '../lib/stats.js';
import { commentable, generateTree } from '../lib/tree.js';
import type { LatencyParams, LatencyResult } from './latency.child.js';

// ------------------------------------------------------------------------------------------ parent

export async function runLatency(ctx: Ctx): Promise<void> {
  // Quick mode (CI: does the suite still run?) uses a 300 ms debounce so 20 edits fit in seconds.
  const edits = ctx.quick ? 20 : 200;
  const home = dirIn(ctx, 'latency', 'home');
  const tree = generateTree(join(home, 'tree'), 200, 42, 40);
  const remote = join(dirIn(ctx, 'latency', 'remote'), 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
  const configDir = join(ctx.tmp, 'latency', 'config');
  const r = await runTask<LatencyResult>(
    'latency',
    { home, configDir, treeRel: 'tree', remote, files: commentable(tree.sample).slice(0, 50), edits, spacingFactor: 1.2, ...(ctx.quick ? { debounceMs: 300 } : {}) } satisfies LatencyParams,
    { home, timeoutMs: edits * 1500 + 180_000, label: 'latency: ' },
  );
  ctx.raw.latency = r;
  const sec = 'Edit → commit';
  const commit = r.samples.map((s) => s.commitMs).filter((x): x is number => x !== null);
  const push = r.samples.map((s) => s.pushMs).filter((x): x is number => x !== null);
  const missing = r.samples.filter((s) => s.commitMs === null).length;
  ctx.series['edit → commit'] = commit;
  ctx.series['edit → pushed'] = push;
  const goalMs = r.debounceMs + 500;
  ctx.markers.push({ ms: goalMs, label: `goal: commit p95 ≤ ${goalMs} ms` });
  ctx.rows.push(
    row(sec, `edit → commit (debounce ${r.debounceMs} ms, ${edits} edits ${(1.2 * r.debounceMs) / 1000} s apart)`, pct(commit), 'ms', {
      goal: le(goalMs, 'p95', 'ms'),
      digits: 0,
      note: missing ? `${missing} edits never committed` : undefined,
    }),
  );
  const watchPath = r.samples.filter((s) => s.via === 'watch').map((s) => s.commitMs!);
  const syncPath = r.samples.filter((s) => s.via === 'sync').map((s) => s.commitMs!);
  ctx.rows.push(row(sec, '  … committed by its own watch batch (debounce path)', pct(watchPath), 'ms', { digits: 0, note: `${watchPath.length} of ${r.samples.length} edits` }));
  ctx.rows.push(
    row(sec, '  … committed by a sync cycle’s reconcile (before its own batch)', pct(syncPath), 'ms', {
      digits: 0,
      note: `${syncPath.length} of ${r.samples.length} edits: a full-scan cycle picked the edit up before its debounce ended`,
    }),
  );
  ctx.rows.push(row(sec, 'edit → pushed to bare remote', pct(push), 'ms', { digits: 0, note: r.remoteHasLast ? undefined : 'remote lacks the last commit!' }));
  ctx.rows.push(row(sec, "engine's own measure (first watcher event → commit)", pct(r.engineLatencyMs), 'ms', { digits: 0 }));
  ctx.rows.push(row(sec, 'commits per edit', spread([r.commits / edits]), '', { digits: 2, note: `${r.commits} commits, ${r.pushes} pushes${r.errors.length ? `; errors: ${r.errors.join(' | ')}` : ''}` }));
  ctx.log(`  edit→commit p50 ${pct(commit).p50.toFixed(0)} ms p95 ${pct(commit).p95.toFixed(0)} ms; edit→pushed p50 ${pct(push).p50.toFixed(0)} ms p95 ${pct(push).p95.toFixed(0)} ms; ${r.commits} commits, ${r.pushes} pushes`);
}
