import { describe, expect, it, vi } from 'vitest';
import { createRendererStore } from '../../../renderer/store';
import type { ConnectionInfo, RendererApi } from '../../../renderer/api/types';
import { initialAppState, type AppState } from '../../../shared/state';

const base = initialAppState({ version: '0.1.0', host: 'mac', configDir: '/c', repoPath: '/r', branch: 'main' });
const withPhase = (phase: AppState['phase']): AppState => ({ ...base, phase });

function fakeApi(initial: ConnectionInfo['state'] = 'connected') {
  const calls: string[] = [];
  let pushListener: ((s: AppState) => void) | null = null;
  let connListener: ((i: ConnectionInfo) => void) | null = null;
  let info: ConnectionInfo = { state: initial, transport: 'websocket', attempts: 0, retryAt: null, reason: null };
  const gets: { resolve(s: AppState): void; reject(e: Error): void }[] = [];
  const api = {
    invoke: vi.fn((channel: string) => {
      calls.push(`invoke:${channel}`);
      return new Promise((resolve, reject) => gets.push({ resolve, reject }));
    }),
    on: vi.fn((channel: string, l: (s: AppState) => void) => {
      calls.push(`on:${channel}`);
      pushListener = l;
      return () => {
        pushListener = null;
      };
    }),
    connection: {
      get: () => info,
      subscribe: (l: (i: ConnectionInfo) => void) => {
        connListener = l;
        return () => {
          connListener = null;
        };
      },
      reconnectNow: () => {},
    },
    dispose: () => {},
  } as unknown as RendererApi;
  return {
    api,
    calls,
    gets,
    push: (s: AppState) => pushListener!(s),
    setConn: (state: ConnectionInfo['state']) => {
      info = { ...info, state };
      connListener!(info);
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('renderer store', () => {
  it('subscribes to state:changed before asking for state:get', () => {
    const f = fakeApi();
    createRendererStore(f.api);
    expect(f.calls).toEqual(['on:state:changed', 'invoke:state:get']);
  });

  it('takes the snapshot when no push arrived meanwhile', async () => {
    const f = fakeApi();
    const { store } = createRendererStore(f.api);
    expect(store.getState().app).toBeNull();
    f.gets[0].resolve(withPhase('idle'));
    await tick();
    expect(store.getState().app?.phase).toBe('idle');
  });

  it('drops a snapshot that answers after a newer push', async () => {
    const f = fakeApi();
    const { store } = createRendererStore(f.api);
    f.push(withPhase('pushing'));
    f.gets[0].resolve(withPhase('idle'));
    await tick();
    expect(store.getState().app?.phase).toBe('pushing');
  });

  it('waits for the connection before asking, and asks again after every reconnect', async () => {
    const f = fakeApi('connecting');
    const { store } = createRendererStore(f.api);
    expect(f.calls).toEqual(['on:state:changed']);
    f.setConn('connected');
    expect(f.calls).toEqual(['on:state:changed', 'invoke:state:get']);
    expect(store.getState().connection.state).toBe('connected');
    f.setConn('disconnected');
    f.setConn('connecting');
    expect(f.calls.filter((c) => c === 'invoke:state:get')).toHaveLength(1);
    f.setConn('connected');
    expect(f.calls.filter((c) => c === 'invoke:state:get')).toHaveLength(2);
  });

  it('keeps the last state and records why a snapshot failed', async () => {
    const f = fakeApi();
    const { store } = createRendererStore(f.api);
    f.push(withPhase('idle'));
    f.gets[0].reject(new Error('Lost the connection'));
    await tick();
    expect(store.getState().app?.phase).toBe('idle');
    expect(store.getState().loadError).toBe('Lost the connection');
  });
});
