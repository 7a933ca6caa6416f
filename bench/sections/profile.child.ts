/** Child side of the diagnosis section (see profile.ts). */
import { cpuMark, cpuSince, type CpuDelta } from '../lib/measure.js';
import { openEngine, phaseTimes, prepareConfig, resetPhases, type OpenTimes, type PhaseTimes } from '../lib/confsync.js';

export interface ProfileParams {
  home: string;
  configDir: string;
  treeRel: string;
  fresh: boolean;
}

/** Memory while the engine opened and ran its start-up sync, sampled every 100 ms. */
export interface MemoryTrace {
  /** The highest RSS seen, and the heap / off-heap figures of that sample (MB). */
  peak: { rssMb: number; heapUsedMb: number; externalMb: number; atMs: number };
  /** The highest JS heap seen (MB). */
  peakHeapMb: number;
  /** Right after the sync (MB); `liveHeapMb`: the heap after a full collection (what is really held). */
  after: { rssMb: number; heapUsedMb: number; externalMb: number; liveHeapMb: number | null };
}

export interface ProfileRun {
  times: OpenTimes;
  phases: PhaseTimes;
  cpu: CpuDelta;
  memory: MemoryTrace;
}

const mb = (n: number) => Math.round(n / 1e5) / 10;

export async function profileChild(p: ProfileParams): Promise<ProfileRun> {
  if (p.fresh) prepareConfig({ home: p.home, configDir: p.configDir, treeRel: p.treeRel });
  resetPhases();
  const t0 = performance.now();
  const peak = { rssMb: 0, heapUsedMb: 0, externalMb: 0, atMs: 0 };
  let peakHeapMb = 0;
  const sample = () => {
    const u = process.memoryUsage();
    peakHeapMb = Math.max(peakHeapMb, mb(u.heapUsed));
    if (mb(u.rss) > peak.rssMb) Object.assign(peak, { rssMb: mb(u.rss), heapUsedMb: mb(u.heapUsed), externalMb: mb(u.external), atMs: Math.round(performance.now() - t0) });
  };
  const timer = setInterval(sample, 100);
  const m = cpuMark();
  const { host, times } = await openEngine({ home: p.home, configDir: p.configDir, treeRel: p.treeRel });
  clearInterval(timer);
  sample();
  const cpu = cpuSince(m);
  const phases = phaseTimes();
  const u = process.memoryUsage();
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const after = { rssMb: mb(u.rss), heapUsedMb: mb(u.heapUsed), externalMb: mb(u.external), liveHeapMb: gc ? mb(process.memoryUsage().heapUsed) : null };
  await host.stop({ flushTimeoutMs: 60_000 });
  return { times, phases, cpu, memory: { peak, peakHeapMb, after } };
}
