/** The child's side of the parent ↔ child protocol (see proc.ts). */
import type { ChildMsg } from './proc.js';

type CmdWaiter = { name: string; resolve: (d: unknown) => void };
const queued: { name: string; data: unknown }[] = [];
let waiters: CmdWaiter[] = [];
const handlers = new Map<string, (data: unknown) => void>();

export function onCommand(name: string, fn: (data: unknown) => void): void {
  handlers.set(name, fn);
}

/** Called by the child entry for every `cmd` message. */
export function deliverCommand(m: ChildMsg): void {
  const name = m.name ?? '';
  const h = handlers.get(name);
  if (h) {
    h(m.data);
    return;
  }
  const i = waiters.findIndex((w) => w.name === name);
  if (i >= 0) waiters.splice(i, 1)[0]!.resolve(m.data);
  else queued.push({ name, data: m.data });
}

export function waitCommand<D = unknown>(name: string): Promise<D> {
  const i = queued.findIndex((q) => q.name === name);
  if (i >= 0) return Promise.resolve(queued.splice(i, 1)[0]!.data as D);
  return new Promise<D>((resolve) => {
    waiters.push({ name, resolve: (d) => resolve(d as D) });
  });
}

export function resetCommands(): void {
  waiters = [];
  queued.length = 0;
  handlers.clear();
}

export function emit(name: string, data?: unknown): void {
  process.send?.({ type: 'event', name, data } satisfies ChildMsg);
}

export function log(message: string): void {
  process.send?.({ type: 'log', message } satisfies ChildMsg);
}
