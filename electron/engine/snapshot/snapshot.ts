/**
 * The content-hash index: for each synced repo path, the last-synced state that live file and repo
 * agreed on (blob id, mode) and the live file's size+mtime when it had that content. size+mtime is the
 * fast path; the blob id is the truth, so a touch or an identical rewrite makes no commit.
 * Persisted as compact JSON in the config dir with an atomic write.
 */
import { existsSync, readFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { faultPoint } from '../util/fault.js';

export interface SnapshotEntry {
  /** git blob id of the last-synced content. */
  oid: string;
  /** git mode: 100644, 100755 or 120000 (symlink). */
  mode: string;
  /** Owner-only permissions (0600/0700) when synced. */
  priv?: boolean;
  /** The live file is kept stricter (private) than the repo's record: not a change to send. */
  stricter?: boolean;
  size: number;
  mtimeMs: number;
  /**
   * When this entry was recorded (set by `set`). The size+mtime fast path trusts an entry only for a
   * file whose inode has not changed (ctime) since well before that moment: an edit that keeps the
   * size and puts the mtime back (cp -p, rsync -t, touch -r, tar/unzip restores), or a second write
   * within the file system's timestamp granularity, still changes ctime. 0 for entries from older
   * snapshots: those files are hashed once and re-recorded.
   */
  recordedAt?: number;
}

const VERSION = 1;

export class Snapshot {
  private entries = new Map<string, SnapshotEntry>();
  private dirty = false;

  constructor(readonly file: string) {}

  load(): { error: string | null } {
    if (!existsSync(this.file)) return { error: null };
    try {
      const raw = JSON.parse(readFileSync(this.file, 'utf8')) as { version: number; entries: [string, string, string, number, number, number?, number?][] };
      if (raw.version !== VERSION || !Array.isArray(raw.entries)) throw new Error('unknown snapshot format');
      for (const [path, oid, mode, size, mtimeMs, recordedAt, priv] of raw.entries) this.entries.set(path, { oid, mode, size, mtimeMs, recordedAt: recordedAt ?? 0, priv: priv === 1 || priv === 3, stricter: priv === 2 || priv === 3 });
      return { error: null };
    } catch (e) {
      // The snapshot is a cache of what the repo and the live files agreed on: without it, every file
      // is compared by content, which is slower but loses nothing.
      this.entries.clear();
      return { error: `snapshot ${this.file} unreadable (${(e as Error).message}); rebuilding it` };
    }
  }

  get(path: string): SnapshotEntry | undefined {
    return this.entries.get(path);
  }

  set(path: string, e: SnapshotEntry): void {
    this.entries.set(path, { ...e, recordedAt: Date.now() });
    this.dirty = true;
  }

  delete(path: string): void {
    if (this.entries.delete(path)) this.dirty = true;
  }

  paths(): IterableIterator<string> {
    return this.entries.keys();
  }

  get size(): number {
    return this.entries.size;
  }

  async save(): Promise<void> {
    if (!this.dirty) return;
    const entries: [string, string, string, number, number, number, number][] = [];
    for (const [p, e] of this.entries) entries.push([p, e.oid, e.mode, e.size, Math.round(e.mtimeMs), e.recordedAt ?? 0, (e.priv ? 1 : 0) | (e.stricter ? 2 : 0)]);
    faultPoint('snapshot-save');
    this.dirty = false;
    await writeFileAtomic(this.file, JSON.stringify({ version: VERSION, entries }));
  }
}
