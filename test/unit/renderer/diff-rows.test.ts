import { describe, expect, it } from 'vitest';
import { collapseContext, diffRows, toSideBySide, type DiffLine } from '../../../renderer/lib/diff-rows';

describe('diffRows', () => {
  it('identical texts have no rows', () => {
    expect(diffRows('a\nb\n', 'a\nb\n')).toMatchObject({ identical: true, rows: [] });
  });

  it('numbers old and new lines and counts changes', () => {
    const d = diffRows('a\nb\nc\n', 'a\nB\nc\nd\n');
    expect(d.added).toBe(2);
    expect(d.removed).toBe(1);
    expect(d.rows).toEqual([
      { type: 'same', oldNo: 1, newNo: 1, text: 'a' },
      { type: 'del', oldNo: 2, newNo: null, text: 'b' },
      { type: 'add', oldNo: null, newNo: 2, text: 'B' },
      { type: 'same', oldNo: 3, newNo: 3, text: 'c' },
      { type: 'add', oldNo: null, newNo: 4, text: 'd' },
    ]);
  });

  it('treats null as an empty side (deleted file)', () => {
    const d = diffRows(null, 'x\ny\n');
    expect(d.added).toBe(2);
    expect(d.removed).toBe(0);
  });

  it('folds long unchanged runs into gaps', () => {
    const old = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n') + '\n';
    const neu = old.replace('l10\n', 'L10\n');
    const d = diffRows(old, neu, 2);
    expect(d.rows[0]).toEqual({ type: 'gap', count: 8 });
    expect(d.rows.filter((r) => r.type !== 'gap')).toHaveLength(6);
    expect(d.rows[d.rows.length - 1]).toEqual({ type: 'gap', count: 7 });
  });

  it('collapseContext keeps everything near a change', () => {
    const lines: DiffLine[] = [
      { type: 'same', oldNo: 1, newNo: 1, text: 'a' },
      { type: 'add', oldNo: null, newNo: 2, text: 'b' },
    ];
    expect(collapseContext(lines, 3)).toEqual(lines);
  });

  it('pairs removed and added lines side by side', () => {
    const d = diffRows('a\nb\nc\n', 'a\nB\nC\nD\nc\n');
    const side = toSideBySide(d.rows);
    expect(side).toEqual([
      { type: 'pair', left: { no: 1, text: 'a', type: 'same' }, right: { no: 1, text: 'a', type: 'same' } },
      { type: 'pair', left: { no: 2, text: 'b', type: 'del' }, right: { no: 2, text: 'B', type: 'add' } },
      { type: 'pair', left: null, right: { no: 3, text: 'C', type: 'add' } },
      { type: 'pair', left: null, right: { no: 4, text: 'D', type: 'add' } },
      { type: 'pair', left: { no: 3, text: 'c', type: 'same' }, right: { no: 5, text: 'c', type: 'same' } },
    ]);
  });

  it('strips CR so CRLF files compare line by line', () => {
    const d = diffRows('a\r\nb\r\n', 'a\r\nc\r\n');
    expect(d.rows.map((r) => (r.type === 'gap' ? '' : r.text))).toEqual(['a', 'b', 'c']);
  });
});
