/** Child side of the burst section (see burst.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { blobOid } from '../../electron/engine/snapshot/hash.js';
import { memory, now, RssSampler, sleep } from '../lib/measure.js';
import { headTree, openEngine, prepareConfig, repoPathOf, PROFILE } from '../lib/confsync.js';
import { emit, waitCommand, log } from '../lib/ipc.js';
import { waitGitGc, type GcRun } from '../lib/gitgc.js';

export interface BurstParams {
  home: string;
  configDir: string;
  treeRel: string;
  prefix: string;
  /** Wait after quiescence before counting commits. */
  settleMs: number;
}

export interface BurstResult {
  files: number;
  writeMs: number;
  quiescentMs: number | null;
  lastCommitMs: number | null;
  commits: number;
  missed: number;
  mismatched: number;
  recoveredAfterMs: number | null;
  peakRssMb: number;
  maxRssMb: number;
  rssBeforeMb: number;
  eventsSeen: number;
  batches: number;
  /** Reconcile passes during the burst by kind (see burstChild). */
  passes: Record<string, number>;
  /** Background `git gc --auto` after the burst's commit. */
  gc: GcRun;
  errors: string[];
}

export async function burstChild(p: BurstParams): Promise<BurstResult> {
  prepareConfig({ home: p.home, configDir: p.configDir, treeRel: p.treeRel });
  const { host, engine, times } = await openEngine({ home: p.home, configDir: p.configDir, treeRel: p.treeRel });
  if (times.result?.kind !== 'local-only') throw new Error(`start-up sync: ${times.result?.kind} ${times.result?.message}`);
  const repo = join(p.configDir, 'repo');
  const commitTimes: number[] = [];
  let commitCount = engine.store.getState().watch.commits;
  engine.store.subscribe((st) => {
    if (st.watch.commits !== commitCount) {
      commitCount = st.watch.commits;
      commitTimes.push(now());
    }
  });
  const committed = new Set<string>();
  const passes: Record<string, number> = {};
  engine.events.on('reconciled', (r) => {
    // watch+paths: a normal batch; watch+all: a batch with addDir/overflow (rescan of everything);
    // sync+all: the sync cycle (kick() after a commit, or the schedule).
    const key = `${r.reason === 'watch' ? 'watch' : 'sync'}+${r.scope === 'all' ? 'all' : 'paths'}`;
    passes[key] = (passes[key] ?? 0) + 1;
    for (const x of r.committed) committed.add(x);
  });
  const events0 = engine.store.getState().watch.eventsSeen;
  const batches0 = engine.store.getState().watch.batches;
  await sleep(500);
  const rssBeforeMb = memory(true).rssMb;
  const sampler = new RssSampler(50).start();
  emit('ready');
  const w = await waitCommand<{ paths: string[]; startedAt: number; endedAt: number }>('written');
  const t0 = w.startedAt;
  const expected = w.paths.map((rel) => repoPathOf(p.treeRel, rel));
  const idle = () => {
    const st = engine.store.getState();
    return st.safeToShutDown && st.watch.pendingPaths === 0;
  };
  let quiescentAt: number | null = null;
  const deadline = t0 + 90_000;
  let quietSince: number | null = null;
  while (now() < deadline) {
    if (idle()) {
      if (expected.every((x) => committed.has(x))) {
        quiescentAt = now();
        break;
      }
      quietSince ??= now();
      // Quiet for 5 s after the debounce window with files still missing: the engine has given up.
      if (now() - quietSince > 5_000 && now() > w.endedAt + 3_000) break;
    } else {
      quietSince = null;
    }
    await sleep(20);
  }
  const lastCommitAt = commitTimes.length ? commitTimes[commitTimes.length - 1]! : null;
  await sleep(p.settleMs);
  const countCommits = () => commitTimes.filter((t) => t >= t0).length;
  const verify = async () => {
    const head = await headTree(repo, `${PROFILE}/${p.treeRel}/${p.prefix}`);
    let missed = 0;
    let mismatched = 0;
    for (let i = 0; i < w.paths.length; i++) {
      const oid = head.get(expected[i]!);
      if (!oid) missed++;
      else if (oid !== blobOid(readFileSync(join(p.home, p.treeRel, w.paths[i]!)))) mismatched++;
    }
    return { missed, mismatched };
  };
  const v = await verify();
  let recoveredAfterMs: number | null = null;
  if (v.missed + v.mismatched > 0) {
    log(`burst: ${v.missed} missed, ${v.mismatched} mismatched at quiet; waiting for the safety-net rescan`);
    while (now() < t0 + 75_000) {
      await sleep(1000);
      const v2 = await verify();
      if (v2.missed + v2.mismatched === 0) {
        recoveredAfterMs = now() - t0;
        break;
      }
    }
  }
  const peakRssMb = sampler.stop();
  const gc = await waitGitGc(repo, 500);
  const st = engine.store.getState();
  const result: BurstResult = {
    files: w.paths.length,
    writeMs: w.endedAt - w.startedAt,
    quiescentMs: quiescentAt !== null ? quiescentAt - t0 : null,
    lastCommitMs: lastCommitAt !== null ? lastCommitAt - t0 : null,
    commits: countCommits(),
    missed: v.missed,
    mismatched: v.mismatched,
    recoveredAfterMs,
    peakRssMb,
    maxRssMb: memory().maxRssMb,
    rssBeforeMb,
    eventsSeen: st.watch.eventsSeen - events0,
    batches: st.watch.batches - batches0,
    passes,
    gc,
    errors: st.errors.slice(0, 5).map((e) => `${e.source}: ${e.message}`),
  };
  await host.stop({ flushTimeoutMs: 60_000 });
  return result;
}
