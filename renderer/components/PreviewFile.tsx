/**
 * One file of a preview (the setup flow's, and the popover's review of changes waiting to arrive): its
 * name, where it is, what happens to it in the engine's words, and its diff on request
 * (sync:diff {path}; the engine previews again, changing nothing).
 */
import { useId, useState } from 'react';
import type { PreviewItem } from '../../shared/contract.js';
import { useApi, useApp, useLoad } from '../context.js';
import { diffLabels, fileName } from '../lib/setup-words.js';
import { Note } from './common.js';
import { DiffView } from './DiffView.js';
import { Spinner } from './icons.js';

export function PreviewFile({ item, testPrefix, remote }: { item: PreviewItem & { direction: 'incoming' | 'outgoing' }; testPrefix: 'setup' | 'review'; remote?: { url: string; branch: string } }) {
  const [open, setOpen] = useState(false);
  const ids = useId();
  // A file already the same here has nothing to compare.
  const canDiff = item.what !== 'same';
  return (
    <li data-testid={`${testPrefix}-file`} data-path={item.path} data-what={item.what} data-direction={item.direction}>
      <div className="row-main">
        <span className="row-title">{fileName(item.live)}</span>
        <span className="muted path break">{item.live}</span>
        {canDiff && (
          <span className="row-actions">
            <button
              type="button"
              className="link"
              aria-expanded={open}
              aria-controls={open ? `${ids}-diff` : undefined}
              aria-label={`${open ? 'Hide changes' : 'Show changes'} to ${fileName(item.live)}`}
              onClick={() => setOpen(!open)}
              data-testid={`${testPrefix}-file-diff`}
              data-path={item.path}
            >
              {open ? 'Hide changes' : 'Show changes'}
            </button>
          </span>
        )}
      </div>
      <div className="preview-words" data-testid={`${testPrefix}-file-words`}>
        {item.words}
      </div>
      {open && (
        <div id={`${ids}-diff`}>
          <PendingFileDiff item={item} testPrefix={testPrefix} {...(remote ? { remote } : {})} />
        </div>
      )}
    </li>
  );
}

function PendingFileDiff({ item, testPrefix, remote }: { item: PreviewItem & { direction: 'incoming' | 'outgoing' }; testPrefix: string; remote?: { url: string; branch: string } }) {
  const api = useApi();
  const app = useApp();
  const loaded = useLoad(() => api.invoke('sync:diff', { path: item.path, ...(remote ?? {}) }), [item.path, remote?.url, remote?.branch]);
  const d = loaded.data?.find((x) => x.direction === item.direction) ?? loaded.data?.[0] ?? null;
  const status = loaded.error ? 'failed' : loaded.data ? 'done' : 'running';
  const labels = diffLabels(item, app?.host ?? 'this machine');
  return (
    <div className="pending-diff" aria-live="polite" data-testid={`${testPrefix}-diff-status`} data-status={status}>
      {loaded.error ? (
        <Note tone="error">The changes could not be shown: {loaded.error}</Note>
      ) : !loaded.data ? (
        <span className="muted">
          <Spinner /> Comparing…
        </span>
      ) : !d ? (
        <p className="empty">Nothing to compare: this file does not change any more.</p>
      ) : d.binary ? (
        <p className="empty">A binary file: there is no text to compare.</p>
      ) : (
        <DiffView oldText={d.before} newText={d.after} oldLabel={labels.oldLabel} newLabel={labels.newLabel} sides={labels.sides ?? undefined} testId={`${testPrefix}-diff`} />
      )}
    </div>
  );
}
