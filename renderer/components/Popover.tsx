/**
 * The tray popover (~360 × 480): state, first-scan progress, conflicts and error banners, recent
 * activity, and a footer that is always in view with Sync now, Pause/Resume and the way to
 * Preferences. The middle scrolls; the activity list scrolls inside it, so the footer never goes
 * below the fold (styles.css, "the popover window").
 *
 * With no remote, the header offers "Set up syncing" (the Repository tab's setup flow). When changes
 * from other machines wait for a review ('ask before applying'), a banner says how many, and Review
 * swaps the middle for the review (IncomingReview.tsx: the files, their diffs, Apply all); the
 * header and the footer stay.
 */
import { useRef, useState, type RefObject } from 'react';
import { isBusy, isSuccess, notSynced, notSyncedWords } from '../../shared/meanings.js';
import type { AppState, SyncResult } from '../../shared/state.js';
import type { TabId } from '../lib/tabs.js';
import { activityKindWords, activityMatters, activityTone, conflictBannerWords, failureWords, headerWords, scanProgress, stateProblem, transferProgress } from '../lib/words.js';
import { pluralize } from '../lib/time.js';
import { useAction, useApi, useApp, useConnected, useNow, useRenderer } from '../context.js';
import { incomingWaitingWords } from '../lib/setup-words.js';
import { ActionStatus, Note, RelTime, SyncResultView } from './common.js';
import { Spinner, StatusIcon } from './icons.js';
import { IncomingReview } from './IncomingReview.js';
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
      <StatusHeader app={app} now={now} onSetUp={() => onOpenTab('repository')} />
      <PopoverMain app={app} now={now} onOpenTab={onOpenTab} />
    </section>
  );
}

/** The middle (scrolls) and the footer (always in view); they share the Sync now and Pause actions. */
function PopoverMain({ app, now, onOpenTab }: { app: AppState; now: number; onOpenTab(tab: TabId): void }) {
  const api = useApi();
  const sync = useAction(() => api.invoke('sync:now'));
  // The outcome says what was asked for: the state push that confirms it may come a moment later.
  const pause = useAction(async (paused: boolean) => {
    await api.invoke('sync:set-paused', { paused });
    return paused;
  });
  const [reviewing, setReviewing] = useState(false);
  const reviewLink = useRef<HTMLButtonElement>(null);
  const back = () => {
    setReviewing(false);
    // Back where the person was: the Review link (when changes still wait).
    requestAnimationFrame(() => reviewLink.current?.focus());
  };
  if (reviewing) {
    return (
      <>
        <div className="popover-body">
          <IncomingReview app={app} onBack={back} onApplied={sync.reset} />
        </div>
        <PopoverFooter app={app} sync={sync} pause={pause} onOpenTab={onOpenTab} />
      </>
    );
  }
  return (
    <>
      <div className="popover-body">
        <ErrorsBanner app={app} onOpenTab={onOpenTab} />
        <ConflictsBanner app={app} onOpenTab={onOpenTab} />
        <NotSyncedBanner app={app} onOpenTab={onOpenTab} />
        <IncomingBanner app={app} linkRef={reviewLink} onReview={() => setReviewing(true)} />
        {/* The outcomes of the footer's buttons, under the banners they may refer to. */}
        <ActionStatus
          state={sync.state}
          testId="sync-result"
          running="Syncing…"
          showRunning={false}
          done={(r) =>
            r.kind === 'waiting' ? <WaitingNote applied={app.repo.incomingWaiting === 0} /> : shownAbove(r, app) ? <TriedAgain /> : <SyncResultView result={r} />
          }
        />
        <ActionStatus
          state={pause.state}
          testId="pause-result"
          running={app.paused ? 'Resuming…' : 'Pausing…'}
          showRunning={false}
          // The header says Paused (or not) once the host confirms: the words here are only announced.
          done={(paused) => <span className="sr-only">{paused ? 'Syncing is paused.' : 'Syncing is on.'}</span>}
        />
        <ScanProgress app={app} />
        <TransferProgress app={app} />
        <RecentActivity app={app} now={now} />
      </div>
      <PopoverFooter app={app} sync={sync} pause={pause} onOpenTab={onOpenTab} />
    </>
  );
}

/**
 * True when a failed Sync now ended in the problem the header and the banner show already (the same
 * known problem, or the same words): the outcome then says only that, instead of a third time.
 */
function shownAbove(r: SyncResult, app: AppState): boolean {
  if (isSuccess(r.kind) || headerWords(app).tone !== 'error') return false;
  const mine = failureWords(r.kind, r.message, r.detail, r.warnings);
  const shown = stateProblem(app);
  return mine.problem || shown.problem ? mine.problem?.id === shown.problem?.id : mine.words === shown.words && mine.gitLine === shown.gitLine;
}

/**
 * Sync now found changes from other machines and left them for the review ('ask before applying'):
 * the banner above says how many, so this says only what the click did. Calm, never an error.
 */
function WaitingNote({ applied }: { applied: boolean }) {
  // The count goes back to 0 only when the changes were applied (here, in the CLI or another window).
  if (applied) return <span className="muted">The changes that waited for your review have been applied since.</span>;
  return (
    <Note tone="pending" testId="sync-waiting">
      Checked just now: nothing was applied. The changes above wait for your review.
    </Note>
  );
}

/** "2 changes waiting to arrive" with the way to review them ('ask before applying'). */
function IncomingBanner({ app, linkRef, onReview }: { app: AppState; linkRef: RefObject<HTMLButtonElement | null>; onReview(): void }) {
  const n = app.repo.incomingWaiting;
  if (!n) return null;
  return (
    <div data-testid="incoming-banner" data-count={n}>
      <Note tone="pending">
        <strong data-testid="incoming-banner-words">{incomingWaitingWords(n).replace(/^./, (c) => c.toUpperCase())}</strong> from your other machines.{' '}
        <button type="button" className="link" ref={linkRef} onClick={onReview} data-testid="incoming-review">
          Review
        </button>
      </Note>
    </div>
  );
}

function TriedAgain() {
  return (
    <Note tone="error" testId="sync-tried-again">
      Tried just now: the same problem as above.
    </Note>
  );
}

/**
 * What to do about the problem the header names: the settings file's problem, a failed sync's fix (the
 * header says the cause; this says the fix, once), or git's own first line when ConfSync cannot explain
 * it. A remote that is not found gets the same banner while the state is "offline": waiting will not
 * fix it.
 */
function ErrorsBanner({ app, onOpenTab }: { app: AppState; onOpenTab(tab: TabId): void }) {
  const p = stateProblem(app);
  const notFound = app.phase === 'offline' && p.problem?.id === 'not-found';
  if (!app.configError && app.phase !== 'error' && !notFound) return null;
  return (
    <div data-testid="errors-banner" data-problem={app.configError ? 'settings' : (p.problem?.id ?? 'unknown')} role="alert">
      <Note tone="error">
        {app.configError ? (
          <>
            <strong>The settings file has a problem.</strong> <span className="break">{app.configError}</span>
          </>
        ) : p.problem ? (
          <>
            <strong>To fix it:</strong> <span className="break" data-testid="errors-banner-fix">{p.problem.fix}</span>
          </>
        ) : (
          <span className="break" data-testid="errors-banner-git">
            {p.gitLine ? `git said: ${p.gitLine}` : 'ConfSync could not say more about it.'}
          </span>
        )}{' '}
        {notFound && !app.configError ? (
          <button type="button" className="link" data-testid="errors-banner-repository" onClick={() => onOpenTab('repository')}>
            Check the address
          </button>
        ) : (
          <button type="button" className="link" data-testid="errors-banner-open" onClick={() => onOpenTab('health')}>
            Show details
          </button>
        )}
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
          Review {pluralize(n, 'conflict', 'conflicts')}
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
  const p = scanProgress(app.scan);
  return (
    <div className="scan" data-testid="scan-progress" data-determinate={String(p.determinate)}>
      <div className="scan-label" id="scan-label">
        First scan: {p.words}
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-labelledby="scan-label"
        aria-valuemin={p.determinate ? 0 : undefined}
        aria-valuemax={p.determinate ? app.scan.total : undefined}
        aria-valuenow={p.determinate ? app.scan.scanned : undefined}
        aria-valuetext={p.words}
      >
        <div className={`progress-fill${p.determinate ? '' : ' indeterminate'}`} style={p.determinate ? { width: `${p.percent}%` } : undefined} />
      </div>
    </div>
  );
}

function TransferProgress({ app }: { app: AppState }) {
  const t = app.repo.transfer;
  if (!t) return null;
  const p = transferProgress(t);
  return (
    <div className="scan" data-testid="transfer-progress" data-what={t.what}>
      <div className="scan-label" id="transfer-label">
        {p.words}
      </div>
      <div className="progress" role="progressbar" aria-labelledby="transfer-label" aria-valuemin={0} aria-valuemax={t.total} aria-valuenow={t.done} aria-valuetext={p.words}>
        <div className="progress-fill" style={{ width: `${p.percent}%` }} />
      </div>
    </div>
  );
}

type ActionOf<A extends unknown[], R> = ReturnType<typeof useAction<A, R>>;

/**
 * Sync now and Pause/Resume. Sync now is disabled, with its reason as the button's description (read
 * by screen readers, shown as a tooltip), while paused ("Resume to sync"), while a sync runs (this
 * window's, or one the host started: a watched edit, the schedule, another machine's hint) and while
 * the page is not connected (the connection line says so).
 */
function SyncControls({ app, sync, pause }: { app: AppState; sync: ActionOf<[], SyncResult>; pause: ActionOf<[boolean], boolean> }) {
  const connected = useConnected();
  const running = sync.running || isBusy(app.phase);
  const reasonWords = app.paused ? 'Syncing is paused. Resume to sync.' : running ? 'A sync is running. Sync now is available again when it finishes.' : undefined;
  return (
    <div className="sync-controls">
      <div className="button-row">
        <button
          type="button"
          className="primary"
          data-testid="sync-now"
          // The host does not sync while paused (it would answer "nothing to do"): resume first.
          disabled={running || !connected || app.paused}
          aria-busy={running}
          aria-describedby={app.paused ? 'sync-paused-hint' : running ? 'sync-busy-hint' : undefined}
          title={reasonWords}
          onClick={() => void sync.run()}
        >
          {running ? (
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
      {/* The reasons. The header already says Paused or Syncing in view, so these are for screen readers. */}
      {app.paused && (
        <p className="sr-only" id="sync-paused-hint" data-testid="sync-paused-hint">
          Syncing is paused. Resume to sync.
        </p>
      )}
      {!app.paused && running && (
        <p className="sr-only" id="sync-busy-hint" data-testid="sync-busy-hint">
          A sync is running. Sync now is available again when it finishes.
        </p>
      )}
    </div>
  );
}

/** The popover's list keeps what matters (`activityMatters` in lib/words.ts says the rule); "Show all" lists everything. */
function RecentActivity({ app, now }: { app: AppState; now: number }) {
  const [all, setAll] = useState(false);
  const matters = app.activity.filter(activityMatters);
  const hidden = app.activity.length - matters.length;
  // The host keeps the last 50 entries; the list scrolls.
  const items = all ? app.activity : matters;
  return (
    <section className="activity" aria-labelledby="activity-h">
      <div className="activity-head">
        <h2 id="activity-h">Recent activity</h2>
        {(hidden > 0 || all) && (
          <button type="button" className="link small" aria-pressed={all} data-testid="activity-show-all" data-hidden={hidden} onClick={() => setAll(!all)}>
            {all ? 'Show only what matters' : `Show all (${pluralize(hidden, 'more', 'more')})`}
          </button>
        )}
      </div>
      {items.length === 0 ? (
        <p className="empty" data-testid="activity-empty">
          {app.activity.length === 0 ? 'Nothing has happened yet.' : 'No files saved or received yet.'}
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
    </section>
  );
}

function PopoverFooter({
  app,
  sync,
  pause,
  onOpenTab,
}: {
  app: AppState;
  sync: ActionOf<[], SyncResult>;
  pause: ActionOf<[boolean], boolean>;
  onOpenTab(tab: TabId): void;
}) {
  const api = useApi();
  const act = useAction(async (what: 'folder' | 'logs') => {
    await api.invoke(what === 'folder' ? 'app:open-sync-folder' : 'app:show-logs');
    return what;
  });
  return (
    <footer className="popover-footer">
      <SyncControls app={app} sync={sync} pause={pause} />
      <div className="button-row secondary">
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
