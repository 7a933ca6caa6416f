/**
 * Unified or side-by-side line diff (jsdiff `diffLines`), with long unchanged runs folded.
 *
 * Two looks: a change (History: what restoring would remove and add, red and green), and two sides
 * (Conflicts: neither version is "removed"; each is labelled by its machine and shown in a neutral
 * colour of its own, with a tag naming the side on every line, so colour is never the only signal).
 */
import { useId, useMemo, useState } from 'react';
import { diffRows, toSideBySide, type DiffRow } from '../lib/diff-rows.js';
import { formatCount, pluralize } from '../lib/time.js';
import { possessive } from '../../shared/meanings.js';

type LineType = 'same' | 'add' | 'del';
interface Look {
  /** Class suffix per line type: `diff-del`, or `diff-mine` in the sides look. */
  cls: Record<LineType, string>;
  mark: Record<LineType, string>;
  /** Words read before a line by screen readers. */
  sr: Record<LineType, string>;
}

const CHANGE_LOOK: Look = {
  cls: { same: 'same', add: 'add', del: 'del' },
  mark: { same: ' ', add: '+', del: '−' },
  sr: { same: '', add: 'added: ', del: 'removed: ' },
};

function sidesLook(oldTag: string, newTag: string): Look {
  return {
    cls: { same: 'same', add: 'theirs', del: 'mine' },
    mark: { same: '', add: newTag, del: oldTag },
    sr: { same: '', add: `${newTag}: `, del: `${oldTag}: ` },
  };
}

export function DiffView({
  oldText,
  newText,
  oldLabel,
  newLabel,
  testId = 'diff',
  sides,
}: {
  oldText: string | null;
  newText: string | null;
  oldLabel: string;
  newLabel: string;
  testId?: string;
  /** Show two sides (a conflict) instead of a change: the short tags name each side on its lines. */
  sides?: { oldTag: string; newTag: string };
}) {
  const [mode, setMode] = useState<'unified' | 'split'>('unified');
  const name = useId();
  const d = useMemo(() => diffRows(oldText, newText), [oldText, newText]);
  const look = sides ? sidesLook(sides.oldTag, sides.newTag) : CHANGE_LOOK;
  return (
    <div className={`diff${sides ? ' diff-sides' : ''}`} data-testid={testId} data-added={d.added} data-removed={d.removed}>
      <div className="diff-toolbar">
        {sides ? (
          <span className="diff-legend">
            <span className="legend-mine">
              <span className="swatch" aria-hidden="true" /> {oldLabel}
            </span>{' '}
            <span className="legend-theirs">
              <span className="swatch" aria-hidden="true" /> {newLabel}
            </span>
            {!d.identical && !d.tooLarge && (
              <span className="muted">
                {' '}
                ({pluralize(d.removed, 'line', 'lines')} only in yours, {formatCount(d.added)} only in {possessive(sides.newTag)})
              </span>
            )}
          </span>
        ) : (
          <span className="diff-legend">
            <span className="legend-del">− {oldLabel}</span> <span className="legend-add">+ {newLabel}</span>
            {!d.identical && !d.tooLarge && (
              <span className="muted">
                {' '}
                ({formatCount(d.removed)} removed, {formatCount(d.added)} added)
              </span>
            )}
          </span>
        )}
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
        <Unified rows={d.rows} look={look} />
      ) : (
        <Split rows={d.rows} oldLabel={oldLabel} newLabel={newLabel} look={look} sides={!!sides} />
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

function Unified({ rows, look }: { rows: DiffRow[]; look: Look }) {
  return (
    <div className="diff-scroll" tabIndex={0} role="region" aria-label="Differences">
      <table className="diff-table">
        <tbody>
          {rows.map((r, i) =>
            r.type === 'gap' ? (
              <Gap key={i} count={r.count} cols={4} />
            ) : (
              <tr key={i} className={`diff-${look.cls[r.type]}`}>
                <td className="ln">{r.oldNo ?? ''}</td>
                <td className="ln">{r.newNo ?? ''}</td>
                <td className="mark" aria-hidden="true" title={look.mark[r.type].length > 1 ? look.mark[r.type] : undefined}>
                  {look.mark[r.type]}
                </td>
                <td className="code">
                  <span className="sr-only">{look.sr[r.type]}</span>
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

function Split({ rows, oldLabel, newLabel, look, sides }: { rows: DiffRow[]; oldLabel: string; newLabel: string; look: Look; sides: boolean }) {
  const side = useMemo(() => toSideBySide(rows), [rows]);
  return (
    <div className="diff-scroll" tabIndex={0} role="region" aria-label="Differences side by side">
      <table className="diff-table split">
        <thead>
          <tr>
            {/* Two sides: each column is named by its machine, with its colour (neither one is "removed"). */}
            <th colSpan={2} className={sides ? 'legend-mine' : undefined}>
              {sides && <span className="swatch" aria-hidden="true" />}
              {oldLabel}
            </th>
            <th colSpan={2} className={sides ? 'legend-theirs' : undefined}>
              {sides && <span className="swatch" aria-hidden="true" />}
              {newLabel}
            </th>
          </tr>
        </thead>
        <tbody>
          {side.map((r, i) =>
            r.type === 'gap' ? (
              <Gap key={i} count={r.count} cols={4} />
            ) : (
              <tr key={i}>
                <td className="ln">{r.left?.no ?? ''}</td>
                <td className={`code diff-${r.left ? look.cls[r.left.type] : 'empty'}`}>
                  {r.left && <span className="sr-only">{look.sr[r.left.type]}</span>}
                  {r.left ? r.left.text || ' ' : ''}
                </td>
                <td className="ln">{r.right?.no ?? ''}</td>
                <td className={`code diff-${r.right ? look.cls[r.right.type] : 'empty'}`}>
                  {r.right && <span className="sr-only">{look.sr[r.right.type]}</span>}
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
