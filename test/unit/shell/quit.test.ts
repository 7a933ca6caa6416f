import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushThenQuit, stopBounded, type QuittableApp } from '../../../electron/shell/quit';

function fakeApp() {
  let listener: ((e: { preventDefault(): void }) => void) | null = null;
  const app = {
    on: vi.fn((_event: 'before-quit', fn: (e: { preventDefault(): void }) => void) => {
      listener = fn;
    }),
    exit: vi.fn(),
  } satisfies QuittableApp;
  const quit = () => {
    const event = { preventDefault: vi.fn() };
    listener!(event);
    return event;
  };
  return { app, quit };
}

describe('flushThenQuit', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('holds the quit, waits for engine.stop with a flush budget, then exits 0', async () => {
    const { app, quit } = fakeApp();
    let resolveStop!: () => void;
    const engine = { stop: vi.fn(() => new Promise<void>((r) => (resolveStop = r))) };
    const outcomes: string[] = [];
    flushThenQuit(engine, app, 5000, { onOutcome: (o) => outcomes.push(o) });
    const event = quit();
    expect(event.preventDefault).toHaveBeenCalledOnce();
    expect(engine.stop).toHaveBeenCalledWith({ flushTimeoutMs: 4000 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(app.exit).not.toHaveBeenCalled();
    resolveStop();
    await vi.advanceTimersByTimeAsync(0);
    expect(app.exit).toHaveBeenCalledExactlyOnceWith(0);
    expect(outcomes).toEqual(['stopped']);
  });

  it('an engine.stop that never resolves still quits after the timeout', async () => {
    const { app, quit } = fakeApp();
    const engine = { stop: vi.fn(() => new Promise<void>(() => {})) };
    const outcomes: string[] = [];
    flushThenQuit(engine, app, 5000, { onOutcome: (o) => outcomes.push(o) });
    quit();
    await vi.advanceTimersByTimeAsync(4999);
    expect(app.exit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(app.exit).toHaveBeenCalledExactlyOnceWith(0);
    expect(outcomes).toEqual(['timed-out']);
  });

  it('a failing or throwing engine.stop still quits', async () => {
    for (const stop of [() => Promise.reject(new Error('disk full')), () => { throw new Error('sync throw'); }]) {
      const { app, quit } = fakeApp();
      const onError = vi.fn();
      flushThenQuit({ stop: stop as () => Promise<void> }, app, 5000, { onError });
      quit();
      await vi.advanceTimersByTimeAsync(0);
      expect(app.exit).toHaveBeenCalledExactlyOnceWith(0);
      expect(onError).toHaveBeenCalledOnce();
    }
  });

  it('a second quit while flushing is held back too, and stop runs once', async () => {
    const { app, quit } = fakeApp();
    const engine = { stop: vi.fn(() => new Promise<void>(() => {})) };
    flushThenQuit(engine, app, 1000);
    quit();
    const second = quit();
    expect(second.preventDefault).toHaveBeenCalledOnce();
    expect(engine.stop).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(1000);
    expect(app.exit).toHaveBeenCalledOnce();
  });

  it('no engine yet (getter returns null): exits at once', async () => {
    const { app, quit } = fakeApp();
    flushThenQuit(() => null, app, 5000);
    quit();
    await vi.advanceTimersByTimeAsync(0);
    expect(app.exit).toHaveBeenCalledWith(0);
  });
});

describe('stopBounded', () => {
  it('returns as soon as stop resolves, without waiting for the timeout', async () => {
    const started = Date.now();
    expect(await stopBounded({ stop: async () => {} }, 60_000)).toBe('stopped');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
