/**
 * The Keyboard Maestro tab of a real daemon ("delta", temp HOME) whose Keyboard Maestro runs, played by
 * recording fakes first on the daemon's PATH (osascript editing delta's real library as the editor
 * would; pgrep saying the Engine runs). Another machine ("alpha", in this process) shares a bare remote.
 *
 * Through Chromium: a macro alpha renamed arrives through Keyboard Maestro's scripting and the tab says
 * so; one macro's history lists alpha's and delta's versions, shows what restoring one would change,
 * and restores it through Keyboard Maestro (the exact commands checked); with the automation
 * permission refused, the tab says what waits, why, and how to fix it, and "Try again" applies it once
 * the permission is granted. Screenshots at 640 and 820 px, light and dark.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import { launchChromium } from '../helpers/browser.js';
import { Machine, bareRemote, tmp, waitFor } from '../helpers/machine.js';
import { generateLibrary, macroOf, writeLibrary, cloneRoot, type PlistDict } from '../helpers/km-library.js';
import { act, dumpOnFailure, HANG, openUi, shootSizes, syncNow } from '../helpers/ui.js';
import { kmFeature } from '../../electron/engine/features/km.js';
import { secretsFeature, type Feature } from '../../electron/engine/features/index.js';
import { readLibrary } from '../../electron/engine/km/index.js';
import { fakeKm, scripts, NOT_AUTHORIZED, type FakeKm } from '../integration/km/fake-km.js';

const KM_REL = join('Library', 'Application Support', 'Keyboard Maestro', 'Keyboard Maestro Macros.plist');
type Root = { MacroGroups: PlistDict[] };

let browser: Browser;
let d: DaemonHandle;
let alpha: Machine;
let fk: FakeKm;
let page: Page;
let library: Root;
const contexts: BrowserContext[] = [];

async function alphaWrites(next: Root): Promise<void> {
  writeLibrary(alpha.path(KM_REL), next, 'binary');
  await waitFor(async () => {
    const l = await readLibrary(alpha.path(KM_REL));
    return alpha.commits()[0]?.startsWith('alpha: Keyboard Maestro:') && l.macros.size > 0;
  }, 'alpha to export its change', HANG);
  await alpha.sync();
}

beforeAll(async () => {
  const remote = bareRemote();
  library = generateLibrary({ groups: 2, macrosPerGroup: 3, seed: 17 }) as Root;
  // alpha: its Keyboard Maestro is not running (ConfSync writes the file there); it defines the profile.
  let km: Feature | null = null;
  alpha = new Machine('alpha', { remote, profiles: [], settings: { km: { baseIntervalMs: 200, fastIntervalMs: 100, slowIntervalMs: 400 } }, features: () => [secretsFeature(), (km = kmFeature({ isRunning: async () => false }))] });
  mkdirSync(join(alpha.home, 'Library', 'Application Support', 'Keyboard Maestro'), { recursive: true });
  writeLibrary(alpha.path(KM_REL), library, 'binary');
  await alpha.open();
  alpha.engine.settings.update({ km: { libraryPath: alpha.path(KM_REL) } });
  await km!.start!(alpha.engine);
  await alpha.invoke('profiles:save', { profile: { name: 'kmlib', paths: [`~/${KM_REL}`] } });
  await alpha.invoke('profiles:set-enabled', { name: 'kmlib', enabled: true });
  await waitFor(() => alpha.commits().some((c) => /alpha: Keyboard Maestro: 6 macro files/.test(c)), 'alpha’s first export', HANG);
  await alpha.sync();

  // delta: the daemon, whose Keyboard Maestro Engine runs (fakes on its PATH), with the same library.
  const root = tmp('cs-ui-km-');
  const home = join(root, 'home');
  const libraryPath = join(home, KM_REL);
  mkdirSync(join(home, 'Library', 'Application Support', 'Keyboard Maestro'), { recursive: true });
  copyFileSync(alpha.path(KM_REL), libraryPath);
  fk = fakeKm(libraryPath, { cli: true });
  [d, browser] = await Promise.all([
    startDaemon({
      root,
      settings: {
        hostName: 'delta',
        enabledProfiles: ['kmlib'],
        remote: { url: remote, branch: 'main' },
        sync: { intervalSec: 3600, debounceMs: 200 },
        km: { libraryPath, baseIntervalMs: 500, fastIntervalMs: 300, slowIntervalMs: 1000 },
      },
      env: { PATH: fk.env.PATH!, FAKE_KM_DIR: fk.env.FAKE_KM_DIR!, FAKE_KM_LIBRARY: libraryPath },
    }),
    launchChromium(),
  ]);
  const o = await openUi(browser, d, { hash: 'km' });
  contexts.push(o.ctx);
  page = o.page;
  await page.getByTestId('tab-km').click();
  await waitFor(async () => (await page.getByTestId('km-status').getAttribute('data-status')) === 'active', 'the KM tab to show the library', HANG);
});

beforeEach(dumpOnFailure(() => [d]));

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await d?.stop();
  await alpha?.stop();
});

describe('Keyboard Maestro tab', () => {
  it('a macro renamed on another machine arrives through Keyboard Maestro while its Engine runs', async () => {
    const uid = macroOf(library, 'Macro 0.1').macro.UID as string;
    const next = cloneRoot(library);
    macroOf(next, 'Macro 0.1').macro.Name = 'Renamed on alpha';
    await alphaWrites(next);
    fk.clearCalls();
    await syncNow(page);
    await expect.poll(() => page.getByTestId('km-apply').getAttribute('data-status'), { timeout: HANG }).toBe('applied');
    expect(await page.getByTestId('km-apply-words').textContent()).toMatch(/^Applied 1 macro \(1 changed\) from your other machines through Keyboard Maestro (just now|\d+ s ago)\.$/);
    const row = page.locator(`[data-testid="km-macro"][data-uid="${uid}"]`);
    await expect.poll(() => row.locator('td').first().textContent(), { timeout: HANG }).toBe('Renamed on alpha');
    const s = scripts(fk.calls());
    expect(s.map((x) => x.lines.find((l) => /get version|delete macro id|importMacros/.test(l)))).toEqual([
      'tell application "Keyboard Maestro" to get version',
      'tell application "Keyboard Maestro" to get version',
      'if exists macro id (contents of u) then delete macro id (contents of u)',
      'tell application "Keyboard Maestro" to importMacros (POSIX file (item 1 of argv) as alias)',
    ]);
    expect(s[2].args).toEqual([uid]);
  });

  it('one macro’s history: versions from each machine, what restoring changes, and the restore itself', async () => {
    const uid = macroOf(library, 'Macro 0.1').macro.UID as string;
    const row = page.locator(`[data-testid="km-macro"][data-uid="${uid}"]`);
    await row.getByTestId('km-macro-history').click();
    const panel = page.getByTestId('km-history');
    await expect.poll(() => panel.getAttribute('data-uid')).toBe(uid);
    const versions = panel.getByTestId('km-version');
    // alpha's first export, alpha's rename, and delta's own export of the macro Keyboard Maestro wrote.
    await expect.poll(() => versions.count(), { timeout: HANG }).toBeGreaterThanOrEqual(2);
    const texts = await versions.allTextContents();
    expect(texts.at(-1)).toContain('alpha');
    expect(texts.at(-1)).toContain('Group 0 / Macro 0.1');
    expect(texts.some((t) => t.includes('Group 0 / Renamed on alpha'))).toBe(true);
    // The newest version that is not the current one is shown, compared with the macro now.
    await versions.last().getByTestId('km-version-select').click();
    const view = page.getByTestId('km-version-view');
    await expect.poll(() => view.getByTestId('km-version-diff').isVisible(), { timeout: HANG }).toBe(true);
    const diff = view.getByTestId('km-version-diff');
    expect(Number(await diff.getAttribute('data-added'))).toBeGreaterThan(0);
    expect(await diff.textContent()).toContain('Macro 0.1');

    // Show in Keyboard Maestro: Keyboard Maestro 11's tool opens it in the editor.
    fk.clearCalls();
    const shown = await act(page, 'km-show-result', () => panel.getByTestId('km-show-macro').click());
    expect(shown.last.status).toBe('done');
    expect(fk.calls()).toEqual([['keyboardmaestro', '--edit', uid]]);

    fk.clearCalls();
    const restored = await act(page, 'km-restore-result', () => view.getByTestId('km-restore').click());
    expect(restored.last.status).toBe('done');
    expect(restored.last.text).toMatch(/^Restored Macro 0\.1 in Keyboard Maestro to its version from .+ on alpha\. It is synced to your other machines like any change\.$/);
    expect(scripts(fk.calls()).map((x) => [x.lines.find((l) => /get version|delete macro id|importMacros/.test(l)), x.args.map((a) => (a.endsWith('.kmmacros') ? a.replace(/^.*\/km-import\//, 'km-import/') : a))])).toEqual([
      ['tell application "Keyboard Maestro" to get version', []],
      ['if exists macro id (contents of u) then delete macro id (contents of u)', [uid]],
      ['tell application "Keyboard Maestro" to importMacros (POSIX file (item 1 of argv) as alias)', [`km-import/Macro 0.1 (${uid}).kmmacros`]],
    ]);
    await expect.poll(() => row.locator('td').first().textContent(), { timeout: HANG }).toBe('Macro 0.1');
    // The restore is a change like any other: it becomes the newest version.
    await expect.poll(async () => (await versions.first().textContent()) ?? '', { timeout: HANG }).toContain('delta');
    await expect.poll(async () => (await versions.first().textContent()) ?? '', { timeout: HANG }).toContain('Group 0 / Macro 0.1');
  });

  it('with the automation permission refused: what waits, why, how to fix it; Try again applies it', async () => {
    fk.refuse(NOT_AUTHORIZED);
    const uid = macroOf(library, 'Macro 1.0').macro.UID as string;
    const next = cloneRoot(library);
    macroOf(next, 'Macro 1.0').macro.IsActive = false;
    await alphaWrites(next);
    await syncNow(page);
    const apply = page.getByTestId('km-apply');
    await expect.poll(() => apply.getAttribute('data-status'), { timeout: HANG }).toBe('waiting');
    expect(await apply.getByTestId('km-apply-reason').textContent()).toBe('They are applied when the Keyboard Maestro Engine quits, because ConfSync is not allowed to control Keyboard Maestro (macOS automation permission not granted).');
    expect(await apply.getByTestId('km-apply-fix').textContent()).toBe('To apply them now: Open System Settings → Privacy & Security → Automation, and allow ConfSync to control Keyboard Maestro.');
    // The held state is shown first; the macros that wait are listed once the library's versions are compared.
    await expect.poll(() => apply.getByTestId('km-apply-macro').allTextContents(), { timeout: HANG }).toEqual(['Group 1 / Macro 1.0: disabled']);
    // A refusal is a wait, not an error.
    expect(await page.getByTestId('tab-health').locator('.badge').count()).toBe(0);
    const row = page.locator(`[data-testid="km-macro"][data-uid="${uid}"]`);
    expect(await row.getAttribute('data-enabled')).toBe('true');
    expect((await readLibrary(join(d.home, KM_REL))).macros.get(uid)?.enabled).toBe(true);

    // Screenshots of the tab in this state, with one macro's history open, at both widths and schemes.
    const restoredUid = macroOf(library, 'Macro 0.1').macro.UID as string;
    const shots = await shootSizes(browser, d, {
      name: 'km-tab',
      path: 'preferences.html',
      hash: 'km',
      sizes: ['small', 'roomy'],
      full: true,
      ready: async (p) => {
        await expect.poll(() => p.getByTestId('km-apply').getAttribute('data-status'), { timeout: HANG }).toBe('waiting');
        await p.locator(`[data-testid="km-macro"][data-uid="${restoredUid}"]`).getByTestId('km-macro-history').click();
        await expect.poll(() => p.getByTestId('km-version-diff').isVisible(), { timeout: HANG }).toBe(true);
        await p.getByTestId('km-apply').scrollIntoViewIfNeeded();
      },
    });
    expect(shots).toHaveLength(8);

    // The permission is granted: Try again applies what waited, through Keyboard Maestro.
    fk.refuse(null);
    fk.clearCalls();
    const tried = await act(page, 'km-apply-retry-result', () => apply.getByTestId('km-apply-retry').click());
    expect(tried.last.status).toBe('done');
    await expect.poll(() => apply.getAttribute('data-status'), { timeout: HANG }).toBe('applied');
    await expect.poll(() => row.getAttribute('data-enabled'), { timeout: HANG }).toBe('false');
    expect(scripts(fk.calls()).some((x) => x.lines.includes('setMacroEnable (contents of u) without enable') && x.args.includes(uid))).toBe(true);
    // Both machines exported the macros Keyboard Maestro rewrote here: the same files, never a conflict.
    await alpha.sync();
    expect((await alpha.invoke('state:get')).conflicts).toEqual([]);
    await syncNow(page);
    expect(await page.getByTestId('tab-conflicts').locator('.badge').count()).toBe(0);
  });
});
