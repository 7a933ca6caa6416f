/**
 * Keyboard Maestro: the poller's state and figures (from state.km), the macro list (`km:macros`) with
 * a search box, and recent macro changes (activity items of kind 'km').
 */
import { useId, useMemo, useState } from 'react';
import { useApi, useApp, useLoad, useNow } from '../context.js';
import { Empty, Note, RelTime } from '../components/common.js';
import { StatusIcon } from '../components/icons.js';
import { formatCount, formatDuration } from '../lib/time.js';
import { kmStatusWords } from '../lib/words.js';

const LIMIT = 500;

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
                  </tr>
                </thead>
                <tbody>
                  {filtered.slice(0, LIMIT).map((m) => (
                    <tr key={m.uid} data-testid="km-macro" data-uid={m.uid} data-enabled={String(m.enabled)} data-active={String(m.active)}>
                      <td>{m.name}</td>
                      <td>{m.group}</td>
                      <td>
                        <StatusIcon tone={m.enabled ? 'ok' : 'neutral'} size={11} /> {m.enabled ? 'Enabled' : 'Disabled'}
                      </td>
                      <td>
                        <StatusIcon tone={m.active ? 'ok' : 'neutral'} size={11} /> {m.active ? 'Active' : 'Inactive'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {filtered.length === 0 && <p className="empty">No macro matches.</p>}
              {filtered.length > LIMIT && <p className="muted small">Showing the first {LIMIT}; search to narrow down.</p>}
            </div>
          )}
        </>
      )}
    </div>
  );
}
