/**
 * Conflicts: the list from state.conflicts; selecting one loads `conflicts:detail` and shows mine vs
 * theirs (per macro for Keyboard Maestro), with Keep mine / Keep theirs / Keep both.
 */
import { useEffect, useState } from 'react';
import type { Conflict } from '../../shared/state.js';
import type { ConflictDetail } from '../../shared/contract.js';
import { useAction, useApi, useApp, useLoad, useNow } from '../context.js';
import { ActionStatus, Empty, Note, RelTime, SyncResultView } from '../components/common.js';
import { DiffView } from '../components/DiffView.js';
import { Spinner, StatusIcon } from '../components/icons.js';
import { conflictKindWords } from '../lib/words.js';

export function ConflictsTab() {
  const app = useApp()!;
  const api = useApi();
  const now = useNow();
  const list = app.conflicts;
  const [selected, setSelected] = useState<string | null>(null);
  const resolve = useAction(async (path: string, keep: 'mine' | 'theirs' | 'both') => api.invoke('conflicts:resolve', { path, keep }));

  // Keep a valid selection: the first conflict by default, the next one after a resolve.
  useEffect(() => {
    if (selected && list.some((c) => c.path === selected)) return;
    setSelected(list[0]?.path ?? null);
  }, [list, selected]);

  const current = list.find((c) => c.path === selected) ?? null;

  return (
    <div className="conflicts">
      <h2>Conflicts</h2>
      <ActionStatus state={resolve.state} testId="resolve-result" running="Resolving…" done={(r) => <SyncResultView result={r} />} />
      {list.length === 0 ? (
        <Empty testId="conflicts-empty">No conflicts. Every synced file agrees across your machines.</Empty>
      ) : (
        <div className="master-detail">
          <ul className="conflict-list" data-testid="conflict-list" aria-label="Conflicts">
            {list.map((c) => (
              <li key={c.path}>
                <button
                  type="button"
                  className={`list-item${c.path === selected ? ' selected' : ''}`}
                  aria-current={c.path === selected ? 'true' : undefined}
                  onClick={() => setSelected(c.path)}
                  data-testid="conflict-item"
                  data-path={c.path}
                  data-kind={c.kind}
                >
                  <StatusIcon tone="warning" size={12} />
                  <span className="list-item-text">
                    <span className="list-item-title break">{c.path}</span>
                    <span className="muted small">
                      {conflictKindWords(c.kind)} · <RelTime at={c.detectedAt} now={now} />
                    </span>
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {current && <ConflictPanel key={current.path + current.detectedAt} conflict={current} resolving={resolve.running} onResolve={(keep) => void resolve.run(current.path, keep)} now={now} />}
        </div>
      )}
    </div>
  );
}

/**
 * Where the other version's copy is on this machine: the engine writes it beside the live file, with the
 * copy's file name (electron/engine/conflicts/registry.ts `liveCopyPath`). null when there is no live file.
 */
function liveCopyPath(c: Conflict): string | null {
  if (!c.copyPath || !c.livePath) return null;
  const cut = Math.max(c.livePath.lastIndexOf('/'), c.livePath.lastIndexOf('\\'));
  return c.livePath.slice(0, cut + 1) + c.copyPath.slice(c.copyPath.lastIndexOf('/') + 1);
}

function ConflictPanel({ conflict, resolving, onResolve, now }: { conflict: Conflict; resolving: boolean; onResolve(k: 'mine' | 'theirs' | 'both'): void; now: number }) {
  const api = useApi();
  const detail = useLoad(() => api.invoke('conflicts:detail', { path: conflict.path }), [conflict.path, conflict.detectedAt]);
  const mineLabel = `This machine (${conflict.mine.host})`;
  const theirsLabel = `Other machine (${conflict.theirs.host})`;
  return (
    <section className="conflict-detail" data-testid="conflict-detail" data-path={conflict.path} aria-label={`Conflict in ${conflict.path}`}>
      <h3 className="break">{conflict.path}</h3>
      <p>{conflict.summary}</p>
      <dl className="figures">
        <div className="figure">
          <dt>{mineLabel}</dt>
          <dd>changed {conflict.mine.at ? <RelTime at={conflict.mine.at} now={now} /> : '(time unknown)'}</dd>
        </div>
        <div className="figure">
          <dt>{theirsLabel}</dt>
          <dd>changed {conflict.theirs.at ? <RelTime at={conflict.theirs.at} now={now} /> : '(time unknown)'}</dd>
        </div>
        {conflict.livePath && (
          <div className="figure wide">
            <dt>File on this machine</dt>
            <dd className="break">{conflict.livePath}</dd>
          </div>
        )}
        {conflict.copyPath && (
          <div className="figure wide">
            {liveCopyPath(conflict) ? (
              <>
                <dt>The other version is kept beside it as</dt>
                <dd className="break" data-testid="conflict-copy-path">
                  {liveCopyPath(conflict)}
                </dd>
              </>
            ) : (
              <>
                <dt>The other version is kept in the sync folder as</dt>
                <dd className="break" data-testid="conflict-copy-path">
                  {conflict.copyPath}
                </dd>
              </>
            )}
          </div>
        )}
      </dl>

      <div className="button-row resolve">
        <button type="button" disabled={resolving} onClick={() => onResolve('mine')} data-testid="resolve-mine">
          Keep mine <span className="muted small">({conflict.mine.host})</span>
        </button>
        <button type="button" disabled={resolving} onClick={() => onResolve('theirs')} data-testid="resolve-theirs">
          Keep theirs <span className="muted small">({conflict.theirs.host})</span>
        </button>
        <button type="button" disabled={resolving} onClick={() => onResolve('both')} data-testid="resolve-both">
          Keep both
        </button>
        {resolving && <Spinner />}
      </div>
      <p className="help">“Keep both” keeps your version in place and the other one as a copy next to it. Every version stays in History.</p>

      {detail.error && <Note tone="error">Could not load the two versions: {detail.error}</Note>}
      {!detail.data && !detail.error && (
        <p className="muted">
          <Spinner /> Loading both versions…
        </p>
      )}
      {detail.data && <DetailBody d={detail.data} mineLabel={mineLabel} theirsLabel={theirsLabel} />}
    </section>
  );
}

function DetailBody({ d, mineLabel, theirsLabel }: { d: ConflictDetail; mineLabel: string; theirsLabel: string }) {
  if (d.macros && d.macros.length > 0) {
    return (
      <div data-testid="conflict-macros">
        <h4>Macros changed on both machines</h4>
        <ul className="macro-conflicts">
          {d.macros.map((m) => (
            <li key={m.uid} data-testid="conflict-macro" data-uid={m.uid}>
              <div>
                <strong>{m.name}</strong> <span className="muted small">in group {m.group}</span>
                {m.mine === null && <span className="pill pill-muted">deleted on this machine</span>}
                {m.theirs === null && <span className="pill pill-muted">deleted on the other machine</span>}
              </div>
              <DiffView oldText={m.mine} newText={m.theirs} oldLabel={mineLabel} newLabel={theirsLabel} testId="conflict-macro-diff" />
            </li>
          ))}
        </ul>
      </div>
    );
  }
  if (d.binary) return <Empty testId="conflict-binary">This is a binary file, so the differences cannot be shown. Choose the version by machine.</Empty>;
  return (
    <>
      {d.mine === null && <Note tone="neutral">The file was deleted on this machine.</Note>}
      {d.theirs === null && <Note tone="neutral">The file was deleted on the other machine.</Note>}
      <DiffView oldText={d.mine} newText={d.theirs} oldLabel={mineLabel} newLabel={theirsLabel} testId="conflict-diff" />
    </>
  );
}
