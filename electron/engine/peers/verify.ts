/**
 * Checks one incoming frame, in the order that does the least work for the most hostile input:
 *   parse → envelope → signature (constant time) → known type → schema → timestamp window → nonce.
 * The nonce is recorded only for messages that passed everything else, so nothing unsigned ever
 * occupies the replay cache. The per-address rate limit is applied before this, by the caller.
 */
import { HintMessage, MESSAGE_TYPES, verifySignature } from './protocol.js';
import { ReplayCache } from './replay.js';

export const REJECT_REASONS = [
  'malformed',
  'bad-signature',
  'unknown-type',
  'schema',
  'stale',
  'replay',
  'replay-cache-full',
  'rate-limited',
  'oversized',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** What an audit line may say about a rejected frame: sanitized, never the signature or the secret. */
export interface FrameSummary {
  type?: string;
  host?: string;
  head?: string;
}

export type Verdict = { ok: true; msg: HintMessage } | { ok: false; reason: RejectReason; summary: FrameSummary; detail?: string };

export const TIMESTAMP_WINDOW_MS = 60_000;

export interface VerifierOptions {
  secret: string;
  now: () => number;
  windowMs?: number;
  replayMaxEntries?: number;
}

export class MessageVerifier {
  readonly windowMs: number;
  readonly replay: ReplayCache;

  constructor(private readonly o: VerifierOptions) {
    this.windowMs = o.windowMs ?? TIMESTAMP_WINDOW_MS;
    this.replay = new ReplayCache({ windowMs: this.windowMs, now: o.now, maxEntries: o.replayMaxEntries });
  }

  verify(frame: string): Verdict {
    let env: unknown;
    try {
      env = JSON.parse(frame);
    } catch {
      return { ok: false, reason: 'malformed', summary: {} };
    }
    if (!env || typeof env !== 'object' || Array.isArray(env)) return { ok: false, reason: 'malformed', summary: {} };
    const { msg, sig } = env as { msg?: unknown; sig?: unknown };
    if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return { ok: false, reason: 'malformed', summary: {} };
    const summary = summarize(msg as Record<string, unknown>);
    if (Object.keys(env).some((k) => k !== 'msg' && k !== 'sig')) return { ok: false, reason: 'malformed', summary };
    if (!verifySignature(msg, sig, this.o.secret)) return { ok: false, reason: 'bad-signature', summary, detail: sig === undefined ? 'missing' : 'mismatch' };
    const type = (msg as { type?: unknown }).type;
    if (typeof type !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(type)) return { ok: false, reason: 'unknown-type', summary };
    const parsed = HintMessage.safeParse(msg);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return { ok: false, reason: 'schema', summary, detail: i ? `${i.path.join('.') || '(root)'}: ${i.message}` : undefined };
    }
    const m = parsed.data;
    const skew = this.o.now() - m.ts;
    if (Math.abs(skew) > this.windowMs) return { ok: false, reason: 'stale', summary, detail: `${Math.round(skew / 1000)}s ${skew > 0 ? 'old' : 'in the future'}` };
    const r = this.replay.check(m.nonce, m.ts);
    if (r === 'replay') return { ok: false, reason: 'replay', summary };
    if (r === 'full') return { ok: false, reason: 'replay-cache-full', summary };
    return { ok: true, msg: m };
  }
}

/** Safe-to-log fragments of an untrusted message: short, and only characters that cannot forge lines. */
export function summarize(msg: Record<string, unknown>): FrameSummary {
  const clean = (v: unknown, max: number) => (typeof v === 'string' ? v.replace(/[^A-Za-z0-9._-]/g, '?').slice(0, max) : undefined);
  const out: FrameSummary = {};
  const type = clean(msg.type, 24);
  const host = clean(msg.host, 64);
  const head = clean(msg.head, 64);
  if (type !== undefined) out.type = type;
  if (host !== undefined) out.host = host;
  if (head !== undefined) out.head = head;
  return out;
}
