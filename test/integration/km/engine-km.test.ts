/**
 * Keyboard Maestro inside the engine: the poller's live state and activity, per-macro export commits,
 * and the library merged by macro UID between two machines.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdirSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Machine, bareRemote, git, tmp, waitFor } from '../../helpers/machine.js';
import { generateLibrary, writeLibrary, macroOf, cloneRoot, groupOf } from '../../helpers/km-library.js';
import { kmFeature, KM_EXPORT_DIR } from '../../../electron/engine/features/km.js';
import { commandRunner, type CommandRunner } from '../../../electron/engine/km/restore.js';
import { secretsFeature, type Feature } from '../../../electron/engine/features/index.js';
import { readLibrary } from '../../../electron/engine/km/index.js';

const LIB = 'km/Keyboard Maestro Macros.plist';
const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
});

const kmOf = new Map<Machine, Feature>();

/** A machine whose Keyboard Maestro feature is started by hand (the test opens it without watchers). */
function kmMachine(name: string, remote: string | null = null, isRunning: () => Promise<boolean> = async () => false, run?: CommandRunner) {
  const km = kmFeature({ isRunning, guardCacheMs: 0, run });
  const m = new Machine(name, {
    remote,
    profiles: [],
    settings: { km: { baseIntervalMs: 200, fastIntervalMs: 100, slowIntervalMs: 400 } },
    features: () => [secretsFeature(), km],
  });
  kmOf.set(m, km);
  // The library path is configurable (km.libraryPath); tests point it into the temp home.
  m.opts.settings = { ...m.opts.settings };
  open.push(m);
  return m;
}

async function openWithKm(m: Machine) {
  mkdirSync(m.path('km'), { recursive: true });
  await m.open();
  m.engine.settings.update({ km: { libraryPath: m.path(LIB) } });
  await kmOf.get(m)!.start!(m.engine);
  await m.invoke('profiles:save', { profile: { name: 'kmlib', paths: [`~/${LIB}`] } });
  await m.invoke('profiles:set-enabled', { name: 'kmlib', enabled: true });
}

describe('Keyboard Maestro in the engine', () => {
  it('goes absent → active, reports macro changes in words, exports and commits one file per macro', async () => {
    const m = kmMachine('km1');
    await openWithKm(m);
    await waitFor(() => m.engine.store.getState().km.status === 'absent', 'absent state');
    const root = generateLibrary({ groups: 2, macrosPerGroup: 3, seed: 7 });
    writeLibrary(m.path(LIB), root, 'binary');
    await waitFor(() => m.engine.store.getState().km.status === 'active' && m.engine.store.getState().km.macros === 6, 'library loaded');
    await waitFor(() => {
      const dir = join(m.repo, KM_EXPORT_DIR);
      return existsSync(dir) && readdirSync(dir).length === 2 && git(m.repo, 'ls-tree', '-r', '--name-only', 'HEAD', KM_EXPORT_DIR).trim().split('\n').length === 6;
    }, 'six exported macros committed');

    const next = cloneRoot(root);
    macroOf(next, 'Macro 0.1').macro.IsActive = false;
    writeLibrary(m.path(LIB), next, 'binary');
    await waitFor(() => m.engine.store.getState().activity.some((a) => a.kind === 'km' && a.text === "Macro 'Macro 0.1' disabled"), 'disabled event in activity');
    const macros = await m.invoke('km:macros');
    expect(macros).toHaveLength(6);
    expect(macros.find((x) => x.name === 'Macro 0.1')).toMatchObject({ enabled: false, active: false, group: 'Group 0' });
    await waitFor(() => m.commits().some((c) => /Keyboard Maestro: 1 macro change \(Macro 0\.1\)/.test(c)), 'per-macro export commit');
    const hist = await m.invoke('history:files');
    const file = hist.find((f) => f.path.startsWith(`${KM_EXPORT_DIR}/`) && f.path.includes('Macro 0.1'));
    expect(file).toBeTruthy();
    expect((await m.invoke('history:list', { path: file!.path })).length).toBe(2);

    // A corrupt library keeps the last good state and reports the error.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(m.path(LIB), Buffer.from('bplist00 truncated garbage'));
    await waitFor(() => m.engine.store.getState().km.error !== null, 'corruption reported');
    expect(m.engine.store.getState().km.macros).toBe(6);
  });

  it('merges different macros edited on two machines by UID, and names a same-macro conflict', async () => {
    const remote = bareRemote();
    const a = kmMachine('alpha', remote);
    const b = kmMachine('bravo', remote);
    const root = generateLibrary({ groups: 2, macrosPerGroup: 4, seed: 3 });
    mkdirSync(a.path('km'), { recursive: true });
    writeLibrary(a.path(LIB), root, 'binary');
    await openWithKm(a);
    await a.sync();
    await openWithKm(b);
    await b.sync();
    expect((await readLibrary(b.path(LIB))).macros.size).toBe(8);

    const ra = cloneRoot(root);
    macroOf(ra, 'Macro 0.0').macro.Name = 'Renamed on alpha';
    writeLibrary(a.path(LIB), ra, 'binary');
    const rb = cloneRoot(root);
    macroOf(rb, 'Macro 1.3').macro.IsActive = false;
    writeLibrary(b.path(LIB), rb, 'binary');
    await a.sync();
    const r = await b.sync();
    expect(r.conflicts).toBe(0);
    const merged = await readLibrary(b.path(LIB));
    const names = [...merged.macros.values()].map((x) => x.name);
    expect(names).toContain('Renamed on alpha');
    expect([...merged.macros.values()].find((x) => x.name === 'Macro 1.3')!.enabled).toBe(false);
    await a.sync();
    const onA = await readLibrary(a.path(LIB));
    expect([...onA.macros.values()].find((x) => x.name === 'Macro 1.3')!.enabled).toBe(false);

    // Now the same macro on both machines.
    const ca = cloneRoot(ra);
    macroOf(ca, 'Macro 0.2').macro.Name = 'Alpha name';
    macroOf(ca, 'Macro 1.3').macro.IsActive = false;
    writeLibrary(a.path(LIB), ca, 'binary');
    const cb = cloneRoot(ra);
    macroOf(cb, 'Macro 0.2').macro.Name = 'Bravo name';
    macroOf(cb, 'Macro 1.3').macro.IsActive = false;
    writeLibrary(b.path(LIB), cb, 'binary');
    await a.sync();
    const r2 = await b.sync();
    expect(r2.kind).toBe('conflict');
    const c = (await b.invoke('state:get')).conflicts.find((x) => x.kind === 'km-macro');
    expect(c?.summary).toMatch(/Macro 'Bravo name' in group 'Group 0' changed on both machines/);
    const detail = await b.invoke('conflicts:detail', { path: c!.path });
    expect(detail.macros?.map((x) => x.name)).toEqual(['Bravo name']);
    expect(detail.macros?.[0].theirs).toContain('Alpha name');
  });

  it('where Keyboard Maestro cannot be scripted, never writes the live library while its Engine runs; applies it once it quits', async () => {
    const remote = bareRemote();
    let kmRunning = true;
    const a = kmMachine('alpha', remote);
    // No osascript on this PATH (as everywhere but macOS).
    const b = kmMachine('bravo', remote, async () => kmRunning, commandRunner({ env: { ...process.env, PATH: tmp('cs-no-osascript-') } }));
    const root = generateLibrary({ groups: 1, macrosPerGroup: 3, seed: 11 });
    mkdirSync(a.path('km'), { recursive: true });
    writeLibrary(a.path(LIB), root, 'binary');
    await openWithKm(a);
    await a.sync();
    await openWithKm(b);
    await b.sync();
    // The first copy is blocked too: nothing is written under a running engine.
    expect(existsSync(b.path(LIB))).toBe(false);
    const first = (await b.invoke('state:get')).skipped.find((k) => k.path === b.path(LIB));
    expect(first?.reason).toMatch(/^the Keyboard Maestro Engine is running and there is no library file here while it runs: macro changes from the repo are applied when the Engine quits\. /);
    kmRunning = false;
    await b.sync();
    expect((await readLibrary(b.path(LIB))).macros.size).toBe(3);

    const next = cloneRoot(root);
    macroOf(next, 'Macro 0.1').macro.Name = 'Renamed while B runs KM';
    writeLibrary(a.path(LIB), next, 'binary');
    await a.sync();
    kmRunning = true;
    const r = await b.sync();
    expect([...(await readLibrary(b.path(LIB))).macros.values()].map((m) => m.name)).not.toContain('Renamed while B runs KM');
    expect(r.skipped.find((k) => k.path === b.path(LIB))?.reason).toBe('the Keyboard Maestro Engine is running and Keyboard Maestro cannot be scripted on this machine: osascript was not found (it is part of macOS): macro changes from the repo are applied when the Engine quits.');
    expect(await b.invoke('km:apply-state')).toMatchObject({ status: 'waiting', reason: 'Keyboard Maestro cannot be scripted on this machine: osascript was not found (it is part of macOS)' });
    kmRunning = false;
    await b.sync();
    expect([...(await readLibrary(b.path(LIB))).macros.values()].map((m) => m.name)).toContain('Renamed while B runs KM');
  });

  it('a conflict on one macro loses no other macro’s edit: both sides’ other edits are live on both machines', async () => {
    const root = generateLibrary({ groups: 2, macrosPerGroup: 3, seed: 6 });
    const remote = bareRemote();
    const a = kmMachine('alpha', remote);
    const b = kmMachine('bravo', remote);
    mkdirSync(a.path('km'), { recursive: true });
    writeLibrary(a.path(LIB), root, 'binary');
    await openWithKm(a);
    await a.sync();
    await openWithKm(b);
    await b.sync();
    const uid = (name: string) => macroOf(root, name).macro.UID as string;
    const setText = (r: typeof root, name: string, t: string) => {
      ((macroOf(r, name).macro.Actions as Record<string, unknown>[])[0] as Record<string, unknown>).Text = t;
    };
    const textOf = async (m: Machine, name: string) => (((await readLibrary(m.path(LIB))).macros.get(uid(name))?.raw.Actions as Record<string, unknown>[] | undefined)?.[0] as Record<string, unknown> | undefined)?.Text;
    const ra = cloneRoot(root);
    setText(ra, 'Macro 0.0', 'A-only');
    setText(ra, 'Macro 0.1', 'A-same');
    writeLibrary(a.path(LIB), ra, 'binary');
    const rb = cloneRoot(root);
    setText(rb, 'Macro 1.1', 'B-only');
    setText(rb, 'Macro 0.1', 'B-same');
    writeLibrary(b.path(LIB), rb, 'binary');
    await a.sync();
    expect((await b.sync()).conflicts).toBe(1);
    await a.sync();
    await b.sync();
    for (const m of [a, b]) {
      expect(await textOf(m, 'Macro 0.0')).toBe('A-only');
      expect(await textOf(m, 'Macro 1.1')).toBe('B-only');
    }
    // The conflicting macro: bravo (which found out) keeps its own; alpha's is in the copy beside it.
    expect(await textOf(b, 'Macro 0.1')).toBe('B-same');
    const copy = readdirSync(a.path('km')).find((n) => n.includes('.conflict-alpha-'));
    expect(copy).toBeDefined();
    const inCopy = (await readLibrary(a.path(`km/${copy}`))).macros.get(uid('Macro 0.1'))?.raw.Actions as Record<string, unknown>[];
    expect(inCopy[0]!.Text).toBe('A-same');
  });

  it('a macro edited on bravo and deleted on alpha, bravo syncing first: the edit is live on both (deleting never beats editing)', async () => {
    const root = generateLibrary({ groups: 2, macrosPerGroup: 3, seed: 8 });
    const remote = bareRemote();
    const a = kmMachine('alpha', remote);
    const b = kmMachine('bravo', remote);
    mkdirSync(a.path('km'), { recursive: true });
    writeLibrary(a.path(LIB), root, 'binary');
    await openWithKm(a);
    await a.sync();
    await openWithKm(b);
    await b.sync();
    const uid = macroOf(root, 'Macro 0.1').macro.UID as string;
    const ra = cloneRoot(root);
    const g = groupOf(ra, 'Group 0');
    g.Macros = (g.Macros as Record<string, unknown>[]).filter((x) => x.UID !== uid);
    writeLibrary(a.path(LIB), ra, 'binary');
    const rb = cloneRoot(root);
    ((macroOf(rb, 'Macro 0.1').macro.Actions as Record<string, unknown>[])[0] as Record<string, unknown>).Text = 'B-edit';
    writeLibrary(b.path(LIB), rb, 'binary');
    await b.sync();
    await a.sync();
    await b.sync();
    for (const m of [a, b]) {
      const actions = (await readLibrary(m.path(LIB))).macros.get(uid)?.raw.Actions as Record<string, unknown>[] | undefined;
      expect(actions?.[0]?.Text).toBe('B-edit');
    }
  });
});
