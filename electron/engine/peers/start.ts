/**
 * `startPeers(engine)`: wires the hint channel to an engine. Reads settings.peers and the environment,
 * starts the server and the clients, hints the peers on every `pushed` event of the engine, keeps
 * AppState.peers / AppState.peerServer current, restarts when the peers settings change, and says bye
 * and closes everything on stop(). Off by default: with no server and no peer URLs configured it only
 * records that it is disabled. `peersFeature()` is the same as a feature passed to Engine.open.
 */
import { join } from 'node:path';
import type { Engine } from '../engine.js';
import { pushActivity, pushError } from '../state/app-store.js';
import { AuditFile } from './audit.js';
import type { BackoffOptions } from './backoff.js';
import type { Clock } from './clock.js';
import { resolvePeerConfig, type PeerConfig } from './config.js';
import { PeerHub, type HintSelf } from './hub.js';
import { revParse } from '../git/tree.js';
import { REMOTE_REF } from '../git/fetch.js';
import type { Feature } from '../features/feature.js';

/** The hint channel as a feature for Engine.open: started with the engine's watchers, stopped with it. */
export function peersFeature(opts: StartPeersOptions = {}): Feature & { readonly handle: PeersHandle | null } {
  let handle: PeersHandle | null = null;
  return {
    name: 'peers',
    get handle() {
      return handle;
    },
    async start(engine: Engine) {
      handle = await startPeers(engine, opts);
    },
    async stop() {
      await handle?.stop();
    },
  };
}

export interface StartPeersOptions {
  /** Environment to read CONFSYNC_* overrides from (default process.env). */
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  random?: () => number;
  heartbeatMs?: number;
  deadFactor?: number;
  blockMs?: number;
  backoff?: BackoffOptions;
  maxClients?: number;
  stateThrottleMs?: number;
  /** Audit sink. Default: `<configDir>/logs/peers-audit.log`. */
  log?: (line: string) => void;
}

export interface PeersHandle {
  /** The running hub, or null when disabled or refused. Replaced on a settings change. */
  readonly hub: PeerHub | null;
  /** Last audit lines (memory only). */
  auditLines(): string[];
  stop(): Promise<void>;
}

export const AUDIT_FILE = ['logs', 'peers-audit.log'] as const;

export async function startPeers(engine: Engine, opts: StartPeersOptions = {}): Promise<PeersHandle> {
  const env = opts.env ?? process.env;
  const auditFile = opts.log ? null : new AuditFile(join(engine.files.dir, ...AUDIT_FILE));
  const sink = opts.log ?? ((line: string) => auditFile!.write(line));
  let hub: PeerHub | null = null;
  let current = '';
  let stopped = false;
  let chain: Promise<void> = Promise.resolve();
  const serialize = (fn: () => Promise<void>) => (chain = chain.then(fn, fn));

  const self = engineSelf(engine);

  const launch = async () => {
    if (stopped) return;
    const r = resolvePeerConfig(engine.settings.get().peers, env);
    const key = JSON.stringify(r);
    if (key === current) return;
    current = key;
    if (hub) {
      await hub.stop();
      hub = null;
    }
    for (const w of r.warnings) pushError(engine.store, 'peers', w);
    if (!r.ok) {
      engine.store.setState({ peers: r.config.urls.map(idlePeer), peerServer: { enabled: r.config.server, listening: null, error: r.error, accepted: 0, rejected: {} } });
      pushError(engine.store, 'peers', r.error);
      return;
    }
    if (!r.enabled) {
      engine.store.setState({ peers: [], peerServer: { enabled: false, listening: null, error: null, accepted: 0, rejected: {} } });
      return;
    }
    const h = new PeerHub({
      config: r.config as PeerConfig & { secret: string },
      self,
      clock: opts.clock,
      random: opts.random,
      heartbeatMs: opts.heartbeatMs,
      deadFactor: opts.deadFactor,
      blockMs: opts.blockMs,
      backoff: opts.backoff,
      maxClients: opts.maxClients,
      stateThrottleMs: opts.stateThrottleMs,
      audit: sink,
      onState: ({ peers, server }) => engine.store.setState({ peers, peerServer: server }),
      onError: (message, detail) => pushError(engine.store, 'peers', message, detail),
    });
    hub = h;
    await h.start();
  };

  const offPushed = engine.events.on('pushed', ({ head }) => void hub?.pushed(head).catch(() => undefined));
  const unsubscribe = engine.settings.onChange(() => void serialize(launch));

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    offPushed();
    await serialize(async () => {
      await hub?.stop();
      hub = null;
    });
    await auditFile?.flush();
  };
  await serialize(launch);
  return {
    get hub() {
      return hub;
    },
    auditLines: () => hub?.audit.lines() ?? [],
    stop,
  };
}

function idlePeer(url: string) {
  return { url, connected: false, lastHeartbeat: null, lastHint: null, rejected: 0 };
}

/**
 * The engine as the hub sees it. The repo id is Engine.repoId() (the smallest root commit); the root
 * set is cached per HEAD, since it changes only when HEAD does.
 */
export function engineSelf(engine: Engine): HintSelf {
  let cache: { head: string | null; roots: string[] } | null = null;
  const roots = async (): Promise<string[]> => {
    const head = engine.store.getState().repo.head;
    if (cache && cache.head === head && cache.roots.length) return cache.roots;
    const out = await engine.git.raw(['rev-list', '--max-parents=0', 'HEAD'], { readonly: true }).catch(() => '');
    cache = { head, roots: out.split('\n').map((s) => s.trim()).filter(Boolean).sort() };
    return cache.roots;
  };
  const hasCommit = async (oid: string) => (await engine.git.exitCode(['cat-file', '-e', `${oid}^{commit}`])).code === 0;
  return {
    host: engine.host,
    async repoId() {
      return (await roots())[0] ?? (await engine.repoId());
    },
    async relation(id) {
      if ((await roots()).includes(id)) return 'ours';
      return (await hasCommit(id)) ? 'foreign' : 'unknown';
    },
    hasCommit,
    async remoteHead() {
      return revParse(engine.git, REMOTE_REF(engine.settings.get().remote.branch));
    },
    async fetchNow(msg) {
      pushActivity(engine.store, 'info', `${msg.host} pushed ${msg.type === 'pushed' ? 'changes' : 'earlier'}: fetching now`);
      const r = await engine.syncNow({ reason: 'hint' });
      return r.kind === 'ok' || r.kind === 'nothing-to-do' || r.kind === 'conflict';
    },
  };
}
