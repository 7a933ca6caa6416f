/**
 * One macro's history and restore through the contract's channels (what the KM tab and `confsync km`
 * use), on a real engine, a real repo with the per-macro exports, and Keyboard Maestro played by
 * recording fakes on PATH that edit the real library file.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { Machine, waitFor } from '../../helpers/machine.js';
import { generateLibrary, writeLibrary, macroOf, cloneRoot, groupOf, type PlistDict } from '../../helpers/km-library.js';
import { kmFeature } from '../../../electron/engine/features/km.js';
import { secretsFeature, type Feature } from '../../../electron/engine/features/index.js';
import { readLibrary } from '../../../electron/engine/km/index.js';
import { fakeKm, scripts, NOT_AUTHORIZED, type FakeKm } from './fake-km.js';

const LIB = 'km/Keyboard Maestro Macros.plist';
type Root = { MacroGroups: PlistDict[] };

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
});

async function machine(): Promise<{ m: Machine; fk: FakeKm; root: Root }> {
  const fk = fakeKm('');
  let km: Feature | null = null;
  const m = new Machine('kmhist', {
    profiles: [],
    settings: { km: { baseIntervalMs: 200, fastIntervalMs: 100, slowIntervalMs: 400 } },
    features: () => [secretsFeature(), (km = kmFeature({ run: fk.run, guardCacheMs: 0, verifyTimeoutMs: 10_000 }))],
  });
  open.push(m);
  fk.env.FAKE_KM_LIBRARY = m.path(LIB);
  mkdirSync(m.path('km'), { recursive: true });
  const root = generateLibrary({ groups: 2, macrosPerGroup: 2, seed: 41 }) as Root;
  writeLibrary(m.path(LIB), root, 'binary');
  await m.open();
  m.engine.settings.update({ km: { libraryPath: m.path(LIB) } });
  await km!.start!(m.engine);
  await waitFor(() => m.commits().some((c) => /Keyboard Maestro: 4 macro files/.test(c)), 'first export');
  return { m, fk, root };
}

describe('per-macro history and restore', () => {
  it('lists a macro’s versions over renames, shows one, restores it through Keyboard Maestro', async () => {
    const { m, fk, root } = await machine();
    const uid = macroOf(root, 'Macro 0.1').macro.UID as string;
    const next = cloneRoot(root);
    const mac = macroOf(next, 'Macro 0.1').macro;
    mac.Name = 'Renamed later';
    (mac.Actions as PlistDict[])[0].Text = 'the new text';
    writeLibrary(m.path(LIB), next, 'binary');
    await waitFor(() => m.commits().some((c) => /1 macro change \(Renamed later\)/.test(c)), 'second export');

    const h = await m.invoke('km:history', { uid });
    expect(h).toMatchObject({ uid, name: 'Renamed later', inLibrary: true, exported: true });
    expect(h.versions.map((v) => [v.name, v.group, v.host, v.deleted])).toEqual([
      ['Renamed later', 'Group 0', 'kmhist', false],
      ['Macro 0.1', 'Group 0', 'kmhist', false],
    ]);
    const old = h.versions[1];
    const shown = await m.invoke('km:version', { uid, rev: old.rev });
    expect(shown.content).toContain('<string>Macro 0.1</string>');
    expect(shown.content).not.toContain('the new text');
    expect(shown.current).toContain('<string>Renamed later</string>');
    expect(shown.current).toContain('the new text');

    fk.clearCalls();
    const r = await m.invoke('km:restore', { uid, rev: old.rev });
    expect(r).toMatchObject({ kind: 'restored', name: 'Macro 0.1', group: 'Group 0', host: 'kmhist', reason: null, fix: null });
    const lib = await readLibrary(m.path(LIB));
    expect(lib.macros.get(uid)!.name).toBe('Macro 0.1');
    expect(JSON.stringify(lib.macros.get(uid)!.raw.Actions)).toBe(JSON.stringify(macroOf(root, 'Macro 0.1').macro.Actions));
    expect(scripts(fk.calls()).map((s) => [s.lines.find((l) => /get version|delete macro id|importMacros/.test(l)), s.args])).toEqual([
      ['tell application "Keyboard Maestro" to get version', []],
      ['if exists macro id (contents of u) then delete macro id (contents of u)', [uid]],
      ['tell application "Keyboard Maestro" to importMacros (POSIX file (item 1 of argv) as alias)', [r.path]],
    ]);
    expect(r.path).toBe(`${m.configDir}/km-import/Macro 0.1 (${uid}).kmmacros`);
    expect((await m.invoke('state:get')).activity.some((a) => a.text === "Macro 'Macro 0.1' restored to the version saved on kmhist")).toBe(true);
    // Keyboard Maestro's change is a change like any other: exported, a third version.
    await waitFor(async () => (await m.invoke('km:history', { uid })).versions.length === 3, 'the restore exported as a new version');
  });

  it('a deleted macro comes back from its last version; a refusal saves the file with the reason and fix', async () => {
    const { m, fk, root } = await machine();
    const uid = macroOf(root, 'Macro 1.0').macro.UID as string;
    const next = cloneRoot(root);
    const g = groupOf(next, 'Group 1');
    g.Macros = (g.Macros as PlistDict[]).filter((x) => x.UID !== uid);
    writeLibrary(m.path(LIB), next, 'binary');
    await waitFor(async () => (await m.invoke('km:history', { uid })).versions[0]?.deleted === true, 'the deletion in history');
    const h = await m.invoke('km:history', { uid });
    expect(h).toMatchObject({ name: 'Macro 1.0', inLibrary: false });
    await expect(m.invoke('km:restore', { uid, rev: h.versions[0].rev })).rejects.toThrow(/that version of 'Macro 1\.0' is its deletion; choose an earlier version to restore/);

    fk.refuse(NOT_AUTHORIZED);
    const saved = await m.invoke('km:restore', { uid });
    expect(saved).toMatchObject({
      kind: 'saved',
      name: 'Macro 1.0',
      reason: 'ConfSync is not allowed to control Keyboard Maestro (macOS automation permission not granted)',
      fix: 'Open System Settings → Privacy & Security → Automation, and allow ConfSync to control Keyboard Maestro.',
    });
    expect(existsSync(saved.path)).toBe(true);
    expect(readFileSync(saved.path, 'utf8')).toContain('<string>Macro 1.0</string>');
    expect((await readLibrary(m.path(LIB))).macros.has(uid)).toBe(false);

    fk.refuse(null);
    fk.clearCalls();
    const back = await m.invoke('km:restore', { uid });
    expect(back.kind).toBe('restored');
    expect((await readLibrary(m.path(LIB))).macros.get(uid)?.name).toBe('Macro 1.0');
    // Not in the library: nothing to delete first.
    expect(scripts(fk.calls()).some((s) => s.lines.some((l) => l.includes('delete macro id')))).toBe(false);
  });

  it('names what was wrong with what was asked', async () => {
    const { m, root } = await machine();
    await expect(m.invoke('km:history', { uid: '../../etc' })).rejects.toThrow(/invalid payload for km:history: uid: a macro UID/);
    expect((await m.invoke('km:history', { uid: 'NO-SUCH-MACRO' })).versions).toEqual([]);
    await expect(m.invoke('km:restore', { uid: 'NO-SUCH-MACRO' })).rejects.toThrow(/no exported macro with UID NO-SUCH-MACRO in the sync repo/);
    const uid = macroOf(root, 'Macro 0.0').macro.UID as string;
    await expect(m.invoke('km:restore', { uid, rev: 'nosuchrev' })).rejects.toThrow(/unknown revision "nosuchrev" \(`confsync km history .*` lists the versions of this macro\)/);
    await expect(m.invoke('km:version', { uid, rev: 'HEAD~5' })).rejects.toThrow(/unknown revision "HEAD~5"/);
  });
});
