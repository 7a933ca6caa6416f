import { describe, expect, it } from 'vitest';
import { bucketCounts, chartWindow, latencyUnit, linePath, linearScale, median, niceStep, niceTicks, timeTicks } from '../../../renderer/lib/chart';

const MIN = 60_000;

describe('chart scaling', () => {
  it('linearScale maps domain onto range (inverted y too)', () => {
    const x = linearScale(0, 100, 50, 550);
    expect(x(0)).toBe(50);
    expect(x(50)).toBe(300);
    expect(x(100)).toBe(550);
    const y = linearScale(0, 10, 150, 10);
    expect(y(0)).toBe(150);
    expect(y(10)).toBe(10);
    expect(linearScale(5, 5, 0, 100)(5)).toBe(50);
  });

  it('niceStep picks 1/2/2.5/5 × 10^n', () => {
    expect(niceStep(100, 4)).toBe(25);
    expect(niceStep(1000, 5)).toBe(200);
    expect(niceStep(7, 4)).toBe(2);
    expect(niceStep(0.9, 4)).toBe(0.25);
  });

  it('niceTicks start at zero and cover the maximum', () => {
    expect(niceTicks(870, 4)).toEqual({ ticks: [0, 250, 500, 750, 1000], max: 1000 });
    expect(niceTicks(1000, 4)).toEqual({ ticks: [0, 250, 500, 750, 1000], max: 1000 });
    expect(niceTicks(0)).toEqual({ ticks: [0, 1], max: 1 });
    // Counts: integer steps only.
    expect(niceTicks(3, 4, 1)).toEqual({ ticks: [0, 1, 2, 3], max: 3 });
    expect(niceTicks(0, 4, 1)).toEqual({ ticks: [0, 1], max: 1 });
  });

  it('timeTicks land on round local times', () => {
    const start = Date.UTC(2026, 2, 12, 11, 7);
    const end = start + 3 * 60 * MIN;
    const ticks = timeTicks(start, end, 6, 0);
    expect(ticks[0]).toBe(Date.UTC(2026, 2, 12, 11, 30));
    expect(ticks[1] - ticks[0]).toBe(30 * MIN);
    expect(ticks.every((t) => t >= start && t <= end)).toBe(true);
    expect(ticks.length).toBeLessThanOrEqual(6);
    // With a +5:30 offset the ticks are on the local half hours, not UTC ones.
    const ist = timeTicks(start, end, 6, 330 * MIN);
    expect(((ist[0] + 330 * MIN) / MIN) % 30).toBe(0);
  });

  it('bucketCounts counts per 10 minutes, ignoring outsiders', () => {
    const start = 0;
    const end = 60 * MIN;
    const b = bucketCounts([0, 5 * MIN, 9 * MIN, 10 * MIN, 59 * MIN, 60 * MIN, -1], start, end, 10 * MIN);
    expect(b.map((x) => x.count)).toEqual([3, 1, 0, 0, 0, 1]);
    expect(b[1].start).toBe(10 * MIN);
  });

  it('chartWindow picks the smallest window reaching the oldest point', () => {
    const now = 1000 * 60 * MIN + 3 * MIN;
    expect(chartWindow([], now).hours).toBe(1);
    expect(chartWindow([now - 50 * MIN], now).hours).toBe(1);
    expect(chartWindow([now - 2 * 60 * MIN], now).hours).toBe(3);
    expect(chartWindow([now - 30 * 60 * MIN], now).hours).toBe(24);
    const w = chartWindow([], now);
    expect(w.end % (10 * MIN)).toBe(0);
    expect(w.end).toBeGreaterThanOrEqual(now);
    expect(w.end - w.start).toBe(60 * MIN);
  });

  it('latencyUnit switches to seconds for slow commits', () => {
    expect(latencyUnit(900)).toEqual({ unit: 'ms', divisor: 1 });
    expect(latencyUnit(12_000)).toEqual({ unit: 's', divisor: 1000 });
  });

  it('linePath and median', () => {
    expect(linePath([{ x: 1, y: 2 }, { x: 3.14159, y: 4 }])).toBe('M1 2 L3.1 4');
    expect(median([])).toBe(0);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
