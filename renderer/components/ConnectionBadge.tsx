/** Connection to the host, in words (and a shape), with "Retry now" while disconnected. */
import { useRenderer, useApi, useNow } from '../context.js';
import { StatusIcon } from './icons.js';

export function ConnectionBadge() {
  const info = useRenderer((s) => s.connection);
  const api = useApi();
  const now = useNow(info.state === 'disconnected' ? 1000 : 60_000);
  const hasState = useRenderer((s) => s.app !== null);
  if (info.transport === 'preload') return null; // IPC: there is no connection to lose
  const secs = info.retryAt ? Math.max(0, Math.ceil((info.retryAt - now) / 1000)) : null;
  return (
    <div className={`connection conn-${info.state}`} data-testid="connection-state" data-state={info.state} role="status" aria-live="polite">
      {info.state === 'connected' && (
        <>
          <StatusIcon tone="ok" size={12} /> <span>Connected</span>
        </>
      )}
      {info.state === 'connecting' && (
        <>
          <StatusIcon tone="busy" size={12} spin /> <span>Connecting…</span>
        </>
      )}
      {info.state === 'disconnected' && (
        <>
          <span>
            <StatusIcon tone="error" size={12} /> Disconnected{info.reason ? `: ${info.reason}` : ''}
            {/* The countdown ticks every second: hidden from the live region so it is not re-announced. */}
            {secs != null ? (
              <>
                <span aria-hidden="true"> — retrying in {secs} s.</span>
                <span className="sr-only"> Retrying automatically.</span>
              </>
            ) : (
              '.'
            )}
            {hasState ? <span className="muted"> Showing the last known state.</span> : null}
          </span>{' '}
          <button type="button" className="link" data-testid="connection-retry" onClick={() => api.connection.reconnectNow()}>
            Retry now
          </button>
        </>
      )}
    </div>
  );
}
