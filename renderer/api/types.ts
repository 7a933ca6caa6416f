/**
 * Transport-neutral types of the renderer's API: the contract's ConfSyncApi plus an observable
 * connection state. Kept free of DOM types so unit tests type-check under the Node tsconfig.
 */
import type { ConfSyncApi } from '../../shared/contract.js';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

export interface ConnectionInfo {
  state: ConnectionState;
  transport: 'preload' | 'websocket';
  /** Failed attempts since the last successful connection. */
  attempts: number;
  /** When the next reconnect attempt is due (epoch ms), while disconnected. */
  retryAt: number | null;
  /** Why the last connection ended or failed, in words. */
  reason: string | null;
}

export interface ConnectionSource {
  get(): ConnectionInfo;
  subscribe(listener: (info: ConnectionInfo) => void): () => void;
  /** Skip the backoff wait and try now (no-op where there is nothing to reconnect). */
  reconnectNow(): void;
}

export type RendererApi = ConfSyncApi & { connection: ConnectionSource; dispose(): void };

/** A failed request: `code` is the host's ContractError code, or 'disconnected' / 'unavailable'. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Message of anything thrown, for showing to people. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
