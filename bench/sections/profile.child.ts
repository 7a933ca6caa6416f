/** Child side of the diagnosis section (see profile.ts). */
import { cpuMark, cpuSince, type CpuDelta } from '../lib/measure.js';
import { openEngine, phaseTimes, prepareConfig, resetPhases, type OpenTimes, type PhaseTimes } from '../lib/confsync.js';

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
  if (p.fresh) prepareConfig({ home: p.home, configDir: p.configDir, treeRel: p.treeRel });
  resetPhases();
  const m = cpuMark();
  const { host, times } = await openEngine({ home: p.home, configDir: p.configDir, treeRel: p.treeRel });
  const cpu = cpuSince(m);
  const phases = phaseTimes();
  await host.stop({ flushTimeoutMs: 60_000 });
  return { times, phases, cpu };
}
