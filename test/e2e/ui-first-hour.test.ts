/**
 * The rough edges a new user hits in the first hour, through real daemons (temp HOMEs, real git, real
 * bare remotes) and their UIs in Chromium:
 *
 * - "hotel" (its own bare remote): the popover at 360×480 keeps its footer in view while the activity
 *   list scrolls inside; the list shows what matters (no "Sent", no pause/resume notices) and "Show
 *   all" brings the rest; paused is said once; the General tab says the validator's limits in words and
 *   has the host name and the Keyboard Maestro library (with "restart to use"); a profile path `bin`
 *   says it means ~/bin; a remote that is not there reads "not found", its save is never a green
 *   "Saved.", and the popover says "Remote not found" with the way to fix it instead of "Offline".
 * - "juliet" (a remote holding another project): a failed sync says the cause once, in words, with the fix.
 * - "india" (a remote that never answers): Sync now is disabled, with its reason, while the host syncs.
 * - "kilo" and "lima" (one remote): a conflict on lima: the Conflicts tab's accessible name, the
 *   side-by-side diff at 820 px (tabs 4 wide, no wrapping, neutral side colours named by machine),
 *   paused with a conflict waiting; on kilo, History's "what restoring would change" after a restore.
 *
 * Screenshots (test-results/screenshots/first-hour-*) at 360×480, 640×480 and 820×600, light and dark.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import { launchChromium } from '../helpers/browser.js';
import { bareRemote, git, tmp, waitFor } from '../helpers/machine.js';
import { act, dumpOnFailure, HANG, openUi, readText, shoot, shootSizes, SIZES, syncNow } from '../helpers/ui.js';
import type { Settings } from '../../shared/settings.js';

let browser: Browser;
const contexts: BrowserContext[] = [];
const daemons: DaemonHandle[] = [];

async function open(d: DaemonHandle, o: Parameters<typeof openUi>[2] = {}): Promise<Page> {
  const r = await openUi(browser, d, o);
  contexts.push(r.ctx);
  return r.page;
}

async function start(opts: Parameters<typeof startDaemon>[0]): Promise<DaemonHandle> {
  const d = await startDaemon(opts);
  daemons.push(d);
  return d;
}

function config(d: DaemonHandle): Settings {
  return JSON.parse(readFileSync(join(d.configDir, 'config.json'), 'utf8')) as Settings;
}

/**
 * The text a person can see inside `selector`: text nodes in boxes of real size, outside the
 * screen-reader-only text and closed <details>. (A string expression: the tests are type-checked
 * without the DOM library.)
 */
async function visibleText(page: Page, selector: string): Promise<string> {
  return (await page.evaluate(`(() => {
    const root = document.querySelector(${JSON.stringify(selector)});
    if (!root) return '';
    const out = [];
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest('.sr-only')) continue;
      const r = el.getBoundingClientRect();
      if (r.width < 2 || r.height < 2) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility === 'hidden' || cs.display === 'none') continue;
      out.push(n.textContent);
    }
    return out.join(' ').replace(/\\s+/g, ' ');
  })()`)) as string;
}

function count(text: string, re: RegExp): number {
  return (text.match(new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`)) ?? []).length;
}

/** The words a control's aria-describedby points at (its accessible description). */
async function description(page: Page, control: Locator): Promise<string> {
  const ids = (await control.getAttribute('aria-describedby')) ?? '';
  const parts: string[] = [];
  for (const id of ids.split(/\s+/).filter(Boolean)) parts.push(((await page.locator(`[id="${id}"]`).textContent()) ?? '').trim());
  return parts.join(' ');
}

/** Where an element is in the window: top and bottom in CSS pixels. */
async function box(page: Page, selector: string): Promise<{ top: number; bottom: number }> {
  return (await page.evaluate(`(() => { const r = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect(); return { top: r.top, bottom: r.bottom }; })()`)) as {
    top: number;
    bottom: number;
  };
}

beforeAll(async () => {
  browser = await launchChromium();
});

beforeEach(dumpOnFailure(() => daemons));

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await Promise.all(daemons.map((d) => d.stop()));
});

describe('one machine in its first hour ("hotel")', () => {
  let d: DaemonHandle;
  let remote: string;
  let pop: Page;

  beforeAll(async () => {
    remote = bareRemote();
    d = await start({
      settings: { hostName: 'hotel', enabledProfiles: ['zsh'], remote: { url: remote, branch: 'main' }, sync: { intervalSec: 3600, debounceMs: 200 } },
      files: { '.zshrc': 'export HOTEL=0\n', 'bin/hello.sh': 'echo hello\n', 'bin/bye.sh': 'echo bye\n' },
    });
    pop = await open(d, { path: 'popover.html', viewport: SIZES.popover });
    const safe = async () => (await pop.getByTestId('header-safe-to-shutdown').getAttribute('data-safe')) === 'true';
    await waitFor(safe, 'the start-up sync to settle', HANG);
    // A first hour's worth of activity: edits saved and sent, and syncing paused and resumed.
    for (let i = 1; i <= 12; i++) {
      writeFileSync(join(d.home, '.zshrc'), `export HOTEL=${i}\n`);
      await waitFor(() => git(remote, 'show', 'main:zsh/.zshrc') === `export HOTEL=${i}\n`, `edit ${i} on the remote`, HANG);
    }
    for (const paused of [true, false, true, false]) {
      await pop.getByTestId('pause-toggle').click();
      await waitFor(async () => (await pop.getByTestId('pause-toggle').getAttribute('data-paused')) === String(paused), `paused: ${paused}`, HANG);
    }
    await waitFor(safe, 'everything sent', HANG);
  }, 180_000);

  it('popover at 360×480: the footer stays in view and the activity scrolls inside its own area', async () => {
    const list = pop.getByTestId('activity-list');
    await expect.poll(() => list.getByTestId('activity-item').count(), { timeout: HANG }).toBeGreaterThanOrEqual(12);
    // The window itself does not scroll: everything fits, and the list is what scrolls.
    expect((await pop.evaluate('document.scrollingElement.scrollHeight')) as number).toBeLessThanOrEqual(SIZES.popover.height);
    const scroll = (await pop.evaluate(
      `(() => { const el = document.querySelector('[data-testid="activity-list"]'); return { client: el.clientHeight, full: el.scrollHeight }; })()`,
    )) as { client: number; full: number };
    expect(scroll.full).toBeGreaterThan(scroll.client);
    // Sync now, Pause and Preferences are in the window, below the list.
    const footer = await box(pop, '.popover-footer');
    expect(footer.bottom).toBeLessThanOrEqual(SIZES.popover.height);
    expect((await box(pop, '[data-testid="activity-list"]')).bottom).toBeLessThanOrEqual(footer.top + 1);
    for (const id of ['sync-now', 'pause-toggle', 'open-preferences']) {
      const b = await box(pop, `[data-testid="${id}"]`);
      expect(b.top, id).toBeGreaterThanOrEqual(footer.top);
      expect(b.bottom, id).toBeLessThanOrEqual(SIZES.popover.height);
    }
  });

  it('the activity shows what matters: no "Sent" after every "Saved", no pause/resume notices; Show all brings them back', async () => {
    const kinds = async () => (await pop.evaluate(`[...document.querySelectorAll('[data-testid="activity-item"]')].map((e) => e.getAttribute('data-kind'))`)) as string[];
    expect(await kinds()).not.toContain('pushed');
    expect(await kinds()).toContain('commit');
    expect(await pop.getByTestId('activity-list').textContent()).not.toMatch(/Sync (paused|resumed)/);
    const all = pop.getByTestId('activity-show-all');
    // 12 edits sent ("Pushed 1 commit" each) and 4 pause/resume notices are left out.
    expect(Number(await all.getAttribute('data-hidden'))).toBeGreaterThanOrEqual(16);
    expect(await all.getAttribute('aria-pressed')).toBe('false');
    await all.click();
    expect(await all.getAttribute('aria-pressed')).toBe('true');
    expect(await kinds()).toContain('pushed');
    expect(await pop.getByTestId('activity-list').textContent()).toMatch(/Sync paused/);
    await all.click();
    expect(await kinds()).not.toContain('pushed');
    await shootSizes(browser, d, {
      name: 'first-hour-popover-activity',
      path: 'popover.html',
      sizes: ['popover'],
      ready: async (p) => {
        await expect.poll(() => p.getByTestId('activity-item').count(), { timeout: HANG }).toBeGreaterThanOrEqual(12);
        expect((await box(p, '.popover-footer')).bottom).toBeLessThanOrEqual(SIZES.popover.height);
      },
    });
  });

  it('paused is said once, and Sync now says why it waits', async () => {
    await act(pop, 'pause-result', () => pop.getByRole('button', { name: 'Pause syncing' }).click());
    await expect.poll(() => pop.getByTestId('header-state').textContent(), { timeout: HANG }).toBe('Paused');
    const seen = await visibleText(pop, '[data-testid="popover"]');
    expect(count(seen, /paused/i), seen).toBe(1);
    const syncButton = pop.getByTestId('sync-now');
    expect(await syncButton.isDisabled()).toBe(true);
    expect(await description(pop, syncButton)).toBe('Syncing is paused. Resume to sync.');
    // The outcome of the click is announced (a live region), not shown a second time.
    expect(await pop.getByTestId('pause-result').textContent()).toBe('Syncing is paused.');
    await shoot(pop, 'first-hour-popover-paused-light', { fullPage: false });
    await act(pop, 'pause-result', () => pop.getByRole('button', { name: 'Resume syncing' }).click());
    await expect.poll(() => syncButton.isEnabled(), { timeout: HANG }).toBe(true);
    expect(await syncButton.getAttribute('aria-describedby')).toBeNull();
  });

  it('General: limits in words; the host name and the Keyboard Maestro library; what needs a restart says so', async () => {
    const p = await open(d, { path: 'preferences.html', hash: 'general', viewport: SIZES.small });
    const interval = p.getByTestId('settings-interval-min');
    await expect.poll(() => interval.inputValue(), { timeout: HANG }).toBe('60');
    const save = () => act(p, 'settings-result', () => p.getByTestId('settings-save').click());

    // 3 seconds, then 2,000 minutes: the host refuses both, and its limits are said in words.
    await interval.fill('0.05');
    expect((await save()).last.status).toBe('failed');
    expect(await p.getByTestId('settings-error-interval').textContent()).toBe('At least 10 seconds.');
    await interval.fill('2000');
    expect((await save()).last.status).toBe('failed');
    expect(await p.getByTestId('settings-error-interval').textContent()).toBe('At most 24 hours.');
    expect(config(d).sync.intervalSec).toBe(3600);
    await interval.fill('60');

    // The host name: refused in words, then saved, and "restart to use" until ConfSync restarts.
    const host = p.getByTestId('settings-host-name');
    expect(await host.inputValue()).toBe('hotel');
    expect(await description(p, host)).toContain('Takes effect when ConfSync restarts.');
    await host.fill('hotel 2!');
    expect((await save()).last.status).toBe('failed');
    expect(await p.getByTestId('settings-error-host-name').textContent()).toBe('Letters, digits, dot, underscore and dash only.');
    await host.fill('hotel-2');
    expect((await save()).last).toMatchObject({ status: 'done', text: 'Saved.' });
    await waitFor(() => config(d).hostName === 'hotel-2', 'the host name in config.json', HANG);
    const restart = p.getByTestId('settings-restart-note');
    expect(await restart.textContent()).toBe('Saved, not in use yet: restart ConfSync to use the host name hotel-2 (it is hotel until then).');
    expect(await p.getByTestId('settings-host-in-use').textContent()).toBe('hotel');

    // The wait before saving is read at start too.
    const debounce = p.getByTestId('settings-debounce-ms');
    expect(await description(p, debounce)).toContain('Takes effect when ConfSync restarts.');
    await debounce.fill('300');
    expect((await save()).last.status).toBe('done');
    expect(await restart.textContent()).toBe(
      'Saved, not in use yet: restart ConfSync to use the host name hotel-2 (it is hotel until then) and the wait of 300 milliseconds before saving a change.',
    );

    // The Keyboard Maestro library applies at once (no restart); "~" is not expanded by the host, so
    // the form asks for the whole path.
    const km = p.getByTestId('settings-km-library');
    expect(await description(p, km)).not.toContain('restart');
    await km.fill('~/km/Macros.plist');
    await p.getByTestId('settings-save').click();
    await expect.poll(() => p.getByTestId('settings-error-km-library').textContent()).toBe('Write the whole path, starting with / (for example /Users/me/Library/…).');
    const library = join(d.home, 'km', 'Macros.plist');
    await km.fill(library);
    expect((await save()).last.status).toBe('done');
    await waitFor(() => config(d).km.libraryPath === library, 'the library in config.json', HANG);
    expect(await restart.textContent()).not.toContain('Keyboard Maestro');
    await shootSizes(browser, d, {
      name: 'first-hour-general',
      path: 'preferences.html',
      hash: 'general',
      sizes: ['small', 'roomy'],
      ready: async (q) => {
        await expect.poll(() => q.getByTestId('settings-restart-note').isVisible(), { timeout: HANG }).toBe(true);
      },
      full: true,
    });

    // Back to the values in use: nothing waits for a restart any more.
    await host.fill('hotel');
    await debounce.fill('200');
    await km.fill('');
    expect((await save()).last.status).toBe('done');
    await waitFor(() => config(d).hostName === 'hotel' && config(d).km.libraryPath === null && config(d).sync.debounceMs === 200, 'the values in use', HANG);
    expect(await restart.count()).toBe(0);
    // Emptying the host name means the computer's own name, which also waits for a restart.
    await host.fill('');
    expect((await save()).last.status).toBe('done');
    expect(await restart.textContent()).toBe('Saved, not in use yet: restart ConfSync to use the computer’s own name as the host name (it is hotel until then).');
    await host.fill('hotel');
    expect((await save()).last.status).toBe('done');
    expect(await restart.count()).toBe(0);
  });

  it('Profiles: a path written as "bin" says it means ~/bin, in the form and in the preview', async () => {
    const p = await open(d, { path: 'preferences.html', hash: 'profiles', viewport: SIZES.roomy });
    await p.getByRole('button', { name: 'Add profile…' }).click();
    const f = p.getByTestId('profile-form');
    await f.getByTestId('profile-form-name').fill('scripts');
    await f.getByTestId('profile-form-paths').fill('bin\n~/.zshrc');
    expect(await f.getByTestId('profile-form-relative').textContent()).toBe('bin means ~/bin: a path that does not start with ~ or / is in your home folder.');
    await f.getByTestId('profile-form-preview').click();
    const preview = f.getByTestId('profile-preview-result');
    await expect.poll(() => preview.getAttribute('data-status'), { timeout: HANG }).toBe('done');
    expect(await preview.getByTestId('profile-preview-relative').textContent()).toBe('Looked for in your home folder: bin means ~/bin.');
    const files = await preview.getByTestId('profile-preview-files').locator('li').allTextContents();
    expect(files.map((x) => x.replace(/.*\//, '')).sort()).toEqual(['.zshrc', 'bye.sh', 'hello.sh']);
    await shoot(p, 'first-hour-profiles-bin-light', { fullPage: false });
    // Written with ~, nothing needs saying.
    await f.getByTestId('profile-form-paths').fill('~/bin');
    expect(await f.getByTestId('profile-form-relative').count()).toBe(0);
    await f.getByTestId('profile-form-cancel').click();
  });

  it('a remote that is not there: "not found", never a green "Saved.", and the popover says how to fix it', async () => {
    const page = await open(d, { viewport: { width: 1280, height: 900 } });
    await page.getByTestId('tab-repository').click();
    const url = page.getByTestId('repo-remote-url');
    await expect.poll(() => url.inputValue(), { timeout: HANG }).toBe(remote);
    // The hint names every kind of address that works, local paths and disks included.
    const hint = (await page.getByTestId('repo-url-help').textContent())!;
    expect(hint).toMatch(/SSH or HTTPS/);
    expect(hint).toMatch(/path of a repository on this machine or a disk/);

    const missing = join(tmp('cs-nowhere-'), 'dotfiles.git');
    await url.fill(missing);
    const tested = await act(page, 'repo-test-result', () => page.getByTestId('repo-test-connection').click());
    // The engine reports a missing local path as 'not-found' (git: "does not appear to be a git repository").
    expect(tested.last).toMatchObject({ status: 'done', kind: 'not-found' });
    expect(tested.last.text).toMatch(/^Not found: check the address/);
    expect(tested.last.text).not.toMatch(/offline/i);

    const saved = await act(page, 'repo-save-result', () => page.getByTestId('repo-save').click());
    expect(saved.last).toMatchObject({ status: 'done', kind: 'not-found' });
    expect(saved.last.text).toMatch(/^Saved, but this remote does not work yet: not found: check the address\./);
    expect(await page.getByTestId('repo-saved-not-working').getAttribute('data-tone')).toBe('warning');
    await waitFor(() => config(d).remote.url === missing, 'the missing remote in config.json', HANG);

    // The popover: "Remote not found" with the fix, not "Offline" forever.
    const r = await syncNow(page);
    expect(r.kind).toBe('offline'); // what the engine calls it (see the report: it could say not-found)
    await expect.poll(() => page.getByTestId('header-state').textContent(), { timeout: HANG }).toBe('Remote not found');
    expect(await page.getByTestId('tray-state').getAttribute('data-kind')).toBe('offline');
    const popText = await visibleText(page, '[data-testid="popover"]');
    expect(popText).toContain(`there is no repository at ${missing}`);
    expect(popText).not.toMatch(/offline/i);
    const banner = page.getByTestId('errors-banner');
    expect(await banner.getAttribute('data-problem')).toBe('not-found');
    expect(await banner.getByTestId('errors-banner-fix').textContent()).toMatch(/^Check the address/);
    await page.getByTestId('errors-banner-repository').click();
    await expect.poll(() => page.getByTestId('tab-repository').getAttribute('aria-selected')).toBe('true');
    await shoot(page, 'first-hour-landing-remote-not-found');
    await shootSizes(browser, d, {
      name: 'first-hour-popover-not-found',
      path: 'popover.html',
      sizes: ['popover'],
      ready: async (q) => {
        await expect.poll(() => q.getByTestId('header-state').textContent(), { timeout: HANG }).toBe('Remote not found');
      },
    });

    // The real remote again: "Saved." in the all-well tone, and syncing works.
    await url.fill(remote);
    const back = await act(page, 'repo-save-result', () => page.getByTestId('repo-save').click());
    expect(back.last).toMatchObject({ status: 'done', kind: 'ok', text: 'Saved.' });
    const ok = await syncNow(page);
    expect(['ok', 'nothing-to-do']).toContain(ok.kind);
    await expect.poll(() => page.getByTestId('header-state').textContent(), { timeout: HANG }).toBe('Up to date');
  });
});

describe('a sync that fails ("juliet": the remote holds something other than ConfSync files)', () => {
  let d: DaemonHandle;

  beforeAll(async () => {
    // A remote with someone's ordinary project in it: ConfSync refuses to merge it, and says why.
    const remote = bareRemote();
    const work = tmp('cs-juliet-project-');
    git(work, 'init', '-q', '-b', 'main');
    writeFileSync(join(work, 'README.md'), '# a project\n');
    git(work, 'add', '.');
    git(work, 'commit', '-qm', 'project');
    git(work, 'push', '-q', remote, 'main');
    d = await start({
      settings: { hostName: 'juliet', enabledProfiles: ['zsh'], remote: { url: remote, branch: 'main' }, sync: { intervalSec: 3600, debounceMs: 200 } },
      files: { '.zshrc': 'export JULIET=1\n' },
    });
  });

  it('says the cause once, in words, with the fix', async () => {
    const pop = await open(d, { path: 'popover.html', viewport: SIZES.popover });
    const r = await syncNow(pop);
    expect(r.kind).toBe('not-confsync-repo');
    const banner = pop.getByTestId('errors-banner');
    await expect.poll(() => banner.isVisible(), { timeout: HANG }).toBe(true);
    expect(await banner.getAttribute('data-problem')).toBe('not-confsync');
    expect(await banner.getByTestId('errors-banner-fix').textContent()).toContain('Use an empty repository, or one another machine set up with ConfSync.');
    // Said once each, and all of it in view without opening anything.
    const seen = await visibleText(pop, '[data-testid="popover"]');
    expect(count(seen, /something other than ConfSync files|not a ConfSync repository/), seen).toBeGreaterThanOrEqual(1);
    expect(count(seen, /Use an empty repository/), seen).toBe(1);
    expect(count(seen, /Sync failed/), seen).toBeLessThanOrEqual(1);
    await shootSizes(browser, d, {
      name: 'first-hour-popover-sync-failed',
      path: 'popover.html',
      sizes: ['popover'],
      ready: async (q) => {
        await expect.poll(() => q.getByTestId('errors-banner').isVisible(), { timeout: HANG }).toBe(true);
      },
    });

    // The Repository tab's last result says the same cause and fix (not "Sync failed" with a Details).
    const prefs = await open(d, { path: 'preferences.html', hash: 'repository', viewport: SIZES.roomy });
    const last = prefs.getByTestId('repo-last-result');
    await expect.poll(() => last.isVisible(), { timeout: HANG }).toBe(true);
    expect(await last.getByTestId('result-fix').textContent()).toContain('Use an empty repository');
  });
});

describe('Sync now while the host syncs ("india": a remote that never answers)', () => {
  let d: DaemonHandle;
  let silent: Server;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // Accepts git's connection and never answers: the host's fetch runs until the sockets close.
    silent = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    d = await start({
      settings: {
        hostName: 'india',
        enabledProfiles: ['zsh'],
        remote: { url: `git://127.0.0.1:${port}/dotfiles.git`, branch: 'main' },
        sync: { intervalSec: 3600, debounceMs: 200, gitTimeoutMs: 120_000 },
      },
      files: { '.zshrc': 'export INDIA=1\n' },
    });
  });

  afterAll(() => {
    for (const s of sockets) s.destroy();
    silent?.close();
  });

  it('is disabled, with the reason, until the sync ends', async () => {
    const pop = await open(d, { path: 'popover.html', viewport: SIZES.popover });
    await expect.poll(() => pop.getByTestId('header-state').getAttribute('data-phase'), { timeout: HANG }).toBe('pulling');
    await waitFor(() => sockets.size > 0, 'git to connect to the silent server', HANG);
    const button = pop.getByTestId('sync-now');
    expect(await button.isDisabled()).toBe(true);
    expect(await button.getAttribute('aria-busy')).toBe('true');
    expect(await description(pop, button)).toBe('A sync is running. Sync now is available again when it finishes.');
    expect(await button.getAttribute('title')).toBe('A sync is running. Sync now is available again when it finishes.');
    await shoot(pop, 'first-hour-popover-sync-running-light', { fullPage: false });
    // The server goes away: the sync ends (offline), and Sync now is there again.
    for (const s of sockets) s.destroy();
    silent.close();
    await expect.poll(() => button.isEnabled(), { timeout: HANG }).toBe(true);
    expect(await button.getAttribute('aria-describedby')).toBeNull();
    await expect.poll(() => pop.getByTestId('header-state').getAttribute('data-kind'), { timeout: HANG }).toBe('offline');
  });
});

describe('two machines ("kilo" and "lima"): a conflict, its diff, paused with it, and History after a restore', () => {
  let remote: string;
  let K: DaemonHandle;
  let L: DaemonHandle;
  let pageK: Page;
  let pageL: Page;
  // Tab-indented lines, long enough to wrap in a 240 px column with 8-wide tabs (before this fix).
  const BASE = 'alias ll="ls -la"\n\t\tsetopt HIST_IGNORE_ALL_DUPS SHARE_HISTORY\n\t\texport EDITOR=vim\n';
  const settings = (hostName: string) => ({ hostName, enabledProfiles: ['zsh'], remote: { url: remote, branch: 'main' }, sync: { intervalSec: 3600, debounceMs: 200 } });
  const remoteFile = (p: string) => {
    try {
      return git(remote, 'show', `main:${p}`);
    } catch {
      return null;
    }
  };

  beforeAll(async () => {
    remote = bareRemote();
    K = await start({ settings: settings('kilo'), files: { '.zshrc': BASE, '.zshenv': 'export V=1\n' } });
    pageK = await open(K);
    await waitFor(() => remoteFile('zsh/.zshrc') === BASE && remoteFile('zsh/.zshenv') === 'export V=1\n', "kilo's files on the remote", HANG);
    L = await start({ settings: settings('lima') });
    pageL = await open(L);
    await waitFor(() => readText(join(L.home, '.zshrc')) === BASE, "lima's .zshrc from kilo", HANG);
  }, 120_000);

  it('a conflict: the tab says "Conflicts (1 conflict)", and the side-by-side diff keeps tab-indented lines whole', async () => {
    // Lima pauses and edits; kilo's edit of the same line reaches the remote; lima resumes and finds the conflict.
    await act(pageL, 'pause-result', () => pageL.getByRole('button', { name: 'Pause syncing' }).click());
    await expect.poll(() => pageL.getByTestId('pause-toggle').getAttribute('data-paused'), { timeout: HANG }).toBe('true');
    writeFileSync(join(L.home, '.zshrc'), BASE.replace('vim', "nvim # lima's editor"));
    writeFileSync(join(K.home, '.zshrc'), BASE.replace('vim', "emacs # kilo's editor"));
    await waitFor(() => remoteFile('zsh/.zshrc')?.includes("kilo's editor"), "kilo's edit on the remote", HANG);
    await act(pageL, 'pause-result', () => pageL.getByRole('button', { name: 'Resume syncing' }).click());
    await expect.poll(() => pageL.getByTestId('conflicts-banner').getAttribute('data-count'), { timeout: HANG }).toBe('1');

    const tab = pageL.getByRole('tab', { name: 'Conflicts (1 conflict)', exact: true });
    expect(await tab.count()).toBe(1);
    expect(await tab.getAttribute('aria-label')).toBe('Conflicts (1 conflict)');

    // The conflict copy that came with it is not news of its own: the Conflict entry says both are kept.
    // The banner counts the conflict as soon as the merge records it; the copy is applied (and its
    // arrival listed) a moment later in the same cycle, so wait for it in the full list first.
    const list = pageL.getByTestId('activity-list');
    await pageL.getByTestId('activity-show-all').click();
    await expect.poll(async () => await list.textContent(), { timeout: HANG }).toMatch(/\.zshrc\.conflict-kilo-\d{8}-\d{6} arrived/);
    await pageL.getByTestId('activity-show-all').click();
    expect(await list.textContent()).toMatch(/both versions are kept/);
    expect(await list.textContent()).not.toMatch(/\.conflict-kilo-\S+ arrived/);
    await pageL.getByTestId('activity-show-all').click();
    expect(await list.textContent()).toMatch(/\.zshrc\.conflict-kilo-\d{8}-\d{6} arrived/);
    await pageL.getByTestId('activity-show-all').click();

    const prefs = await open(L, { path: 'preferences.html', hash: 'conflicts', viewport: SIZES.roomy });
    const diff = prefs.getByTestId('conflict-diff');
    await expect.poll(() => diff.getAttribute('data-added'), { timeout: HANG }).toBe('1');
    await prefs.getByTestId('conflict-diff-split').check();
    const heads = await diff.locator('table.split thead th').allTextContents();
    expect(heads).toEqual(['Yours (this machine, lima)', "kilo's"]);
    // Every code cell is one line high: nothing wraps at 820 px, tabs are 4 wide.
    const cells = (await prefs.evaluate(
      `[...document.querySelectorAll('[data-testid="conflict-diff"] table.split tbody td.code')].map((e) => ({ text: e.textContent, h: e.getBoundingClientRect().height, line: parseFloat(getComputedStyle(e).lineHeight), tab: getComputedStyle(e).tabSize }))`,
    )) as { text: string; h: number; line: number; tab: string }[];
    expect(cells.some((c) => c.text.includes("\t\texport EDITOR=emacs # kilo's editor"))).toBe(true);
    for (const c of cells) {
      expect(c.h, JSON.stringify(c.text)).toBeLessThan(c.line * 1.5);
      expect(c.tab).toBe('4');
    }
    // Neutral colours for the two sides: yours is never the "removed" red.
    const colours = (await prefs.evaluate(`(() => {
      const bg = (sel) => getComputedStyle(document.querySelector(sel)).backgroundColor;
      const probe = document.createElement('td'); probe.className = 'diff-del'; document.querySelector('table.split tbody tr').appendChild(probe);
      const del = getComputedStyle(probe).backgroundColor; probe.remove();
      return { mine: bg('table.split td.code.diff-mine'), theirs: bg('table.split td.code.diff-theirs'), del };
    })()`)) as { mine: string; theirs: string; del: string };
    expect(colours.mine).not.toBe(colours.del);
    expect(colours.theirs).not.toBe(colours.del);
    expect(colours.mine).not.toBe(colours.theirs);
    await shoot(prefs, 'first-hour-conflict-split-roomy-light', { fullPage: false });
    for (const scheme of ['dark', 'light'] as const) {
      for (const size of ['small', 'roomy'] as const) {
        const q = await open(L, { path: 'preferences.html', hash: 'conflicts', viewport: SIZES[size], colorScheme: scheme });
        await expect.poll(() => q.getByTestId('conflict-diff').getAttribute('data-added'), { timeout: HANG }).toBe('1');
        await q.getByTestId('conflict-diff-split').check();
        const tabRows = (await q.evaluate(`new Set([...document.querySelectorAll('[role="tab"]')].map((e) => Math.round(e.getBoundingClientRect().top))).size`)) as number;
        expect(tabRows, `tabs at ${size}`).toBe(1);
        await q.getByTestId('conflict-diff').scrollIntoViewIfNeeded();
        await shoot(q, `first-hour-conflict-split-${size}-${scheme}`, { fullPage: false });
      }
    }
  });

  it('paused with a conflict: the headline says Paused, the conflict count stays in view', async () => {
    await act(pageL, 'pause-result', () => pageL.getByRole('button', { name: 'Pause syncing' }).click());
    for (const scheme of ['light', 'dark'] as const) {
      const pop = await open(L, { path: 'popover.html', viewport: SIZES.popover, colorScheme: scheme });
      await expect.poll(() => pop.getByTestId('header-state').textContent(), { timeout: HANG }).toBe('Paused');
      // The tray's icon is still the conflict one (the landing page names it).
      expect(await pop.getByTestId('header-state').getAttribute('data-kind')).toBe('conflict');
      expect(await pop.locator('.status-detail').textContent()).toBe('Changes are noticed but not synced until you resume. 1 conflict waits for your choice.');
      expect(await pop.getByTestId('conflicts-banner').isVisible()).toBe(true);
      const seen = await visibleText(pop, '[data-testid="popover"]');
      expect(count(seen, /paused/i), seen).toBe(1);
      expect(count(seen, /1 conflict\b/), seen).toBe(2); // the detail line, and "Review 1 conflict"
      expect((await box(pop, '.popover-footer')).bottom).toBeLessThanOrEqual(SIZES.popover.height);
      await shoot(pop, `first-hour-popover-paused-conflict-${scheme}`, { fullPage: false });
    }
    await act(pageL, 'pause-result', () => pageL.getByRole('button', { name: 'Resume syncing' }).click());
  });

  it('History: after a restore, "what restoring would change" is loaded again', async () => {
    writeFileSync(join(K.home, '.zshenv'), 'export V=2\n');
    await waitFor(() => remoteFile('zsh/.zshenv') === 'export V=2\n', 'the second version on the remote', HANG);
    /** kilo's History narrowed to ~/.zshenv, with its oldest change (export V=1) open and "Restore this file" asked. */
    const askRestoreOldest = async (page: Page) => {
      await page.getByTestId('tab-history').click();
      await page.getByTestId('history-search').fill('~/.zshenv');
      await expect.poll(() => page.getByTestId('history-search-words').textContent(), { timeout: HANG }).toBe('Changes to ~/.zshenv.');
      const changes = page.getByTestId('history-change');
      await expect.poll(() => changes.count(), { timeout: HANG }).toBeGreaterThanOrEqual(2);
      const oldest = changes.last();
      const rev = await oldest.getAttribute('data-rev');
      await oldest.click();
      await expect.poll(() => page.getByTestId('history-change-detail').getAttribute('data-rev'), { timeout: HANG }).toBe(rev);
      // That change may have added .zshrc too: choose .zshenv among its files.
      const file = page.locator('[data-testid="history-change-file"][data-path="zsh/.zshenv"]');
      await file.click();
      expect(await file.getAttribute('aria-current')).toBe('true');
      await expect.poll(() => page.getByTestId('history-diff').textContent(), { timeout: HANG }).toMatch(/added: export V=1/);
      await page.getByTestId('history-restore-file').click();
      expect(await page.getByTestId('history-confirm').getAttribute('data-what')).toBe('file');
    };
    await askRestoreOldest(pageK);
    const diff = pageK.getByTestId('history-confirm-diff');
    await expect.poll(() => diff.getAttribute('data-added'), { timeout: HANG }).toBe('1');
    expect(await diff.getAttribute('data-removed')).toBe('1');
    expect(await diff.textContent()).toMatch(/removed: export V=2.*added: export V=1/s);

    // The same version is restored from a second window while this one still asks.
    const other = await open(K, { path: 'preferences.html', hash: 'history', viewport: SIZES.roomy });
    await askRestoreOldest(other);
    await expect.poll(() => other.getByTestId('history-confirm-diff').getAttribute('data-added'), { timeout: HANG }).toBe('1');
    const restored = await act(other, 'history-restore-result', () => other.getByTestId('history-confirm-yes').click());
    expect(restored.last.status).toBe('done');
    expect(restored.last.text).toMatch(/^Restored.*\.zshenv restored to an earlier version/);
    await waitFor(() => readText(join(K.home, '.zshenv')) === 'export V=1\n', 'the old version live again', HANG);

    // The open confirmation compares again: the current file is now this version, nothing left to change.
    await expect.poll(() => pageK.getByTestId('history-confirm-same').isVisible(), { timeout: HANG }).toBe(true);
    expect(await pageK.getByTestId('history-confirm-same').textContent()).toBe('The current file already is this version: nothing would change.');
    expect(await diff.count()).toBe(0);
    expect(await pageK.getByTestId('history-confirm-yes').isDisabled()).toBe(true);
    // Asked again after the restore in this window too, it says the same.
    await other.getByTestId('history-restore-file').click();
    await expect.poll(() => other.getByTestId('history-confirm-same').isVisible(), { timeout: HANG }).toBe(true);
    expect(await other.getByTestId('history-confirm-diff').count()).toBe(0);
  });
});

describe('the tabs fit ("mike")', () => {
  let d: DaemonHandle;

  beforeAll(async () => {
    d = await start({ settings: { hostName: 'mike', enabledProfiles: ['zsh'], sync: { intervalSec: 3600 } }, files: { '.zshrc': 'export MIKE=1\n' } });
  });

  it('one row at 640 px and in the landing page column, with "KM" standing for Keyboard Maestro', async () => {
    for (const width of [640, 1024]) {
      const p = await open(d, { path: width === 640 ? 'preferences.html' : '', hash: 'general', viewport: { width, height: 700 } });
      const rows = (await p.evaluate(`new Set([...document.querySelectorAll('[role="tab"]')].map((e) => Math.round(e.getBoundingClientRect().top))).size`)) as number;
      expect(rows, `at ${width}`).toBe(1);
      // The strip never needs to scroll at these sizes; where it would, it scrolls instead of wrapping.
      const strip = (await p.evaluate(`(() => { const t = document.querySelector('[role="tablist"]'); return { client: t.clientWidth, full: t.scrollWidth }; })()`)) as { client: number; full: number };
      expect(strip.full).toBeLessThanOrEqual(strip.client);
      expect(await p.getByRole('tab', { name: 'Keyboard Maestro', exact: true }).count()).toBe(1);
      await shoot(p, `first-hour-tabs-${width}-light`, { fullPage: false });
    }
  });
});
