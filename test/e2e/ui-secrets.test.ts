/**
 * The Secrets identity section of the Health tab on a real headless host ("newbox", temp HOME, the
 * keychain turned off so the identity is kept in the config folder's 0600 file) in Chromium: a new
 * machine says it has no identity; an empty field, a garbled identity and a public key are refused with
 * the host's words and nothing is stored; the identity of "another machine" (made here, in the file
 * format `age-keygen` writes) is accepted, and the section then says where it is kept. "Show identity"
 * warns first and asks the host only after the explicit confirm. Screenshots at 640 and 820 wide,
 * light and dark, before and after.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import { launchChromium } from '../helpers/browser.js';
import { waitFor } from '../helpers/machine.js';
import { act, dumpOnFailure, HANG, openUi, outcomes, shoot, shootSizes, SIZES } from '../helpers/ui.js';
import { daemonCall } from '../reliability/helpers.js';

let browser: Browser;
let d: DaemonHandle;
let page: Page;
let identity: string;
let recipient: string;
const contexts: BrowserContext[] = [];

const identityDir = () => join(d.configDir, 'identity');
const state = () => page.getByTestId('secrets-identity-state');

async function ready(p: Page, exists: boolean): Promise<void> {
  await waitFor(async () => (await p.getByTestId('tab-health').getAttribute('aria-selected')) === 'true', 'the Health tab', HANG);
  await waitFor(async () => (await p.getByTestId('secrets-identity-state').getAttribute('data-exists')) === String(exists), 'the identity state', HANG);
  await p.getByTestId('secrets-identity').scrollIntoViewIfNeeded();
}

/** The page as it is now (a state a fresh page cannot show), 640 wide, around the section. */
async function shootAt640(name: string): Promise<void> {
  await page.setViewportSize(SIZES.small);
  try {
    await page.getByTestId('secrets-identity').scrollIntoViewIfNeeded();
    await shoot(page, `${name}-small-light`, { fullPage: false });
  } finally {
    await page.setViewportSize({ width: 1280, height: 900 });
  }
}

beforeAll(async () => {
  identity = await generateX25519Identity();
  recipient = await identityToRecipient(identity);
  [d, browser] = await Promise.all([
    startDaemon({ settings: { hostName: 'newbox', enabledProfiles: [], km: { enabled: false } }, env: { CONFSYNC_KEYCHAIN: 'off' } }),
    launchChromium(),
  ]);
  const opened = await openUi(browser, d, { hash: 'health' });
  contexts.push(opened.ctx);
  page = opened.page;
  await ready(page, false);
});

beforeEach(dumpOnFailure(() => [d]));

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await d?.stop();
});

describe('the secrets identity in Health', () => {
  it('a new machine says it has none, and offers to paste one', async () => {
    expect(await state().getAttribute('data-where')).toBe('none');
    expect(await state().textContent()).toContain('This machine has no secrets identity: files encrypted on your other machines stay encrypted here.');
    expect(await page.getByTestId('secrets-identity-input').isVisible()).toBe(true);
    expect(await page.getByTestId('secrets-identity-show').count()).toBe(0);
    await shootSizes(browser, d, { name: 'preferences-health-secrets-none', path: 'preferences.html', hash: 'health', sizes: ['small', 'roomy'], ready: (p) => ready(p, false) });
  });

  it('an empty field, a garbled identity and a public key are refused with words; nothing is stored', async () => {
    const error = page.getByTestId('secrets-identity-error');
    expect(await error.isVisible()).toBe(false);
    await page.getByTestId('secrets-identity-import').click();
    await expect.poll(() => error.isVisible()).toBe(true);
    expect(await error.textContent()).toContain('Paste the identity first: the line that starts with AGE-SECRET-KEY-1.');
    expect(await page.getByTestId('secrets-identity-input').getAttribute('aria-invalid')).toBe('true');
    expect(await outcomes(page, 'secrets-identity-import-result')).toEqual([]); // the host was not asked

    const garbled = identity.slice(0, 35) + (identity[35] === 'Q' ? 'P' : 'Q') + identity.slice(36);
    await page.getByTestId('secrets-identity-input').fill(garbled);
    expect(await error.isVisible()).toBe(false);
    const bad = await act(page, 'secrets-identity-import-result', () => page.getByTestId('secrets-identity-import').click());
    expect(bad.last.status).toBe('failed');
    expect(bad.last.text).toMatch(/^The identity is damaged: it does not decode \(a character is missing, extra or mistyped\); copy it from a machine that has it/);
    expect(bad.last.text).not.toContain(garbled.slice(16));
    expect(await page.getByTestId('secrets-identity-input').inputValue()).toBe(garbled); // kept, to fix

    await page.getByTestId('secrets-identity-input').fill(recipient);
    const pub = await act(page, 'secrets-identity-import-result', () => page.getByTestId('secrets-identity-import').click());
    expect(pub.last.status).toBe('failed');
    expect(pub.last.text).toMatch(/^That is a public key \(age1.*\), not the identity: give the private key/);
    await shootAt640('preferences-health-secrets-refused');

    expect(existsSync(identityDir())).toBe(false);
    expect(await daemonCall(d.configDir, 'secrets:identity-status')).toMatchObject({ exists: false });
    expect(await state().getAttribute('data-exists')).toBe('false');
  });

  it('the identity from another machine is accepted, and the section says where it is kept', async () => {
    const file = `# created: 2026-12-01T10:00:00Z\n# public key: ${recipient}\n${identity}\n`;
    await page.getByTestId('secrets-identity-input').fill(file);
    const ok = await act(page, 'secrets-identity-import-result', () => page.getByTestId('secrets-identity-import').click());
    expect(ok.last.status).toBe('done');
    expect(ok.last.text).toBe('Identity saved: this machine can now open your encrypted files.');
    await expect.poll(() => state().getAttribute('data-exists'), { timeout: HANG }).toBe('true');
    expect(await state().getAttribute('data-where')).toBe('file');
    expect(await state().textContent()).toContain('kept in a file in the config folder, not the keychain');
    expect(await page.getByTestId('secrets-identity-recipient').textContent()).toBe(recipient);
    const where = (await page.getByTestId('secrets-identity-where').textContent())!;
    expect(where).toContain(join(identityDir(), 'secrets-identity.txt'));
    expect(await page.getByTestId('secrets-identity-file-note').textContent()).toBe('Only you can read this file. The keychain was not used: turned off for this host.');
    expect(await page.getByTestId('secrets-identity-input').count()).toBe(0);
    expect(statSync(join(identityDir(), 'secrets-identity.txt')).mode & 0o777).toBe(0o600);
    expect(await daemonCall(d.configDir, 'secrets:identity-show')).toEqual({ identity, recipient });
    // The page never shows the key unless asked.
    expect(await page.locator('body').textContent()).not.toContain(identity);
  });

  it('Show identity warns first, and asks the host only after the confirm', async () => {
    await page.getByTestId('secrets-identity-show').click();
    const warning = page.getByTestId('secrets-identity-show-warning');
    await expect.poll(() => warning.isVisible()).toBe(true);
    expect(await warning.textContent()).toContain('This is a private key. Anyone who has it can read your encrypted files.');
    expect(await page.getByTestId('secrets-identity-value').count()).toBe(0);
    expect(await outcomes(page, 'secrets-identity-show-result')).toEqual([]);
    await shootAt640('preferences-health-secrets-warning');
    await page.getByTestId('secrets-identity-show-cancel').click();
    await expect.poll(() => warning.count()).toBe(0);
    expect(await outcomes(page, 'secrets-identity-show-result')).toEqual([]);

    await page.getByTestId('secrets-identity-show').click();
    const shown = await act(page, 'secrets-identity-show-result', () => page.getByTestId('secrets-identity-show-confirm').click());
    expect(shown.last.status).toBe('done');
    expect(await page.getByTestId('secrets-identity-value').inputValue()).toBe(identity);
    await page.getByTestId('secrets-identity-hide').click();
    await expect.poll(() => page.getByTestId('secrets-identity-value').count()).toBe(0);
    expect(await page.locator('body').textContent()).not.toContain(identity);
  });

  it('screenshots with the identity kept in a file', async () => {
    await shootSizes(browser, d, { name: 'preferences-health-secrets', path: 'preferences.html', hash: 'health', sizes: ['small', 'roomy'], ready: (p) => ready(p, true) });
  });
});

describe('"Encrypt this file instead" on a secret held back ("tokenbox")', () => {
  let t: DaemonHandle;
  afterAll(async () => {
    await t?.stop();
  });

  it('the finding offers it; one click stores the file encrypted and the finding goes away', async () => {
    const token = 'npm_' + 'Xy12Ab34Cd56Ef78Gh90Ij12Kl34Mn56Op78';
    t = await startDaemon({
      settings: { hostName: 'tokenbox', enabledProfiles: [], km: { enabled: false } },
      files: { '.npmrc': `//registry.npmjs.org/:_authToken=${token}\n` },
      env: { CONFSYNC_KEYCHAIN: 'off' },
    });
    await daemonCall(t.configDir, 'profiles:save', { profile: { name: 'npm', paths: ['~/.npmrc'] } });
    await daemonCall(t.configDir, 'profiles:set-enabled', { name: 'npm', enabled: true });
    await daemonCall(t.configDir, 'sync:now');
    const opened = await openUi(browser, t, { hash: 'health' });
    contexts.push(opened.ctx);
    const p = opened.page;
    const button = p.getByTestId('health-secret-encrypt');
    await waitFor(async () => (await button.count()) === 1, 'the finding with its button', HANG);
    expect(await button.getAttribute('aria-label')).toBe('Encrypt .npmrc instead');
    await shoot(p, 'preferences-health-encrypt-instead-roomy-light', { fullPage: false });
    await button.click();
    const result = p.getByTestId('health-secret-encrypt-result');
    await waitFor(async () => /is now encrypted in the repo \(\.npmrc\.age\)/.test((await result.textContent()) ?? ''), 'the result words', HANG);
    const { execFileSync } = await import('node:child_process');
    const tree = execFileSync('git', ['-C', join(t.configDir, 'repo'), 'ls-tree', '-r', '--name-only', 'HEAD'], { encoding: 'utf8' });
    expect(tree).toContain('npm/.npmrc.age');
    const log = execFileSync('git', ['-C', join(t.configDir, 'repo'), 'log', '-p', '--all', '--text'], { encoding: 'latin1' });
    expect(log).not.toContain(token);
    await waitFor(async () => (await p.getByTestId('health-secret-item').count()) === 0, 'the finding is gone', HANG);
  });
});
