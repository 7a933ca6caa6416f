/**
 * History as a timeline, like GitHub Desktop: the changes synced from every machine, newest first, each
 * with its machine, when, and its files. Narrowed by profile (a select) and by file (a search over file
 * names); "Show older changes" pages back. Selecting a change shows its files, a file its diff (before →
 * after that change); from there a file, or every file of the change, can be put back, each after a
 * confirmation that says what will change.
 *
 * A search that names one synced file asks the host for that file's changes (so paging reaches its whole
 * history) and shows its machine variants, with the one live here. A search that matches several files
 * narrows the changes already loaded. Changes are keyed by revision: a page that repeats one is merged,
 * never listed twice.
 */
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { SyncedFile, TimelineEntry } from '../../shared/contract.js';
import type { SyncResult } from '../../shared/state.js';
import { isSuccess, plural } from '../../shared/meanings.js';
import { errorText } from '../api/types.js';
import { useAction, useApi, useApp, useConnected, useLoad, useNow } from '../context.js';
import { ActionStatus, Empty, Note, RelTime, SyncResultView } from '../components/common.js';
import { DiffView } from '../components/DiffView.js';
import { Spinner, StatusIcon } from '../components/icons.js';
import { formatClock, formatCount, formatDate, formatDateTime, formatRelative } from '../lib/time.js';
import {
  TIMELINE_PAGE,
  appendOlder,
  changeKindWords,
  changeWords,
  changesMatching,
  fileName,
  fileNamesWords,
  filePlace,
  mergeNewest,
  pathFilter,
  profileOf,
  variantWords,
  type TimelineFile,
} from '../lib/timeline.js';

interface Query {
  profile?: string;
  path?: string;
}

interface TimelineState {
  key: string;
  list: TimelineEntry[];
  more: boolean;
  loading: boolean;
  loadingMore: boolean;
  error: string | null;
}

/**
 * The loaded changes for a query: the newest page, loaded again when the repo's HEAD moves (new changes
 * go on top), and older pages appended by `showMore`. A change is never listed twice.
 */
function useTimeline(query: Query, head: string | null) {
  const api = useApi();
  const connected = useConnected();
  const key = JSON.stringify(query);
  const [s, setS] = useState<TimelineState>({ key, list: [], more: false, loading: true, loadingMore: false, error: null });
  const gen = useRef(0);
  useEffect(() => {
    if (!connected) return;
    const my = ++gen.current;
    setS((prev) => (prev.key === key ? { ...prev, loading: true } : { key, list: [], more: false, loading: true, loadingMore: false, error: null }));
    api
      .invoke('history:timeline', { ...query, limit: TIMELINE_PAGE })
      .then((page) => {
        if (my !== gen.current) return;
        setS((prev) => {
          const list = prev.key === key ? mergeNewest(prev.list, page) : appendOlder([], page);
          // Older pages kept below the new ones keep their own "more".
          const more = list.length > page.length && prev.key === key ? prev.more : page.length >= TIMELINE_PAGE;
          return { key, list, more, loading: false, loadingMore: false, error: null };
        });
      })
      .catch((e: unknown) => {
        if (my === gen.current) setS((prev) => ({ ...prev, key, loading: false, error: errorText(e) }));
      });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, head, connected]);

  const showMore = async () => {
    const last = s.list.at(-1);
    if (!last || s.loadingMore) return;
    setS((prev) => ({ ...prev, loadingMore: true }));
    try {
      const page = await api.invoke('history:timeline', { ...query, limit: TIMELINE_PAGE, before: last.rev });
      setS((prev) => (prev.key !== key ? prev : { ...prev, list: appendOlder(prev.list, page), more: page.length >= TIMELINE_PAGE, loadingMore: false, error: null }));
    } catch (e) {
      setS((prev) => (prev.key !== key ? prev : { ...prev, loadingMore: false, error: errorText(e) }));
    }
  };
  const current = s.key === key ? s : { key, list: [], more: false, loading: true, loadingMore: false, error: null };
  return { ...current, showMore };
}

export function HistoryTab() {
  const api = useApi();
  const app = useApp()!;
  const now = useNow();
  const ids = useId();
  const head = app.repo.head;
  const files = useLoad(() => api.invoke('history:files'), [head]);
  const [profile, setProfile] = useState('');
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<string | null>(null);

  // The profiles that have files in the repo, by title (the host knows them by name).
  const profiles = useMemo(() => {
    const inRepo = new Set((files.data ?? []).map((f) => profileOf(f.path)).filter((p): p is string => !!p));
    return app.profiles.filter((p) => inRepo.has(p.name) || p.name === profile).sort((a, b) => a.title.localeCompare(b.title));
  }, [files.data, app.profiles, profile]);

  const inProfile = useMemo<SyncedFile[]>(() => (files.data ?? []).filter((f) => !profile || profileOf(f.path) === profile), [files.data, profile]);
  const filter = useMemo(() => pathFilter(inProfile, search), [inProfile, search]);
  // One file named: its changes come from the host (all of its history pages back); a file with
  // variants is asked for by its profile and narrowed here, so the variants' changes are listed too.
  const query: Query = useMemo(() => {
    if (filter.one && !filter.variants.length) return { path: filter.one };
    const p = profile || (filter.one ? profileOf(filter.one) : null);
    return p ? { profile: p } : {};
  }, [filter.one, filter.variants.length, profile]);
  const t = useTimeline(query, head);
  const shown = useMemo(() => changesMatching(t.list, filter), [t.list, filter]);
  const current = shown.find((e) => e.rev === selected) ?? null;

  return (
    <div className="history">
      <h2>History</h2>
      <p className="help">Every change synced from any of your machines, newest first. Choose one to see what changed, and put files back the way they were.</p>
      <div className="toolbar history-filters">
        <label htmlFor={`${ids}-profile`}>Profile</label>
        <select id={`${ids}-profile`} value={profile} onChange={(e) => setProfile(e.target.value)} data-testid="history-profile">
          <option value="">All profiles</option>
          {profiles.map((p) => (
            <option key={p.name} value={p.name}>
              {p.title}
            </option>
          ))}
        </select>
        <label htmlFor={`${ids}-search`}>File</label>
        <input
          id={`${ids}-search`}
          type="search"
          placeholder="Search file names…"
          autoComplete="off"
          spellCheck={false}
          value={search}
          list={`${ids}-files`}
          onChange={(e) => setSearch(e.target.value)}
          aria-describedby={`${ids}-search-words`}
          data-testid="history-search"
        />
        <datalist id={`${ids}-files`}>
          {filter.needle && filter.bases.slice(0, 20).map((b) => <option key={b} value={filePlace(b)} />)}
        </datalist>
      </div>
      <p className="muted small" id={`${ids}-search-words`} data-testid="history-search-words" aria-live="polite">
        {searchWords(filter, files.data !== null)}
      </p>

      {filter.one && filter.variants.length > 0 && <Variants key={filter.one} path={filter.variants[0]} base={filter.one} reloadKey={head ?? ''} />}

      {t.error && (
        <Note tone="error" role="alert">
          Could not list the changes: {t.error}
        </Note>
      )}
      {t.loading && t.list.length === 0 && !t.error && (
        <p className="muted">
          <Spinner /> Loading changes…
        </p>
      )}
      {!t.loading && !t.error && t.list.length === 0 && !filter.needle && !profile && <Empty testId="history-empty">Nothing has been synced yet.</Empty>}
      {!t.loading && !t.error && shown.length === 0 && (filter.needle || profile) && (
        <Empty testId="history-no-match">
          {t.more ? 'No change among the ones loaded matches. Show older changes to look further back.' : 'No change matches.'}
        </Empty>
      )}

      {shown.length > 0 && (
        <ChangeList
          list={shown}
          selected={current?.rev ?? null}
          onSelect={setSelected}
          now={now}
          thisHost={app.host}
          label={`Changes, newest first${filter.one ? `, to ${filePlace(filter.one)}` : ''}`}
        />
      )}
      {t.list.length > 0 && (
        <div className="history-paging">
          <span className="muted small" data-testid="history-count" aria-live="polite">
            {shown.length === t.list.length ? `Showing ${plural(shown.length, 'change')}` : `${formatCount(shown.length)} of ${plural(t.list.length, 'change')} loaded match`}
          </span>
          {t.more ? (
            <button type="button" onClick={() => void t.showMore()} disabled={t.loadingMore} aria-busy={t.loadingMore} data-testid="history-more">
              {t.loadingMore ? (
                <>
                  <Spinner /> Loading…
                </>
              ) : (
                'Show older changes'
              )}
            </button>
          ) : (
            <span className="muted small" data-testid="history-end">
              No older changes.
            </span>
          )}
        </div>
      )}

      {current ? (
        <ChangePanel key={current.rev} entry={current} now={now} thisHost={app.host} head={head} />
      ) : (
        shown.length > 0 && <p className="help" data-testid="history-pick-hint">Choose a change to see its files and what changed in them.</p>
      )}
    </div>
  );
}

function searchWords(f: ReturnType<typeof pathFilter>, loaded: boolean): string {
  if (!f.needle) return 'Search to see the changes to one file.';
  if (!loaded) return 'Looking for matching files…';
  if (f.one) return `Changes to ${filePlace(f.one)}${f.variants.length ? ' and its variants' : ''}.`;
  if (f.bases.length === 0) return 'No synced file matches; showing the changes loaded so far that touched a matching file.';
  return `${plural(f.bases.length, 'synced file')} match: ${fileNamesWords(f.bases.map((path) => ({ path })))}. Showing the changes that touched them.`;
}

// ------------------------------------------------------------------------------------ the list

function ChangeList({
  list,
  selected,
  onSelect,
  now,
  thisHost,
  label,
}: {
  list: TimelineEntry[];
  selected: string | null;
  onSelect(rev: string): void;
  now: number;
  thisHost: string;
  label: string;
}) {
  // ↑/↓/Home/End move through the changes, as the tabs do.
  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const buttons = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('button[data-testid="history-change"]')];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    const to = e.key === 'ArrowDown' ? at + 1 : e.key === 'ArrowUp' ? at - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? buttons.length - 1 : null;
    if (to === null || to < 0 || to >= buttons.length) return;
    e.preventDefault();
    buttons[to].focus();
    onSelect(buttons[to].dataset.rev!);
  };
  return (
    <ul className="timeline-list" data-testid="history-timeline" aria-label={label} onKeyDown={onKeyDown}>
      {list.map((e) => {
        const kind = changeKindWords(e.message, e.host);
        const isSel = e.rev === selected;
        return (
          <li key={e.rev}>
            <button
              type="button"
              className={`list-item change-item${isSel ? ' selected' : ''}`}
              aria-current={isSel ? 'true' : undefined}
              onClick={() => onSelect(e.rev)}
              data-testid="history-change"
              data-rev={e.rev}
              data-host={e.host}
              data-files={e.files.length}
            >
              <span className="list-item-text">
                <span className="list-item-title break" data-testid="history-change-files">
                  {kind && <span className="pill pill-muted change-kind">{kind}</span>} {fileNamesWords(e.files)}
                </span>
                <span className="muted small">
                  <span data-testid="history-change-host">{e.host === thisHost ? `${e.host} (this machine)` : e.host}</span> · <RelTime at={e.at} now={now} /> ·{' '}
                  {plural(e.files.length, 'file')}
                </span>
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}

// ------------------------------------------------------------------------------------ one change

type Confirming = { what: 'file'; path: string } | { what: 'change' } | null;

function ChangePanel({ entry, now, thisHost, head }: { entry: TimelineEntry; now: number; thisHost: string; head: string | null }) {
  const api = useApi();
  const ids = useId();
  const detail = useLoad(() => api.invoke('history:change', { rev: entry.rev }), [entry.rev]);
  const [file, setFile] = useState<string | null>(entry.files[0]?.path ?? null);
  const [confirming, setConfirming] = useState<Confirming>(null);
  const restore = useAction(async (c: NonNullable<Confirming>, rev: string) =>
    c.what === 'file' ? api.invoke('history:restore', { path: c.path, rev }) : api.invoke('history:restore-change', { rev: entry.rev }),
  );
  const files = detail.data?.files ?? null;
  const f = files?.find((x) => x.path === file) ?? null;
  const meta = entry.files.find((x) => x.path === file) ?? null;
  const who = entry.host === thisHost ? `${entry.host} (this machine)` : entry.host;
  const when = formatRelative(entry.at, now);
  const kind = changeKindWords(entry.message, entry.host);
  const restorable = entry.files.filter((x) => x.change !== 'deleted' && x.live);

  const ask = (c: NonNullable<Confirming>) => {
    restore.reset();
    setConfirming(c);
  };
  const run = async (c: NonNullable<Confirming>, rev: string) => {
    const r = await restore.run(c, rev);
    if (r) setConfirming(null);
  };

  return (
    <section className="change-detail" data-testid="history-change-detail" data-rev={entry.rev} aria-labelledby={`${ids}-h`}>
      <h3 id={`${ids}-h`}>
        Change from {who}, <time dateTime={new Date(entry.at).toISOString()} title={formatDateTime(entry.at)}>{when}</time>
      </h3>
      <p className="muted small" data-testid="history-change-summary">
        {[kind, `${formatDate(entry.at)} at ${formatClock(entry.at)}`, plural(entry.files.length, 'file')].filter(Boolean).join(' · ')}
      </p>
      <ul className="change-files" aria-label={`Files of this change`}>
        {entry.files.map((x) => (
          <li key={x.path}>
            <button
              type="button"
              className={`list-item change-file${x.path === file ? ' selected' : ''}`}
              aria-current={x.path === file ? 'true' : undefined}
              onClick={() => {
                setFile(x.path);
                if (confirming?.what === 'file') setConfirming(null);
              }}
              data-testid="history-change-file"
              data-path={x.path}
              data-change={x.change}
            >
              <span className={`pill change-${x.change}`}>{changeWords(x.change)}</span>
              <span className="list-item-text">
                <span className="list-item-title break">{fileName(x.path)}</span>
                <span className="muted small break">
                  {filePlace(x.path)}
                  {variantWords(x.path) ? ` (variant for ${variantWords(x.path)})` : ''}
                  {!x.live ? ' · not synced on this machine' : ''}
                </span>
              </span>
            </button>
          </li>
        ))}
      </ul>

      {detail.error && <Note tone="error">Could not load this change: {detail.error}</Note>}
      {!files && !detail.error && (
        <p className="muted">
          <Spinner /> Loading what changed…
        </p>
      )}
      {f && meta && (
        <div className="change-file-view">
          <h4>{f.change === 'modified' ? `What changed in ${fileName(f.path)}` : `${fileName(f.path)} was ${f.change} by this change`}</h4>
          {f.binary ? (
            <Empty testId="history-binary">A binary file: no preview of its content.</Empty>
          ) : (
            <DiffView oldText={f.before} newText={f.after} oldLabel="Before this change" newLabel="After this change" testId="history-diff" />
          )}
          <div className="button-row">
            <button
              type="button"
              className="primary"
              disabled={!meta.live || restore.running}
              aria-describedby={!meta.live ? `${ids}-not-here` : undefined}
              onClick={() => ask({ what: 'file', path: f.path })}
              data-testid="history-restore-file"
            >
              {f.change === 'deleted' ? 'Restore this file as it was before' : 'Restore this file to this version'}
            </button>
            {entry.files.length > 1 && (
              <button type="button" disabled={!restorable.length || restore.running} onClick={() => ask({ what: 'change' })} data-testid="history-restore-change">
                Restore all files of this change
              </button>
            )}
          </div>
          {!meta.live && (
            <p className="help" id={`${ids}-not-here`}>
              This file is not synced on this machine (its profile is off here), so it cannot be put back here.
            </p>
          )}
        </div>
      )}
      {confirming?.what === 'file' && meta && (
        <ConfirmFile
          key={confirming.path}
          file={meta}
          rev={meta.change === 'deleted' ? `${entry.rev}^` : entry.rev}
          who={entry.host}
          when={when}
          head={head}
          running={restore.running}
          onConfirm={(rev) => void run(confirming, rev)}
          onCancel={() => setConfirming(null)}
        />
      )}
      {confirming?.what === 'change' && (
        <ConfirmChange entry={entry} when={when} head={head} running={restore.running} onConfirm={() => void run(confirming, entry.rev)} onCancel={() => setConfirming(null)} />
      )}
      <ActionStatus state={restore.state} testId="history-restore-result" running="Restoring…" showRunning={false} done={(r) => <RestoreOutcome result={r} />} />
    </section>
  );
}

/** The outcome of a restore: what was put back (the host's words), and the sync after it when it did not go well. */
function RestoreOutcome({ result }: { result: SyncResult }) {
  // The sync after it did not go well (or waits, or found a conflict): its own words say why, with the
  // host's restore words in them.
  if (!isSuccess(result.kind) || result.kind === 'waiting' || result.kind === 'conflict') return <SyncResultView result={result} />;
  const loose = result.skipped.length > 0 || result.warnings.length > 0 || /not restored|No file restored/.test(result.message);
  return (
    <Note tone={loose ? 'warning' : 'ok'}>
      <strong className="result-title" data-kind={result.kind}>
        Restored
      </strong>
      <div className="result-message">{firstSentences(result.message)}</div>
      {(result.skipped.length > 0 || result.warnings.length > 0) && <SyncResultView result={result} />}
    </Note>
  );
}

/** The host's restore words without the sync's own tally ("…restored. Synced: 1 committed, …" → "…restored."). */
function firstSentences(message: string): string {
  const cut = message.search(/\.\s+(Synced|Already up to date|Saved on this machine)\b/);
  return cut >= 0 ? message.slice(0, cut + 1) : message;
}

/** A confirmation takes the focus when it opens (it may open below the fold), so it is seen and its question heard. */
function useFocusOnOpen() {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return ref;
}

function ConfirmFile({
  file,
  rev,
  who,
  when,
  head,
  running,
  onConfirm,
  onCancel,
}: {
  file: TimelineFile;
  rev: string;
  who: string;
  when: string;
  head: string | null;
  running: boolean;
  onConfirm(rev: string): void;
  onCancel(): void;
}) {
  const api = useApi();
  const ids = useId();
  // What restoring would change in the current file (loaded again when the repo moves).
  const shown = useLoad(() => api.invoke('history:show', { path: file.path, rev }), [file.path, rev, head]);
  const d = shown.data;
  const same = !!d && !d.binary && d.content === d.current;
  const place = filePlace(file.path);
  const ref = useFocusOnOpen();
  return (
    <div ref={ref} tabIndex={-1} className="confirm confirm-block" role="group" aria-labelledby={`${ids}-q`} data-testid="history-confirm" data-what="file">
      <p id={`${ids}-q`} className="confirm-question" data-testid="history-confirm-words">
        {file.change === 'deleted'
          ? `Put ${place} back as it was before ${who} deleted it ${when}?`
          : `Put ${place} back to the version ${who} saved ${when}?`}
      </p>
      <p className="help">
        The file on this machine is replaced, and the change is sent to your other machines. Its current content stays in History, so you can
        undo this.
      </p>
      {shown.error && <Note tone="error">Could not compare with the current file: {shown.error}</Note>}
      {!d && !shown.error && (
        <p className="muted">
          <Spinner /> Comparing with the current file…
        </p>
      )}
      {d && d.binary && <p>A binary file: no preview of what changes.</p>}
      {d && !d.binary && same && <p data-testid="history-confirm-same">The current file already is this version: nothing would change.</p>}
      {d && !d.binary && !same && (
        <>
          <h4>What restoring changes in the current file</h4>
          {d.current === null && <p className="muted">The file does not exist on this machine right now; restoring creates it.</p>}
          <DiffView oldText={d.current} newText={d.content} oldLabel="Current file" newLabel="After restoring" testId="history-confirm-diff" />
        </>
      )}
      <div className="button-row">
        <button type="button" className="primary" disabled={running || !d || same} onClick={() => onConfirm(rev)} data-testid="history-confirm-yes">
          {running ? (
            <>
              <Spinner /> Restoring…
            </>
          ) : (
            `Restore ${fileName(file.path)}`
          )}
        </button>
        <button type="button" onClick={onCancel} disabled={running} data-testid="history-confirm-cancel">
          Cancel
        </button>
      </div>
    </div>
  );
}

function ConfirmChange({
  entry,
  when,
  head,
  running,
  onConfirm,
  onCancel,
}: {
  entry: TimelineEntry;
  when: string;
  head: string | null;
  running: boolean;
  onConfirm(): void;
  onCancel(): void;
}) {
  const api = useApi();
  const ids = useId();
  const back = entry.files.filter((x) => x.change !== 'deleted' && x.live);
  const deleted = entry.files.filter((x) => x.change === 'deleted');
  const notHere = entry.files.filter((x) => x.change !== 'deleted' && !x.live);
  // Which of them already are that version here (looked at for up to 20 files).
  const same = useLoad(
    () =>
      Promise.all(
        back.slice(0, 20).map(async (x) => {
          const d = await api.invoke('history:show', { path: x.path, rev: entry.rev }).catch(() => null);
          return d && !d.binary && d.content === d.current ? x.path : null;
        }),
      ).then((l) => l.filter((p): p is string => !!p)),
    [entry.rev, head],
  );
  const unchanged = new Set(same.data ?? []);
  const changing = back.filter((x) => !unchanged.has(x.path));
  const places = (l: TimelineFile[]) => l.map((x) => filePlace(x.path)).join(', ');
  const ref = useFocusOnOpen();
  return (
    <div ref={ref} tabIndex={-1} className="confirm confirm-block" role="group" aria-labelledby={`${ids}-q`} data-testid="history-confirm" data-what="change">
      <p id={`${ids}-q`} className="confirm-question" data-testid="history-confirm-words">
        {back.length === 0
          ? 'No file of this change can be put back on this machine.'
          : `Put back ${plural(back.length, 'file')} as ${entry.host} saved ${back.length === 1 ? 'it' : 'them'} ${when}: ${places(back)}?`}
      </p>
      <ul className="confirm-list">
        {same.data && changing.length > 0 && unchanged.size > 0 && (
          <li>
            Changes here: {places(changing)}. Already that version here: {places(back.filter((x) => unchanged.has(x.path)))}.
          </li>
        )}
        {same.data && back.length > 0 && changing.length === 0 && <li data-testid="history-confirm-same">Every one of them already is that version here: nothing would change.</li>}
        {deleted.length > 0 && (
          <li>
            Not deleted here: {places(deleted)} ({deleted.length === 1 ? 'this change deleted it' : 'this change deleted them'}; restoring never deletes a file).
          </li>
        )}
        {notHere.length > 0 && <li>Left as they are: {places(notHere)} (not synced on this machine).</li>}
        <li>The files on this machine are replaced and sent to your other machines; their current content stays in History, so you can undo this.</li>
      </ul>
      <div className="button-row">
        <button
          type="button"
          className="primary"
          disabled={running || back.length === 0 || (!!same.data && changing.length === 0)}
          onClick={onConfirm}
          data-testid="history-confirm-yes"
        >
          {running ? (
            <>
              <Spinner /> Restoring…
            </>
          ) : (
            `Restore ${plural(back.length, 'file')}`
          )}
        </button>
        <button type="button" onClick={onCancel} disabled={running} data-testid="history-confirm-cancel">
          Cancel
        </button>
      </div>
    </div>
  );
}

// ------------------------------------------------------------------------------------ variants

function Variants({ path, base, reloadKey }: { path: string; base: string; reloadKey: string }) {
  const api = useApi();
  const ids = useId();
  const list = useLoad(() => api.invoke('variants:list', { path }), [path, reloadKey]);
  const here = list.data?.find((v) => v.here) ?? null;
  return (
    <section className="variants" data-testid="history-variants" aria-labelledby={`${ids}-h`}>
      <h3 id={`${ids}-h`}>Versions of {filePlace(base)} for different machines</h3>
      {list.error && <Note tone="error">Could not list the variants: {list.error}</Note>}
      {!list.data && !list.error && (
        <p className="muted">
          <Spinner /> Loading…
        </p>
      )}
      {list.data && (
        <>
          <p className="help" data-testid="history-variant-here">
            {here ? `This machine uses ${here.suffix ? `the variant for ${here.words}` : 'the default'}.` : 'None of them is used on this machine.'}
          </p>
          <ul className="rows variant-list">
            {list.data.map((v) => (
              <li key={v.path} className="row" data-testid="history-variant" data-path={v.path} data-here={String(v.here)}>
                <div className="row-main">
                  <span className="row-title">{v.suffix ? `For ${v.words}` : 'The default'}</span>
                  <code className="small break">{fileName(v.path) + (v.suffix ? `##${v.suffix}` : '')}</code>
                  {v.here && <VariantPill>Live on this machine</VariantPill>}
                  {!v.exists && <span className="muted small">not in the repo</span>}
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function VariantPill({ children }: { children: ReactNode }) {
  return (
    <span className="pill pill-ok">
      <StatusIcon tone="ok" size={11} /> {children}
    </span>
  );
}
