/**
 * The one keep-both policy and its point of view.
 *
 * A conflict is a path with more than one version: the version in the file itself (`atPath`), and
 * one or more others, each in a conflict copy beside it (`<name>.conflict-<host>-<YYYYMMDD-HHMMSS>.<ext>`,
 * named after the host whose version it holds) or a deletion. A second conflict on a path that is
 * already in conflict (a machine joining with its own version of it, two machines finding the same
 * conflict) adds its version to the same conflict; it never hides the first.
 *
 * The repo records versions by HOST, never as "mine" and "theirs". Each machine computes "mine" and
 * "theirs" from its own host name when it shows the conflict, so "mine" always means this machine's
 * version, in the CLI, the UI and notifications.
 *
 * Records live in the repo (`.confsync/conflicts.json`, keyed by path) so every machine sees them and a
 * resolution anywhere clears them everywhere. The copies in the tree are the truth: a copy with no
 * record (two machines' records merged away) is still shown as a conflict, and a record whose copies
 * are all gone is over. A resolution also notes which version was chosen, so another machine applying
 * the chosen version does not see a new conflict in it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { MARKER_DIR } from '../git/init.js';
import { listPaths } from '../git/tree.js';
import type { GitRunner } from '../git/runner.js';
import type { Conflict, ConflictKind, ConflictSide } from '../../../shared/state.js';
import type { Codec, MergeOutcome } from '../formats/codec.js';

export const CONFLICTS_REL = `${MARKER_DIR}/conflicts.json`;

// ------------------------------------------------------------------------------------ copy names

const COPY_NAME_RE = /^(.*)\.conflict-([A-Za-z0-9._-]+)-(\d{8})-(\d{6})(\.[^./]*)?$/;

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

/**
 * A conflict copy name that `taken` does not hold: two conflicts on one path within one second (a new
 * one right after a resolution removed the last copy) would otherwise share a name, and one version
 * would take the other's place. The stamp moves on a second at a time until the name is free.
 */
export function freeCopyName(path: string, host: string, at: Date, taken: (p: string) => boolean): string {
  let t = at.getTime();
  for (let i = 0; i < 1000; i++, t += 1000) {
    const name = conflictCopyName(path, host, new Date(t));
    if (!taken(name)) return name;
  }
  throw new Error(`no free conflict copy name for ${path}`);
}

export function isConflictCopy(path: string): boolean {
  return COPY_NAME_RE.test(path.slice(path.lastIndexOf('/') + 1));
}

/** The original a copy belongs to: `dir/name.conflict-h-s.ext` → `dir/name.ext`. */
export function copyOriginal(copyPath: string): string | null {
  const slash = copyPath.lastIndexOf('/');
  const m = COPY_NAME_RE.exec(copyPath.slice(slash + 1));
  return m ? `${copyPath.slice(0, slash + 1)}${m[1]}${m[5] ?? ''}` : null;
}

/** Host and time a copy's name carries. The host part may hold dashes: the stamp is matched from the end. */
export function copyNameSide(copyPath: string): { host: string; at: number | null } {
  const m = COPY_NAME_RE.exec(copyPath.slice(copyPath.lastIndexOf('/') + 1));
  if (!m) return { host: 'another machine', at: null };
  const [d, t] = [m[3], m[4]];
  const at = Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8)), Number(t.slice(0, 2)), Number(t.slice(2, 4)), Number(t.slice(4, 6)));
  return { host: m[2], at: Number.isFinite(at) ? at : null };
}

// ------------------------------------------------------------------------------------ records

export const StoredSide = z.object({
  host: z.string().min(1),
  at: z.number().nullable(),
  /** This side deleted the file (delete vs modify): there is no copy. */
  deleted: z.boolean().default(false),
});
export type StoredSide = z.infer<typeof StoredSide>;

export const OtherSide = StoredSide.extend({ copyPath: z.string().nullable() });
export type OtherSide = z.infer<typeof OtherSide>;

const Kind = z.enum(['text', 'structured', 'delete-vs-modify', 'km-macro', 'kind-change', 'first-meeting']);

/** One conflict as a detector finds it: the version kept at the path and the one other version. */
export const StoredConflict = z.object({
  path: z.string(),
  copyPath: z.string().nullable(),
  kind: Kind,
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

/** A path in conflict: the version in the file and every other version (copies and deletions). */
export const ConflictGroup = z.object({
  path: z.string(),
  kind: Kind,
  atPath: StoredSide,
  others: z.array(OtherSide),
  details: z.array(z.string()).default([]),
  detectedAt: z.number(),
  detectedBy: z.string().default(''),
});
export type ConflictGroup = z.infer<typeof ConflictGroup>;

/** The version a resolution chose for a path (a blob id, or null for a deletion). */
const Chosen = z.object({ oid: z.string().nullable(), at: z.number() });
export type Chosen = z.infer<typeof Chosen>;

const Entry = z.union([ConflictGroup, StoredConflict]);
const FileV2 = z.object({ version: z.literal(2), conflicts: z.record(z.string(), Entry), chosen: z.record(z.string(), Chosen).default({}) });
/** Version 1 stored "mine" (the finder's, at the path) and "theirs" (the copy). */
const V1Side = z.object({ host: z.string(), at: z.number().nullable() });
const V1Record = z.object({ path: z.string(), copyPath: z.string().nullable(), kind: z.string(), mine: V1Side, theirs: V1Side, summary: z.string(), detectedAt: z.number() });
const FileV1 = z.object({ version: z.literal(1), conflicts: z.record(z.string(), V1Record) });

export function groupOf(c: StoredConflict): ConflictGroup {
  return { path: c.path, kind: c.kind, atPath: c.atPath, others: [{ ...c.other, copyPath: c.other.deleted ? null : c.copyPath }], details: c.details, detectedAt: c.detectedAt, detectedBy: c.detectedBy };
}

function fromV1(r: z.infer<typeof V1Record>): ConflictGroup {
  const kind = Kind.safeParse(r.kind).success ? (r.kind as ConflictGroup['kind']) : 'text';
  const deletedHere = kind === 'delete-vs-modify' && /deleted here/.test(r.summary);
  const deleted = kind === 'delete-vs-modify' && !deletedHere;
  return {
    path: r.path,
    kind,
    atPath: { host: r.mine.host, at: r.mine.at, deleted: false },
    others: [{ host: r.theirs.host === 'unknown' ? 'another machine' : r.theirs.host, at: r.theirs.at, deleted, copyPath: deleted ? null : r.copyPath }],
    details: [],
    detectedAt: r.detectedAt,
    detectedBy: r.mine.host,
  };
}

const sameOther = (a: OtherSide, b: OtherSide) => (a.copyPath !== null ? a.copyPath === b.copyPath : b.copyPath === null && a.deleted === b.deleted && a.host === b.host);

/** A newer finding on a path already in conflict: the file now holds the newer `atPath`; every other version is kept. */
export function mergeGroups(old: ConflictGroup, next: ConflictGroup): ConflictGroup {
  const newer = next.detectedAt >= old.detectedAt ? next : old;
  const others = [...old.others];
  for (const o of next.others) if (!others.some((x) => sameOther(x, o))) others.push(o);
  return { ...newer, others, details: [...new Set([...old.details, ...next.details])] };
}

export interface ConflictsFile {
  conflicts: Map<string, ConflictGroup>;
  chosen: Map<string, Chosen>;
  error: string | null;
}

export function parseConflictsFile(content: Buffer | string): ConflictsFile {
  const out: ConflictsFile = { conflicts: new Map(), chosen: new Map(), error: null };
  try {
    const raw: unknown = JSON.parse(typeof content === 'string' ? content : content.toString('utf8'));
    const v2 = FileV2.safeParse(raw);
    if (v2.success) {
      for (const [k, v] of Object.entries(v2.data.conflicts)) out.conflicts.set(k, 'others' in v ? v : groupOf(v));
      for (const [k, v] of Object.entries(v2.data.chosen)) out.chosen.set(k, v);
      return out;
    }
    const v1 = FileV1.safeParse(raw);
    if (v1.success) {
      for (const [k, v] of Object.entries(v1.data.conflicts)) out.conflicts.set(k, fromV1(v));
      return out;
    }
    out.error = v2.error.issues[0]?.message ?? 'invalid';
    return out;
  } catch (e) {
    out.error = (e as Error).message;
    return out;
  }
}

/** Chosen versions are remembered for 30 days: long enough for every machine to apply them. */
const CHOSEN_DAYS = 30;

export function serializeConflicts(items: Map<string, ConflictGroup>, chosen: Map<string, Chosen> = new Map(), now = Date.now()): string {
  const conflicts: Record<string, ConflictGroup> = {};
  for (const k of [...items.keys()].sort()) conflicts[k] = items.get(k)!;
  const kept: Record<string, Chosen> = {};
  for (const k of [...chosen.keys()].sort()) if (now - chosen.get(k)!.at < CHOSEN_DAYS * 86_400_000) kept[k] = chosen.get(k)!;
  return JSON.stringify({ version: 2, conflicts, ...(Object.keys(kept).length ? { chosen: kept } : {}) }, null, 2) + '\n';
}

// ------------------------------------------------------------------------------------ point of view

/** Every version of a conflict: index 0 is the one in the file. */
export function versionsOf(g: ConflictGroup): (OtherSide & { where: 'live' | 'copy' | 'deleted' })[] {
  return [{ ...g.atPath, copyPath: null, where: 'live' as const }, ...g.others.map((o) => ({ ...o, where: o.deleted ? ('deleted' as const) : ('copy' as const) }))];
}

/**
 * Which version is this machine's: the one named after it (the file's first), else one named after a
 * name this machine went by before (`hosts`, the current first: a conflict recorded before a rename
 * still names the old one), else the version live here.
 */
export function mineIndex(g: ConflictGroup, hosts: string | readonly string[]): number {
  const vs = versionsOf(g);
  for (const h of typeof hosts === 'string' ? [hosts] : hosts) {
    const i = vs.findIndex((v) => v.host === h);
    if (i >= 0) return i;
  }
  return 0;
}

const fileName = (p: string) => p.split('/').pop() || p;

/** The conflict as THIS machine shows it. */
export function viewConflict(g: ConflictGroup, host: string | readonly string[], livePath: string | null): Conflict {
  const versions = versionsOf(g);
  const mi = mineIndex(g, host);
  const side = (v: (typeof versions)[number]): ConflictSide => ({ host: v.host, at: v.at, where: v.where, copyPath: v.copyPath });
  const theirsAll = versions.filter((_, i) => i !== mi);
  const theirs = theirsAll[0] ?? versions[0];
  const firstCopy = g.others.find((o) => o.copyPath)?.copyPath ?? null;
  return {
    path: g.path,
    livePath,
    copyPath: versions[mi].copyPath ?? theirs.copyPath ?? firstCopy,
    kind: g.kind as ConflictKind,
    mine: side(versions[mi]),
    theirs: side(theirs),
    others: theirsAll.map(side),
    summary: conflictWords(g, host),
    detectedAt: g.detectedAt,
  };
}

/** One sentence, from this machine's point of view. */
export function conflictWords(g: ConflictGroup, hosts: string | readonly string[]): string {
  const names = typeof hosts === 'string' ? [hosts] : hosts;
  const name = fileName(g.path);
  const versions = versionsOf(g);
  const mi = mineIndex(g, names);
  const mine = versions[mi];
  const theirs = versions.filter((_, i) => i !== mi);
  const who = (h: string) => (names.includes(h) ? 'here' : `on ${h}`);
  const details = g.details.length ? `: ${g.details.slice(0, 3).join('; ')}` : '';
  const others = theirs.map((t) => t.host).filter((h, i, a) => a.indexOf(h) === i);
  if (theirs.length > 1) return `${name} has ${versions.length.toLocaleString('en-US')} versions (${[mine.host, ...others].join(', ')}); choose the one to keep`;
  const t = theirs[0] ?? mine;
  switch (g.kind) {
    case 'delete-vs-modify':
      if (mine.deleted) return `${name} was deleted ${who(mine.host)} but changed ${who(t.host)}; the changed version is kept`;
      return `${name} was changed ${who(mine.host)} but deleted ${who(t.host)}; the changed version is kept`;
    case 'first-meeting':
      return mi > 0 && names.includes(mine.host)
        ? `${name}: this machine had its own version when it first synced; the repo's version (from ${t.host}) is in the file and yours is beside it`
        : `${name}: ${t.host} had its own version when it first synced; it is beside the file`;
    case 'kind-change':
      return `${name} changed kind ${who(mine.host)} and ${who(t.host)} (a file, a folder or a link): one is in place and the other is beside it`;
    case 'km-macro':
      return `${name}: the same Keyboard Maestro macro changed ${who(mine.host)} and ${who(t.host)}${details}`;
    default:
      return `${name} changed ${who(mine.host)} and ${who(t.host)}${details}`;
  }
}

// ------------------------------------------------------------------------------------ the registry

/** The conflict copies HEAD's tree holds (one git process). */
export async function copiesInTree(git: GitRunner): Promise<string[]> {
  return (await listPaths(git, ['**/*.conflict-*'])).filter(isConflictCopy);
}

export class ConflictStore {
  private records = new Map<string, ConflictGroup>();
  private chosenMap = new Map<string, Chosen>();
  /** Conflict copies in HEAD's tree, by the path they belong to. */
  private copies = new Map<string, Set<string>>();
  error: string | null = null;

  constructor(private readonly repoDir: string) {}

  private get file(): string {
    return join(this.repoDir, ...CONFLICTS_REL.split('/'));
  }

  /** Reads the records, and the conflict copies the tree holds (the truth about which versions exist). */
  reload(copiesInTree: Iterable<string>): void {
    this.records.clear();
    this.chosenMap.clear();
    this.error = null;
    this.copies.clear();
    for (const cp of copiesInTree) this.noteCopy(cp, true);
    if (!existsSync(this.file)) return;
    const r = parseConflictsFile(readFileSync(this.file));
    this.records = r.conflicts;
    this.chosenMap = r.chosen;
    if (r.error) this.error = `${CONFLICTS_REL}: ${r.error}`;
  }

  /** Keeps the copy set current as copies are committed or removed. */
  noteCopy(copyPath: string, present: boolean): void {
    const orig = copyOriginal(copyPath);
    if (!orig) return;
    let set = this.copies.get(orig);
    if (present) {
      if (!set) this.copies.set(orig, (set = new Set()));
      set.add(copyPath);
    } else if (set) {
      set.delete(copyPath);
      if (!set.size) this.copies.delete(orig);
    }
  }

  /** Writes the registry into the working tree (the caller stages CONFLICTS_REL). */
  save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    // Records of resolved conflicts (no copy and no deletion left) are dropped.
    const live = new Map<string, ConflictGroup>();
    for (const g of this.list()) live.set(g.path, g);
    writeFileSync(this.file, serializeConflicts(live, this.chosenMap));
  }

  /** A new finding: joins the conflict already open on its path, if any. */
  add(c: StoredConflict): void {
    const g = groupOf(c);
    const old = this.get(c.path);
    this.records.set(c.path, old ? mergeGroups(old, g) : g);
    if (c.copyPath) this.noteCopy(c.copyPath, true);
  }

  /** The open conflict on `path` (a copy's path names its conflict too), as the tree and records say. */
  get(path: string): ConflictGroup | undefined {
    const orig = isConflictCopy(path) ? (copyOriginal(path) ?? path) : path;
    return this.effective(orig);
  }

  private effective(path: string): ConflictGroup | undefined {
    const rec = this.records.get(path);
    const copies = this.copies.get(path) ?? new Set<string>();
    const others: OtherSide[] = [];
    for (const o of rec?.others ?? []) if (o.deleted || (o.copyPath && copies.has(o.copyPath))) others.push(o);
    for (const cp of copies) if (!others.some((o) => o.copyPath === cp)) others.push({ ...copyNameSide(cp), deleted: false, copyPath: cp });
    if (!others.length) return undefined;
    if (rec) return { ...rec, others };
    return { path, kind: 'text', atPath: { host: 'another machine', at: null, deleted: false }, others, details: [], detectedAt: Math.max(0, ...others.map((o) => o.at ?? 0)), detectedBy: '' };
  }

  /** Ends the conflict on `path` and remembers the version chosen (null: the file was deleted). */
  resolve(path: string, chosenOid: string | null, now = Date.now()): void {
    const g = this.get(path);
    this.records.delete(g?.path ?? path);
    for (const o of g?.others ?? []) if (o.copyPath) this.noteCopy(o.copyPath, false);
    this.chosenMap.set(g?.path ?? path, { oid: chosenOid, at: now });
  }

  /** The version a recent resolution chose for `path`, if any. */
  chosen(path: string): Chosen | undefined {
    return this.chosenMap.get(path);
  }

  list(): ConflictGroup[] {
    const out: ConflictGroup[] = [];
    for (const p of new Set([...this.records.keys(), ...this.copies.keys()])) {
      const g = this.effective(p);
      if (g) out.push(g);
    }
    return out.sort((a, b) => a.path.localeCompare(b.path));
  }

  get size(): number {
    return this.list().length;
  }
}

/**
 * conflicts.json merges conflict by conflict: a record added or removed on one side is added or
 * removed; a record changed on both sides keeps every version either side knows; a resolution
 * (removal) on one side against a new finding on the other keeps the new finding. Chosen versions
 * merge by path, the later one winning.
 */
export const conflictsCodec: Codec = {
  id: 'conflicts',
  matches: (p) => p === CONFLICTS_REL,
  validate: (c) => {
    const r = parseConflictsFile(c);
    return r.error ? { ok: false, reason: r.error } : { ok: true };
  },
  async merge(base, mine, theirs): Promise<MergeOutcome> {
    const b = base ? parseConflictsFile(base) : parseConflictsFile('{"version":2,"conflicts":{}}');
    const m = parseConflictsFile(mine);
    const t = parseConflictsFile(theirs);
    const out = new Map<string, ConflictGroup>();
    const same = (x?: ConflictGroup, y?: ConflictGroup) => JSON.stringify(x ?? null) === JSON.stringify(y ?? null);
    for (const k of new Set([...b.conflicts.keys(), ...m.conflicts.keys(), ...t.conflicts.keys()])) {
      const [bv, mv, tv] = [b.conflicts.get(k), m.conflicts.get(k), t.conflicts.get(k)];
      let v: ConflictGroup | undefined;
      if (same(mv, tv)) v = mv;
      else if (same(bv, mv)) v = tv;
      else if (same(bv, tv)) v = mv;
      else if (!mv) v = tv;
      else if (!tv) v = mv;
      else v = mergeGroups(mv, tv);
      if (v) out.set(k, v);
    }
    const chosen = new Map(m.chosen);
    for (const [k, v] of t.chosen) if (!chosen.has(k) || chosen.get(k)!.at < v.at) chosen.set(k, v);
    return { clean: true, content: Buffer.from(serializeConflicts(out, chosen)), how: 'structured' };
  },
  diffText: (c) => c.toString('utf8'),
  toRepo: (c) => c,
  toLive: (c) => c,
};
