/**
 * React glue: one RendererApi + RendererStore per page, provided through context, and small hooks.
 */
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { AppState } from '../shared/state.js';
import type { RendererApi } from './api/types.js';
import { errorText } from './api/types.js';
import type { RendererState, RendererStore } from './store.js';

interface Ctx {
  api: RendererApi;
  rs: RendererStore;
}

const RendererContext = createContext<Ctx | null>(null);

export function RendererProvider({ api, rs, children }: Ctx & { children: ReactNode }) {
  return <RendererContext.Provider value={{ api, rs }}>{children}</RendererContext.Provider>;
}

function useCtx(): Ctx {
  const c = useContext(RendererContext);
  if (!c) throw new Error('RendererProvider missing');
  return c;
}

export function useApi(): RendererApi {
  return useCtx().api;
}

export function useRenderer<T>(selector: (s: RendererState) => T): T {
  return useStore(useCtx().rs.store, selector);
}

export function useApp(): AppState | null {
  return useRenderer((s) => s.app);
}

export function useConnected(): boolean {
  return useRenderer((s) => s.connection.state === 'connected');
}

/**
 * Current time for relative times. Re-renders every `ms`, and reads the clock on every render, so a
 * state update that re-renders never shows new items as "in the future".
 */
export function useNow(ms = 15_000): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), ms);
    return () => clearInterval(t);
  }, [ms]);
  return Date.now();
}

export type ActionState<R> =
  | { status: 'idle' }
  | { status: 'running' }
  | { status: 'done'; result: R }
  | { status: 'failed'; error: string };

/**
 * Runs one request at a time and keeps its progress and outcome for display. A newer run supersedes an
 * older one's outcome.
 */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  const [state, setState] = useState<ActionState<R>>({ status: 'idle' });
  const gen = useRef(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const run = useCallback(async (...args: A): Promise<R | undefined> => {
    const my = ++gen.current;
    setState({ status: 'running' });
    try {
      const result = await fnRef.current(...args);
      if (my === gen.current) setState({ status: 'done', result });
      return result;
    } catch (e) {
      if (my === gen.current) setState({ status: 'failed', error: errorText(e) });
      return undefined;
    }
  }, []);
  const reset = useCallback(() => {
    gen.current++;
    setState({ status: 'idle' });
  }, []);
  return { state, run, reset, running: state.status === 'running' };
}

/**
 * Loads data with a request when `deps` change (and when the connection comes back), keeping the last
 * good value while reloading.
 */
export function useLoad<R>(load: (() => Promise<R>) | null, deps: unknown[]) {
  const connected = useConnected();
  const [data, setData] = useState<R | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    if (!load || !connected) return;
    let live = true;
    setLoading(true);
    load()
      .then((r) => {
        if (!live) return;
        setData(r);
        setError(null);
      })
      .catch((e: unknown) => {
        if (live) setError(errorText(e));
      })
      .finally(() => {
        if (live) setLoading(false);
      });
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, connected, tick]);
  return { data, error, loading, reload, setData };
}
