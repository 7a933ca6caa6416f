/**
 * Generates Keyboard Maestro libraries shaped like the real thing (root `MacroGroups[]`, groups with
 * Name/UID/IsActive/Activate/CreationDate/Macros, macros with Name/UID/IsActive/Triggers/Actions and
 * Cocoa-time CreationDate/ModificationDate reals), deterministic for a given seed.
 *
 * `writeLibrary` writes with bplist-creator / plist directly, not through the code under test.
 */
import { writeFileSync } from 'node:fs';
import bplistCreator from 'bplist-creator';
import plist from 'plist';
import { rng } from './rng.js';

export type PlistDict = { [key: string]: unknown };

export interface GenerateOptions {
  groups: number;
  macrosPerGroup: number;
  seed: number;
  /** Actions per macro, inclusive range. Default [1, 8]. */
  actions?: [number, number];
}

export { rng };

export function makeUid(rand: () => number): string {
  const hex = (n: number) =>
    Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16))
      .join('')
      .toUpperCase();
  return `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
}

export function makeAction(rand: () => number, text?: string): PlistDict {
  return {
    ActionUID: Math.floor(rand() * 1e8),
    MacroActionType: 'InsertText',
    Text: text ?? 'x'.repeat(1 + Math.floor(rand() * 60)),
  };
}

export function makeMacro(rand: () => number, name: string, opts: { actions?: number; created?: number } = {}): PlistDict {
  const actions = opts.actions ?? 1 + Math.floor(rand() * 8);
  const triggers = Math.floor(rand() * 3);
  return {
    Actions: Array.from({ length: actions }, () => makeAction(rand)),
    CreationDate: opts.created ?? 700000000,
    IsActive: true,
    ModificationDate: 720000000 + Math.floor(rand() * 1e6) + 0.25,
    Name: name,
    Triggers: Array.from({ length: triggers }, () => ({ KeyCode: 32 + Math.floor(rand() * 20), MacroTriggerType: 'HotKey', Modifiers: 256 })),
    UID: makeUid(rand),
  };
}

export function makeGroup(rand: () => number, name: string, macros: PlistDict[] = []): PlistDict {
  return {
    Activate: 'Normal',
    CreationDate: 700000000,
    IsActive: true,
    Macros: macros,
    Name: name,
    ToggleMacroUID: makeUid(rand),
    UID: makeUid(rand),
  };
}

export function generateLibrary(opts: GenerateOptions): { MacroGroups: PlistDict[] } {
  const rand = rng(opts.seed);
  const [amin, amax] = opts.actions ?? [1, 8];
  const groups: PlistDict[] = [];
  for (let g = 0; g < opts.groups; g++) {
    const macros: PlistDict[] = [];
    for (let m = 0; m < opts.macrosPerGroup; m++) {
      macros.push(makeMacro(rand, `Macro ${g}.${m}`, { actions: amin + Math.floor(rand() * (amax - amin + 1)), created: 700000000 + g * 1000 + m }));
    }
    groups.push(makeGroup(rand, `Group ${g}`, macros));
  }
  return { MacroGroups: groups };
}

export function encodeLibrary(root: unknown, format: 'binary' | 'xml'): Buffer {
  if (format === 'binary') return bplistCreator(root as object);
  return Buffer.from(plist.build(root as plist.PlistValue), 'utf8');
}

export function writeLibrary(path: string, root: unknown, format: 'binary' | 'xml'): Buffer {
  const buf = encodeLibrary(root, format);
  writeFileSync(path, buf);
  return buf;
}

/** Deep copy of a generated (JSON-safe plus Buffers/Dates) library root. */
export function cloneRoot<T>(root: T): T {
  return structuredClone(root);
}

/** Finds a group dict by name. */
export function groupOf(root: { MacroGroups: PlistDict[] }, name: string): PlistDict {
  const g = root.MacroGroups.find((x) => x.Name === name);
  if (!g) throw new Error(`no group ${name}`);
  return g;
}

/** Finds a macro dict (and its group) by name. */
export function macroOf(root: { MacroGroups: PlistDict[] }, name: string): { group: PlistDict; macro: PlistDict } {
  for (const group of root.MacroGroups) {
    const macro = (group.Macros as PlistDict[] | undefined)?.find((m) => m.Name === name);
    if (macro) return { group, macro };
  }
  throw new Error(`no macro ${name}`);
}
