/**
 * 4. Event pipeline: synthetic raw watcher events through the ignore filter (built-in noise, profile
 * excludes, a gitignore layer) and the Coalescer (LocalWatch's settings: debounce 1000, maxWait
 * 10000, maxPending 100000), flushed into one batch. Time per batch = filter + push + flush until
 * onBatch has the batch; events/s from that. The mix: 70 % change, 15 % add, 5 % unlink, 10 % noise
 * names (swap files, *.tmp, .DS_Store, write-file-atomic temp names), a quarter of paths seen twice.
 * Runs in a child; the filter is long-lived (warm caches, as in the app), a new Coalescer per batch.
 */
import { type Ctx } from '../lib/ctx.js';
import { runTask } from '../lib/proc.js';
import { le, row } from '../lib/report.js';
import { pct, spread } from '../lib/stats.js';
import type { PipelineParams, PipelineResult } from './pipeline.child.js';

// ------------------------------------------------------------------------------------------ parent

export async function runPipeline(ctx: Ctx): Promise<void> {
  const sizes = ctx.quick
    ? [
        { n: 1000, warmup: 10, repeats: 50 },
        { n: 100_000, warmup: 1, repeats: 3 },
      ]
    : [
        { n: 1000, warmup: 20, repeats: 300 },
        { n: 100_000, warmup: 2, repeats: 10 },
      ];
  const home = ctx.tmp;
  const results = await runTask<PipelineResult[]>('pipeline', { sizes } satisfies PipelineParams, { home, timeoutMs: 300_000 });
  ctx.raw.pipeline = results;
  for (const r of results) {
    const sec = 'Event pipeline';
    const label = r.n >= 1000 ? `${r.n / 1000}k` : String(r.n);
    const total = pct(r.totalMs);
    ctx.rows.push(row(sec, `${label} events → filter + Coalescer → batch`, total, 'ms', { goal: r.n === 1000 ? le(20, 'p95', 'ms') : undefined, digits: 2, note: `${r.kept} kept, ${r.changes} changes in the batch` }));
    ctx.rows.push(row(sec, `${label} events: ignore filter share`, pct(r.filterMs), 'ms', { digits: 2 }));
    ctx.rows.push(row(sec, `${label} events: coalescer share`, pct(r.coalesceMs), 'ms', { digits: 2 }));
    ctx.rows.push(row(sec, `${label} events: throughput per batch`, spread(r.totalMs.map((ms) => r.n / (ms / 1000))), 'events/s', { digits: 0 }));
    ctx.log(`  ${label}: p50 ${total.p50.toFixed(2)} ms, p95 ${total.p95.toFixed(2)} ms → ${(r.n / (total.p50 / 1000)).toFixed(0)} events/s at p50`);
  }
}
