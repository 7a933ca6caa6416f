/** Unified or side-by-side line diff (jsdiff `diffLines`), with long unchanged runs folded. */
import { useId, useMemo, useState } from 'react';
import { diffRows, toSideBySide, type DiffRow } from '../lib/diff-rows.js';
import { formatCount } from '../lib/time.js';

export function DiffView({
  oldText,
  newText,
  oldLabel,
  newLabel,
  testId = 'diff',
}: {
  oldText: string | null;
  newText: string | null;
  oldLabel: string;
  newLabel: string;
  testId?: string;
}) {
  const [mode, setMode] = useState<'unified' | 'split'>('unified');
  const name = useId();
  const d = useMemo(() => diffRows(oldText, newText), [oldText, newText]);
  return (
    <div className="diff" data-testid={testId} data-added={d.added} data-removed={d.removed}>
      <div className="diff-toolbar">
        <span className="diff-legend">
          <span className="legend-del">− {oldLabel}</span> <span className="legend-add">+ {newLabel}</span>
          {!d.identical && !d.tooLarge && (
            <span className="muted">
              {' '}
              ({formatCount(d.removed)} removed, {formatCount(d.added)} added)
            </span>
          )}
        </span>
        <fieldset className="segmented">
          <legend className="sr-only">Diff layout</legend>
          <label>
            <input type="radio" name={name} checked={mode === 'unified'} onChange={() => setMode('unified')} data-testid={`${testId}-unified`} />{' '}
            Unified
          </label>
          <label>
            <input type="radio" name={name} checked={mode === 'split'} onChange={() => setMode('split')} data-testid={`${testId}-split`} /> Side by
            side
          </label>
        </fieldset>
      </div>
      {d.identical ? (
        <p className="empty">Both versions are identical.</p>
      ) : d.tooLarge ? (
        <p className="empty">These versions are too large or too different to compare here.</p>
      ) : mode === 'unified' ? (
        <Unified rows={d.rows} />
      ) : (
        <Split rows={d.rows} oldLabel={oldLabel} newLabel={newLabel} />
      )}
    </div>
  );
}

function Gap({ count, cols }: { count: number; cols: number }) {
  return (
    <tr className="diff-gap">
      <td colSpan={cols}>⋯ {count === 1 ? '1 unchanged line' : `${formatCount(count)} unchanged lines`}</td>
    </tr>
  );
}

const MARK = { same: ' ', add: '+', del: '−' } as const;
const SR = { same: '', add: 'added: ', del: 'removed: ' } as const;

function Unified({ rows }: { rows: DiffRow[] }) {
  return (
    <div className="diff-scroll" tabIndex={0} role="region" aria-label="Differences">
      <table className="diff-table">
        <tbody>
          {rows.map((r, i) =>
            r.type === 'gap' ? (
              <Gap key={i} count={r.count} cols={4} />
            ) : (
              <tr key={i} className={`diff-${r.type}`}>
                <td className="ln">{r.oldNo ?? ''}</td>
                <td className="ln">{r.newNo ?? ''}</td>
                <td className="mark" aria-hidden="true">
                  {MARK[r.type]}
                </td>
                <td className="code">
                  <span className="sr-only">{SR[r.type]}</span>
                  {r.text || ' '}
                </td>
              </tr>
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}

function Split({ rows, oldLabel, newLabel }: { rows: DiffRow[]; oldLabel: string; newLabel: string }) {
  const side = useMemo(() => toSideBySide(rows), [rows]);
  return (
    <div className="diff-scroll" tabIndex={0} role="region" aria-label="Differences side by side">
      <table className="diff-table split">
        <thead>
          <tr>
            <th colSpan={2}>{oldLabel}</th>
            <th colSpan={2}>{newLabel}</th>
          </tr>
        </thead>
        <tbody>
          {side.map((r, i) =>
            r.type === 'gap' ? (
              <Gap key={i} count={r.count} cols={4} />
            ) : (
              <tr key={i}>
                <td className="ln">{r.left?.no ?? ''}</td>
                <td className={`code diff-${r.left?.type ?? 'empty'}`}>
                  {r.left && <span className="sr-only">{SR[r.left.type]}</span>}
                  {r.left ? r.left.text || ' ' : ''}
                </td>
                <td className="ln">{r.right?.no ?? ''}</td>
                <td className={`code diff-${r.right?.type ?? 'empty'}`}>
                  {r.right && <span className="sr-only">{SR[r.right.type]}</span>}
                  {r.right ? r.right.text || ' ' : ''}
                </td>
              </tr>
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}
