/**
 * The Keyboard Maestro scripting port: the exact command lines it runs, through recording fake
 * `osascript`, `pgrep` and `keyboardmaestro` executables first on PATH, and the words for refusals.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { KmScripting, KmScriptingError, classifyFailure, osascriptArgs } from '../../../electron/engine/km/scripting.js';
import { commandRunner } from '../../../electron/engine/km/restore.js';
import { readLibrary } from '../../../electron/engine/km/index.js';
import { fakeKm, NOT_AUTHORIZED } from '../../integration/km/fake-km.js';
import { generateLibrary, writeLibrary } from '../../helpers/km-library.js';
import { tmp } from '../../helpers/machine.js';

function setup(o: { cli?: boolean } = {}) {
  const dir = join(tmp('cs-km-script-'), 'Keyboard Maestro');
  mkdirSync(dir, { recursive: true });
  const lib = join(dir, 'Keyboard Maestro Macros.plist');
  const root = generateLibrary({ groups: 2, macrosPerGroup: 2, seed: 5 });
  writeLibrary(lib, root, 'binary');
  const fk = fakeKm(lib, o);
  return { lib, root, fk, s: new KmScripting({ run: fk.run, cliPaths: ['keyboardmaestro'] }) };
}

describe('KmScripting command lines', () => {
  it('asks the editor its version first, and names every macro by UID as an argument', async () => {
    const { fk, s, root, lib } = setup();
    expect(await s.probe()).toBe('11.0.3');
    const uids = (root.MacroGroups[0].Macros as { UID: string }[]).map((m) => m.UID);
    await s.deleteMacros([uids[0]]);
    await s.setEnabled([uids[1]], false);
    await s.setEnabled([root.MacroGroups[1].UID as string], true);
    await s.renameGroup(root.MacroGroups[1].UID as string, 'Renamed "quoted" \\ group');
    expect(fk.calls()).toEqual([
      ['osascript', '-e', 'tell application "Keyboard Maestro" to get version'],
      [
        'osascript',
        '-e',
        'on run argv',
        '-e',
        'tell application "Keyboard Maestro"',
        '-e',
        'repeat with u in argv',
        '-e',
        'if exists macro id (contents of u) then delete macro id (contents of u)',
        '-e',
        'end repeat',
        '-e',
        'end tell',
        '-e',
        'end run',
        uids[0],
      ],
      ['osascript', '-e', 'on run argv', '-e', 'tell application "Keyboard Maestro"', '-e', 'repeat with u in argv', '-e', 'setMacroEnable (contents of u) without enable', '-e', 'end repeat', '-e', 'end tell', '-e', 'end run', uids[1]],
      ['osascript', '-e', 'on run argv', '-e', 'tell application "Keyboard Maestro"', '-e', 'repeat with u in argv', '-e', 'setMacroEnable (contents of u) with enable', '-e', 'end repeat', '-e', 'end tell', '-e', 'end run', root.MacroGroups[1].UID as string],
      ['osascript', '-e', 'on run argv', '-e', 'tell application "Keyboard Maestro" to set name of macro group id (item 1 of argv) to (item 2 of argv)', '-e', 'end run', root.MacroGroups[1].UID as string, 'Renamed "quoted" \\ group'],
    ]);
    // The fake editor did what it was asked on the real file.
    const after = await readLibrary(lib);
    expect(after.macros.has(uids[0])).toBe(false);
    expect(after.macros.get(uids[1])!.enabled).toBe(false);
    expect(after.groups.find((g) => g.uid === root.MacroGroups[1].UID)!.name).toBe('Renamed "quoted" \\ group');
  });

  it('imports a .kmmacros with importMacros, the path as an argument', async () => {
    const { fk, s } = setup();
    await expect(s.importMacros('relative.kmmacros')).rejects.toThrow(/absolute/);
    fk.clearCalls();
    await expect(s.importMacros('/nowhere/x.kmmacros')).rejects.toBeInstanceOf(KmScriptingError);
    expect(fk.calls()).toEqual([['osascript', '-e', 'on run argv', '-e', 'tell application "Keyboard Maestro" to importMacros (POSIX file (item 1 of argv) as alias)', '-e', 'end run', '/nowhere/x.kmmacros']]);
  });

  it('says exactly why when macOS refuses, and how to fix it', async () => {
    const { fk, s } = setup();
    fk.refuse(NOT_AUTHORIZED);
    const e = await s.probe().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KmScriptingError);
    const err = e as KmScriptingError;
    expect(err.kind).toBe('not-authorized');
    expect(err.refused).toBe(true);
    expect(err.reason).toBe('ConfSync is not allowed to control Keyboard Maestro (macOS automation permission not granted)');
    expect(err.fix).toBe('Open System Settings → Privacy & Security → Automation, and allow ConfSync to control Keyboard Maestro.');
    expect(err.detail).toBe(NOT_AUTHORIZED);
    // The Engine's own refusal names the Engine.
    const engine = classifyFailure('osascript', 1, 'execution error: Not authorized to send Apple events to Keyboard Maestro Engine. (-1743)');
    expect(engine.reason).toMatch(/not allowed to control Keyboard Maestro Engine \(macOS automation permission not granted\)/);
    expect(engine.fix).toMatch(/allow ConfSync to control Keyboard Maestro Engine\.$/);
    // Any other failure is a failure of that command, not a refusal.
    const other = classifyFailure('osascript', 1, "execution error: Keyboard Maestro got an error: Can’t get macro id \"X\". (-1728)\n");
    expect(other.kind).toBe('failed');
    expect(other.refused).toBe(false);
    expect(other.reason).toMatch(/^Keyboard Maestro refused a change: execution error/);
  });

  it('without osascript (not macOS) Keyboard Maestro cannot be scripted, in words', async () => {
    const empty = tmp('cs-empty-bin-');
    const s = new KmScripting({ run: commandRunner({ env: { ...process.env, PATH: empty } }) });
    const err = (await s.probe().catch((x: unknown) => x)) as KmScriptingError;
    expect(err.kind).toBe('unavailable');
    expect(err.reason).toBe('Keyboard Maestro cannot be scripted on this machine: osascript was not found (it is part of macOS)');
    expect(await s.engineRunning()).toBe(false);
  });

  it('pgrep says whether the Engine runs', async () => {
    const { fk, s } = setup();
    expect(await s.engineRunning()).toBe(true);
    fk.engine(false);
    expect(await s.engineRunning()).toBe(false);
    expect(fk.calls()).toEqual([
      ['pgrep', '-x', 'Keyboard Maestro Engine'],
      ['pgrep', '-x', 'Keyboard Maestro Engine'],
    ]);
  });

  it('shows a macro with Keyboard Maestro 11’s keyboardmaestro --edit, else the editor’s editMacro', async () => {
    const withCli = setup({ cli: true });
    expect(await withCli.s.showMacro('ABC-123')).toBe('keyboardmaestro');
    expect(withCli.fk.calls()).toEqual([['keyboardmaestro', '--edit', 'ABC-123']]);
    const without = setup();
    expect(await without.s.showMacro('ABC-123')).toBe('osascript');
    expect(without.fk.calls()).toEqual([['osascript', '-e', 'on run argv', '-e', 'tell application "Keyboard Maestro" to editMacro (item 1 of argv)', '-e', 'end run', 'ABC-123']]);
  });

  it('never splices data into a script', () => {
    expect(() => osascriptArgs(['on run argv'], ['a\0b'])).toThrow(/NUL/);
    expect(osascriptArgs(['x', 'y'], ['"; do shell script "rm -rf ~"'])).toEqual(['-e', 'x', '-e', 'y', '"; do shell script "rm -rf ~"']);
  });
});
