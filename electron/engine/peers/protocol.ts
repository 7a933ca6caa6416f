/**
 * The hint protocol: tiny signed messages that say "I pushed X" and nothing else. Git stays the only
 * data path; the worst a peer (or an attacker holding the secret) can do with these is make us fetch.
 *
 * Wire format, one WebSocket text frame per message (at most 4 KB):
 *   {"msg": {type, repoId, host, ts, nonce, [head]}, "sig": "<hex HMAC-SHA256>"}
 * `sig` is HMAC-SHA256, keyed by the shared secret, over canonicalJson(msg): JSON with object keys
 * sorted (recursively) and no whitespace, so both ends hash exactly the same bytes whatever order a
 * sender's JSON library wrote the keys in.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const MESSAGE_TYPES = ['pushed', 'hello', 'heartbeat', 'bye'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Largest frame accepted on either side (ws `maxPayload`); anything bigger closes the connection. */
export const MAX_FRAME_BYTES = 4096;

/** A full commit id (SHA-1 or SHA-256 repositories). Lower-case hex only: it is passed to git. */
const Oid = z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/, 'not a commit id');
/** Same rule as settings.hostName. */
const Host = z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, 'not a host name');
const Nonce = z.string().regex(/^[0-9a-f]{32}$/, 'nonce must be 16 random bytes in hex');

const common = {
  /** Root commit of the sync repo: receivers ignore hints about a repo they do not sync. */
  repoId: Oid,
  host: Host,
  /** Sender's clock, epoch ms. */
  ts: z.number().int().nonnegative(),
  nonce: Nonce,
};

export const PushedMessage = z.strictObject({ type: z.literal('pushed'), ...common, head: Oid });
/** Sent on connect. `head` is the last head the sender pushed (null: none since it started), so a
 *  receiver that missed hints while disconnected catches up at once. */
export const HelloMessage = z.strictObject({ type: z.literal('hello'), ...common, head: Oid.nullable() });
export const HeartbeatMessage = z.strictObject({ type: z.literal('heartbeat'), ...common });
export const ByeMessage = z.strictObject({ type: z.literal('bye'), ...common });

export const HintMessage = z.discriminatedUnion('type', [PushedMessage, HelloMessage, HeartbeatMessage, ByeMessage]);
export type HintMessage = z.infer<typeof HintMessage>;
export type PushedMessage = z.infer<typeof PushedMessage>;
export type HelloMessage = z.infer<typeof HelloMessage>;

export interface Envelope {
  msg: unknown;
  sig: string;
}

/**
 * Deterministic JSON: keys sorted by code unit order at every depth, no whitespace. Throws on values
 * JSON cannot represent faithfully (undefined, functions, NaN/Infinity, bigint).
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('non-finite number');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`cannot serialize ${typeof value}`);
  }
}

export function sign(msg: unknown, secret: string): string {
  return createHmac('sha256', secret).update(canonicalJson(msg), 'utf8').digest('hex');
}

/** Constant-time check of `sig` against the HMAC of msg. False for anything not 64 hex digits. */
export function verifySignature(msg: unknown, sig: unknown, secret: string): boolean {
  if (typeof sig !== 'string' || !/^[0-9a-f]{64}$/.test(sig)) return false;
  let expected: Buffer;
  try {
    expected = Buffer.from(sign(msg, secret), 'hex');
  } catch {
    return false;
  }
  const given = Buffer.from(sig, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

export type OutgoingMessage =
  | { type: 'pushed'; head: string }
  | { type: 'hello'; head: string | null }
  | { type: 'heartbeat' }
  | { type: 'bye' };

/** Builds a complete message (fresh nonce, timestamp) and returns the frame to send. */
export function encodeMessage(
  body: OutgoingMessage,
  from: { repoId: string; host: string },
  secret: string,
  now: number = Date.now(),
  nonce: string = newNonce(),
): { msg: HintMessage; frame: string } {
  const msg = { ...body, repoId: from.repoId, host: from.host, ts: now, nonce } as HintMessage;
  const frame = JSON.stringify({ msg, sig: sign(msg, secret) } satisfies Envelope);
  return { msg, frame };
}
