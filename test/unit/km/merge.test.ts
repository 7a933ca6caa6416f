import { describe, expect, it } from 'vitest';
import { mergeLibraries, normaliseLibrary, parseLibrary, serializeLibrary, type KmRoot } from '../../../electron/engine/km/index.js';
import { cloneRoot, generateLibrary, groupOf, macroOf, makeGroup, makeMacro, rng, type PlistDict } from '../../helpers/km-library.js';

type Root = { MacroGroups: PlistDict[] };
const base: Root = generateLibrary({ groups: 3, macrosPerGroup: 4, seed: 99 });
const lib = (r: unknown) => normaliseLibrary(r as KmRoot);
const merge = (b: Root | null, m: Root, t: Root) => mergeLibraries(b as KmRoot | null, m as KmRoot, t as KmRoot);
const hashOf = (r: unknown, name: string) => [...lib(r).macros.values()].find((m) => m.name === name)?.hash;
const names = (r: unknown) =>
  lib(r).groups.map((g) => `${g.name}: ${g.macroUids.map((u) => lib(r).macros.get(u)?.name).join(', ')}`);

describe('mergeLibraries', () => {
  it('different macros edited on each side merge cleanly', () => {
    const mine = cloneRoot(base);
    macroOf(mine, 'Macro 0.0').macro.Name = 'Mine edited';
    const theirs = cloneRoot(base);
    (macroOf(theirs, 'Macro 2.1').macro.Actions as PlistDict[]).push({ MacroActionType: 'Beep' });
    const { merged, conflicts } = merge(base, mine, theirs);
    expect(conflicts).toEqual([]);
    expect(hashOf(merged, 'Mine edited')).toBe(hashOf(mine, 'Mine edited'));
    expect(hashOf(merged, 'Macro 2.1')).toBe(hashOf(theirs, 'Macro 2.1'));
    expect(hashOf(merged, 'Macro 1.2')).toBe(hashOf(base, 'Macro 1.2'));
    expect(lib(merged).macros.size).toBe(12);
  });

  it('the same macro changed differently on both sides is a conflict with the exact summary; mine is kept', () => {
    const mine = cloneRoot(base);
    macroOf(mine, 'Macro 1.1').macro.Triggers = [];
    const theirs = cloneRoot(base);
    (macroOf(theirs, 'Macro 1.1').macro.Actions as PlistDict[]).pop();
    const { merged, conflicts } = merge(base, mine, theirs);
    expect(conflicts).toEqual([
      {
        uid: macroOf(base, 'Macro 1.1').macro.UID,
        name: 'Macro 1.1',
        group: 'Group 1',
        kind: 'both-modified',
        scope: 'macro',
        summary: "Macro 'Macro 1.1' in group 'Group 1' changed on both machines",
      },
    ]);
    expect(hashOf(merged, 'Macro 1.1')).toBe(hashOf(mine, 'Macro 1.1'));
  });

  it('the same change on both sides (different ModificationDate) is fine', () => {
    const mine = cloneRoot(base);
    const theirs = cloneRoot(base);
    for (const [r, when] of [
      [mine, 800000000.5],
      [theirs, 800000123.25],
    ] as const) {
      const { macro } = macroOf(r, 'Macro 2.3');
      macro.Name = 'Same new name';
      macro.IsActive = false;
      macro.ModificationDate = when;
    }
    const { merged, conflicts } = merge(base, mine, theirs);
    expect(conflicts).toEqual([]);
    expect(hashOf(merged, 'Same new name')).toBe(hashOf(mine, 'Same new name'));
  });

  it('an enable on one side and an edit of another macro on the other both apply', () => {
    const mine = cloneRoot(base);
    macroOf(mine, 'Macro 0.2').macro.IsActive = false;
    const theirs = cloneRoot(base);
    macroOf(theirs, 'Macro 0.3').macro.Name = 'T';
    const { merged, conflicts } = merge(base, mine, theirs);
    expect(conflicts).toEqual([]);
    const m = lib(merged);
    expect([...m.macros.values()].find((x) => x.name === 'Macro 0.2')?.enabled).toBe(false);
    expect([...m.macros.values()].some((x) => x.name === 'T')).toBe(true);
  });

  it('deleted on one side and unchanged on the other ⇒ deleted (both directions)', () => {
    const mine = cloneRoot(base);
    (groupOf(mine, 'Group 0').Macros as PlistDict[]).splice(0, 1); // Macro 0.0
    const theirs = cloneRoot(base);
    (groupOf(theirs, 'Group 2').Macros as PlistDict[]).splice(1, 1); // Macro 2.1
    const { merged, conflicts } = merge(base, mine, theirs);
    expect(conflicts).toEqual([]);
    const left = [...lib(merged).macros.values()].map((m) => m.name);
    expect(left).not.toContain('Macro 0.0');
    expect(left).not.toContain('Macro 2.1');
    expect(left).toHaveLength(10);
  });

  it('deleted on one side and modified on the other ⇒ modified kept, delete-vs-modify conflict (both directions)', () => {
    const mine = cloneRoot(base);
    (groupOf(mine, 'Group 0').Macros as PlistDict[]).splice(1, 1); // mine deletes Macro 0.1
    macroOf(mine, 'Macro 1.3').macro.Name = 'Mine changed 1.3';
    const theirs = cloneRoot(base);
    macroOf(theirs, 'Macro 0.1').macro.Name = 'Theirs changed 0.1';
    (groupOf(theirs, 'Group 1').Macros as PlistDict[]).splice(3, 1); // theirs deletes Macro 1.3
    const { merged, conflicts } = merge(base, mine, theirs);
    expect(conflicts.map((c) => [c.kind, c.summary])).toEqual([
      ['delete-vs-modify', "Macro 'Mine changed 1.3' in group 'Group 1' was changed on this machine but deleted on the other"],
      ['delete-vs-modify', "Macro 'Theirs changed 0.1' in group 'Group 0' was deleted on this machine but changed on the other"],
    ]);
    expect(hashOf(merged, 'Theirs changed 0.1')).toBe(hashOf(theirs, 'Theirs changed 0.1'));
    expect(hashOf(merged, 'Mine changed 1.3')).toBe(hashOf(mine, 'Mine changed 1.3'));
  });

  it('additions on both sides land in the right groups, including a new group', () => {
    const rand = rng(3);
    const mine = cloneRoot(base);
    (groupOf(mine, 'Group 1').Macros as PlistDict[]).push(makeMacro(rand, 'Mine new'));
    const theirs = cloneRoot(base);
    (groupOf(theirs, 'Group 2').Macros as PlistDict[]).push(makeMacro(rand, 'Theirs new'));
    theirs.MacroGroups.push(makeGroup(rand, 'Theirs group', [makeMacro(rand, 'In new group')]));
    const { merged, conflicts } = merge(base, mine, theirs);
    expect(conflicts).toEqual([]);
    expect(names(merged)).toEqual([
      'Group 0: Macro 0.0, Macro 0.1, Macro 0.2, Macro 0.3',
      'Group 1: Macro 1.0, Macro 1.1, Macro 1.2, Macro 1.3, Mine new',
      'Group 2: Macro 2.0, Macro 2.1, Macro 2.2, Macro 2.3, Theirs new',
      'Theirs group: In new group',
    ]);
  });

  it('a macro moved on one side moves', () => {
    const theirs = cloneRoot(base);
    const moved = (groupOf(theirs, 'Group 0').Macros as PlistDict[]).splice(0, 1)[0];
    (groupOf(theirs, 'Group 2').Macros as PlistDict[]).push(moved);
    const { merged, conflicts } = merge(base, cloneRoot(base), theirs);
    expect(conflicts).toEqual([]);
    expect(names(merged)[0]).toBe('Group 0: Macro 0.1, Macro 0.2, Macro 0.3');
    expect(names(merged)[2]).toBe('Group 2: Macro 2.0, Macro 2.1, Macro 2.2, Macro 2.3, Macro 0.0');
  });

  it('group attributes merge key by key: rename on one side, disable on the other', () => {
    const mine = cloneRoot(base);
    groupOf(mine, 'Group 1').Name = 'Work';
    const theirs = cloneRoot(base);
    groupOf(theirs, 'Group 1').IsActive = false;
    const { merged, conflicts } = merge(base, mine, theirs);
    expect(conflicts).toEqual([]);
    expect(lib(merged).groups[1]).toMatchObject({ name: 'Work', enabled: false });
    expect(lib(merged).groups[1].macroUids).toHaveLength(4);
  });

  it('a group renamed differently on both sides is a group conflict (mine kept)', () => {
    const mine = cloneRoot(base);
    groupOf(mine, 'Group 2').Name = 'Mine';
    const theirs = cloneRoot(base);
    groupOf(theirs, 'Group 2').Name = 'Theirs';
    const { merged, conflicts } = merge(base, mine, theirs);
    expect(conflicts.map((c) => [c.scope, c.summary])).toEqual([['group', "Group 'Mine' changed on both machines"]]);
    expect(lib(merged).groups[2].name).toBe('Mine');
  });

  it('a group deleted on one side goes, with its unchanged macros', () => {
    const theirs = cloneRoot(base);
    theirs.MacroGroups.splice(0, 1);
    const { merged, conflicts } = merge(base, cloneRoot(base), theirs);
    expect(conflicts).toEqual([]);
    expect(lib(merged).groups.map((g) => g.name)).toEqual(['Group 1', 'Group 2']);
    expect(lib(merged).macros.size).toBe(8);
  });

  it('a group deleted on one side survives when the other side added a macro to it', () => {
    const mine = cloneRoot(base);
    (groupOf(mine, 'Group 0').Macros as PlistDict[]).push(makeMacro(rng(4), 'Keeps it alive'));
    const theirs = cloneRoot(base);
    theirs.MacroGroups.splice(0, 1);
    const { merged, conflicts } = merge(base, mine, theirs);
    expect(conflicts).toEqual([]);
    expect(names(merged)[0]).toBe('Group 0: Keeps it alive');
  });

  it('without a base, identical sides merge without conflicts and differing ones conflict', () => {
    expect(merge(null, cloneRoot(base), cloneRoot(base)).conflicts).toEqual([]);
    const theirs = cloneRoot(base);
    macroOf(theirs, 'Macro 0.0').macro.Name = 'Other';
    expect(merge(null, cloneRoot(base), theirs).conflicts.map((c) => c.summary)).toEqual([
      "Macro 'Macro 0.0' in group 'Group 0' changed on both machines",
    ]);
  });

  it('keeps other root keys and merges them key by key', () => {
    const b = { ...cloneRoot(base), Version: 1 } as Root;
    const mine = { ...cloneRoot(base), Version: 1, MineOnly: 'x' } as Root;
    const theirs = { ...cloneRoot(base), Version: 2 } as Root;
    const { merged, conflicts } = merge(b, mine, theirs);
    expect(conflicts).toEqual([]);
    expect(merged).toMatchObject({ Version: 2, MineOnly: 'x' });
  });

  it('merged output serializes and parses back to the same macros (binary and XML)', () => {
    const mine = cloneRoot(base);
    macroOf(mine, 'Macro 0.0').macro.Name = 'A';
    const theirs = cloneRoot(base);
    macroOf(theirs, 'Macro 2.2').macro.IsActive = false;
    const { merged } = merge(base, mine, theirs);
    const want = [...lib(merged).macros.values()].map((m) => m.hash);
    for (const f of ['binary', 'xml'] as const) {
      const back = parseLibrary(serializeLibrary(merged, f));
      expect([...back.macros.values()].map((m) => m.hash)).toEqual(want);
    }
  });
});
