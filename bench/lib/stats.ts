/**
 * Summaries used by every figure: min/median/max over repeats, or p50/p95/p99 over latency samples.
 * Percentiles use the nearest-rank method (a reported p95 is a value that was actually observed).
 */

export interface Spread {
  kind: 'spread';
  n: number;
  min: number;
  median: number;
  max: number;
}

export interface Percentiles {
  kind: 'pct';
  n: number;
  p50: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

export type Summary = Spread | Percentiles;

function sorted(xs: number[]): number[] {
  return [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
}

/** Nearest-rank percentile of an ascending array (q in 0..100). */
export function percentile(asc: number[], q: number): number {
  if (asc.length === 0) return Number.NaN;
  const rank = Math.ceil((q / 100) * asc.length);
  return asc[Math.min(asc.length - 1, Math.max(0, rank - 1))]!;
}

export function median(xs: number[]): number {
  const s = sorted(xs);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function spread(xs: number[]): Spread {
  const s = sorted(xs);
  return { kind: 'spread', n: s.length, min: s[0] ?? Number.NaN, median: median(s), max: s[s.length - 1] ?? Number.NaN };
}

export function pct(xs: number[]): Percentiles {
  const s = sorted(xs);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : Number.NaN;
  return {
    kind: 'pct',
    n: s.length,
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    min: s[0] ?? Number.NaN,
    max: s[s.length - 1] ?? Number.NaN,
    mean,
  };
}

/** The value a goal is judged on: the median of a spread, the p95 of latencies unless told otherwise. */
export function headline(s: Summary, which?: 'p50' | 'p95' | 'p99' | 'median' | 'max'): number {
  if (s.kind === 'spread') return which === 'max' ? s.max : s.median;
  if (which === 'p50') return s.p50;
  if (which === 'p99') return s.p99;
  if (which === 'max') return s.max;
  return s.p95;
}

export function fmtNum(x: number, digits?: number): string {
  if (!Number.isFinite(x)) return '—';
  const d = digits ?? (Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : Math.abs(x) >= 1 ? 2 : 3);
  return x.toFixed(d);
}

export function fmtSummary(s: Summary, digits?: number): string {
  if (s.n === 0) return '—';
  if (s.kind === 'spread') return s.n === 1 ? fmtNum(s.median, digits) : `${fmtNum(s.min, digits)} / ${fmtNum(s.median, digits)} / ${fmtNum(s.max, digits)}`;
  return `${fmtNum(s.p50, digits)} / ${fmtNum(s.p95, digits)} / ${fmtNum(s.p99, digits)}`;
}
