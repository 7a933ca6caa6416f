/**
 * The renderer served by the headless host, in real Chromium: it connects with the token, shows the
 * live AppState (host, state in words), and follows a state change pushed by the engine.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import { launchChromium, SCREENSHOTS } from '../helpers/browser.js';

let d: DaemonHandle;
let browser: Browser;
beforeAll(async () => {
  d = await startDaemon({ settings: { hostName: 'e2e-box', enabledProfiles: ['zsh'] }, files: { '.zshrc': 'export E2E=1\n' } });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await d?.stop();
});

describe('headless UI', () => {
  it('renders the live state from the running host and follows pushes', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(d.url);
    await expect.poll(() => page.getByTestId('connection-state').first().getAttribute('data-state'), { timeout: 20_000 }).toBe('connected');
    // The token left the address bar once it was read.
    expect(page.url()).not.toContain('token=');
    await expect.poll(() => page.getByTestId('header-state').first().textContent(), { timeout: 20_000 }).toMatch(/synced|up to date|idle|safe/i);
    await expect.poll(() => page.locator('body').textContent(), { timeout: 20_000 }).toContain('e2e-box');
    // Pause through the UI: the engine's state comes back as "Paused".
    await page.getByTestId('pause-toggle').first().click();
    await expect.poll(() => page.getByTestId('header-state').first().textContent(), { timeout: 20_000 }).toMatch(/paused/i);
    await page.getByTestId('pause-toggle').first().click();
    await expect.poll(() => page.getByTestId('header-state').first().textContent(), { timeout: 20_000 }).not.toMatch(/paused/i);
    await page.screenshot({ path: join(SCREENSHOTS, 'landing.png'), fullPage: true });
    // Without the token the page is refused.
    const denied = await (await browser.newPage()).goto(d.url.replace(/\?token=.*/, ''));
    expect(denied?.status()).toBe(401);
  });
});
