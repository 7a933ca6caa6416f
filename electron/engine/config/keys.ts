/**
 * The setting keys a person can name (`confsync config get|set KEY`, a patch from the UI), read off
 * the one schema (shared/settings.ts), and the nearest known key for one that is not: a wrong key is
 * refused with "did you mean sync.intervalSec?", never dropped.
 *
 * A key is a dotted path through the schema's objects: a section (`sync`), a value (`sync.intervalSec`)
 * or a field of an object value (`ui.popoverBounds.x`). Arrays and records are values: their items are
 * not keys.
 */
import type { z } from 'zod';
import { Settings } from '../../../shared/settings.js';

type AnySchema = z.ZodType;
interface Def {
  type: string;
  innerType?: AnySchema;
  in?: AnySchema;
  shape?: Record<string, AnySchema>;
}

const WRAPPERS = new Set(['default', 'prefault', 'nullable', 'optional', 'readonly', 'catch', 'nonoptional']);

function def(s: AnySchema): Def {
  return (s as unknown as { _zod: { def: Def } })._zod.def;
}

/** The object shape under a schema's wrappers (default, nullable, …), or null for a plain value. */
function shapeOf(s: AnySchema): Record<string, AnySchema> | null {
  let cur = s;
  for (let i = 0; i < 20; i++) {
    const d = def(cur);
    if (d.type === 'object') return d.shape ?? null;
    if (WRAPPERS.has(d.type) && d.innerType) cur = d.innerType;
    else if (d.type === 'pipe' && d.in) cur = d.in;
    else return null;
  }
  return null;
}

export interface SettingKey {
  key: string;
  /** A section or object value (has keys below it). */
  object: boolean;
}

let cached: SettingKey[] | null = null;

/** Every key of the settings schema, depth first, in the schema's order. */
export function settingKeys(): SettingKey[] {
  if (cached) return cached;
  const out: SettingKey[] = [];
  const walk = (shape: Record<string, AnySchema>, prefix: string) => {
    for (const [k, s] of Object.entries(shape)) {
      const key = prefix ? `${prefix}.${k}` : k;
      const inner = shapeOf(s);
      out.push({ key, object: !!inner });
      if (inner) walk(inner, key);
    }
  };
  walk(shapeOf(Settings as unknown as AnySchema) ?? {}, '');
  cached = out;
  return out;
}

export function isSettingKey(key: string): boolean {
  return settingKeys().some((k) => k.key === key);
}

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/**
 * The known key a mistyped one most likely meant: the same letters in another case
 * (`sync.intervalsec`), the same last part under its section (`intervalSec`), or the closest spelling
 * (`sync.intervallSec`). null when nothing is close.
 */
export function suggestSettingKey(input: string): string | null {
  const keys = settingKeys().map((k) => k.key);
  const lower = input.toLowerCase();
  const sameCase = keys.find((k) => k.toLowerCase() === lower);
  if (sameCase) return sameCase;
  const last = lower.split('.').pop()!;
  const byLast = keys.filter((k) => k.toLowerCase().split('.').pop() === last);
  if (byLast.length === 1) return byLast[0];
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of keys) {
    const d = distance(lower, k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(input.length / 4)) ? best : null;
}

/** "did you mean sync.intervalSec?", or where to see every key. */
export function suggestionWords(key: string): string {
  const s = suggestSettingKey(key);
  return s ? `did you mean ${s}?` : 'see `confsync config get` for the settings and their keys';
}

/** "no setting "sync.intervalsec"; did you mean sync.intervalSec?" */
export function unknownKeyWords(key: string): string {
  return `no setting "${key}"; ${suggestionWords(key)}`;
}

/** The first key of a patch (a nested object, as the UI and the CLI send) that the schema does not know. */
export function unknownPatchKey(patch: Record<string, unknown>): string | null {
  const known = new Map(settingKeys().map((k) => [k.key, k.object]));
  const walk = (o: Record<string, unknown>, prefix: string): string | null => {
    for (const [k, v] of Object.entries(o)) {
      const key = prefix ? `${prefix}.${k}` : k;
      const object = known.get(key);
      if (object === undefined) return key;
      if (object && v && typeof v === 'object' && !Array.isArray(v)) {
        const bad = walk(v as Record<string, unknown>, key);
        if (bad) return bad;
      }
    }
    return null;
  };
  return walk(patch, '');
}
