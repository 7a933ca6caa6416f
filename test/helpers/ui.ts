/**
 * Helpers for the Chromium UI suite (test/e2e/ui-*.test.ts): open a renderer page of a running daemon
 * with its token, record every outcome region's status changes, and run an action to its outcome.
 *
 * Outcome regions (`*-result`, see renderer/TESTIDS.md) keep their last outcome, so "wait for done"
 * right after a click could see the previous run. The recorder (a MutationObserver installed before the
 * page's own scripts) logs each `data-status` change with the words shown at that moment; `act()` waits
 * for a *new* done/failed entry, and the log also proves the action showed its progress on the way.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { SCREENSHOTS } from './browser.js';
import type { DaemonHandle } from './daemon.js';
import { waitFor } from './machine.js';

export interface OutcomeEntry {
  id: string;
  status: string;
  kind: string | null;
  text: string;
}

/** Generous hang guard for polls (behaviour is asserted, never timing). */
export const HANG = 30_000;

const RECORDER = `(() => {
  const log = [];
  Object.defineProperty(window, '__outcomes', { value: log });
  const record = (el) => {
    const id = el.getAttribute('data-testid');
    if (!id) return;
    log.push({ id, status: el.getAttribute('data-status') ?? '', kind: el.getAttribute('data-kind'), text: (el.textContent ?? '').trim(), busy: el.getAttribute('aria-busy') });
  };
  const start = () =>
    new MutationObserver((muts) => {
      for (const m of muts) {
        if (m.type === 'attributes' && m.target instanceof Element) record(m.target);
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-status', 'aria-busy'] });
  start();
})();`;

export interface OpenOptions {
  path?: string;
  hash?: string;
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
}

/** A fresh context (own cookies/sessionStorage) with the outcome recorder; waits until connected. */
export async function openUi(browser: Browser, d: DaemonHandle, o: OpenOptions = {}): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: o.viewport ?? { width: 1280, height: 900 }, colorScheme: o.colorScheme ?? 'light', reducedMotion: 'reduce' });
  await ctx.addInitScript(RECORDER);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => {
    // A page error is a renderer bug; keep it visible in the test output.
    console.error(`[page error] ${e.message}`);
  });
  await page.goto(`http://127.0.0.1:${d.port}/${o.path ?? ''}?token=${d.token}${o.hash ? `#${o.hash}` : ''}`);
  // waitFor (not expect.poll) so this also works in beforeAll.
  await waitFor(async () => (await page.getByTestId('connection-state').first().getAttribute('data-state')) === 'connected', 'the page to connect', HANG);
  return { ctx, page };
}

export async function outcomes(page: Page, id?: string): Promise<(OutcomeEntry & { busy: string | null })[]> {
  // A string expression: this file is type-checked without the DOM library.
  const all = (await page.evaluate('window.__outcomes.slice()')) as (OutcomeEntry & { busy: string | null })[];
  return id ? all.filter((e) => e.id === id) : all;
}

function finished(entries: OutcomeEntry[]): OutcomeEntry[] {
  return entries.filter((e) => e.status === 'done' || e.status === 'failed');
}

/**
 * Runs `trigger` (a click) and waits for the outcome region `id` to finish anew. Returns the final
 * entry and the entries recorded for `id` during this run (so callers can check the progress shown).
 */
export async function act(page: Page, id: string, trigger: () => Promise<void>): Promise<{ last: OutcomeEntry; during: OutcomeEntry[] }> {
  const before = (await outcomes(page, id)).length;
  await trigger();
  let during: OutcomeEntry[] = [];
  await expect
    .poll(
      async () => {
        during = (await outcomes(page, id)).slice(before);
        return finished(during).length;
      },
      { timeout: HANG },
    )
    .toBeGreaterThan(0)
    .catch((e: Error) => {
      // Say what the outcome region did show, and what the page's state said, when it never finished.
      throw new Error(`${id} did not finish within ${HANG} ms; it showed ${JSON.stringify(during)}; ${e.message}`);
    });
  return { last: finished(during).at(-1)!, during };
}

/** Clicks Sync now and waits for its new outcome; checks the progress it showed on the way. */
export async function syncNow(page: Page): Promise<OutcomeEntry> {
  const button = page.getByTestId('sync-now');
  await expect.poll(() => button.isEnabled(), { timeout: HANG }).toBe(true);
  const busyBefore = (await outcomes(page, 'sync-now')).length;
  const resultsBefore = (await outcomes(page, 'sync-result')).length;
  // The button is disabled while any sync runs, and the host starts syncs of its own (the start-up
  // sync, a watched edit, a retry after an error). One can start between Playwright's check that the
  // button is enabled and its click, which then lands on a disabled button and does nothing: click
  // again, once enabled, until this page's own sync has started.
  const clickUntilStarted = async () => {
    await expect
      .poll(
        async () => {
          if ((await outcomes(page, 'sync-result')).length > resultsBefore) return true;
          if (await button.isEnabled()) await button.click({ timeout: 2_000 }).catch(() => undefined);
          return (await outcomes(page, 'sync-result')).length > resultsBefore;
        },
        { timeout: HANG, interval: 250 },
      )
      .toBe(true);
  };
  const { last, during } = await act(page, 'sync-result', clickUntilStarted);
  // While it ran, the outcome said "running" and the button was busy with "Syncing…".
  expect(during[0]?.status).toBe('running');
  const busy = (await outcomes(page, 'sync-now')).slice(busyBefore);
  expect(busy.some((e) => e.busy === 'true' && e.text.includes('Syncing…'))).toBe(true);
  expect(last.status).toBe('done');
  return last;
}

/**
 * The words each SyncResult kind is shown with (renderer/lib/words.ts), for the kinds a test expects. A
 * pass that left files out never says "up to date": it says "Nothing new to sync — N files not synced".
 */
export const SYNC_WORDS: Record<string, RegExp> = {
  ok: /^Synced(?! with)/,
  'nothing-to-do': /^(Already up to date|Nothing new to sync — .*\bnot synced)/,
  'local-only': /^Saved on this machine \(no remote set up\)/,
  conflict: /^Synced with conflicts to review/,
};

/**
 * A screenshot under test-results/screenshots/. `fullPage: false` pictures only the window (what a
 * person sees without scrolling, e.g. whether the popover's footer is above the fold).
 */
export async function shoot(page: Page, name: string, o: { fullPage?: boolean } = {}): Promise<string> {
  const path = join(SCREENSHOTS, `${name}.png`);
  // Let fonts settle so the picture shows what a person sees.
  await page.evaluate('document.fonts.ready.then(() => undefined)');
  await page.screenshot({ path, fullPage: o.fullPage ?? true, animations: 'disabled' });
  return path;
}

/** The window sizes people use: the popover, and a small and a roomy preferences window. */
export const SIZES = {
  popover: { width: 360, height: 480 },
  small: { width: 640, height: 480 },
  roomy: { width: 820, height: 600 },
} as const;
export type SizeName = keyof typeof SIZES;

/**
 * Opens `path#hash` of daemon `d` at each size and colour scheme, waits for `ready`, and takes a
 * window-sized screenshot `<name>-<size>-<scheme>` (plus a full-page one with `-full` when `full`).
 * Checks that nothing overflows sideways (text cut off at the right edge) and that the tablist, when
 * there is one, stays on one row.
 */
export async function shootSizes(
  browser: Browser,
  d: DaemonHandle,
  o: { name: string; path: string; hash?: string; sizes: SizeName[]; ready(page: Page): Promise<void>; full?: boolean },
): Promise<string[]> {
  const shots: string[] = [];
  for (const size of o.sizes) {
    for (const scheme of ['light', 'dark'] as const) {
      const { ctx, page } = await openUi(browser, d, { path: o.path, hash: o.hash, viewport: SIZES[size], colorScheme: scheme });
      try {
        await o.ready(page);
        // Nothing wider than the window.
        const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
        expect(overflow, `${o.name} at ${size}: the page is wider than the window`).toBeLessThanOrEqual(0);
        const tabRows = (await page.evaluate(
          `(() => { const t = [...document.querySelectorAll('[role="tab"]')]; return new Set(t.map((e) => Math.round(e.getBoundingClientRect().top))).size; })()`,
        )) as number;
        expect(tabRows, `${o.name} at ${size}: the tabs wrap`).toBeLessThanOrEqual(1);
        shots.push(await shoot(page, `${o.name}-${size}-${scheme}`, { fullPage: false }));
        if (o.full) shots.push(await shoot(page, `${o.name}-${size}-${scheme}-full`));
      } finally {
        await ctx.close().catch(() => undefined);
      }
    }
  }
  return shots;
}

/**
 * For `beforeEach`: when the test fails, prints the tail of each daemon's output and engine log (what
 * the engine did meanwhile), so a failure on a loaded machine can be explained afterwards.
 */
export function dumpOnFailure(daemons: () => (DaemonHandle | undefined)[]) {
  return (ctx: { task: { name: string }; onTestFailed(fn: () => void): void }) => {
    ctx.onTestFailed(() => {
      for (const d of daemons()) {
        if (!d) continue;
        const log = readText(join(d.configDir, 'logs', 'confsync.log')) ?? '';
        console.error(`--- ${d.configDir} (after "${ctx.task.name}")\n${d.out().slice(-2000)}\n--- log\n${log.slice(-4000)}`);
      }
    });
  };
}

export function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
