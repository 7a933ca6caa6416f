/**
 * Keyboard Maestro synced while its Engine runs, between two machines (alpha, bravo) through a real
 * bare remote. Bravo's Keyboard Maestro is played by recording fakes on PATH (osascript that edits
 * bravo's real library file as the editor would, pgrep that says the Engine runs): remote macro
 * changes arrive through scripting, a refusal makes them wait with the reason while bravo's own
 * changes keep reaching alpha, and they are applied once the permission is granted or the Engine quits.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdirSync, readFileSync, copyFileSync } from 'node:fs';
import { Machine, bareRemote, waitFor } from '../../helpers/machine.js';
import { generateLibrary, writeLibrary, macroOf, cloneRoot, groupOf, makeMacro, rng, type PlistDict } from '../../helpers/km-library.js';
import { kmFeature, type KmFeatureOptions } from '../../../electron/engine/features/km.js';
import { secretsFeature, type Feature } from '../../../electron/engine/features/index.js';
import { readLibrary, type KmLibrary } from '../../../electron/engine/km/index.js';
import { fakeKm, scripts, NOT_AUTHORIZED, type FakeKm } from './fake-km.js';

const LIB = 'km/Keyboard Maestro Macros.plist';
type Root = { MacroGroups: PlistDict[] };

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
});

const kmOf = new Map<Machine, Feature>();

function kmMachine(name: string, remote: string, o: KmFeatureOptions = {}) {
  const km = kmFeature({ guardCacheMs: 0, verifyTimeoutMs: 10_000, pollMs: 100, ...o });
  const m = new Machine(name, { remote, profiles: [], settings: { km: { baseIntervalMs: 200, fastIntervalMs: 100, slowIntervalMs: 400 } }, features: () => [secretsFeature(), km] });
  kmOf.set(m, km);
  open.push(m);
  mkdirSync(m.path('km'), { recursive: true });
  return m;
}

async function openWithKm(m: Machine) {
  await m.open();
  m.engine.settings.update({ km: { libraryPath: m.path(LIB) } });
  await kmOf.get(m)!.start!(m.engine);
  await m.invoke('profiles:save', { profile: { name: 'kmlib', paths: [`~/${LIB}`] } });
  await m.invoke('profiles:set-enabled', { name: 'kmlib', enabled: true });
}

/** group/name → enabled and what the macro does (UIDs and ModificationDate aside). */
function macros(l: KmLibrary): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of l.macros.values()) {
    const { ModificationDate: _d, UID: _u, ...rest } = m.raw;
    out[`${m.groupName}/${m.name}`] = JSON.stringify(rest);
  }
  return out;
}

/** alpha (no Keyboard Maestro running) and bravo (its Engine running, played by fakes) share a library. */
async function pair(root: Root, bravoOptions: (fk: FakeKm) => KmFeatureOptions = (fk) => ({ run: fk.run })) {
  const remote = bareRemote();
  const a = kmMachine('alpha', remote, { isRunning: async () => false });
  writeLibrary(a.path(LIB), root, 'binary');
  await openWithKm(a);
  await a.sync();
  const fk = fakeKm(''); // bravo's library path is set below, once bravo's home exists
  const b = kmMachine('bravo', remote, bravoOptions(fk));
  fk.env.FAKE_KM_LIBRARY = b.path(LIB);
  // Bravo had the same library already (Keyboard Maestro running there).
  copyFileSync(a.path(LIB), b.path(LIB));
  await openWithKm(b);
  await b.sync();
  return { a, b, fk, remote };
}

describe('Keyboard Maestro while its Engine runs', () => {
  it('applies macro changes from another machine through Keyboard Maestro’s scripting, then both agree', async () => {
    const root = generateLibrary({ groups: 2, macrosPerGroup: 3, seed: 31 }) as Root;
    const { a, b, fk } = await pair(root);
    const uid = (n: string) => macroOf(root, n).macro.UID as string;

    const next = cloneRoot(root);
    macroOf(next, 'Macro 0.1').macro.Name = 'Renamed on alpha';
    macroOf(next, 'Macro 1.2').macro.IsActive = false;
    const g0 = groupOf(next, 'Group 0');
    g0.Macros = (g0.Macros as PlistDict[]).filter((m) => m.Name !== 'Macro 0.2');
    (groupOf(next, 'Group 1').Macros as PlistDict[]).push(makeMacro(rng(5), 'Added on alpha', { actions: 2 }));
    const sent = writeLibrary(a.path(LIB), next, 'binary');
    await a.sync();

    fk.clearCalls();
    const r = await b.sync();
    expect(r.kind).toBe('ok');
    const onB = await readLibrary(b.path(LIB));
    expect(macros(onB)).toEqual(macros(await readLibrary(a.path(LIB))));
    // Keyboard Maestro wrote it (ConfSync never wrote the file): its own bytes, its own dates.
    expect(readFileSync(b.path(LIB)).equals(sent)).toBe(false);
    expect(onB.macros.get(uid('Macro 0.1'))!.raw.ModificationDate).not.toEqual(macroOf(next, 'Renamed on alpha').macro.ModificationDate);
    // The exact commands: the guard's question, the apply's question, one delete, one import, one disable.
    const s = scripts(fk.calls());
    expect(s.map((x) => x.lines.join(' | '))).toEqual([
      'tell application "Keyboard Maestro" to get version',
      'tell application "Keyboard Maestro" to get version',
      'on run argv | tell application "Keyboard Maestro" | repeat with u in argv | if exists macro id (contents of u) then delete macro id (contents of u) | end repeat | end tell | end run',
      'on run argv | tell application "Keyboard Maestro" to importMacros (POSIX file (item 1 of argv) as alias) | end run',
      'on run argv | tell application "Keyboard Maestro" | repeat with u in argv | setMacroEnable (contents of u) without enable | end repeat | end tell | end run',
    ]);
    expect(s[2].args).toEqual([uid('Macro 0.1'), uid('Macro 0.2')]);
    expect(s[4].args).toEqual([uid('Macro 1.2')]);
    expect(await b.invoke('km:apply-state')).toMatchObject({ status: 'applied', reason: null });
    expect((await b.invoke('state:get')).activity.some((x) => x.text === 'Applied 4 macros (1 changed, 1 added, 1 removed, 1 disabled) from the repo through Keyboard Maestro')).toBe(true);

    // Keyboard Maestro's rewrite is bravo's version now: committed, and alpha takes it; nothing differs after.
    await b.sync();
    await a.sync();
    expect(macros(await readLibrary(a.path(LIB)))).toEqual(macros(onB));
    expect(a.repoFile(`kmlib/${LIB}`)).toBe(b.repoFile(`kmlib/${LIB}`));
    const again = await b.sync();
    expect(again.committed + again.applied).toBe(0);
  });

  it('when scripting is refused: waits with the reason and the fix, keeps sending its own changes, applies after Try again', async () => {
    const root = generateLibrary({ groups: 2, macrosPerGroup: 3, seed: 32 }) as Root;
    const { a, b, fk } = await pair(root);
    fk.refuse(NOT_AUTHORIZED);

    const fromA = cloneRoot(root);
    macroOf(fromA, 'Macro 0.0').macro.Name = 'Renamed on alpha';
    writeLibrary(a.path(LIB), fromA, 'binary');
    await a.sync();
    const before = readFileSync(b.path(LIB));
    const r = await b.sync();
    const held = r.skipped.find((k) => k.path === b.path(LIB));
    expect(held?.reason).toBe(
      'the Keyboard Maestro Engine is running and ConfSync is not allowed to control Keyboard Maestro (macOS automation permission not granted): macro changes from the repo are applied when the Engine quits. Open System Settings → Privacy & Security → Automation, and allow ConfSync to control Keyboard Maestro.',
    );
    expect(readFileSync(b.path(LIB)).equals(before)).toBe(true);
    expect(await b.invoke('km:apply-state')).toMatchObject({
      status: 'waiting',
      reason: 'ConfSync is not allowed to control Keyboard Maestro (macOS automation permission not granted)',
      fix: 'Open System Settings → Privacy & Security → Automation, and allow ConfSync to control Keyboard Maestro.',
    });
    // What waits, macro by macro (worked out while the refusal lasts).
    await waitFor(async () => JSON.stringify((await b.invoke('km:apply-state')).macros.map((m) => [m.group, m.name, m.change])) === JSON.stringify([['Group 0', 'Renamed on alpha', 'changed']]), 'the waiting macro listed');

    // Bravo's own edit (saved by Keyboard Maestro) still reaches alpha while alpha's change waits here.
    const onB = cloneRoot(root);
    macroOf(onB, 'Macro 1.1').macro.Name = 'Renamed on bravo';
    writeLibrary(b.path(LIB), onB, 'binary');
    await waitFor(() => b.commits().some((c) => /bravo: Keyboard Maestro: 1 macro changed here \(Renamed on bravo\), kept while the repo's macro changes wait for the Engine to quit/.test(c)), 'bravo keeps its own change');
    await waitFor(async () => (await b.invoke('km:apply-state')).keptLocal === 1, 'one local change kept');
    await b.sync();
    await a.sync();
    const onA = macros(await readLibrary(a.path(LIB)));
    expect(Object.keys(onA)).toContain('Group 1/Renamed on bravo');
    expect(Object.keys(onA)).toContain('Group 0/Renamed on alpha');
    expect(Object.keys(macros(await readLibrary(b.path(LIB))))).not.toContain('Group 0/Renamed on alpha');

    // The permission is granted; "Try again" applies what waited, through scripting.
    fk.refuse(null);
    fk.clearCalls();
    expect((await b.invoke('km:apply-retry')).status).toBe('idle');
    await waitFor(async () => Object.keys(macros(await readLibrary(b.path(LIB)))).includes('Group 0/Renamed on alpha'), 'alpha’s change applied on bravo');
    expect(scripts(fk.calls()).some((s) => s.lines.some((l) => l.includes('importMacros')))).toBe(true);
    await waitFor(async () => (await b.invoke('km:apply-state')).status === 'applied', 'applied state');
    expect(macros(await readLibrary(b.path(LIB)))).toEqual(onA);
  });

  it('when scripting is refused, what waited is written once the Engine quits', async () => {
    const root = generateLibrary({ groups: 1, macrosPerGroup: 3, seed: 33 }) as Root;
    const { a, b, fk } = await pair(root);
    fk.refuse(NOT_AUTHORIZED);
    const fromA = cloneRoot(root);
    macroOf(fromA, 'Macro 0.2').macro.IsActive = false;
    writeLibrary(a.path(LIB), fromA, 'binary');
    await a.sync();
    await b.sync();
    expect((await b.invoke('km:apply-state')).status).toBe('waiting');
    fk.engine(false); // the person quits the Engine: pgrep finds nothing, the feature asks for a sync
    await waitFor(async () => (await readLibrary(b.path(LIB))).macros.get(macroOf(root, 'Macro 0.2').macro.UID as string)?.enabled === false, 'written after the Engine quit', 20_000);
    expect((await b.invoke('km:apply-state')).status).toBe('idle');
  });

  it('a macro changed both here and in the repo while scripting is refused waits, naming it', async () => {
    const root = generateLibrary({ groups: 1, macrosPerGroup: 2, seed: 34 }) as Root;
    const { a, b, fk } = await pair(root);
    fk.refuse(NOT_AUTHORIZED);
    const fromA = cloneRoot(root);
    macroOf(fromA, 'Macro 0.0').macro.Name = 'Alpha name';
    writeLibrary(a.path(LIB), fromA, 'binary');
    await a.sync();
    await b.sync();
    const onB = cloneRoot(root);
    macroOf(onB, 'Macro 0.0').macro.Name = 'Bravo name';
    writeLibrary(b.path(LIB), onB, 'binary');
    await waitFor(async () => (await b.invoke('km:apply-state')).status === 'conflict', 'conflict state');
    expect((await b.invoke('km:apply-state')).reason).toBe("one macro changed both here and in the repo (Macro 'Bravo name' in group 'Group 0' changed on both machines)");
  });
});
