/**
 * The hint channel between real machines: separate HOMEs and config dirs, real engines with watchers,
 * a shared bare remote, and a schedule of one hour, so a change that arrives within the test can only
 * have been fetched because of a hint.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { Machine, bareRemote, freePort, git, waitFor } from '../../helpers/machine.js';
import { startPeers as startPeersOn, type PeersHandle, type StartPeersOptions } from '../../../electron/engine/peers/index.js';
import { secretsFeature, kmFeature } from '../../../electron/engine/features/index.js';
import type { Engine } from '../../../electron/engine/engine.js';
import { encodeMessage, sign, newNonce } from '../../../electron/engine/peers/protocol.js';

const SECRET = 'integration-test-secret-0123456789';
const FAST: StartPeersOptions = { env: {}, heartbeatMs: 500, backoff: { baseMs: 50, maxMs: 500 }, stateThrottleMs: 20 };

const open: Machine[] = [];
const sockets: WebSocket[] = [];
/** Hint channels started by hand on an engine (after its machine joined), stopped before the machine. */
const handles = new Map<Engine, PeersHandle[]>();
async function startPeers(engine: Engine, opts: StartPeersOptions): Promise<PeersHandle> {
  const h = await startPeersOn(engine, opts);
  handles.set(engine, [...(handles.get(engine) ?? []), h]);
  return h;
}
async function stopMachine(m: Machine): Promise<void> {
  for (const h of handles.get(m.engine) ?? []) await h.stop().catch(() => undefined);
  handles.delete(m.engine);
  await m.stop();
}
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  for (const m of open.splice(0)) await stopMachine(m).catch(() => undefined);
});

function machine(name: string, remote: string, peers: Record<string, unknown>) {
  const m = new Machine(name, {
    remote,
    profiles: ['zsh'],
    watch: true,
    settings: { sync: { intervalSec: 3600, debounceMs: 100 }, peers },
    // The hint channel is started by hand once the machines share a history.
    features: () => [secretsFeature(), kmFeature()],
  });
  open.push(m);
  return m;
}

/** A (client) → B (server), both with the secret, both joined to the same remote. */
async function pair(opts: StartPeersOptions = {}) {
  const remote = bareRemote();
  const port = await freePort();
  const url = `ws://127.0.0.1:${port}/hints`;
  const a = machine('alpha', remote, { secret: SECRET, urls: [url] });
  const b = machine('bravo', remote, { secret: SECRET, server: true, port });
  a.write('.zshrc', 'v0\n');
  await a.open();
  await a.sync();
  await b.open();
  await b.sync();
  await a.sync(); // bravo's join merged its first commit in: now both have the same roots
  expect(b.read('.zshrc')).toBe('v0\n');
  const pb = await startPeers(b.engine, { ...FAST, ...opts });
  const pa = await startPeers(a.engine, { ...FAST, ...opts });
  expect(b.engine.store.getState().peerServer.listening).toBe(`127.0.0.1:${port}`);
  await waitFor(() => a.engine.store.getState().peers[0]?.connected && pa.hub!.links()[0]?.authenticated && pb.hub!.links()[0]?.authenticated, 'alpha connected to bravo');
  expect(await a.engine.repoId()).toBe(await b.engine.repoId());
  return { remote, port, url, a, b, pa, pb };
}

function rejected(m: Machine): Record<string, number> {
  return m.engine.store.getState().peerServer.rejected;
}

async function health(port: number): Promise<Record<string, unknown>> {
  const r = await fetch(`http://127.0.0.1:${port}/health`);
  expect(r.status).toBe(200);
  return (await r.json()) as Record<string, unknown>;
}

async function rawClient(port: number): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/hints`);
  sockets.push(ws);
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, closed };
}

describe('peer hints', () => {
  it('an edit on A appears in B\'s live file, and an edit on B in A\'s, without waiting for the schedule', async () => {
    const { a, b, pb } = await pair();
    const nextSync = b.engine.store.getState().repo.nextSyncAt!;
    a.write('.zshrc', 'edited on alpha\n');
    await waitFor(() => b.read('.zshrc') === 'edited on alpha\n', 'alpha\'s edit on bravo');
    expect(Date.now()).toBeLessThan(nextSync); // the schedule had not come round: a hint did it
    // B learned it from A's client connection; the server counted the accepted messages.
    expect(b.engine.store.getState().peerServer.accepted).toBeGreaterThan(0);
    expect(b.engine.store.getState().activity.some((x) => /alpha pushed changes: fetching now/.test(x.text))).toBe(true);
    expect(pb.auditLines().some((l) => /verdict=accepted:fetch .*type=pushed host=alpha/.test(l))).toBe(true);

    // The other direction goes over the same connection, from B's server to A's client.
    b.write('.zshrc', 'edited on bravo\n');
    await waitFor(() => a.read('.zshrc') === 'edited on bravo\n', 'bravo\'s edit on alpha');
    await waitFor(() => a.engine.store.getState().peers[0].lastHint !== null, 'alpha records the hint');

    // Audit lines reach the file, without the secret.
    await waitFor(() => existsSync(join(b.configDir, 'logs', 'peers-audit.log')), 'audit file');
    await waitFor(() => /type=pushed/.test(readFileSync(join(b.configDir, 'logs', 'peers-audit.log'), 'utf8')), 'audit line in file');
    expect(readFileSync(join(b.configDir, 'logs', 'peers-audit.log'), 'utf8')).not.toContain(SECRET);
    const h = await health(Number(b.engine.store.getState().peerServer.listening!.split(':')[1]));
    expect(h).toMatchObject({ status: 'ok', clients: 1, repoId: await b.engine.repoId() });
    expect(JSON.stringify(h)).not.toContain('alpha');
  });

  it('survives a peer restart: A reconnects and the next push still propagates', async () => {
    const { remote, a, b, pa } = await pair();
    await stopMachine(b);
    await waitFor(() => !a.engine.store.getState().peers[0].connected, 'alpha sees bravo go');
    expect(pa.auditLines().some((l) => /type=bye host=bravo/.test(l))).toBe(true);
    // A pushes while B is away (the hint has nowhere to go); B's start-up sync or A's hello on
    // reconnect brings it over.
    a.write('.zshrc', 'while bravo was down\n');
    await waitFor(() => git(remote, 'show', 'main:zsh/.zshrc') === 'while bravo was down\n', 'alpha pushed');
    await b.open();
    await startPeers(b.engine, FAST);
    await waitFor(() => a.engine.store.getState().peers[0].connected, 'alpha reconnected');
    await waitFor(() => b.read('.zshrc') === 'while bravo was down\n', 'the change made while bravo was down');
    a.write('.zshrc', 'after the restart\n');
    await waitFor(() => b.read('.zshrc') === 'after the restart\n', 'next push propagates');
  });

  it('rejects and counts bad signature, replay, stale, unknown type, oversized and flood; stays healthy', async () => {
    const { a, b, port } = await pair({ blockMs: 1500 });
    const repoId = (await b.engine.repoId())!;
    const from = { repoId, host: 'mallory' };
    const fresh = () => encodeMessage({ type: 'pushed', head: 'e'.repeat(40) }, from, SECRET, Date.now()).frame;
    const { ws } = await rawClient(port);
    const waitCount = (reason: string, n = 1) => waitFor(() => (rejected(b)[reason] ?? 0) >= n, `${reason} counted`);

    // Bad signature: wrong secret, and missing.
    ws.send(encodeMessage({ type: 'heartbeat' }, from, 'not-the-secret-at-all!', Date.now()).frame);
    ws.send(JSON.stringify({ msg: { type: 'heartbeat', ...from, ts: Date.now(), nonce: newNonce() } }));
    await waitCount('bad-signature', 2);
    // Replay: the same valid frame twice.
    const once = fresh();
    ws.send(once);
    ws.send(once);
    await waitCount('replay');
    // Stale and future timestamps.
    ws.send(encodeMessage({ type: 'heartbeat' }, from, SECRET, Date.now() - 120_000).frame);
    ws.send(encodeMessage({ type: 'heartbeat' }, from, SECRET, Date.now() + 120_000).frame);
    await waitCount('stale', 2);
    // Unknown type, correctly signed.
    const evil = { type: 'exec', ...from, ts: Date.now(), nonce: newNonce(), cmd: 'rm -rf ~' };
    ws.send(JSON.stringify({ msg: evil, sig: sign(evil, SECRET) }));
    await waitCount('unknown-type');
    // Not JSON at all; a signed message carrying data.
    ws.send('hello?');
    const data = { type: 'pushed', head: 'e'.repeat(40), ...from, ts: Date.now(), nonce: newNonce(), content: 'file' };
    ws.send(JSON.stringify({ msg: data, sig: sign(data, SECRET) }));
    await waitCount('malformed');
    await waitCount('schema');

    // Oversized frame: the connection is closed (1009) and it is counted.
    const big = await rawClient(port);
    big.ws.send('x'.repeat(5000));
    expect(await big.closed).toBe(1009);
    await waitCount('oversized');

    // A flood: the address is blocked, the flooding connection closed (1008), frames counted.
    const flood = await rawClient(port);
    for (let i = 0; i < 150; i++) flood.ws.send(fresh());
    expect(await flood.closed).toBe(1008);
    await waitCount('rate-limited');
    // While blocked, new connections from the address are refused.
    const refused = new WebSocket(`ws://127.0.0.1:${port}/hints`);
    sockets.push(refused);
    const status = await new Promise<number>((r) => {
      refused.on('unexpected-response', (_req, res) => r(res.statusCode ?? 0));
      refused.on('error', () => undefined);
    });
    expect(status).toBe(429);

    // The daemon is healthy: health answers, and once the block lifts a valid hint works again.
    const h = await health(port);
    expect(h.status).toBe('ok');
    await waitFor(async () => (await health(port)).blockedAddresses === 0, 'block lifted');
    await waitFor(() => a.engine.store.getState().peers[0].connected, 'alpha connected');
    const st = b.engine.store.getState().peerServer;
    for (const reason of ['bad-signature', 'replay', 'stale', 'unknown-type', 'malformed', 'schema', 'oversized', 'rate-limited']) {
      expect(st.rejected[reason], reason).toBeGreaterThan(0);
    }
    expect(b.engine.store.getState().phase).not.toBe('error');
    a.write('.zshrc', 'after the attack\n');
    await waitFor(() => b.read('.zshrc') === 'after the attack\n', 'a valid hint after the attack');
  });

  it('a correctly signed hint naming an unknown head only makes the receiver fetch', async () => {
    const { b, port, pb } = await pair();
    const repoId = (await b.engine.repoId())!;
    const headBefore = b.engine.store.getState().repo.head;
    const fetchedBefore = b.engine.store.getState().repo.lastFetchAt;
    const { ws } = await rawClient(port);
    ws.send(encodeMessage({ type: 'hello', head: null }, { repoId, host: 'mallory' }, SECRET, Date.now()).frame);
    ws.send(encodeMessage({ type: 'pushed', head: '1'.repeat(40) }, { repoId, host: 'mallory' }, SECRET, Date.now()).frame);
    await waitFor(() => b.engine.store.getState().repo.lastFetchAt !== fetchedBefore, 'bravo fetched');
    await waitFor(() => pb.auditLines().some((l) => /verdict=accepted:fetch .*host=mallory/.test(l)), 'audit');
    expect(b.engine.store.getState().repo.head).toBe(headBefore);
    // A repo id we have never seen costs one fetch (it could be a machine that just joined); when that
    // fetch does not bring it in, later hints about it are ignored.
    const other = { repoId: '3'.repeat(40), host: 'mallory' };
    ws.send(encodeMessage({ type: 'pushed', head: '2'.repeat(40) }, other, SECRET, Date.now()).frame);
    await waitFor(() => pb.auditLines().some((l) => /verdict=accepted:fetch-unknown-repo /.test(l)), 'one fetch for an unknown repo id');
    await waitFor(async () => {
      ws.send(encodeMessage({ type: 'pushed', head: '4'.repeat(40) }, other, SECRET, Date.now()).frame);
      await new Promise((r) => setTimeout(r, 200));
      return pb.auditLines().some((l) => /verdict=accepted:other-repo /.test(l));
    }, 'other repo ignored');
    expect(b.engine.store.getState().repo.head).toBe(headBefore);
  });

  it('a machine that just joined is heard: its hello brings the join to the others at once', async () => {
    const remote = bareRemote();
    const port = await freePort();
    const a = machine('alpha', remote, { secret: SECRET, server: true, port });
    a.write('.zshrc', 'v0\n');
    await a.open();
    await a.sync();
    await startPeers(a.engine, FAST);
    const b = machine('bravo', remote, { secret: SECRET, urls: [`ws://127.0.0.1:${port}/hints`] });
    b.write('.zshenv', 'bravo brings this\n');
    await b.open();
    await b.sync(); // joins: merges its own first commit and .zshenv, pushes
    expect(b.read('.zshrc')).toBe('v0\n');
    await startPeers(b.engine, FAST);
    await waitFor(() => a.engine.store.getState().repo.head === b.engine.store.getState().repo.head, 'alpha fetched the join');
    expect(a.repoFile('zsh/.zshenv')).toBe('bravo brings this\n');
    expect(await a.engine.repoId()).toBe(await b.engine.repoId());
  });

  it('refuses to start without a secret, with a clear message in state and errors', async () => {
    const remote = bareRemote();
    const port = await freePort();
    const b = machine('bravo', remote, { server: true, port });
    await b.open();
    const handle: PeersHandle = await startPeers(b.engine, { env: {} });
    expect(handle.hub).toBeNull();
    const st = b.engine.store.getState();
    expect(st.peerServer.enabled).toBe(true);
    expect(st.peerServer.listening).toBeNull();
    expect(st.peerServer.error).toMatch(/no shared secret/i);
    expect(st.errors.some((e) => e.source === 'peers' && /no shared secret/i.test(e.message))).toBe(true);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    // Same for a client-only set-up: nothing dials out.
    const c = machine('charlie', remote, { urls: [`ws://127.0.0.1:${port}/hints`] });
    await c.open();
    await startPeers(c.engine, { env: {} });
    expect(c.engine.store.getState().peerServer.error).toMatch(/no shared secret/i);
    expect(c.engine.store.getState().peers).toEqual([{ url: `ws://127.0.0.1:${port}/hints`, connected: false, lastHeartbeat: null, lastHint: null, rejected: 0 }]);
    // Configuring a secret later starts it (settings changes are picked up).
    b.engine.settings.update({ peers: { secret: SECRET } });
    await waitFor(() => b.engine.store.getState().peerServer.listening === `127.0.0.1:${port}`, 'server started after the secret was set');
    expect(b.engine.store.getState().peerServer.error).toBeNull();
  });
});
