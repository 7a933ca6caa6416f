/** Child side of the A → B section (see ab.ts). */
import { gitSubcommand, openEngine, prepareConfig } from '../lib/confsync.js';
import { emit, onCommand, waitCommand } from '../lib/ipc.js';
import * as peersShim from '../lib/peers-shim.js';

/**
 * True when the engine has the peers hint channel. It runs as one of openHost's default features
 * (peersFeature), started from `settings.peers`: the bench only writes those settings.
 */
export function peersAvailable(): boolean {
  return typeof (peersShim as { startPeers?: unknown }).startPeers === 'function';
}

export interface NodeParams {
  home: string;
  configDir: string;
  treeRel: string;
  remote: string;
  host: string;
  settings: Record<string, unknown>;
  hints: boolean;
}

export interface NodeResult {
  errors: string[];
  commits: number;
  activity: string[];
}

/** A long-running engine that answers the orchestrator's commands (sync, status, stop). */
export async function nodeChild(p: NodeParams): Promise<NodeResult> {
  prepareConfig({ home: p.home, configDir: p.configDir, treeRel: p.treeRel, remote: p.remote, host: p.host, settings: p.settings });
  const { host, engine, times } = await openEngine({ home: p.home, configDir: p.configDir, treeRel: p.treeRel, remote: p.remote });
  // What the engine did since the last mark (the idle window's contents): git processes, peer links.
  let seen: string[] = [];
  engine.git.onProcess((x) => seen.push(`git ${gitSubcommand(x.args)}`));
  let peersBefore = JSON.stringify(engine.store.getState().peers.map((x) => x.connected));
  engine.store.subscribe((st) => {
    const now = JSON.stringify(st.peers.map((x) => x.connected));
    if (now !== peersBefore) seen.push(`peer link ${st.peers.some((x) => x.connected) ? 'up' : 'down'}`);
    peersBefore = now;
  });
  onCommand('mark', () => {
    seen = [];
    emit('marked', {});
  });
  onCommand('seen', () => emit('seen', { seen }));
  onCommand('sync', () => {
    void engine.syncNow({ reason: 'bench' }).then((r) => emit('synced', { kind: r.kind, message: r.message }));
  });
  onCommand('status', () => {
    const st = engine.store.getState();
    emit('status', { peers: st.peers, peerServer: st.peerServer, head: st.repo.head });
  });
  emit('ready', { kind: times.result?.kind, message: times.result?.message, readyMs: times.readyMs });
  await waitCommand('stop');
  const st = engine.store.getState();
  const out: NodeResult = {
    errors: st.errors.slice(0, 8).map((e) => `${e.source}: ${e.message}${e.detail ? ` (${e.detail.slice(0, 200)})` : ''}`),
    commits: st.watch.commits,
    activity: st.activity.slice(0, 10).map((a) => a.text),
  };
  await host.stop({ flushTimeoutMs: 20_000 });
  return out;
}
