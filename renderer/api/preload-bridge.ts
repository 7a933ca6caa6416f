/**
 * The shape of `window.confsync` as the Electron preload exposes it: one named function per request
 * channel (`methodName`) and one `on…` subscriber per push channel (`listenerName`), both derived from
 * shared/channels.ts. The type-level camel-casing below mirrors `methodName` for our lower-case names.
 */
import type { PushChannel, PushOf, RequestChannel, RequestOf, ResponseOf } from '../../shared/contract.js';
import { listenerName, methodName } from '../../shared/channels.js';
import { cleanErrorMessage } from '../lib/host-errors.js';
import { ApiError, type ConnectionInfo, type RendererApi } from './types.js';

type Camel<S extends string> = S extends `${infer A}:${infer B}`
  ? `${Camel<A>}${Capitalize<Camel<B>>}`
  : S extends `${infer A}-${infer B}`
    ? `${A}${Capitalize<Camel<B>>}`
    : S;

export type MethodName<C extends string> = Camel<C>;
export type ListenerName<C extends string> = `on${Capitalize<Camel<C>>}`;

export type PreloadBridge = {
  [C in RequestChannel as MethodName<C>]: (payload?: RequestOf<C>) => Promise<ResponseOf<C>>;
} & {
  [C in PushChannel as ListenerName<C>]: (listener: (payload: PushOf<C>) => void) => () => void;
};

// Compile-time spot checks that the type-level names match the runtime ones.
const _a: MethodName<'sync:set-paused'> = 'syncSetPaused';
const _b: ListenerName<'state:changed'> = 'onStateChanged';
const _c: MethodName<'repo:test-connection'> = 'repoTestConnection';
void _a;
void _b;
void _c;

type AnyFn = (...args: unknown[]) => unknown;

/** ConfSyncApi over the preload bridge. Always "connected": IPC has no connection to lose. */
export function createPreloadApi(bridge: PreloadBridge): RendererApi {
  const b = bridge as unknown as Record<string, AnyFn | undefined>;
  const info: ConnectionInfo = { state: 'connected', transport: 'preload', attempts: 0, retryAt: null, reason: null };
  return {
    invoke(channel, payload) {
      const fn = b[methodName(channel)];
      if (typeof fn !== 'function') return Promise.reject(new ApiError(`This window cannot call ${channel}`, 'unknown-channel'));
      return Promise.resolve()
        .then(() => fn(payload))
        .catch((e: unknown) => {
          throw new ApiError(cleanErrorMessage(e instanceof Error ? e.message : String(e)), (e as { code?: string })?.code ?? 'error');
        }) as Promise<never>;
    },
    on(channel, listener) {
      const fn = b[listenerName(channel)];
      if (typeof fn !== 'function') return () => {};
      const off = fn(listener);
      return typeof off === 'function' ? (off as () => void) : () => {};
    },
    connection: {
      get: () => info,
      subscribe: () => () => {},
      reconnectNow: () => {},
    },
    dispose() {},
  };
}
