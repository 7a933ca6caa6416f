/**
 * The popover's header: state in words + colour + shape (`headerWords`: the tray's state, except that
 * Paused leads while conflicts wait), last and next sync on one line, and "safe to shut down".
 * Changes from other machines waiting for a review read "Waiting for your review" in the calm
 * pending tone (`withIncomingWaiting`), never as an error and never as "Up to date". With no remote,
 * "Set up syncing" beside the local-only note leads to the setup flow (`onSetUp`).
 */
import type { AppState } from '../../shared/state.js';
import { headerWords, lastSyncWords, localOnlyWords, nextSyncWords, shutdownWords } from '../lib/words.js';
import { withIncomingWaiting } from '../lib/setup-words.js';
import { formatDateTime } from '../lib/time.js';
import { StatusIcon } from './icons.js';

export function StatusHeader({ app, now, onSetUp }: { app: AppState; now: number; onSetUp?: () => void }) {
  const d = withIncomingWaiting(headerWords(app), app);
  const sd = shutdownWords(app);
  const localOnly = localOnlyWords(app);
  return (
    <header className={`status-header tone-bg-${d.tone}`}>
      <div className="status-line" aria-live="polite">
        <StatusIcon tone={d.tone} size={22} spin={d.tone === 'busy'} />
        <div>
          <div className="status-label" data-testid="header-state" data-kind={d.kind} data-phase={app.phase}>
            {d.label}
          </div>
          <div className="status-detail">{d.detail}</div>
        </div>
      </div>
      <div className="status-meta">
        <span className="status-times">
          <span data-testid="header-last-sync" title={app.repo.lastSyncAt ? formatDateTime(app.repo.lastSyncAt) : undefined}>
            {lastSyncWords(app, now)}
          </span>
          {app.repo.nextSyncAt != null && !app.paused && (
            <>
              <span className="muted" aria-hidden="true">
                {' · '}
              </span>
              <span data-testid="header-next-sync" className="muted">
                {nextSyncWords(app.repo.nextSyncAt, now)}
              </span>
            </>
          )}
        </span>
        <span data-testid="header-safe-to-shutdown" data-safe={String(sd.safe)} className={sd.safe ? 'safe' : 'unsafe'} aria-live="polite">
          <StatusIcon tone={sd.safe ? 'ok' : 'pending'} size={12} /> {sd.text}
        </span>
        {localOnly && (
          <span className="local-only-line">
            <span data-testid="header-local-only" className="muted">
              {localOnly}
            </span>
            {onSetUp && (
              <>
                {' '}
                <button type="button" className="link small" onClick={onSetUp} data-testid="header-set-up">
                  Set up syncing
                </button>
              </>
            )}
          </span>
        )}
      </div>
    </header>
  );
}
