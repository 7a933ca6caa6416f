/**
 * Reads a Keyboard Maestro library into the normalised model (see types.ts).
 *
 * - Binary (`bplist00`) or XML, detected from the content.
 * - Identity is the UID: duplicate names are fine. A macro without a UID gets the synthetic id
 *   `nouid:<group uid>:<index>` (stable while the library is not reordered) and a warning; a second
 *   macro with an already-seen UID gets `<uid>#<n>` and a warning.
 * - Smart groups (`SearchStrings`) are saved searches: a macro they list whose UID was already seen in
 *   a normal group is a reference, not a second macro. Normal groups are therefore read first.
 * - An empty, truncated, corrupt or non-plist file, or a root that is not a dict with `MacroGroups[]`,
 *   throws `KmLibraryError`.
 */
import { readFile } from 'node:fs/promises';
import { macroHashes } from './canonical.js';
import { decodePlist, errText } from './plist-codec.js';
import {
  KmLibraryError,
  isPlistDict,
  type KmFormat,
  type KmGroup,
  type KmLibrary,
  type KmMacroRecord,
  type KmRoot,
  type PlistDict,
  type PlistValue,
} from './types.js';

/** Seconds between the Unix epoch and Cocoa's reference date (2001-01-01T00:00:00Z). */
export const COCOA_EPOCH_OFFSET_S = 978307200;

export async function readLibrary(path: string): Promise<KmLibrary> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new KmLibraryError(`cannot read ${path}: ${errText(err)}`, 'io', { cause: err });
  }
  try {
    return parseLibrary(buf);
  } catch (err) {
    if (err instanceof KmLibraryError) {
      throw new KmLibraryError(`Keyboard Maestro library ${path}: ${err.message}`, err.code, { cause: err });
    }
    throw err;
  }
}

export function parseLibrary(buf: Buffer): KmLibrary {
  const { value, format, inexactIntegers } = decodePlist(buf);
  const lib = normaliseLibrary(value, format);
  if (inexactIntegers > 0) {
    lib.warnings.push(
      `${inexactIntegers} integer value(s) of 2^31 or more could not be read exactly; writing this library back would alter them`,
    );
  }
  return lib;
}

/** Validates the root and builds the model from an already parsed plist value. */
export function normaliseLibrary(root: PlistValue, format: KmFormat = 'binary'): KmLibrary {
  if (!isPlistDict(root)) {
    throw new KmLibraryError(`not a Keyboard Maestro library: the root is ${describe(root)}, not a dictionary`, 'wrong-root');
  }
  const groupsRaw = root.MacroGroups;
  if (!Array.isArray(groupsRaw)) {
    throw new KmLibraryError(
      groupsRaw === undefined
        ? 'not a Keyboard Maestro library: no MacroGroups'
        : `not a Keyboard Maestro library: MacroGroups is ${describe(groupsRaw)}, not an array`,
      'wrong-root',
    );
  }
  const warnings: string[] = [];
  const macros = new Map<string, KmMacroRecord>();
  const groupUids = new Set<string>();
  const slots: (KmGroup | undefined)[] = new Array(groupsRaw.length);
  const smartQueue: { g: PlistDict; index: number }[] = [];

  const readGroup = (g: PlistDict, gi: number, smart: boolean): KmGroup => {
    let uid = str(g.UID);
    if (!uid) {
      uid = `nouid:group:${gi}`;
      warnings.push(`group #${gi} (${JSON.stringify(str(g.Name))}) has no UID; using ${uid}`);
    } else if (groupUids.has(uid)) {
      const dup = `${uid}#${gi}`;
      warnings.push(`group #${gi} repeats UID ${uid}; using ${dup}`);
      uid = dup;
    }
    groupUids.add(uid);
    const group: KmGroup = { uid, name: str(g.Name), enabled: flag(g.IsActive), smart, macroUids: [], raw: g };
    const list = Array.isArray(g.Macros) ? g.Macros : [];
    if (g.Macros !== undefined && !Array.isArray(g.Macros)) warnings.push(`group ${JSON.stringify(group.name)}: Macros is not an array`);
    list.forEach((m, mi) => {
      if (!isPlistDict(m)) {
        warnings.push(`group ${JSON.stringify(group.name)}: macro #${mi} is ${describe(m)}, skipped`);
        return;
      }
      let muid = str(m.UID);
      if (!muid) {
        muid = `nouid:${uid}:${mi}`;
        warnings.push(`macro ${JSON.stringify(str(m.Name))} in group ${JSON.stringify(group.name)} has no UID; using ${muid}`);
      } else if (macros.has(muid)) {
        if (smart) {
          group.macroUids.push(muid); // a smart group's reference to a macro that lives elsewhere
          return;
        }
        let n = 2;
        while (macros.has(`${muid}#${n}`)) n++;
        warnings.push(`macro ${JSON.stringify(str(m.Name))} in group ${JSON.stringify(group.name)} repeats UID ${muid}; using ${muid}#${n}`);
        muid = `${muid}#${n}`;
      }
      const enabled = flag(m.IsActive);
      const { hash, contentHash } = macroHashes(m);
      const rec: KmMacroRecord = {
        uid: muid,
        name: str(m.Name),
        groupUid: uid,
        groupName: group.name,
        enabled,
        active: enabled && group.enabled,
        hash,
        contentHash,
        raw: m,
      };
      const created = toEpochMs(m.CreationDate);
      const modified = toEpochMs(m.ModificationDate);
      if (created !== undefined) rec.created = created;
      if (modified !== undefined) rec.modified = modified;
      macros.set(muid, rec);
      group.macroUids.push(muid);
    });
    return group;
  };

  groupsRaw.forEach((g, gi) => {
    if (!isPlistDict(g)) {
      warnings.push(`macro group #${gi} is ${describe(g)}, skipped`);
      return;
    }
    if (g.SearchStrings !== undefined) smartQueue.push({ g, index: gi });
    else slots[gi] = readGroup(g, gi, false);
  });
  for (const { g, index } of smartQueue) slots[index] = readGroup(g, index, true);

  const groups = slots.filter((g): g is KmGroup => g !== undefined);
  return { groups, macros: sortMacrosByGroupOrder(groups, macros), raw: root as KmRoot, format, warnings };
}

/** Map insertion order = library order (groups in file order), even with smart groups read last. */
function sortMacrosByGroupOrder(groups: KmGroup[], macros: Map<string, KmMacroRecord>): Map<string, KmMacroRecord> {
  const out = new Map<string, KmMacroRecord>();
  for (const g of groups) {
    for (const uid of g.macroUids) {
      const rec = macros.get(uid);
      if (rec && rec.groupUid === g.uid) out.set(uid, rec);
    }
  }
  return out;
}

function str(v: PlistValue | undefined): string {
  return typeof v === 'string' ? v : '';
}

/** `IsActive`-style flag: missing ⇒ true; false/0 ⇒ false. */
function flag(v: PlistValue | undefined): boolean {
  return !(v === false || v === 0);
}

/** Cocoa time (seconds since 2001) or a plist date → epoch ms. */
export function toEpochMs(v: PlistValue | undefined): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.round((v + COCOA_EPOCH_OFFSET_S) * 1000);
  if (v instanceof Date && !Number.isNaN(v.getTime())) return v.getTime();
  return undefined;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Date) return 'a date';
  if (Buffer.isBuffer(v)) return 'data';
  return typeof v === 'object' ? 'a dictionary' : `a ${typeof v}`;
}
