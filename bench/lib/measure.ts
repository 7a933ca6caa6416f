/**
 * Clocks and resource meters used inside measurement processes.
 *
 * CPU is counted for this process (process.cpuUsage) AND for the child processes it has waited for
 * (git, spawned by simple-git): on Linux /proc/self/stat fields 16/17 (cutime/cstime, clock ticks).
 * Elsewhere the children part reads as 0 and the result says so.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Wall clock in epoch ms with sub-ms resolution; comparable across processes on one machine. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A sleep that does not keep the process alive (for timeouts raced against other work). */
export const sleepUnref = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

const CLK_TCK = Number(process.env.BENCH_CLK_TCK) || 100;

/** CPU time (ms) of children this process has reaped, or null when /proc is not available. */
export function childrenCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); cutime is field 16, cstime field 17.
    const cutime = Number(rest[13]);
    const cstime = Number(rest[14]);
    if (!Number.isFinite(cutime) || !Number.isFinite(cstime)) return null;
    return ((cutime + cstime) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

export interface CpuMark {
  at: number;
  self: NodeJS.CpuUsage;
  children: number | null;
}

export function cpuMark(): CpuMark {
  return { at: now(), self: process.cpuUsage(), children: childrenCpuMs() };
}

export interface CpuDelta {
  wallMs: number;
  /** This process, ms. */
  selfMs: number;
  /** Reaped children (git), ms; 0 when unknown. */
  childrenMs: number;
  /** (self + children) / wall, in % of one core. */
  pctOfCore: number;
  /** self / wall, in % of one core. */
  selfPct: number;
}

export function cpuSince(m: CpuMark): CpuDelta {
  const d = process.cpuUsage(m.self);
  const wallMs = now() - m.at;
  const selfMs = (d.user + d.system) / 1000;
  const c = childrenCpuMs();
  const childrenMs = c !== null && m.children !== null ? c - m.children : 0;
  return { wallMs, selfMs, childrenMs, pctOfCore: ((selfMs + childrenMs) / wallMs) * 100, selfPct: (selfMs / wallMs) * 100 };
}

export const MB = 1024 * 1024;

export interface MemSample {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  /** Peak RSS of the whole process so far (getrusage ru_maxrss). */
  maxRssMb: number;
}

/** Memory now; with `--expose-gc`, after a full collection when `collect` is set. */
export function memory(collect = false): MemSample {
  const g = (globalThis as { gc?: () => void }).gc;
  if (collect && g) {
    g();
    g();
  }
  const m = process.memoryUsage();
  return {
    rssMb: m.rss / MB,
    heapUsedMb: m.heapUsed / MB,
    heapTotalMb: m.heapTotal / MB,
    externalMb: (m.external + m.arrayBuffers) / MB,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

/** Samples RSS every `everyMs` and keeps the maximum (catches peaks between getrusage reads too). */
export class RssSampler {
  private timer: NodeJS.Timeout | null = null;
  peakMb = 0;
  constructor(private readonly everyMs = 50) {}
  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
    return this;
  }
  sample(): void {
    const r = process.memoryUsage.rss() / MB;
    if (r > this.peakMb) this.peakMb = r;
  }
  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    return this.peakMb;
  }
}

/** Idle CPU over `windows` consecutive windows of `windowMs`, plus RSS at the end. */
export async function idleWindows(windows: number, windowMs: number): Promise<{ windows: CpuDelta[]; total: CpuDelta }> {
  const first = cpuMark();
  const out: CpuDelta[] = [];
  for (let i = 0; i < windows; i++) {
    const m = cpuMark();
    await sleep(windowMs);
    out.push(cpuSince(m));
  }
  return { windows: out, total: cpuSince(first) };
}
