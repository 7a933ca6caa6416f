/**
 * Two real daemons ("alpha" and "bravo", temp HOMEs) sharing a bare remote, each driven through its own
 * UI in Chromium: Sync now (progress, then the result in words), a conflict made on two machines and
 * shown on each from its own point of view ("Yours (this machine, alpha)" on alpha, "Yours (this
 * machine, bravo)" on bravo), resolved with "Keep yours" on alpha until alpha's text is live on both,
 * then a version restored from History's timeline. Screenshots of the popover (360×480) and the
 * Conflicts tab (640×480, 820×600), light and dark, while the conflict is open, and of the History
 * timeline (820×600, light and dark) after the restore.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import { launchChromium } from '../helpers/browser.js';
import { bareRemote, git, waitFor } from '../helpers/machine.js';
import { act, dumpOnFailure, HANG, openUi, readText, shoot, shootSizes, syncNow, SYNC_WORDS } from '../helpers/ui.js';

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

interface Change {
  rev: string;
  host: string;
  who: string;
  files: string;
}

/** The History timeline as listed, top to bottom. */
async function changes(page: Page): Promise<Change[]> {
  // A string expression: this file is type-checked without the DOM library.
  return (await page.evaluate(`[...document.querySelectorAll('[data-testid="history-change"]')].map((e) => ({
    rev: e.getAttribute('data-rev') ?? '',
    host: e.getAttribute('data-host') ?? '',
    who: (e.querySelector('[data-testid="history-change-host"]')?.textContent ?? '').trim(),
    files: (e.querySelector('[data-testid="history-change-files"]')?.textContent ?? '').trim(),
  }))`)) as Change[];
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

  /** The open conflict's panel on `page`, with both versions loaded. */
  async function openConflict(page: Page) {
    await page.getByTestId('tab-conflicts').click();
    await expect.poll(() => page.getByTestId('tab-conflicts').getAttribute('aria-selected')).toBe('true');
    const item = page.locator('[data-testid="conflict-item"][data-path="zsh/.zshrc"]');
    await expect.poll(() => item.count(), { timeout: HANG }).toBe(1);
    await item.click();
    expect(await item.getAttribute('aria-current')).toBe('true');
    expect(await item.getAttribute('data-kind')).toBe('text');
    const detail = page.getByTestId('conflict-detail');
    expect(await detail.getAttribute('data-path')).toBe('zsh/.zshrc');
    const diff = page.getByTestId('conflict-diff');
    await expect.poll(() => diff.getAttribute('data-added'), { timeout: HANG }).toBe('1');
    expect(await diff.getAttribute('data-removed')).toBe('1');
    return { item, detail, diff };
  }

  /** What a side of the open conflict says: its label and where that version is now. */
  async function side(page: Page, which: 'mine' | 'theirs') {
    const fig = page.getByTestId(`conflict-side-${which}`);
    return { label: (await fig.locator('dt').textContent())!.trim(), where: await fig.getByTestId(`conflict-side-${which}-where`).textContent(), data: await fig.getAttribute('data-where') };
  }

  it('a conflict made on two machines is shown on each from its own point of view', async () => {
    // Alpha's edit reaches the remote first (the watcher commits it; Sync now sends it).
    writeFileSync(join(A.home, '.zshrc'), 'alpha edit\n');
    await syncInUi(pageA, ['ok', 'nothing-to-do']);
    await waitFor(() => remoteFile('zsh/.zshrc') === 'alpha edit\n', "alpha's edit on the remote", HANG);
    // Then bravo edits the same line and syncs: a conflict.
    writeFileSync(join(B.home, '.zshrc'), 'bravo edit\n');
    await syncInUi(pageB, ['conflict', 'ok', 'nothing-to-do']);

    const banner = pageB.getByTestId('conflicts-banner');
    await expect.poll(() => banner.getAttribute('data-count'), { timeout: HANG }).toBe('1');
    expect(await banner.getByTestId('conflicts-banner-words').textContent()).toBe('.zshrc changed here and on alpha.');
    expect(await banner.textContent()).toContain('Both versions are kept until you choose.');
    await expect.poll(() => pageB.getByTestId('header-state').textContent()).toBe('1 conflict');
    expect(await pageB.getByTestId('tray-state').getAttribute('data-kind')).toBe('conflict');
    expect(await pageB.getByTestId('tab-conflicts').textContent()).toMatch(/Conflicts\s*\(?1/);
    // Both versions are kept on bravo: its own live, alpha's as a copy beside it.
    expect(readText(join(B.home, '.zshrc'))).toBe('bravo edit\n');
    expect(conflictCopies(B)).toHaveLength(1);
    expect(readText(join(B.home, conflictCopies(B)[0]))).toBe('alpha edit\n');

    // Alpha sees the same conflict after its next sync, the other way round.
    await syncInUi(pageA, ['ok', 'nothing-to-do', 'conflict']);
    await expect.poll(() => pageA.getByTestId('conflicts-banner').getAttribute('data-count'), { timeout: HANG }).toBe('1');
    expect(await pageA.getByTestId('conflicts-banner-words').textContent()).toBe('.zshrc changed here and on bravo.');

    // On bravo: bravo's version is "yours", in the file; alpha's is in the copy beside it.
    const b = await openConflict(pageB);
    expect(await side(pageB, 'mine')).toEqual({ label: 'Yours (this machine, bravo)', where: 'in the file', data: 'live' });
    expect(await side(pageB, 'theirs')).toEqual({ label: "alpha's", where: 'in the copy beside it', data: 'copy' });
    expect(await pageB.getByTestId('conflict-copy-path').textContent()).toBe(join(B.home, conflictCopies(B)[0]));
    expect(await b.detail.textContent()).toContain("The copy beside it holds alpha's version");
    expect(await pageB.getByTestId('resolve-mine').textContent()).toBe('Keep yours');
    expect(await pageB.getByTestId('resolve-theirs').textContent()).toBe("Keep alpha's");
    expect(await pageB.getByTestId('resolve-both').textContent()).toBe('Keep both (yours in the file, theirs beside it)');
    expect(await pageB.getByTestId('resolve-help').textContent()).toContain("Keep alpha's: Puts alpha's version in the file, replacing yours.");
    // The diff: two sides with their machines, never "removed"/"added".
    const wordsB = (await b.diff.textContent())!;
    expect(wordsB).toContain('Yours (this machine, bravo)');
    expect(wordsB).toContain("alpha's");
    expect(wordsB).toMatch(/yours: bravo edit/);
    expect(wordsB).toMatch(/alpha: alpha edit/);
    expect(wordsB).not.toMatch(/removed|added/);
    expect(await b.diff.locator('tr.diff-mine').count()).toBe(1);
    expect(await b.diff.locator('tr.diff-theirs').count()).toBe(1);
    // Side by side: yours on the left, theirs on the right.
    await pageB.getByTestId('conflict-diff-split').check();
    const cells = await b.diff.locator('table.split tbody td.code').allTextContents();
    expect(cells.join('|')).toMatch(/bravo edit\|.*alpha edit/);
    expect(await b.diff.locator('table.split thead').textContent()).toBe("Yours (this machine, bravo)alpha's");

    // On alpha: alpha's version is "yours", now in the copy beside the file; bravo's is in the file.
    const a = await openConflict(pageA);
    expect(await side(pageA, 'mine')).toEqual({ label: 'Yours (this machine, alpha)', where: 'in the copy beside it', data: 'copy' });
    expect(await side(pageA, 'theirs')).toEqual({ label: "bravo's", where: 'in the file', data: 'live' });
    expect(await a.detail.textContent()).toContain('The copy beside it holds your version');
    expect(await pageA.getByTestId('resolve-theirs').textContent()).toBe("Keep bravo's");
    expect(await pageA.getByTestId('resolve-help').textContent()).toContain('Keep yours: Puts your version back in the file, replacing bravo\'s.');
    const wordsA = (await a.diff.textContent())!;
    expect(wordsA).toMatch(/yours: alpha edit/);
    expect(wordsA).toMatch(/bravo: bravo edit/);

    // Pictures while the conflict is open: the popover (and its way to the Conflicts tab) and the tab at
    // the sizes people use, light and dark.
    for (const scheme of ['light', 'dark'] as const) {
      const pop = await open(A, { path: 'popover.html', viewport: { width: 360, height: 480 }, colorScheme: scheme });
      await expect.poll(() => pop.getByTestId('conflicts-banner').getAttribute('data-count'), { timeout: HANG }).toBe('1');
      await shoot(pop, `popover-conflict-${scheme}`, { fullPage: false });
      // The footer is in the window, not below the fold.
      expect((await pop.evaluate(`document.querySelector('.popover-footer').getBoundingClientRect().bottom`)) as number).toBeLessThanOrEqual(480);
      // In the popover window, "Review conflict" goes to the preferences' Conflicts tab.
      await pop.getByTestId('conflicts-banner-open').click();
      await pop.waitForURL(/preferences\.html#conflicts$/, { timeout: HANG });
      await expect.poll(() => pop.getByTestId('tab-conflicts').getAttribute('aria-selected'), { timeout: HANG }).toBe('true');
    }
    const ready = async (p: Page) => {
      await expect.poll(() => p.getByTestId('conflict-diff').getAttribute('data-added'), { timeout: HANG }).toBe('1');
    };
    await shootSizes(browser, A, { name: 'preferences-conflicts-alpha', path: 'preferences.html', hash: 'conflicts', sizes: ['small', 'roomy'], ready, full: true });
    await shootSizes(browser, B, { name: 'preferences-conflicts-bravo', path: 'preferences.html', hash: 'conflicts', sizes: ['roomy'], ready });
  });

  it('"Keep yours" on alpha makes alpha\'s text live on both machines, and the conflict clears', async () => {
    const keepMine = pageA.getByRole('button', { name: 'Keep yours', exact: true });
    const resolved = await act(pageA, 'resolve-result', () => keepMine.click());
    expect(resolved.last.status).toBe('done');
    expect(['ok', 'nothing-to-do']).toContain(resolved.last.kind);
    await expect.poll(() => pageA.getByTestId('conflicts-empty').isVisible(), { timeout: HANG }).toBe(true);
    await expect.poll(() => pageA.getByTestId('conflicts-banner').count(), { timeout: HANG }).toBe(0);
    await expect.poll(() => pageA.getByTestId('header-state').textContent(), { timeout: HANG }).not.toMatch(/conflict/i);
    // Alpha's version went back into the file; the copy is gone.
    expect(readText(join(A.home, '.zshrc'))).toBe('alpha edit\n');
    expect(conflictCopies(A)).toEqual([]);
    await expect.poll(() => pageA.getByTestId('activity-list').textContent(), { timeout: HANG }).toMatch(/Resolved.*kept your version/);
    await waitFor(() => remoteFile('zsh/.zshrc') === 'alpha edit\n', 'the resolution on the remote', HANG);

    // Bravo, after Sync now: no conflict, and its live file has alpha's text.
    await syncInUi(pageB, ['ok', 'nothing-to-do']);
    await expect.poll(() => pageB.getByTestId('conflicts-banner').count(), { timeout: HANG }).toBe(0);
    await pageB.getByTestId('tab-conflicts').click();
    await expect.poll(() => pageB.getByTestId('conflicts-empty').isVisible(), { timeout: HANG }).toBe(true);
    await waitFor(() => readText(join(B.home, '.zshrc')) === 'alpha edit\n', "bravo's live .zshrc", HANG);
    await waitFor(() => conflictCopies(B).length === 0, "bravo's conflict copy removed", HANG);
    await expect.poll(() => pageB.getByTestId('activity-list').textContent(), { timeout: HANG }).toMatch(/Arrived/);
  });

  /** The History tab on alpha, narrowed by the search to ~/.zshrc; its changes as listed, newest first. */
  async function historyOfZshrc(): Promise<Change[]> {
    await pageA.getByTestId('tab-history').click();
    await expect.poll(() => pageA.getByTestId('tab-history').getAttribute('aria-selected')).toBe('true');
    await pageA.getByTestId('history-search').fill('~/.zshrc');
    await expect.poll(() => pageA.getByTestId('history-search-words').textContent(), { timeout: HANG }).toBe('Changes to ~/.zshrc.');
    await expect.poll(async () => (await changes(pageA)).length, { timeout: HANG }).toBeGreaterThanOrEqual(2);
    return changes(pageA);
  }

  /** Opens the change `rev` and returns its file's diff (before → after that change) once loaded. */
  async function openChange(rev: string) {
    await pageA.locator(`[data-testid="history-change"][data-rev="${rev}"]`).click();
    await expect.poll(() => pageA.getByTestId('history-change-detail').getAttribute('data-rev'), { timeout: HANG }).toBe(rev);
    const file = pageA.locator('[data-testid="history-change-file"][data-path="zsh/.zshrc"]');
    await expect.poll(() => file.getAttribute('aria-current'), { timeout: HANG }).toBe('true');
    const diff = pageA.getByTestId('history-diff');
    await expect.poll(() => diff.count(), { timeout: HANG }).toBe(1);
    return diff;
  }

  // After "Keep yours" on alpha, bravo's side of the merge ("bravo edit") must still be listed: the
  // Conflicts tab promises "Every version stays in History".
  it("History lists the other machine's version of a resolved conflict", async () => {
    const list = await historyOfZshrc();
    expect(new Set(list.map((c) => c.rev)).size).toBe(list.length);
    // Every change listed touched .zshrc; bravo's is listed as bravo's, and it is the one that saved "bravo edit".
    for (const c of list) expect(c.files).toMatch(/\.zshrc$/);
    const bravos = list.filter((c) => c.host === 'bravo');
    expect(bravos).toHaveLength(1);
    expect(bravos[0].who).toBe('bravo');
    const diff = await openChange(bravos[0].rev);
    expect(await diff.textContent()).toMatch(/removed: base.*added: bravo edit/s);
    expect(await diff.getAttribute('data-added')).toBe('1');
    expect(await diff.getAttribute('data-removed')).toBe('1');
  });

  it('restores a version from History and the live file changes', async () => {
    const list = await historyOfZshrc();
    // The newest is alpha's resolution (alpha's edit kept); the oldest is alpha's base, with its date and time.
    expect(list[0]).toMatchObject({ host: 'alpha', who: 'alpha (this machine)', files: 'Conflict resolved .zshrc' });
    const oldest = list.at(-1)!;
    expect(oldest).toMatchObject({ host: 'alpha', files: '.zshrc' });
    await openChange(oldest.rev);
    expect(await pageA.getByTestId('history-change-summary').textContent()).toMatch(/^\d{1,2} \w{3} \d{4} at \d{2}:\d{2} · 1 file$/);
    const file = pageA.locator('[data-testid="history-change-file"][data-path="zsh/.zshrc"]');
    expect(await file.getAttribute('data-change')).toBe('added');
    expect(await pageA.getByTestId('history-diff').textContent()).toMatch(/added: base/);

    // Restoring asks first, and says what it would change in the current file (alpha's edit → base).
    await pageA.getByTestId('history-restore-file').click();
    const confirm = pageA.getByTestId('history-confirm');
    expect(await confirm.getAttribute('data-what')).toBe('file');
    expect(await confirm.getByTestId('history-confirm-words').textContent()).toMatch(/^Put ~\/\.zshrc back to the version alpha saved .+\?$/);
    const diff = pageA.getByTestId('history-confirm-diff');
    await expect.poll(() => diff.getAttribute('data-removed'), { timeout: HANG }).toBe('1');
    expect(await diff.getAttribute('data-added')).toBe('1');
    expect(await diff.textContent()).toMatch(/removed: alpha edit.*added: base/s);
    await shoot(pageA, 'landing-history-alpha');

    const restored = await act(pageA, 'history-restore-result', () => pageA.getByTestId('history-confirm-yes').click());
    expect(restored.last.status).toBe('done');
    expect(restored.last.text).toMatch(/^Restored.*\.zshrc restored to an earlier version/);
    expect(readText(join(A.home, '.zshrc'))).toBe('base\n');
    expect(git(join(A.configDir, 'repo'), 'show', 'HEAD:zsh/.zshrc')).toBe('base\n');
    expect(await pageA.getByTestId('history-confirm').count()).toBe(0);
    // The restore is itself a new change on top (alpha's), listed once.
    await expect.poll(async () => (await changes(pageA))[0]?.files, { timeout: HANG }).toBe('Restored .zshrc');
    const after = await changes(pageA);
    expect(after[0].host).toBe('alpha');
    expect(after.slice(1).map((c) => c.rev)).toEqual(list.map((c) => c.rev));
    await expect.poll(() => pageA.getByTestId('activity-list').textContent(), { timeout: HANG }).toMatch(/Restored/);
    // …and reaches the other machine.
    await waitFor(() => remoteFile('zsh/.zshrc') === 'base\n', 'the restored version on the remote', HANG);
    await syncInUi(pageB, ['ok', 'nothing-to-do']);
    await waitFor(() => readText(join(B.home, '.zshrc')) === 'base\n', "bravo's live .zshrc restored", HANG);

    // The timeline of ~/.zshrc with bravo's change open, at 820×600, light and dark.
    const bravo = after.find((c) => c.host === 'bravo')!.rev;
    const ready = async (p: Page) => {
      await p.getByTestId('history-search').fill('~/.zshrc');
      const row = p.locator(`[data-testid="history-change"][data-rev="${bravo}"]`);
      await expect.poll(() => row.count(), { timeout: HANG }).toBe(1);
      await row.click();
      await expect.poll(() => p.getByTestId('history-diff').getAttribute('data-added'), { timeout: HANG }).toBe('1');
    };
    expect(await shootSizes(browser, A, { name: 'preferences-history-conflict', path: 'preferences.html', hash: 'history', sizes: ['roomy'], ready })).toHaveLength(2);
  });
});
