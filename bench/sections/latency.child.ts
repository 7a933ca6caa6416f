/** Child side of the edit → commit section (see latency.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { now, sleep } from '../lib/measure.js';
import { openEngine, prepareConfig, repoPathOf, gitOut } from '../lib/confsync.js';
import { log } from '../lib/ipc.js';

export interface LatencyParams {
  home: string;
  configDir: string;
  treeRel: string;
  remote: string;
  files: string[];
  edits: number;
  spacingFactor: number;
  /** Override of sync.debounceMs (quick mode only); default: the settings' default. */
  debounceMs?: number;
}

export interface EditSample {
  i: number;
  rel: string;
  writtenAt: number;
  commitMs: number | null;
  pushMs: number | null;
  /** Which reconcile committed it: a watch batch, or the sync cycle's full scan (kick / schedule). */
  via: 'watch' | 'sync' | null;
}

export interface LatencyResult {
  debounceMs: number;
  samples: EditSample[];
  commits: number;
  pushes: number;
  engineLatencyMs: number[];
  remoteHasLast: boolean;
  errors: string[];
}

export async function latencyChild(p: LatencyParams): Promise<LatencyResult> {
  prepareConfig({ home: p.home, configDir: p.configDir, treeRel: p.treeRel, remote: p.remote, settings: p.debounceMs ? { sync: { debounceMs: p.debounceMs } } : undefined });
  const { host, engine, times } = await openEngine({ home: p.home, configDir: p.configDir, treeRel: p.treeRel, remote: p.remote });
  if (times.result?.kind !== 'ok') throw new Error(`start-up sync: ${times.result?.kind} ${times.result?.message}`);
  const debounceMs = engine.cfg.sync.debounceMs;
  const spacing = debounceMs * p.spacingFactor;

  let commitCount = engine.store.getState().watch.commits;
  let lastIncrementAt = 0;
  engine.store.subscribe((st) => {
    if (st.watch.commits !== commitCount) {
      commitCount = st.watch.commits;
      lastIncrementAt = now();
    }
  });
  const commits: { at: number; oid: string; paths: Set<string>; via: 'watch' | 'sync' }[] = [];
  engine.events.on('reconciled', (r) => {
    if (r.commit) commits.push({ at: lastIncrementAt || now(), oid: r.commit, paths: new Set(r.committed), via: r.reason === 'watch' ? 'watch' : 'sync' });
  });
  const pushes: { at: number; head: string }[] = [];
  engine.events.on('pushed', ({ head }) => pushes.push({ at: now(), head }));
  const latency0 = engine.store.getState().latency.length;

  const edits: { i: number; rel: string; repo: string; at: number }[] = [];
  const t0 = now();
  for (let i = 0; i < p.edits; i++) {
    const due = t0 + i * spacing;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    const rel = p.files[i % p.files.length]!;
    const abs = join(p.home, p.treeRel, rel);
    const base = readFileSync(abs, 'utf8').replace(/# bench edit \d+\n$/, '');
    const content = `${base}# bench edit ${i}\n`;
    const at = now();
    writeFileSync(abs, content);
    edits.push({ i, rel, repo: repoPathOf(p.treeRel, rel), at });
    if ((i + 1) % 50 === 0) log(`${i + 1}/${p.edits} edits`);
  }
  // Wait for the last edit to be committed and pushed.
  const last = edits[edits.length - 1]!;
  const deadline = now() + 60_000;
  while (now() < deadline) {
    const c = commits.find((x) => x.at >= last.at && x.paths.has(last.repo));
    if (c && pushes.some((x) => x.at >= c.at)) break;
    await sleep(50);
  }
  const samples: EditSample[] = edits.map((e) => {
    const c = commits.find((x) => x.at >= e.at && x.paths.has(e.repo));
    const pu = c ? pushes.find((x) => x.at >= c.at) : undefined;
    return { i: e.i, rel: e.rel, writtenAt: e.at, commitMs: c ? c.at - e.at : null, pushMs: pu ? pu.at - e.at : null, via: c?.via ?? null };
  });
  const engineLatencyMs = engine.store.getState().latency.slice(latency0).map((l) => l.ms);
  const errors = engine.store.getState().errors.slice(0, 5).map((e) => `${e.source}: ${e.message}`);
  const headNow = commits[commits.length - 1]?.oid ?? '';
  const remoteHasLast = headNow ? (await gitOut(p.remote, ['cat-file', '-t', headNow]).catch(() => '')).trim() === 'commit' : false;
  await host.stop({ flushTimeoutMs: 30_000 });
  return { debounceMs, samples, commits: commits.length, pushes: pushes.length, engineLatencyMs, remoteHasLast, errors };
}
