import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WsTransport, closeReasonWords } from '../../../renderer/api/ws-transport';
import { ApiError, type ConnectionInfo } from '../../../renderer/api/types';
import { initialAppState } from '../../../shared/state';
import { FakeSocket } from './fake-socket';

function make(opts: Partial<ConstructorParameters<typeof WsTransport>[0]> = {}) {
  FakeSocket.reset();
  const warn = vi.fn();
  const t = new WsTransport({
    url: 'ws://127.0.0.1:1234/api?token=abc',
    createSocket: (u) => new FakeSocket(u),
    backoff: { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 },
    warn,
    ...opts,
  });
  const states: ConnectionInfo['state'][] = [];
  t.connection.subscribe((i) => states.push(i.state));
  return { t, states, warn };
}

const state = initialAppState({ version: '0.1.0', host: 'mac', configDir: '/c', repoPath: '/r', branch: 'main' });

describe('WsTransport', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('connects to the URL it was given and reports connecting → connected', () => {
    const { t, states } = make();
    t.connect();
    expect(FakeSocket.last().url).toBe('ws://127.0.0.1:1234/api?token=abc');
    expect(t.connection.get().state).toBe('connecting');
    FakeSocket.last().open();
    expect(states).toEqual(['connecting', 'connected']);
  });

  it('sends {id, channel, payload} and resolves with the matching result', async () => {
    const { t } = make();
    t.connect();
    const s = FakeSocket.last();
    s.open();
    const p1 = t.invoke('sync:set-paused', { paused: true });
    const p2 = t.invoke('state:get');
    expect(s.sent).toEqual([
      { id: 1, channel: 'sync:set-paused', payload: { paused: true } },
      { id: 2, channel: 'state:get' },
    ]);
    // Answers may come back out of order.
    s.receive({ id: 2, ok: true, result: state });
    s.receive({ id: 1, ok: true, result: { ok: true } });
    await expect(p1).resolves.toEqual({ ok: true });
    await expect(p2).resolves.toEqual(state);
  });

  it('rejects with the host error code and a cleaned message', async () => {
    const { t } = make();
    t.connect();
    const s = FakeSocket.last();
    s.open();
    const p = t.invoke('settings:update', { patch: { sync: { intervalSec: 0 } } });
    s.receive({ id: 1, ok: false, error: { code: 'handler-error', message: 'ContractError: key "sync.intervalSec": too small' } });
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('handler-error');
    expect((err as ApiError).message).toBe('key "sync.intervalSec": too small');
  });

  it('queues requests made while connecting and sends them on open', async () => {
    const { t } = make();
    t.connect();
    const p = t.invoke('state:get');
    const s = FakeSocket.last();
    expect(s.sent).toEqual([]);
    s.open();
    expect(s.sent).toEqual([{ id: 1, channel: 'state:get' }]);
    s.receive({ id: 1, ok: true, result: state });
    await expect(p).resolves.toEqual(state);
  });

  it('delivers pushes to listeners of that channel only, and unsubscribes', () => {
    const { t } = make();
    const onState = vi.fn();
    const onTab = vi.fn();
    const off = t.on('state:changed', onState);
    t.on('ui:show-tab', onTab);
    t.connect();
    const s = FakeSocket.last();
    s.open();
    s.receive({ push: 'state:changed', payload: state });
    expect(onState).toHaveBeenCalledWith(state);
    expect(onTab).not.toHaveBeenCalled();
    s.receive({ push: 'ui:show-tab', payload: { tab: 'conflicts' } });
    expect(onTab).toHaveBeenCalledWith({ tab: 'conflicts' });
    off();
    s.receive({ push: 'state:changed', payload: state });
    expect(onState).toHaveBeenCalledTimes(1);
  });

  it('a throwing listener does not stop the others', () => {
    const { t } = make();
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const good = vi.fn();
    t.on('state:changed', () => {
      throw new Error('boom');
    });
    t.on('state:changed', good);
    t.connect();
    FakeSocket.last().open();
    FakeSocket.last().receive({ push: 'state:changed', payload: state });
    expect(good).toHaveBeenCalledTimes(1);
    err.mockRestore();
  });

  it('ignores garbage and unknown ids without throwing', () => {
    const { t, warn } = make();
    t.connect();
    const s = FakeSocket.last();
    s.open();
    s.receive('not json{');
    s.receive({ id: 99, ok: true, result: 1 });
    s.receive({ id: null, ok: false, error: { code: 'invalid-payload', message: 'bad frame' } });
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('rejects requests in flight and queued when the connection drops', async () => {
    const { t } = make();
    t.connect();
    const s = FakeSocket.last();
    s.open();
    const inFlight = t.invoke('sync:now');
    s.drop(1006);
    const err = await inFlight.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('disconnected');
    expect(t.connection.get().state).toBe('disconnected');
  });

  it('fails fast while disconnected', async () => {
    const { t } = make();
    t.connect();
    FakeSocket.last().drop(1006);
    await expect(t.invoke('state:get')).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('reconnects with exponential backoff, capped, and resets after a successful open', () => {
    const { t } = make();
    t.connect();
    expect(FakeSocket.instances).toHaveLength(1);
    FakeSocket.last().drop();
    expect(t.connection.get().retryAt).toBe(Date.now() + 100);
    vi.advanceTimersByTime(99);
    expect(FakeSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(2);
    FakeSocket.last().drop();
    vi.advanceTimersByTime(199);
    expect(FakeSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(3);
    expect(t.delayFor(3)).toBe(400);
    expect(t.delayFor(10)).toBe(1000);
    FakeSocket.last().open();
    expect(t.connection.get()).toMatchObject({ state: 'connected', attempts: 0, retryAt: null, reason: null });
    FakeSocket.last().drop();
    expect(t.connection.get().attempts).toBe(1);
    expect(t.connection.get().retryAt).toBe(Date.now() + 100);
  });

  it('keeps push listeners across reconnects', () => {
    const { t } = make();
    const l = vi.fn();
    t.on('state:changed', l);
    t.connect();
    FakeSocket.last().open();
    FakeSocket.last().drop();
    vi.advanceTimersByTime(100);
    FakeSocket.last().open();
    FakeSocket.last().receive({ push: 'state:changed', payload: state });
    expect(l).toHaveBeenCalledTimes(1);
  });

  it('reconnectNow skips the wait', () => {
    const { t } = make();
    t.connect();
    FakeSocket.last().drop();
    t.connection.reconnectNow();
    expect(FakeSocket.instances).toHaveLength(2);
    expect(t.connection.get().state).toBe('connecting');
    // The pending timer no longer fires a second socket.
    vi.advanceTimersByTime(5000);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it('applies jitter within the configured bounds', () => {
    const lo = make({ backoff: { initialMs: 1000, maxMs: 10_000, factor: 2, jitter: 0.2 }, random: () => 0 });
    const hi = make({ backoff: { initialMs: 1000, maxMs: 10_000, factor: 2, jitter: 0.2 }, random: () => 0.999999 });
    expect(lo.t.delayFor(1)).toBe(800);
    expect(hi.t.delayFor(1)).toBe(1200);
  });

  it('says why in words, using the hint when the socket never opened', () => {
    const { t } = make({ hint: 'No access token' });
    t.connect();
    FakeSocket.last().drop(1006);
    expect(t.connection.get().reason).toBe('No access token');
    expect(closeReasonWords(4401, '', null)).toBe('The host refused the access token');
    expect(closeReasonWords(1001, '', null)).toBe('The host is shutting down');
    expect(closeReasonWords(1006, 'bye', null)).toBe('bye');
  });

  it('asks for a diagnosis when an attempt never opened, and keeps it only for that attempt', async () => {
    const diagnose = vi.fn(async () => 'The host did not accept the access token');
    const { t } = make({ diagnose });
    t.connect();
    FakeSocket.last().drop(1006);
    await vi.runAllTicks();
    await Promise.resolve();
    expect(diagnose).toHaveBeenCalledTimes(1);
    expect(t.connection.get().reason).toBe('The host did not accept the access token');
    // A connection that did open and then dropped is not diagnosed.
    vi.advanceTimersByTime(100);
    FakeSocket.last().open();
    FakeSocket.last().drop(1006);
    await Promise.resolve();
    expect(diagnose).toHaveBeenCalledTimes(1);
  });

  it('dispose closes, rejects outstanding work and stops reconnecting', async () => {
    const { t } = make();
    t.connect();
    const s = FakeSocket.last();
    s.open();
    const p = t.invoke('sync:now');
    t.dispose();
    await expect(p).rejects.toMatchObject({ code: 'disconnected' });
    expect(s.closedByClient).toEqual({ code: 1000, reason: 'closing' });
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('ignores events from a socket it has replaced', () => {
    const { t } = make();
    const l = vi.fn();
    t.on('state:changed', l);
    t.connect();
    const first = FakeSocket.last();
    first.drop();
    t.connection.reconnectNow();
    first.receive({ push: 'state:changed', payload: state });
    expect(l).not.toHaveBeenCalled();
  });
});
