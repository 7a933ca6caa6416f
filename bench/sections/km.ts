/**
 * 6. Keyboard Maestro: the poller on a generated 2,000-macro library (20 groups × 100 macros, the
 * shape of test/helpers/km-library.ts), written as a binary plist (KM's usual format) and as XML.
 *
 *   unchanged poll  KmPoller.pollNow() when the file's mtime+size match the last parse: one stat
 *   parse + diff    pollNow() after one macro changed (file replaced, as KM saves): read + decode +
 *                   normalise + diff against the previous library
 *   parse only / diff only, to split the cost
 *   memory          live heap retained by the poller's library (after gc), RSS of the process
 * Runs in its own child (so the memory figures are its own).
 */
import { type Ctx, dirIn } from '../lib/ctx.js';
import { runTask } from '../lib/proc.js';
import { le, row } from '../lib/report.js';
import { pct, spread } from '../lib/stats.js';
import type { KmParams, KmFormatResult } from './km.child.js';

// ------------------------------------------------------------------------------------------ parent

export async function runKm(ctx: Ctx): Promise<void> {
  const dir = dirIn(ctx, 'km');
  const res = await runTask<KmFormatResult[]>('km', { dir, unchangedPolls: ctx.quick ? 100 : 1000, changedPolls: ctx.quick ? 1 : 10, warmup: ctx.quick ? 0 : 2, formats: ctx.quick ? ['binary'] : ['binary', 'xml'] } satisfies KmParams, { home: dir, timeoutMs: 300_000 });
  ctx.raw.km = res;
  for (const r of res) {
    const sec = `Keyboard Maestro (2,000 macros, ${r.format}, ${(r.fileBytes / 1024).toFixed(0)} KB)`;
    ctx.rows.push(row(sec, 'unchanged poll (stat only)', pct(r.unchangedMs), 'ms', { goal: le(1, 'p95', 'ms'), digits: 3 }));
    ctx.rows.push(
      row(sec, 'one macro changed: read + parse + diff', pct(r.changedMs), 'ms', {
        goal: le(500, 'p95', 'ms'),
        digits: 1,
        note: `${spread(r.eventsPerChange).median} event(s) per change`,
      }),
    );
    ctx.rows.push(row(sec, 'parse alone', pct(r.parseMs), 'ms', { digits: 1 }));
    ctx.rows.push(row(sec, 'diff alone', pct(r.diffMs), 'ms', { digits: 2 }));
    ctx.rows.push(row(sec, 'first load', spread([r.firstLoadMs]), 'ms', { digits: 1 }));
    ctx.rows.push(row(sec, 'heap retained by the loaded library', spread([r.retainedHeapMb]), 'MB', { digits: 1 }));
    ctx.rows.push(row(sec, 'process RSS after the run', spread([r.rssMb]), 'MB', { digits: 0 }));
    ctx.log(`  ${r.format}: unchanged p95 ${pct(r.unchangedMs).p95.toFixed(3)} ms, changed p95 ${pct(r.changedMs).p95.toFixed(1)} ms (parse ${pct(r.parseMs).p50.toFixed(1)}, diff ${pct(r.diffMs).p50.toFixed(2)}), heap ${r.retainedHeapMb.toFixed(1)} MB`);
  }
}
