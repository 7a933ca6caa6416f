/**
 * `confsync km history` and `km restore` through the built CLI (real processes, temp HOME and config
 * dir, no host running: the CLI opens the repo itself), with Keyboard Maestro played by recording fakes
 * first on PATH. The repo's per-macro exports are made by an engine run first (the same machine).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { CLI, daemonEnv } from '../../helpers/daemon.js';
import { Machine, waitFor } from '../../helpers/machine.js';
import { cloneRoot, generateLibrary, macroOf, writeLibrary, type PlistDict } from '../../helpers/km-library.js';
import { kmFeature } from '../../../electron/engine/features/km.js';
import { secretsFeature, type Feature } from '../../../electron/engine/features/index.js';
import { readLibrary } from '../../../electron/engine/km/index.js';
import { fakeKm, scripts, NOT_AUTHORIZED } from './fake-km.js';

const LIB = 'km/Keyboard Maestro Macros.plist';
const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
});

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli/confsync.mjs is missing: run `node scripts/build.mjs cli` first (npm test builds)');
});

/** A machine whose engine exported two versions of 'Macro 0.1' (renamed), then stopped. */
async function exported() {
  let km: Feature | null = null;
  const m = new Machine('kmcli', { profiles: [], settings: { km: { baseIntervalMs: 200, fastIntervalMs: 100, slowIntervalMs: 400 } }, features: () => [secretsFeature(), (km = kmFeature({ isRunning: async () => false }))] });
  open.push(m);
  mkdirSync(m.path('km'), { recursive: true });
  const root = generateLibrary({ groups: 1, macrosPerGroup: 2, seed: 51 }) as { MacroGroups: PlistDict[] };
  writeLibrary(m.path(LIB), root, 'binary');
  await m.open();
  m.engine.settings.update({ km: { libraryPath: m.path(LIB) } });
  await km!.start!(m.engine);
  await waitFor(() => m.commits().some((c) => /Keyboard Maestro: 2 macro files/.test(c)), 'first export');
  const next = cloneRoot(root);
  macroOf(next, 'Macro 0.1').macro.Name = 'Renamed';
  writeLibrary(m.path(LIB), next, 'binary');
  await waitFor(() => m.commits().some((c) => /1 macro change \(Renamed\)/.test(c)), 'second export');
  await m.stop();
  open.splice(open.indexOf(m), 1);
  return { m, uid: macroOf(root, 'Macro 0.1').macro.UID as string };
}

describe('confsync km history / restore', () => {
  it('numbers a macro’s versions, restores one through Keyboard Maestro, says why when it cannot', async () => {
    const { m, uid } = await exported();
    const fk = fakeKm(m.path(LIB));
    const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, 'km', ...args], { env: daemonEnv(m.home, m.configDir, { PATH: fk.env.PATH!, FAKE_KM_DIR: fk.dir, FAKE_KM_LIBRARY: m.path(LIB) }), cwd: m.home, encoding: 'utf8', timeout: 60_000 });

    const h = cli('history', uid);
    expect(h.status, h.stderr).toBe(0);
    const lines = h.stdout.trim().split('\n');
    expect(lines[0]).toBe('Renamed');
    expect(lines[1]).toMatch(/^1\. .+ kmcli\s+Group 0 \/ Renamed$/);
    expect(lines[2]).toMatch(/^2\. .+ kmcli\s+Group 0 \/ Macro 0\.1$/);
    expect(lines[3]).toBe(`put one back with: confsync km restore ${uid} --at N (N from the list)`);
    const json = JSON.parse(cli('history', uid, '--json').stdout) as { versions: { rev: string }[] };
    expect(json.versions).toHaveLength(2);

    const wrong = cli('restore', uid, '--at', '7');
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain(`macro ${uid} has 2 versions: --at takes 1 to 2 (see \`confsync km history ${uid}\`)`);
    const bad = cli('history', 'not a uid');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/a macro UID \(letters, digits and dashes/);

    fk.refuse(NOT_AUTHORIZED);
    const refused = cli('restore', uid, '--at', '2');
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain("Macro 'Macro 0.1' was not restored: ConfSync is not allowed to control Keyboard Maestro (macOS automation permission not granted). Open System Settings → Privacy & Security → Automation, and allow ConfSync to control Keyboard Maestro.");
    expect(refused.stdout).toMatch(new RegExp(`is saved at .*/km-import/Macro 0\\.1 \\(${uid}\\)\\.kmmacros \\(import it in Keyboard Maestro: File ▸ Import Macros\\)\\.`));
    expect((await readLibrary(m.path(LIB))).macros.get(uid)!.name).toBe('Renamed');

    fk.refuse(null);
    fk.clearCalls();
    const ok = cli('restore', uid, '--at', '2');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toMatch(/^Macro 'Macro 0\.1' restored in Keyboard Maestro to its version from .+ on kmcli$/);
    expect((await readLibrary(m.path(LIB))).macros.get(uid)!.name).toBe('Macro 0.1');
    expect(scripts(fk.calls()).map((s) => s.args)).toEqual([[], [uid], [`${m.configDir}/km-import/Macro 0.1 (${uid}).kmmacros`]]);
  });
});
