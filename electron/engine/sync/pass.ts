/** The shapes one reconcile pass shares between its parts (reconcile, scan, apply). */
import type { Version, Decision } from './rule.js';
import { ABSENT } from './rule.js';
import type { LiveRead } from '../mirror/live.js';
import type { TreeEntry } from '../git/tree.js';
import type { SnapshotEntry } from '../snapshot/snapshot.js';
import type { StoredConflict } from './conflicts.js';
import type { SkippedFile } from '../../../shared/state.js';
import { MARKER_DIR } from '../git/init.js';
import { sep } from 'node:path';
import { blobOid } from '../snapshot/hash.js';
import type { BlobWriter } from '../git/objects.js';

export type Scope = { all: true } | { livePaths: string[] } | { repoPaths: string[] };

export interface ReconcileReport {
  committed: string[];
  applied: string[];
  conflicts: StoredConflict[];
  skipped: SkippedFile[];
  errors: string[];
  commit: string | null;
  /** The pass could not write (commit failed, or the disk is full): its edits wait on disk. */
  failure: { kind: 'disk-full' | 'error'; message: string } | null;
  /** Live paths this pass looked at (a partial pass replaces only their skip entries). */
  looked: string[];
  /** What the pass decided, path by path (a dry run stops here). */
  plan: { path: string; live: string; action: string }[];
  /** Words for the person about what was applied ("Quit and reopen Rectangle to use the new settings"). */
  notices: string[];
}

export interface Item {
  path: string;
  live: string;
  B: Version;
  L: Version;
  R: Version;
  read: LiveRead;
  head: TreeEntry | null;
  base: SnapshotEntry | null;
  localHeld: string | null;
  remoteHeld: string | null;
  decision: Decision;
  /** The repo's bytes, once read. */
  remoteBytes?: Buffer;
  /**
   * The bytes the repo would store for this machine's file, when its codec makes them differ from
   * the live bytes (ignored and machine-local keys taken out): L's identity is theirs.
   */
  localRepo?: Buffer;
  /** Held because a link sits on the way (the link may be gone after this pass's removals). */
  underLink?: boolean;
}

export const SPECIAL = `${MARKER_DIR}/`;

/**
 * The bytes of a gathered file once they are in the repo or no longer needed (reconcile.ts dropBytes).
 * Anything that would use them as the file's content must ask `gatheredBytes`, which refuses.
 */
export const DROPPED: Buffer = Buffer.alloc(0);

/** A gathered file's bytes; throws for bytes already let go (a bug, never an empty file). */
export function gatheredBytes(it: Item): Buffer {
  const r = it.read;
  if (r.kind !== 'file') throw new Error(`${it.live} is not a file`);
  if (r.content === DROPPED) throw new Error(`internal: the bytes of ${it.live} were let go before their last use`);
  return r.content;
}

export function isDiskFull(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === 'ENOSPC' || /No space left on device|disk quota exceeded/i.test(String((e as Error)?.message ?? e));
}

export function versionOfEntry(e: { mode: string; oid: string } | null | undefined, priv: boolean): Version {
  if (!e) return ABSENT;
  if (e.mode === '120000') return { kind: 'link', oid: e.oid };
  return { kind: 'file', oid: e.oid, exec: e.mode === '100755', private: priv };
}

export function gitMode(v: Version): string {
  return v.kind === 'link' ? '120000' : v.exec ? '100755' : '100644';
}


/**
 * Repo changes of one pass, committed together. Synced files never go through the working tree: their
 * bytes go to the BlobWriter (streamed into one pack when there are many) and their entries into the
 * index at commit. `entries` says what the snapshot records once the commit is made.
 */
export class Stage {
  readonly paths = new Set<string>();
  /**
   * Per path: the version the snapshot records once committed, with the live file's size and time, and
   * when they were taken (`at`: a commit made seconds later must not vouch for an edit saved meanwhile).
   */
  readonly entries = new Map<string, { version: Version | null; written: { size: number; mtimeMs: number }; at: number }>();
  /** The index changes: a path's new entry, or null for its removal. */
  readonly index = new Map<string, { mode: string; oid: string } | null>();
  modes = false;
  conflicts = false;
  readonly resolvedByHand: string[] = [];

  constructor(readonly blobs: BlobWriter) {}

  /** `written`: the live file's size and time as this version (else those the item read). */
  add(path: string, version: Version | null, item: Item | null, written?: { size: number; mtimeMs: number }): void {
    this.paths.add(path);
    const r = item?.read;
    this.entries.set(path, { version, written: written ?? (r && (r.kind === 'file' || r.kind === 'link') ? { size: r.size, mtimeMs: r.mtimeMs } : { size: 0, mtimeMs: 0 }), at: Date.now() });
  }

  /** `path` gets these bytes (written as a blob). */
  async put(path: string, mode: string, content: Buffer, oid?: string): Promise<void> {
    this.index.set(path, { mode, oid: oid ?? blobOid(content) });
    await this.blobs.add(content);
  }

  /** `path` gets a blob the repo already has (the other side's version, as a conflict copy). */
  putExisting(path: string, mode: string, oid: string): void {
    this.index.set(path, { mode, oid });
  }

  remove(path: string): void {
    this.index.set(path, null);
  }
}

export function depth(p: string): number {
  return p.split(sep).length;
}
