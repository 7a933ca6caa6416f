/**
 * Keyboard Maestro: the poller's state and figures (from state.km); macro changes from other machines
 * while the Engine runs (`km:apply-state`: applied through Keyboard Maestro, or waiting with the exact
 * reason and how to fix it, with "Try again"); the macro list (`km:macros`) with a search box; one
 * macro's history (`km:history`), a version compared with the macro now (`km:version`) and put back
 * (`km:restore`); and recent macro changes (activity items of kind 'km').
 */
import { useEffect, useId, useMemo, useState, type ReactNode } from 'react';
import type { KmApplyMacro, KmApplyState, KmMacro, KmMacroVersion, KmRestoreResult } from '../../shared/contract.js';
import { useAction, useApi, useApp, useLoad, useNow } from '../context.js';
import { ActionStatus, Empty, Note, RelTime } from '../components/common.js';
import { DiffView } from '../components/DiffView.js';
import { Spinner, StatusIcon } from '../components/icons.js';
import { formatCount, formatDuration, pluralize } from '../lib/time.js';
import { kmStatusWords } from '../lib/words.js';

const LIMIT = 500;

/** "3 macros (1 changed, 2 added)". */
function macroChangeWords(list: KmApplyMacro[]): string {
  const parts = (['changed', 'added', 'removed', 'enabled', 'disabled'] as const).map((k) => [k, list.filter((m) => m.change === k).length] as const).filter(([, n]) => n > 0);
  return `${pluralize(list.length, 'macro', 'macros')} (${parts.map(([k, n]) => `${formatCount(n)} ${k}`).join(', ')})`;
}

export function KmTab() {
  const api = useApi();
  const app = useApp()!;
  const now = useNow();
  const ids = useId();
  const km = app.km;
  const st = kmStatusWords(km.status);
  const hasLibrary = km.status !== 'absent' && km.status !== 'disabled';
  const macros = useLoad(hasLibrary ? () => api.invoke('km:macros') : null, [km.parses, hasLibrary]);
  const [q, setQ] = useState('');
  const [historyOf, setHistoryOf] = useState<KmMacro | null>(null);
  const filtered = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const all = macros.data ?? [];
    return needle ? all.filter((m) => m.name.toLowerCase().includes(needle) || m.group.toLowerCase().includes(needle)) : all;
  }, [macros.data, q]);
  const changes = app.activity.filter((a) => a.kind === 'km').slice(0, 20);

  return (
    <div className="km">
      <h2>Keyboard Maestro</h2>
      <p className="status-inline" data-testid="km-status" data-status={km.status}>
        <StatusIcon tone={st.tone} /> <strong>{st.label}</strong>
      </p>
      {km.error && (
        <Note tone="error" testId="km-error">
          {km.error}
        </Note>
      )}
      {km.status !== 'disabled' && <ApplyPanel />}
      <dl className="figures" data-testid="km-figures">
        <div className="figure wide">
          <dt>Macro library</dt>
          <dd className="break">{km.libraryPath ?? 'not found'}</dd>
        </div>
        <div className="figure">
          <dt>Macros</dt>
          <dd data-testid="km-count-macros">
            {formatCount(km.macros)} ({formatCount(km.enabledMacros)} enabled)
          </dd>
        </div>
        <div className="figure">
          <dt>Groups</dt>
          <dd data-testid="km-count-groups">{formatCount(km.groups)}</dd>
        </div>
        <div className="figure">
          <dt>Checks</dt>
          <dd>
            {formatCount(km.polls)} ({formatCount(km.skips)} unchanged, {formatCount(km.parses)} read)
          </dd>
        </div>
        <div className="figure">
          <dt>Time to read the library</dt>
          <dd>
            last {formatDuration(km.lastParseMs)}, average {formatDuration(km.avgParseMs)}
          </dd>
        </div>
        <div className="figure">
          <dt>Checking every</dt>
          <dd>{km.intervalMs == null ? '—' : formatDuration(km.intervalMs)}</dd>
        </div>
        <div className="figure">
          <dt>Last check</dt>
          <dd>
            <RelTime at={km.lastPollAt} now={now} />
          </dd>
        </div>
      </dl>

      <h3>Recent macro changes</h3>
      {changes.length === 0 ? (
        <Empty testId="km-changes-empty">No macro changes recently.</Empty>
      ) : (
        <ol className="activity-list" data-testid="km-changes">
          {changes.map((a) => (
            <li key={a.id} data-testid="km-change">
              <StatusIcon tone="busy" size={12} />
              <span className="activity-text">{a.text}</span>
              <span className="activity-time">
                <RelTime at={a.at} now={now} />
              </span>
            </li>
          ))}
        </ol>
      )}

      <h3>Macros</h3>
      {!hasLibrary ? (
        <Empty>No macro library to show.</Empty>
      ) : (
        <>
          <div className="toolbar">
            <label htmlFor={`${ids}-q`}>Search</label>
            <input id={`${ids}-q`} type="search" placeholder="Macro or group name" value={q} onChange={(e) => setQ(e.target.value)} data-testid="km-search" />
            <span className="muted small" aria-live="polite" data-testid="km-macro-count">
              {macros.data ? `${formatCount(filtered.length)} of ${formatCount(macros.data.length)} macros` : ''}
            </span>
          </div>
          {macros.error && <Note tone="error">Could not list the macros: {macros.error}</Note>}
          {!macros.data && !macros.error && <p className="muted">Loading macros…</p>}
          {macros.data && (
            <div className="table-scroll tall">
              <table className="table" data-testid="km-macro-list">
                <caption className="sr-only">Keyboard Maestro macros</caption>
                <thead>
                  <tr>
                    <th scope="col">Macro</th>
                    <th scope="col">Group</th>
                    <th scope="col">Macro state</th>
                    <th scope="col">Group state</th>
                    <th scope="col">
                      <span className="sr-only">History</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {filtered.slice(0, LIMIT).map((m) => (
                    <tr key={m.uid} className={historyOf?.uid === m.uid ? 'selected' : undefined} data-testid="km-macro" data-uid={m.uid} data-enabled={String(m.enabled)} data-active={String(m.active)}>
                      <td className="break">{m.name}</td>
                      <td className="break">{m.group}</td>
                      <td>
                        <StatusIcon tone={m.enabled ? 'ok' : 'neutral'} size={11} /> {m.enabled ? 'Enabled' : 'Disabled'}
                      </td>
                      <td>
                        <StatusIcon tone={m.active ? 'ok' : 'neutral'} size={11} /> {m.active ? 'Active' : 'Inactive'}
                      </td>
                      <td>
                        <button type="button" className="link" onClick={() => setHistoryOf(m)} aria-pressed={historyOf?.uid === m.uid} aria-label={`History of ${m.name}`} data-testid="km-macro-history">
                          History
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {filtered.length === 0 && <p className="empty">No macro matches.</p>}
              {filtered.length > LIMIT && <p className="muted small">Showing the first {LIMIT}; search to narrow down.</p>}
            </div>
          )}
          {historyOf && <MacroHistory key={historyOf.uid} macro={historyOf} onClose={() => setHistoryOf(null)} />}
        </>
      )}
    </div>
  );
}

/** Macro changes from other machines while the Engine runs: applied, or waiting (why, and how to fix it). */
function ApplyPanel() {
  const api = useApi();
  const app = useApp()!;
  const now = useNow();
  const latest = app.activity[0]?.id ?? 0;
  // While something is applied or waits, its list and reason may change without a new activity line.
  const [tick, setTick] = useState(0);
  const st = useLoad(() => api.invoke('km:apply-state'), [latest, app.km.parses, app.skipped.length, tick]);
  const watching = !!st.data && st.data.status !== 'idle' && st.data.status !== 'applied';
  useEffect(() => {
    if (!watching) return;
    const t = setInterval(() => setTick((n) => n + 1), 2000);
    return () => clearInterval(t);
  }, [watching]);
  const retry = useAction(() => api.invoke('km:apply-retry'));
  const s: KmApplyState | null = retry.state.status === 'done' && st.data && (st.data.at ?? 0) <= (retry.state.result.at ?? 0) ? retry.state.result : st.data;
  if (!s) return null;
  const waiting = s.status === 'waiting' || s.status === 'conflict' || s.status === 'failed';
  return (
    <section className="km-apply" data-testid="km-apply" data-status={s.status} aria-label="Macro changes from other machines">
      {s.status === 'idle' && (
        <p className="help" data-testid="km-apply-idle">
          Macro changes from your other machines are applied through Keyboard Maestro while it runs; it never has to quit for them.
        </p>
      )}
      {s.status === 'applying' && (
        <Note tone="busy" testId="km-apply-words" role="status">
          <Spinner /> Applying {macroChangeWords(s.macros)} from your other machines through Keyboard Maestro…
        </Note>
      )}
      {s.status === 'applied' && (
        <Note tone="ok" testId="km-apply-words">
          {s.macros.length ? (
            <>
              Applied {macroChangeWords(s.macros)} from your other machines through Keyboard Maestro <RelTime at={s.at} now={now} />.
            </>
          ) : (
            <>Keyboard Maestro already had the changes from your other machines.</>
          )}
        </Note>
      )}
      {waiting && (
        <Note tone={s.status === 'failed' ? 'error' : 'warning'} testId="km-apply-words" role="alert">
          <strong>
            {s.status === 'conflict' ? 'A macro changed here and on another machine' : 'Macro changes from your other machines are waiting'}
          </strong>
          <p data-testid="km-apply-reason">
            {s.status === 'waiting' ? 'They are applied when the Keyboard Maestro Engine quits, because ' : s.status === 'conflict' ? 'Both versions are kept until the Keyboard Maestro Engine quits: ' : 'They are applied when the Keyboard Maestro Engine quits: '}
            {s.reason}.
          </p>
          {s.fix && (
            <p data-testid="km-apply-fix">
              <strong>To apply them now:</strong> {s.fix}
            </p>
          )}
          {s.macros.length > 0 && (
            <ul className="skipped-list" data-testid="km-apply-macros" aria-label="Macros waiting">
              {s.macros.slice(0, 8).map((m) => (
                <li key={`${m.uid}:${m.change}`} data-testid="km-apply-macro" data-uid={m.uid} data-change={m.change}>
                  {m.group} / {m.name}: {m.change}
                </li>
              ))}
              {s.macros.length > 8 && <li className="muted">and {pluralize(s.macros.length - 8, 'more macro', 'more macros')}</li>}
            </ul>
          )}
          <p className="muted small" data-testid="km-apply-kept">
            {s.keptLocal > 0
              ? `Your own macro changes are still sent to your other machines (${pluralize(s.keptLocal, 'macro change', 'macro changes')} so far).`
              : 'Your own macro changes are still sent to your other machines meanwhile.'}
          </p>
          <div className="toolbar">
            <button type="button" disabled={retry.running} onClick={() => void retry.run()} aria-busy={retry.running} data-testid="km-apply-retry">
              {retry.running ? (
                <>
                  <Spinner /> Trying again…
                </>
              ) : (
                'Try again'
              )}
            </button>
            <span className="muted small">
              {s.status === 'failed' ? 'Tried' : 'Waiting since'} <RelTime at={s.at} now={now} />
            </span>
          </div>
        </Note>
      )}
      <ActionStatus state={retry.state} testId="km-apply-retry-result" running="Asking Keyboard Maestro…" showRunning={false} done={(r) => (r.status === 'waiting' ? <span className="sr-only">Still waiting: {r.reason}</span> : <span className="sr-only">Keyboard Maestro answered; syncing now.</span>)} />
    </section>
  );
}

/** One macro's versions (from its exported file), a version compared with the macro now, and restore. */
function MacroHistory({ macro, onClose }: { macro: KmMacro; onClose(): void }) {
  const api = useApi();
  const app = useApp()!;
  const now = useNow();
  const history = useLoad(() => api.invoke('km:history', { uid: macro.uid }), [macro.uid, app.repo.head]);
  const [rev, setRev] = useState<string | null>(null);
  const restore = useAction((r: string) => api.invoke('km:restore', { uid: macro.uid, rev: r }));
  const show = useAction(() => api.invoke('km:show-macro', { uid: macro.uid }));
  const versions = useMemo(() => history.data?.versions ?? [], [history.data]);
  const entry = versions.find((v) => v.rev === rev) ?? null;

  useEffect(() => {
    // The newest version that is not the current one is what people usually want to look at.
    if (rev === null && versions.length > 1) setRev(versions.find((v, i) => i > 0 && !v.deleted)?.rev ?? null);
  }, [rev, versions]);

  return (
    <section className="version-view" data-testid="km-history" data-uid={macro.uid} aria-label={`History of ${macro.name}`}>
      <div className="section-head">
        <h3>History of {macro.name}</h3>
        <span className="row-actions">
          <button type="button" className="link" onClick={() => void show.run()} disabled={show.running} data-testid="km-show-macro">
            Show in Keyboard Maestro
          </button>
          <button type="button" className="link" onClick={onClose} data-testid="km-history-close">
            Close
          </button>
        </span>
      </div>
      <ActionStatus state={show.state} testId="km-show-result" running="Opening Keyboard Maestro…" showRunning={false} done={() => <span className="muted small">Opened in the Keyboard Maestro editor.</span>} />
      <p className="help">Every version of this macro synced from any of your machines, newest first. Restoring puts one back through Keyboard Maestro and syncs it; the version it replaces stays in this list.</p>
      {history.error && <Note tone="error">Could not list the versions: {history.error}</Note>}
      {!history.data && !history.error && (
        <p className="muted">
          <Spinner /> Loading versions…
        </p>
      )}
      {history.data && !history.data.exported && versions.length === 0 && (
        <Note tone="neutral" testId="km-history-not-exported">
          Macros are kept one file each only while “Export macros” is on (Keyboard Maestro settings, km.exportMacros): without it there is no history per macro.
        </Note>
      )}
      {history.data && history.data.exported && versions.length === 0 && <Empty testId="km-history-empty">No versions of this macro are synced yet.</Empty>}
      {versions.length > 0 && (
        <div className="table-scroll">
          <table className="table versions" data-testid="km-versions">
            <caption className="sr-only">Versions of {macro.name}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Machine</th>
                <th scope="col">Version</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v, i) => (
                <VersionRow
                  key={v.rev}
                  v={v}
                  current={i === 0 && history.data!.inLibrary}
                  now={now}
                  selected={v.rev === rev}
                  onSelect={() => {
                    if (v.rev !== rev) restore.reset();
                    setRev(v.rev);
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {entry && <VersionView key={entry.rev} uid={macro.uid} entry={entry} restoring={restore.running} onRestore={() => void restore.run(entry.rev)} outcome={<ActionStatus state={restore.state} testId="km-restore-result" running="Restoring…" showRunning={false} done={(r) => <RestoreWords r={r} now={now} />} />} />}
    </section>
  );
}

function VersionRow({ v, current, now, selected, onSelect }: { v: KmMacroVersion; current: boolean; now: number; selected: boolean; onSelect(): void }) {
  return (
    <tr className={selected ? 'selected' : undefined} data-selected={String(selected)} data-testid="km-version" data-rev={v.rev} data-deleted={String(v.deleted)} onClick={onSelect}>
      <td>
        <button type="button" className="link" onClick={(e) => (e.stopPropagation(), onSelect())} aria-pressed={selected} data-testid="km-version-select">
          <RelTime at={v.at} now={now} />
        </button>
        {current && <span className="muted small"> (now)</span>}
      </td>
      <td>{v.host}</td>
      <td className="break">{v.deleted ? <em>deleted</em> : `${v.group} / ${v.name}`}</td>
    </tr>
  );
}

function VersionView({ uid, entry, restoring, onRestore, outcome }: { uid: string; entry: KmMacroVersion; restoring: boolean; onRestore(): void; outcome: ReactNode }) {
  const api = useApi();
  const now = useNow();
  const shown = useLoad(entry.deleted ? null : () => api.invoke('km:version', { uid, rev: entry.rev }), [uid, entry.rev]);
  const d = shown.data;
  return (
    <div data-testid="km-version-view" data-rev={entry.rev}>
      <div className="section-head">
        <h4>
          {entry.deleted ? 'Deleted' : 'Version saved'} on {entry.host} <RelTime at={entry.at} now={now} />
        </h4>
        {!entry.deleted && (
          <button type="button" className="primary" disabled={restoring || !d} onClick={onRestore} data-testid="km-restore">
            {restoring ? (
              <>
                <Spinner /> Restoring…
              </>
            ) : (
              'Restore this version'
            )}
          </button>
        )}
      </div>
      {outcome}
      {entry.deleted && <Empty testId="km-version-deleted">The macro was deleted in this version; choose an earlier one to restore it.</Empty>}
      {shown.error && <Note tone="error">Could not load this version: {shown.error}</Note>}
      {!entry.deleted && !d && !shown.error && (
        <p className="muted">
          <Spinner /> Loading…
        </p>
      )}
      {d && (
        <>
          {d.current === null && <Note tone="neutral">This macro is not in Keyboard Maestro right now: restoring adds it back.</Note>}
          <DiffView oldText={d.current} newText={d.content} oldLabel="The macro now" newLabel="This version" testId="km-version-diff" />
        </>
      )}
    </div>
  );
}

function RestoreWords({ r, now }: { r: KmRestoreResult; now: number }) {
  if (r.kind === 'restored') {
    return (
      <Note tone="ok" testId="km-restore-words">
        Restored {r.name} in Keyboard Maestro to its version from <RelTime at={r.at} now={now} /> on {r.host}. It is synced to your other machines like any change.
      </Note>
    );
  }
  return (
    <Note tone="warning" testId="km-restore-words">
      <strong>Not restored:</strong> {r.reason}.
      {r.fix && <p data-testid="km-restore-fix">{r.fix}</p>}
      <p>
        The version is saved as <span className="break path">{r.path}</span>: import it in Keyboard Maestro with File ▸ Import Macros.
      </p>
    </Note>
  );
}
