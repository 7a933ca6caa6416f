/**
 * Progress on long work, seen in the popover (360×480) of a real headless host ("bigbox"): turning on a
 * profile of 40,000 files runs a full pass, and the popover shows "Scanned N of M files" with a bar
 * that fills (a real total, not just a count), then the bar goes away when the pass is done. Screenshots
 * light and dark while it runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import { launchChromium } from '../helpers/browser.js';
import { daemonCall } from '../reliability/helpers.js';
import { HANG, openUi, shoot, SIZES } from '../helpers/ui.js';

let browser: Browser;
let d: DaemonHandle;

beforeAll(async () => {
  [d, browser] = await Promise.all([startDaemon({ settings: { hostName: 'bigbox', enabledProfiles: [], km: { enabled: false } } }), launchChromium()]);
  for (let i = 0; i < 200; i++) {
    const dir = join(d.home, 'notes', `d${i}`);
    mkdirSync(dir, { recursive: true });
    for (let j = 0; j < 200; j++) writeFileSync(join(dir, `n${j}.txt`), `note ${i}.${j}\n`);
  }
  await daemonCall(d.configDir, 'profiles:save', { profile: { name: 'notes', paths: ['~/notes/'] } });
});

afterAll(async () => {
  await browser?.close();
  await d?.stop();
});

describe('first scan progress', () => {
  it('shows "Scanned N of M files" with a filling bar while a large profile is read, then goes away', async () => {
    const { ctx, page } = await openUi(browser, d, { path: 'popover.html', viewport: SIZES.popover });
    try {
      const turnOn = daemonCall(d.configDir, 'profiles:set-enabled', { name: 'notes', enabled: true });
      const bar = page.locator('[data-testid="scan-progress"][data-determinate="true"]');
      await bar.waitFor({ state: 'visible', timeout: HANG });
      const words = (await page.locator('#scan-label').textContent()) ?? '';
      expect(words).toMatch(/^First scan: Scanned [\d,]+ of [\d,]+ files$/);
      const [done, total] = words.match(/[\d,]+/g)!.map((n) => Number(n.replace(/,/g, '')));
      expect(total).toBeGreaterThanOrEqual(40_000);
      expect(done).toBeLessThan(total!);
      expect(Number(await page.getByRole('progressbar').first().getAttribute('aria-valuemax'))).toBe(total);
      // Both schemes while it runs (the same page: a second pass would be too quick to catch).
      await shoot(page, 'popover-first-scan-progress-light', { fullPage: false });
      await page.emulateMedia({ colorScheme: 'dark' });
      await shoot(page, 'popover-first-scan-progress-dark', { fullPage: false });
      await turnOn;
      await page.getByTestId('scan-progress').waitFor({ state: 'detached', timeout: HANG });
    } finally {
      await ctx.close();
    }
  }, 180_000);
});
