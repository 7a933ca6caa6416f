/**
 * Scaling for the hand-drawn SVG charts on the Health tab. Pure, so the maths is unit-tested and the
 * component only draws.
 */

export type Scale = (v: number) => number;

/** Maps [d0, d1] onto [r0, r1]. A zero-width domain maps everything to the middle of the range. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): Scale {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** A "nice" step (1, 2, 2.5 or 5 × 10^n) so that about `count` steps cover `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !(count > 0)) return 1;
  const raw = span / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  const nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10;
  return nice * mag;
}

/**
 * Ticks for a value axis starting at 0 (latency and counts are never negative): 0, step, 2·step, … up to
 * the first tick ≥ max. `max` ≤ 0 gives [0, 1] so an empty chart still has an axis.
 */
export function niceTicks(max: number, count = 4, minStep = 0): { ticks: number[]; max: number } {
  if (!(max > 0)) {
    const top = minStep > 0 ? minStep : 1;
    return { ticks: [0, top], max: top };
  }
  const step = Math.max(niceStep(max, count), minStep);
  const top = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return { ticks, max: top };
}

const MIN = 60_000;
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440].map((m) => m * MIN);

/**
 * Time-axis ticks between start and end at a round step (10 min, 30 min, 1 h, …) aligned to local
 * wall-clock time. `tzOffsetMs` is the local offset from UTC (east positive); tests pass it explicitly.
 */
export function timeTicks(start: number, end: number, maxTicks = 6, tzOffsetMs = -new Date(start).getTimezoneOffset() * MIN): number[] {
  if (!(end > start)) return [start];
  const span = end - start;
  const step = TIME_STEPS.find((s) => span / s <= maxTicks) ?? TIME_STEPS[TIME_STEPS.length - 1];
  const first = Math.ceil((start + tzOffsetMs) / step) * step - tzOffsetMs;
  const out: number[] = [];
  for (let t = first; t <= end; t += step) out.push(t);
  return out;
}

/** Counts `times` into buckets of `bucketMs` covering [start, end). Times outside are ignored. */
export function bucketCounts(times: number[], start: number, end: number, bucketMs: number): { start: number; count: number }[] {
  const n = Math.max(1, Math.ceil((end - start) / bucketMs));
  const buckets = Array.from({ length: n }, (_, i) => ({ start: start + i * bucketMs, count: 0 }));
  for (const t of times) {
    if (t < start || t >= end) continue;
    const i = Math.floor((t - start) / bucketMs);
    if (i >= 0 && i < n) buckets[i].count++;
  }
  return buckets;
}

const WINDOWS_H = [1, 3, 6, 12, 24];

/**
 * The time window the charts show: the smallest of 1/3/6/12/24 hours that reaches back to the oldest
 * point, ending at `now` (rounded up to the bucket), so 10-minute buckets line up with the axis.
 */
export function chartWindow(times: number[], now: number, bucketMs = 10 * MIN): { start: number; end: number; hours: number } {
  const end = Math.ceil(now / bucketMs) * bucketMs;
  const oldest = times.length ? Math.min(...times) : end;
  const need = end - oldest;
  const hours = WINDOWS_H.find((h) => h * 60 * MIN >= need) ?? WINDOWS_H[WINDOWS_H.length - 1];
  return { start: end - hours * 60 * MIN, end, hours };
}

/** Latency axis unit: milliseconds up to 5 s, seconds above. */
export function latencyUnit(maxMs: number): { unit: 'ms' | 's'; divisor: number } {
  return maxMs >= 5000 ? { unit: 's', divisor: 1000 } : { unit: 'ms', divisor: 1 };
}

/** SVG path "M x y L x y …" through the points, rounded to 0.1 px. */
export function linePath(points: { x: number; y: number }[]): string {
  return points.map((p, i) => `${i ? 'L' : 'M'}${round1(p.x)} ${round1(p.y)}`).join(' ');
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Median of a list (0 for empty). */
export function median(values: number[]): number {
  if (!values.length) return 0;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
