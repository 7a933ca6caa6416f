/**
 * The shared ignore list (.confsyncignore) edited in the Profiles tab of two real daemons ("alpha" and
 * "bravo", temp HOMEs, one bare remote): an empty pattern is refused with a message; a pattern added on
 * alpha is listed there, committed, keeps a new matching file out of the repo, and shows up in bravo's
 * list after bravo syncs; removing it on bravo reaches alpha the same way. Also what a built-in
 * profile leaves out, shown read-only with its details: its excluded files, the keys each machine keeps
 * and the app that owns its files. Screenshots of the tab at 640×480 and 820×600, light and dark.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import { launchChromium } from '../helpers/browser.js';
import { bareRemote, git, waitFor } from '../helpers/machine.js';
import { act, dumpOnFailure, HANG, openUi, shootSizes, syncNow } from '../helpers/ui.js';

const PATTERN = 'zsh/.zlogin';
let remote: string;
let browser: Browser;
let A: DaemonHandle;
let B: DaemonHandle;
let pageA: Page;
let pageB: Page;
const contexts: BrowserContext[] = [];

function settings(hostName: string) {
  return { hostName, enabledProfiles: ['zsh'], remote: { url: remote, branch: 'main' }, sync: { intervalSec: 3600, debounceMs: 200 } };
}

/** What the built-in catalog ships for entry `name` (electron/engine/profiles/catalog.json). */
interface Shipped {
  name: string;
  exclude?: string[] | null;
  ignoreKeys?: string[] | null;
  app?: string | null;
}
function shipped(name: string): Shipped {
  const all = JSON.parse(readFileSync(join(import.meta.dirname, '../../electron/engine/profiles/catalog.json'), 'utf8')) as Shipped[];
  return all.find((e) => e.name === name)!;
}

function remoteFile(path: string): string | null {
  try {
    return git(remote, 'show', `main:${path}`);
  } catch {
    return null;
  }
}

/** The landing page (popover + preferences) of `d`, on the Profiles tab. */
async function profilesOf(d: DaemonHandle): Promise<Page> {
  const { ctx, page } = await openUi(browser, d, { hash: 'profiles' });
  contexts.push(ctx);
  // waitFor (not expect.poll): this runs in beforeAll.
  await waitFor(async () => (await page.getByTestId('tab-profiles').getAttribute('aria-selected')) === 'true', 'the Profiles tab', HANG);
  await waitFor(() => page.getByTestId('ignore-editor').isVisible(), 'the ignore editor', HANG);
  return page;
}

async function patterns(page: Page): Promise<string[]> {
  return page.getByTestId('ignore-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-pattern') ?? ''));
}

beforeAll(async () => {
  remote = bareRemote();
  [A, browser] = await Promise.all([startDaemon({ settings: settings('alpha'), files: { '.zshrc': 'alpha\n' } }), launchChromium()]);
  await waitFor(() => remoteFile('zsh/.zshrc') === 'alpha\n', "alpha's first sync", HANG);
  B = await startDaemon({ settings: settings('bravo') });
  [pageA, pageB] = await Promise.all([profilesOf(A), profilesOf(B)]);
});

beforeEach(dumpOnFailure(() => [A, B]));

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await Promise.all([A, B].map((d) => d?.stop()));
});

describe('the shared ignore list', () => {
  it('says what it is, and refuses an empty pattern with a message', async () => {
    const editor = pageA.getByTestId('ignore-editor');
    await expect.poll(() => pageA.getByTestId('ignore-empty').isVisible(), { timeout: HANG }).toBe(true);
    const hint = (await editor.textContent())!;
    expect(hint).toContain('shared with every machine');
    expect(hint).toContain('gitignore syntax over repo paths');
    expect(hint).toContain('zsh/.zsh_history');
    const error = pageA.getByTestId('ignore-error');
    expect(await error.isVisible()).toBe(false);
    await pageA.getByTestId('ignore-pattern').fill('   ');
    await pageA.getByRole('button', { name: 'Add pattern' }).click();
    await expect.poll(() => error.isVisible()).toBe(true);
    expect(await error.textContent()).toBe('Enter a pattern, e.g. zsh/.zsh_history or *.log');
    expect(await pageA.getByTestId('ignore-pattern').getAttribute('aria-invalid')).toBe('true');
    // Typing clears the message.
    await pageA.getByTestId('ignore-pattern').fill('z');
    expect(await error.isVisible()).toBe(false);
    // A path on this machine is not a repo path.
    await pageA.getByTestId('ignore-pattern').fill('~/.zlogin');
    await pageA.getByTestId('ignore-add').click();
    await expect.poll(() => error.textContent()).toMatch(/repo paths/);
  });

  it('a pattern added on alpha is listed, shared through the repo, and keeps matching files out', async () => {
    await pageA.getByTestId('ignore-pattern').fill(` ${PATTERN} `);
    const added = await act(pageA, 'ignore-result', () => pageA.getByTestId('ignore-add').click());
    expect(added.last.status).toBe('done');
    expect(added.last.text).toContain(`Added ${PATTERN}`);
    expect(await patterns(pageA)).toEqual([PATTERN]);
    expect(await pageA.getByTestId('ignore-pattern').inputValue()).toBe('');
    await waitFor(() => remoteFile('.confsyncignore')?.split('\n').includes(PATTERN), 'the pattern on the remote', HANG);

    // A new file matching it stays on alpha only.
    writeFileSync(join(A.home, '.zlogin'), 'echo hi\n');
    writeFileSync(join(A.home, '.zprofile'), 'export P=1\n');
    await syncNow(pageA);
    await waitFor(() => remoteFile('zsh/.zprofile') === 'export P=1\n', 'the unignored file on the remote', HANG);
    expect(remoteFile('zsh/.zlogin')).toBeNull();

    // Bravo lists it after a sync.
    await syncNow(pageB);
    await expect.poll(() => patterns(pageB), { timeout: HANG }).toEqual([PATTERN]);
  });

  it('screenshots of the Profiles tab with the list', async () => {
    await shootSizes(browser, A, {
      name: 'preferences-profiles-ignore',
      path: 'preferences.html',
      hash: 'profiles',
      sizes: ['small', 'roomy'],
      full: true,
      ready: async (p) => {
        await expect.poll(() => p.getByTestId('ignore-item').count(), { timeout: HANG }).toBe(1);
        await expect.poll(() => p.getByTestId('catalog-list').isVisible(), { timeout: HANG }).toBe(true);
        await p.getByTestId('ignore-editor').scrollIntoViewIfNeeded();
      },
    });
  });

  it('removed on bravo, it is gone on alpha after a sync', async () => {
    const removed = await act(pageB, 'ignore-result', () => pageB.getByRole('button', { name: `Remove the pattern ${PATTERN}` }).click());
    expect(removed.last.status).toBe('done');
    expect(removed.last.text).toContain(`Removed ${PATTERN}`);
    await expect.poll(() => pageB.getByTestId('ignore-empty').isVisible(), { timeout: HANG }).toBe(true);
    await waitFor(() => !remoteFile('.confsyncignore')?.split('\n').includes(PATTERN), 'the pattern gone from the remote', HANG);
    await syncNow(pageA);
    await expect.poll(() => patterns(pageA), { timeout: HANG }).toEqual([]);
    await expect.poll(() => pageA.getByTestId('ignore-empty').isVisible(), { timeout: HANG }).toBe(true);
  });
});

describe('what a built-in profile ships, with its details', () => {
  /** Opens the details ("Preview files") of catalog entry `name` on alpha; returns its row. */
  async function details(name: string) {
    await pageA.getByTestId('catalog-search').fill(name);
    const row = pageA.locator(`[data-testid="catalog-item"][data-name="${name}"]`);
    await expect.poll(() => row.count(), { timeout: HANG }).toBe(1);
    const button = row.getByTestId('profile-preview');
    if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
    await expect.poll(() => row.getByTestId('profile-preview-result').getAttribute('data-status'), { timeout: HANG }).toBe('done');
    return row;
  }

  it('the ignored keys, the files left out and the app, read-only; nothing for an entry that ships none', async () => {
    // Rectangle: the window and panel state its app rewrites, kept on each machine (the first 8, then how many more).
    const rect = shipped('rectangle');
    const keys = rect.ignoreKeys!;
    expect(keys.length).toBeGreaterThan(8);
    const rectangle = await details('rectangle');
    expect(await rectangle.getByTestId('catalog-ignore-keys').textContent()).toBe(
      `Ignored keys: ${keys.slice(0, 8).join(', ')} and ${keys.length - 8} more (the app rewrites them; each machine keeps its own)`,
    );
    expect(await rectangle.getByTestId('catalog-app').textContent()).toBe(`App: ${rect.app}`);
    expect(await rectangle.getByTestId('catalog-exclude').count()).toBe(0);
    expect(await rectangle.getByTestId('catalog-local-keys').count()).toBe(0);
    // Read-only: no field to type in, no button beyond the row's own.
    expect(await rectangle.getByTestId('catalog-rules').locator('input, textarea, button').count()).toBe(0);

    // Keyboard Maestro: changes from other machines wait until the app quits.
    const km = await details('keyboard-maestro');
    expect(await km.getByTestId('catalog-app').textContent()).toBe('App: Keyboard Maestro (changes from other machines are applied when it quits)');
    expect(await km.getByTestId('catalog-ignore-keys').count()).toBe(0);

    // Git: the files it leaves out.
    expect(shipped('git').exclude).toEqual(['.git-credentials', 'credentials']);
    const gitRow = await details('git');
    expect(await gitRow.getByTestId('catalog-exclude').textContent()).toBe('Except: .git-credentials, credentials');
    expect(await gitRow.getByTestId('catalog-ignore-keys').count()).toBe(0);
    expect(await gitRow.getByTestId('catalog-app').count()).toBe(0);

    // Vim leaves netrw's history out of ~/.vim/: so does its preview of the files it would sync.
    expect(shipped('vim').exclude).toContain('.netrwhist');
    mkdirSync(join(A.home, '.vim', 'colors'), { recursive: true });
    writeFileSync(join(A.home, '.vim', 'colors', 'calm.vim'), 'hi Normal guibg=NONE\n');
    writeFileSync(join(A.home, '.vim', '.netrwhist'), "let g:netrw_dirhistmax = 10\n");
    const vim = await details('vim');
    expect(await vim.getByTestId('catalog-exclude').textContent()).toContain('.netrwhist');
    const files = await vim.getByTestId('profile-preview-files').locator('li').allTextContents();
    expect(files).toEqual([join(A.home, '.vim', 'colors', 'calm.vim')]);

    // Zsh ships nothing but its paths: no rules block.
    const zsh = await details('zsh');
    expect(await zsh.getByTestId('profile-preview-files').textContent()).toContain('.zshrc');
    expect(await zsh.getByTestId('catalog-rules').count()).toBe(0);
    await pageA.getByTestId('catalog-search').fill('');
  });
});
