/**
 * Applying a version of the Keyboard Maestro library to the live one while the Engine runs, macro by
 * macro, through Keyboard Maestro's own scripting (km/scripting.ts), never by writing the library file:
 *
 *   plan     the per-macro difference between what the live library holds and the version to apply:
 *            macros to import (new, or changed: deleted by UID first so the import keeps the UID),
 *            macros to delete, macros and groups to enable or disable, groups to rename or delete;
 *            what scripting cannot do (a group's activation or targeting, library settings, a macro
 *            without a usable UID) is named and nothing is applied ("never half-applied")
 *   apply    one harmless question first (a refusal shows before any change), then one `osascript`
 *            per kind of change; every macro to import goes into ONE generated `.kmmacros` file
 *   verify   re-reading the library (Keyboard Maestro writes it) until every change is there, or
 *            saying which macros are not as sent
 *
 * Macros are compared on everything but `ModificationDate` (Keyboard Maestro stamps it on every
 * change) and `IsActive` (applied with `setMacroEnable`), plus the group they live in.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { hashWithout } from './canonical.js';
import { PlistEncodeError, encodePlist, errText } from './plist-codec.js';
import { parseLibrary } from './reader.js';
import type { KmScripting } from './scripting.js';
import type { KmGroup, KmLibrary, KmMacroRecord, PlistDict } from './types.js';

/** One macro the plan touches, for words and the KM tab. */
export interface KmPlannedMacro {
  uid: string;
  name: string;
  group: string;
  change: 'added' | 'changed' | 'removed' | 'enabled' | 'disabled';
}

export interface KmApplyPlan {
  /** Macros to import (added, or changed: also in `deleteFirst`). */
  imports: KmMacroRecord[];
  /** Changed macros deleted by UID right before their import. */
  deleteFirst: string[];
  /** Macros no longer in the version to apply. */
  deletes: string[];
  enable: string[];
  disable: string[];
  groupEnable: string[];
  groupDisable: string[];
  groupRenames: { uid: string; name: string }[];
  groupDeletes: string[];
  /** What scripting cannot apply, in words. Non-empty: nothing is applied. */
  unsupported: string[];
  /** Every macro the plan touches, in words' order. */
  macros: KmPlannedMacro[];
  /** The version to apply (its groups' attributes go into the `.kmmacros`). */
  target: KmLibrary;
}

const MACRO_IGNORED: ReadonlySet<string> = new Set(['ModificationDate', 'IsActive']);
const GROUP_IGNORED: ReadonlySet<string> = new Set(['Macros', 'Name', 'IsActive']);
/** UIDs the reader made up (no UID, a repeated UID): scripting cannot name those macros. */
const SYNTHETIC_UID = /^nouid:|#\d+$/;

/** What a macro does and where it lives, without its enabled flag and modification date. */
export function macroKey(m: KmMacroRecord): string {
  return `${hashWithout(m.raw, MACRO_IGNORED)}|${m.groupUid}`;
}

export function planIsEmpty(p: KmApplyPlan): boolean {
  return (
    p.imports.length + p.deletes.length + p.enable.length + p.disable.length + p.groupEnable.length + p.groupDisable.length + p.groupRenames.length + p.groupDeletes.length === 0 &&
    p.unsupported.length === 0
  );
}

/** The per-macro difference between the live library and the version to apply. */
export function planLiveApply(live: KmLibrary, target: KmLibrary): KmApplyPlan {
  const plan: KmApplyPlan = { imports: [], deleteFirst: [], deletes: [], enable: [], disable: [], groupEnable: [], groupDisable: [], groupRenames: [], groupDeletes: [], unsupported: [], macros: [], target };
  const q = (s: string) => `'${s}'`;
  const liveGroups = new Map(live.groups.map((g) => [g.uid, g]));
  const targetGroups = new Map(target.groups.map((g) => [g.uid, g]));

  for (const m of target.macros.values()) {
    const l = live.macros.get(m.uid);
    if (SYNTHETIC_UID.test(m.uid) && (!l || macroKey(l) !== macroKey(m) || l.enabled !== m.enabled)) {
      plan.unsupported.push(`macro ${q(m.name)} has no UID of its own`);
      continue;
    }
    if (!l) {
      plan.imports.push(m);
      plan.macros.push({ uid: m.uid, name: m.name, group: m.groupName, change: 'added' });
    } else if (macroKey(l) !== macroKey(m)) {
      plan.imports.push(m);
      plan.deleteFirst.push(m.uid);
      plan.macros.push({ uid: m.uid, name: m.name, group: m.groupName, change: 'changed' });
    } else if (l.enabled !== m.enabled) {
      (m.enabled ? plan.enable : plan.disable).push(m.uid);
      plan.macros.push({ uid: m.uid, name: m.name, group: m.groupName, change: m.enabled ? 'enabled' : 'disabled' });
    }
  }
  for (const l of live.macros.values()) {
    if (target.macros.has(l.uid)) continue;
    if (SYNTHETIC_UID.test(l.uid)) {
      plan.unsupported.push(`macro ${q(l.name)} has no UID of its own`);
      continue;
    }
    plan.deletes.push(l.uid);
    plan.macros.push({ uid: l.uid, name: l.name, group: l.groupName, change: 'removed' });
  }

  const importedInto = new Set(plan.imports.map((m) => m.groupUid));
  for (const g of target.groups) {
    const l = liveGroups.get(g.uid);
    if (SYNTHETIC_UID.test(g.uid)) {
      if (!l || l.name !== g.name || l.enabled !== g.enabled) plan.unsupported.push(`group ${q(g.name)} has no UID of its own`);
      continue;
    }
    if (!l) {
      // A new group arrives with the macros imported into it (the .kmmacros carries its attributes).
      if (!importedInto.has(g.uid)) plan.unsupported.push(`the new group ${q(g.name)} holds no macro to import with it`);
      continue;
    }
    if (l.smart !== g.smart || hashWithout(l.raw, GROUP_IGNORED) !== hashWithout(g.raw, GROUP_IGNORED)) {
      plan.unsupported.push(`the settings of group ${q(g.name)} (activation, targeting or search) changed`);
      continue;
    }
    if (l.name !== g.name) plan.groupRenames.push({ uid: g.uid, name: g.name });
    if (l.enabled !== g.enabled) (g.enabled ? plan.groupEnable : plan.groupDisable).push(g.uid);
  }
  for (const l of live.groups) {
    if (targetGroups.has(l.uid)) continue;
    if (SYNTHETIC_UID.test(l.uid)) plan.unsupported.push(`group ${q(l.name)} has no UID of its own`);
    else plan.groupDeletes.push(l.uid);
  }

  const rootKeys = (lib: KmLibrary) => hashWithout(lib.raw, new Set(['MacroGroups']));
  if (rootKeys(live) !== rootKeys(target)) plan.unsupported.push('library settings outside the macro groups changed');
  return plan;
}

/** `.kmmacros` content holding every macro to import, each in its group (the group's attributes). */
export function buildImportFile(plan: KmApplyPlan): Buffer {
  const byGroup = new Map<string, PlistDict[]>();
  for (const m of plan.imports) {
    const list = byGroup.get(m.groupUid) ?? [];
    list.push(m.raw);
    byGroup.set(m.groupUid, list);
  }
  const groups: PlistDict[] = [];
  for (const [uid, macros] of byGroup) {
    const g = plan.target.groups.find((x) => x.uid === uid);
    const attrs: PlistDict = {};
    const raw: PlistDict = g?.raw ?? { UID: uid };
    for (const k of Object.keys(raw)) if (k !== 'Macros') attrs[k] = raw[k];
    groups.push({ ...attrs, Macros: macros });
  }
  try {
    return encodePlist(groups, 'xml', { sortKeys: true });
  } catch (err) {
    if (err instanceof PlistEncodeError) return encodePlist(groups, 'binary', { sortKeys: true });
    throw err;
  }
}

/**
 * Carries out a plan through the scripting port. The probe comes first, so a refusal (automation
 * permission, no osascript) throws before anything changed. `importDir` receives the `.kmmacros`.
 */
export async function executePlan(plan: KmApplyPlan, scripting: KmScripting, importDir: string, stamp = Date.now()): Promise<{ importFile: string | null }> {
  if (plan.unsupported.length) throw new Error(`cannot be applied through Keyboard Maestro's scripting: ${plan.unsupported.join('; ')}`);
  await scripting.probe();
  let importFile: string | null = null;
  if (plan.imports.length) {
    await mkdir(importDir, { recursive: true });
    importFile = join(importDir, `from-repo-${stamp}.kmmacros`);
    await writeFileAtomic(importFile, buildImportFile(plan));
  }
  await scripting.deleteMacros([...plan.deleteFirst, ...plan.deletes]);
  if (importFile) await scripting.importMacros(importFile);
  await scripting.setEnabled(plan.enable, true);
  await scripting.setEnabled(plan.disable, false);
  for (const r of plan.groupRenames) await scripting.renameGroup(r.uid, r.name);
  await scripting.setEnabled(plan.groupEnable, true);
  await scripting.setEnabled(plan.groupDisable, false);
  await scripting.deleteGroups(plan.groupDeletes);
  return { importFile };
}

/** The changes of `plan` that the library does not show yet, in words (empty: all there). */
export function missingChanges(plan: KmApplyPlan, now: KmLibrary): string[] {
  const out: string[] = [];
  const q = (s: string) => `'${s}'`;
  for (const m of plan.imports) {
    const l = now.macros.get(m.uid);
    if (!l) out.push(`macro ${q(m.name)} is missing`);
    else if (macroKey(l) !== macroKey(m)) out.push(l.groupUid !== m.groupUid ? `macro ${q(m.name)} is not in group ${q(m.groupName)}` : `macro ${q(m.name)} is not as sent`);
    else if (l.enabled !== m.enabled) out.push(`macro ${q(m.name)} is ${l.enabled ? 'enabled' : 'disabled'}`);
  }
  for (const uid of plan.deletes) {
    const l = now.macros.get(uid);
    if (l) out.push(`macro ${q(l.name)} is still there`);
  }
  for (const [uids, want] of [
    [plan.enable, true],
    [plan.disable, false],
  ] as const) {
    for (const uid of uids) {
      const l = now.macros.get(uid);
      if (l && l.enabled !== want) out.push(`macro ${q(l.name)} is still ${l.enabled ? 'enabled' : 'disabled'}`);
    }
  }
  const groups = new Map(now.groups.map((g) => [g.uid, g]));
  for (const r of plan.groupRenames) {
    const g = groups.get(r.uid);
    if (g && g.name !== r.name) out.push(`group ${q(g.name)} is not renamed to ${q(r.name)}`);
  }
  for (const [uids, want] of [
    [plan.groupEnable, true],
    [plan.groupDisable, false],
  ] as const) {
    for (const uid of uids) {
      const g: KmGroup | undefined = groups.get(uid);
      if (g && g.enabled !== want) out.push(`group ${q(g.name)} is still ${g.enabled ? 'enabled' : 'disabled'}`);
    }
  }
  for (const uid of plan.groupDeletes) {
    const g = groups.get(uid);
    if (g) out.push(`group ${q(g.name)} is still there`);
  }
  return out;
}

export interface VerifyOptions {
  timeoutMs?: number;
  everyMs?: number;
  read?: (path: string) => Promise<Buffer>;
}

/**
 * Re-reads the live library (Keyboard Maestro writes it after each change) until it shows every change
 * of the plan. Resolves with the library as read; throws naming what is missing after `timeoutMs`.
 */
export async function waitUntilApplied(libraryPath: string, plan: KmApplyPlan, o: VerifyOptions = {}): Promise<{ library: KmLibrary; bytes: Buffer }> {
  const end = Date.now() + (o.timeoutMs ?? 30_000);
  const read = o.read ?? ((p: string) => readFile(p));
  let last: string[];
  for (;;) {
    try {
      const bytes = await read(libraryPath);
      const library = parseLibrary(bytes);
      last = missingChanges(plan, library);
      if (last.length === 0) return { library, bytes };
    } catch (e) {
      last = [`the library could not be read (${errText(e).split('\n')[0]})`];
    }
    if (Date.now() >= end) {
      const more = last.length > 3 ? ` and ${last.length - 3} more` : '';
      throw new Error(`Keyboard Maestro did not take every change: ${last.slice(0, 3).join('; ')}${more}`);
    }
    await new Promise((r) => setTimeout(r, o.everyMs ?? 200));
  }
}

/** "2 macros changed, 1 added" style summary of the macros of a plan. */
export function planWords(macros: KmPlannedMacro[]): string {
  const n = (k: KmPlannedMacro['change']) => macros.filter((m) => m.change === k).length;
  const parts = (['changed', 'added', 'removed', 'enabled', 'disabled'] as const).filter((k) => n(k) > 0).map((k) => `${n(k)} ${k}`);
  if (!macros.length) return 'no macro changes';
  return `${macros.length === 1 ? '1 macro' : `${macros.length} macros`} (${parts.join(', ')})`;
}
