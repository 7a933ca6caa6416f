/**
 * Canonical JSON of plist values, for hashing: dict keys sorted (by UTF-16 code units), dates as ISO
 * strings, data (Buffers) as base64, bigints as decimal strings, non-finite numbers as strings.
 * Two values that a plist writer would store identically give the same string, whatever the key order
 * or the file format (binary/XML) they came from.
 */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify(String(value));
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object':
      break;
    default:
      return JSON.stringify(String(value));
  }
  if (value instanceof Date) {
    return JSON.stringify(Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString());
  }
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    return JSON.stringify(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
  }
  if (Array.isArray(value)) {
    return '[' + value.map(canonicalJson).join(',') + ']';
  }
  return '{' + canonicalEntries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',') + '}';
}

/** Sorted `[key, canonicalJson(value)]` pairs of a dict (undefined values skipped). */
export function canonicalEntries(dict: Record<string, unknown>): [string, string][] {
  const keys = Object.keys(dict).filter((k) => dict[k] !== undefined);
  keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.map((k) => [k, canonicalJson(dict[k])]);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Keys that do not change what a macro does: excluded from `contentHash`. */
export const VOLATILE_MACRO_KEYS: ReadonlySet<string> = new Set(['IsActive', 'ModificationDate']);

/** Full hash and content hash of a macro dict, computed from one canonicalisation. */
export function macroHashes(dict: Record<string, unknown>): { hash: string; contentHash: string } {
  const entries = canonicalEntries(dict);
  const all = entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`);
  const content = all.filter((_, i) => !VOLATILE_MACRO_KEYS.has(entries[i][0]));
  return { hash: sha256('{' + all.join(',') + '}'), contentHash: sha256('{' + content.join(',') + '}') };
}

/** Hash of a dict without some keys (e.g. a group's attributes without `Macros`). */
export function hashWithout(dict: Record<string, unknown>, without: ReadonlySet<string>): string {
  const entries = canonicalEntries(dict).filter(([k]) => !without.has(k));
  return sha256('{' + entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',') + '}');
}
