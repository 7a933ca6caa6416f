/**
 * Applying a library version to the live library while the Engine runs: the per-macro plan, the
 * commands it becomes (through recording fakes on PATH that edit a real library file the way
 * Keyboard Maestro's editor does), the check by re-reading the library, refusals, and putting back a
 * change that failed midway.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildImportFile, planLiveApply, planWords } from '../../../electron/engine/km/live-apply.js';
import { KmLiveSync } from '../../../electron/engine/km/live-sync.js';
import { KmScripting } from '../../../electron/engine/km/scripting.js';
import { normaliseLibrary, parseLibrary, readLibrary, type KmLibrary } from '../../../electron/engine/km/index.js';
import { decodePlist } from '../../../electron/engine/km/plist-codec.js';
import { cloneRoot, encodeLibrary, generateLibrary, groupOf, macroOf, makeMacro, rng, writeLibrary, type PlistDict } from '../../helpers/km-library.js';
import { fakeKm, scripts, NOT_AUTHORIZED } from '../../integration/km/fake-km.js';
import { tmp } from '../../helpers/machine.js';

type Root = { MacroGroups: PlistDict[] };
const lib = (root: Root): KmLibrary => normaliseLibrary(root as never);

function edited(root: Root) {
  const next = cloneRoot(root);
  const m00 = macroOf(next, 'Macro 0.0').macro;
  m00.Name = 'Renamed';
  (m00.Actions as PlistDict[])[0].Text = 'new text';
  const m11 = macroOf(next, 'Macro 1.1').macro;
  m11.IsActive = false;
  m11.ModificationDate = 999999999.5;
  const g1 = groupOf(next, 'Group 1');
  g1.Macros = (g1.Macros as PlistDict[]).filter((m) => m.Name !== 'Macro 1.0');
  (groupOf(next, 'Group 0').Macros as PlistDict[]).push(makeMacro(rng(99), 'Brand new', { actions: 2 }));
  return next;
}

describe('planLiveApply', () => {
  const root = generateLibrary({ groups: 2, macrosPerGroup: 3, seed: 21 }) as Root;

  it('is the per-macro difference: import changed and new macros, delete removed ones, flip enabled flags', () => {
    const next = edited(root);
    const plan = planLiveApply(lib(root), lib(next));
    const uid = (n: string) => macroOf(root, n).macro.UID as string;
    expect(plan.unsupported).toEqual([]);
    expect(plan.imports.map((m) => m.name).sort()).toEqual(['Brand new', 'Renamed']);
    expect(plan.deleteFirst).toEqual([uid('Macro 0.0')]);
    expect(plan.deletes).toEqual([uid('Macro 1.0')]);
    expect(plan.disable).toEqual([uid('Macro 1.1')]);
    expect(plan.enable).toEqual([]);
    expect(plan.macros.map((m) => `${m.change}:${m.name}`).sort()).toEqual(['added:Brand new', 'changed:Renamed', 'disabled:Macro 1.1', 'removed:Macro 1.0']);
    expect(planWords(plan.macros)).toBe('4 macros (1 changed, 1 added, 1 removed, 1 disabled)');
  });

  it('ignores a new modification date alone, and moves a macro by importing it into its new group', () => {
    const touched = cloneRoot(root);
    macroOf(touched, 'Macro 0.1').macro.ModificationDate = 123.5;
    const p0 = planLiveApply(lib(root), lib(touched));
    expect(p0.macros).toEqual([]);
    const moved = cloneRoot(root);
    const m = macroOf(moved, 'Macro 0.1');
    m.group.Macros = (m.group.Macros as PlistDict[]).filter((x) => x !== m.macro);
    (groupOf(moved, 'Group 1').Macros as PlistDict[]).push(m.macro);
    const p = planLiveApply(lib(root), lib(moved));
    expect(p.imports.map((x) => `${x.name}→${x.groupName}`)).toEqual(['Macro 0.1→Group 1']);
    expect(p.deleteFirst).toEqual([m.macro.UID]);
  });

  it('renames and enables groups by UID; names what scripting cannot apply', () => {
    const next = cloneRoot(root);
    groupOf(next, 'Group 0').Name = 'Group zero';
    groupOf(next, 'Group 1').IsActive = false;
    const p = planLiveApply(lib(root), lib(next));
    expect(p.groupRenames).toEqual([{ uid: root.MacroGroups[0].UID, name: 'Group zero' }]);
    expect(p.groupDisable).toEqual([root.MacroGroups[1].UID]);
    expect(p.unsupported).toEqual([]);

    const odd = cloneRoot(root);
    groupOf(odd, 'Group 1').Activate = 'Always';
    (odd as PlistDict).SomeSetting = 1;
    const q = planLiveApply(lib(root), lib(odd));
    expect(q.unsupported).toEqual(["the settings of group 'Group 1' (activation, targeting or search) changed", 'library settings outside the macro groups changed']);
  });

  it('puts every macro to import into one .kmmacros, each in its group', () => {
    const plan = planLiveApply(lib(root), lib(edited(root)));
    const file = decodePlist(buildImportFile(plan)).value as PlistDict[];
    expect(file.map((g) => g.Name)).toEqual(['Group 0']);
    expect((file[0].Macros as PlistDict[]).map((m) => m.Name).sort()).toEqual(['Brand new', 'Renamed']);
    expect(file[0].UID).toBe(root.MacroGroups[0].UID);
  });
});

function machine(o: { running?: boolean } = {}) {
  const dir = join(tmp('cs-km-apply-'), 'Library', 'Application Support', 'Keyboard Maestro');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'Keyboard Maestro Macros.plist');
  const root = generateLibrary({ groups: 2, macrosPerGroup: 3, seed: 8 }) as Root;
  writeLibrary(path, root, 'binary');
  const fk = fakeKm(path, { engineRunning: o.running ?? true });
  const activity: string[] = [];
  const sync = new KmLiveSync({ scripting: new KmScripting({ run: fk.run }), runningCacheMs: 0, verifyTimeoutMs: 5000, activity: (t) => activity.push(t) });
  return { path, root, fk, sync, activity };
}

/** Macros by name → [enabled, what they do] (ModificationDate and UIDs aside). */
function content(l: KmLibrary): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of l.macros.values()) {
    const { ModificationDate: _d, UID: _u, ...rest } = m.raw;
    out[`${m.groupName}/${m.name}`] = JSON.stringify(rest);
  }
  return out;
}

describe('KmLiveSync: the library as a live-IO port', () => {
  it('while the Engine runs, applies the version macro by macro through scripting and checks the library', async () => {
    const m = machine();
    const target = edited(m.root);
    const bytes = encodeLibrary(target, 'binary');
    m.fk.clearCalls();
    expect(await m.sync.port.write(m.path, bytes, {})).toEqual({});
    const after = await readLibrary(m.path);
    expect(content(after)).toEqual(content(parseLibrary(bytes)));
    // The UIDs survive (each changed macro was deleted before it was imported).
    expect([...after.macros.keys()].sort()).toEqual([...parseLibrary(bytes).macros.keys()].sort());
    const s = scripts(m.fk.calls());
    expect(s.map((x) => x.lines.find((l) => /get version|delete macro id|importMacros|setMacroEnable/.test(l)))).toEqual([
      'tell application "Keyboard Maestro" to get version',
      'if exists macro id (contents of u) then delete macro id (contents of u)',
      'tell application "Keyboard Maestro" to importMacros (POSIX file (item 1 of argv) as alias)',
      'setMacroEnable (contents of u) without enable',
    ]);
    const uid = (n: string) => macroOf(m.root, n).macro.UID as string;
    expect(s[1].args).toEqual([uid('Macro 0.0'), uid('Macro 1.0')]);
    expect(s[2].args[0]).toMatch(/confsync-km-.*\/from-repo-\d+\.kmmacros$/);
    expect(s[3].args).toEqual([uid('Macro 1.1')]);
    expect(m.fk.calls().filter((c) => c[0] === 'pgrep')).toEqual([['pgrep', '-x', 'Keyboard Maestro Engine']]);
    expect(m.sync.getState()).toMatchObject({ status: 'applied', macros: expect.arrayContaining([expect.objectContaining({ name: 'Brand new', change: 'added' })]) });
    expect(m.activity).toContain('Applied 4 macros (1 changed, 1 added, 1 removed, 1 disabled) from the repo through Keyboard Maestro');
  });

  it('with the Engine stopped, writes the file itself and scripts nothing', async () => {
    const m = machine({ running: false });
    const bytes = encodeLibrary(edited(m.root), 'binary');
    m.fk.clearCalls();
    await m.sync.port.write(m.path, bytes, {});
    expect(readFileSync(m.path)).toEqual(bytes);
    expect(m.fk.calls()).toEqual([['pgrep', '-x', 'Keyboard Maestro Engine']]);
  });

  it('when macOS refuses, changes nothing, and the guard holds with the reason and the fix', async () => {
    const m = machine();
    m.fk.refuse(NOT_AUTHORIZED);
    const before = readFileSync(m.path);
    const hold = await m.sync.guard(m.path);
    expect(hold).toBe(
      'the Keyboard Maestro Engine is running and ConfSync is not allowed to control Keyboard Maestro (macOS automation permission not granted): macro changes from the repo are applied when the Engine quits. Open System Settings → Privacy & Security → Automation, and allow ConfSync to control Keyboard Maestro.',
    );
    expect(m.sync.getState()).toMatchObject({ status: 'waiting', reason: 'ConfSync is not allowed to control Keyboard Maestro (macOS automation permission not granted)', fix: 'Open System Settings → Privacy & Security → Automation, and allow ConfSync to control Keyboard Maestro.' });
    // The refusal is trusted for a while: a pass asking again costs no osascript.
    const n = scripts(m.fk.calls()).length;
    expect(await m.sync.guard(m.path)).toBe(hold);
    expect(scripts(m.fk.calls()).length).toBe(n);
    // A write that reaches the port anyway refuses before any change.
    await expect(m.sync.port.write(m.path, encodeLibrary(edited(m.root), 'binary'), {})).rejects.toThrow(/not allowed to control Keyboard Maestro.*nothing was changed/);
    expect(readFileSync(m.path)).toEqual(before);
    // Other files are not the guard's business; the Engine stopped, the core writes the file again.
    expect(await m.sync.guard('/home/x/.zshrc')).toBeNull();
    m.fk.engine(false);
    expect(await m.sync.guard(m.path)).toBeNull();
    expect(m.sync.getState().status).toBe('idle');
  });

  it('holds a first copy while the Engine runs without a library file, saying why', async () => {
    const m = machine();
    const missing = join(m.path, '..', 'Other', 'Keyboard Maestro Macros.plist');
    expect(await m.sync.guard(missing)).toBe(
      'the Keyboard Maestro Engine is running and there is no library file here while it runs: macro changes from the repo are applied when the Engine quits. Quit the Keyboard Maestro Engine once: ConfSync then writes the library, and Keyboard Maestro reads it when it starts again.',
    );
    expect(scripts(m.fk.calls())).toEqual([]);
    m.fk.engine(false);
    expect(await m.sync.guard(missing)).toBeNull();
  });

  it('lets the core write when Keyboard Maestro answers', async () => {
    const m = machine();
    expect(await m.sync.guard(m.path)).toBeNull();
    expect(scripts(m.fk.calls()).map((s) => s.lines)).toEqual([['tell application "Keyboard Maestro" to get version']]);
  });

  it('puts back what changed when a step fails midway, and says so', async () => {
    const m = machine();
    const before = await readLibrary(m.path);
    m.fk.failOn('setMacroEnable');
    const err = (await m.sync.port.write(m.path, encodeLibrary(edited(m.root), 'binary'), {}).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe('Keyboard Maestro refused a change: execution error: Keyboard Maestro got an error: The operation could not be completed. (-10000); the macros changed meanwhile were put back');
    expect(content(await readLibrary(m.path))).toEqual(content(before));
    expect([...(await readLibrary(m.path)).macros.keys()].sort()).toEqual([...before.macros.keys()].sort());
    expect(m.sync.getState()).toMatchObject({ status: 'failed', reason: 'Keyboard Maestro refused a change: execution error: Keyboard Maestro got an error: The operation could not be completed. (-10000)' });

    // When putting back fails too, the words say so.
    m.fk.failOn('importMacros');
    const err2 = (await m.sync.port.write(m.path, encodeLibrary(edited(m.root), 'binary'), {}).catch((e: unknown) => e)) as Error;
    expect(err2.message).toMatch(/\(-10000\); putting back 2 macros \(2 added\) failed too: Keyboard Maestro refused a change/);
  });

  it('refuses what scripting cannot apply before running anything', async () => {
    const m = machine();
    const odd = cloneRoot(m.root);
    groupOf(odd, 'Group 1').Activate = 'Always';
    macroOf(odd, 'Macro 0.0').macro.Name = 'Would change';
    m.fk.clearCalls();
    await expect(m.sync.port.write(m.path, encodeLibrary(odd, 'binary'), {})).rejects.toThrow(/scripting cannot apply this: the settings of group 'Group 1'.*nothing was changed/);
    expect(scripts(m.fk.calls())).toEqual([]);
    expect(m.sync.getState()).toMatchObject({ status: 'failed' });
    expect(await m.sync.guard(m.path)).toMatch(/^the Keyboard Maestro Engine is running and the repo's macro changes could not be applied through Keyboard Maestro \(Keyboard Maestro's scripting cannot apply this/);
  });
});
