import { describe, expect, it } from 'vitest';
import { diffLibraries, normaliseLibrary, type KmEvent, type KmRoot } from '../../../electron/engine/km/index.js';
import { cloneRoot, generateLibrary, groupOf, macroOf, makeGroup, makeMacro, rng, type PlistDict } from '../../helpers/km-library.js';

const AT = 1_700_000_000_000;
const lib = (root: unknown) => normaliseLibrary(root as KmRoot);
const brief = (evs: KmEvent[]) => evs.map((e) => `${e.type}:${e.name}`);

describe('diffLibraries', () => {
  const base = generateLibrary({ groups: 3, macrosPerGroup: 4, seed: 42 });

  it('first load gives exactly one library_reloaded with the counts', () => {
    const evs = diffLibraries(null, lib(base), AT);
    expect(evs).toEqual([{ type: 'library_reloaded', uid: '', name: '', group: '', groupUid: '', new: { groups: 3, macros: 12, enabledMacros: 12 }, at: AT }]);
  });

  it('an identical library gives nothing', () => {
    expect(diffLibraries(lib(base), lib(cloneRoot(base)), AT)).toEqual([]);
  });

  it('a ModificationDate-only change gives nothing', () => {
    const next = cloneRoot(base);
    macroOf(next, 'Macro 1.1').macro.ModificationDate = 799999999.5;
    expect(diffLibraries(lib(base), lib(next), AT)).toEqual([]);
  });

  it('modify: old and new state with hashes', () => {
    const next = cloneRoot(base);
    const { macro } = macroOf(next, 'Macro 0.1');
    (macro.Actions as PlistDict[]).push({ MacroActionType: 'Pause', Time: '1' });
    const evs = diffLibraries(lib(base), lib(next), AT);
    expect(brief(evs)).toEqual(['macro_modified:Macro 0.1']);
    const ev = evs[0];
    expect(ev).toMatchObject({ uid: macro.UID, group: 'Group 0', groupUid: groupOf(next, 'Group 0').UID, at: AT });
    expect(ev.old).toMatchObject({ name: 'Macro 0.1', enabled: true });
    expect((ev.old as { hash: string }).hash).not.toBe((ev.new as { hash: string }).hash);
  });

  it('a rename is a modification', () => {
    const next = cloneRoot(base);
    macroOf(next, 'Macro 0.2').macro.Name = 'Renamed';
    const evs = diffLibraries(lib(base), lib(next), AT);
    expect(brief(evs)).toEqual(['macro_modified:Renamed']);
    expect(evs[0].old).toMatchObject({ name: 'Macro 0.2' });
  });

  it('disable/enable alone (with KM’s ModificationDate bump) is only disabled/enabled', () => {
    const next = cloneRoot(base);
    const { macro } = macroOf(next, 'Macro 2.0');
    macro.IsActive = false;
    macro.ModificationDate = 800000000.25;
    let evs = diffLibraries(lib(base), lib(next), AT);
    expect(brief(evs)).toEqual(['macro_disabled:Macro 2.0']);
    expect(evs[0].old).toMatchObject({ enabled: true, active: true });
    expect(evs[0].new).toMatchObject({ enabled: false, active: false });
    evs = diffLibraries(lib(next), lib(base), AT);
    expect(brief(evs)).toEqual(['macro_enabled:Macro 2.0']);
  });

  it('IsActive removed (missing ⇒ enabled) after being false is an enable', () => {
    const prev = cloneRoot(base);
    macroOf(prev, 'Macro 2.1').macro.IsActive = false;
    const next = cloneRoot(base);
    delete macroOf(next, 'Macro 2.1').macro.IsActive;
    expect(brief(diffLibraries(lib(prev), lib(next), AT))).toEqual(['macro_enabled:Macro 2.1']);
  });

  it('an edit and a toggle together give both events', () => {
    const next = cloneRoot(base);
    const { macro } = macroOf(next, 'Macro 1.0');
    macro.IsActive = false;
    macro.Name = 'Edited';
    expect(brief(diffLibraries(lib(base), lib(next), AT))).toEqual(['macro_modified:Edited', 'macro_disabled:Edited']);
  });

  it('moving a macro to another group is a modification', () => {
    const next = cloneRoot(base);
    const g0 = groupOf(next, 'Group 0');
    const g2 = groupOf(next, 'Group 2');
    const moved = (g0.Macros as PlistDict[]).splice(3, 1)[0];
    (g2.Macros as PlistDict[]).push(moved);
    const evs = diffLibraries(lib(base), lib(next), AT);
    expect(brief(evs)).toEqual(['macro_modified:Macro 0.3']);
    expect(evs[0].old).toMatchObject({ group: 'Group 0' });
    expect(evs[0].new).toMatchObject({ group: 'Group 2' });
  });

  it('reordering macros or groups gives nothing', () => {
    const next = cloneRoot(base);
    next.MacroGroups.reverse();
    (next.MacroGroups[0].Macros as PlistDict[]).reverse();
    expect(diffLibraries(lib(base), lib(next), AT)).toEqual([]);
  });

  it('add and remove macros', () => {
    const next = cloneRoot(base);
    (groupOf(next, 'Group 1').Macros as PlistDict[]).splice(0, 1);
    (groupOf(next, 'Group 2').Macros as PlistDict[]).push(makeMacro(rng(1), 'New one'));
    const evs = diffLibraries(lib(base), lib(next), AT);
    expect(brief(evs)).toEqual(['macro_added:New one', 'macro_removed:Macro 1.0']);
    expect(evs[1]).toMatchObject({ group: 'Group 1' });
    expect(evs[1]).not.toHaveProperty('new');
    expect(evs[1].old).toMatchObject({ name: 'Macro 1.0' });
  });

  it('group renamed: one event, no per-macro events', () => {
    const next = cloneRoot(base);
    groupOf(next, 'Group 1').Name = 'Work';
    const evs = diffLibraries(lib(base), lib(next), AT);
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({ type: 'group_renamed', name: 'Work', group: 'Work', old: { name: 'Group 1' }, new: { name: 'Work', macros: 4 } });
  });

  it('group added/removed with their macros; group toggled; group attributes changed', () => {
    const next = cloneRoot(base);
    const removed = next.MacroGroups.splice(1, 1)[0];
    const rand = rng(5);
    next.MacroGroups.push(makeGroup(rand, 'Fresh', [makeMacro(rand, 'F1')]));
    groupOf(next, 'Group 0').IsActive = false;
    groupOf(next, 'Group 2').Targeting = { Targeting: 'Included', TargetingApps: [] };
    const evs = diffLibraries(lib(base), lib(next), AT);
    expect(brief(evs)).toEqual([
      'group_disabled:Group 0',
      'group_modified:Group 2',
      'group_added:Fresh',
      'group_removed:Group 1',
      'macro_added:F1',
      ...(removed.Macros as PlistDict[]).map((m) => `macro_removed:${m.Name}`),
    ]);
  });
});
