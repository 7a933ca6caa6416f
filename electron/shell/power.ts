/**
 * The machine's sleep and wake, through Electron's powerMonitor (injected, so tests pass a fake):
 * before sleep the host finishes the job (commits and pushes what is pending, bounded, like quitting),
 * and after waking or unlocking it syncs once the network had a moment to come back.
 */
export interface PowerMonitorLike {
  on(event: 'suspend' | 'resume' | 'unlock-screen', listener: () => void): unknown;
}

export interface PowerHooks {
  /** Commit and push pending edits (bounded). */
  flush(): Promise<unknown>;
  /** Start a sync. */
  sync(): void;
  onError?(e: unknown): void;
}

export function followPower(pm: PowerMonitorLike, hooks: PowerHooks, opts: { settleMs?: number; setTimer?: (fn: () => void, ms: number) => unknown } = {}): void {
  const settle = opts.settleMs ?? 3000;
  const later = opts.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms).unref?.());
  pm.on('suspend', () => {
    hooks.flush().catch((e: unknown) => hooks.onError?.(e));
  });
  const wake = () => later(() => hooks.sync(), settle);
  pm.on('resume', wake);
  pm.on('unlock-screen', wake);
}
