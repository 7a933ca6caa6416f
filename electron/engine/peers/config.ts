/**
 * The hint channel's effective configuration: settings.peers, overridden by the environment
 *   CONFSYNC_PEER_SERVER=true|false   run the server
 *   CONFSYNC_SYNC_PORT=<port>         the server's port
 *   CONFSYNC_PEERS=<url>,<url>        peers to connect to (replaces settings.peers.urls; empty = none)
 *   CONFSYNC_PEER_SECRET=<secret>     shared HMAC secret (at least 16 characters)
 * Nothing runs unauthenticated: with the server or any peer enabled and no secret, the result is an
 * error and nothing starts.
 */
import type { Settings } from '../../../shared/settings.js';

export interface PeerConfig {
  server: boolean;
  host: string;
  port: number;
  urls: string[];
  secret: string | null;
  rateLimitPerMin: number;
}

export type ResolvedPeerConfig =
  | { ok: true; config: PeerConfig; enabled: boolean; warnings: string[] }
  | { ok: false; config: PeerConfig; error: string; warnings: string[] };

export const MIN_SECRET_LENGTH = 16;

export const NO_SECRET_MESSAGE =
  'Peer hints are enabled but no shared secret is configured: set peers.secret in the settings or CONFSYNC_PEER_SECRET (at least 16 characters, the same on every machine). Refusing to run unauthenticated; the schedule keeps syncing.';

/** ws:// or wss:// only, no credentials in the URL; a bare host ("ws://h:1" or "ws://h:1/") means /hints. */
export function normalizePeerUrl(raw: string): { ok: true; url: string } | { ok: false; error: string } {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return { ok: false, error: `not a URL: ${JSON.stringify(raw)}` };
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') return { ok: false, error: `${raw}: only ws:// and wss:// peer URLs are allowed` };
  if (u.username || u.password) return { ok: false, error: `${u.host}: credentials do not belong in a peer URL (the shared secret authenticates)` };
  if (u.hash) u.hash = '';
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/hints';
  return { ok: true, url: u.toString() };
}

function parseBool(name: string, v: string): boolean | string {
  const s = v.trim().toLowerCase();
  if (s === 'true' || s === '1' || s === 'yes' || s === 'on') return true;
  if (s === 'false' || s === '0' || s === 'no' || s === 'off' || s === '') return false;
  return `${name} must be true or false, not ${JSON.stringify(v)}`;
}

export function resolvePeerConfig(settings: Settings['peers'], env: NodeJS.ProcessEnv = process.env): ResolvedPeerConfig {
  const warnings: string[] = [];
  const errors: string[] = [];
  const config: PeerConfig = {
    server: settings.server,
    host: settings.host,
    port: settings.port,
    urls: [],
    secret: settings.secret,
    rateLimitPerMin: settings.rateLimitPerMin,
  };
  if (env.CONFSYNC_PEER_SERVER !== undefined) {
    const b = parseBool('CONFSYNC_PEER_SERVER', env.CONFSYNC_PEER_SERVER);
    if (typeof b === 'string') errors.push(b);
    else config.server = b;
  }
  if (env.CONFSYNC_SYNC_PORT !== undefined && env.CONFSYNC_SYNC_PORT.trim() !== '') {
    const p = Number(env.CONFSYNC_SYNC_PORT.trim());
    if (!Number.isInteger(p) || p < 0 || p > 65_535) errors.push(`CONFSYNC_SYNC_PORT must be a port number (0-65535), not ${JSON.stringify(env.CONFSYNC_SYNC_PORT)}`);
    else config.port = p;
  }
  if (env.CONFSYNC_PEER_SECRET !== undefined && env.CONFSYNC_PEER_SECRET !== '') config.secret = env.CONFSYNC_PEER_SECRET;
  const rawUrls = env.CONFSYNC_PEERS !== undefined ? env.CONFSYNC_PEERS.split(',').map((s) => s.trim()).filter(Boolean) : settings.urls;
  for (const raw of rawUrls) {
    const n = normalizePeerUrl(raw);
    if (!n.ok) warnings.push(`Peer ignored: ${n.error}`);
    else if (!config.urls.includes(n.url)) config.urls.push(n.url);
  }
  const enabled = config.server || config.urls.length > 0;
  if (enabled && !config.secret) errors.push(NO_SECRET_MESSAGE);
  else if (enabled && config.secret && config.secret.length < MIN_SECRET_LENGTH) {
    errors.push(`The peer secret is too short (${config.secret.length} characters; at least ${MIN_SECRET_LENGTH}). Refusing to run with a guessable secret.`);
  }
  if (errors.length) return { ok: false, config, error: errors.join('; '), warnings };
  return { ok: true, config, enabled, warnings };
}
