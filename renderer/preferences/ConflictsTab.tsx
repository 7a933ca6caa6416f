/**
 * Conflicts: the list from state.conflicts; selecting one loads `conflicts:detail` and shows this
 * machine's version ("Yours (this machine, alpha)") beside the other host's ("bravo's"), where each one
 * is now (in the file, in the copy beside it, deleted), and buttons that say what they do from here:
 * Keep yours / Keep bravo's / Keep both. The engine computes `mine` as this machine's version on every
 * machine, so the same conflict reads the right way round on each.
 */
import { useEffect, useState } from 'react';
import type { Conflict } from '../../shared/state.js';
import type { ConflictDetail } from '../../shared/contract.js';
import { useAction, useApi, useApp, useLoad, useNow } from '../context.js';
import { ActionStatus, Empty, Note, RelTime, SyncResultView } from '../components/common.js';
import { DiffView } from '../components/DiffView.js';
import { Spinner, StatusIcon } from '../components/icons.js';
import { conflictKindWords, conflictWords, type ConflictWords } from '../lib/words.js';

export function ConflictsTab() {
  const app = useApp()!;
  const api = useApi();
  const now = useNow();
  const list = app.conflicts;
  const [selected, setSelected] = useState<string | null>(null);
  const resolve = useAction(async (path: string, keep: 'mine' | 'theirs' | 'both', from?: string) => api.invoke('conflicts:resolve', { path, keep, ...(from ? { from } : {}) }));

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
                      {conflictKindWords(c.kind)} · with {c.theirs.host} · <RelTime at={c.detectedAt} now={now} />
                    </span>
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {current && <ConflictPanel key={current.path + current.detectedAt} conflict={current} resolving={resolve.running} onResolve={(keep, from) => void resolve.run(current.path, keep, from)} now={now} />}
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

function SideFigure({ side, words, now, testId }: { side: Conflict['mine']; words: ConflictWords['mine']; now: number; testId: string }) {
  return (
    <div className={`figure side-figure side-${testId.endsWith('mine') ? 'mine' : 'theirs'}`} data-testid={testId} data-where={side.where}>
      <dt>
        <span className="swatch" aria-hidden="true" /> {words.label}
      </dt>
      <dd>
        <span data-testid={`${testId}-where`}>{words.where}</span>
        <span className="muted small">
          {' · '}
          {side.where === 'deleted' ? 'deleted' : 'changed'} {side.at ? <RelTime at={side.at} now={now} /> : '(time unknown)'}
        </span>
      </dd>
    </div>
  );
}

function ConflictPanel({ conflict, resolving, onResolve, now }: { conflict: Conflict; resolving: boolean; onResolve(k: 'mine' | 'theirs' | 'both', from?: string): void; now: number }) {
  // A third machine's version (it joined the conflict): each other version gets its own "Keep" button.
  const several = conflict.others.length > 1;
  const api = useApi();
  const detail = useLoad(() => api.invoke('conflicts:detail', { path: conflict.path }), [conflict.path, conflict.detectedAt]);
  const w = conflictWords(conflict);
  const copy = liveCopyPath(conflict);
  return (
    <section className="conflict-detail" data-testid="conflict-detail" data-path={conflict.path} aria-label={`Conflict in ${conflict.path}`}>
      <h3 className="break">{conflict.path}</h3>
      <p data-testid="conflict-summary">{conflict.summary}</p>
      <dl className="figures sides">
        <SideFigure side={conflict.mine} words={w.mine} now={now} testId="conflict-side-mine" />
        <SideFigure side={conflict.theirs} words={w.theirs} now={now} testId="conflict-side-theirs" />
        {conflict.livePath && (
          <div className="figure wide">
            <dt>The file on this machine</dt>
            <dd className="break path">{conflict.livePath}</dd>
          </div>
        )}
        {conflict.copyPath && w.copyHolder && (
          <div className="figure wide">
            <dt>{copy ? w.copyHolder : `${w.copyHolder}, in the sync folder`}</dt>
            <dd className="break path" data-testid="conflict-copy-path">
              {copy ?? conflict.copyPath}
            </dd>
          </div>
        )}
      </dl>

      <div className="resolve" role="group" aria-label="Resolve">
        <div className="button-row">
          <button type="button" disabled={resolving} onClick={() => onResolve('mine')} data-testid="resolve-mine" aria-describedby="resolve-mine-help">
            {w.keepMine.label}
          </button>
          <button type="button" disabled={resolving} onClick={() => onResolve('theirs', several ? conflict.theirs.host : undefined)} data-testid="resolve-theirs" aria-describedby="resolve-theirs-help">
            {w.keepTheirs.label}
          </button>
          {several &&
            conflict.others.slice(1).map((o) => (
              <button key={`${o.host}-${o.copyPath ?? 'deleted'}`} type="button" disabled={resolving} onClick={() => onResolve('theirs', o.host)} data-testid={`resolve-from-${o.host}`}>
                Keep {o.host}’s
              </button>
            ))}
          {w.keepBoth && (
            <button type="button" disabled={resolving} onClick={() => onResolve('both')} data-testid="resolve-both" aria-describedby="resolve-both-help">
              {w.keepBoth.label.replace(/ \(.*$/, '')} <span className="muted small">{w.keepBoth.label.replace(/^[^(]*/, '')}</span>
            </button>
          )}
          {resolving && <Spinner />}
        </div>
        <ul className="help resolve-help" data-testid="resolve-help">
          <li id="resolve-mine-help">
            <strong>{w.keepMine.label}:</strong> {w.keepMine.help}
          </li>
          <li id="resolve-theirs-help">
            <strong>{w.keepTheirs.label}:</strong> {w.keepTheirs.help}
          </li>
          {w.keepBoth && (
            <li id="resolve-both-help">
              <strong>Keep both:</strong> {w.keepBoth.help}
            </li>
          )}
          <li>Every version stays in History.</li>
        </ul>
      </div>

      {detail.error && <Note tone="error">Could not load the two versions: {detail.error}</Note>}
      {!detail.data && !detail.error && (
        <p className="muted">
          <Spinner /> Loading both versions…
        </p>
      )}
      {detail.data && <DetailBody d={detail.data} w={w} />}
    </section>
  );
}

function DetailBody({ d, w }: { d: ConflictDetail; w: ConflictWords }) {
  const sides = { oldTag: w.mine.tag, newTag: w.theirs.tag };
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
                {m.theirs === null && <span className="pill pill-muted">deleted on {w.theirs.tag}</span>}
              </div>
              <DiffView oldText={m.mine} newText={m.theirs} oldLabel={w.mine.label} newLabel={w.theirs.label} sides={sides} testId="conflict-macro-diff" />
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
      {d.theirs === null && <Note tone="neutral">The file was deleted on {w.theirs.tag}.</Note>}
      <DiffView oldText={d.mine} newText={d.theirs} oldLabel={w.mine.label} newLabel={w.theirs.label} sides={sides} testId="conflict-diff" />
    </>
  );
}
