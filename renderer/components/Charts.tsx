/**
 * Hand-drawn SVG charts for the Health tab: change-to-commit latency (points + line) and commits per
 * 10 minutes (bars), on the same time axis. Scaling lives in lib/chart.ts.
 */
import { useId } from 'react';
import { bucketCounts, latencyUnit, linePath, linearScale, median, niceTicks, timeTicks } from '../lib/chart.js';
import { formatClock, formatDuration, pluralize } from '../lib/time.js';
import { commitsKeptWords, commitsSummaryWords, latencySummaryWords } from '../lib/words.js';

const W = 420;
const H = 210;
const M = { left: 50, right: 22, top: 14, bottom: 42 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

export interface TimeWindow {
  start: number;
  end: number;
  hours: number;
}

function Axes({
  window: win,
  yTicks,
  yMax,
  yFormat,
  yLabel,
}: {
  window: TimeWindow;
  yTicks: number[];
  yMax: number;
  yFormat(v: number): string;
  yLabel: string;
}) {
  const x = linearScale(win.start, win.end, M.left, M.left + PW);
  const y = linearScale(0, yMax, M.top + PH, M.top);
  const xt = timeTicks(win.start, win.end, 5);
  return (
    <g className="axes">
      {yTicks.map((t) => (
        <g key={`y${t}`}>
          <line x1={M.left} x2={M.left + PW} y1={y(t)} y2={y(t)} className="grid" />
          <text x={M.left - 6} y={y(t)} dy="0.32em" textAnchor="end" className="tick">
            {yFormat(t)}
          </text>
        </g>
      ))}
      {xt.map((t) => (
        <g key={`x${t}`}>
          <line x1={x(t)} x2={x(t)} y1={M.top + PH} y2={M.top + PH + 4} className="axis" />
          <text x={x(t)} y={M.top + PH + 16} textAnchor="middle" className="tick">
            {formatClock(t)}
          </text>
        </g>
      ))}
      <line x1={M.left} x2={M.left + PW} y1={M.top + PH} y2={M.top + PH} className="axis" />
      <line x1={M.left} x2={M.left} y1={M.top} y2={M.top + PH} className="axis" />
      <text x={M.left + PW / 2} y={H - 6} textAnchor="middle" className="axis-label">
        Time (local, last {win.hours === 1 ? 'hour' : `${win.hours} hours`})
      </text>
      <text transform={`translate(14 ${M.top + PH / 2}) rotate(-90)`} textAnchor="middle" className="axis-label">
        {yLabel}
      </text>
    </g>
  );
}

export function LatencyChart({ samples, window: win }: { samples: { at: number; ms: number }[]; window: TimeWindow }) {
  const id = useId();
  const pts = samples.filter((s) => s.at >= win.start && s.at <= win.end).sort((a, b) => a.at - b.at);
  const maxMs = pts.reduce((m, s) => Math.max(m, s.ms), 0);
  const { unit, divisor } = latencyUnit(maxMs);
  const { ticks, max } = niceTicks(maxMs / divisor, 4);
  const x = linearScale(win.start, win.end, M.left, M.left + PW);
  const y = linearScale(0, max, M.top + PH, M.top);
  const xy = pts.map((s) => ({ x: x(s.at), y: y(s.ms / divisor), s }));
  const summary = latencySummaryWords(pts.length, formatDuration(median(pts.map((p) => p.ms))), formatDuration(maxMs));
  return (
    <figure className="chart" data-testid="latency-chart" data-samples={pts.length}>
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <title id={`${id}-t`}>Time from a file change to its commit</title>
        <desc id={`${id}-d`}>{summary}</desc>
        <Axes window={win} yTicks={ticks} yMax={max} yFormat={(v) => `${v}`} yLabel={`Latency (${unit})`} />
        {xy.length > 1 && <path d={linePath(xy)} className="series-line" />}
        {xy.map((p, i) => (
          <circle key={i} cx={p.x} cy={p.y} r={2.6} className="series-point">
            <title>{`${formatClock(p.s.at)}: ${formatDuration(p.s.ms)}`}</title>
          </circle>
        ))}
        {!xy.length && (
          <text x={M.left + PW / 2} y={M.top + PH / 2} textAnchor="middle" className="chart-empty">
            No samples yet
          </text>
        )}
      </svg>
      <figcaption>Change-to-commit latency. {summary}</figcaption>
    </figure>
  );
}

export function CommitsChart({ times, window: win, kept }: { times: number[]; window: TimeWindow; kept: number }) {
  const id = useId();
  const bucketMs = 10 * 60_000;
  const buckets = bucketCounts(times, win.start, win.end, bucketMs);
  const maxCount = buckets.reduce((m, b) => Math.max(m, b.count), 0);
  const { ticks, max } = niceTicks(maxCount, 4, 1);
  const x = linearScale(win.start, win.end, M.left, M.left + PW);
  const y = linearScale(0, max, M.top + PH, M.top);
  const total = buckets.reduce((n, b) => n + b.count, 0);
  const summary = commitsSummaryWords(total, maxCount, buckets.filter((b) => b.count).length);
  return (
    <figure className="chart" data-testid="commits-chart" data-total={total}>
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <title id={`${id}-t`}>Commits per 10 minutes</title>
        <desc id={`${id}-d`}>{summary}</desc>
        <Axes window={win} yTicks={ticks} yMax={max} yFormat={(v) => `${v}`} yLabel="Commits / 10 min" />
        {buckets.map((b) =>
          b.count ? (
            <rect
              key={b.start}
              x={x(b.start) + 1}
              width={Math.max(1, x(b.start + bucketMs) - x(b.start) - 2)}
              y={y(b.count)}
              height={M.top + PH - y(b.count)}
              className="series-bar"
            >
              <title>{`${formatClock(b.start)}–${formatClock(b.start + bucketMs)}: ${pluralize(b.count, 'commit')}`}</title>
            </rect>
          ) : null,
        )}
        {!total && (
          <text x={M.left + PW / 2} y={M.top + PH / 2} textAnchor="middle" className="chart-empty">
            No commits yet
          </text>
        )}
      </svg>
      <figcaption>
        Sync activity: commits per 10 minutes. {summary}
        {commitsKeptWords(kept)}
      </figcaption>
    </figure>
  );
}
