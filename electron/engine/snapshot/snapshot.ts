/**
 * The content-hash index: for each synced repo path, the last-synced state that live file and repo
 * agreed on (blob id, mode) and the live file's size+mtime when it had that content. size+mtime is the
 * fast path; the blob id is the truth, so a touch or an identical rewrite makes no commit.
 *
 * Kept as compactly as git's own index, because it has an entry per synced file (100,000 of them in
 * a large home): in memory, a path → slot map over typed arrays (20 bytes of blob id, three numbers
 * and a flags byte per path, no object per entry); on disk, one binary file (`snapshot.bin`) that
 * loads in one read and one pass, checked by a trailing SHA-1 so a half-written or damaged file is
 * noticed and rebuilt (it is a cache: without it every file is compared by content, which is slower
 * but loses nothing). A `snapshot.json` of earlier versions is read once and replaced.
 *
 * The snapshot is anchored to a commit: the HEAD its entries agree with (`commit`). An entry says "this
 * machine and the repo agreed on this version as of that commit", so a path HEAD lacks counts as
 * deleted by the repo only while HEAD descends from the anchor. When the repo's history was replaced
 * under it (the repo deleted and created anew, a reset by hand), the reconciler drops the snapshot
 * instead (sync/reconcile.ts): this machine's files are then met as a joining machine's are, and none
 * is deleted because the new history lacks it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
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
  /**
   * Recorded while the path was synced here, and out of this machine's scope since (its profile off or
   * gone, the path excluded or ignored). Nothing this machine did there since was synced, so when the
   * path comes back a missing live file is no deletion to send: the entry is dropped and the repo's
   * version arrives (sync/reconcile.ts). A live file that is there keeps the entry as its base.
   */
  dormant?: boolean;
}

/** Version 3 adds the anchor commit (20 bytes, all zero for none) after the magic. */
const MAGIC = Buffer.from('confsync-snapshot 3\n', 'latin1');
/** Version 2: no anchor (read, then written as version 3 at the next save). */
const MAGIC_2 = Buffer.from('confsync-snapshot 2\n', 'latin1');
const NO_COMMIT = Buffer.alloc(20);
const MODES = ['100644', '100755', '120000'] as const;
const F_MODE = 0b11; // index into MODES; 3: the mode is stored as text
const F_PRIV = 1 << 2;
const F_STRICTER = 1 << 3;
const F_ODD_OID = 1 << 4; // the id is not 40 hex digits: stored as text
const F_DORMANT = 1 << 5;
const HEX40 = /^[0-9a-f]{40}$/;

export class Snapshot {
  /** Path → slot in the arrays below. */
  private slots = new Map<string, number>();
  /** Each slot's path, the very string `slots` is keyed by (see keyOf). */
  private keys: (string | undefined)[] = [];
  private oids = Buffer.alloc(0);
  /** size, mtimeMs, recordedAt per slot. */
  private nums = new Float64Array(0);
  private flags = new Uint8Array(0);
  /** Ids and modes that do not fit the arrays (rare), by slot. */
  private oddOids = new Map<number, string>();
  private oddModes = new Map<number, string>();
  private free: number[] = [];
  private used = 0;
  private dirty = false;
  /** The commit the entries agree with (see the file comment), or null (none recorded yet). */
  private anchor: string | null = null;

  constructor(readonly file: string) {}

  /** A `snapshot.json` beside a `snapshot.bin`: the form versions before 0.2 wrote. */
  private get legacyFile(): string {
    return this.file.replace(/\.bin$/, '.json');
  }

  load(): { error: string | null } {
    const legacy = this.legacyFile !== this.file && existsSync(this.legacyFile);
    if (!existsSync(this.file)) {
      if (!legacy) return { error: null };
      return this.loadWith(() => this.loadJson(readFileSync(this.legacyFile, 'utf8')), this.legacyFile, true);
    }
    return this.loadWith(() => this.loadBinary(readFileSync(this.file)), this.file, false);
  }

  private loadWith(fn: () => void, file: string, migrate: boolean): { error: string | null } {
    try {
      fn();
      // Read from the old form: written in the new one at the next save.
      if (migrate) this.dirty = true;
      return { error: null };
    } catch (e) {
      this.clear();
      return { error: `snapshot ${file} unreadable (${(e as Error).message}); rebuilding it` };
    }
  }

  private loadJson(text: string): void {
    const raw = JSON.parse(text) as { version: number; entries: [string, string, string, number, number, number?, number?][] };
    if (raw.version !== 1 || !Array.isArray(raw.entries)) throw new Error('unknown snapshot format');
    this.clear();
    for (const [path, oid, mode, size, mtimeMs, recordedAt, priv] of raw.entries) {
      this.put(path, { oid, mode, size, mtimeMs, recordedAt: recordedAt ?? 0, priv: priv === 1 || priv === 3, stricter: priv === 2 || priv === 3 });
    }
  }

  private loadBinary(buf: Buffer): void {
    const v3 = buf.subarray(0, MAGIC.length).equals(MAGIC);
    if (!v3 && !buf.subarray(0, MAGIC_2.length).equals(MAGIC_2)) throw new Error('unknown snapshot format');
    if (buf.length < MAGIC.length + (v3 ? 20 : 0) + 4 + 20) throw new Error('truncated');
    const body = buf.subarray(0, buf.length - 20);
    if (!createHash('sha1').update(body).digest().equals(buf.subarray(buf.length - 20))) throw new Error('checksum mismatch (a damaged or half-written file)');
    let at = MAGIC.length;
    let anchor: string | null = null;
    if (v3) {
      const c = body.subarray(at, at + 20);
      anchor = c.equals(NO_COMMIT) ? null : c.toString('hex');
      at += 20;
    } else this.dirty = true; // written as version 3 at the next save
    const count = body.readUInt32LE(at);
    at += 4;
    this.clear();
    this.anchor = anchor;
    this.grow(count);
    const need = (n: number) => {
      if (at + n > body.length) throw new Error('truncated');
    };
    const text = () => {
      need(2);
      const len = body.readUInt16LE(at);
      need(2 + len);
      const s = body.toString('utf8', at + 2, at + 2 + len);
      at += 2 + len;
      return s;
    };
    for (let i = 0; i < count; i++) {
      const path = text();
      need(1);
      const f = body[at++];
      let oid: string | null = null;
      let mode: string | null = null;
      if (f & F_ODD_OID) oid = text();
      else {
        need(20);
        body.copy(this.oids, i * 20, at, at + 20);
        at += 20;
      }
      if ((f & F_MODE) === 3) mode = text();
      need(24);
      this.nums[i * 3] = body.readDoubleLE(at);
      this.nums[i * 3 + 1] = body.readDoubleLE(at + 8);
      this.nums[i * 3 + 2] = body.readDoubleLE(at + 16);
      at += 24;
      this.flags[i] = f;
      if (oid !== null) this.oddOids.set(i, oid);
      if (mode !== null) this.oddModes.set(i, mode);
      if (this.slots.has(path)) throw new Error(`path ${path} listed twice`);
      this.slots.set(path, i);
      this.keys[i] = path;
    }
    if (at !== body.length) throw new Error('trailing bytes');
    this.used = count;
  }

  private clear(): void {
    this.anchor = null;
    this.slots.clear();
    this.keys = [];
    this.oddOids.clear();
    this.oddModes.clear();
    this.free = [];
    this.used = 0;
  }

  /** Room for at least `n` slots. */
  private grow(n: number): void {
    if (n <= this.flags.length) return;
    const cap = Math.max(n, Math.ceil(this.flags.length * 1.5), 64);
    const oids = Buffer.alloc(cap * 20);
    this.oids.copy(oids);
    const nums = new Float64Array(cap * 3);
    nums.set(this.nums);
    const flags = new Uint8Array(cap);
    flags.set(this.flags);
    this.oids = oids;
    this.nums = nums;
    this.flags = flags;
  }

  /**
   * The snapshot's own string for `path` when it has an entry for it, else `path`. A tree listing that
   * keys its map with it holds no second copy of each path (5 MB at 100,000 files).
   */
  keyOf(path: string): string {
    const i = this.slots.get(path);
    return i === undefined ? path : (this.keys[i] ?? path);
  }

  get(path: string): SnapshotEntry | undefined {
    const i = this.slots.get(path);
    if (i === undefined) return undefined;
    const f = this.flags[i];
    const e: SnapshotEntry = {
      oid: f & F_ODD_OID ? this.oddOids.get(i)! : this.oids.toString('hex', i * 20, i * 20 + 20),
      mode: (f & F_MODE) === 3 ? this.oddModes.get(i)! : MODES[f & F_MODE],
      size: this.nums[i * 3],
      mtimeMs: this.nums[i * 3 + 1],
      recordedAt: this.nums[i * 3 + 2],
      priv: (f & F_PRIV) !== 0,
    };
    if (f & F_STRICTER) e.stricter = true;
    if (f & F_DORMANT) e.dormant = true;
    return e;
  }

  /** Marks a path's entry dormant (see SnapshotEntry.dormant). */
  markDormant(path: string): void {
    this.setFlag(path, F_DORMANT, true);
  }

  /** The path is in scope again with a live file there: its entry is its base again. */
  wake(path: string): void {
    this.setFlag(path, F_DORMANT, false);
  }

  private setFlag(path: string, flag: number, on: boolean): void {
    const i = this.slots.get(path);
    if (i === undefined) return;
    const f = on ? this.flags[i] | flag : this.flags[i] & ~flag;
    if (f === this.flags[i]) return;
    this.flags[i] = f;
    this.dirty = true;
  }

  /**
   * `recordedAt`: when the size and time recorded were true of the file (a file this machine sends:
   * when it was read, not when its commit was made); it bounds the "unchanged since it was synced" check.
   */
  set(path: string, e: SnapshotEntry, recordedAt = Date.now()): void {
    this.put(path, { ...e, recordedAt });
    this.dirty = true;
  }

  private put(path: string, e: SnapshotEntry): void {
    let i = this.slots.get(path);
    if (i === undefined) {
      i = this.free.pop();
      if (i === undefined) {
        this.grow(this.used + 1);
        i = this.used++;
      }
      this.slots.set(path, i);
      this.keys[i] = path;
    }
    this.oddOids.delete(i);
    this.oddModes.delete(i);
    let f = 0;
    if (HEX40.test(e.oid)) this.oids.write(e.oid, i * 20, 20, 'hex');
    else {
      f |= F_ODD_OID;
      this.oddOids.set(i, e.oid);
    }
    const m = MODES.indexOf(e.mode as (typeof MODES)[number]);
    if (m >= 0) f |= m;
    else {
      f |= 3;
      this.oddModes.set(i, e.mode);
    }
    if (e.priv) f |= F_PRIV;
    if (e.stricter) f |= F_STRICTER;
    if (e.dormant) f |= F_DORMANT;
    this.flags[i] = f;
    this.nums[i * 3] = e.size;
    this.nums[i * 3 + 1] = e.mtimeMs;
    this.nums[i * 3 + 2] = e.recordedAt ?? 0;
  }

  delete(path: string): void {
    const i = this.slots.get(path);
    if (i === undefined) return;
    this.slots.delete(path);
    this.keys[i] = undefined;
    this.oddOids.delete(i);
    this.oddModes.delete(i);
    this.free.push(i);
    this.dirty = true;
  }

  /** The commit the entries agree with, or null when none was recorded (an empty or older snapshot). */
  get commit(): string | null {
    return this.anchor;
  }

  /**
   * Records the commit the entries now agree with: the HEAD a pass worked on, or the commit it made.
   * Saved with the entries.
   */
  anchorTo(commit: string | null): void {
    const c = commit && HEX40.test(commit) ? commit : null;
    if (c === this.anchor) return;
    this.anchor = c;
    this.dirty = true;
  }

  /**
   * Forgets every entry: the repo's history no longer holds the commit they agreed with. Every path is
   * then met as on a first run (sync/rule.ts, policy 2), and the snapshot is rebuilt by the next pass.
   */
  reset(): void {
    const had = this.slots.size > 0 || this.anchor !== null;
    this.clear();
    if (had) this.dirty = true;
  }

  paths(): IterableIterator<string> {
    return this.slots.keys();
  }

  get size(): number {
    return this.slots.size;
  }

  /** The file's bytes (see loadBinary for the layout). */
  private encode(): Buffer {
    const parts: Buffer[] = [MAGIC, this.anchor ? Buffer.from(this.anchor, 'hex') : NO_COMMIT];
    const head = Buffer.alloc(4);
    head.writeUInt32LE(this.slots.size);
    parts.push(head);
    // One buffer per ~64 KB of entries rather than one per entry.
    let chunk = Buffer.alloc(64 * 1024);
    let at = 0;
    const room = (n: number) => {
      if (at + n <= chunk.length) return;
      parts.push(chunk.subarray(0, at));
      chunk = Buffer.alloc(Math.max(64 * 1024, n));
      at = 0;
    };
    const text = (s: string) => {
      const len = Buffer.byteLength(s, 'utf8');
      if (len > 0xffff) throw new Error(`a path of ${len} bytes cannot be recorded`);
      room(2 + len);
      chunk.writeUInt16LE(len, at);
      chunk.write(s, at + 2, len, 'utf8');
      at += 2 + len;
    };
    for (const [path, i] of this.slots) {
      const f = this.flags[i];
      text(path);
      room(1);
      chunk[at++] = f;
      if (f & F_ODD_OID) text(this.oddOids.get(i)!);
      else {
        room(20);
        this.oids.copy(chunk, at, i * 20, i * 20 + 20);
        at += 20;
      }
      if ((f & F_MODE) === 3) text(this.oddModes.get(i)!);
      room(24);
      // Times are recorded to the millisecond, as the fast path compares them (rounded).
      chunk.writeDoubleLE(this.nums[i * 3], at);
      chunk.writeDoubleLE(Math.round(this.nums[i * 3 + 1]), at + 8);
      chunk.writeDoubleLE(this.nums[i * 3 + 2], at + 16);
      at += 24;
    }
    parts.push(chunk.subarray(0, at));
    const body = Buffer.concat(parts);
    return Buffer.concat([body, createHash('sha1').update(body).digest()]);
  }

  async save(): Promise<void> {
    if (!this.dirty) return;
    const bytes = this.encode();
    faultPoint('snapshot-save');
    this.dirty = false;
    await writeFileAtomic(this.file, bytes);
    if (this.legacyFile !== this.file) rmSync(this.legacyFile, { force: true });
  }
}
