/**
 * The single source of truth for what hosts show: a zustand/vanilla store of AppState in the engine.
 * Renderers subscribe over IPC/WebSocket and mirror it; they never compute sync state themselves.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ActivityItem, AppState, ErrorItem } from '../../../shared/state.js';

export type AppStore = StoreApi<AppState>;

/** Activity keeps the last 200 entries, on disk too (activity-file.ts), so a restart loses none. */
export const LIMITS = { activity: 200, errors: 50, latency: 500, skipped: 500 } as const;

export function createAppStore(initial: AppState): AppStore {
  return createStore<AppState>()(() => initial);
}

let activityId = 0;

/** Entries loaded from disk keep their ids: new ones count on from the highest. */
export function seedActivityIds(max: number): void {
  if (max > activityId) activityId = max;
}

export function pushActivity(store: AppStore, kind: ActivityItem['kind'], text: string, at = Date.now()): void {
  const item: ActivityItem = { id: ++activityId, at, kind, text };
  store.setState((s) => ({ activity: [item, ...s.activity].slice(0, LIMITS.activity) }));
}

/**
 * Records an error, newest first. The same problem again (same source and message: a sync retried
 * against a missing remote) is one entry that moves to the top with its count, time and detail
 * updated, so the list and the Health badge count problems, not attempts.
 */
export function pushError(store: AppStore, source: string, message: string, detail?: string, at = Date.now()): void {
  store.setState((s) => {
    const same = s.errors.find((e) => e.source === source && e.message === message);
    const item: ErrorItem = { at, source, message, ...(detail ? { detail } : {}), ...(same ? { count: (same.count ?? 1) + 1 } : {}) };
    return { errors: [item, ...s.errors.filter((e) => e !== same)].slice(0, LIMITS.errors) };
  });
}

export function pushLatency(store: AppStore, ms: number, at = Date.now()): void {
  store.setState((s) => ({
    latency: [...s.latency, { at, ms }].slice(-LIMITS.latency),
    watch: { ...s.watch, lastLatencyMs: ms },
  }));
}

export function patchState<K extends keyof AppState>(store: AppStore, key: K, patch: Partial<AppState[K]>): void {
  store.setState((s) => ({ [key]: { ...(s[key] as object), ...patch } }) as Partial<AppState>);
}
