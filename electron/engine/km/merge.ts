/**
 * Three-way merge of two Keyboard Maestro libraries against their common ancestor, by UID.
 *
 * Macros (compared on everything but `ModificationDate`, plus the group they live in):
 * - changed on one side only ⇒ that side; added on one side ⇒ added, in its group;
 * - deleted on one side and unchanged on the other ⇒ deleted;
 * - deleted on one side and changed on the other ⇒ the changed one is kept, conflict `delete-vs-modify`;
 * - changed identically on both sides ⇒ fine; differently ⇒ conflict `both-modified`, mine is kept.
 *   (Whole-macro granularity: two edits to different parts of one macro are a conflict.)
 * Groups: attributes other than `Macros` (Name, IsActive, Targeting, …) merge key by key with the same
 * rules; a group deleted on one side survives when the other side changed its attributes (conflict) or
 * when a merged macro still lives in it. Other root keys merge key by key too (conflicts keep mine).
 *
 * "mine" is this machine, "theirs" the other one. `base` null means no common ancestor (everything is
 * an addition; a macro present on both sides with different content is a conflict).
 * The merged root shares macro dicts with the inputs: treat all of them as read-only.
 */
import { canonicalJson, hashWithout } from './canonical.js';
import { normaliseLibrary } from './reader.js';
import type { KmGroup, KmLibrary, KmMacroRecord, KmRoot, PlistDict, PlistValue } from './types.js';

export { serializeLibrary } from './serialize.js';

export type KmMergeConflictKind = 'both-modified' | 'delete-vs-modify';

export interface KmMergeConflict {
  uid: string;
  name: string;
  group: string;
  summary: string;
  kind: KmMergeConflictKind;
  scope: 'macro' | 'group' | 'library';
}

export interface KmMergeResult {
  merged: KmRoot;
  conflicts: KmMergeConflict[];
}

const MERGE_IGNORED_MACRO_KEYS: ReadonlySet<string> = new Set(['ModificationDate']);
const MISSING = '\u0000missing';

type Side = 'mine' | 'theirs';

export function mergeLibraries(base: KmRoot | null, mine: KmRoot, theirs: KmRoot): KmMergeResult {
  const B = base ? normaliseLibrary(base) : null;
  const M = normaliseLibrary(mine);
  const T = normaliseLibrary(theirs);
  const conflicts: KmMergeConflict[] = [];

  // ---- macros ----
  const macroKey = memo((r: KmMacroRecord) => `${hashWithout(r.raw, MERGE_IGNORED_MACRO_KEYS)}|${r.groupUid}`);
  const uids = unionKeys([M.macros, T.macros, B?.macros ?? new Map()]);
  /** uid → chosen record (and the side it came from). */
  const chosen = new Map<string, { rec: KmMacroRecord; from: Side }>();
  for (const uid of uids) {
    const b = B?.macros.get(uid);
    const m = M.macros.get(uid);
    const t = T.macros.get(uid);
    const mc = m !== undefined && (b === undefined || macroKey(m) !== macroKey(b));
    const tc = t !== undefined && (b === undefined || macroKey(t) !== macroKey(b));
    if (m && t) {
      if (tc && !mc) chosen.set(uid, { rec: t, from: 'theirs' });
      else {
        chosen.set(uid, { rec: m, from: 'mine' });
        if (mc && tc && macroKey(m) !== macroKey(t)) {
          conflicts.push({
            uid,
            name: m.name,
            group: m.groupName,
            kind: 'both-modified',
            scope: 'macro',
            summary: `Macro '${m.name}' in group '${m.groupName}' changed on both machines`,
          });
        }
      }
    } else if (m) {
      if (!b) chosen.set(uid, { rec: m, from: 'mine' });
      else if (mc) {
        chosen.set(uid, { rec: m, from: 'mine' });
        conflicts.push({
          uid,
          name: m.name,
          group: m.groupName,
          kind: 'delete-vs-modify',
          scope: 'macro',
          summary: `Macro '${m.name}' in group '${m.groupName}' was changed on this machine but deleted on the other`,
        });
      }
    } else if (t) {
      if (!b) chosen.set(uid, { rec: t, from: 'theirs' });
      else if (tc) {
        chosen.set(uid, { rec: t, from: 'theirs' });
        conflicts.push({
          uid,
          name: t.name,
          group: t.groupName,
          kind: 'delete-vs-modify',
          scope: 'macro',
          summary: `Macro '${t.name}' in group '${t.groupName}' was deleted on this machine but changed on the other`,
        });
      }
    }
  }

  // ---- groups ----
  const groupsOf = (lib: KmLibrary | null) => new Map((lib?.groups ?? []).map((g) => [g.uid, g]));
  const [bg, mg, tg] = [groupsOf(B), groupsOf(M), groupsOf(T)];
  const neededGroups = new Set([...chosen.values()].map((c) => c.rec.groupUid));
  const groupOrder = unionKeys([mg, tg]);
  for (const uid of neededGroups) if (!groupOrder.includes(uid)) groupOrder.push(uid);
  const attrsOf = (g: KmGroup | undefined): PlistDict | undefined => (g ? omit(g.raw, 'Macros') : undefined);
  const mergedGroups: { uid: string; attrs: PlistDict; smartRefs: PlistValue[] }[] = [];
  for (const uid of groupOrder) {
    const b = bg.get(uid);
    const m = mg.get(uid);
    const t = tg.get(uid);
    const changed = (g: KmGroup | undefined) => g !== undefined && (b === undefined || hashWithout(g.raw, MACROS) !== hashWithout(b.raw, MACROS));
    let attrs: PlistDict | undefined;
    if (m && t) {
      const r = mergeDicts(attrsOf(b), attrsOf(m), attrsOf(t));
      attrs = r.merged;
      if (r.conflicts.length > 0) {
        conflicts.push({ uid, name: m.name, group: m.name, kind: 'both-modified', scope: 'group', summary: `Group '${m.name}' changed on both machines` });
      }
    } else if (m || t) {
      const present = (m ?? t) as KmGroup;
      const deletedOther = b !== undefined;
      const keep = !deletedOther || changed(present) || neededGroups.has(uid);
      if (keep) attrs = attrsOf(present);
      if (deletedOther && changed(present)) {
        conflicts.push({
          uid,
          name: present.name,
          group: present.name,
          kind: 'delete-vs-modify',
          scope: 'group',
          summary: m
            ? `Group '${present.name}' was changed on this machine but deleted on the other`
            : `Group '${present.name}' was deleted on this machine but changed on the other`,
        });
      }
    } else if (neededGroups.has(uid) && b) {
      attrs = attrsOf(b);
    }
    if (!attrs) continue;
    // Smart groups may list references to macros living elsewhere: keep those of the side we have.
    const src = m ?? t;
    const smartRefs = src?.smart ? smartReferences(src, chosen) : [];
    mergedGroups.push({ uid, attrs, smartRefs });
  }

  // Place macros: in each group, mine's order first, then theirs', then anything else.
  const byGroup = new Map<string, PlistDict[]>();
  const placed = new Set<string>();
  const place = (lib: KmLibrary) => {
    for (const g of lib.groups) {
      for (const muid of g.macroUids) {
        const c = chosen.get(muid);
        if (!c || placed.has(muid) || c.rec.groupUid !== g.uid) continue;
        placed.add(muid);
        const list = byGroup.get(g.uid) ?? [];
        list.push(c.rec.raw);
        byGroup.set(g.uid, list);
      }
    }
  };
  place(M);
  place(T);

  const MacroGroups: PlistDict[] = mergedGroups.map(({ uid, attrs, smartRefs }) => {
    const macros = [...(byGroup.get(uid) ?? []), ...smartRefs];
    const hadMacros = [bg, mg, tg].some((x) => x.get(uid)?.raw.Macros !== undefined);
    return hadMacros || macros.length > 0 ? { ...attrs, Macros: macros } : { ...attrs };
  });

  // ---- root keys ----
  const rootMerge = mergeDicts(base ? omit(base, 'MacroGroups') : undefined, omit(mine, 'MacroGroups'), omit(theirs, 'MacroGroups'));
  for (const key of rootMerge.conflicts) {
    conflicts.push({ uid: '', name: key, group: '', kind: 'both-modified', scope: 'library', summary: `Library setting '${key}' changed on both machines` });
  }
  const merged: KmRoot = { ...rootMerge.merged, MacroGroups };
  return { merged, conflicts };
}

const MACROS: ReadonlySet<string> = new Set(['Macros']);

/** Key-by-key three-way merge of flat dicts; conflicting keys keep mine. */
export function mergeDicts(
  base: PlistDict | undefined,
  mine: PlistDict | undefined,
  theirs: PlistDict | undefined,
): { merged: PlistDict; conflicts: string[] } {
  const merged: PlistDict = {};
  const conflicts: string[] = [];
  const keys = unionKeys([new Map(Object.entries(mine ?? {})), new Map(Object.entries(theirs ?? {})), new Map(Object.entries(base ?? {}))]);
  const c = (d: PlistDict | undefined, k: string) => (d && Object.prototype.hasOwnProperty.call(d, k) && d[k] !== undefined ? canonicalJson(d[k]) : MISSING);
  for (const k of keys) {
    const [b, m, t] = [c(base, k), c(mine, k), c(theirs, k)];
    let from: PlistDict | undefined;
    if (m === t || t === b) from = mine;
    else if (m === b) from = theirs;
    else {
      from = mine;
      conflicts.push(k);
    }
    if (from && c(from, k) !== MISSING) merged[k] = from[k];
  }
  return { merged, conflicts };
}

function smartReferences(g: KmGroup, chosen: Map<string, { rec: KmMacroRecord }>): PlistValue[] {
  const list = Array.isArray(g.raw.Macros) ? g.raw.Macros : [];
  return list.filter((m) => {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) return false;
    const uid = (m as PlistDict).UID;
    if (typeof uid !== 'string') return false;
    const c = chosen.get(uid);
    return c !== undefined && c.rec.groupUid !== g.uid;
  });
}

function omit(d: PlistDict, key: string): PlistDict {
  const out: PlistDict = {};
  for (const k of Object.keys(d)) if (k !== key) out[k] = d[k];
  return out;
}

function unionKeys<K>(maps: Map<K, unknown>[]): K[] {
  const seen = new Set<K>();
  const out: K[] = [];
  for (const m of maps) {
    for (const k of m.keys()) {
      if (!seen.has(k)) {
        seen.add(k);
        out.push(k);
      }
    }
  }
  return out;
}

function memo<A extends object, R>(fn: (a: A) => R): (a: A) => R {
  const cache = new WeakMap<A, R>();
  return (a) => {
    if (cache.has(a)) return cache.get(a) as R;
    const r = fn(a);
    cache.set(a, r);
    return r;
  };
}
