import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IpcMainInvokeEvent } from 'electron';
import { REQUEST_CHANNELS } from '../../../shared/channels';
import { ContractError } from '../../../shared/contract';
import { createRequestHandler, type Handlers, type RequestHandler } from '../../../electron/engine/api';
import { broadcast, makeSenderCheck, registerIpc, throttleLatest, type IpcMainLike, type PushTarget } from '../../../electron/shell/ipc';
import type { RendererSource } from '../../../electron/shell/window-factory';
import { makeState } from './make-state';

type Listener = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

/** Records handlers like ipcMain; invoking a channel nobody handles rejects like Electron does. */
class FakeIpcMain implements IpcMainLike {
  handlers = new Map<string, Listener>();
  handle(channel: string, listener: Listener) {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
  async invoke(event: unknown, channel: string, ...args: unknown[]) {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return h(event as IpcMainInvokeEvent, ...args);
  }
}

const source: RendererSource = { dir: '/app/dist/renderer', devServerUrl: null };
const popoverUrl = 'app://confsync/popover.html';
const ourWc = { id: 1 };
const otherWc = { id: 2 };
const topFrame = (url: string) => ({ url, parent: null });
const trusted = { sender: ourWc, senderFrame: topFrame(popoverUrl) };

const state = makeState();
function engineHandler(): RequestHandler {
  const handlers = {
    'state:get': () => state,
    'sync:set-paused': () => {
      throw new Error('repo is locked');
    },
  } as unknown as Handlers;
  return createRequestHandler(handlers);
}

describe('registerIpc', () => {
  let ipc: FakeIpcMain;
  let handle: ReturnType<typeof vi.fn<RequestHandler>>;
  let rejected: string[];

  beforeEach(() => {
    ipc = new FakeIpcMain();
    handle = vi.fn<RequestHandler>(engineHandler());
    rejected = [];
    registerIpc(ipc, handle, makeSenderCheck(() => [ourWc], source), (_c, reason) => rejected.push(reason));
  });

  it('registers exactly the contract request channels', () => {
    expect([...ipc.handlers.keys()].sort()).toEqual([...REQUEST_CHANNELS].sort());
  });

  it('passes a trusted invoke to the engine handler and returns its result', async () => {
    await expect(ipc.invoke(trusted, 'state:get')).resolves.toEqual(state);
    expect(handle).toHaveBeenCalledWith('state:get', undefined);
  });

  it('rejects a sender that is not one of our windows', async () => {
    await expect(ipc.invoke({ sender: otherWc, senderFrame: topFrame(popoverUrl) }, 'state:get')).rejects.toThrow(/untrusted sender/);
    expect(handle).not.toHaveBeenCalled();
    expect(rejected).toHaveLength(1);
  });

  it('rejects our window showing a foreign page, a subframe, or a gone frame', async () => {
    for (const senderFrame of [
      topFrame('https://evil.example/popover.html'),
      topFrame('file:///tmp/popover.html'),
      topFrame('file:///app/dist/renderer/popover.html'), // the old file:// address of our own page
      topFrame('app://evil/popover.html'),
      topFrame('app://confsync/other.html'),
      { url: popoverUrl, parent: {} },
      null,
    ]) {
      const err = await ipc.invoke({ sender: ourWc, senderFrame }, 'sync:now').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ContractError);
      expect((err as ContractError).code).toBe('forbidden');
    }
    expect(handle).not.toHaveBeenCalled();
  });

  it('an unknown channel has no handler and is rejected', async () => {
    await expect(ipc.invoke(trusted, 'fs:read-file', { path: '/etc/passwd' })).rejects.toThrow(/No handler registered/);
    expect(handle).not.toHaveBeenCalled();
  });

  it('invalid payloads are rejected with the contract message', async () => {
    await expect(ipc.invoke(trusted, 'sync:set-paused', { paused: 'yes' })).rejects.toThrow(/invalid payload for sync:set-paused: paused/);
    await expect(ipc.invoke(trusted, 'sync:set-paused', { paused: true }, 'extra')).rejects.toThrow(/expected one argument/);
  });

  it('handler errors are re-thrown as ContractError with their message', async () => {
    const err = await ipc.invoke(trusted, 'sync:set-paused', { paused: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContractError);
    expect((err as ContractError).message).toBe('repo is locked');
    expect((err as ContractError).code).toBe('handler-error');
    // What Electron would put on the wire: "ContractError: repo is locked".
    expect(String(err)).toBe('ContractError: repo is locked');
  });

  it('a plain Error from a bare handle is wrapped too', async () => {
    const ipc2 = new FakeIpcMain();
    registerIpc(ipc2, async () => {
      throw new Error('boom');
    }, () => true);
    await expect(ipc2.invoke(trusted, 'state:get')).rejects.toMatchObject({ name: 'ContractError', message: 'boom', code: 'handler-error' });
  });

  it('the returned function removes every handler', () => {
    const ipc2 = new FakeIpcMain();
    const off = registerIpc(ipc2, handle, () => true);
    off();
    expect(ipc2.handlers.size).toBe(0);
  });
});

describe('makeSenderCheck', () => {
  it('in development accepts the dev server origin only', () => {
    const check = makeSenderCheck(() => [ourWc], { dir: '/x', devServerUrl: 'http://localhost:5173' });
    expect(check({ sender: ourWc, senderFrame: topFrame('http://localhost:5173/preferences.html#general') } as never)).toBe(true);
    expect(check({ sender: ourWc, senderFrame: topFrame('http://localhost:5174/preferences.html') } as never)).toBe(false);
  });
  it('looks up our windows at call time (a window opened later is trusted)', () => {
    const list: unknown[] = [];
    const check = makeSenderCheck(() => list, source);
    expect(check(trusted as never)).toBe(false);
    list.push(ourWc);
    expect(check(trusted as never)).toBe(true);
  });
});

describe('broadcast', () => {
  it('sends to every live window and skips destroyed ones and nulls', () => {
    const mk = (destroyed: boolean, wcDestroyed = false) => {
      const send = vi.fn();
      const w: PushTarget = { isDestroyed: () => destroyed, webContents: { isDestroyed: () => wcDestroyed, send } };
      return { w, send };
    };
    const a = mk(false);
    const b = mk(true);
    const c = mk(false, true);
    const n = broadcast([a.w, null, b.w, c.w, undefined], 'ui:show-tab', { tab: 'general' });
    expect(n).toBe(1);
    expect(a.send).toHaveBeenCalledWith('ui:show-tab', { tab: 'general' });
    expect(b.send).not.toHaveBeenCalled();
    expect(c.send).not.toHaveBeenCalled();
  });
});

describe('throttleLatest', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const timers = { now: () => Date.now(), setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms), clearTimeout: (h: unknown) => clearTimeout(h as number) };

  it('first call at once, a burst collapses to the latest value, at most 10/s', () => {
    const seen: number[] = [];
    const push = throttleLatest((v: number) => seen.push(v), 100, timers);
    push(1);
    expect(seen).toEqual([1]);
    for (let i = 2; i <= 50; i++) push(i);
    expect(seen).toEqual([1]);
    vi.advanceTimersByTime(100);
    expect(seen).toEqual([1, 50]);
    // 1000 updates over one second → about 10 sends, the last one being the final value.
    for (let i = 0; i < 1000; i++) {
      push(1000 + i);
      vi.advanceTimersByTime(1);
    }
    vi.advanceTimersByTime(100);
    expect(seen.length).toBeLessThanOrEqual(2 + 11);
    expect(seen.at(-1)).toBe(1999);
  });

  it('cancel drops the pending value', () => {
    const seen: number[] = [];
    const push = throttleLatest((v: number) => seen.push(v), 100, timers);
    push(1);
    push(2);
    push.cancel();
    vi.advanceTimersByTime(500);
    expect(seen).toEqual([1]);
  });
});
