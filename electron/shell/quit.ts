/**
 * Quitting without losing edits, and without hanging.
 *
 * On the first `before-quit` the quit is held back (preventDefault) while the engine flushes pending
 * changes and releases its lock: `engine.stop({ flushTimeoutMs })`, raced against `timeoutMs`. Then
 * `app.exit(0)` ends the process whatever happened (stop resolved, rejected, or never returned).
 * Further `before-quit`s while flushing (a second Cmd+Q) are held back too, not doubled.
 */
export interface StoppableEngine {
  stop(opts?: { flushTimeoutMs?: number }): Promise<void>;
}

export interface QuittableApp {
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  exit(exitCode?: number): void;
}

export type StopOutcome = 'stopped' | 'failed' | 'timed-out';

/** Stops the engine but never waits longer than `timeoutMs`. The engine's own flush gets a little less. */
export async function stopBounded(engine: StoppableEngine, timeoutMs: number, onError: (e: unknown) => void = () => {}): Promise<StopOutcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<StopOutcome>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), timeoutMs);
  });
  const flushTimeoutMs = Math.max(0, Math.floor(timeoutMs * 0.8));
  let stop: Promise<StopOutcome>;
  try {
    stop = engine.stop({ flushTimeoutMs }).then(
      () => 'stopped' as const,
      (e: unknown) => {
        onError(e);
        return 'failed' as const;
      },
    );
  } catch (e) {
    onError(e);
    stop = Promise.resolve('failed' as const);
  }
  try {
    return await Promise.race([stop, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Installs the before-quit handler. `engine` is read when the quit starts, so the handler can be
 * installed before the engine is open (null: nothing to flush, exit at once).
 */
export function flushThenQuit(
  engine: StoppableEngine | (() => StoppableEngine | null),
  app: QuittableApp,
  timeoutMs: number,
  hooks: { beforeStop?: () => void; onOutcome?: (o: StopOutcome) => void; onError?: (e: unknown) => void } = {},
): void {
  let flushing = false;
  app.on('before-quit', (event) => {
    event.preventDefault();
    if (flushing) return;
    flushing = true;
    const target = typeof engine === 'function' ? engine() : engine;
    void (async () => {
      let outcome: StopOutcome = 'stopped';
      try {
        hooks.beforeStop?.();
        if (target) outcome = await stopBounded(target, timeoutMs, hooks.onError);
      } catch (e) {
        hooks.onError?.(e);
      } finally {
        try {
          hooks.onOutcome?.(outcome);
        } finally {
          app.exit(0);
        }
      }
    })();
  });
}
