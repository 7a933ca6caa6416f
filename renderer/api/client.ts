/**
 * createApi(): the renderer's one way to talk to its host. In Electron the preload exposes
 * `window.confsync` (named functions); in a browser (the headless host) we speak the same contract over
 * a WebSocket to `/api` on the page's own host, authenticated with the token from the address.
 */
import type { ConfSyncApi } from '../../shared/contract.js';
import { createPreloadApi } from './preload-bridge.js';
import { apiSocketUrl, takeToken } from './token.js';
import type { RendererApi } from './types.js';
import { WsTransport, type WebSocketLike } from './ws-transport.js';

export function createApi(): ConfSyncApi & RendererApi {
  if (window.confsync) return createPreloadApi(window.confsync);

  const token = takeToken({
    href: window.location.href,
    storage: safeSessionStorage(),
    replaceUrl: (url) => window.history.replaceState(window.history.state, '', url),
  });
  const transport = new WsTransport({
    url: apiSocketUrl(window.location, token),
    createSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
    hint: token ? null : 'No access token: open the address printed by "confsync daemon --ui"',
    diagnose: diagnoseWithHealth,
  });
  transport.connect();
  // Come back quickly when the machine wakes or the network returns, instead of waiting out the backoff.
  window.addEventListener('online', () => transport.reconnectNow());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') transport.reconnectNow();
  });
  return transport;
}

/**
 * Tells "host down" from "token refused": the host's /health answers 401 without a valid token or
 * cookie, and cannot be fetched at all when it is down. The token is kept across restarts (in the config
 * dir's `ui-token`) until `confsync daemon --new-token` makes a new one, so a refused token means this
 * address is from before that, or from another machine or config dir.
 */
async function diagnoseWithHealth(): Promise<string | null> {
  try {
    const r = await fetch('./health', { credentials: 'same-origin', cache: 'no-store' });
    if (r.status === 401) return 'The host did not accept the access token (it changes only with "confsync daemon --new-token"): open the address the daemon printed';
    return null;
  } catch {
    return 'The ConfSync host is not running or cannot be reached';
  }
}

function safeSessionStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}
