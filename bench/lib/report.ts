/**
 * Result rows, goals beside the figures, and the printed table.
 *
 * Every figure is a Summary: min / median / max over repeats (spread), or p50 / p95 / p99 over
 * latency samples (pct). A goal names the value it is judged on (median, p95, ...).
 */
import { fmtNum, fmtSummary, headline, type Summary } from './stats.js';

export type Status = 'PASS' | 'MISS' | 'TODO' | 'INFO' | 'FAIL';

export interface Goal {
  /** e.g. "≤ 1500 ms (p95)" */
  text: string;
  limit: number;
  /** Which value of the summary is compared. */
  on: 'p50' | 'p95' | 'p99' | 'median' | 'max';
  cmp: '<=' | '>=' | '==';
}

export interface Row {
  section: string;
  metric: string;
  unit: string;
  value: Summary | null;
  digits?: number;
  goal?: Goal;
  status: Status;
  note?: string;
}

export function judge(value: Summary | null, goal: Goal | undefined): Status {
  if (!goal) return 'INFO';
  if (!value || value.n === 0) return 'TODO';
  const v = headline(value, goal.on);
  if (!Number.isFinite(v)) return 'TODO';
  const ok = goal.cmp === '<=' ? v <= goal.limit : goal.cmp === '>=' ? v >= goal.limit : v === goal.limit;
  return ok ? 'PASS' : 'MISS';
}

export function row(section: string, metric: string, value: Summary | null, unit: string, opts: { goal?: Goal; digits?: number; note?: string; status?: Status } = {}): Row {
  return { section, metric, unit, value, digits: opts.digits, goal: opts.goal, note: opts.note, status: opts.status ?? judge(value, opts.goal) };
}

export const le = (limit: number, on: Goal['on'], unit: string): Goal => ({ text: `≤ ${fmtNum(limit, limit % 1 ? undefined : 0)} ${unit} (${on})`, limit, on, cmp: '<=' });
export const eq = (limit: number, on: Goal['on'], unit: string): Goal => ({ text: `= ${limit}${unit ? ` ${unit}` : ''} (${on})`, limit, on, cmp: '==' });

function kindLabel(s: Summary | null): string {
  if (!s) return '';
  if (s.kind === 'pct') return `p50/p95/p99 n=${s.n}`;
  return s.n === 1 ? 'n=1' : `min/med/max n=${s.n}`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function renderTable(rows: Row[]): string {
  const head = ['Section', 'Metric', 'Figure', 'Unit', 'Stats', 'Goal', 'Status'];
  const body = rows.map((r) => [r.section, r.metric, r.value ? fmtSummary(r.value, r.digits) : '—', r.unit, kindLabel(r.value), r.goal?.text ?? '', r.status + (r.note ? `  ${r.note}` : '')]);
  const widths = head.map((h, i) => Math.min(i === 6 ? 200 : 60, Math.max(h.length, ...body.map((b) => b[i]!.length))));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i]!)).join('  ').trimEnd();
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  ')];
  let last = '';
  for (const b of body) {
    if (b[0] !== last && last !== '') out.push('');
    last = b[0]!;
    out.push(line(b));
  }
  return out.join('\n');
}

export function renderMarkdown(rows: Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const out = ['| Section | Metric | Figure | Unit | Stats | Goal | Status |', '|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    out.push(
      `| ${esc(r.section)} | ${esc(r.metric)} | ${r.value ? fmtSummary(r.value, r.digits) : '—'} | ${esc(r.unit)} | ${kindLabel(r.value)} | ${esc(r.goal?.text ?? '')} | ${r.status}${r.note ? ` — ${esc(r.note)}` : ''} |`,
    );
  }
  return out.join('\n');
}
