import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createWatcher,
  type RawEvent,
  type Watcher,
  type WatcherOptions,
  type WatcherStatus,
} from '../../../electron/engine/watch/index.js';

/** Polls `fn` until it returns a truthy value (returned) or throws after `timeoutMs`. */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs = 20_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`waitFor timed out after ${timeoutMs} ms${lastErr ? `: ${String(lastErr)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

const made: string[] = [];

/** A fresh temp directory (realpath'd, so event paths compare equal), removed by cleanupTmp(). */
export function mkTmp(prefix = 'confsync-watch-'): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  made.push(d);
  return d;
}

export function cleanupTmp(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export function write(p: string, content: string): void {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
}

/** Collects everything a watcher reports. */
export class EventLog {
  events: RawEvent[] = [];
  errors: { err: Error; target?: string }[] = [];
  statuses: WatcherStatus[] = [];

  readonly onEvents = (evs: RawEvent[]) => {
    this.events.push(...evs);
  };
  readonly onError = (err: Error, target?: string) => {
    this.errors.push({ err, target });
  };
  readonly onBackendChange = (s: WatcherStatus) => {
    this.statuses.push(s);
  };

  has(type: RawEvent['type'] | RawEvent['type'][], p: string): boolean {
    const types = Array.isArray(type) ? type : [type];
    return this.events.some((e) => e.path === p && types.includes(e.type));
  }

  for(p: string): RawEvent[] {
    return this.events.filter((e) => e.path === p);
  }

  paths(): Set<string> {
    return new Set(this.events.map((e) => e.path));
  }

  clear(): void {
    this.events = [];
  }

  /** Waits for an event of one of `types` on `p`. */
  expect(type: RawEvent['type'] | RawEvent['type'][], p: string, timeoutMs = 20_000): Promise<boolean> {
    return waitFor(() => this.has(type, p), timeoutMs).catch((err: Error) => {
      throw new Error(
        `${err.message}\nwanted ${JSON.stringify(type)} ${p}\ngot:\n${this.events.map((e) => `  ${e.type} ${e.path}`).join('\n')}`,
      );
    });
  }
}

const running: Watcher[] = [];

export function makeWatcher(
  log: EventLog,
  opts: Partial<WatcherOptions> & Pick<WatcherOptions, 'backend'>,
): Watcher {
  const w = createWatcher({
    pollIntervalMs: 100,
    isIgnored: () => false,
    onEvents: log.onEvents,
    onError: log.onError,
    onBackendChange: log.onBackendChange,
    ...opts,
  });
  running.push(w);
  return w;
}

export async function stopAll(): Promise<void> {
  await Promise.all(running.splice(0).map((w) => w.stop()));
}
