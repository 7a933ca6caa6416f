/**
 * Time and randomness as small ports, so unit tests drive the replay window, the rate limiter and the
 * reconnect schedule with a fake clock instead of sleeping.
 */
export type TimerHandle = { readonly __timer?: never } | NodeJS.Timeout;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock. Timers are unref'd: the hint channel never keeps a process alive on its own. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
