import { describe, it, expect } from 'vitest';
import { canonicalJson, sign, verifySignature, encodeMessage, newNonce, HintMessage, MESSAGE_TYPES } from '../../../electron/engine/peers/protocol.js';

const SECRET = 'correct horse battery staple';
const OID = 'a'.repeat(40);
const base = { repoId: OID, host: 'alpha', ts: 1_700_000_000_000, nonce: '0123456789abcdef0123456789abcdef' };

describe('canonical serialization', () => {
  it('sorts keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('is independent of key insertion order', () => {
    const a = { type: 'pushed', head: OID, ...base };
    const b = { nonce: base.nonce, ts: base.ts, host: 'alpha', repoId: OID, head: OID, type: 'pushed' };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(sign(a, SECRET)).toBe(sign(b, SECRET));
  });

  it('escapes strings like JSON and refuses values JSON cannot carry', () => {
    expect(canonicalJson({ s: 'a"b\n\u2028' })).toBe(JSON.stringify({ s: 'a"b\n\u2028' }));
    expect(canonicalJson([null, true, 1.5])).toBe('[null,true,1.5]');
    expect(() => canonicalJson({ n: NaN })).toThrow();
    expect(() => canonicalJson({ n: Infinity })).toThrow();
    expect(() => canonicalJson({ u: undefined })).toThrow();
    expect(() => canonicalJson(10n)).toThrow();
  });
});

describe('signing', () => {
  const msg = { type: 'pushed', head: OID, ...base };

  it('is HMAC-SHA256 in hex and verifies', () => {
    const sig = sign(msg, SECRET);
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    expect(verifySignature(msg, sig, SECRET)).toBe(true);
  });

  it('fails for another secret, a changed field, or a malformed/missing signature', () => {
    const sig = sign(msg, SECRET);
    expect(verifySignature(msg, sig, 'another secret, 16+ chars')).toBe(false);
    expect(verifySignature({ ...msg, head: 'b'.repeat(40) }, sig, SECRET)).toBe(false);
    expect(verifySignature({ ...msg, extra: 1 }, sig, SECRET)).toBe(false);
    expect(verifySignature(msg, sig.toUpperCase(), SECRET)).toBe(false);
    expect(verifySignature(msg, sig.slice(0, 62), SECRET)).toBe(false);
    expect(verifySignature(msg, undefined, SECRET)).toBe(false);
    expect(verifySignature(msg, 42, SECRET)).toBe(false);
    expect(verifySignature({ n: NaN }, sig, SECRET)).toBe(false);
  });

  it('encodeMessage builds a signed envelope with a fresh nonce each time', () => {
    const a = encodeMessage({ type: 'heartbeat' }, { repoId: OID, host: 'alpha' }, SECRET, 5);
    const b = encodeMessage({ type: 'heartbeat' }, { repoId: OID, host: 'alpha' }, SECRET, 5);
    expect(a.msg.nonce).not.toBe(b.msg.nonce);
    const env = JSON.parse(a.frame);
    expect(Object.keys(env).sort()).toEqual(['msg', 'sig']);
    expect(env.msg).toEqual({ type: 'heartbeat', repoId: OID, host: 'alpha', ts: 5, nonce: a.msg.nonce });
    expect(verifySignature(env.msg, env.sig, SECRET)).toBe(true);
    expect(newNonce()).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('message schema', () => {
  it('accepts exactly the four types', () => {
    expect([...MESSAGE_TYPES]).toEqual(['pushed', 'hello', 'heartbeat', 'bye']);
    expect(HintMessage.safeParse({ type: 'pushed', head: OID, ...base }).success).toBe(true);
    expect(HintMessage.safeParse({ type: 'hello', head: null, ...base }).success).toBe(true);
    expect(HintMessage.safeParse({ type: 'heartbeat', ...base }).success).toBe(true);
    expect(HintMessage.safeParse({ type: 'bye', ...base }).success).toBe(true);
    expect(HintMessage.safeParse({ type: 'exec', ...base }).success).toBe(false);
  });

  it('rejects data, bad ids, bad hosts and missing fields', () => {
    const bad = [
      { type: 'pushed', ...base }, // no head
      { type: 'pushed', head: 'HEAD~1', ...base },
      { type: 'pushed', head: `--upload-pack=x${'a'.repeat(30)}`, ...base },
      { type: 'pushed', head: OID, ...base, host: 'a b' },
      { type: 'pushed', head: OID, ...base, nonce: 'short' },
      { type: 'pushed', head: OID, ...base, ts: -1 },
      { type: 'pushed', head: OID, ...base, ts: 1.5 },
      { type: 'heartbeat', ...base, content: 'file data' }, // no data rides along
      { type: 'pushed', head: OID, ...base, repoId: 'x' },
    ];
    for (const m of bad) expect(HintMessage.safeParse(m).success, JSON.stringify(m)).toBe(false);
    expect(HintMessage.safeParse({ type: 'pushed', head: 'c'.repeat(64), ...base, repoId: 'd'.repeat(64) }).success).toBe(true);
  });
});
