/**
 * A hand-drawn SVG: latency CDFs of every series on a log time axis (100 ms … 30 s), goal lines, and
 * under it a histogram of edit → commit. No dependencies.
 */

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface Marker {
  ms: number;
  label: string;
}

export function latencySvg(series: Record<string, number[]>, markers: Marker[], title: string): string {
  const names = Object.keys(series);
  const W = 900;
  const m = { l: 70, r: 30, t: 50, b: 40 };
  const cdfH = 330;
  const legendTop = m.t + cdfH + 36;
  const histTop = legendTop + names.length * 18 + 50;
  const histH = 170;
  const H = histTop + histH + m.b;
  const all = Object.values(series).flat().filter((x) => x > 0);
  const lo = 100;
  const hi = Math.max(2000, ...all.map((x) => x * 1.2), ...markers.map((x) => x.ms * 1.2));
  const lx = (ms: number) => m.l + ((Math.log10(Math.max(lo, ms)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (W - m.l - m.r);
  const cy = (q: number) => m.t + cdfH - q * cdfH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${esc(title)}</text>`);
  // axes + grid (CDF)
  const ticks = [100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000].filter((t) => t <= hi);
  for (const t of ticks) {
    const x = lx(t);
    out.push(`<line x1="${x}" y1="${m.t}" x2="${x}" y2="${m.t + cdfH}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${x}" y="${m.t + cdfH + 16}" text-anchor="middle">${t >= 1000 ? `${t / 1000} s` : `${t} ms`}</text>`);
  }
  for (const q of [0, 0.25, 0.5, 0.75, 0.95, 1]) {
    const y = cy(q);
    out.push(`<line x1="${m.l}" y1="${y}" x2="${W - m.r}" y2="${y}" stroke="${q === 0.95 ? '#bbb' : '#e5e5e5'}" ${q === 0.95 ? 'stroke-dasharray="4 3"' : ''}/>`);
    out.push(`<text x="${m.l - 8}" y="${y + 4}" text-anchor="end">${Math.round(q * 100)} %</text>`);
  }
  out.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${cdfH}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${m.l - 50}" y="${m.t + cdfH / 2}" transform="rotate(-90 ${m.l - 50} ${m.t + cdfH / 2})" text-anchor="middle">share of samples ≤ x (CDF)</text>`);
  // goal markers
  markers.forEach((mk, i) => {
    const x = lx(mk.ms);
    const right = x > W - m.r - 260;
    out.push(`<line x1="${x}" y1="${m.t}" x2="${x}" y2="${m.t + cdfH}" stroke="#555" stroke-width="1.5" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${right ? x - 4 : x + 4}" y="${m.t + 30 + i * 16}" fill="#444" stroke="white" stroke-width="4" paint-order="stroke" text-anchor="${right ? 'end' : 'start'}">${esc(mk.label)}</text>`);
  });
  // CDF lines, legend below the axes
  names.forEach((name, i) => {
    const xs = [...series[name]!].sort((a, b) => a - b);
    if (!xs.length) return;
    const c = COLORS[i % COLORS.length]!;
    let d = `M ${lx(xs[0]!)} ${cy(0)}`;
    xs.forEach((v, k) => {
      d += ` L ${lx(v).toFixed(1)} ${cy(k / xs.length).toFixed(1)} L ${lx(v).toFixed(1)} ${cy((k + 1) / xs.length).toFixed(1)}`;
    });
    out.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="2"/>`);
    const ly = legendTop + i * 18;
    out.push(`<rect x="${m.l}" y="${ly - 6}" width="18" height="4" fill="${c}"/>`);
    const p = (q: number) => xs[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)]!;
    out.push(`<text x="${m.l + 26}" y="${ly}">${esc(name)} — n=${xs.length}, p50 ${Math.round(p(0.5))} ms, p95 ${Math.round(p(0.95))} ms, p99 ${Math.round(p(0.99))} ms</text>`);
  });
  // histogram of the first series (edit → commit), linear axis, 50 ms bins
  const first = names[0];
  if (first) {
    const xs = series[first]!;
    const hMin = Math.max(0, Math.floor(Math.min(...xs) / 50) * 50 - 50);
    const hMax = Math.ceil(Math.max(...xs) / 50) * 50 + 50;
    const bins = Math.max(1, Math.round((hMax - hMin) / 50));
    const counts = new Array<number>(bins).fill(0);
    for (const v of xs) counts[Math.min(bins - 1, Math.floor((v - hMin) / 50))]!++;
    const maxC = Math.max(1, ...counts);
    const hx = (ms: number) => m.l + ((ms - hMin) / (hMax - hMin)) * (W - m.l - m.r);
    out.push(`<text x="${W / 2}" y="${histTop - 16}" text-anchor="middle" font-weight="bold">Histogram: ${esc(first)} (50 ms bins)</text>`);
    counts.forEach((cnt, k) => {
      const h = (cnt / maxC) * histH;
      out.push(`<rect x="${hx(hMin + k * 50) + 1}" y="${histTop + histH - h}" width="${Math.max(1, hx(hMin + 50) - hx(hMin) - 2)}" height="${h}" fill="${COLORS[0]}"/>`);
    });
    out.push(`<rect x="${m.l}" y="${histTop}" width="${W - m.l - m.r}" height="${histH}" fill="none" stroke="#333"/>`);
    const step = (hMax - hMin) / 100 > 8 ? 250 : 100;
    for (let t = Math.ceil(hMin / step) * step; t <= hMax; t += step) {
      out.push(`<text x="${hx(t)}" y="${histTop + histH + 16}" text-anchor="middle">${t} ms</text>`);
    }
    out.push(`<text x="${m.l - 8}" y="${histTop + 10}" text-anchor="end">${maxC}</text><text x="${m.l - 8}" y="${histTop + histH}" text-anchor="end">0</text>`);
    for (const mk of markers) {
      if (mk.ms < hMin || mk.ms > hMax) continue;
      out.push(`<line x1="${hx(mk.ms)}" y1="${histTop}" x2="${hx(mk.ms)}" y2="${histTop + histH}" stroke="#555" stroke-dasharray="6 4"/>`);
    }
  }
  out.push('</svg>');
  return out.join('\n');
}
