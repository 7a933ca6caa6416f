/**
 * The renderer's mirror of the host's AppState, plus the connection state. Order matters (the zubridge
 * rule): subscribe to `state:changed` FIRST, then ask for a `state:get` snapshot, so no update between
 * the two is missed. A snapshot that comes back after a push arrived is dropped: pushes carry the whole
 * state and every later change is pushed again, so the push is never older than what we would lose.
 *
 * The store never derives sync state; components only format `app`.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AppState } from '../shared/state.js';
import { errorText, type ConnectionInfo, type RendererApi } from './api/types.js';

export interface RendererState {
  app: AppState | null;
  connection: ConnectionInfo;
  /** Why the last snapshot request failed, if it did. */
  loadError: string | null;
  /** Monotonic count of state updates received (pushes and snapshots); handy for "state changed" effects. */
  updates: number;
}

export interface RendererStore {
  store: StoreApi<RendererState>;
  /** Ask for a fresh snapshot (after a reconnect, or on demand). */
  refresh(): Promise<void>;
  dispose(): void;
}

export function createRendererStore(api: RendererApi): RendererStore {
  const store = createStore<RendererState>()(() => ({
    app: null,
    connection: api.connection.get(),
    loadError: null,
    updates: 0,
  }));
  let pushes = 0;

  // 1. Subscribe first.
  const offPush = api.on('state:changed', (app) => {
    pushes++;
    store.setState((s) => ({ app, loadError: null, updates: s.updates + 1 }));
  });

  // 2. Then ask for the snapshot.
  const refresh = async (): Promise<void> => {
    const pushesAtSend = pushes;
    try {
      const app = await api.invoke('state:get');
      if (pushes !== pushesAtSend) return; // a push arrived meanwhile; it is at least as new
      store.setState((s) => ({ app, loadError: null, updates: s.updates + 1 }));
    } catch (e) {
      store.setState({ loadError: errorText(e) });
    }
  };

  let lastState = api.connection.get().state;
  const offConn = api.connection.subscribe((info) => {
    store.setState({ connection: info });
    if (info.state === 'connected' && lastState !== 'connected') void refresh();
    lastState = info.state;
  });
  if (lastState === 'connected') void refresh();

  return {
    store,
    refresh,
    dispose() {
      offPush();
      offConn();
    },
  };
}
