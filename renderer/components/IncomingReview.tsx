/**
 * The popover's review of changes waiting to arrive ('ask before applying', sync.applyIncoming):
 * what sync:preview says arrives, each file with the engine's words and its diff on request, and one
 * "Apply all" (sync:now {apply: true}). It lives in the popover, where the count is shown, so the
 * person reviews without leaving it; the footer (Sync now, Pause, Preferences) stays in view.
 * Looking changes nothing.
 */
import { useEffect, useRef } from 'react';
import type { AppState } from '../../shared/state.js';
import { isSuccess } from '../../shared/meanings.js';
import { useAction, useApi, useLoad } from '../context.js';
import { applyAllWords, incomingWaitingWords, reviewItems } from '../lib/setup-words.js';
import { ActionStatus, Note, SyncResultView } from './common.js';
import { Spinner } from './icons.js';
import { PreviewFile } from './PreviewFile.js';

/** `onApplied`: the popover forgets its last Sync now outcome ("changes wait"), which is over. */
export function IncomingReview({ app, onBack, onApplied }: { app: AppState; onBack(): void; onApplied(): void }) {
  const api = useApi();
  const heading = useRef<HTMLHeadingElement>(null);
  const loaded = useLoad(() => api.invoke('sync:preview'), []);
  const apply = useAction(async () => {
    const r = await api.invoke('sync:now', { apply: true });
    loaded.reload();
    onApplied();
    return r;
  });
  useEffect(() => heading.current?.focus(), []);

  const items = loaded.data ? reviewItems(loaded.data) : [];
  const status = loaded.error ? 'failed' : loaded.loading || !loaded.data ? 'running' : 'done';
  const applied = apply.state.status === 'done' && isSuccess(apply.state.result.kind);
  const waiting = app.repo.incomingWaiting;
  return (
    <section
      className="review"
      aria-labelledby="review-h"
      data-testid="review"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onBack();
        }
      }}
    >
      <div className="review-head">
        <h2 id="review-h" ref={heading} tabIndex={-1}>
          {waiting > 0 ? incomingWaitingWords(waiting).replace(/^./, (c) => c.toUpperCase()) : 'Changes from other machines'}
        </h2>
        <button type="button" className="link small" onClick={onBack} data-testid="review-back">
          Back
        </button>
      </div>
      <div aria-live="polite" data-testid="review-status" data-status={status} data-count={loaded.data ? items.length : undefined}>
        {loaded.error ? (
          <Note tone="error">Could not look at the repository: {loaded.error}</Note>
        ) : !loaded.data ? (
          <p className="muted">
            <Spinner /> Looking at what arrives (nothing is applied)…
          </p>
        ) : loaded.data.offline ? (
          <Note tone="warning">The repository could not be asked: {loaded.data.offline}</Note>
        ) : items.length === 0 ? (
          <p className="empty" data-testid="review-empty">
            {applied ? 'Everything that waited is applied.' : 'Nothing waits to arrive now.'}
          </p>
        ) : (
          <p className="muted small">
            These changes were made on your other machines. They are written to your files here when you apply them; yours stay in History.
          </p>
        )}
      </div>
      {items.length > 0 && (
        <ul className="rows review-list" data-testid="review-list">
          {items.map((i) => (
            <PreviewFile key={i.path} item={{ ...i, direction: 'incoming' }} testPrefix="review" />
          ))}
        </ul>
      )}
      {items.length > 0 && (
        <div className="button-row">
          <button type="button" className="primary" disabled={apply.running} aria-busy={apply.running} onClick={() => void apply.run()} data-testid="review-apply">
            {apply.running ? (
              <>
                <Spinner /> Applying…
              </>
            ) : (
              applyAllWords(items.length)
            )}
          </button>
        </div>
      )}
      <ActionStatus state={apply.state} testId="review-apply-result" running="Applying…" showRunning={false} done={(r) => <SyncResultView result={r} />} />
    </section>
  );
}
