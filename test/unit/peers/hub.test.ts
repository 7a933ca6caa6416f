/**
 * The hub with fake machines (no engine, no git) and a manual clock: real sockets on 127.0.0.1, but
 * time only moves when the test says so, so heartbeats, dead-peer detection and the reconnect
 * schedule are checked without sleeping.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { WebSocket } from 'ws';
import { PeerHub, FOREIGN_REPO_MS, type HintSelf, type RepoRelation } from '../../../electron/engine/peers/hub.js';
import type { Clock, TimerHandle } from '../../../electron/engine/peers/clock.js';
import { reconnectDelay } from '../../../electron/engine/peers/backoff.js';
import { encodeMessage, type HintMessage } from '../../../electron/engine/peers/protocol.js';
import { freePort, waitFor } from '../../helpers/machine.js';

const SECRET = 'unit test secret for the hub';
const REPO = 'a'.repeat(40);
const H1 = '1'.repeat(40);

class ManualClock implements Clock {
  t = Date.now();
  timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number): TimerHandle => {
    const h = { fn, ms, cleared: false };
    this.timers.push(h);
    return h as unknown as TimerHandle;
  };
  clearTimeout = (h: TimerHandle): void => {
    (h as unknown as { cleared: boolean }).cleared = true;
  };
  /** Timers scheduled with exactly this delay and not yet run or cleared. */
  pending(ms?: number) {
    return this.timers.filter((t) => !t.cleared && (ms === undefined || t.ms === ms));
  }
  run(h: { fn: () => void; cleared: boolean }) {
    h.cleared = true;
    h.fn();
  }
}

class FakeMachine implements HintSelf {
  have = new Set<string>([REPO]);
  roots = [REPO];
  fetches: HintMessage[] = [];
  reached = true;
  private release: (() => void)[] = [];
  constructor(readonly host: string) {}
  async repoId() {
    return this.roots[0] ?? null;
  }
  async relation(id: string): Promise<RepoRelation> {
    if (this.roots.includes(id)) return 'ours';
    return this.have.has(id) ? 'foreign' : 'unknown';
  }
  async hasCommit(oid: string) {
    return this.have.has(oid);
  }
  fetchNow(msg: HintMessage) {
    this.fetches.push(msg);
    return new Promise<boolean>((r) => this.release.push(() => r(this.reached)));
  }
  /** Finishes the pending fetches, as if they brought `heads` in. */
  finishFetches(...heads: string[]) {
    for (const h of heads) this.have.add(h);
    for (const r of this.release.splice(0)) r();
  }
}

const hubs: PeerHub[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  for (const h of hubs.splice(0)) await h.stop();
});

function hub(self: HintSelf, clock: Clock, config: { server?: boolean; port?: number; urls?: string[] }, extra: Partial<ConstructorParameters<typeof PeerHub>[0]> = {}) {
  const h = new PeerHub({
    config: { server: config.server ?? false, host: '127.0.0.1', port: config.port ?? 0, urls: config.urls ?? [], secret: SECRET, rateLimitPerMin: 60 },
    self,
    clock,
    heartbeatMs: 1000,
    backoff: { baseMs: 100, maxMs: 1000 },
    random: () => 1,
    ...extra,
  });
  hubs.push(h);
  return h;
}

async function connectedPair() {
  const clock = new ManualClock();
  const port = await freePort();
  const bSelf = new FakeMachine('bravo');
  const aSelf = new FakeMachine('alpha');
  const b = hub(bSelf, clock, { server: true, port });
  await b.start();
  const a = hub(aSelf, clock, { urls: [`ws://127.0.0.1:${port}/hints`] });
  await a.start();
  await waitFor(() => a.links()[0]?.authenticated && b.links()[0]?.authenticated, 'both ends authenticated', 10_000);
  return { clock, port, a, b, aSelf, bSelf };
}

describe('PeerHub', () => {
  it('hello authenticates both ends; pushed makes the receiver fetch once, and not when it has the head', async () => {
    const { a, b, bSelf } = await connectedPair();
    expect(b.snapshot().server.accepted).toBeGreaterThanOrEqual(1); // alpha's hello
    expect(a.snapshot().peers[0]).toMatchObject({ connected: true, rejected: 0 });
    await a.pushed(H1);
    await waitFor(() => bSelf.fetches.length === 1, 'bravo fetches');
    expect(bSelf.fetches[0]).toMatchObject({ type: 'pushed', head: H1, host: 'alpha', repoId: REPO });
    await a.pushed(H1); // while that fetch runs
    await waitFor(() => b.audit.lines().some((l) => /accepted:fetch-pending/.test(l)), 'second hint while fetching');
    bSelf.finishFetches(H1);
    const first = bSelf.fetches[0] as HintMessage & { head: string };
    await waitFor(async () => (await b.considerHead(first)) === 'have-head', 'fetch done');
    await a.pushed(H1);
    await waitFor(() => b.audit.lines().some((l) => /accepted:have-head/.test(l)), 'head already here');
    expect(bSelf.fetches).toHaveLength(1);
    expect(b.audit.lines().join('\n')).not.toContain(SECRET);
  });

  it('hints travel from the server to its clients too', async () => {
    const { a, b, aSelf } = await connectedPair();
    await b.pushed(H1);
    await waitFor(() => aSelf.fetches.length === 1, 'alpha fetches');
    await waitFor(() => a.snapshot().peers[0].lastHint !== null, 'alpha records the hint');
  });

  it('heartbeats keep a link; silence beyond 2.5× the interval cuts it and the client reconnects with backoff', async () => {
    const { clock, a, b } = await connectedPair();
    const acceptedBefore = b.snapshot().server.accepted;
    clock.t += 2000; // 2× heartbeat: still alive
    a.tick();
    await waitFor(() => b.snapshot().server.accepted > acceptedBefore, 'heartbeat accepted by bravo');
    expect(a.links()).toHaveLength(1);
    // Bravo answers nothing for 2.5× the interval since its last message: alpha cuts the link.
    clock.t += 2600;
    const before = clock.pending(reconnectDelay(0, { baseMs: 100, maxMs: 1000, random: () => 1 })).length;
    a.tick();
    await waitFor(() => !a.snapshot().peers[0].connected, 'alpha dropped the silent link');
    expect(a.audit.lines().some((l) => /verdict=dropped .*detail="no heartbeat"/.test(l))).toBe(true);
    // Reconnect scheduled with the backoff's first delay; running it reconnects and re-authenticates.
    await waitFor(() => clock.pending(100).length > before, 'reconnect scheduled');
    clock.run(clock.pending(100).at(-1)!);
    await waitFor(() => a.snapshot().peers[0].connected && a.links()[0]?.authenticated, 'reconnected');
  });

  it('a peer with another secret never authenticates: dropped, counted on both ends, reported once', async () => {
    const clock = new ManualClock();
    const port = await freePort();
    const b = hub(new FakeMachine('bravo'), clock, { server: true, port });
    await b.start();
    const errors: string[] = [];
    const a = new PeerHub({
      config: { server: false, host: '127.0.0.1', port: 0, urls: [`ws://127.0.0.1:${port}/hints`], secret: 'a different secret entirely', rateLimitPerMin: 60 },
      self: new FakeMachine('alpha'),
      clock,
      heartbeatMs: 1000,
      backoff: { baseMs: 100, maxMs: 1000 },
      random: () => 1,
      onError: (m) => errors.push(m),
    });
    hubs.push(a);
    await a.start();
    await waitFor(() => b.snapshot().server.rejected['bad-signature'] === 1, 'bravo rejects the hello');
    clock.t += 2501;
    a.tick();
    await waitFor(() => !a.snapshot().peers[0].connected, 'alpha gives up on the link');
    expect(errors).toEqual([`Peer ws://127.0.0.1:${port}/hints never sent a validly signed message: check that both machines use the same peer secret`]);
    clock.run(clock.pending(100).at(-1)!);
    await waitFor(() => b.snapshot().server.rejected['bad-signature'] === 2, 'second attempt rejected');
    clock.t += 2501;
    a.tick();
    await waitFor(() => clock.pending(200).length > 0, 'backoff grows: never authenticated');
    expect(errors).toHaveLength(1);
  });

  it('the reconnect delay doubles while the peer stays away', async () => {
    const clock = new ManualClock();
    const port = await freePort(); // nobody listens here
    const a = hub(new FakeMachine('alpha'), clock, { urls: [`ws://127.0.0.1:${port}/hints`] }, { heartbeatMs: 999_999 });
    await a.start();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      await waitFor(() => clock.timers.some((t) => !t.cleared && t.ms !== 999_999 && t.ms !== 100_000), `attempt ${i} failed`, 10_000);
      const t = clock.timers.find((x) => !x.cleared && x.ms !== 999_999)!;
      delays.push(t.ms);
      clock.run(t);
    }
    expect(delays).toEqual([100, 200, 400, 800, 1000]);
    expect(a.snapshot().peers[0].connected).toBe(false);
  });

  it('a connection that never authenticates is dropped after the dead time', async () => {
    const clock = new ManualClock();
    const port = await freePort();
    const b = hub(new FakeMachine('bravo'), clock, { server: true, port });
    await b.start();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/hints`);
    sockets.push(ws);
    const closed = new Promise<void>((r) => ws.on('close', () => r()));
    await new Promise((r) => ws.once('open', r));
    await waitFor(() => b.links().length === 1, 'server sees the client');
    // The server says nothing to an unauthenticated caller.
    let got = 0;
    ws.on('message', () => got++);
    b.tick();
    expect(b.links()).toHaveLength(1);
    clock.t += 2501;
    b.tick();
    await closed;
    expect(got).toBe(0);
    expect(b.audit.lines().some((l) => /verdict=dropped .*never authenticated/.test(l))).toBe(true);
  });

  it('an unknown repo id costs one fetch; when it does not arrive it is ignored for a while', async () => {
    const clock = new ManualClock();
    const self = new FakeMachine('bravo');
    const h = hub(self, clock, {});
    await h.start();
    const other = 'b'.repeat(40);
    const msg = (head: string) => encodeMessage({ type: 'pushed', head }, { repoId: other, host: 'x' }, SECRET, clock.t).msg as HintMessage & { head: string };
    expect(await h.considerHead(msg('2'.repeat(40)))).toBe('fetch-unknown-repo');
    self.finishFetches();
    await waitFor(async () => (await h.considerHead(msg('3'.repeat(40)))) === 'other-repo', 'marked foreign');
    expect(self.fetches).toHaveLength(1);
    clock.t += FOREIGN_REPO_MS + 1;
    expect(await h.considerHead(msg('3'.repeat(40)))).toBe('fetch-unknown-repo');
    // When the fetch does bring that root in (a machine that joined), it is ours from then on.
    self.roots.push(other);
    self.finishFetches('3'.repeat(40));
    expect(await h.considerHead(msg('4'.repeat(40)))).toBe('fetch');
    // A commit we have that is not one of our roots: another repo.
    self.have.add('c'.repeat(40));
    expect(await h.considerHead({ ...msg('5'.repeat(40)), repoId: 'c'.repeat(40) })).toBe('other-repo');
  });

  it('publishes state through onState, throttled', async () => {
    const clock = new ManualClock();
    const port = await freePort();
    const states: unknown[] = [];
    const h = hub(new FakeMachine('bravo'), clock, { server: true, port, urls: ['ws://127.0.0.1:1/hints'] }, { onState: (s) => states.push(s), stateThrottleMs: 7 });
    await h.start();
    expect(states.at(-1)).toMatchObject({
      server: { enabled: true, listening: `127.0.0.1:${port}`, error: null, accepted: 0, rejected: {} },
      peers: [{ url: 'ws://127.0.0.1:1/hints', connected: false, lastHeartbeat: null, lastHint: null, rejected: 0 }],
    });
    const n = states.length;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/hints`);
    sockets.push(ws);
    await new Promise((r) => ws.once('open', r));
    for (let i = 0; i < 5; i++) ws.send('junk');
    await waitFor(() => h.snapshot().server.rejected.malformed === 5, 'counted');
    expect(states.length).toBe(n); // nothing published until the throttle timer runs
    clock.run(clock.pending(7)[0]);
    expect(states.at(-1)).toMatchObject({ server: { rejected: { malformed: 5 } } });
    await h.stop();
    expect(states.at(-1)).toMatchObject({ server: { listening: null } });
  });
});
