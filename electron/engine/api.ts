/**
 * One request dispatcher for every host: Electron's ipcMain wrappers and the headless WebSocket server
 * both call `handle(channel, payload)`. The payload is parsed with the contract's zod schema (unknown
 * channels and bad payloads are rejected with a ContractError, never ignored), then the typed handler runs.
 */
import { ContractError, parseRequest, requests, type RequestChannel, type RequestOf, type ResponseOf } from '../../shared/contract.js';
import type { z } from 'zod';

export type Handlers = { [C in RequestChannel]: (payload: z.infer<(typeof requests)[C]['req']>) => Promise<ResponseOf<C>> | ResponseOf<C> };

export type RequestHandler = (channel: unknown, payload: unknown) => Promise<unknown>;

export function createRequestHandler(handlers: Handlers): RequestHandler {
  return async (channel, payload) => {
    const req = parseRequest(channel, payload);
    const fn = handlers[req.channel] as (p: unknown) => Promise<unknown> | unknown;
    try {
      return await fn(req.payload);
    } catch (e) {
      if (e instanceof ContractError) throw e;
      throw new ContractError((e as Error).message || String(e), 'handler-error');
    }
  };
}

/** Typed convenience for in-process callers (tests, the CLI's local mode). */
export function typedInvoke(handle: RequestHandler) {
  return <C extends RequestChannel>(channel: C, payload?: RequestOf<C>): Promise<ResponseOf<C>> =>
    handle(channel, payload) as Promise<ResponseOf<C>>;
}
