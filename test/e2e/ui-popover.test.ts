/**
 * The popover window (popover.html, 360 px) of a real daemon with NO remote ("delta", temp HOME):
 * "Safe to shut down" follows the host's safeToShutDown (having no remote is a calm note, never a reason
 * to wait), Sync now says the result in words, Pause/Resume, the footer buttons (the headless host's
 * "no desktop here" answer in words) and the way to Preferences. Screenshots light and dark.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import { launchChromium } from '../helpers/browser.js';
import { git, waitFor } from '../helpers/machine.js';
import { act, dumpOnFailure, HANG, openUi, shoot, syncNow, SYNC_WORDS } from '../helpers/ui.js';

let browser: Browser;
let d: DaemonHandle;
let page: Page;
const contexts: BrowserContext[] = [];

async function open(o: Parameters<typeof openUi>[2]): Promise<Page> {
  const r = await openUi(browser, d, o);
  contexts.push(r.ctx);
  return r.page;
}

beforeAll(async () => {
  [d, browser] = await Promise.all([
    startDaemon({
      settings: { hostName: 'delta', enabledProfiles: ['zsh'], sync: { intervalSec: 3600, debounceMs: 200 } },
      files: { '.zshrc': 'export DELTA=1\n' },
      // No desktop: the folder/log buttons must answer in words, and never open anything on this machine.
      env: { DISPLAY: '', WAYLAND_DISPLAY: '' },
    }),
    launchChromium(),
  ]);
  page = await open({ path: 'popover.html', viewport: { width: 360, height: 640 } });
});

beforeEach(dumpOnFailure(() => [d]));

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await d?.stop();
});

describe('popover without a remote', () => {
  it('says "Safe to shut down" when the host does, with a calm local-only note', async () => {
    const safe = page.getByTestId('header-safe-to-shutdown');
    await expect.poll(() => safe.getAttribute('data-safe'), { timeout: HANG }).toBe('true');
    expect(await safe.textContent()).toBe(' Safe to shut down');
    expect(await page.getByTestId('header-local-only').textContent()).toBe('No remote set up: changes are kept on this machine only');
    expect(await page.getByTestId('header-state').textContent()).toBe('Up to date');
    expect(await page.locator('.status-detail').textContent()).toBe('Everything is saved on this machine.');
    expect((await page.getByTestId('popover').textContent())!.toLowerCase()).not.toContain('wait before shutting down');

    const r = await syncNow(page);
    expect(r.kind).toBe('local-only');
    expect(r.text).toMatch(SYNC_WORDS['local-only']);
    expect(await page.getByTestId('header-last-sync').textContent()).toMatch(/^Last sync (just now|\d+ s ago)$/);
    expect(await page.getByTestId('header-next-sync').textContent()).toMatch(/^Next sync in (59|60) min$/);

    // A watched edit is committed, and it is safe again afterwards (nothing waits to be sent).
    writeFileSync(join(d.home, '.zshrc'), 'export DELTA=2\n');
    await waitFor(() => git(join(d.configDir, 'repo'), 'show', 'HEAD:zsh/.zshrc') === 'export DELTA=2\n', 'the edit committed', HANG);
    await expect.poll(() => page.getByTestId('activity-list').textContent(), { timeout: HANG }).toContain('.zshrc committed');
    await expect.poll(() => safe.getAttribute('data-safe'), { timeout: HANG }).toBe('true');
    expect(await safe.textContent()).toContain('Safe to shut down');

    // The landing page's header says the same.
    const landing = await open({ viewport: { width: 1280, height: 800 } });
    await expect.poll(() => landing.getByTestId('page-safe-to-shutdown').getAttribute('data-safe'), { timeout: HANG }).toBe('true');
    expect(await landing.getByTestId('page-safe-to-shutdown').textContent()).toContain('Safe to shut down');
    expect(await landing.getByTestId('page-local-only').textContent()).toContain('kept on this machine only');
    expect(await landing.getByTestId('tray-state').getAttribute('data-kind')).toBe('idle');
    await landing.getByTestId('tab-repository').click();
    expect(await landing.getByTestId('repo-remote').textContent()).toBe('None (this machine only)');
    await shoot(landing, 'landing-local-only');
    for (const scheme of ['light', 'dark'] as const) {
      const p = await open({ path: 'popover.html', viewport: { width: 360, height: 640 }, colorScheme: scheme });
      await expect.poll(() => p.getByTestId('header-safe-to-shutdown').getAttribute('data-safe'), { timeout: HANG }).toBe('true');
      await shoot(p, `popover-local-only-${scheme}`);
    }
  });

  it('pauses and resumes; Sync now waits for Resume', async () => {
    const toggle = page.getByRole('button', { name: 'Pause syncing' });
    const paused = await act(page, 'pause-result', () => toggle.click());
    expect(paused.last).toMatchObject({ status: 'done', text: 'Syncing is paused.' });
    await expect.poll(() => page.getByTestId('header-state').textContent(), { timeout: HANG }).toBe('Paused');
    expect(await page.getByTestId('pause-toggle').getAttribute('data-paused')).toBe('true');
    expect(await page.getByRole('button', { name: 'Sync now' }).isDisabled()).toBe(true);
    expect(await page.getByTestId('sync-paused-hint').textContent()).toBe('Syncing is paused. Resume to sync.');
    expect(await page.getByTestId('header-next-sync').count()).toBe(0);
    await shoot(page, 'popover-paused-light');
    const resumed = await act(page, 'pause-result', () => page.getByRole('button', { name: 'Resume syncing' }).click());
    expect(resumed.last).toMatchObject({ status: 'done', text: 'Syncing is on.' });
    await expect.poll(() => page.getByTestId('header-state').textContent(), { timeout: HANG }).not.toBe('Paused');
    await expect.poll(() => page.getByRole('button', { name: 'Sync now' }).isEnabled(), { timeout: HANG }).toBe(true);
    expect(await page.getByTestId('sync-paused-hint').count()).toBe(0);
  });

  it('footer: folder and logs answer in words without a desktop; Preferences… opens the General tab', async () => {
    const folder = await act(page, 'app-action-result', () => page.getByRole('button', { name: 'Open sync folder' }).click());
    expect(folder.last.status).toBe('failed');
    expect(folder.last.text).toContain('no desktop here to open the sync folder');
    expect(folder.last.text).toContain(join(d.configDir, 'repo'));
    const logs = await act(page, 'app-action-result', () => page.getByRole('button', { name: 'Show logs' }).click());
    expect(logs.last.status).toBe('failed');
    expect(logs.last.text).toContain('no desktop here to open the log');

    await page.getByRole('button', { name: 'Preferences…' }).click();
    await page.waitForURL(/preferences\.html#general$/, { timeout: HANG });
    await expect.poll(() => page.getByTestId('panel-general').isVisible(), { timeout: HANG }).toBe(true);
    expect(await page.getByTestId('tab-general').getAttribute('aria-selected')).toBe('true');
    // The token stayed in the tab (sessionStorage), not in the address.
    expect(page.url()).not.toContain('token=');
    await expect.poll(() => page.getByTestId('connection-state').getAttribute('data-state'), { timeout: HANG }).toBe('connected');
  });
});
