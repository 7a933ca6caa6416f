/**
 * The History tab as a timeline, through the real headless hosts of two machines ("laptop-a" and
 * "desk-b", temp HOMEs, one bare remote) in Chromium:
 * - both make changes; laptop-a's timeline lists them newest first with their machines ("this machine"
 *   for its own), never one twice; desk-b sees its own change as "this machine";
 * - narrowed by profile (the select) and by file (the search), with the variants of a file and the
 *   one live here;
 * - a change's diff; restoring a whole change (confirmation first, with what will change) and one file
 *   of another change; the live files change, and reach the other machine;
 * - "Show older changes" pages back through a long history: exactly the commits git lists, each once.
 *   That history is made with git itself in a clone of the remote, as another machine ("old-mac") of
 *   ConfSync's would leave it (a ConfSync-Host trailer on each commit).
 * Also the Profiles tab's "Keys kept on each machine": validation words, saved through profiles:save,
 * shown on the profile, and in force (a machine-local key never reaches the remote).
 * Screenshots at 640×480 and 820×600, light and dark, under test-results/screenshots/.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CLI, daemonEnv, startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import { launchChromium } from '../helpers/browser.js';
import { bareRemote, git, tmp, waitFor } from '../helpers/machine.js';
import { act, dumpOnFailure, HANG, openUi, readText, shoot, shootSizes, syncNow } from '../helpers/ui.js';

let remote: string;
let browser: Browser;
const daemons: DaemonHandle[] = [];
const contexts: BrowserContext[] = [];
let A: DaemonHandle;
let B: DaemonHandle;
let pageA: Page;
let pageB: Page;

const GITCONFIG = '[user]\n\tname = Alex\n';

function settings(hostName: string) {
  return { hostName, enabledProfiles: ['zsh', 'git'], remote: { url: remote, branch: 'main' }, sync: { intervalSec: 3600, debounceMs: 200 } };
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

interface Row {
  rev: string;
  host: string;
  files: string;
  who: string;
  when: string;
  count: number;
}

/** The timeline as listed, top to bottom. */
async function rows(page: Page): Promise<Row[]> {
  // A string expression: this file is type-checked without the DOM library.
  return (await page.evaluate(`[...document.querySelectorAll('[data-testid="history-change"]')].map((e) => ({
    rev: e.getAttribute('data-rev') ?? '',
    host: e.getAttribute('data-host') ?? '',
    files: (e.querySelector('[data-testid="history-change-files"]')?.textContent ?? '').trim(),
    who: (e.querySelector('[data-testid="history-change-host"]')?.textContent ?? '').trim(),
    when: (e.querySelector('time')?.textContent ?? '').trim(),
    count: Number(e.getAttribute('data-files')),
  }))`)) as Row[];
}

/** The revisions git itself lists for the synced files of a repo (merges and bookkeeping left out), newest first. */
function gitChanges(repo: string, ...pathspec: string[]): string[] {
  return git(repo, 'log', '--no-merges', '--format=%H', 'HEAD', '--', ...(pathspec.length ? pathspec : ['.', ':(exclude).confsync'])).split('\n').filter(Boolean);
}

async function openHistory(page: Page): Promise<void> {
  await page.getByTestId('tab-history').click();
  await expect.poll(() => page.getByTestId('tab-history').getAttribute('aria-selected')).toBe('true');
}

/** Selects the change `rev` and waits for its files and diff. */
async function select(page: Page, rev: string) {
  await page.locator(`[data-testid="history-change"][data-rev="${rev}"]`).click();
  const detail = page.getByTestId('history-change-detail');
  await expect.poll(() => detail.getAttribute('data-rev'), { timeout: HANG }).toBe(rev);
  await expect.poll(() => page.getByTestId('history-diff').count(), { timeout: HANG }).toBe(1);
  return detail;
}

beforeAll(async () => {
  remote = bareRemote();
  [A, browser] = await Promise.all([
    startDaemon({ settings: settings('laptop-a'), files: { '.zshrc': 'export A=1\n', '.zshenv': 'export PATH=base\n', '.gitconfig': GITCONFIG } }),
    launchChromium(),
  ]);
  daemons.push(A);
});

beforeEach(dumpOnFailure(() => daemons));

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await Promise.all(daemons.map((d) => d.stop()));
});

describe('History as a timeline, on two machines', () => {
  let first: string;
  let deskChange: string;

  it('changes from both machines are listed newest first, each with its machine, when, and its files', async () => {
    pageA = await open(A);
    await syncNow(pageA);
    await waitFor(() => remoteFile('git/.gitconfig') === GITCONFIG && remoteFile('zsh/.zshenv') !== null, "laptop-a's files on the remote", HANG);

    B = await startDaemon({ settings: settings('desk-b') });
    daemons.push(B);
    pageB = await open(B);
    await syncNow(pageB);
    await waitFor(() => readText(join(B.home, '.zshrc')) === 'export A=1\n', "desk-b's .zshrc from laptop-a", HANG);

    // desk-b edits .zshrc; laptop-a gets it, then edits .gitconfig.
    writeFileSync(join(B.home, '.zshrc'), 'export B=2\n');
    await waitFor(() => git(join(B.configDir, 'repo'), 'show', 'HEAD:zsh/.zshrc') === 'export B=2\n', "desk-b's edit committed", HANG);
    await syncNow(pageB);
    await waitFor(() => remoteFile('zsh/.zshrc') === 'export B=2\n', "desk-b's edit on the remote", HANG);
    await syncNow(pageA);
    await waitFor(() => readText(join(A.home, '.zshrc')) === 'export B=2\n', "desk-b's edit live on laptop-a", HANG);
    writeFileSync(join(A.home, '.gitconfig'), '[user]\n\tname = Alex A\n');
    await waitFor(() => git(join(A.configDir, 'repo'), 'show', 'HEAD:git/.gitconfig') === '[user]\n\tname = Alex A\n', "laptop-a's edit committed", HANG);
    await syncNow(pageA);

    await openHistory(pageA);
    const repoA = join(A.configDir, 'repo');
    const expected = gitChanges(repoA);
    await expect.poll(async () => (await rows(pageA)).map((r) => r.rev), { timeout: HANG }).toEqual(expected);
    const list = await rows(pageA);
    // Newest first: laptop-a's .gitconfig edit, desk-b's .zshrc edit, …, laptop-a's first three files.
    expect(list[0]).toMatchObject({ host: 'laptop-a', who: 'laptop-a (this machine)', files: '.gitconfig', count: 1 });
    expect(list[1]).toMatchObject({ host: 'desk-b', who: 'desk-b', files: '.zshrc', count: 1 });
    const oldest = list.filter((r) => r.files.includes('.zshenv')).at(-1)!;
    expect(oldest.host).toBe('laptop-a');
    expect(oldest.files).toMatch(/\.gitconfig.*\.zshenv.*\.zshrc|\.zshenv/);
    for (const r of list) expect(r.when).toMatch(/^(just now|\d+ s ago|\d+ min ago)$/);
    expect(new Set(list.map((r) => r.rev)).size).toBe(list.length);
    // Never an ISO time, an epoch or a SHA in what is shown.
    const words = (await pageA.getByTestId('history-timeline').innerText()) + (await pageA.getByTestId('history-count').innerText());
    expect(words).not.toMatch(/\d{4}-\d{2}-\d{2}|\d{10,}|\b[0-9a-f]{7,40}\b/);
    expect(await pageA.getByTestId('history-count').textContent()).toBe(`Showing ${list.length} changes`);
    expect(await pageA.getByTestId('history-end').textContent()).toBe('No older changes.');
    first = list.find((r) => r.files.includes('.zshenv') && r.host === 'laptop-a')!.rev;
    deskChange = list[1].rev;

    // desk-b sees its own change as this machine's.
    await openHistory(pageB);
    await expect.poll(async () => (await rows(pageB)).find((r) => r.rev === deskChange)?.who, { timeout: HANG }).toBe('desk-b (this machine)');
  });

  it('narrows by profile and by file; a file with variants shows them, and the one live here', async () => {
    const profile = pageA.getByTestId('history-profile');
    expect(await profile.locator('option').allTextContents()).toEqual(['All profiles', 'Git', 'Zsh']);
    await profile.selectOption('git');
    const repoA = join(A.configDir, 'repo');
    await expect.poll(async () => (await rows(pageA)).map((r) => r.rev), { timeout: HANG }).toEqual(gitChanges(repoA, 'git/'));
    for (const r of await rows(pageA)) expect(r.files).toContain('.gitconfig');
    expect((await rows(pageA)).some((r) => r.host === 'desk-b')).toBe(false);
    await profile.selectOption('zsh');
    await expect.poll(async () => (await rows(pageA)).map((r) => r.rev), { timeout: HANG }).toEqual(gitChanges(repoA, 'zsh/'));
    expect((await rows(pageA)).some((r) => r.rev === deskChange)).toBe(true);
    await profile.selectOption('');

    // The search names one file: its changes, asked of the host.
    const search = pageA.getByTestId('history-search');
    await search.fill('.zshrc');
    await expect.poll(() => pageA.getByTestId('history-search-words').textContent(), { timeout: HANG }).toBe('Changes to ~/.zshrc.');
    await expect.poll(async () => (await rows(pageA)).map((r) => r.rev), { timeout: HANG }).toEqual(gitChanges(repoA, 'zsh/.zshrc'));
    // Several files match: the loaded changes that touched one of them.
    await search.fill('zsh');
    await expect.poll(() => pageA.getByTestId('history-search-words').textContent(), { timeout: HANG }).toMatch(/^2 synced files match: \.zshenv and \.zshrc\./);
    await expect.poll(async () => (await rows(pageA)).map((r) => r.rev), { timeout: HANG }).toEqual(gitChanges(repoA, 'zsh/'));
    await search.fill('nothing-like-this');
    await expect.poll(() => pageA.getByTestId('history-no-match').isVisible(), { timeout: HANG }).toBe(true);
    expect(await pageA.getByTestId('history-change').count()).toBe(0);

    // desk-b makes its own variant of .gitconfig (the CLI, through its running host); then a search that
    // names the file lists the file's changes and its variants' together, and shows which one is live.
    execFileSync(process.execPath, [CLI, 'variant', 'add', '~/.gitconfig', '--for', 'host:desk-b'], { env: daemonEnv(B.home, B.configDir), encoding: 'utf8' });
    await waitFor(() => remoteFile('git/.gitconfig##host.desk-b') !== null, "desk-b's variant on the remote", HANG);
    await syncNow(pageA);
    await search.fill('.gitconfig');
    await expect.poll(() => pageA.getByTestId('history-search-words').textContent(), { timeout: HANG }).toBe('Changes to ~/.gitconfig and its variants.');
    const variants = pageA.getByTestId('history-variant');
    await expect.poll(() => variants.count(), { timeout: HANG }).toBe(2);
    expect(await pageA.evaluate(`[...document.querySelectorAll('[data-testid="history-variant"]')].map((e) => [e.getAttribute('data-path'), e.getAttribute('data-here')])`)).toEqual([
      ['git/.gitconfig', 'true'],
      ['git/.gitconfig##host.desk-b', 'false'],
    ]);
    expect(await pageA.getByTestId('history-variant-here').textContent()).toBe('This machine uses the default.');
    expect(await variants.first().textContent()).toContain('Live on this machine');
    await expect.poll(async () => (await rows(pageA)).map((r) => r.rev), { timeout: HANG }).toEqual(gitChanges(repoA, 'git/'));
    expect((await rows(pageA))[0]).toMatchObject({ host: 'desk-b', files: 'Variant added .gitconfig' });
    // On desk-b, its own variant is the live one.
    await pageB.getByTestId('history-search').fill('~/.gitconfig');
    await expect.poll(() => pageB.getByTestId('history-variant-here').textContent(), { timeout: HANG }).toBe('This machine uses the variant for host desk-b.');
    expect(await pageB.locator('[data-testid="history-variant"][data-here="true"]').getAttribute('data-path')).toBe('git/.gitconfig##host.desk-b');
    await shoot(pageB, 'history-variants-desk-b-1280-light', { fullPage: false });
    await pageB.getByTestId('history-search').fill('');
    await search.fill('');
  });

  it("a change's files and diff; restoring a file that already is that version changes nothing", async () => {
    const detail = await select(pageA, deskChange);
    expect(await detail.locator('h3').textContent()).toMatch(/^Change from desk-b, (just now|\d+ s ago|\d+ min ago)$/);
    const files = detail.getByTestId('history-change-file');
    expect(await files.count()).toBe(1);
    expect(await files.first().getAttribute('data-path')).toBe('zsh/.zshrc');
    expect(await files.first().textContent()).toBe('Changed.zshrc~/.zshrc');
    const diff = pageA.getByTestId('history-diff');
    expect(await diff.getAttribute('data-added')).toBe('1');
    expect(await diff.getAttribute('data-removed')).toBe('1');
    expect(await diff.textContent()).toMatch(/Before this change.*After this change.*removed: export A=1.*added: export B=2/s);
    // One file: no "all files" button.
    expect(await pageA.getByTestId('history-restore-change').count()).toBe(0);

    // laptop-a's .zshrc already is desk-b's version: the confirmation says so and cannot be confirmed.
    await pageA.getByTestId('history-restore-file').click();
    const confirm = pageA.getByTestId('history-confirm');
    expect(await confirm.getAttribute('data-what')).toBe('file');
    expect(await confirm.getByTestId('history-confirm-words').textContent()).toMatch(/^Put ~\/\.zshrc back to the version desk-b saved (just now|\d+ s ago|\d+ min ago)\?$/);
    await expect.poll(() => pageA.getByTestId('history-confirm-same').isVisible(), { timeout: HANG }).toBe(true);
    expect(await pageA.getByTestId('history-confirm-yes').isDisabled()).toBe(true);
    await pageA.getByTestId('history-confirm-cancel').click();
    expect(await pageA.getByTestId('history-confirm').count()).toBe(0);
  });

  it('restores every file of a change from the timeline: it says what will change, then the live files change', async () => {
    const detail = await select(pageA, first);
    const n = await detail.getByTestId('history-change-file').count();
    expect(n).toBeGreaterThanOrEqual(3);
    await pageA.getByTestId('history-restore-change').click();
    const confirm = pageA.getByTestId('history-confirm');
    expect(await confirm.getAttribute('data-what')).toBe('change');
    const question = (await confirm.getByTestId('history-confirm-words').textContent())!;
    expect(question).toMatch(new RegExp(`^Put back ${n} files as laptop-a saved them (just now|\\d+ s ago|\\d+ min ago): `));
    expect(question).toContain('~/.zshrc');
    expect(question).toContain('~/.gitconfig');
    // Which of them change here, and which already are that version.
    await expect.poll(() => confirm.textContent(), { timeout: HANG }).toContain('Changes here: ~/.gitconfig, ~/.zshrc. Already that version here: ~/.zshenv.');
    expect(await confirm.textContent()).toContain('their current content stays in History, so you can undo this');
    await shoot(pageA, 'history-confirm-change-1280-light', { fullPage: false });
    const restored = await act(pageA, 'history-restore-result', () => pageA.getByTestId('history-confirm-yes').click());
    expect(restored.last.status).toBe('done');
    expect(restored.last.text).toMatch(/^Restored/);
    expect(restored.last.text).toMatch(/\d+ files restored \(.*\.gitconfig.*\.zshrc.*\)/);
    expect(restored.last.text).not.toMatch(/^Synced/);
    // The outcome under the change: a tall window, so the whole panel is in the picture.
    await pageA.setViewportSize({ width: 1280, height: 1500 });
    await shoot(pageA, 'history-restored-change-1280-light', { fullPage: false });
    await pageA.setViewportSize({ width: 1280, height: 900 });
    // The live files are that change's versions again.
    expect(readText(join(A.home, '.zshrc'))).toBe('export A=1\n');
    expect(readText(join(A.home, '.gitconfig'))).toBe(GITCONFIG);
    expect(readText(join(A.home, '.zshenv'))).toBe('export PATH=base\n');
    // The restore is itself a change on top, by this machine, listed once.
    await expect.poll(async () => (await rows(pageA))[0]?.files, { timeout: HANG }).toMatch(/^Restored /);
    const list = await rows(pageA);
    expect(list[0].who).toBe('laptop-a (this machine)');
    expect(new Set(list.map((r) => r.rev)).size).toBe(list.length);
    expect(list.map((r) => r.rev)).toEqual(gitChanges(join(A.configDir, 'repo')));
    // …and reaches desk-b.
    await waitFor(() => remoteFile('zsh/.zshrc') === 'export A=1\n', 'the restored .zshrc on the remote', HANG);
    await syncNow(pageB);
    await waitFor(() => readText(join(B.home, '.zshrc')) === 'export A=1\n', "desk-b's live .zshrc restored", HANG);
    // desk-b's .gitconfig is its own variant: restoring the default elsewhere leaves it as it is.
    expect(readText(join(B.home, '.gitconfig'))).toBe(GITCONFIG);
  });

  it("restores one file to another machine's version, after showing what it changes in the current file", async () => {
    await select(pageA, deskChange);
    await pageA.getByTestId('history-restore-file').click();
    const diff = pageA.getByTestId('history-confirm-diff');
    await expect.poll(() => diff.getAttribute('data-added'), { timeout: HANG }).toBe('1');
    expect(await diff.getAttribute('data-removed')).toBe('1');
    expect(await diff.textContent()).toMatch(/Current file.*After restoring.*removed: export A=1.*added: export B=2/s);
    const restored = await act(pageA, 'history-restore-result', () => pageA.getByTestId('history-confirm-yes').click());
    expect(restored.last.status).toBe('done');
    expect(restored.last.text).toMatch(/^Restored.*\.zshrc restored to an earlier version/);
    expect(readText(join(A.home, '.zshrc'))).toBe('export B=2\n');
    expect(await pageA.getByTestId('history-confirm').count()).toBe(0);
  });

  it('pictures: a change and its diff at 640×480 and 820×600, light and dark', async () => {
    const ready = async (p: Page) => {
      await p.getByTestId('tab-history').click();
      await expect.poll(() => p.locator(`[data-testid="history-change"][data-rev="${deskChange}"]`).count(), { timeout: HANG }).toBe(1);
      await select(p, deskChange);
    };
    const shots = await shootSizes(browser, A, { name: 'preferences-history', path: 'preferences.html', hash: 'history', sizes: ['small', 'roomy'], ready, full: true });
    expect(shots).toHaveLength(8);
  });
});

describe('"Show older changes" pages back through a long history', () => {
  it('lists exactly the changes git lists, each once, newest first', async () => {
    // Another machine's history, made with git in a clone of the remote (55 edits of .zlogin).
    const work = join(tmp('cs-old-mac-'), 'clone');
    git(tmp(), 'clone', '-q', remote, work);
    mkdirSync(join(work, 'zsh'), { recursive: true });
    for (let i = 1; i <= 55; i++) {
      writeFileSync(join(work, 'zsh', '.zlogin'), `echo login ${i}\n`);
      git(work, 'add', 'zsh/.zlogin');
      git(work, '-c', 'user.name=ConfSync (old-mac)', '-c', 'user.email=old-mac@confsync.invalid', 'commit', '-q', '-m', 'old-mac: 1 file changed (.zlogin)', '-m', 'ConfSync-Host: old-mac');
    }
    git(work, 'push', '-q', 'origin', 'HEAD:main');
    await syncNow(pageA);
    await waitFor(() => readText(join(A.home, '.zlogin')) === 'echo login 55\n', '.zlogin from old-mac live on laptop-a', HANG);

    const repoA = join(A.configDir, 'repo');
    const all = gitChanges(repoA);
    expect(all.length).toBeGreaterThan(55);
    await pageA.getByTestId('history-search').fill('');
    await pageA.getByTestId('history-profile').selectOption('');
    await expect.poll(async () => (await rows(pageA)).map((r) => r.rev), { timeout: HANG }).toEqual(all.slice(0, 50));
    expect(await pageA.getByTestId('history-count').textContent()).toBe('Showing 50 changes');
    expect((await rows(pageA))[0]).toMatchObject({ host: 'old-mac', who: 'old-mac', files: '.zlogin' });
    await pageA.getByTestId('history-more').click();
    await expect.poll(async () => (await rows(pageA)).length, { timeout: HANG }).toBe(all.length);
    expect((await rows(pageA)).map((r) => r.rev)).toEqual(all);
    await expect.poll(() => pageA.getByTestId('history-end').isVisible(), { timeout: HANG }).toBe(true);

    // One file's changes page back too: asked of the host with its path.
    await pageA.getByTestId('history-search').fill('.zlogin');
    const zlogin = gitChanges(repoA, 'zsh/.zlogin');
    expect(zlogin).toHaveLength(55);
    await expect.poll(async () => (await rows(pageA)).map((r) => r.rev), { timeout: HANG }).toEqual(zlogin.slice(0, 50));
    await pageA.getByTestId('history-more').click();
    await expect.poll(async () => (await rows(pageA)).map((r) => r.rev), { timeout: HANG }).toEqual(zlogin);
    // Keyboard: ↓ moves to the next change and selects it.
    await pageA.locator('[data-testid="history-change"]').first().click();
    await pageA.keyboard.press('ArrowDown');
    await expect.poll(() => pageA.getByTestId('history-change-detail').getAttribute('data-rev'), { timeout: HANG }).toBe(zlogin[1]);
    await pageA.keyboard.press('End');
    await expect.poll(() => pageA.getByTestId('history-change-detail').getAttribute('data-rev'), { timeout: HANG }).toBe(zlogin[54]);
    await pageA.getByTestId('history-search').fill('');
  });
});

describe('Profiles: keys kept on each machine', () => {
  it('says what is wrong, saves both lists through profiles:save, shows them, and keeps a machine-local key here', async () => {
    const page = await open(A, { path: 'preferences.html', hash: 'profiles' });
    await page.getByTestId('profile-add').click();
    await page.getByTestId('profile-form-name').fill('editor');
    await page.getByTestId('profile-form-paths').fill('~/.config/myeditor/settings.json');
    await page.getByTestId('profile-form-ignore-keys').fill('window.lastFrame*\n*');
    await page.getByTestId('profile-form-local-keys').fill('window.zoomLevel');
    await page.getByTestId('profile-form-save').click();
    const err = page.getByTestId('profile-form-error-ignore-keys');
    await expect.poll(() => err.isVisible()).toBe(true);
    expect(await err.textContent()).toBe('Line 2: “*” matches every key, so nothing in these files would sync. Name the keys, e.g. window.*');
    expect(await page.getByTestId('profile-form-ignore-keys').getAttribute('aria-invalid')).toBe('true');
    await page.getByTestId('profile-form-ignore-keys').fill('window.lastFrame*\nwindow.zoomLevel');
    await page.getByTestId('profile-form-save').click();
    await expect.poll(() => page.getByTestId('profile-form-error-local-keys').textContent()).toBe(
      '“window.zoomLevel” is an ignored key too. Keep it in one list: either way this machine keeps its own value.',
    );
    await page.getByTestId('profile-form-ignore-keys').fill('window.lastFrame*');
    await page.getByTestId('profile-form-save').click();
    const row = page.locator('[data-testid="custom-profile"][data-name="editor"]');
    await expect.poll(() => row.count(), { timeout: HANG }).toBe(1);
    expect(await row.getByTestId('profile-key-rules').textContent()).toBe('Kept on each machine: ignored keys window.lastFrame* · machine-local keys window.zoomLevel');
    // Saved in the shared definitions, as the contract has it.
    const repoA = join(A.configDir, 'repo');
    await waitFor(() => {
      const defs = JSON.parse(git(repoA, 'show', 'HEAD:.confsync/profiles.json')) as { profiles: { name: string; ignoreKeys?: string[]; localKeys?: string[] }[] };
      const p = defs.profiles.find((x) => x.name === 'editor');
      return JSON.stringify([p?.ignoreKeys, p?.localKeys]) === JSON.stringify([['window.lastFrame*'], ['window.zoomLevel']]);
    }, 'the key lists in .confsync/profiles.json', HANG);

    // In force: the file syncs without its machine-local and ignored keys.
    mkdirSync(join(A.home, '.config', 'myeditor'), { recursive: true });
    writeFileSync(join(A.home, '.config', 'myeditor', 'settings.json'), '{\n  "editor.fontSize": 13,\n  "window.zoomLevel": 2,\n  "window.lastFrame": "0 0 800 600"\n}\n');
    await syncNow(await open(A));
    await waitFor(() => remoteFile('editor/.config/myeditor/settings.json') !== null, 'the settings file on the remote', HANG);
    const sent = remoteFile('editor/.config/myeditor/settings.json')!;
    expect(sent).toContain('"editor.fontSize": 13');
    expect(sent).not.toContain('zoomLevel');
    expect(sent).not.toContain('lastFrame');

    // Editing shows both lists as saved.
    await page.locator('[data-testid="profile-edit"][data-name="editor"]').click();
    expect(await page.getByTestId('profile-form-ignore-keys').inputValue()).toBe('window.lastFrame*');
    expect(await page.getByTestId('profile-form-local-keys').inputValue()).toBe('window.zoomLevel');
    await page.getByTestId('profile-form-cancel').click();

    const ready = async (p: Page) => {
      await p.locator('[data-testid="profile-edit"][data-name="editor"]').click();
      await p.getByTestId('profile-form-local-keys').scrollIntoViewIfNeeded();
    };
    expect(await shootSizes(browser, A, { name: 'preferences-profile-keys', path: 'preferences.html', hash: 'profiles', sizes: ['small', 'roomy'], ready })).toHaveLength(4);
  });
});
