/**
 * The narrow API the preload exposes as `window.confsync`: named functions only.
 *
 *   request channel `sync:now`      → `syncNow(payload?)`         → ipcRenderer.invoke('sync:now', payload)
 *   push channel    `state:changed` → `onStateChanged(listener)`  → returns an unsubscribe function
 *
 * There is no generic `invoke(channel)` / `on(channel)`: page code can reach exactly the contract's
 * channels and nothing else. Listeners are wrapped so the IpcRendererEvent (which carries `sender`,
 * i.e. ipcRenderer itself) never reaches page code; only the payload does.
 *
 * Runtime imports: shared/channels.ts only. The preload is bundled as CommonJS for the sandbox and must
 * stay tiny, so the zod contract is imported for its *types* only (`import type`, erased at build time;
 * test/unit/shell/preload-bundle.test.ts bundles the preload and checks zod is not in it).
 */
import { PUSH_CHANNELS, REQUEST_CHANNELS, listenerName, methodName } from '../../shared/channels.js';
import type { PushChannel, PushOf, RequestChannel, RequestOf, ResponseOf } from '../../shared/contract.js';

/** `sync:now` → `syncNow`, `repo:test-connection` → `repoTestConnection` (mirrors methodName). */
type Camel<S extends string> = S extends `${infer A}:${infer B}`
  ? `${Camel<A>}${Capitalize<Camel<B>>}`
  : S extends `${infer A}-${infer B}`
    ? `${A}${Capitalize<Camel<B>>}`
    : S;
export type MethodName<C extends string> = Camel<C>;
export type ListenerName<C extends string> = `on${Capitalize<Camel<C>>}`;

export type PreloadApi = {
  readonly [C in RequestChannel as MethodName<C>]: (payload?: RequestOf<C>) => Promise<ResponseOf<C>>;
} & {
  readonly [C in PushChannel as ListenerName<C>]: (listener: (payload: PushOf<C>) => void) => () => void;
};

/** The part of Electron's ipcRenderer the preload uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function buildPreloadApi(ipcRenderer: IpcRendererLike): PreloadApi {
  const api: Record<string, (arg?: unknown) => unknown> = {};
  for (const channel of REQUEST_CHANNELS) {
    // Exactly one argument crosses: extra arguments from page code are dropped.
    api[methodName(channel)] = (payload?: unknown) => ipcRenderer.invoke(channel, payload);
  }
  for (const channel of PUSH_CHANNELS) {
    api[listenerName(channel)] = (listener?: unknown) => {
      if (typeof listener !== 'function') throw new TypeError(`${listenerName(channel)} needs a function`);
      const wrapped = (_event: unknown, payload: unknown) => {
        (listener as (p: unknown) => void)(payload);
      };
      ipcRenderer.on(channel, wrapped);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        ipcRenderer.removeListener(channel, wrapped);
      };
    };
  }
  return Object.freeze(api) as unknown as PreloadApi;
}
