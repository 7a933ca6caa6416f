import { describe, it, expect } from 'vitest';
import { MessageVerifier, summarize } from '../../../electron/engine/peers/verify.js';
import { encodeMessage, sign, newNonce } from '../../../electron/engine/peers/protocol.js';

const SECRET = 'a shared secret of some length';
const OID = 'f'.repeat(40);
const from = { repoId: OID, host: 'alpha' };

function setup(start = 1_700_000_000_000) {
  const clock = { t: start };
  const v = new MessageVerifier({ secret: SECRET, now: () => clock.t });
  return { clock, v };
}

function frame(msg: Record<string, unknown>, secret = SECRET) {
  return JSON.stringify({ msg, sig: sign(msg, secret) });
}

describe('MessageVerifier', () => {
  it('accepts a well-formed signed message', () => {
    const { clock, v } = setup();
    const r = v.verify(encodeMessage({ type: 'pushed', head: OID }, from, SECRET, clock.t).frame);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.msg).toMatchObject({ type: 'pushed', head: OID, host: 'alpha' });
  });

  it('malformed: not JSON, not an object, no msg, extra envelope fields', () => {
    const { v } = setup();
    for (const f of ['nope', '[]', '"x"', '{}', '{"msg":[1],"sig":"00"}', JSON.stringify({ msg: { type: 'bye' }, sig: 'x', extra: 1 })]) {
      const r = v.verify(f);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toBe('malformed');
    }
  });

  it('bad signature: missing, wrong secret, tampered', () => {
    const { clock, v } = setup();
    const msg = { type: 'heartbeat', ...from, ts: clock.t, nonce: newNonce() };
    const cases = [JSON.stringify({ msg }), frame(msg, 'the wrong secret entirely'), JSON.stringify({ msg: { ...msg, host: 'mallory' }, sig: sign(msg, SECRET) })];
    for (const f of cases) {
      const r = v.verify(f);
      expect(r.ok ? 'ok' : r.reason).toBe('bad-signature');
    }
  });

  it('unknown type is rejected even when correctly signed; schema violations too', () => {
    const { clock, v } = setup();
    const u = v.verify(frame({ type: 'exec', ...from, ts: clock.t, nonce: newNonce() }));
    expect(u.ok ? 'ok' : u.reason).toBe('unknown-type');
    const noType = v.verify(frame({ ...from, ts: clock.t, nonce: newNonce() }));
    expect(noType.ok ? 'ok' : noType.reason).toBe('unknown-type');
    const s = v.verify(frame({ type: 'pushed', head: 'not-a-commit', ...from, ts: clock.t, nonce: newNonce() }));
    expect(s.ok ? 'ok' : s.reason).toBe('schema');
    const extra = v.verify(frame({ type: 'heartbeat', ...from, ts: clock.t, nonce: newNonce(), data: 'x' }));
    expect(extra.ok ? 'ok' : extra.reason).toBe('schema');
  });

  it('timestamp window: ±60 s accepted, beyond rejected as stale', () => {
    const { clock, v } = setup();
    const at = (ts: number) => v.verify(encodeMessage({ type: 'heartbeat' }, from, SECRET, ts).frame);
    expect(at(clock.t - 60_000).ok).toBe(true);
    expect(at(clock.t + 60_000).ok).toBe(true);
    const old = at(clock.t - 60_001);
    expect(old.ok ? 'ok' : old.reason).toBe('stale');
    const future = at(clock.t + 60_001);
    expect(future.ok ? 'ok' : future.reason).toBe('stale');
  });

  it('a replayed frame is rejected until its timestamp leaves the window, then as stale', () => {
    const { clock, v } = setup();
    const f = encodeMessage({ type: 'pushed', head: OID }, from, SECRET, clock.t).frame;
    expect(v.verify(f).ok).toBe(true);
    const again = v.verify(f);
    expect(again.ok ? 'ok' : again.reason).toBe('replay');
    clock.t += 30_000;
    const later = v.verify(f);
    expect(later.ok ? 'ok' : later.reason).toBe('replay');
    clock.t += 31_000;
    const stale = v.verify(f);
    expect(stale.ok ? 'ok' : stale.reason).toBe('stale');
  });

  it('a rejected frame does not burn its nonce', () => {
    const { clock, v } = setup();
    const msg = { type: 'heartbeat', ...from, ts: clock.t, nonce: newNonce() };
    expect(v.verify(JSON.stringify({ msg, sig: '0'.repeat(64) })).ok).toBe(false);
    expect(v.verify(frame(msg)).ok).toBe(true);
    expect(v.replay.size).toBe(1);
  });

  it('summaries of untrusted input cannot forge audit lines', () => {
    expect(summarize({ type: 'x\nverdict=accepted', host: 'a b', head: 123 })).toEqual({ type: 'x?verdict?accepted', host: 'a?b' });
  });
});
