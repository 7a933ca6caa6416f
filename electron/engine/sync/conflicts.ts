/**
 * The one keep-both policy and its point of view.
 *
 * A conflict is two versions of one path. The repo records them by HOST, never as "mine" and
 * "theirs": `atPath` is the version in the file itself, `other` the version in the conflict copy
 * beside it (`<name>.conflict-<host>-<YYYYMMDD-HHMMSS>.<ext>`, named after the host whose version it
 * holds), or a deletion. Each machine computes "mine" and "theirs" from its own host name when it shows
 * the conflict, so "mine" always means this machine's version, in the CLI, the UI and notifications.
 *
 * Conflicts live in the repo (`.confsync/conflicts.json`, keyed by path) so every machine sees them
 * and a resolution anywhere clears them everywhere.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { MARKER_DIR } from '../git/init.js';
import type { Conflict, ConflictKind, ConflictSide } from '../../../shared/state.js';
import type { Codec, MergeOutcome } from '../formats/codec.js';

export const CONFLICTS_REL = `${MARKER_DIR}/conflicts.json`;

// ------------------------------------------------------------------------------------ copy names

const COPY_RE = /\.conflict-[A-Za-z0-9._-]+-\d{8}-\d{6}(\.[^./]*)?$/;

export function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** `dir/name.ext` → `dir/name.conflict-<host>-<stamp>.ext`; a leading dot (`.zshrc`) is a name, not an extension. */
export function conflictCopyName(path: string, host: string, at: Date): string {
  const slash = path.lastIndexOf('/');
  const dir = path.slice(0, slash + 1);
  const base = path.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  const safeHost = host.replace(/[^A-Za-z0-9._-]/g, '-') || 'other';
  if (dot <= 0) return `${dir}${base}.conflict-${safeHost}-${stamp(at)}`;
  return `${dir}${base.slice(0, dot)}.conflict-${safeHost}-${stamp(at)}${base.slice(dot)}`;
}

export function isConflictCopy(path: string): boolean {
  return COPY_RE.test(path);
}

/** The original a copy belongs to: `dir/name.conflict-h-s.ext` → `dir/name.ext`. */
export function copyOriginal(copyPath: string): string | null {
  const slash = copyPath.lastIndexOf('/');
  const m = copyPath.slice(slash + 1).match(/^(.*)\.conflict-[A-Za-z0-9._-]+-\d{8}-\d{6}(\.[^./]*)?$/);
  return m ? `${copyPath.slice(0, slash + 1)}${m[1]}${m[2] ?? ''}` : null;
}

// ------------------------------------------------------------------------------------ records

export const StoredSide = z.object({
  host: z.string().min(1),
  at: z.number().nullable(),
  /** This side deleted the file (delete vs modify): there is no copy. */
  deleted: z.boolean().default(false),
});
export type StoredSide = z.infer<typeof StoredSide>;

export const StoredConflict = z.object({
  path: z.string(),
  copyPath: z.string().nullable(),
  kind: z.enum(['text', 'structured', 'delete-vs-modify', 'km-macro', 'kind-change', 'first-meeting']),
  /** The version in the file at `path`. */
  atPath: StoredSide,
  /** The version in `copyPath`, or the side that deleted the file. */
  other: StoredSide,
  /** What the format's merge said (e.g. "key editor.fontSize changed on both machines"). */
  details: z.array(z.string()).default([]),
  detectedAt: z.number(),
  /** Host that found the conflict. */
  detectedBy: z.string().default(''),
});
export type StoredConflict = z.infer<typeof StoredConflict>;

const FileV2 = z.object({ version: z.literal(2), conflicts: z.record(z.string(), StoredConflict) });
/** Version 1 stored "mine" (the finder's, at the path) and "theirs" (the copy). */
const V1Side = z.object({ host: z.string(), at: z.number().nullable() });
const V1Record = z.object({ path: z.string(), copyPath: z.string().nullable(), kind: z.string(), mine: V1Side, theirs: V1Side, summary: z.string(), detectedAt: z.number() });
const FileV1 = z.object({ version: z.literal(1), conflicts: z.record(z.string(), V1Record) });

function fromV1(r: z.infer<typeof V1Record>): StoredConflict {
  const kind = StoredConflict.shape.kind.safeParse(r.kind).success ? (r.kind as StoredConflict['kind']) : 'text';
  const deletedHere = kind === 'delete-vs-modify' && /deleted here/.test(r.summary);
  return {
    path: r.path,
    copyPath: r.copyPath,
    kind,
    atPath: { host: r.mine.host, at: r.mine.at, deleted: false },
    other: { host: r.theirs.host === 'unknown' ? 'another machine' : r.theirs.host, at: r.theirs.at, deleted: kind === 'delete-vs-modify' && !deletedHere },
    details: [],
    detectedAt: r.detectedAt,
    detectedBy: r.mine.host,
  };
}

export function parseConflictsFile(content: Buffer | string): { conflicts: Map<string, StoredConflict>; error: string | null } {
  const out = new Map<string, StoredConflict>();
  try {
    const raw: unknown = JSON.parse(typeof content === 'string' ? content : content.toString('utf8'));
    const v2 = FileV2.safeParse(raw);
    if (v2.success) {
      for (const [k, v] of Object.entries(v2.data.conflicts)) out.set(k, v);
      return { conflicts: out, error: null };
    }
    const v1 = FileV1.safeParse(raw);
    if (v1.success) {
      for (const [k, v] of Object.entries(v1.data.conflicts)) out.set(k, fromV1(v));
      return { conflicts: out, error: null };
    }
    return { conflicts: out, error: v2.error.issues[0]?.message ?? 'invalid' };
  } catch (e) {
    return { conflicts: out, error: (e as Error).message };
  }
}

export function serializeConflicts(items: Map<string, StoredConflict>): string {
  const conflicts: Record<string, StoredConflict> = {};
  for (const k of [...items.keys()].sort()) conflicts[k] = items.get(k)!;
  return JSON.stringify({ version: 2, conflicts }, null, 2) + '\n';
}

// ------------------------------------------------------------------------------------ point of view

/** Which stored side is this machine's: the side named after it, else the version live here (at the path). */
export function mineSide(c: StoredConflict, host: string): 'atPath' | 'other' {
  return c.other.host === host && c.atPath.host !== host ? 'other' : 'atPath';
}

function sideView(s: StoredSide, which: 'atPath' | 'other'): ConflictSide {
  return { host: s.host, at: s.at, where: s.deleted ? 'deleted' : which === 'atPath' ? 'live' : 'copy' };
}

const fileName = (p: string) => p.split('/').pop() || p;

/** The conflict as THIS machine shows it. */
export function viewConflict(c: StoredConflict, host: string, livePath: string | null): Conflict {
  const mineIs = mineSide(c, host);
  const mine = mineIs === 'atPath' ? sideView(c.atPath, 'atPath') : sideView(c.other, 'other');
  const theirs = mineIs === 'atPath' ? sideView(c.other, 'other') : sideView(c.atPath, 'atPath');
  return { path: c.path, livePath, copyPath: c.copyPath, kind: c.kind as ConflictKind, mine, theirs, summary: conflictWords(c, host), detectedAt: c.detectedAt };
}

/** One sentence, from this machine's point of view. */
export function conflictWords(c: StoredConflict, host: string): string {
  const name = fileName(c.path);
  const mineIs = mineSide(c, host);
  const mine = mineIs === 'atPath' ? c.atPath : c.other;
  const theirs = mineIs === 'atPath' ? c.other : c.atPath;
  const here = mine.host === host;
  const who = (h: string) => (h === host ? 'here' : `on ${h}`);
  const details = c.details.length ? `: ${c.details.slice(0, 3).join('; ')}` : '';
  switch (c.kind) {
    case 'delete-vs-modify':
      if (mine.deleted) return `${name} was deleted ${who(mine.host)} but changed ${who(theirs.host)}; the changed version is kept`;
      return `${name} was changed ${who(mine.host)} but deleted ${who(theirs.host)}; the changed version is kept`;
    case 'first-meeting':
      return mineIs === 'other' && here
        ? `${name}: this machine had its own version when it first synced; the repo's version (from ${theirs.host}) is in the file and yours is beside it`
        : `${name}: ${theirs.host} had its own version when it first synced; it is beside the file`;
    case 'kind-change':
      return `${name} changed kind ${who(mine.host)} and ${who(theirs.host)} (a file, a folder or a link): the folder (or the version ${who(c.atPath.host)}) stays in place and the other version is beside it`;
    case 'km-macro':
      return `${name}: the same Keyboard Maestro macro changed ${who(mine.host)} and ${who(theirs.host)}${details}`;
    default:
      return `${name} changed ${who(mine.host)} and ${who(theirs.host)}${details}`;
  }
}

// ------------------------------------------------------------------------------------ the registry

export class ConflictStore {
  private items = new Map<string, StoredConflict>();
  error: string | null = null;

  constructor(private readonly repoDir: string) {}

  private get file(): string {
    return join(this.repoDir, ...CONFLICTS_REL.split('/'));
  }

  reload(): void {
    this.items.clear();
    this.error = null;
    if (!existsSync(this.file)) return;
    const r = parseConflictsFile(readFileSync(this.file));
    this.items = r.conflicts;
    if (r.error) this.error = `${CONFLICTS_REL}: ${r.error}`;
  }

  /** Writes the registry into the working tree (the caller stages CONFLICTS_REL). */
  save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, serializeConflicts(this.items));
  }

  add(c: StoredConflict): void {
    this.items.set(c.path, c);
  }

  get(path: string): StoredConflict | undefined {
    return this.items.get(path);
  }

  /** The conflict whose copy is `copyPath`. */
  byCopy(copyPath: string): StoredConflict | undefined {
    for (const c of this.items.values()) if (c.copyPath === copyPath) return c;
    return undefined;
  }

  remove(path: string): boolean {
    return this.items.delete(path);
  }

  list(): StoredConflict[] {
    return [...this.items.values()];
  }

  get size(): number {
    return this.items.size;
  }
}

/**
 * conflicts.json merges conflict by conflict: a record added or removed on one side is added or
 * removed; a record changed on both sides keeps the later detection; a resolution (removal) on one side
 * against a new detection of the same path on the other keeps the new detection.
 */
export const conflictsCodec: Codec = {
  id: 'conflicts',
  matches: (p) => p === CONFLICTS_REL,
  validate: (c) => {
    const r = parseConflictsFile(c);
    return r.error ? { ok: false, reason: r.error } : { ok: true };
  },
  async merge(base, mine, theirs): Promise<MergeOutcome> {
    const b = base ? parseConflictsFile(base).conflicts : new Map<string, StoredConflict>();
    const m = parseConflictsFile(mine).conflicts;
    const t = parseConflictsFile(theirs).conflicts;
    const out = new Map<string, StoredConflict>();
    const same = (x?: StoredConflict, y?: StoredConflict) => JSON.stringify(x ?? null) === JSON.stringify(y ?? null);
    for (const k of new Set([...b.keys(), ...m.keys(), ...t.keys()])) {
      const [bv, mv, tv] = [b.get(k), m.get(k), t.get(k)];
      let v: StoredConflict | undefined;
      if (same(mv, tv)) v = mv;
      else if (same(bv, mv)) v = tv;
      else if (same(bv, tv)) v = mv;
      else if (!mv) v = tv;
      else if (!tv) v = mv;
      else v = mv.detectedAt >= tv.detectedAt ? mv : tv;
      if (v) out.set(k, v);
    }
    return { clean: true, content: Buffer.from(serializeConflicts(out)), how: 'structured' };
  },
  diffText: (c) => c.toString('utf8'),
  toRepo: (c) => c,
  toLive: (c) => c,
};
