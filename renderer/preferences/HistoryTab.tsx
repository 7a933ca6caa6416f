/**
 * History: pick a synced file, see its versions (machine, date, size), look at one (content, or what
 * restoring it would change in the current file) and restore it.
 */
import { useEffect, useId, useMemo, useState, type ReactNode } from 'react';
import type { HistoryEntry } from '../../shared/contract.js';
import { useAction, useApi, useApp, useLoad, useNow } from '../context.js';
import { ActionStatus, Empty, Note, RelTime, SyncResultView } from '../components/common.js';
import { DiffView } from '../components/DiffView.js';
import { Spinner } from '../components/icons.js';
import { formatBytes, formatDateTime } from '../lib/time.js';

export function HistoryTab() {
  const api = useApi();
  const app = useApp()!;
  const now = useNow();
  const ids = useId();
  const files = useLoad(() => api.invoke('history:files'), [app.repo.head]);
  const [path, setPath] = useState<string>('');
  const [filter, setFilter] = useState('');
  const [rev, setRev] = useState<string | null>(null);
  const versions = useLoad(path ? () => api.invoke('history:list', { path }) : null, [path, app.repo.head]);
  const restore = useAction((p: string, r: string) => api.invoke('history:restore', { path: p, rev: r }));

  useEffect(() => {
    setRev(null);
    restore.reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [path]);

  const shownFiles = useMemo(() => {
    const q = filter.trim().toLowerCase();
    const all = files.data ?? [];
    return q ? all.filter((f) => f.path.toLowerCase().includes(q) || f.profile.toLowerCase().includes(q) || f.path === path) : all;
  }, [files.data, filter, path]);

  const entry = versions.data?.find((v) => v.rev === rev) ?? null;

  return (
    <div className="history">
      <h2>History</h2>
      {files.error && <Note tone="error">Could not list the synced files: {files.error}</Note>}
      {files.data && files.data.length === 0 && <Empty testId="history-no-files">No files are synced yet.</Empty>}
      {files.data && files.data.length > 0 && (
        <div className="toolbar">
          <label htmlFor={`${ids}-file`}>File</label>
          <select id={`${ids}-file`} value={path} onChange={(e) => setPath(e.target.value)} data-testid="history-file-picker">
            <option value="">Choose a synced file…</option>
            {shownFiles.map((f) => (
              <option key={f.path} value={f.path}>
                {f.path} ({f.profile})
              </option>
            ))}
          </select>
          {files.data.length > 15 && (
            <>
              <label className="sr-only" htmlFor={`${ids}-filter`}>
                Filter files
              </label>
              <input id={`${ids}-filter`} type="search" placeholder="Filter files…" value={filter} onChange={(e) => setFilter(e.target.value)} data-testid="history-file-filter" />
            </>
          )}
        </div>
      )}
      {!files.data && !files.error && <p className="muted">Loading files…</p>}
      {files.data && files.data.length > 0 && !path && (
        <p className="help" data-testid="history-pick-hint">
          Choose a file to see every version synced from any machine, compare one with the current file, and put it back.
        </p>
      )}

      {path && (
        <section aria-label={`Versions of ${path}`}>
          {versions.error && <Note tone="error">Could not list the versions: {versions.error}</Note>}
          {versions.data && versions.data.length === 0 && <Empty>No versions recorded for this file yet.</Empty>}
          {versions.data && versions.data.length > 0 && (
            <div className="table-scroll">
              <table className="table versions" data-testid="history-versions">
                <caption className="sr-only">Versions of {path}, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Machine</th>
                    <th scope="col">Size</th>
                    <th scope="col">Change</th>
                  </tr>
                </thead>
                <tbody>
                  {versions.data.map((v) => (
                    <VersionRow key={v.rev} v={v} now={now} selected={v.rev === rev} onSelect={() => {
                        if (v.rev !== rev) restore.reset();
                        setRev(v.rev);
                      }} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {!versions.data && !versions.error && (
            <p className="muted">
              <Spinner /> Loading versions…
            </p>
          )}
        </section>
      )}

      {path && entry && (
        <VersionView
          key={entry.rev}
          path={path}
          entry={entry}
          restoring={restore.running}
          // A restore (or a sync) changes the current file: what restoring would change is loaded again.
          reloadKey={`${app.repo.head ?? ''}:${restore.state.status === 'done' ? restore.state.result.at : ''}`}
          onRestore={() => void restore.run(path, entry.rev)}
          outcome={<ActionStatus state={restore.state} testId="history-restore-result" running="Restoring…" showRunning={false} done={(r) => <SyncResultView result={r} />} />}
        />
      )}
    </div>
  );
}

function VersionRow({ v, now, selected, onSelect }: { v: HistoryEntry; now: number; selected: boolean; onSelect(): void }) {
  return (
    <tr className={selected ? 'selected' : undefined} data-selected={String(selected)} data-testid="version-row" data-rev={v.rev} onClick={onSelect}>
      <td>
        <button type="button" className="link" onClick={(e) => (e.stopPropagation(), onSelect())} aria-pressed={selected} data-testid="version-select">
          {formatDateTime(v.at)}
        </button>{' '}
        <span className="muted small">
          (<RelTime at={v.at} now={now} />)
        </span>
      </td>
      <td>{v.host}</td>
      <td>{v.size == null ? 'deleted' : formatBytes(v.size)}</td>
      <td className="break">{v.message}</td>
    </tr>
  );
}

function VersionView({
  path,
  entry,
  restoring,
  reloadKey,
  onRestore,
  outcome,
}: {
  path: string;
  entry: HistoryEntry;
  restoring: boolean;
  reloadKey: string;
  onRestore(): void;
  outcome: ReactNode;
}) {
  const api = useApi();
  const shown = useLoad(() => api.invoke('history:show', { path, rev: entry.rev }), [path, entry.rev, reloadKey]);
  const d = shown.data;
  return (
    <section className="version-view" data-testid="history-version" data-rev={entry.rev} aria-label={`Version from ${formatDateTime(entry.at)}`}>
      <div className="section-head">
        <h3>
          Version from {formatDateTime(entry.at)} on {entry.host}
        </h3>
        <button type="button" className="primary" disabled={restoring || !d} onClick={onRestore} data-testid="history-restore">
          {restoring ? (
            <>
              <Spinner /> Restoring…
            </>
          ) : (
            'Restore this version'
          )}
        </button>
      </div>
      <p className="help">Restoring puts this version back on this machine and syncs it; the current content stays in History.</p>
      {outcome}
      {shown.error && <Note tone="error">Could not load this version: {shown.error}</Note>}
      {!d && !shown.error && (
        <p className="muted">
          <Spinner /> Loading…
        </p>
      )}
      {d && d.binary && <Empty testId="history-binary">Binary file ({formatBytes(entry.size)}): no preview.</Empty>}
      {d && !d.binary && (
        <>
          <h4>What restoring would change in the current file</h4>
          {d.current === null && <Note tone="neutral">The file does not exist on this machine right now.</Note>}
          <DiffView oldText={d.current} newText={d.content} oldLabel="Current file" newLabel="This version" testId="history-diff" />
          <h4>Content of this version</h4>
          {d.content === null ? (
            <Empty testId="history-content">The file did not exist in this version.</Empty>
          ) : (
            <pre className="content" data-testid="history-content" tabIndex={0} aria-label="Content of this version">
              {d.content}
            </pre>
          )}
        </>
      )}
    </section>
  );
}
