/**
 * AppState: everything a host shows. The engine owns it (a zustand/vanilla store in the main process or
 * the headless daemon); renderers and the CLI only mirror it. Times are epoch milliseconds.
 */
import { z } from 'zod';

export const SyncPhase = z.enum([
  'starting',
  'idle',
  'scanning',
  'committing',
  'pulling',
  'applying',
  'pushing',
  'offline',
  'error',
  'paused',
  'stopped',
]);
export type SyncPhase = z.infer<typeof SyncPhase>;

/** Every way a sync with the remote can end. The UI maps each to words; `message` keeps git's text. */
export const SyncResultKind = z.enum([
  'ok',
  'nothing-to-do',
  'local-only',
  'offline',
  'auth-failed',
  'host-key-changed',
  'rejected',
  'disk-full',
  'timeout',
  'remote-rewritten',
  'not-confsync-repo',
  'conflict',
  'busy',
  'error',
  /** Changes from other machines wait for the person's review (sync.applyIncoming: 'ask'). */
  'waiting',
]);
export type SyncResultKind = z.infer<typeof SyncResultKind>;

export const SkippedFile = z.object({
  path: z.string(),
  reason: z.string(),
  /**
   * True when this file holds content that is not synced: an edit (or a new file) this machine could
   * not send. While any skipped file is unsynced, it is not safe to shut down.
   */
  unsynced: z.boolean().default(false),
  /** 'outgoing': this machine's version could not be sent; 'incoming': the repo's could not be written here. */
  direction: z.enum(['outgoing', 'incoming']).default('outgoing'),
});
export type SkippedFile = z.infer<typeof SkippedFile>;

export const SyncResult = z.object({
  kind: SyncResultKind,
  message: z.string(),
  detail: z.string().optional(),
  committed: z.number().int().default(0),
  applied: z.number().int().default(0),
  pushed: z.boolean().default(false),
  conflicts: z.number().int().default(0),
  at: z.number(),
  /** Files this pass could not sync, with the reason (too large, unreadable, a secret, half-saved, …). */
  skipped: z.array(SkippedFile).default([]),
  /** Anything else the person should know about this pass, in words. */
  warnings: z.array(z.string()).default([]),
});
export type SyncResult = z.infer<typeof SyncResult>;

export const ActivityKind = z.enum([
  'commit',
  'arrived',
  'pushed',
  'conflict',
  'resolved',
  'restored',
  'error',
  'km',
  'info',
  'secret',
]);
export const ActivityItem = z.object({
  id: z.number().int(),
  at: z.number(),
  kind: ActivityKind,
  text: z.string(),
});
export type ActivityItem = z.infer<typeof ActivityItem>;

export const ErrorItem = z.object({
  /** The last time it happened. */
  at: z.number(),
  source: z.string(),
  message: z.string(),
  detail: z.string().optional(),
  /** How many times the same problem (source and message) happened; one entry, not one per retry. */
  count: z.number().int().positive().optional(),
});
export type ErrorItem = z.infer<typeof ErrorItem>;

export const ConflictKind = z.enum(['text', 'structured', 'delete-vs-modify', 'km-macro', 'kind-change', 'first-meeting']);
export type ConflictKind = z.infer<typeof ConflictKind>;
/**
 * One side of a conflict as a person sees it on THIS machine. `where`: the version is in the live file
 * ('live'), in the conflict copy beside it ('copy'), or that side deleted the file ('deleted').
 */
export const ConflictSide = z.object({
  host: z.string(),
  at: z.number().nullable(),
  where: z.enum(['live', 'copy', 'deleted']).default('live'),
  /** The repo path of the copy holding this version, when `where` is 'copy'. */
  copyPath: z.string().nullable().optional(),
});
export type ConflictSide = z.infer<typeof ConflictSide>;
/**
 * A conflict as shown on this machine. The repo stores the two versions by host (see
 * engine/sync/conflicts.ts); `mine` and `theirs` are computed on each machine from its own host name,
 * so "mine" always means this machine's version wherever it is shown.
 */
export const Conflict = z.object({
  /** Repo-relative path of the synced file. */
  path: z.string(),
  livePath: z.string().nullable(),
  /** Repo-relative path of the conflict copy holding the other version, when there is one. */
  copyPath: z.string().nullable(),
  kind: ConflictKind,
  mine: ConflictSide,
  /** The other version (the first, when there are several: see `others`). */
  theirs: ConflictSide,
  /** Every version that is not this machine's (more than one when a third machine joined the conflict). */
  others: z.array(ConflictSide).default([]),
  /** Words for people, e.g. "Macro 'X' in group 'Y' changed on both machines". */
  summary: z.string(),
  detectedAt: z.number(),
});
export type Conflict = z.infer<typeof Conflict>;

export const SecretFinding = z.object({
  path: z.string(),
  line: z.number().int(),
  rule: z.string(),
  fingerprint: z.string(),
  at: z.number(),
});
export type SecretFinding = z.infer<typeof SecretFinding>;

export const ProfileState = z.object({
  name: z.string(),
  title: z.string(),
  builtin: z.boolean(),
  detected: z.boolean(),
  enabled: z.boolean(),
  files: z.number().int(),
  error: z.string().nullable(),
});
export type ProfileState = z.infer<typeof ProfileState>;

export const KmStatus = z.enum(['initializing', 'active', 'paused', 'error', 'stopped', 'absent', 'disabled']);
export type KmStatus = z.infer<typeof KmStatus>;

export const KmState = z.object({
  status: KmStatus,
  libraryPath: z.string().nullable(),
  macros: z.number().int(),
  groups: z.number().int(),
  enabledMacros: z.number().int(),
  polls: z.number().int(),
  skips: z.number().int(),
  parses: z.number().int(),
  lastParseMs: z.number().nullable(),
  avgParseMs: z.number().nullable(),
  intervalMs: z.number().nullable(),
  lastPollAt: z.number().nullable(),
  error: z.string().nullable(),
});
export type KmState = z.infer<typeof KmState>;

export const PeerState = z.object({
  url: z.string(),
  connected: z.boolean(),
  lastHeartbeat: z.number().nullable(),
  lastHint: z.number().nullable(),
  rejected: z.number().int(),
});
export type PeerState = z.infer<typeof PeerState>;

export const PeerServerState = z.object({
  enabled: z.boolean(),
  listening: z.string().nullable(),
  error: z.string().nullable(),
  accepted: z.number().int(),
  rejected: z.record(z.string(), z.number().int()),
});
export type PeerServerState = z.infer<typeof PeerServerState>;

export const LatencySample = z.object({ at: z.number(), ms: z.number() });

export const AppState = z.object({
  version: z.string(),
  host: z.string(),
  configDir: z.string(),
  phase: SyncPhase,
  paused: z.boolean(),
  /** True when nothing is pending locally and nothing waits to be pushed. */
  safeToShutDown: z.boolean(),
  configError: z.string().nullable(),
  repo: z.object({
    path: z.string(),
    remote: z.string().nullable(),
    branch: z.string(),
    head: z.string().nullable(),
    ahead: z.number().int(),
    behind: z.number().int(),
    lastFetchAt: z.number().nullable(),
    lastPushAt: z.number().nullable(),
    lastSyncAt: z.number().nullable(),
    lastResult: SyncResult.nullable(),
    nextSyncAt: z.number().nullable(),
    /** Files changed by other machines, waiting for a review before they are applied ('ask' mode). */
    incomingWaiting: z.number().int().default(0),
    /** A transfer in progress (a large first push, or joining): git's object counts. */
    transfer: z.object({ what: z.enum(['sending', 'receiving']), done: z.number().int(), total: z.number().int() }).nullable().default(null),
  }),
  watch: z.object({
    backend: z.string(),
    filesWatched: z.number().int(),
    eventsSeen: z.number().int(),
    batches: z.number().int(),
    commits: z.number().int(),
    pendingPaths: z.number().int(),
    pollingPaths: z.array(z.string()),
    lastLatencyMs: z.number().nullable(),
  }),
  scan: z.object({
    running: z.boolean(),
    scanned: z.number().int(),
    total: z.number().int(),
  }),
  profiles: z.array(ProfileState),
  skipped: z.array(SkippedFile),
  errors: z.array(ErrorItem),
  conflicts: z.array(Conflict),
  secrets: z.array(SecretFinding),
  activity: z.array(ActivityItem),
  latency: z.array(LatencySample),
  km: KmState,
  peers: z.array(PeerState),
  peerServer: PeerServerState,
});
export type AppState = z.infer<typeof AppState>;

export function initialAppState(init: { version: string; host: string; configDir: string; repoPath: string; branch: string }): AppState {
  return {
    version: init.version,
    host: init.host,
    configDir: init.configDir,
    phase: 'starting',
    paused: false,
    safeToShutDown: false,
    configError: null,
    repo: {
      path: init.repoPath,
      remote: null,
      branch: init.branch,
      head: null,
      ahead: 0,
      behind: 0,
      lastFetchAt: null,
      lastPushAt: null,
      lastSyncAt: null,
      lastResult: null,
      nextSyncAt: null,
      incomingWaiting: 0,
      transfer: null,
    },
    watch: {
      backend: 'none',
      filesWatched: 0,
      eventsSeen: 0,
      batches: 0,
      commits: 0,
      pendingPaths: 0,
      pollingPaths: [],
      lastLatencyMs: null,
    },
    scan: { running: false, scanned: 0, total: 0 },
    profiles: [],
    skipped: [],
    errors: [],
    conflicts: [],
    secrets: [],
    activity: [],
    latency: [],
    km: {
      status: 'stopped',
      libraryPath: null,
      macros: 0,
      groups: 0,
      enabledMacros: 0,
      polls: 0,
      skips: 0,
      parses: 0,
      lastParseMs: null,
      avgParseMs: null,
      intervalMs: null,
      lastPollAt: null,
      error: null,
    },
    peers: [],
    peerServer: { enabled: false, listening: null, error: null, accepted: 0, rejected: {} },
  };
}

export * from './meanings.js';
