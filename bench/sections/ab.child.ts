/** Child side of the A → B section (see ab.ts). */
import { openEngine, prepareConfig } from '../lib/confsync.js';
import { emit, onCommand, waitCommand } from '../lib/ipc.js';
import * as peersShim from '../lib/peers-shim.js';
import type { Engine } from '../../electron/engine/engine.js';

type StartPeers = (engine: Engine) => Promise<{ stop(): Promise<void> }>;
const startPeers: StartPeers | null = ((peersShim as { startPeers?: StartPeers | null }).startPeers ?? null) as StartPeers | null;

export function peersAvailable(): boolean {
  return typeof startPeers === 'function';
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
  const { engine, times } = await openEngine(
    { home: p.home, configDir: p.configDir, treeRel: p.treeRel, remote: p.remote },
    {},
    p.hints && startPeers ? (e) => startPeers(e).then(() => undefined) : undefined,
  );
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
  await engine.stop({ flushTimeoutMs: 20_000 });
  return out;
}
