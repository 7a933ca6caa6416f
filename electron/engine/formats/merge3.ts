/**
 * Three-way merge of structured values by key. Dicts (JSON objects, plist dicts) merge key by key,
 * recursively; anything else (scalars, arrays, dates, data) is an atomic value. A key changed on one
 * side takes that side; changed identically on both is fine; changed differently is a conflict (the
 * merged value keeps mine there). The merged dict keeps mine's key order, then theirs' new keys.
 *
 * Keys are own properties only: a key named `toString` or `__proto__` is an ordinary key.
 */
import { isDeepStrictEqual } from 'node:util';

export interface Merge3Conflict {
  /** Key path from the root; `[]` is the whole value. */
  path: string[];
}

export interface Merge3Result {
  merged: unknown;
  conflicts: Merge3Conflict[];
}

const MISSING = Symbol('missing');
type Maybe = unknown;

/** A dict: a plain object, not an array, Date, Buffer or typed array. */
export function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array);
}

function same(a: Maybe, b: Maybe): boolean {
  if (a === MISSING || b === MISSING) return a === b;
  return isDeepStrictEqual(a, b);
}

function get(d: Record<string, unknown>, k: string): Maybe {
  return Object.hasOwn(d, k) ? d[k] : MISSING;
}

function mergeValue(base: Maybe, mine: Maybe, theirs: Maybe, at: string[], conflicts: Merge3Conflict[]): Maybe {
  if (same(mine, theirs)) return mine;
  if (same(base, mine)) return theirs;
  if (same(base, theirs)) return mine;
  if (isDict(mine) && isDict(theirs)) {
    const b: Record<string, unknown> = isDict(base) ? base : {};
    const order = new Set([...Object.keys(mine), ...Object.keys(theirs)]);
    const entries: [string, unknown][] = [];
    for (const k of order) {
      const v = mergeValue(get(b, k), get(mine, k), get(theirs, k), [...at, k], conflicts);
      if (v !== MISSING) entries.push([k, v]);
    }
    // fromEntries defines own properties: `__proto__` stays a key and does not set the prototype.
    return Object.fromEntries(entries);
  }
  conflicts.push({ path: at });
  return mine;
}

/** `base` undefined: no common version (both sides added the file). */
export function merge3(base: unknown, mine: unknown, theirs: unknown): Merge3Result {
  const conflicts: Merge3Conflict[] = [];
  const merged = mergeValue(base === undefined ? MISSING : base, mine, theirs, [], conflicts);
  return { merged: merged === MISSING ? undefined : merged, conflicts };
}

/** Words for people: "key editor.fontSize changed on both machines"; the root is "the whole file". */
export function keyConflictDetail(path: readonly string[]): string {
  return path.length === 0 ? 'the whole file changed on both machines' : `key ${path.join('.')} changed on both machines`;
}
