/**
 * The headless host's access token. The page is opened as `http://127.0.0.1:PORT/?token=T`; we read it
 * once, keep it in sessionStorage (per tab, survives popover.html → preferences.html navigation and
 * reloads) and take it out of the address bar so it does not end up in history or screenshots.
 */

export const TOKEN_KEY = 'confsync.token';

export interface TokenEnv {
  href: string;
  storage: { getItem(k: string): string | null; setItem(k: string, v: string): void } | null;
  /** history.replaceState(null, '', url) */
  replaceUrl(url: string): void;
}

export function takeToken(env: TokenEnv): string | null {
  let url: URL;
  try {
    url = new URL(env.href);
  } catch {
    return safeGet(env);
  }
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      env.storage?.setItem(TOKEN_KEY, fromUrl);
    } catch {
      /* storage disabled: we still have it in memory for this page */
    }
    url.searchParams.delete('token');
    const search = url.searchParams.toString();
    env.replaceUrl(`${url.pathname}${search ? `?${search}` : ''}${url.hash}`);
    return fromUrl;
  }
  return safeGet(env);
}

function safeGet(env: TokenEnv): string | null {
  try {
    return env.storage?.getItem(TOKEN_KEY) ?? null;
  } catch {
    return null;
  }
}

/** ws://host/api?token=T (wss when the page is https). */
export function apiSocketUrl(loc: { protocol: string; host: string }, token: string | null): string {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${loc.host}/api${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}
