/**
 * The hint channel of one machine: an optional server, a client per configured peer, and the one
 * pipeline every incoming frame goes through, whichever direction its connection was opened in:
 *
 *   rate limit (per address) → verify (signature, type, schema, time window, nonce) → act → audit
 *
 * Acting is the only thing a message can cause: a `pushed` (or a `hello` carrying the last pushed
 * head) for our repo, naming a commit we do not have, makes us sync now. Everything else only updates
 * liveness. Links are closed for: a frame over 4 KB (ws closes with 1009), exceeding the rate limit
 * (1008), or silence longer than deadFactor × heartbeat.
 */
import type { WebSocket } from 'ws';
import type { PeerServerState, PeerState } from '../../../shared/state.js';
import { AuditLog } from './audit.js';
import type { BackoffOptions } from './backoff.js';
import { PeerClient } from './client.js';
import { realClock, type Clock, type TimerHandle } from './clock.js';
import type { PeerConfig } from './config.js';
import { PeerLink } from './link.js';
import { encodeMessage, type HintMessage, type OutgoingMessage } from './protocol.js';
import { RateLimiter } from './rate-limit.js';
import { HintServer } from './server.js';
import { MessageVerifier, type FrameSummary, type RejectReason } from './verify.js';

/**
 * How a sender's repo id relates to our repo: one of our root commits ("ours"), a commit we have that
 * is not a root ("foreign"), or a commit we have never seen ("unknown"). "unknown" is not proof of a
 * different repo: a machine that joins merges its own first commit into the shared history, so until
 * we fetch that merge its smallest root can be one we lack.
 */
export type RepoRelation = 'ours' | 'unknown' | 'foreign';

/** What the hub needs from the machine it runs on (the engine, or a fake in tests). */
export interface HintSelf {
  host: string;
  /** Id of the sync repo we announce (its smallest root commit), or null when there is none yet. */
  repoId(): Promise<string | null>;
  relation(repoId: string): Promise<RepoRelation>;
  hasCommit(oid: string): Promise<boolean>;
  /** The remote's head as we last saw it (after our fetch or push): announced in `hello`. */
  remoteHead?(): Promise<string | null>;
  /** Sync now because `msg` named a head we lack. Resolves true when that sync reached the remote. */
  fetchNow(msg: HintMessage): Promise<boolean>;
}

export interface PeerHubOptions {
  config: PeerConfig & { secret: string };
  self: HintSelf;
  clock?: Clock;
  random?: () => number;
  /** Heartbeat period on every link (default 30 s). */
  heartbeatMs?: number;
  /** A link silent for deadFactor × heartbeatMs is terminated (default 2.5). */
  deadFactor?: number;
  /** How long an address that exceeded the rate limit stays blocked (default 60 s). */
  blockMs?: number;
  backoff?: BackoffOptions;
  /** Open inbound connections allowed at once (default 64). */
  maxClients?: number;
  /** Where audit lines go besides the in-memory ring. */
  audit?: ((line: string) => void) | null;
  /** Receives the state, at most every stateThrottleMs. */
  onState?: (s: { peers: PeerState[]; server: PeerServerState }) => void;
  stateThrottleMs?: number;
  onError?: (message: string, detail?: string) => void;
}

export type HeadOutcome = 'fetch' | 'fetch-unknown-repo' | 'fetch-pending' | 'have-head' | 'other-repo' | 'no-repo';

/** A repo id that a fetch did not bring in is taken as another repo's for this long. */
export const FOREIGN_REPO_MS = 10 * 60_000;

const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY = 1008;

export class PeerHub {
  readonly clock: Clock;
  readonly heartbeatMs: number;
  readonly deadMs: number;
  readonly limiter: RateLimiter;
  readonly verifier: MessageVerifier;
  readonly audit: AuditLog;
  server: HintServer | null = null;
  readonly clients: PeerClient[] = [];
  private readonly inbound = new Set<PeerLink>();
  private readonly clientOfLink = new Map<PeerLink, PeerClient>();
  private serverState: PeerServerState;
  private ticker: TimerHandle | null = null;
  private publishTimer: TimerHandle | null = null;
  private stopped = false;
  private lastPushedHead: string | null = null;
  private knownRepoId: string | null = null;
  private readonly pendingHeads = new Set<string>();
  private readonly foreignRepos = new Map<string, number>();
  private readonly secret: string;

  constructor(private readonly o: PeerHubOptions) {
    this.clock = o.clock ?? realClock;
    this.heartbeatMs = o.heartbeatMs ?? 30_000;
    this.deadMs = Math.round(this.heartbeatMs * (o.deadFactor ?? 2.5));
    this.secret = o.config.secret;
    const now = () => this.clock.now();
    this.limiter = new RateLimiter({ perMinute: o.config.rateLimitPerMin, blockMs: o.blockMs, now });
    this.verifier = new MessageVerifier({ secret: this.secret, now });
    this.audit = new AuditLog(o.audit ?? null);
    this.serverState = { enabled: o.config.server, listening: null, error: null, accepted: 0, rejected: {} };
  }

  // ------------------------------------------------------------------ lifecycle

  async start(): Promise<void> {
    this.knownRepoId = await this.o.self.repoId().catch(() => null);
    const c = this.o.config;
    if (c.server) {
      const server = new HintServer({
        host: c.host,
        port: c.port,
        maxClients: this.o.maxClients,
        isBlocked: (a) => this.limiter.isBlocked(a),
        onConnection: (ws, address, label) => this.attachInbound(ws, address, label),
        onRefused: (address, why) => this.count(why === 'rate-limited' ? 'rate-limited' : 'too-many-clients', address),
        health: () => this.health(),
      });
      try {
        const listening = await server.listen();
        this.server = server;
        this.serverState = { ...this.serverState, listening, error: null };
      } catch (e) {
        const msg = `Peer server could not listen on ${c.host}:${c.port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
        this.serverState = { ...this.serverState, listening: null, error: msg };
        this.o.onError?.(msg);
      }
    }
    for (const url of c.urls) {
      const client = new PeerClient(url, {
        clock: this.clock,
        backoff: { ...this.o.backoff, random: this.o.random ?? this.o.backoff?.random },
        blockedUntil: (a) => this.limiter.blockedUntil(a),
        onLink: (link) => this.attachOutbound(client, link),
        onLinkClosed: (link) => this.clientOfLink.delete(link),
        onChange: () => this.schedulePublish(),
      });
      this.clients.push(client);
      client.start();
    }
    this.scheduleTick();
    this.publishNow();
  }

  /** Says bye on every link, closes them, frees the port. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.ticker) this.clock.clearTimeout(this.ticker);
    this.ticker = null;
    const links = this.links();
    await this.sendTo(links.filter((l) => l.authenticated), { type: 'bye' });
    for (const l of links) l.close(CLOSE_GOING_AWAY, 'bye');
    await waitUntil(() => links.every((l) => l.ws.readyState === l.ws.CLOSED), 1500);
    for (const c of this.clients) c.stop();
    await this.server?.close().catch(() => undefined);
    this.serverState = { ...this.serverState, listening: null };
    this.inbound.clear();
    this.publishNow();
  }

  // ------------------------------------------------------------------ sending

  /** After a successful push: tell every authenticated peer, in both directions. */
  async pushed(head: string): Promise<void> {
    this.lastPushedHead = head;
    // Outbound links are peers we chose to dial: they get it even before their hello came back.
    await this.sendTo(
      this.links().filter((l) => l.authenticated || l.role === 'outbound'),
      { type: 'pushed', head },
    );
  }

  /** Signs each frame separately (own nonce), so one machine reached over two links gets no "replay". */
  private async sendTo(links: PeerLink[], body: OutgoingMessage): Promise<void> {
    if (!links.length) return;
    const repoId = await this.repoId();
    if (!repoId) return;
    for (const l of links) {
      const { frame } = encodeMessage(body, { repoId, host: this.o.self.host }, this.secret, this.clock.now());
      l.send(frame);
    }
  }

  private async repoId(): Promise<string | null> {
    const id = await this.o.self.repoId().catch(() => null);
    if (id) this.knownRepoId = id;
    return id;
  }

  links(): PeerLink[] {
    const out = [...this.inbound];
    for (const c of this.clients) if (c.link && !c.link.closed) out.push(c.link);
    return out;
  }

  // ------------------------------------------------------------------ links

  private attachInbound(ws: WebSocket, address: string, label: string): void {
    if (this.stopped) {
      ws.terminate();
      return;
    }
    const link = new PeerLink(ws, 'inbound', address, label, this.clock.now());
    this.inbound.add(link);
    this.wire(link);
    ws.on('close', () => {
      link.closed = true;
      this.inbound.delete(link);
      this.schedulePublish();
    });
    this.schedulePublish();
  }

  private attachOutbound(client: PeerClient, link: PeerLink): void {
    this.clientOfLink.set(link, client);
    this.wire(link);
    // We chose to dial this peer: we introduce ourselves first. Servers answer only once we proved
    // we hold the secret, so an unauthenticated caller learns nothing from them.
    void this.hello(link);
  }

  /** Introduces us, with the remote head we know, so a peer that missed hints catches up at once. */
  private async hello(link: PeerLink): Promise<void> {
    const known = (await this.o.self.remoteHead?.().catch(() => null)) ?? null;
    await this.sendTo([link], { type: 'hello', head: known ?? this.lastPushedHead });
  }

  private wire(link: PeerLink): void {
    link.ws.on('message', (data, isBinary) => this.onFrame(link, data as Buffer, isBinary));
    link.ws.on('pong', () => {
      if (link.authenticated) link.lastSeen = this.clock.now();
    });
    link.ws.on('error', (e: Error & { code?: string }) => {
      if (e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.reject(link, 'oversized', {}, 'frame over 4096 bytes; connection closed');
    });
  }

  private scheduleTick(): void {
    if (this.stopped) return;
    this.ticker = this.clock.setTimeout(() => {
      this.tick();
      this.scheduleTick();
    }, this.heartbeatMs);
  }

  /** Heartbeat on every healthy link; cut the dead ones (outbound ones then reconnect). */
  tick(): void {
    const now = this.clock.now();
    const alive: PeerLink[] = [];
    for (const l of this.links()) {
      const dead = l.deadReason(now, this.deadMs);
      if (dead) {
        this.audit.record({ at: now, verdict: 'dropped', from: l.label, host: l.peerHost ?? undefined, detail: dead });
        const client = this.clientOfLink.get(l);
        if (client && !l.authenticated && !client.warned) {
          // Said once per peer until it authenticates: the usual cause is a different secret.
          client.warned = true;
          this.o.onError?.(`Peer ${client.url} never sent a validly signed message: check that both machines use the same peer secret`);
        }
        l.terminate();
      } else if (l.authenticated) {
        alive.push(l);
        l.ping();
      }
    }
    void this.sendTo(alive, { type: 'heartbeat' });
  }

  // ------------------------------------------------------------------ receiving

  onFrame(link: PeerLink, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (this.stopped || link.closed) return;
    const rate = this.limiter.hit(link.address);
    if (rate === 'blocked') {
      this.count('rate-limited', link.address, link);
      return;
    }
    if (rate === 'exceeded') {
      this.reject(link, 'rate-limited', {}, `over ${this.o.config.rateLimitPerMin} messages/min: ${link.address} blocked for ${Math.round(this.limiter.blockMs / 1000)}s`);
      link.close(CLOSE_POLICY, 'rate limit');
      return;
    }
    if (isBinary) {
      this.reject(link, 'malformed', {}, 'binary frame');
      return;
    }
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    const v = this.verifier.verify(text);
    if (!v.ok) {
      this.reject(link, v.reason, v.summary, v.detail);
      return;
    }
    this.accept(link, v.msg);
  }

  private accept(link: PeerLink, msg: HintMessage): void {
    const now = this.clock.now();
    const firstTime = !link.authenticated;
    link.authenticated = true;
    link.lastSeen = now;
    link.peerHost = msg.host;
    const client = this.clientOfLink.get(link);
    if (client) client.authenticated();
    if (link.role === 'inbound') {
      this.serverState = { ...this.serverState, accepted: this.serverState.accepted + 1 };
      this.schedulePublish();
      if (firstTime) void this.hello(link);
    }
    const base = { at: now, from: link.label, type: msg.type, host: msg.host };
    switch (msg.type) {
      case 'heartbeat':
        link.lastHeartbeat = now;
        client?.update({ lastHeartbeat: now });
        this.audit.record({ ...base, verdict: 'accepted' });
        return;
      case 'bye':
        this.audit.record({ ...base, verdict: 'accepted' });
        return;
      case 'hello':
        if (client && client.state.lastHeartbeat === null) client.update({ lastHeartbeat: now });
        if (!msg.head) {
          this.audit.record({ ...base, verdict: 'accepted' });
          return;
        }
        void this.considerHead(msg).then((outcome) => this.audit.record({ ...base, head: msg.head!, verdict: `accepted:${outcome}` }));
        return;
      case 'pushed':
        client?.update({ lastHint: now });
        void this.considerHead(msg).then((outcome) => this.audit.record({ ...base, head: msg.head, verdict: `accepted:${outcome}` }));
        return;
    }
  }

  /**
   * Sync now when the message names a commit we lack, of our repo or of one we cannot rule out (see
   * RepoRelation). A repo id that one fetch did not bring in is remembered as foreign for a while, so
   * a machine syncing another repo with the same secret costs at most one fetch per FOREIGN_REPO_MS.
   */
  async considerHead(msg: HintMessage & { head: string | null }): Promise<HeadOutcome> {
    const head = msg.head;
    if (!head) return 'have-head';
    if (!(await this.repoId())) return 'no-repo';
    const rel = await this.o.self.relation(msg.repoId).catch((): RepoRelation => 'unknown');
    if (rel === 'foreign') return 'other-repo';
    const now = this.clock.now();
    if (rel === 'unknown') {
      const until = this.foreignRepos.get(msg.repoId);
      if (until !== undefined && until > now) return 'other-repo';
      if (until !== undefined) this.foreignRepos.delete(msg.repoId);
    }
    if (this.pendingHeads.has(head)) return 'fetch-pending';
    if (await this.o.self.hasCommit(head).catch(() => false)) return 'have-head';
    if (this.pendingHeads.has(head)) return 'fetch-pending';
    this.pendingHeads.add(head);
    void this.o.self
      .fetchNow(msg)
      .then(async (reached) => {
        if (rel !== 'unknown' || !reached) return;
        const after = await this.o.self.relation(msg.repoId).catch((): RepoRelation => 'unknown');
        if (after === 'ours' || (await this.o.self.hasCommit(head).catch(() => false))) return;
        if (this.foreignRepos.size >= 256) this.foreignRepos.delete(this.foreignRepos.keys().next().value!);
        this.foreignRepos.set(msg.repoId, this.clock.now() + FOREIGN_REPO_MS);
      })
      .catch(() => undefined)
      .finally(() => this.pendingHeads.delete(head));
    return rel === 'unknown' ? 'fetch-unknown-repo' : 'fetch';
  }

  private reject(link: PeerLink, reason: RejectReason, summary: FrameSummary, detail?: string): void {
    this.count(reason, link.address, link);
    this.audit.record({ at: this.clock.now(), verdict: `rejected:${reason}`, from: link.label, ...summary, ...(detail ? { detail } : {}) });
  }

  /** Counts a rejection: per reason for the server, per peer for our own connections. */
  private count(reason: string, _address: string, link?: PeerLink): void {
    const client = link ? this.clientOfLink.get(link) : undefined;
    if (client) {
      client.state = { ...client.state, rejected: client.state.rejected + 1 };
    } else {
      const rejected = { ...this.serverState.rejected, [reason]: (this.serverState.rejected[reason] ?? 0) + 1 };
      this.serverState = { ...this.serverState, rejected };
    }
    this.schedulePublish();
  }

  // ------------------------------------------------------------------ state

  health(): Record<string, unknown> {
    return {
      status: this.stopped ? 'stopping' : 'ok',
      repoId: this.knownRepoId,
      listening: this.serverState.listening,
      clients: this.inbound.size,
      accepted: this.serverState.accepted,
      rejected: this.serverState.rejected,
      blockedAddresses: this.limiter.blocked().length,
    };
  }

  snapshot(): { peers: PeerState[]; server: PeerServerState } {
    return { peers: this.clients.map((c) => c.state), server: this.serverState };
  }

  private schedulePublish(): void {
    if (this.publishTimer || !this.o.onState) return;
    this.publishTimer = this.clock.setTimeout(() => {
      this.publishTimer = null;
      this.publishNow();
    }, this.o.stateThrottleMs ?? 100);
  }

  publishNow(): void {
    if (this.publishTimer) this.clock.clearTimeout(this.publishTimer);
    this.publishTimer = null;
    this.o.onState?.(this.snapshot());
  }
}

async function waitUntil(fn: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}
