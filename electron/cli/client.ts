/** The CLI's connection to a running daemon: the same contract over the daemon's loopback WebSocket. */
import { existsSync, readFileSync } from 'node:fs';
import type WebSocket from 'ws';
import type { RequestChannel, RequestOf, ResponseOf } from '../../shared/contract.js';

/**
 * The exit code of a daemon that did not start because ConfSync already runs for its config dir (the
 * app, or another daemon). Not 1: a service manager must be able to tell "nothing to do" from a
 * failure, so the systemd unit lists it in RestartPreventExitStatus= (service.ts). Here, not in
 * daemon.ts, so the service commands need not load the engine.
 */
export const EXIT_ALREADY_RUNNING = 3;

export interface DaemonInfo {
  pid: number;
  port: number;
  token: string;
  url: string;
  startedAt: number;
  /** 'daemon' or 'app' (the menu-bar app). */
  kind?: string;
}

export function readDaemonInfo(file: string): DaemonInfo | null {
  if (!existsSync(file)) return null;
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as DaemonInfo;
    process.kill(info.pid, 0); // throws when the process is gone
    return info;
  } catch {
    return null;
  }
}

export class DaemonClient {
  private ws: WebSocket | null = null;
  private next = 1;
  private waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly info: DaemonInfo) {}

  async connect(timeoutMs = 3000): Promise<void> {
    // Loaded here, not at the top: only commands that find a running host need it (CLI start-up).
    const { default: WebSocket } = await import('ws');
    const ws = new WebSocket(`ws://127.0.0.1:${this.info.port}/api?token=${encodeURIComponent(this.info.token)}`);
    this.ws = ws;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('daemon did not answer')), timeoutMs);
      ws.once('open', () => {
        clearTimeout(t);
        resolve();
      });
      ws.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { id?: number; ok?: boolean; result?: unknown; error?: { message: string } };
      if (typeof m.id !== 'number') return;
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.ok) w.resolve(m.result);
      else w.reject(new Error(m.error?.message ?? 'request failed'));
    });
    ws.on('close', () => {
      for (const w of this.waiting.values()) w.reject(new Error('the daemon closed the connection'));
      this.waiting.clear();
    });
  }

  invoke<C extends RequestChannel>(channel: C, payload?: RequestOf<C>): Promise<ResponseOf<C>> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws!.send(JSON.stringify({ id, channel, payload }));
    });
  }

  close(): void {
    this.ws?.close();
  }
}

/**
 * Runs `fn` against the host whose daemon.json is `daemonFile`, when one is there and answers;
 * `null` when none does (the caller then works locally). An error from `fn` itself is the caller's.
 */
export async function withRunningHost<T>(daemonFile: string, fn: (client: DaemonClient) => Promise<T>): Promise<{ value: T } | null> {
  const info = readDaemonInfo(daemonFile);
  if (!info) return null;
  const client = new DaemonClient(info);
  try {
    await client.connect();
  } catch {
    client.close();
    return null;
  }
  try {
    return { value: await fn(client) };
  } finally {
    client.close();
  }
}
