/**
 * Every preferences tab of one real daemon ("charlie", temp HOME, its own bare remote) driven through
 * Chromium: General (saved to config.json; the host's refusal inline), Profiles (enable a catalog
 * profile, a custom profile with validation, preview, save, remove), Repository (connection tests),
 * Keyboard Maestro (a generated library; a macro disabled in the file), Health (watcher, skipped file,
 * latency chart), keyboard access to the tablist, and a screenshot of each tab.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import { launchChromium } from '../helpers/browser.js';
import { bareRemote, git, tmp, waitFor } from '../helpers/machine.js';
import { generateLibrary, macroOf, writeLibrary } from '../helpers/km-library.js';
import { act, dumpOnFailure, HANG, openUi, shoot, shootSizes, syncNow, SYNC_WORDS } from '../helpers/ui.js';
import { TABS } from '../../renderer/lib/tabs.js';
import type { Settings } from '../../shared/settings.js';

const MAX_FILE_BYTES = 4096;
let browser: Browser;
let d: DaemonHandle;
let remote: string;
let page: Page;
let libraryPath: string;
const library = generateLibrary({ groups: 3, macrosPerGroup: 4, seed: 11 });
const contexts: BrowserContext[] = [];

/** config.json as the host wrote it. */
function config(): Settings {
  return JSON.parse(readFileSync(join(d.configDir, 'config.json'), 'utf8')) as Settings;
}

function repoFile(path: string): string | null {
  try {
    return git(join(d.configDir, 'repo'), 'show', `HEAD:${path}`);
  } catch {
    return null;
  }
}

function remoteFile(path: string): string | null {
  try {
    return git(remote, 'show', `main:${path}`);
  } catch {
    return null;
  }
}

/**
 * The one reason this machine is never "safe to shut down": .zshenv is too large to sync, and its
 * content exists only here (the host counts an unsynced file against "safe").
 */
const ONLY_THE_BIG_FILE = /^\s*Wait before shutting down: 1 file with changes that cannot be synced$/;

/** Nothing running or waiting but the too-large .zshenv (see above). */
async function idle(p: Page = page): Promise<boolean> {
  const sd = p.getByTestId('header-safe-to-shutdown');
  return (await sd.getAttribute('data-safe')) === 'true' || ONLY_THE_BIG_FILE.test((await sd.textContent()) ?? '');
}

/**
 * Nothing running or waiting (but the big file) AND the remote has our HEAD. (The second half because
 * the host can say "safe" while a commit made beside the sync, e.g. the Keyboard Maestro export, waits
 * for the sync it kicked: ENGINE BUG, reported.)
 */
async function settled(): Promise<void> {
  await waitFor(
    async () => (await idle()) && git(join(d.configDir, 'repo'), 'rev-parse', 'HEAD') === git(remote, 'rev-parse', 'main'),
    'everything sent and nothing waiting but the big file',
    HANG,
  );
}

async function tab(id: string): Promise<void> {
  await page.getByTestId(`tab-${id}`).click();
  await expect.poll(() => page.getByTestId(`panel-${id}`).isVisible(), { timeout: HANG }).toBe(true);
}

beforeAll(async () => {
  remote = bareRemote();
  const root = tmp('cs-ui-prefs-');
  const home = join(root, 'home');
  libraryPath = join(home, 'km', 'Keyboard Maestro Macros.plist');
  mkdirSync(join(home, 'km'), { recursive: true });
  writeLibrary(libraryPath, library, 'xml');
  [d, browser] = await Promise.all([
    startDaemon({
      root,
      settings: {
        hostName: 'charlie',
        enabledProfiles: ['zsh'],
        remote: { url: remote, branch: 'main' },
        sync: { intervalSec: 3600, debounceMs: 200, maxFileBytes: MAX_FILE_BYTES },
        km: { libraryPath, baseIntervalMs: 1000, fastIntervalMs: 500, slowIntervalMs: 2000 },
      },
      files: {
        '.zshrc': 'export CHARLIE=1\n',
        // Over sync.maxFileBytes: skipped, with the reason shown in Health.
        '.zshenv': `# big\n${'x'.repeat(MAX_FILE_BYTES * 2)}\n`,
        '.gitconfig': '[user]\n\tname = Charlie\n',
        '.config/dots/a.conf': 'a=1\n',
        '.config/dots/b.conf': 'b=2\n',
      },
    }),
    launchChromium(),
  ]);
  const o = await openUi(browser, d);
  contexts.push(o.ctx);
  page = o.page;
  await waitFor(() => idle(), 'the start-up sync to settle', HANG);
});

beforeEach(dumpOnFailure(() => [d]));

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await d?.stop();
});

describe('preferences', () => {
  it('General: saves notification level and schedule to config.json; the host refuses a bad schedule inline', async () => {
    await tab('general');
    const form = page.getByTestId('settings-form');
    await expect.poll(() => form.isVisible(), { timeout: HANG }).toBe(true);
    expect(await page.getByTestId('settings-interval-min').inputValue()).toBe('60');
    await page.getByTestId('settings-notification-level').selectOption('all');
    await page.getByTestId('settings-interval-min').fill('10');
    await page.getByTestId('settings-debounce-ms').fill('300');
    const saved = await act(page, 'settings-result', () => page.getByRole('button', { name: 'Save', exact: true }).click());
    expect(saved.last).toMatchObject({ status: 'done', text: 'Saved.' });
    await waitFor(() => config().sync?.intervalSec === 600, 'config.json to hold the schedule', HANG);
    expect(config().notifications.level).toBe('all');
    expect(config().sync.debounceMs).toBe(300);
    // The header's schedule follows the new interval.
    await expect.poll(() => page.getByTestId('header-next-sync').textContent(), { timeout: HANG }).toMatch(/Next sync in (9|10) min/);

    // 3 seconds is below the host's minimum: its message appears at the field, nothing is written.
    await page.getByTestId('settings-interval-min').fill('0.05');
    const refused = await act(page, 'settings-result', () => page.getByTestId('settings-save').click());
    expect(refused.last.status).toBe('failed');
    expect(refused.last.text).toContain('Not saved. See the marked fields.');
    const err = page.getByTestId('settings-error-interval');
    expect(await err.isVisible()).toBe(true);
    expect(await err.textContent()).toBe('At least 10 seconds.');
    expect(await page.getByTestId('settings-interval-min').getAttribute('aria-invalid')).toBe('true');
    expect(config().sync.intervalSec).toBe(600);
    await shoot(page, 'landing-general-refused');
    // Editing the field clears its error; a non-number is caught before it is sent.
    await page.getByTestId('settings-interval-min').fill('');
    expect(await err.isVisible()).toBe(false);
    await page.getByTestId('settings-save').click();
    await expect.poll(() => err.textContent()).toBe('Enter a number of minutes.');
    // Revert brings back the saved values.
    await page.getByRole('button', { name: 'Revert' }).click();
    expect(await page.getByTestId('settings-interval-min').inputValue()).toBe('10');
    expect(await err.isVisible()).toBe(false);
  });

  it('Profiles: enable git and its file reaches the repo; a custom profile is validated, previewed, saved and removed', async () => {
    await tab('profiles');
    await page.getByTestId('catalog-search').fill('git');
    const gitRow = page.locator('[data-testid="catalog-item"][data-name="git"]');
    await expect.poll(() => gitRow.getAttribute('data-detected'), { timeout: HANG }).toBe('true');
    expect(await gitRow.textContent()).toContain('Found on this machine');
    expect(await gitRow.getAttribute('data-enabled')).toBe('false');
    await page.locator('[data-testid="profile-toggle"][data-name="git"]').check();
    await expect.poll(() => gitRow.getAttribute('data-enabled'), { timeout: HANG }).toBe('true');
    await waitFor(() => config().enabledProfiles?.includes('git'), 'git enabled in config.json', HANG);
    const r = await syncNow(page);
    expect(r.text).toMatch(SYNC_WORDS[r.kind!]);
    await expect.poll(() => gitRow.innerText(), { timeout: HANG }).toMatch(/\b1 file\b/);
    await waitFor(() => repoFile('git/.gitconfig') === '[user]\n\tname = Charlie\n', 'git/.gitconfig in the repo', HANG);
    // Preview of a catalog entry lists its files on this machine.
    await page.locator('[data-testid="profile-preview"][data-name="git"]').click();
    await expect.poll(() => gitRow.getByTestId('profile-preview-files').textContent(), { timeout: HANG }).toContain('.gitconfig');
    await page.getByTestId('catalog-search').fill('');

    // A custom profile: empty paths are refused by the form, ".." by the host.
    await page.getByRole('button', { name: 'Add profile…' }).click();
    const f = page.getByTestId('profile-form');
    await f.getByTestId('profile-form-name').fill('dots');
    await f.getByTestId('profile-form-title').fill('My dot configs');
    await f.getByTestId('profile-form-save').click();
    await expect.poll(() => f.getByTestId('profile-form-error-paths').textContent()).toBe('Add at least one path, one per line.');
    expect(await f.getByTestId('profile-form-error-paths').isVisible()).toBe(true);
    expect(await f.getByTestId('profile-form-paths').getAttribute('aria-invalid')).toBe('true');
    await f.getByTestId('profile-form-paths').fill('~/../etc/passwd');
    await f.getByTestId('profile-form-save').click();
    await expect.poll(() => f.getByTestId('profile-form-host-error').isVisible(), { timeout: HANG }).toBe(true);
    expect(await f.getByTestId('profile-form-host-error').textContent()).toMatch(/^Not saved: .*"\.\."/);
    await f.getByTestId('profile-form-paths').fill('~/.config/dots/');
    // The refusal was about the old paths: it goes once they are edited.
    expect(await f.getByTestId('profile-form-host-error').count()).toBe(0);
    await f.getByTestId('profile-form-preview').click();
    const preview = f.getByTestId('profile-preview-result');
    await expect.poll(() => preview.getAttribute('data-status'), { timeout: HANG }).toBe('done');
    expect(await preview.textContent()).toContain('2 files would be synced');
    const files = await f.getByTestId('profile-preview-files').locator('li').allTextContents();
    expect(files.map((x) => x.replace(/.*\//, '')).sort()).toEqual(['a.conf', 'b.conf']);
    await shoot(page, 'landing-profiles-form');
    await f.getByTestId('profile-form-save').click();
    const mine = page.locator('[data-testid="custom-profile"][data-name="dots"]');
    await expect.poll(() => mine.count(), { timeout: HANG }).toBe(1);
    expect(await page.getByTestId('profile-form').count()).toBe(0);
    expect(await mine.textContent()).toContain('~/.config/dots/');
    await waitFor(() => repoFile('.confsync/profiles.json')?.includes('"dots"'), 'the profile in the repo', HANG);
    // Saving starts a sync; let it finish before the next commit. (ENGINE BUG, reported: profiles:save and
    // profiles:remove commit outside the repo mutex, and a push then marks the newer, unpushed HEAD as
    // seen, so every later sync fails with "The remote history was rewritten".)
    await waitFor(() => remoteFile('.confsync/profiles.json')?.includes('"dots"'), 'the profile on the remote', HANG);
    await settled();

    await page.getByRole('button', { name: 'Remove dots' }).click();
    await page.getByTestId('profile-remove-confirm').click();
    await expect.poll(() => mine.count(), { timeout: HANG }).toBe(0);
    expect(await page.getByTestId('profile-action-result').textContent()).toBe('Removed “dots”.');
    await waitFor(() => repoFile('.confsync/profiles.json') !== null && !repoFile('.confsync/profiles.json')!.includes('"dots"'), 'the profile gone from the repo', HANG);
  });

  it('Repository: tests the connection to the bare remote and to a missing one, in words', async () => {
    await tab('repository');
    const url = page.getByTestId('repo-remote-url');
    await expect.poll(() => url.inputValue(), { timeout: HANG }).toBe(remote);
    expect(await page.getByTestId('repo-remote').textContent()).toBe(remote);
    // The previous test's profile commits are pushed by the sync they kicked; until then they count as ahead.
    await expect.poll(() => page.getByTestId('repo-ahead').getAttribute('data-count'), { timeout: HANG }).toBe('0');
    const test = page.getByRole('button', { name: 'Test connection' });
    const ok = await act(page, 'repo-test-result', () => test.click());
    expect(ok.last).toMatchObject({ status: 'done', kind: 'ok' });
    expect(ok.last.text).toContain('Connected: the repository is reachable');
    expect(ok.last.text).toContain('branch main exists');

    await url.fill(join(tmp('cs-nowhere-'), 'missing.git'));
    const missing = await act(page, 'repo-test-result', () => test.click());
    expect(missing.last.status).toBe('done');
    expect(['not-found', 'offline']).toContain(missing.last.kind);
    expect(missing.last.text).toMatch(/No repository at that address|Cannot reach the server/);
    // Testing saves nothing.
    expect(config().remote.url).toBe(remote);
    await url.fill(remote);
  });

  it('Keyboard Maestro: status, macro list and search; a macro disabled in the file shows as a change', async () => {
    await tab('km');
    await expect.poll(() => page.getByTestId('km-status').getAttribute('data-status'), { timeout: HANG }).toBe('active');
    expect(await page.getByTestId('km-status').textContent()).toContain('Watching for macro changes');
    expect(await page.getByTestId('km-figures').textContent()).toContain(libraryPath);
    expect(await page.getByTestId('km-count-macros').textContent()).toBe('12 (12 enabled)');
    expect(await page.getByTestId('km-count-groups').textContent()).toBe('3');
    const rows = page.getByTestId('km-macro');
    await expect.poll(() => rows.count(), { timeout: HANG }).toBe(12);
    expect(await page.getByTestId('km-macro-count').textContent()).toBe('12 of 12 macros');
    await page.getByTestId('km-search').fill('group 2');
    await expect.poll(() => page.getByTestId('km-macro-count').textContent()).toBe('4 of 12 macros');
    expect(await rows.locator('td:nth-child(2)').allTextContents()).toEqual(['Group 2', 'Group 2', 'Group 2', 'Group 2']);
    await page.getByTestId('km-search').fill('Macro 0.1');
    await expect.poll(() => rows.count()).toBe(1);
    const { macro } = macroOf(library, 'Macro 0.1');
    const row = page.locator(`[data-testid="km-macro"][data-uid="${macro.UID as string}"]`);
    expect(await row.getAttribute('data-enabled')).toBe('true');
    expect(await row.textContent()).toContain('Enabled');

    macro.IsActive = false;
    writeLibrary(libraryPath, library, 'xml');
    await expect.poll(() => page.getByTestId('km-changes').textContent(), { timeout: HANG }).toContain("Macro 'Macro 0.1' disabled");
    await expect.poll(() => row.getAttribute('data-enabled'), { timeout: HANG }).toBe('false');
    expect(await row.textContent()).toContain('Disabled');
    await expect.poll(() => page.getByTestId('km-count-macros').textContent()).toBe('12 (11 enabled)');
    await page.getByTestId('km-search').fill('');
  });

  it('Health: watcher figures, the skipped file with its reason, errors, and the latency chart with axes', async () => {
    // A watched edit gives a change-to-commit latency sample (the watcher must be the one committing it,
    // so nothing else may be about to sync).
    await settled();
    writeFileSync(join(d.home, '.zshrc'), 'export CHARLIE=2\n');
    await waitFor(() => repoFile('zsh/.zshrc') === 'export CHARLIE=2\n', 'the watched edit committed', HANG);
    await tab('health');
    const backend = (await page.getByTestId('health-backend').textContent())!;
    expect(backend).toMatch(/\w/);
    expect(backend).not.toBe('none');
    await expect.poll(async () => Number((await page.getByTestId('health-files-watched').textContent())!.replace(/\D/g, '')), { timeout: HANG }).toBeGreaterThanOrEqual(2);
    const skipped = page.getByTestId('health-skipped-item').filter({ hasText: '.zshenv' });
    await expect.poll(() => skipped.count(), { timeout: HANG }).toBe(1);
    expect(await skipped.textContent()).toMatch(/large|size|bytes|limit/i);
    expect(await skipped.getAttribute('data-direction')).toBe('outgoing');
    expect(await skipped.textContent()).toContain("This machine's version could not be sent");
    expect(await page.locator('#h-skipped').textContent()).toBe('1 file not synced');
    // The popover says it too, with the reason, and never "Up to date".
    await expect.poll(() => page.getByTestId('header-state').textContent(), { timeout: HANG }).toBe('1 file not synced');
    const banner = page.getByTestId('not-synced-banner');
    expect(await banner.getAttribute('data-count')).toBe('1');
    expect(await banner.getByTestId('not-synced-item').textContent()).toMatch(/\.zshenv: .*larger than/);
    expect((await page.getByTestId('popover').textContent())!.toLowerCase()).not.toContain('up to date');
    // Errors: the list or its empty state, never neither.
    const errs = (await page.getByTestId('health-errors').count()) + (await page.getByTestId('health-errors-empty').count());
    expect(errs).toBe(1);
    const chart = page.getByTestId('latency-chart');
    await expect.poll(async () => Number(await chart.getAttribute('data-samples')), { timeout: HANG }).toBeGreaterThanOrEqual(1);
    const svg = chart.locator('svg');
    expect(await svg.count()).toBe(1);
    const labels = await svg.locator('text.axis-label').allTextContents();
    expect(labels).toContain('Time (local, last hour)');
    expect(labels.some((l) => /^Latency \((ms|s)\)$/.test(l))).toBe(true);
    expect(await svg.locator('text.tick').count()).toBeGreaterThan(2);
    expect(await svg.locator('circle.series-point').count()).toBeGreaterThanOrEqual(1);
    expect(Number(await page.getByTestId('commits-chart').getAttribute('data-total'))).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId('health-profiles').textContent()).toMatch(/Zsh — \d+ files?/);
  });

  it('a sync error (remote saved to a missing path) shows in the popover, the Health tab and its badge, and clears', async () => {
    await tab('repository');
    const url = page.getByTestId('repo-remote-url');
    const missing = join(tmp('cs-gone-'), 'gone.git');
    await url.fill(missing);
    const saved = await act(page, 'repo-save-result', () => page.getByTestId('repo-save').click());
    // Saved all the same (it may be a disk that is not connected), but never a green "Saved.".
    expect(saved.last).toMatchObject({ status: 'done', kind: 'not-found' });
    expect(saved.last.text).toMatch(/^Saved, but this remote does not work yet: not found: check the address\./);
    expect(await page.getByTestId('repo-saved-not-working').getAttribute('data-tone')).toBe('warning');
    await waitFor(() => config().remote.url === missing, 'the new remote in config.json', HANG);
    await expect.poll(() => page.getByTestId('repo-remote').textContent(), { timeout: HANG }).toBe(missing);

    const failed = await syncNow(page);
    expect(failed.kind).toBe('offline'); // git cannot reach a missing repository: the engine's kind
    // The popover names the problem once ("Remote not found", with the fix in the banner); the outcome
    // of Sync now says only that it tried again.
    await expect.poll(() => page.getByTestId('header-state').textContent(), { timeout: HANG }).toBe('Remote not found');
    await expect.poll(() => page.getByTestId('sync-result').textContent(), { timeout: HANG }).toBe('Tried just now: the same problem as above.');
    expect(await page.getByTestId('errors-banner').getAttribute('data-problem')).toBe('not-found');
    await expect.poll(() => page.getByTestId('tab-health').textContent(), { timeout: HANG }).toMatch(/Health\s*\(?1 error/);
    await tab('health');
    const item = page.getByTestId('health-error-item').first();
    await expect.poll(() => item.isVisible(), { timeout: HANG }).toBe(true);
    expect(await item.locator('summary').textContent()).toMatch(/^\s*sync: /);
    // Expanding it shows the technical detail (git's words).
    expect(await item.locator('.error-detail').isVisible()).toBe(false);
    await item.locator('summary').click();
    expect(await item.locator('.error-detail').isVisible()).toBe(true);
    expect(await item.locator('.error-detail').textContent()).toContain('gone.git');
    await shoot(page, 'landing-health-error');

    // Back to the real remote: the next sync is fine again.
    await tab('repository');
    await url.fill(remote);
    await act(page, 'repo-save-result', () => page.getByTestId('repo-save').click());
    const ok = await syncNow(page);
    expect(['ok', 'nothing-to-do']).toContain(ok.kind);
    // Not "Up to date": .zshenv is still not synced.
    await expect.poll(() => page.getByTestId('header-state').textContent(), { timeout: HANG }).toBe('1 file not synced');
    await settled();
  });

  it('the tablist works with the keyboard and controls have accessible names', async () => {
    await page.getByRole('tab', { name: 'General' }).click();
    // String expressions: the tests are type-checked without the DOM library.
    const focused = async () => (await page.evaluate('document.activeElement?.id ?? ""')) as string;
    const selected = () => page.locator('[role="tab"][aria-selected="true"]').getAttribute('id');
    expect(await focused()).toBe('tab-general');
    await page.keyboard.press('ArrowRight');
    expect(await focused()).toBe('tab-profiles');
    expect(await selected()).toBe('tab-profiles');
    expect(await page.getByTestId('panel-profiles').isVisible()).toBe(true);
    await page.keyboard.press('ArrowDown');
    expect(await selected()).toBe('tab-repository');
    await page.keyboard.press('End');
    expect(await focused()).toBe('tab-health');
    await page.keyboard.press('ArrowRight'); // wraps
    expect(await selected()).toBe('tab-general');
    await page.keyboard.press('ArrowLeft'); // wraps back
    expect(await selected()).toBe('tab-health');
    await page.keyboard.press('Home');
    expect(await focused()).toBe('tab-general');
    // Only the selected tab is in the Tab order; Tab moves on into the panel.
    expect(await page.locator('[role="tab"][tabindex="0"]').count()).toBe(1);
    await page.keyboard.press('Tab');
    expect(await focused()).not.toMatch(/^tab-/);
    expect(await page.evaluate(`!!document.activeElement?.closest('[role="tabpanel"]')`)).toBe(true);
    // The tabs and a few buttons by role and accessible name.
    for (const t of TABS) expect(await page.getByRole('tab', { name: new RegExp(`^${t.label}`) }).count()).toBe(1);
    for (const name of ['Sync now', 'Pause syncing', 'Preferences…', 'Open sync folder', 'Show logs']) {
      expect(await page.getByRole('button', { name, exact: true }).count()).toBe(1);
    }
    await page.getByRole('tab', { name: 'Profiles' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Preview files of Git', exact: true }).count(), { timeout: HANG }).toBe(1);
    expect(await page.getByRole('checkbox', { name: /^Git \(git\)/ }).isChecked()).toBe(true);
    expect(await page.getByRole('searchbox', { name: 'Search built-in profiles' }).count()).toBe(1);
  });

  it('screenshots of the popover and every preferences tab', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const o = await openUi(browser, d, { path: 'popover.html', viewport: { width: 360, height: 640 }, colorScheme: scheme });
      contexts.push(o.ctx);
      await expect.poll(() => o.page.getByTestId('header-state').textContent(), { timeout: HANG }).toMatch(/not synced|Changes waiting/);
      await shoot(o.page, `popover-${scheme}`);
    }
    // The popover at its real size, with the file that is not synced: the footer stays in view.
    await shootSizes(browser, d, {
      name: 'popover-not-synced',
      path: 'popover.html',
      sizes: ['popover'],
      ready: async (p) => {
        await expect.poll(() => p.getByTestId('not-synced-banner').isVisible(), { timeout: HANG }).toBe(true);
        expect(await p.getByTestId('show-logs').isVisible()).toBe(true);
        const footerBottom = (await p.evaluate(`document.querySelector('.popover-footer').getBoundingClientRect().bottom`)) as number;
        expect(footerBottom).toBeLessThanOrEqual(480);
      },
    });
    await shootSizes(browser, d, {
      name: 'preferences-health',
      path: 'preferences.html',
      hash: 'health',
      sizes: ['small', 'roomy'],
      ready: async (p) => {
        await expect.poll(() => p.getByTestId('health-skipped-item').count(), { timeout: HANG }).toBe(1);
      },
      full: true,
    });
    const o = await openUi(browser, d, { path: 'preferences.html', hash: 'general', viewport: { width: 980, height: 760 } });
    contexts.push(o.ctx);
    for (const t of TABS) {
      await o.page.getByTestId(`tab-${t.id}`).click();
      await expect.poll(() => o.page.getByTestId(`panel-${t.id}`).isVisible(), { timeout: HANG }).toBe(true);
      await expect.poll(() => o.page.getByTestId(`panel-${t.id}`).textContent(), { timeout: HANG }).not.toMatch(/Loading/);
      // (The Conflicts tab with an open conflict is pictured by ui-conflicts.test.ts.)
      await shoot(o.page, t.id === 'conflicts' ? 'preferences-conflicts-none-light' : `preferences-${t.id}-light`);
    }
    const dark = await openUi(browser, d, { path: 'preferences.html', hash: 'health', viewport: { width: 980, height: 760 }, colorScheme: 'dark' });
    contexts.push(dark.ctx);
    await expect.poll(() => dark.page.getByTestId('latency-chart').isVisible(), { timeout: HANG }).toBe(true);
    await shoot(dark.page, 'preferences-health-dark');
    await shoot(page, 'landing');
  });
});
