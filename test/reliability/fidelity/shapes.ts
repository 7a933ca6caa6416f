/**
 * The shapes the fixed product will have (the brief of test/reliability/fidelity.test.ts). Written
 * here, loosely (every field optional), so the suite compiles against today's code and asserts on the
 * fields whether or not today's types have them.
 */

export interface Skip {
  path: string;
  reason: string;
  unsynced?: boolean;
}

export interface SyncResultJson {
  kind: string;
  message: string;
  detail?: string;
  committed?: number;
  applied?: number;
  pushed?: boolean;
  conflicts?: number;
  at?: number;
  skipped?: Skip[];
  warnings?: string[];
}

export interface ConflictSideJson {
  host: string;
  at: number | null;
  where?: 'live' | 'copy' | 'deleted';
}

export interface ConflictJson {
  path: string;
  livePath: string | null;
  copyPath: string | null;
  kind: string;
  mine: ConflictSideJson;
  theirs: ConflictSideJson;
  summary: string;
  detectedAt: number;
}

export interface StatusJson {
  host: string;
  phase: string;
  safeToShutDown: boolean;
  configError: string | null;
  skipped: Skip[];
  secrets: { path: string; line?: number; rule?: string }[];
  conflicts: ConflictJson[];
  errors: { message: string; detail?: string }[];
  activity: { kind: string; text: string }[];
  repo: { ahead: number; behind: number; head: string | null; lastResult: SyncResultJson | null };
}

/** What a command returned, through either surface. `json` is null when the output was not JSON. */
export interface Res<T = unknown> {
  code: number;
  stdout: string;
  stderr: string;
  json: T | null;
}

export const UP_TO_DATE = 'Everything is up to date';
