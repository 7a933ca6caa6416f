/**
 * Line diff rows for the Conflicts and History tabs, built on `diff` (jsdiff) `diffLines`.
 * Pure: the component only renders rows.
 */
import { diffLines, type Change } from 'diff';

export type DiffLine = { type: 'same' | 'add' | 'del'; oldNo: number | null; newNo: number | null; text: string };
export type DiffGap = { type: 'gap'; count: number };
export type DiffRow = DiffLine | DiffGap;

export interface DiffResult {
  rows: DiffRow[];
  added: number;
  removed: number;
  identical: boolean;
  /** True when the texts were too large or too different to diff in reasonable time. */
  tooLarge: boolean;
}

export type SideCell = { no: number; text: string; type: 'same' | 'add' | 'del' } | null;
export type SideRow = { type: 'pair'; left: SideCell; right: SideCell } | DiffGap;

const MAX_CHARS = 2_000_000;

function splitLines(value: string): string[] {
  const lines = value.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** Turns jsdiff changes into numbered lines. */
export function changesToLines(changes: Change[]): DiffLine[] {
  const out: DiffLine[] = [];
  let o = 1;
  let n = 1;
  for (const c of changes) {
    for (const text of splitLines(c.value)) {
      if (c.added) out.push({ type: 'add', oldNo: null, newNo: n++, text });
      else if (c.removed) out.push({ type: 'del', oldNo: o++, newNo: null, text });
      else out.push({ type: 'same', oldNo: o++, newNo: n++, text });
    }
  }
  return out;
}

/** Keeps `context` unchanged lines around each change; longer unchanged runs become one gap row. */
export function collapseContext(lines: DiffLine[], context = 3): DiffRow[] {
  const keep = new Array<boolean>(lines.length).fill(false);
  lines.forEach((l, i) => {
    if (l.type === 'same') return;
    for (let j = Math.max(0, i - context); j <= Math.min(lines.length - 1, i + context); j++) keep[j] = true;
  });
  const out: DiffRow[] = [];
  let gap = 0;
  lines.forEach((l, i) => {
    if (keep[i]) {
      if (gap) out.push({ type: 'gap', count: gap });
      gap = 0;
      out.push(l);
    } else gap++;
  });
  if (gap) out.push({ type: 'gap', count: gap });
  return out;
}

/** Diff of `oldText` → `newText` (null counts as empty, e.g. a deleted side). */
export function diffRows(oldText: string | null, newText: string | null, context = 3): DiffResult {
  const a = oldText ?? '';
  const b = newText ?? '';
  if (a === b) return { rows: [], added: 0, removed: 0, identical: true, tooLarge: false };
  if (a.length + b.length > MAX_CHARS) return { rows: [], added: 0, removed: 0, identical: false, tooLarge: true };
  const changes = diffLines(a, b, { timeout: 2000 });
  if (!changes) return { rows: [], added: 0, removed: 0, identical: false, tooLarge: true };
  const lines = changesToLines(changes);
  const added = lines.filter((l) => l.type === 'add').length;
  const removed = lines.filter((l) => l.type === 'del').length;
  return { rows: collapseContext(lines, context), added, removed, identical: added === 0 && removed === 0, tooLarge: false };
}

/** Pairs each run of removed lines with the following run of added lines, for a side-by-side view. */
export function toSideBySide(rows: DiffRow[]): SideRow[] {
  const out: SideRow[] = [];
  let i = 0;
  while (i < rows.length) {
    const r = rows[i];
    if (r.type === 'gap') {
      out.push(r);
      i++;
    } else if (r.type === 'same') {
      out.push({ type: 'pair', left: { no: r.oldNo!, text: r.text, type: 'same' }, right: { no: r.newNo!, text: r.text, type: 'same' } });
      i++;
    } else {
      const dels: DiffLine[] = [];
      const adds: DiffLine[] = [];
      while (i < rows.length && rows[i].type === 'del') dels.push(rows[i++] as DiffLine);
      while (i < rows.length && rows[i].type === 'add') adds.push(rows[i++] as DiffLine);
      for (let k = 0; k < Math.max(dels.length, adds.length); k++) {
        const d = dels[k];
        const a = adds[k];
        out.push({
          type: 'pair',
          left: d ? { no: d.oldNo!, text: d.text, type: 'del' } : null,
          right: a ? { no: a.newNo!, text: a.text, type: 'add' } : null,
        });
      }
    }
  }
  return out;
}
