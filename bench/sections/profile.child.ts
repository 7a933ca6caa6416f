/** Child side of the diagnosis section (see profile.ts). */
import { cpuMark, cpuSince, now, type CpuDelta } from '../lib/measure.js';
import { installProbes, openEngine, phaseTimes, prepareConfig, resetPhases, type OpenTimes, type PhaseTimes } from '../lib/confsync.js';

export interface ProfileParams {
  home: string;
  configDir: string;
  treeRel: string;
  fresh: boolean;
}

export interface ProfileRun {
  times: OpenTimes;
  phases: PhaseTimes;
  cpu: CpuDelta;
}

export async function profileChild(p: ProfileParams): Promise<ProfileRun> {
  installProbes();
  if (p.fresh) prepareConfig({ home: p.home, configDir: p.configDir, treeRel: p.treeRel });
  resetPhases();
  const m = cpuMark();
  const { engine, times } = await openEngine({ home: p.home, configDir: p.configDir, treeRel: p.treeRel });
  const cpu = cpuSince(m);
  const phases = phaseTimes();
  const t = now();
  await engine.stop({ flushTimeoutMs: 60_000 });
  void t;
  return { times, phases, cpu };
}
