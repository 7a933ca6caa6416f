import { describe, expect, it, vi } from 'vitest';
import { PUSH_CHANNELS, REQUEST_CHANNELS, listenerName, methodName } from '../../../shared/channels';
import { buildPreloadApi, type IpcRendererLike, type ListenerName, type MethodName, type PreloadApi } from '../../../electron/shell/preload-api';

type Wrapped = (event: unknown, ...args: unknown[]) => void;

function fakeIpcRenderer() {
  const listeners = new Map<string, Set<Wrapped>>();
  const ipc = {
    invoke: vi.fn(async (channel: string, ...args: unknown[]) => ({ channel, args })),
    on: vi.fn((channel: string, l: Wrapped) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(l);
    }),
    removeListener: vi.fn((channel: string, l: Wrapped) => {
      listeners.get(channel)?.delete(l);
    }),
  } satisfies IpcRendererLike;
  const emit = (channel: string, payload: unknown) => {
    const event = { sender: ipc, senderId: 0, ports: [] };
    for (const l of listeners.get(channel) ?? []) l(event, payload);
  };
  return { ipc, emit, listeners };
}

// Compile-time: the type-level names equal the runtime ones.
const _m: MethodName<'repo:test-connection'> = 'repoTestConnection';
const _l: ListenerName<'ui:show-tab'> = 'onUiShowTab';
void _m;
void _l;

describe('buildPreloadApi', () => {
  it('exposes exactly one named function per request channel and one listener per push channel', () => {
    const api = buildPreloadApi(fakeIpcRenderer().ipc);
    const expected = [...REQUEST_CHANNELS.map(methodName), ...PUSH_CHANNELS.map(listenerName)].sort();
    expect(Object.keys(api).sort()).toEqual(expected);
    for (const v of Object.values(api)) expect(typeof v).toBe('function');
    expect(api).not.toHaveProperty('invoke');
    expect(api).not.toHaveProperty('on');
    expect(api).not.toHaveProperty('send');
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.keys(api)).toContain('syncNow');
    expect(Object.keys(api)).toContain('onStateChanged');
  });

  it('a method invokes its channel with exactly one payload argument', async () => {
    const { ipc } = fakeIpcRenderer();
    const api = buildPreloadApi(ipc);
    await api.syncNow();
    expect(ipc.invoke).toHaveBeenLastCalledWith('sync:now', undefined);
    await api.syncSetPaused({ paused: true });
    expect(ipc.invoke).toHaveBeenLastCalledWith('sync:set-paused', { paused: true });
    // Page code cannot smuggle extra arguments through.
    await (api.historyShow as unknown as (...a: unknown[]) => Promise<unknown>)({ path: 'a', rev: 'HEAD' }, 'extra', 'more');
    expect(ipc.invoke).toHaveBeenLastCalledWith('history:show', { path: 'a', rev: 'HEAD' });
  });

  it('listener wrappers pass only the payload (never the IpcRendererEvent) and unsubscribe', () => {
    const { ipc, emit, listeners } = fakeIpcRenderer();
    const api: PreloadApi = buildPreloadApi(ipc);
    const seen: unknown[][] = [];
    const off = api.onStateChanged((...args: unknown[]) => seen.push(args));
    emit('state:changed', { phase: 'idle' });
    expect(seen).toEqual([[{ phase: 'idle' }]]);
    off();
    off(); // idempotent
    expect(ipc.removeListener).toHaveBeenCalledOnce();
    expect(listeners.get('state:changed')!.size).toBe(0);
    emit('state:changed', { phase: 'error' });
    expect(seen).toHaveLength(1);
  });

  it('each subscription is independent', () => {
    const { ipc, emit } = fakeIpcRenderer();
    const api = buildPreloadApi(ipc);
    const a = vi.fn();
    const b = vi.fn();
    const offA = api.onUiShowTab(a);
    api.onUiShowTab(b);
    offA();
    emit('ui:show-tab', { tab: 'conflicts' });
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledWith({ tab: 'conflicts' });
  });

  it('refuses a non-function listener', () => {
    const api = buildPreloadApi(fakeIpcRenderer().ipc);
    expect(() => (api.onStateChanged as unknown as (x: unknown) => void)('not a function')).toThrow(TypeError);
  });
});
