/**
 * 3. Burst: 10,000 new files written in about 1 s (like an unzip or a git checkout: mkdir -p of nested
 * directories, then the files) into a watched 100-file profile, by ANOTHER process (the orchestrator),
 * while the engine runs in its child.
 *
 * Measured from the first write:
 *   quiescent  all burst files are in a commit, nothing pending in the coalescer, engine idle
 *              (AppState.safeToShutDown; no remote, so nothing waits to be pushed)
 *   commits    commits made from the first write until 3 s after quiescence (1 s in --quick)
 *   missed     burst files not in HEAD (or with other content than on disk) once the engine went
 *              quiet; if any, we keep watching up to 70 s for the 60 s safety-net rescan to pick them up
 *   peak RSS   sampled every 50 ms in the engine's process (and getrusage max)
 */
import { join } from 'node:path';
import { type Ctx, dirIn } from '../lib/ctx.js';
import { exited, startTask } from '../lib/proc.js';
import { eq, le, row } from '../lib/report.js';
import { spread } from '../lib/stats.js';
import { generateTree, writeBurst } from '../lib/tree.js';
import type { BurstParams, BurstResult } from './burst.child.js';

// ------------------------------------------------------------------------------------------ parent

export async function runBurst(ctx: Ctx): Promise<void> {
  const n = ctx.quick ? 1000 : 10_000;
  const repeats = ctx.quick ? 1 : 3;
  const results: BurstResult[] = [];
  for (let r = 0; r < repeats; r++) {
    const home = dirIn(ctx, `burst-${r}`, 'home');
    generateTree(join(home, 'tree'), 100, 5);
    const configDir = join(ctx.tmp, `burst-${r}`, 'config');
    const h = startTask<BurstResult>('burst', { home, configDir, treeRel: 'tree', prefix: 'unzipped', settleMs: ctx.quick ? 1000 : 3000 } satisfies BurstParams, { home, timeoutMs: 240_000, label: 'burst: ' });
    await h.waitEvent('ready', 120_000);
    const w = await writeBurst(join(home, 'tree'), 'unzipped', n, 1000, 100 + r);
    h.send('written', w);
    const res = await h.result;
    await exited(h.proc);
    results.push(res);
    ctx.log(
      `  #${r + 1}: ${res.files} files written in ${res.writeMs} ms; quiescent after ${res.quiescentMs === null ? 'never' : `${(res.quiescentMs / 1000).toFixed(2)} s`}, ${res.commits} commits, ${res.missed} missed, ${res.mismatched} mismatched, ${res.eventsSeen} events; reconcile passes ${Object.entries(res.passes).map(([k, v]) => `${k}×${v}`).join(' ')}, peak RSS ${res.peakRssMb.toFixed(0)} MB (before ${res.rssBeforeMb.toFixed(0)})${res.gc.ran ? `, background git gc ${(res.gc.wallMs / 1000).toFixed(1)} s` : ''}` +
        (res.errors.length ? `; errors: ${res.errors.join(' | ')}` : ''),
    );
  }
  ctx.raw.burst = results;
  const sec = `Burst ${n >= 1000 ? `${n / 1000}k` : n} files in ~1 s`;
  const q = results.map((x) => (x.quiescentMs === null ? Number.NaN : x.quiescentMs / 1000));
  ctx.rows.push(row(sec, 'time until quiescent (all committed, nothing pending)', spread(q), 's', { note: q.some((x) => Number.isNaN(x)) ? 'some runs never became complete' : undefined }));
  ctx.rows.push(row(sec, 'time of last commit', spread(results.map((x) => (x.lastCommitMs ?? Number.NaN) / 1000)), 's'));
  ctx.rows.push(row(sec, 'commits', spread(results.map((x) => x.commits)), '', { goal: le(3, 'max', ''), digits: 0 }));
  ctx.rows.push(
    row(sec, 'files missed (not in HEAD, or other content)', spread(results.map((x) => x.missed + x.mismatched)), '', {
      goal: eq(0, 'max', ''),
      digits: 0,
      note: results.some((x) => x.recoveredAfterMs !== null) ? `recovered by the rescan after ${results.map((x) => x.recoveredAfterMs).filter((x) => x !== null).map((x) => `${(x! / 1000).toFixed(0)} s`).join(', ')}` : undefined,
    }),
  );
  ctx.rows.push(row(sec, 'peak RSS of the engine process', spread(results.map((x) => Math.max(x.peakRssMb, x.maxRssMb))), 'MB', { digits: 0 }));
  ctx.rows.push(row(sec, 'watcher events seen by the engine', spread(results.map((x) => x.eventsSeen)), '', { digits: 0 }));
}
