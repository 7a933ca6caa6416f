/**
 * Owner-only permissions. git records only the exec bit (100644 / 100755), so a 0600 `~/.ssh/config`
 * or `.netrc` would arrive as 0644 elsewhere. The repo keeps `.confsync/modes.json`: the repo paths
 * whose live file is private (0600, or 0700 when executable). Applying a file computes its mode from
 * both records, and never makes a live file looser than it is (see `liveMode`).
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MARKER_DIR } from '../git/init.js';
import type { Codec, MergeOutcome } from '../formats/codec.js';

export const MODES_REL = `${MARKER_DIR}/modes.json`;

export function isPrivateMode(mode: number): boolean {
  return (mode & 0o077) === 0;
}

/**
 * The permission bits to give a live file: the owner's bits from the repo (read/write, and exec when
 * the file is executable), group and other bits only where both the repo's record and the file as it
 * is now allow them. A file that is stricter here than the record stays as strict. An executable file
 * is executable by whoever may read it here (0644 made executable is 0755, as on the machine that made
 * it and as git checks it out; 0640 becomes 0750). A file read-only for its owner here stays so.
 */
export function liveMode(o: { exec: boolean; private: boolean; current: number | null }): number {
  const recorded = o.exec ? (o.private ? 0o700 : 0o755) : o.private ? 0o600 : 0o644;
  if (o.current === null) return recorded;
  const readWrite = recorded & o.current & 0o066;
  const exec = o.exec ? ((recorded & o.current & 0o044) >> 2) & recorded : 0;
  // A file made read-only here (no owner write, 0444) stays read-only when a new version arrives.
  const owner = (o.current & 0o200) === 0 ? recorded & 0o500 : recorded & 0o700;
  return owner | readWrite | exec;
}

export class ModesFile {
  private privatePaths = new Set<string>();
  private dirty = false;
  /**
   * Why the repo's modes.json cannot be read, or null. While it cannot, every path counts as private
   * (a file that arrives is written 0600 / 0700, never readable by others because the record of its
   * privacy was lost) and nothing is recorded or written back over it: writing would replace every
   * machine's records with this machine's few.
   */
  problem: string | null = null;

  constructor(private readonly repoDir: string) {}

  private get file(): string {
    return join(this.repoDir, ...MODES_REL.split('/'));
  }

  reload(): void {
    const r = readModes(existsSync(this.file) ? readFileSync(this.file) : null);
    this.problem = r.problem;
    this.privatePaths = r.paths;
    this.dirty = false;
  }

  isPrivate(repoPath: string): boolean {
    return this.problem !== null || this.privatePaths.has(repoPath);
  }

  /** Records a path's privacy; returns true when the file changed (the caller stages MODES_REL). */
  set(repoPath: string, priv: boolean): boolean {
    if (this.problem !== null) return false;
    if (priv === this.privatePaths.has(repoPath)) return false;
    if (priv) this.privatePaths.add(repoPath);
    else this.privatePaths.delete(repoPath);
    this.dirty = true;
    return true;
  }

  /** Writes the file into the working tree when it changed. Returns true when written. */
  save(): boolean {
    if (!this.dirty || this.problem !== null) return false;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, serializeModes(this.privatePaths));
    this.dirty = false;
    return true;
  }
}

/**
 * A modes.json read once: its private paths, and why it cannot be read (null when it can; absent counts
 * as readable, with none private). An unreadable one has no private records here; ModesFile and the
 * merge treat it as the loss it is.
 */
export function readModes(content: Buffer | null): { paths: Set<string>; problem: string | null } {
  const paths = new Set<string>();
  if (!content) return { paths, problem: null };
  let v: unknown;
  try {
    v = JSON.parse(content.toString('utf8'));
  } catch (e) {
    return { paths, problem: `not valid JSON: ${(e as Error).message}` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { paths, problem: 'not a JSON object' };
  const modes = (v as { modes?: unknown }).modes;
  if (modes === undefined) return { paths, problem: null };
  if (typeof modes !== 'object' || modes === null || Array.isArray(modes)) return { paths, problem: '"modes" is not an object' };
  for (const [k, m] of Object.entries(modes)) if (m === '600' || m === '700' || m === 'private') paths.add(k);
  return { paths, problem: null };
}

export function parseModes(content: Buffer | null): Set<string> {
  return readModes(content).paths;
}

export function serializeModes(paths: Iterable<string>): string {
  const modes: Record<string, string> = {};
  for (const p of [...paths].sort()) modes[p] = 'private';
  return JSON.stringify({ version: 1, modes }, null, 2) + '\n';
}

/** modes.json merges path by path; a path made private on either side stays private (stricter wins). */
export const modesCodec: Codec = {
  id: 'modes',
  matches: (p) => p === MODES_REL,
  validate: (c) => {
    try {
      JSON.parse(c.toString('utf8'));
      return { ok: true };
    } catch (e) {
      return { ok: false, reason: `not valid JSON: ${(e as Error).message}` };
    }
  },
  async merge(base, mine, theirs): Promise<MergeOutcome> {
    const [rb, rm, rt] = [readModes(base), readModes(mine), readModes(theirs)];
    const [b, m, t] = [rb.paths, rm.paths, rt.paths];
    const out = new Set<string>();
    // A side that cannot be read says nothing about what was made public: every path any readable
    // side keeps private stays private.
    if (rb.problem || rm.problem || rt.problem) {
      for (const p of [...b, ...m, ...t]) out.add(p);
      return { clean: true, content: Buffer.from(serializeModes(out)), how: 'structured' };
    }
    for (const p of new Set([...b, ...m, ...t])) {
      const inB = b.has(p);
      const inM = m.has(p);
      const inT = t.has(p);
      // Unchanged on one side: take the other's. Changed on both: private wins.
      const keep = inM === inB ? inT : inT === inB ? inM : inM || inT;
      if (keep) out.add(p);
    }
    return { clean: true, content: Buffer.from(serializeModes(out)), how: 'structured' };
  },
  diffText: (c) => c.toString('utf8'),
  toRepo: (c) => c,
  toLive: (c) => c,
};
