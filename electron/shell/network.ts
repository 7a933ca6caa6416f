/**
 * The network coming back starts a sync, through Electron's `net` module (injected, so tests pass a
 * fake). The main process has no online/offline events (those exist only in renderers, as
 * `navigator.onLine` and window events, and ConfSync's windows are often closed): `net.isOnline()` is
 * asked every few seconds instead, an in-process call that costs nothing. An offline → online change
 * syncs once the network had a moment to settle, and only if it is still online then (a flapping Wi-Fi
 * does not start a sync per flap). `false` is a strong "offline"; `true` only means a link is up, so the
 * sync itself finds out whether the remote is reachable (and says "Offline" if not).
 */
export interface NetLike {
  isOnline(): boolean;
}

export interface NetworkHooks {
  /** Start a sync. */
  sync(): void;
  onError?(e: unknown): void;
}

export interface NetworkOptions {
  /** How often to ask. Default 5 s. */
  pollMs?: number;
  /** Wait after coming back online (DHCP, DNS, VPN). Default 3 s, like waking. */
  settleMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

export function followNetwork(net: NetLike, hooks: NetworkHooks, opts: NetworkOptions = {}): { stop(): void } {
  const pollMs = opts.pollMs ?? 5000;
  const settle = opts.settleMs ?? 3000;
  const later = opts.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms).unref?.());
  const every = opts.setInterval ?? ((fn: () => void, ms: number) => setInterval(fn, ms).unref?.());
  const cancel = opts.clearInterval ?? ((h: unknown) => clearInterval(h as NodeJS.Timeout));
  let failing = false;
  /** The answer, or null when `net` could not answer (reported once per run of failures). */
  const ask = (): boolean | null => {
    try {
      const online = net.isOnline();
      failing = false;
      return online;
    } catch (e) {
      if (!failing) hooks.onError?.(e);
      failing = true;
      return null;
    }
  };
  let last = ask();
  let waiting = false;
  let stopped = false;
  const handle = every(() => {
    const now = ask();
    if (now === null) return;
    if (now && last === false && !waiting) {
      waiting = true;
      later(() => {
        waiting = false;
        if (!stopped && ask() === true) hooks.sync();
      }, settle);
    }
    last = now;
  }, pollMs);
  return {
    stop() {
      stopped = true;
      cancel(handle);
    },
  };
}
