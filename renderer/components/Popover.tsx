/**
 * The tray popover (~360 px): state, Sync now, Pause/Resume, first-scan progress, conflicts and error
 * banners, recent activity, and the way to Preferences.
 */
import { notSynced, notSyncedWords } from '../../shared/meanings.js';
import type { AppState } from '../../shared/state.js';
import type { TabId } from '../lib/tabs.js';
import { activityKindWords, activityTone, conflictBannerWords } from '../lib/words.js';
import { formatCount, pluralize } from '../lib/time.js';
import { useAction, useApi, useApp, useConnected, useNow, useRenderer } from '../context.js';
import { ActionStatus, Note, RelTime, SyncResultView } from './common.js';
import { Spinner, StatusIcon } from './icons.js';
import { StatusHeader } from './StatusHeader.js';

export interface PopoverProps {
  /** Show a preferences tab: switch in place on the combined page, navigate in a popover window. */
  onOpenTab(tab: TabId): void;
}

export function Popover({ onOpenTab }: PopoverProps) {
  const app = useApp();
  const loadError = useRenderer((s) => s.loadError);
  const now = useNow();
  if (!app) {
    return (
      <section className="popover" aria-label="ConfSync status" data-testid="popover">
        <div className="loading" role="status" data-testid="popover-loading">
          {loadError ? (
            <Note tone="error">Could not load the state: {loadError}</Note>
          ) : (
            <>
              <Spinner /> Loading ConfSync state…
            </>
          )}
        </div>
      </section>
    );
  }
  return (
    <section className="popover" aria-label="ConfSync status" data-testid="popover">
      <StatusHeader app={app} now={now} />
      <div className="popover-body">
        <ErrorsBanner app={app} onOpenTab={onOpenTab} />
        <ConflictsBanner app={app} onOpenTab={onOpenTab} />
        <NotSyncedBanner app={app} onOpenTab={onOpenTab} />
        <ScanProgress app={app} />
        <SyncControls app={app} />
        <RecentActivity app={app} now={now} />
      </div>
      <PopoverFooter onOpenTab={onOpenTab} />
    </section>
  );
}

function ErrorsBanner({ app, onOpenTab }: { app: AppState; onOpenTab(tab: TabId): void }) {
  if (!app.configError && app.phase !== 'error') return null;
  const latest = app.errors[0];
  return (
    <div data-testid="errors-banner" role="alert">
      <Note tone="error">
        {app.configError ? (
          <>
            <strong>The settings file has a problem.</strong> <span className="break">{app.configError}</span>
          </>
        ) : (
          <>
            <strong>Syncing stopped on an error.</strong>{' '}
            <span className="break">{latest ? `${latest.source}: ${latest.message}` : (app.repo.lastResult?.message ?? '')}</span>
          </>
        )}{' '}
        <button type="button" className="link" data-testid="errors-banner-open" onClick={() => onOpenTab('health')}>
          Show details
        </button>
      </Note>
    </div>
  );
}

function ConflictsBanner({ app, onOpenTab }: { app: AppState; onOpenTab(tab: TabId): void }) {
  const n = app.conflicts.length;
  if (!n) return null;
  return (
    <div data-testid="conflicts-banner" data-count={n}>
      <Note tone="warning">
        <strong data-testid="conflicts-banner-words">{conflictBannerWords(app.conflicts)}</strong> Both versions are kept until you choose.{' '}
        <button type="button" className="link" data-testid="conflicts-banner-open" onClick={() => onOpenTab('conflicts')}>
          Review {n === 1 ? 'conflict' : 'conflicts'}
        </button>
      </Note>
    </div>
  );
}

/** Files this machine could not sync (now, or in the last pass), with the first reasons. */
function NotSyncedBanner({ app, onOpenTab }: { app: AppState; onOpenTab(tab: TabId): void }) {
  const list = notSynced(app);
  if (!list.length) return null;
  const shown = list.slice(0, 2);
  return (
    <div data-testid="not-synced-banner" data-count={list.length}>
      <Note tone="warning">
        <strong>{list.length === 1 ? 'Not synced:' : `${notSyncedWords(list.length).replace(/^./, (c) => c.toUpperCase())}:`}</strong>
        <ul className="skipped-list">
          {shown.map((k) => (
            <li key={k.path} data-testid="not-synced-item" data-path={k.path} data-direction={k.direction}>
              <span className="break path">{k.path}</span>: {k.reason}
            </li>
          ))}
        </ul>
        {list.length > shown.length && <span className="muted">and {pluralize(list.length - shown.length, 'more', 'more')}. </span>}
        <button type="button" className="link" data-testid="not-synced-banner-open" onClick={() => onOpenTab('health')}>
          Show all reasons
        </button>
      </Note>
    </div>
  );
}

function ScanProgress({ app }: { app: AppState }) {
  if (!app.scan.running) return null;
  const { scanned, total } = app.scan;
  const pct = total > 0 ? Math.min(100, Math.round((scanned / total) * 100)) : null;
  const words = total > 0 ? `${formatCount(scanned)} / ${formatCount(total)} files scanned` : `${formatCount(scanned)} files scanned, counting…`;
  return (
    <div className="scan" data-testid="scan-progress">
      <div className="scan-label" id="scan-label">
        First scan: {words}
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-labelledby="scan-label"
        aria-valuemin={0}
        aria-valuemax={total > 0 ? total : undefined}
        aria-valuenow={total > 0 ? scanned : undefined}
        aria-valuetext={words}
      >
        <div className={`progress-fill${pct == null ? ' indeterminate' : ''}`} style={pct == null ? undefined : { width: `${pct}%` }} />
      </div>
    </div>
  );
}

function SyncControls({ app }: { app: AppState }) {
  const api = useApi();
  const connected = useConnected();
  const sync = useAction(() => api.invoke('sync:now'));
  // The outcome says what was asked for: the state push that confirms it may come a moment later.
  const pause = useAction(async (paused: boolean) => {
    await api.invoke('sync:set-paused', { paused });
    return paused;
  });
  return (
    <div className="sync-controls">
      <div className="button-row">
        <button
          type="button"
          className="primary"
          data-testid="sync-now"
          // The host does not sync while paused (it would answer "nothing to do"): resume first.
          disabled={sync.running || !connected || app.paused}
          aria-busy={sync.running}
          aria-describedby={app.paused ? 'sync-paused-hint' : undefined}
          onClick={() => void sync.run()}
        >
          {sync.running ? (
            <>
              <Spinner /> Syncing…
            </>
          ) : (
            'Sync now'
          )}
        </button>
        <button
          type="button"
          data-testid="pause-toggle"
          data-paused={String(app.paused)}
          disabled={pause.running || !connected}
          aria-busy={pause.running}
          onClick={() => void pause.run(!app.paused)}
        >
          {pause.running ? <Spinner /> : <StatusIcon tone={app.paused ? 'busy' : 'paused'} size={14} />} {app.paused ? 'Resume syncing' : 'Pause syncing'}
        </button>
      </div>
      {app.paused && (
        <p className="muted small" id="sync-paused-hint" data-testid="sync-paused-hint">
          Syncing is paused. Resume to sync.
        </p>
      )}
      <ActionStatus state={sync.state} testId="sync-result" running="Syncing…" showRunning={false} done={(r) => <SyncResultView result={r} />} />
      <ActionStatus
        state={pause.state}
        testId="pause-result"
        running={app.paused ? 'Resuming…' : 'Pausing…'}
        showRunning={false}
        done={(paused) => <span className="muted">{paused ? 'Syncing is paused.' : 'Syncing is on.'}</span>}
      />
    </div>
  );
}

function RecentActivity({ app, now }: { app: AppState; now: number }) {
  const items = app.activity.slice(0, 20);
  return (
    <section className="activity" aria-labelledby="activity-h">
      <h2 id="activity-h">Recent activity</h2>
      {items.length === 0 ? (
        <p className="empty" data-testid="activity-empty">
          Nothing has happened yet.
        </p>
      ) : (
        <ol className="activity-list scroll" data-testid="activity-list" aria-labelledby="activity-h" tabIndex={0}>
          {items.map((a) => (
            <li key={a.id} data-testid="activity-item" data-kind={a.kind}>
              <StatusIcon tone={activityTone(a.kind)} size={12} />
              <span className="activity-kind">{activityKindWords(a.kind)}</span>
              <span className="activity-text">{a.text}</span>
              <span className="activity-time">
                <RelTime at={a.at} now={now} />
              </span>
            </li>
          ))}
        </ol>
      )}
      {app.activity.length > 20 && <p className="muted small">{pluralize(app.activity.length - 20, 'older item', 'older items')} not shown.</p>}
    </section>
  );
}

function PopoverFooter({ onOpenTab }: { onOpenTab(tab: TabId): void }) {
  const api = useApi();
  const act = useAction(async (what: 'folder' | 'logs') => {
    await api.invoke(what === 'folder' ? 'app:open-sync-folder' : 'app:show-logs');
    return what;
  });
  return (
    <footer className="popover-footer">
      <div className="button-row">
        <button type="button" data-testid="open-preferences" onClick={() => onOpenTab('general')}>
          Preferences…
        </button>
        <button type="button" data-testid="open-sync-folder" onClick={() => void act.run('folder')}>
          Open sync folder
        </button>
        <button type="button" data-testid="show-logs" onClick={() => void act.run('logs')}>
          Show logs
        </button>
      </div>
      <ActionStatus
        state={act.state}
        testId="app-action-result"
        running="Opening…"
        done={(w) => <span className="muted">{w === 'folder' ? 'Opened the sync folder.' : 'Opened the logs.'}</span>}
      />
    </footer>
  );
}
