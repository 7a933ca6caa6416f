/**
 * Two real daemons ("alpha" and "bravo", temp HOMEs) sharing a bare remote, each driven through its own
 * UI in Chromium: Sync now (progress, then the result in words), a conflict made on two machines and
 * resolved in bravo's Conflicts tab until it clears on both, then a version restored from History.
 * Screenshots of the popover and the Conflicts tab in light and dark while the conflict is open.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import { launchChromium } from '../helpers/browser.js';
import { bareRemote, git, waitFor } from '../helpers/machine.js';
import { act, dumpOnFailure, HANG, openUi, readText, shoot, syncNow, SYNC_WORDS } from '../helpers/ui.js';

let remote: string;
let browser: Browser;
const daemons: DaemonHandle[] = [];
const contexts: BrowserContext[] = [];
let A: DaemonHandle;
let B: DaemonHandle;
let pageA: Page;
let pageB: Page;

function settings(hostName: string) {
  return { hostName, enabledProfiles: ['zsh'], remote: { url: remote, branch: 'main' }, sync: { intervalSec: 3600, debounceMs: 200 } };
}

async function open(d: DaemonHandle, o: Parameters<typeof openUi>[2] = {}): Promise<Page> {
  const { ctx, page } = await openUi(browser, d, o);
  contexts.push(ctx);
  return page;
}

function remoteFile(path: string): string | null {
  try {
    return git(remote, 'show', `main:${path}`);
  } catch {
    return null;
  }
}

function conflictCopies(d: DaemonHandle): string[] {
  return readdirSync(d.home).filter((n) => n.startsWith('.zshrc.conflict-'));
}

/** Sync now, and the result is said in the words of its kind. */
async function syncInUi(page: Page, allowed: string[]): Promise<string> {
  const r = await syncNow(page);
  expect(allowed).toContain(r.kind);
  expect(r.text).toMatch(SYNC_WORDS[r.kind!]);
  return r.kind!;
}

beforeAll(async () => {
  remote = bareRemote();
  [A, browser] = await Promise.all([startDaemon({ settings: settings('alpha'), files: { '.zshrc': 'base\n' } }), launchChromium()]);
  daemons.push(A);
});

beforeEach(dumpOnFailure(() => daemons));

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await Promise.all(daemons.map((d) => d.stop()));
});

describe('two machines through their UIs', () => {
  it('Sync now shows its progress, then the result in words; a second machine joins', async () => {
    pageA = await open(A);
    await expect.poll(() => pageA.getByTestId('header-state').textContent(), { timeout: HANG }).not.toMatch(/Starting/);
    // Alpha's start-up sync may already have sent the base; either way the words match the kind.
    await syncInUi(pageA, ['ok', 'nothing-to-do']);
    await waitFor(() => remoteFile('zsh/.zshrc') === 'base\n', 'the base on the remote', HANG);
    await expect.poll(() => pageA.getByTestId('header-safe-to-shutdown').textContent(), { timeout: HANG }).toContain('Safe to shut down');
    await expect(pageA.getByTestId('header-local-only').count()).resolves.toBe(0);

    B = await startDaemon({ settings: settings('bravo') });
    daemons.push(B);
    pageB = await open(B);
    await syncInUi(pageB, ['ok', 'nothing-to-do']);
    await waitFor(() => readText(join(B.home, '.zshrc')) === 'base\n', "bravo's live .zshrc from alpha", HANG);
    await expect.poll(() => pageB.getByTestId('activity-list').textContent(), { timeout: HANG }).toMatch(/Arrived|Synced|Sent/);
  });

  it('a conflict made on two machines is shown on both, resolved in the UI, and clears', async () => {
    // Alpha's edit reaches the remote first (the watcher commits it; Sync now sends it).
    writeFileSync(join(A.home, '.zshrc'), 'alpha edit\n');
    await syncInUi(pageA, ['ok', 'nothing-to-do']);
    await waitFor(() => remoteFile('zsh/.zshrc') === 'alpha edit\n', "alpha's edit on the remote", HANG);
    // Then bravo edits the same line and syncs: a conflict.
    writeFileSync(join(B.home, '.zshrc'), 'bravo edit\n');
    await syncInUi(pageB, ['conflict', 'ok', 'nothing-to-do']);

    const banner = pageB.getByTestId('conflicts-banner');
    await expect.poll(() => banner.getAttribute('data-count'), { timeout: HANG }).toBe('1');
    expect(await banner.textContent()).toContain('1 file changed on two machines.');
    await expect.poll(() => pageB.getByTestId('header-state').textContent()).toBe('1 conflict');
    expect(await pageB.getByTestId('tray-state').getAttribute('data-kind')).toBe('conflict');
    expect(await pageB.getByTestId('tab-conflicts').textContent()).toMatch(/Conflicts\s*\(?1/);
    // Both versions are kept on bravo: its own live, alpha's as a copy beside it.
    expect(readText(join(B.home, '.zshrc'))).toBe('bravo edit\n');
    expect(conflictCopies(B)).toHaveLength(1);
    expect(readText(join(B.home, conflictCopies(B)[0]))).toBe('alpha edit\n');

    // Alpha sees the same conflict after its next sync.
    await syncInUi(pageA, ['ok', 'nothing-to-do', 'conflict']);
    await expect.poll(() => pageA.getByTestId('conflicts-banner').getAttribute('data-count'), { timeout: HANG }).toBe('1');

    // Pictures while the conflict is open: the popover and the Conflicts tab, light and dark.
    for (const scheme of ['light', 'dark'] as const) {
      const pop = await open(B, { path: 'popover.html', viewport: { width: 360, height: 640 }, colorScheme: scheme });
      await expect.poll(() => pop.getByTestId('conflicts-banner').getAttribute('data-count'), { timeout: HANG }).toBe('1');
      await shoot(pop, `popover-conflict-${scheme}`);
      // In the popover window, "Review conflict" goes to the preferences' Conflicts tab.
      await pop.getByTestId('conflicts-banner-open').click();
      await pop.waitForURL(/preferences\.html#conflicts$/, { timeout: HANG });
      await expect.poll(() => pop.getByTestId('tab-conflicts').getAttribute('aria-selected'), { timeout: HANG }).toBe('true');
      await pop.setViewportSize({ width: 980, height: 760 });
      await expect.poll(() => pop.getByTestId('conflict-diff').getAttribute('data-added'), { timeout: HANG }).toBe('1');
      await shoot(pop, `preferences-conflicts-${scheme}`);
    }

    // Review it in bravo's UI.
    await pageB.getByTestId('conflicts-banner-open').click();
    await expect.poll(() => pageB.getByTestId('tab-conflicts').getAttribute('aria-selected')).toBe('true');
    const item = pageB.locator('[data-testid="conflict-item"][data-path="zsh/.zshrc"]');
    await item.click();
    expect(await item.getAttribute('aria-current')).toBe('true');
    expect(await item.getAttribute('data-kind')).toBe('text');
    const detail = pageB.getByTestId('conflict-detail');
    expect(await detail.getAttribute('data-path')).toBe('zsh/.zshrc');
    // Where alpha's version is on this machine: beside the live file.
    expect(await pageB.getByTestId('conflict-copy-path').textContent()).toBe(join(B.home, conflictCopies(B)[0]));
    const diff = pageB.getByTestId('conflict-diff');
    await expect.poll(() => diff.getAttribute('data-added'), { timeout: HANG }).toBe('1');
    expect(await diff.getAttribute('data-removed')).toBe('1');
    const words = (await diff.textContent())!;
    expect(words).toContain('This machine (bravo)');
    expect(words).toContain('Other machine (alpha)');
    expect(words).toMatch(/removed: bravo edit/);
    expect(words).toMatch(/added: alpha edit/);
    // Side by side: mine on the left, theirs on the right.
    await pageB.getByTestId('conflict-diff-split').check();
    const cells = await diff.locator('table.split tbody td.code').allTextContents();
    expect(cells.join('|')).toMatch(/bravo edit\|.*alpha edit/);

    // Keep mine (bravo's edit), by its accessible name.
    const keepMine = pageB.getByRole('button', { name: /Keep mine/ });
    const resolved = await act(pageB, 'resolve-result', () => keepMine.click());
    expect(resolved.last.status).toBe('done');
    expect(['ok', 'nothing-to-do']).toContain(resolved.last.kind);
    await expect.poll(() => pageB.getByTestId('conflicts-empty').isVisible(), { timeout: HANG }).toBe(true);
    await expect.poll(() => pageB.getByTestId('conflicts-banner').count(), { timeout: HANG }).toBe(0);
    await expect.poll(() => pageB.getByTestId('header-state').textContent(), { timeout: HANG }).not.toMatch(/conflict/i);
    expect(readText(join(B.home, '.zshrc'))).toBe('bravo edit\n');
    expect(conflictCopies(B)).toEqual([]);
    await waitFor(() => remoteFile('zsh/.zshrc') === 'bravo edit\n', 'the resolution on the remote', HANG);

    // Alpha, after Sync now: no conflict, and its live file has the kept version.
    await syncInUi(pageA, ['ok', 'nothing-to-do']);
    await expect.poll(() => pageA.getByTestId('conflicts-banner').count(), { timeout: HANG }).toBe(0);
    await pageA.getByTestId('tab-conflicts').click();
    await expect.poll(() => pageA.getByTestId('conflicts-empty').isVisible(), { timeout: HANG }).toBe(true);
    await waitFor(() => readText(join(A.home, '.zshrc')) === 'bravo edit\n', "alpha's live .zshrc", HANG);
    await waitFor(() => conflictCopies(A).length === 0, "alpha's conflict copy removed", HANG);
    await expect.poll(() => pageA.getByTestId('activity-list').textContent(), { timeout: HANG }).toMatch(/Arrived/);
  });

  /** History tab on alpha with zsh/.zshrc picked; returns the version rows once listed. */
  async function historyOfZshrc() {
    await pageA.getByTestId('tab-history').click();
    const picker = pageA.getByTestId('history-file-picker');
    await expect.poll(() => picker.locator('option[value="zsh/.zshrc"]').count(), { timeout: HANG }).toBe(1);
    await picker.selectOption('zsh/.zshrc');
    const rows = pageA.getByTestId('version-row');
    await expect.poll(() => rows.count(), { timeout: HANG }).toBeGreaterThanOrEqual(2);
    return rows;
  }

  // After "Keep mine" on bravo, alpha's side of the merge ("alpha edit") must still be listed: the
  // Conflicts tab promises "Every version stays in History" (git/history.ts follows both sides).
  it("History lists the other machine's version of a resolved conflict", async () => {
    const rows = await historyOfZshrc();
    const sizes = await rows.locator('td:nth-child(3)').allInnerTexts();
    const hosts = await rows.locator('td:nth-child(2)').allInnerTexts();
    // bravo edit (11 bytes, bravo), alpha edit (11 bytes, alpha), base (5 bytes, alpha)
    expect(hosts.filter((h, i) => h === 'alpha' && sizes[i] === '11 bytes')).toHaveLength(1);
  });

  it('restores a version from History and the live file changes', async () => {
    const rows = await historyOfZshrc();
    const table = (await pageA.getByTestId('history-versions').innerText()).replace(/\s+/g, ' ');
    expect(table).toMatch(/When Machine Size Change/);
    expect(table).toContain('alpha');
    expect(table).toContain('bravo');
    // The newest is bravo's kept edit (11 bytes); the oldest is alpha's base (5 bytes), with its date.
    const newest = await rows.first().locator('td').allInnerTexts();
    expect(newest.slice(1, 3)).toEqual(['bravo', '11 bytes']);
    const oldest = rows.last();
    const cells = await oldest.locator('td').allInnerTexts();
    expect(cells[0]).toMatch(/\d{1,2}:\d{2}:\d{2}/);
    expect(cells[1]).toBe('alpha');
    expect(cells[2]).toBe('5 bytes');
    const rev = (await oldest.getAttribute('data-rev'))!;
    await oldest.getByTestId('version-select').click();
    expect(await oldest.getAttribute('data-selected')).toBe('true');
    const version = pageA.getByTestId('history-version');
    await expect.poll(() => version.getAttribute('data-rev'), { timeout: HANG }).toBe(rev);
    await expect.poll(() => pageA.getByTestId('history-content').textContent(), { timeout: HANG }).toBe('base\n');
    // The diff says what restoring would change in the current file (bravo's edit → base).
    const diff = pageA.getByTestId('history-diff');
    expect(await diff.getAttribute('data-removed')).toBe('1');
    expect(await diff.getAttribute('data-added')).toBe('1');
    expect(await diff.textContent()).toMatch(/removed: bravo edit.*added: base/s);
    await shoot(pageA, 'landing-history-alpha');

    const restored = await act(pageA, 'history-restore-result', () => pageA.getByRole('button', { name: 'Restore this version' }).click());
    expect(restored.last.status).toBe('done');
    expect(restored.last.text).toMatch(SYNC_WORDS[restored.last.kind!]);
    expect(readText(join(A.home, '.zshrc'))).toBe('base\n');
    expect(git(join(A.configDir, 'repo'), 'show', 'HEAD:zsh/.zshrc')).toBe('base\n');
    // The restore is itself a new version on top (alpha, 5 bytes).
    await expect.poll(async () => (await rows.first().locator('td').allInnerTexts()).slice(1, 3).join(' '), { timeout: HANG }).toBe('alpha 5 bytes');
    await expect.poll(() => pageA.getByTestId('activity-list').textContent(), { timeout: HANG }).toMatch(/Restored/);
    // …and reaches the other machine.
    await waitFor(() => remoteFile('zsh/.zshrc') === 'base\n', 'the restored version on the remote', HANG);
    await syncInUi(pageB, ['ok', 'nothing-to-do']);
    await waitFor(() => readText(join(B.home, '.zshrc')) === 'base\n', "bravo's live .zshrc restored", HANG);
  });
});
