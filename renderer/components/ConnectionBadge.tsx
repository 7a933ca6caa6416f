/** Connection to the host, in words (and a shape), with "Retry now" while disconnected. */
import { useRenderer, useApi, useNow } from '../context.js';
import { StatusIcon } from './icons.js';

export function ConnectionBadge() {
  const info = useRenderer((s) => s.connection);
  const api = useApi();
  const now = useNow(1000);
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
          <StatusIcon tone="error" size={12} />{' '}
          <span>
            Disconnected{info.reason ? `: ${info.reason}` : ''}
            {secs != null ? ` — retrying in ${secs} s` : ''}
          </span>{' '}
          <button type="button" className="link" data-testid="connection-retry" onClick={() => api.connection.reconnectNow()}>
            Retry now
          </button>
        </>
      )}
    </div>
  );
}
