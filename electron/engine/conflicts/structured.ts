/**
 * Three-way merge of structured values by key. Objects (JSON objects, plist dicts) merge key by key,
 * recursively; anything else (scalars, arrays, dates, data) is an atomic value. A key changed on one
 * side takes that side; changed identically on both is fine; changed differently is a conflict.
 */
import { isDeepStrictEqual } from 'node:util';

export type Plain = unknown;
export interface StructuredConflict {
  path: string[];
}
export interface Merge3Result {
  merged: Plain;
  conflicts: StructuredConflict[];
}

const MISSING = Symbol('missing');
type Maybe = Plain | typeof MISSING;

function isDict(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v) && !(v instanceof Uint8Array);
}

function same(a: Maybe, b: Maybe): boolean {
  if (a === MISSING || b === MISSING) return a === b;
  return isDeepStrictEqual(a, b);
}

function mergeValue(base: Maybe, mine: Maybe, theirs: Maybe, at: string[], conflicts: StructuredConflict[]): Maybe {
  if (same(mine, theirs)) return mine;
  if (same(base, mine)) return theirs;
  if (same(base, theirs)) return mine;
  if (isDict(mine) && isDict(theirs)) {
    const b = isDict(base) ? base : {};
    const out: Record<string, unknown> = {};
    const keys = new Set([...Object.keys(mine), ...Object.keys(theirs), ...Object.keys(b)]);
    // Keep mine's key order, then theirs' new keys.
    const order = [...Object.keys(mine), ...Object.keys(theirs).filter((k) => !(k in mine))];
    for (const k of keys) if (!order.includes(k)) order.push(k);
    for (const k of order) {
      const v = mergeValue(k in b ? b[k] : MISSING, k in mine ? mine[k] : MISSING, k in theirs ? theirs[k] : MISSING, [...at, k], conflicts);
      if (v !== MISSING) out[k] = v;
    }
    return out;
  }
  conflicts.push({ path: at });
  return mine;
}

/** `base` may be undefined (no common version: both added). */
export function merge3(base: Plain | undefined, mine: Plain, theirs: Plain): Merge3Result {
  const conflicts: StructuredConflict[] = [];
  const merged = mergeValue(base === undefined ? MISSING : base, mine, theirs, [], conflicts);
  return { merged: merged === MISSING ? undefined : merged, conflicts };
}
