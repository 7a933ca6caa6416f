/**
 * Setting up a second machine through the UI, and "ask before applying", with two real daemons
 * (temp HOMEs, real git, one bare remote) driven in Chromium:
 *
 * - "laptop-a" has the repo: zsh (.zshrc, .zshenv, .zprofile) and git (.gitconfig).
 * - "desk-b" has no remote, no profile on, its own .zshrc and the same .zprofile. From the popover's
 *   "Set up syncing" it reaches the Repository tab's setup flow: a wrong address is "not found" with
 *   the fix; the right one tests fine; the preview says zsh is turned on, .zshrc is kept as a conflict
 *   copy (its diff shows both versions), .zshenv arrives and .zprofile is already the same, and git is
 *   in the repo but not found here (one click turns it on). The preview saves nothing, so Cancel leaves
 *   settings, files and repo as they were; Apply joins: the repo's .zshrc is live and desk-b's own is beside it as a conflict copy.
 * - desk-b then asks before applying (General tab, with its classes): laptop-a's next edit makes
 *   Sync now say the change waits (the header calm, never an error), the popover says "1 change
 *   waiting to arrive", Review lists it with its diff, and Apply all applies it.
 *
 * Screenshots of each step (test-results/screenshots/setup-*) at 360×480 (popover) and 640×480 and
 * 820×600 (preferences), light and dark.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import { launchChromium } from '../helpers/browser.js';
import { bareRemote, git, tmp, waitFor } from '../helpers/machine.js';
import { act, dumpOnFailure, HANG, openUi, readText, shoot, SIZES, syncNow, type SizeName } from '../helpers/ui.js';
import { Settings } from '../../shared/settings.js';

const PROFILE = 'export PATH="$HOME/bin:$PATH"\n';
const ZSHRC_A = 'export FROM=a\nalias ll="ls -l"\n';
const ZSHRC_B = 'export FROM=b\nalias ll="ls -l"\n';
const ZSHRC_A2 = 'export FROM=a2\nalias ll="ls -l"\n';
const GITCONFIG = '[user]\n\tname = Ann\n';

let browser: Browser;
let remote: string;
let A: DaemonHandle;
let B: DaemonHandle;
const daemons: DaemonHandle[] = [];
const contexts: BrowserContext[] = [];

async function open(d: DaemonHandle, o: Parameters<typeof openUi>[2] = {}): Promise<Page> {
  const r = await openUi(browser, d, o);
  contexts.push(r.ctx);
  return r.page;
}

function configText(d: DaemonHandle): string {
  return readFileSync(join(d.configDir, 'config.json'), 'utf8');
}

/** config.json as the host reads it (defaults filled in). */
function config(d: DaemonHandle): Settings {
  return Settings.parse(JSON.parse(configText(d)));
}

function remoteFile(path: string): string | null {
  try {
    return git(remote, 'show', `main:${path}`);
  } catch {
    return null;
  }
}

function repoOf(d: DaemonHandle): string {
  return join(d.configDir, 'repo');
}

function conflictCopies(d: DaemonHandle): string[] {
  return readdirSync(d.home).filter((n) => n.startsWith('.zshrc.conflict-'));
}

/**
 * Screenshots of the page as it is now, at each size and colour scheme (the window only, with `show`
 * scrolled into view), checking that nothing is wider than the window and the tabs stay on one row.
 * Puts the first size and light back afterwards.
 */
async function shootHere(page: Page, name: string, sizes: SizeName[], show?: Locator): Promise<void> {
  for (const size of sizes) {
    for (const scheme of ['light', 'dark'] as const) {
      await page.setViewportSize(SIZES[size]);
      await page.emulateMedia({ colorScheme: scheme });
      if (show) await show.scrollIntoViewIfNeeded();
      const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
      expect(overflow, `${name} at ${size}: the page is wider than the window`).toBeLessThanOrEqual(0);
      const tabRows = (await page.evaluate(
        `(() => { const t = [...document.querySelectorAll('[role="tab"]')]; return new Set(t.map((e) => Math.round(e.getBoundingClientRect().top))).size; })()`,
      )) as number;
      expect(tabRows, `${name} at ${size}: the tabs wrap`).toBeLessThanOrEqual(1);
      await shoot(page, `${name}-${size}-${scheme}`, { fullPage: false });
    }
  }
  await page.setViewportSize(SIZES[sizes[0]]);
  await page.emulateMedia({ colorScheme: 'light' });
}

beforeAll(async () => {
  remote = bareRemote();
  [A, browser] = await Promise.all([
    startDaemon({
      settings: { hostName: 'laptop-a', enabledProfiles: ['zsh', 'git'], remote: { url: remote, branch: 'main' }, sync: { intervalSec: 3600, debounceMs: 200 } },
      files: { '.zshrc': ZSHRC_A, '.zshenv': 'export ENV=a\n', '.zprofile': PROFILE, '.gitconfig': GITCONFIG },
    }),
    launchChromium(),
  ]);
  daemons.push(A);
  // laptop-a's start-up sync fills the repo.
  await waitFor(() => remoteFile('zsh/.zshrc') === ZSHRC_A && remoteFile('git/.gitconfig') === GITCONFIG && remoteFile('zsh/.zshenv') !== null, "laptop-a's files on the remote", HANG);
  // desk-b: no remote yet, and no profile on (it meets the repo's profiles in the preview).
  B = await startDaemon({
    settings: { hostName: 'desk-b', enabledProfiles: [], sync: { intervalSec: 3600, debounceMs: 200 } },
    files: { '.zshrc': ZSHRC_B, '.zprofile': PROFILE },
  });
  daemons.push(B);
}, 120_000);

beforeEach(dumpOnFailure(() => daemons));

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await Promise.all(daemons.map((d) => d.stop()));
});

describe('setting up desk-b, which joins laptop-a\'s repo', () => {
  let prefs: Page;

  it('the popover offers "Set up syncing"; a wrong address is "not found" with the fix; Cancel after the preview leaves everything as it was', async () => {
    const pop = await open(B, { path: 'popover.html', viewport: SIZES.popover });
    await expect.poll(() => pop.getByTestId('header-safe-to-shutdown').getAttribute('data-safe'), { timeout: HANG }).toBe('true');
    expect(await pop.getByTestId('header-local-only').textContent()).toBe('No remote set up: changes are kept on this machine only');
    const setUp = pop.getByRole('button', { name: 'Set up syncing' });
    expect(await setUp.count()).toBe(1);
    await shootHere(pop, 'setup-popover-local-only', ['popover']);
    await setUp.click();
    await pop.waitForURL(/preferences\.html#repository$/, { timeout: HANG });
    prefs = pop;
    await prefs.setViewportSize(SIZES.small);
    const flow = prefs.getByTestId('setup-flow');
    await expect.poll(() => flow.isVisible(), { timeout: HANG }).toBe(true);
    expect(await prefs.getByTestId('tab-repository').getAttribute('aria-selected')).toBe('true');
    expect(await flow.getAttribute('data-step')).toBe('address');
    // Nothing to preview before a test.
    expect(await prefs.getByTestId('setup-preview').isDisabled()).toBe(true);
    expect(await prefs.getByTestId('setup-url-help').textContent()).toMatch(/path of one on this machine or a disk/);

    // An empty address is asked for before anything is sent.
    await prefs.getByTestId('setup-test').click();
    await expect.poll(() => prefs.getByTestId('setup-error-url').textContent()).toBe('Enter the address of a repository, or the path of one on this machine or a disk.');
    expect(await prefs.getByTestId('setup-url').getAttribute('aria-invalid')).toBe('true');

    const saved = configText(B);
    const missing = join(tmp('cs-nowhere-'), 'dotfiles.git');
    await prefs.getByTestId('setup-url').fill(missing);
    expect(await prefs.getByTestId('setup-error-url').isVisible()).toBe(false);
    const notFound = await act(prefs, 'setup-test-result', () => prefs.getByTestId('setup-test').click());
    expect(notFound.last).toMatchObject({ status: 'done', kind: 'not-found' });
    expect(notFound.last.text).toMatch(/^Not found: check the address/);
    expect(await prefs.getByTestId('setup-test-fix').textContent()).toBe('No repository at that address: look for a typo, or for a disk, check that it is connected.');
    expect(await prefs.getByTestId('setup-preview').isDisabled()).toBe(true);
    expect(configText(B)).toBe(saved); // testing saves nothing
    await shootHere(prefs, 'setup-not-found', ['small', 'roomy'], prefs.getByTestId('setup-test-result'));

    await prefs.getByTestId('setup-url').fill(remote);
    // The old result is about the old address: Preview waits for a new test.
    expect(await prefs.getByTestId('setup-preview').isDisabled()).toBe(true);
    const ok = await act(prefs, 'setup-test-result', () => prefs.getByTestId('setup-test').click());
    expect(ok.last).toMatchObject({ status: 'done', kind: 'ok' });
    expect(ok.last.text).toContain('Connected: the repository is reachable');
    expect(ok.last.text).toContain('branch main exists');
    expect(await prefs.getByTestId('setup-preview').isEnabled()).toBe(true);

    // Preview, then Cancel: the preview looks at the typed address without saving it, so the settings,
    // the files and the repo are as they were after the preview, and still after Cancel.
    const head = git(repoOf(B), 'rev-parse', 'HEAD').trim();
    const shown = await act(prefs, 'setup-preview-result', () => prefs.getByTestId('setup-preview').click());
    expect(shown.last.status).toBe('done');
    expect(await flow.getAttribute('data-step')).toBe('preview');
    // The preview is of the typed remote (laptop-a's profiles are listed), yet nothing is saved.
    expect(await prefs.locator('[data-testid="setup-profile"][data-name="zsh"]').count()).toBe(1);
    expect(configText(B)).toBe(saved);
    expect(config(B).remote).toEqual({ url: null, branch: 'main' });
    expect(await prefs.getByTestId('setup-url').getAttribute('readonly')).not.toBeNull();
    const cancelled = await act(prefs, 'setup-cancel-result', () => prefs.getByTestId('setup-cancel').click());
    expect(cancelled.last).toMatchObject({ status: 'done', text: 'Cancelled: nothing was changed.' });
    expect(await flow.getAttribute('data-step')).toBe('address');
    expect(await prefs.getByTestId('setup-preview-result').count()).toBe(0);
    expect(configText(B)).toBe(saved);
    expect(config(B).remote).toEqual({ url: null, branch: 'main' });
    expect(config(B).enabledProfiles).toEqual([]);
    expect(readText(join(B.home, '.zshrc'))).toBe(ZSHRC_B);
    expect(readText(join(B.home, '.zshenv'))).toBeNull();
    expect(conflictCopies(B)).toEqual([]);
    expect(git(repoOf(B), 'rev-parse', 'HEAD').trim()).toBe(head);
    expect(git(repoOf(B), 'for-each-ref', 'refs/remotes', 'refs/heads')).not.toMatch(/refs\/remotes\//);
    await expect.poll(() => prefs.getByTestId('repo-remote').textContent(), { timeout: HANG }).toBe('None (this machine only)');
    // laptop-a's files are untouched too.
    expect(remoteFile('zsh/.zshrc')).toBe(ZSHRC_A);
  }, 180_000);

  it('the preview: zsh is turned on, .zshrc is kept as a conflict copy (with its diff), git is one click away; Apply joins', async () => {
    const flow = prefs.getByTestId('setup-flow');
    expect(await prefs.getByTestId('setup-url').inputValue()).toBe(remote);
    await act(prefs, 'setup-test-result', () => prefs.getByTestId('setup-test').click());
    const shown = await act(prefs, 'setup-preview-result', () => prefs.getByTestId('setup-preview').click());
    expect(shown.last.status).toBe('done');

    // The profiles with files in the repo.
    const zsh = prefs.locator('[data-testid="setup-profile"][data-name="zsh"]');
    const gitRow = prefs.locator('[data-testid="setup-profile"][data-name="git"]');
    expect(await zsh.getAttribute('data-chosen')).toBe('true');
    expect(await zsh.getAttribute('data-detected')).toBe('true');
    expect(await zsh.innerText()).toMatch(/Zsh\s*3 files in the repo\s*Turned on when you apply/);
    expect(await gitRow.getAttribute('data-chosen')).toBe('false');
    expect(await gitRow.getAttribute('data-detected')).toBe('false');
    expect(await gitRow.innerText()).toMatch(/Git\s*1 file in the repo\s*Not found on this machine\s*Turn on/);

    // The files, grouped by what happens to them, with counts.
    expect(await prefs.getByTestId('setup-summary').textContent()).toBe('3 files: 1 arrives, 1 kept as a conflict copy, 1 already the same.');
    const groups = await prefs.getByTestId('setup-group').evaluateAll((els) => els.map((e) => [e.getAttribute('data-group'), e.getAttribute('data-count')]));
    expect(groups).toEqual([
      ['arrives', '1'],
      ['kept', '1'],
      ['same', '1'],
    ]);
    const zshrc = prefs.locator('[data-testid="setup-file"][data-path="zsh/.zshrc"]');
    expect(await zshrc.getAttribute('data-what')).toBe('yours-kept-beside');
    expect(await zshrc.getByTestId('setup-file-words').textContent()).toBe("kept: yours is different, and becomes a conflict copy beside the repo's version");
    expect(await prefs.locator('[data-testid="setup-group"][data-group="kept"]').locator('h5').textContent()).toBe('Kept as a conflict copy 1 file');
    expect(await prefs.locator('[data-testid="setup-file"][data-path="zsh/.zshenv"]').getAttribute('data-what')).toBe('arrives');
    expect(await prefs.locator('[data-testid="setup-file"][data-path="zsh/.zprofile"]').getAttribute('data-what')).toBe('same');
    await shootHere(prefs, 'setup-preview-profiles', ['small', 'roomy'], prefs.getByTestId('setup-profiles'));

    // .zshrc's diff: both versions, neither one "removed", named from this machine.
    const toggle = zshrc.getByTestId('setup-file-diff');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await expect.poll(() => zshrc.getByTestId('setup-diff-status').getAttribute('data-status'), { timeout: HANG }).toBe('done');
    const diff = zshrc.getByTestId('setup-diff');
    expect(await diff.getAttribute('data-added')).toBe('1');
    expect(await diff.getAttribute('data-removed')).toBe('1');
    const diffText = (await diff.textContent())!;
    expect(diffText).toContain('Yours (this machine, desk-b)');
    expect(diffText).toContain("The repo's version");
    expect(diffText).toContain('export FROM=b');
    expect(diffText).toContain('export FROM=a');
    await shootHere(prefs, 'setup-preview-diff', ['small', 'roomy'], diff);

    // Git is in the repo but not found here: one click turns it on (and one leaves it off again).
    await gitRow.getByRole('button', { name: 'Turn on Git' }).click();
    expect(await gitRow.getAttribute('data-chosen')).toBe('true');
    expect(await gitRow.innerText()).toContain('Turned on when you apply: its file arrives from the repo');
    await gitRow.getByRole('button', { name: 'Leave off Git' }).click();
    expect(await gitRow.getAttribute('data-chosen')).toBe('false');
    await gitRow.getByRole('button', { name: 'Turn on Git' }).click();
    // Nothing has changed yet.
    expect(readText(join(B.home, '.zshrc'))).toBe(ZSHRC_B);
    expect(config(B).enabledProfiles).toEqual([]);

    const applied = await act(prefs, 'setup-apply-result', () => prefs.getByTestId('setup-apply').click());
    expect(applied.last).toMatchObject({ status: 'done', kind: 'conflict' });
    expect(applied.last.text).toMatch(/^Synced with conflicts to review/);
    expect(await flow.getAttribute('data-step')).toBe('applied');
    expect(await prefs.getByTestId('setup-applied-words').textContent()).toContain('kept beside the repo’s as a conflict copy');

    // On disk: the repo's .zshrc is live, desk-b's own beside it; the other files arrived.
    expect(readText(join(B.home, '.zshrc'))).toBe(ZSHRC_A);
    const copies = conflictCopies(B);
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatch(/^\.zshrc\.conflict-desk-b-/);
    expect(readText(join(B.home, copies[0]))).toBe(ZSHRC_B);
    expect(readText(join(B.home, '.zshenv'))).toBe('export ENV=a\n');
    expect(readText(join(B.home, '.zprofile'))).toBe(PROFILE);
    expect(readText(join(B.home, '.gitconfig'))).toBe(GITCONFIG);
    expect(config(B).remote.url).toBe(remote);
    expect([...(config(B).enabledProfiles ?? [])].sort()).toEqual(['git', 'zsh']);
    // No other machine's live file changed.
    expect(readText(join(A.home, '.zshrc'))).toBe(ZSHRC_A);
    await shootHere(prefs, 'setup-applied', ['small', 'roomy'], prefs.getByTestId('setup-apply-result'));

    // Done: the tab shows the remote it saved.
    await prefs.getByTestId('setup-done').click();
    expect(await prefs.getByTestId('setup-flow').count()).toBe(0);
    expect(await prefs.getByTestId('repo-remote-url').inputValue()).toBe(remote);
    await expect.poll(() => prefs.getByTestId('repo-remote').textContent(), { timeout: HANG }).toBe(remote);
  }, 180_000);
});

describe('desk-b asks before applying', () => {
  let pop: Page;

  it('General: "Ask before applying" and this machine\'s classes are saved; a wrong class is refused in words', async () => {
    const p = await open(B, { path: 'preferences.html', hash: 'general', viewport: SIZES.small });
    const auto = p.getByRole('radio', { name: 'Apply automatically' });
    const ask = p.getByRole('radio', { name: 'Ask before applying' });
    await expect.poll(() => auto.isChecked(), { timeout: HANG }).toBe(true);
    expect(await p.getByRole('group', { name: 'Changes from other machines' }).count()).toBe(1);
    await ask.check();
    const classes = p.getByTestId('settings-classes');
    const save = () => act(p, 'settings-result', () => p.getByTestId('settings-save').click());

    const before = configText(B);
    await classes.fill('work, laptop!');
    expect(await p.getByTestId('settings-class-tag').evaluateAll((els) => els.map((e) => e.getAttribute('data-class')))).toEqual(['work', 'laptop!']);
    await p.getByTestId('settings-save').click();
    await expect.poll(() => p.getByTestId('settings-error-classes').textContent()).toBe('“laptop!”: letters, digits, dot, underscore and dash only.');
    expect(await classes.getAttribute('aria-invalid')).toBe('true');
    await classes.fill('work, Work');
    expect(await p.getByTestId('settings-error-classes').isVisible()).toBe(false);
    await p.getByTestId('settings-save').click();
    await expect.poll(() => p.getByTestId('settings-error-classes').textContent()).toBe('“Work” is there twice (classes are the same in upper and lower case).');
    expect(configText(B)).toBe(before); // nothing was sent

    await classes.fill('work laptop');
    expect((await save()).last).toMatchObject({ status: 'done', text: 'Saved.' });
    await waitFor(() => config(B).sync.applyIncoming === 'ask', 'ask before applying in config.json', HANG);
    expect(config(B).machine.classes).toEqual(['work', 'laptop']);
    expect(await classes.inputValue()).toBe('work, laptop');
    expect(await p.getByTestId('settings-apply-incoming').textContent()).toContain('you review them and apply them with one click');
    await shootHere(p, 'setup-general-ask', ['small', 'roomy'], p.getByTestId('settings-apply-incoming'));
  }, 180_000);

  it('a change from laptop-a waits: Sync now says so calmly, "1 change waiting to arrive", Review shows it, Apply all applies it', async () => {
    pop = await open(B, { path: 'popover.html', viewport: SIZES.popover });
    // First the conflict from joining is resolved (keep laptop-a's): then nothing but the waiting change is left to show.
    const prefs = await open(B, { path: 'preferences.html', hash: 'conflicts', viewport: SIZES.roomy });
    const keepTheirs = prefs.getByTestId('resolve-theirs');
    await expect.poll(() => keepTheirs.textContent(), { timeout: HANG }).toBe("Keep laptop-a's");
    const resolved = await act(prefs, 'resolve-result', () => keepTheirs.click());
    expect(resolved.last.status).toBe('done');
    await waitFor(() => conflictCopies(B).length === 0, "desk-b's conflict copy gone", HANG);
    await expect.poll(() => pop.getByTestId('header-state').textContent(), { timeout: HANG }).toBe('Up to date');

    // laptop-a edits .zshrc; its watcher commits and sends it.
    writeFileSync(join(A.home, '.zshrc'), ZSHRC_A2);
    await waitFor(() => remoteFile('zsh/.zshrc') === ZSHRC_A2, "laptop-a's edit on the remote", HANG);

    const r = await syncNow(pop);
    expect(r.kind).toBe('waiting');
    await expect.poll(() => pop.getByTestId('sync-result').textContent(), { timeout: HANG }).toBe('Checked just now: nothing was applied. The changes above wait for your review.');
    expect(await pop.getByTestId('sync-waiting').getAttribute('data-tone')).toBe('pending');
    const banner = pop.getByTestId('incoming-banner');
    await expect.poll(() => banner.getAttribute('data-count'), { timeout: HANG }).toBe('1');
    expect(await banner.getByTestId('incoming-banner-words').textContent()).toBe('1 change waiting to arrive');
    // The header: calm, never an error, never "Up to date".
    expect(await pop.getByTestId('header-state').textContent()).toBe('Waiting for your review');
    expect(await pop.getByTestId('header-state').getAttribute('data-kind')).toBe('idle');
    expect(await pop.locator('.status-header').getAttribute('class')).toContain('tone-bg-pending');
    expect(await pop.getByTestId('errors-banner').count()).toBe(0);
    expect((await pop.getByTestId('popover').textContent())!).not.toMatch(/Sync failed|Up to date/);
    expect(readText(join(B.home, '.zshrc'))).toBe(ZSHRC_A); // nothing applied
    await shootHere(pop, 'setup-popover-waiting', ['popover']);

    // Review: the change with the engine's words and its diff.
    await pop.getByRole('button', { name: 'Review', exact: true }).click();
    const review = pop.getByTestId('review');
    await expect.poll(() => pop.getByTestId('review-status').getAttribute('data-status'), { timeout: HANG }).toBe('done');
    expect(await pop.getByTestId('review-status').getAttribute('data-count')).toBe('1');
    expect(await review.locator('h2').textContent()).toBe('1 change waiting to arrive');
    const item = pop.locator('[data-testid="review-file"][data-path="zsh/.zshrc"]');
    expect(await item.getAttribute('data-what')).toBe('replaces');
    expect(await item.getByTestId('review-file-words').textContent()).toBe('arrives from the repo (yours was not changed since it was synced)');
    expect(readText(join(B.home, '.zshrc'))).toBe(ZSHRC_A); // looking applies nothing
    await item.getByRole('button', { name: 'Show changes to .zshrc' }).click();
    await expect.poll(() => item.getByTestId('review-diff-status').getAttribute('data-status'), { timeout: HANG }).toBe('done');
    const diff = item.getByTestId('review-diff');
    expect(await diff.getAttribute('data-added')).toBe('1');
    expect(await diff.getAttribute('data-removed')).toBe('1');
    expect(await diff.textContent()).toContain('export FROM=a2');
    // The footer stays in view while reviewing.
    const footerBottom = (await pop.evaluate(`document.querySelector('.popover-footer').getBoundingClientRect().bottom`)) as number;
    expect(footerBottom).toBeLessThanOrEqual(SIZES.popover.height);
    await shootHere(pop, 'setup-review', ['popover'], diff);

    const applyAll = pop.getByTestId('review-apply');
    expect(await applyAll.textContent()).toBe('Apply the change');
    const applied = await act(pop, 'review-apply-result', () => applyAll.click());
    expect(applied.last).toMatchObject({ status: 'done', kind: 'ok' });
    expect(applied.last.text).toMatch(/^Synced — 1 file updated from other machines/);
    await waitFor(() => readText(join(B.home, '.zshrc')) === ZSHRC_A2, "laptop-a's change applied on desk-b", HANG);
    await expect.poll(() => pop.getByTestId('review-empty').textContent(), { timeout: HANG }).toBe('Everything that waited is applied.');
    await shootHere(pop, 'setup-review-applied', ['popover']);
    await pop.getByTestId('review-back').click();
    await expect.poll(() => pop.getByTestId('incoming-banner').count(), { timeout: HANG }).toBe(0);
    await expect.poll(() => pop.getByTestId('header-state').textContent(), { timeout: HANG }).toBe('Up to date');
    // The earlier "changes wait" outcome is over, so it is gone.
    expect(await pop.getByTestId('sync-result').getAttribute('data-status')).toBe('idle');
    expect(readText(join(A.home, '.zshrc'))).toBe(ZSHRC_A2);
  }, 180_000);
});
