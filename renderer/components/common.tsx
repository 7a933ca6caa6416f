/** Small shared pieces: result lines, relative times, empty states, error notes. */
import type { ReactNode } from 'react';
import { notSyncedWords } from '../../shared/meanings.js';
import type { SyncResult } from '../../shared/state.js';
import { formatDateTime, formatRelative, pluralize } from '../lib/time.js';
import { failureWords, syncMessageInline, syncResultWords, type Tone } from '../lib/words.js';
import { isSuccess } from '../../shared/meanings.js';
import type { ActionState } from '../context.js';
import { Spinner, StatusIcon } from './icons.js';

export function RelTime({ at, now, prefix = '' }: { at: number | null | undefined; now: number; prefix?: string }) {
  if (at == null) return <span>{prefix}never</span>;
  return (
    <time dateTime={new Date(at).toISOString()} title={formatDateTime(at)}>
      {prefix}
      {formatRelative(at, now)}
    </time>
  );
}

export function Note({ tone, children, testId, role }: { tone: Tone; children: ReactNode; testId?: string; role?: 'alert' | 'status' }) {
  return (
    <div className={`note tone-${tone}`} data-testid={testId} data-tone={tone} role={role}>
      <StatusIcon tone={tone} />
      <div className="note-body">{children}</div>
    </div>
  );
}

/**
 * A SyncResult in words: title, what happened, the files it could not sync with their reasons, its
 * warnings, the host's message when it adds something, and the rest folded. A failure ConfSync can
 * explain says its cause as the title and the fix below it (git's own words stay under Details); one
 * it cannot explain shows git's first line instead of hiding it.
 */
export function SyncResultView({ result, testId, maxSkipped = 5 }: { result: SyncResult; testId?: string; maxSkipped?: number }) {
  const w = syncResultWords(result);
  const failed = !isSuccess(result.kind);
  const f = failed ? failureWords(result.kind, result.message, result.detail, result.warnings) : null;
  const problem = f?.problem ?? null;
  const inline = !problem && syncMessageInline(result);
  const folded = [inline ? null : result.message || null, result.detail ?? null].filter(Boolean).join('\n');
  const skipped = result.skipped ?? [];
  // A failure's warning that only repeats git's text is already in the details.
  const warnings = (result.warnings ?? []).filter((t) => !(failed && (t === result.detail || (problem && folded.includes(t)))));
  const gitLine = !problem && f?.gitLine && !warnings.some((t) => t.includes(f.gitLine!)) ? f.gitLine : null;
  return (
    <Note tone={problem ? 'error' : w.tone} testId={testId}>
      <strong data-kind={result.kind} className="result-title">
        {problem ? problem.cause : w.title}
      </strong>
      {/* The tally counts the warnings: shown when every warning it counts is listed below. */}
      {w.summary && !problem && warnings.length === (result.warnings ?? []).length && <span className="result-summary"> — {w.summary}</span>}
      {problem && (
        <div className="result-fix" data-testid="result-fix">
          {problem.fix}
        </div>
      )}
      {inline && <div className="result-message">{result.message}</div>}
      {gitLine && <div className="result-message">git said: {gitLine}</div>}
      {skipped.length > 0 && (
        <ul className="skipped-list" data-testid="result-skipped" aria-label={notSyncedWords(skipped.length)}>
          {skipped.slice(0, maxSkipped).map((k) => (
            <li key={k.path} data-testid="result-skipped-item" data-path={k.path} data-direction={k.direction}>
              <span className="break path">{k.path}</span>: {k.reason}
            </li>
          ))}
          {skipped.length > maxSkipped && <li className="muted">and {pluralize(skipped.length - maxSkipped, 'more file', 'more files')} (see Health)</li>}
        </ul>
      )}
      {warnings.length > 0 && (
        <ul className="warning-list" data-testid="result-warnings">
          {warnings.map((t, i) => (
            <li key={i}>{t}</li>
          ))}
        </ul>
      )}
      {folded && (
        <details>
          <summary>Details</summary>
          <pre className="detail">{folded}</pre>
        </details>
      )}
    </Note>
  );
}

/**
 * Shows the progress/outcome of an action in an aria-live region: "Working…", then `done(result)` or
 * the error in words. Always rendered (empty while idle) so screen readers announce changes.
 */
export function ActionStatus<R>({
  state,
  running = 'Working…',
  showRunning = true,
  done,
  testId,
}: {
  state: ActionState<R>;
  running?: string;
  /** False when the button already shows progress: the words are then only announced. */
  showRunning?: boolean;
  done: (r: R) => ReactNode;
  testId: string;
}) {
  return (
    <div aria-live="polite" data-testid={testId} data-status={state.status} data-kind={resultKind(state)} className="action-status">
      {state.status === 'running' &&
        (showRunning ? (
          <span className="muted">
            <Spinner /> {running}
          </span>
        ) : (
          <span className="sr-only">{running}</span>
        ))}
      {state.status === 'done' && done(state.result)}
      {state.status === 'failed' && (
        <Note tone="error" role="alert">
          {state.error}
        </Note>
      )}
    </div>
  );
}

/** The `kind` of a finished action's result when it has one (SyncResult, TestConnectionResult). */
function resultKind<R>(state: ActionState<R>): string | undefined {
  if (state.status !== 'done') return undefined;
  const r = state.result as unknown;
  if (r && typeof r === 'object' && 'kind' in r && typeof (r as { kind: unknown }).kind === 'string') return (r as { kind: string }).kind;
  return undefined;
}

export function Empty({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <p className="empty" data-testid={testId}>
      {children}
    </p>
  );
}

export function Figure({ label, value, testId }: { label: string; value: ReactNode; testId?: string }) {
  return (
    <div className="figure" data-testid={testId}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

export function FieldError({ id, msg, testId }: { id: string; msg: string | undefined; testId: string }) {
  return (
    <p id={id} className="field-error" data-testid={testId} role={msg ? 'alert' : undefined} hidden={!msg}>
      {msg}
    </p>
  );
}
