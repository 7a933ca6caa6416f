/**
 * Typed ipcMain wrappers built from the contract.
 *
 * `registerIpc` registers one `ipcMain.handle` per request channel of the contract (REQUEST_CHANNELS),
 * nothing else. Every invoke is checked before the engine sees it: the sender must be one of our own
 * windows' webContents and the sending frame must be the top frame showing one of our renderer pages.
 * Payloads are validated by the engine's request handler (zod, via the contract); its ContractError is
 * re-thrown unchanged so the renderer gets the message ("invalid payload for ...: ...").
 *
 * Electron serialises a thrown error to the renderer as
 *   "Error invoking remote method '<channel>': ContractError: <message>".
 *
 * `broadcast` sends a push to every live window; `throttleLatest` keeps `state:changed` to a bounded
 * rate while always delivering the newest state last.
 */
import type { IpcMainInvokeEvent } from 'electron';
import { REQUEST_CHANNELS } from '../../shared/channels.js';
import { ContractError, type PushChannel, type PushOf } from '../../shared/contract.js';
import type { RequestHandler } from '../engine/api.js';
import { isOwnRendererUrl, type RendererSource } from './window-factory.js';
import { realTimers, type Timers } from './timers.js';

/** What a sender check may look at. */
export type IpcSender = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/**
 * Builds the sender check: the webContents must belong to one of our windows (compared by identity,
 * windows looked up at call time), and the frame must be that window's top frame on our renderer URL.
 */
export function makeSenderCheck(
  ownWebContents: () => Iterable<unknown>,
  source: RendererSource,
): (event: IpcSender) => boolean {
  return (event) => {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null) return false;
    let ours = false;
    for (const wc of ownWebContents()) if (wc === event.sender) ours = true;
    if (!ours) return false;
    return isOwnRendererUrl(frame.url, source);
  };
}

function describeSender(event: IpcSender): string {
  let url = '(no frame)';
  try {
    url = event.senderFrame?.url ?? url;
  } catch {
    /* frame gone */
  }
  return url.slice(0, 200);
}

/** Registers every request channel. Returns a function that removes them again. */
export function registerIpc(
  ipcMain: IpcMainLike,
  handle: RequestHandler,
  isTrustedSender: (event: IpcSender) => boolean,
  onRejected: (channel: string, reason: string) => void = () => {},
): () => void {
  for (const channel of REQUEST_CHANNELS) {
    ipcMain.handle(channel, async (event, ...args) => {
      if (!isTrustedSender(event)) {
        const reason = `refused ${channel} from an untrusted sender (${describeSender(event)})`;
        onRejected(channel, reason);
        throw new ContractError(reason, 'forbidden');
      }
      if (args.length > 1) {
        throw new ContractError(`invalid payload for ${channel}: expected one argument, got ${args.length}`, 'invalid-payload');
      }
      try {
        return await handle(channel, args[0]);
      } catch (e) {
        if (e instanceof ContractError) throw e;
        const err = e as { name?: string; message?: string };
        // Keep the code when an error crossed a module boundary and lost its class identity.
        if (err?.name === 'ContractError' && typeof err.message === 'string') throw e;
        throw new ContractError(err?.message || String(e), 'handler-error');
      }
    });
  }
  return () => {
    for (const channel of REQUEST_CHANNELS) ipcMain.removeHandler(channel);
  };
}

export interface PushTarget {
  isDestroyed(): boolean;
  webContents: { isDestroyed(): boolean; send(channel: string, ...args: unknown[]): void };
}

/** Sends a push to every live window. Returns how many received it. */
export function broadcast<C extends PushChannel>(windows: Iterable<PushTarget | null | undefined>, channel: C, payload: PushOf<C>): number {
  let n = 0;
  for (const w of windows) {
    if (!w || w.isDestroyed() || w.webContents.isDestroyed()) continue;
    w.webContents.send(channel, payload);
    n++;
  }
  return n;
}

/**
 * Calls `fn` at most once per `intervalMs` (10/s at 100 ms): the first call goes out at once, calls
 * inside the interval collapse into one trailing call with the latest value. Nothing is lost at the end.
 */
export function throttleLatest<T>(fn: (value: T) => void, intervalMs: number, timers: Timers = realTimers) {
  let last = -Infinity;
  let pending: { value: T } | null = null;
  let timer: unknown = null;
  const fire = () => {
    timer = null;
    if (!pending) return;
    const { value } = pending;
    pending = null;
    last = timers.now();
    fn(value);
  };
  const call = (value: T) => {
    pending = { value };
    if (timer !== null) return;
    const wait = last + intervalMs - timers.now();
    if (wait <= 0) fire();
    else timer = timers.setTimeout(fire, wait);
  };
  call.flush = () => {
    if (timer !== null) timers.clearTimeout(timer);
    fire();
  };
  call.cancel = () => {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
    pending = null;
  };
  return call;
}
