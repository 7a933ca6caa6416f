/**
 * A 2,000-macro library on disk, read through the real file system by KmPoller (fake clock): exactly
 * the k changes made come out as events, nothing else.
 */
import { mkdtempSync, renameSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KmPoller, type KmEvent } from '../../../electron/engine/km/index.js';
import { cloneRoot, generateLibrary, groupOf, macroOf, makeMacro, rng, writeLibrary, type PlistDict } from '../../helpers/km-library.js';
import { FakeClock } from '../../unit/km/fakes.js';

const root0 = generateLibrary({ groups: 20, macrosPerGroup: 100, seed: 2024 });

function bumpMtime(path: string, seconds: number): void {
  const t = new Date(Date.UTC(2030, 0, 1, 0, 0, seconds));
  utimesSync(path, t, t);
}

describe.each(['binary', 'xml'] as const)('2,000-macro %s library', (format) => {
  it('reports exactly the changed macros and group, nothing else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'km-large-'));
    const path = join(dir, 'Keyboard Maestro Macros.plist');
    writeLibrary(path, root0, format);
    bumpMtime(path, 1);
    const clock = new FakeClock();
    const poller = new KmPoller({ libraryPath: path, batchMs: 0 }, { clock });
    const batches: KmEvent[][] = [];
    poller.onEvents((e) => batches.push(e));
    await poller.pollNow();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toEqual([expect.objectContaining({ type: 'library_reloaded', new: { groups: 20, macros: 2000, enabledMacros: 2000 } })]);
    expect(poller.getState()).toMatchObject({ status: 'active', macros: 2000, groups: 20, parses: 1 });

    const next = cloneRoot(root0);
    const modified = macroOf(next, 'Macro 3.7').macro;
    (modified.Actions as PlistDict[])[0].Text = 'changed text';
    const disabled = macroOf(next, 'Macro 5.5').macro;
    disabled.IsActive = false;
    disabled.ModificationDate = 799999999.5;
    const added = makeMacro(rng(1), 'Brand new macro');
    (groupOf(next, 'Group 9').Macros as PlistDict[]).push(added);
    const g12 = groupOf(next, 'Group 12');
    const removed = (g12.Macros as PlistDict[]).splice(0, 1)[0];
    const renamed = groupOf(next, 'Group 15');
    renamed.Name = 'Renamed Group';
    // KM saves by replacing the file
    writeLibrary(join(dir, 'tmp.plist'), next, format);
    renameSync(join(dir, 'tmp.plist'), path);
    bumpMtime(path, 2);

    await poller.pollNow();
    expect(batches).toHaveLength(2);
    expect(batches[1].map((e) => ({ type: e.type, uid: e.uid, name: e.name, group: e.group }))).toEqual([
      { type: 'group_renamed', uid: renamed.UID, name: 'Renamed Group', group: 'Renamed Group' },
      { type: 'macro_modified', uid: modified.UID, name: 'Macro 3.7', group: 'Group 3' },
      { type: 'macro_disabled', uid: disabled.UID, name: 'Macro 5.5', group: 'Group 5' },
      { type: 'macro_added', uid: added.UID, name: 'Brand new macro', group: 'Group 9' },
      { type: 'macro_removed', uid: removed.UID, name: 'Macro 12.0', group: 'Group 12' },
    ]);
    expect(batches[1].every((e) => e.at === clock.now())).toBe(true);
    expect(poller.getState()).toMatchObject({ macros: 2000, enabledMacros: 1999, parses: 2 });

    // unchanged file: the cheap path, no parse, no events
    await poller.pollNow();
    expect(poller.getState()).toMatchObject({ polls: 3, skips: 1, parses: 2 });
    expect(batches).toHaveLength(2);
    expect(poller.listMacros({ group: 'Renamed Group' })).toHaveLength(100);

    // the file vanishes and comes back (real fs): absent, then reloaded, no removals
    rmSync(path);
    await poller.pollNow();
    expect(poller.getState()).toMatchObject({ status: 'absent', macros: 2000 });
    expect(poller.isStale()).toBe(true);
    writeLibrary(path, next, format);
    await poller.pollNow();
    expect(batches.map((b) => b.map((e) => e.type))[2]).toEqual(['library_reloaded']);
  });
});
