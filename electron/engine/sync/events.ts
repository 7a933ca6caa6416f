/** The engine's typed events: hosts, features and the bench subscribe (engine.events.on(...)). */
import type { SyncPhase, SyncResult } from '../../../shared/state.js';

export interface EngineEvents {
  /** A commit was made here: its id and the repo paths it changed. */
  committed: { oid: string; paths: string[]; reason: string };
  /** A commit reached the remote. */
  pushed: { head: string; commits: number };
  /** Repo versions were written to live files. */
  applied: { paths: string[]; from: string | null };
  /** The phase shown to people changed. */
  phase: { phase: SyncPhase };
  /** A sync cycle finished. */
  synced: { result: SyncResult; reason: string };
  /** A reconcile pass finished (bench probes). */
  reconciled: { ms: number; scope: 'all' | 'live' | 'repo'; paths: number; reason: string; commit: string | null; committed: string[] };
  /** A full scan of the enabled profiles finished (bench probes). */
  scanned: { ms: number; files: number };
}
