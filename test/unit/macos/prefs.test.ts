/**
 * The `defaults`/`pgrep` port (electron/engine/macos/prefs.ts) against recording fake executables on
 * PATH (test/helpers/macos-fakes.ts): the exact command lines, what each answer means, and that a
 * failure is an error in the tool's own words with nothing changed.
 */
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import plist from 'plist';
import { PrefsPort, domainForLivePath, pgrepPattern, spawnRunner } from '../../../electron/engine/macos/prefs.js';
import { decodePlist } from '../../../electron/engine/km/plist-codec.js';
import { macosFakes } from '../../helpers/macos-fakes.js';
import { tmp } from '../../helpers/machine.js';

const FIXTURE = readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'macos', 'com.knollsoft.Rectangle.plist'));
const DOMAIN = 'com.knollsoft.Rectangle';

function setup() {
  const fakes = macosFakes();
  const tmpDir = tmp('cs-prefs-tmp-');
  return { fakes, tmpDir, port: new PrefsPort({ run: fakes.run, tmpDir }) };
}

describe('preference domain from a live path', () => {
  const home = '/Users/ada';
  it('takes only ~/Library/Preferences/<domain>.plist directly', () => {
    expect(domainForLivePath(home, '/Users/ada/Library/Preferences/com.knollsoft.Rectangle.plist')).toBe(DOMAIN);
    expect(domainForLivePath(home, '/Users/ada/Library/Preferences/loginwindow.plist')).toBe('loginwindow');
    expect(domainForLivePath(home, '/Users/ada/Library/Preferences/com.lwouis.alt-tab-macos.plist')).toBe('com.lwouis.alt-tab-macos');
    for (const p of [
      '/Users/ada/Library/Preferences/ByHost/com.apple.screensaver.0123-4567.plist',
      '/Users/ada/Library/Containers/com.apple.Safari/Data/Library/Preferences/com.apple.Safari.plist',
      '/Users/ada/Library/Preferences/org.videolan.vlc/vlcrc',
      '/Users/ada/Library/Preferences/com.knollsoft.Rectangle.plist.bak',
      '/Users/bob/Library/Preferences/com.knollsoft.Rectangle.plist',
      '/Library/Preferences/com.apple.loginwindow.plist',
    ]) {
      expect(domainForLivePath(home, p), p).toBeNull();
    }
  });

  it('refuses names that are not reverse-DNS-ish (a weird name is not handled by the port)', () => {
    for (const name of ['.GlobalPreferences', '-g', 'Keyboard Maestro', 'com..double', 'trailing.', 'a$b', 'com.x;rm -rf', '']) {
      expect(domainForLivePath(home, `/Users/ada/Library/Preferences/${name}.plist`), name).toBeNull();
    }
  });
});

describe('defaults export', () => {
  it('runs `defaults export DOMAIN -` and returns cfprefsd’s XML view of an existing domain', async () => {
    const { fakes, port } = setup();
    fakes.store(DOMAIN, FIXTURE);
    const out = await port.exportDomain(DOMAIN);
    expect(fakes.argv()).toEqual([['defaults', 'export', DOMAIN, '-']]);
    expect(out!.toString('utf8')).toMatch(/^<\?xml/);
    expect(decodePlist(out!).value).toEqual(decodePlist(FIXTURE).value);
  });

  it('a missing domain ("Domain … does not exist", exit 1) is null', async () => {
    const { fakes, port } = setup();
    expect(await port.exportDomain('com.example.Missing')).toBeNull();
    expect(fakes.argv()).toEqual([['defaults', 'export', 'com.example.Missing', '-']]);
  });

  it('any other failure is an error in defaults’ own words', async () => {
    const { fakes, port } = setup();
    fakes.store(DOMAIN, FIXTURE);
    fakes.fail('export', 'Could not export domain com.knollsoft.Rectangle to - due to Error Domain=NSCocoaErrorDomain Code=513\n');
    await expect(port.exportDomain(DOMAIN)).rejects.toThrow(/^defaults export com\.knollsoft\.Rectangle failed: Could not export domain com\.knollsoft\.Rectangle to - due to Error Domain=NSCocoaErrorDomain Code=513$/);
  });

  it('output that is not a plist dictionary is an error, not content', async () => {
    const run = async () => ({ code: 0, stdout: Buffer.from('hello'), stderr: '' });
    await expect(new PrefsPort({ run }).exportDomain(DOMAIN)).rejects.toThrow(/printed something ConfSync cannot use: not a property list/);
    const arr = async () => ({ code: 0, stdout: Buffer.from(plist.build(['a'])), stderr: '' });
    await expect(new PrefsPort({ run: arr }).exportDomain(DOMAIN)).rejects.toThrow(/not a dictionary/);
  });

  it('a weird domain name never reaches defaults', async () => {
    const { fakes, port } = setup();
    await expect(port.exportDomain('-g')).rejects.toThrow(/not a preference domain name: "-g"/);
    await expect(port.exportDomain('/etc/passwd')).rejects.toThrow(/not a preference domain name/);
    expect(fakes.calls()).toEqual([]);
  });
});

describe('defaults import', () => {
  it('writes exactly the bytes to a 0600 file in a private folder, runs `defaults import DOMAIN FILE`, removes it', async () => {
    const { fakes, port, tmpDir } = setup();
    await port.importDomain(DOMAIN, FIXTURE);
    const calls = fakes.calls();
    expect(calls).toHaveLength(1);
    const [sub, domain, file] = calls[0].argv;
    expect([calls[0].tool, sub, domain]).toEqual(['defaults', 'import', DOMAIN]);
    expect(file.startsWith(join(tmpDir, 'confsync-prefs-'))).toBe(true);
    expect(file.endsWith(`/${DOMAIN}.plist`)).toBe(true);
    expect(Buffer.from(calls[0].file!.bytes, 'base64').equals(FIXTURE)).toBe(true);
    expect(calls[0].file!.mode).toBe(0o600);
    expect(calls[0].file!.dirMode).toBe(0o700);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(tmpDir)).toEqual([]);
    expect(fakes.stored(DOMAIN)!.equals(FIXTURE)).toBe(true);
  });

  it('takes XML as well as binary', async () => {
    const { fakes, port } = setup();
    const xml = Buffer.from(plist.build({ gapSize: 4, launchOnLogin: false }));
    await port.importDomain(DOMAIN, xml);
    expect(fakes.stored(DOMAIN)!.equals(xml)).toBe(true);
  });

  it('a refusal is an error with defaults’ words; the domain is unchanged and the temp file gone', async () => {
    const { fakes, port, tmpDir } = setup();
    fakes.store(DOMAIN, FIXTURE);
    fakes.fail('import', 'Could not write domain com.knollsoft.Rectangle; exiting\n');
    const other = Buffer.from(plist.build({ gapSize: 20 }));
    await expect(port.importDomain(DOMAIN, other)).rejects.toThrow('defaults import com.knollsoft.Rectangle failed: Could not write domain com.knollsoft.Rectangle; exiting');
    expect(fakes.stored(DOMAIN)!.equals(FIXTURE)).toBe(true);
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('content that is not a plist dictionary is refused before anything runs', async () => {
    const { fakes, port, tmpDir } = setup();
    await expect(port.importDomain(DOMAIN, Buffer.from('not a plist'))).rejects.toThrow(/^not applied to com\.knollsoft\.Rectangle: not a property list/);
    await expect(port.importDomain(DOMAIN, Buffer.from(plist.build(['a', 'b'])))).rejects.toThrow(/not a dictionary/);
    await expect(port.importDomain(DOMAIN, Buffer.alloc(0))).rejects.toThrow(/not applied/);
    expect(fakes.calls()).toEqual([]);
    expect(readdirSync(tmpDir)).toEqual([]);
  });
});

describe('defaults delete', () => {
  it('runs `defaults delete DOMAIN`; a missing domain is not an error, another failure is', async () => {
    const { fakes, port } = setup();
    fakes.store(DOMAIN, FIXTURE);
    await port.deleteDomain(DOMAIN);
    expect(fakes.stored(DOMAIN)).toBeNull();
    await port.deleteDomain(DOMAIN);
    expect(fakes.argv()).toEqual([
      ['defaults', 'delete', DOMAIN],
      ['defaults', 'delete', DOMAIN],
    ]);
    fakes.fail('delete', 'Failed to write domain com.knollsoft.Rectangle\n');
    await expect(port.deleteDomain(DOMAIN)).rejects.toThrow('defaults delete com.knollsoft.Rectangle failed: Failed to write domain com.knollsoft.Rectangle');
  });
});

describe('pgrep', () => {
  it('`pgrep -x APP`: exit 0 running, exit 1 not running', async () => {
    const { fakes, port } = setup();
    expect(await port.appRunning('Rectangle')).toBe(false);
    fakes.setRunning('Rectangle', true);
    expect(await port.appRunning('Rectangle')).toBe(true);
    // -x: a longer name that contains it is another app.
    fakes.setRunning('Rectangle', false);
    fakes.setRunning('Rectangle Pro', true);
    expect(await port.appRunning('Rectangle')).toBe(false);
    expect(fakes.argv()).toEqual([
      ['pgrep', '-x', 'Rectangle'],
      ['pgrep', '-x', 'Rectangle'],
      ['pgrep', '-x', 'Rectangle'],
    ]);
  });

  it('escapes the name (pgrep matches an extended regular expression)', async () => {
    const { fakes, port } = setup();
    expect(pgrepPattern('C++ Helper (beta).app')).toBe('C\\+\\+ Helper \\(beta\\)\\.app');
    fakes.setRunning('C++ Helper', true);
    expect(await port.appRunning('C++ Helper')).toBe(true);
    fakes.setRunning('iTerm2', true);
    expect(await port.appRunning('iTerm.')).toBe(false); // '.' is literal, not "any character"
    expect(fakes.argv()).toEqual([
      ['pgrep', '-x', 'C\\+\\+ Helper'],
      ['pgrep', '-x', 'iTerm\\.'],
    ]);
  });

  it('any other exit is an error with pgrep’s words; a bad name never runs it', async () => {
    const { fakes, port } = setup();
    fakes.fail('pgrep', 'pgrep: Cannot get process list\n');
    await expect(port.appRunning('Rectangle')).rejects.toThrow('pgrep could not tell whether Rectangle is running: pgrep: Cannot get process list');
    fakes.clearCalls();
    await expect(port.appRunning('')).rejects.toThrow(/not an app name/);
    await expect(port.appRunning('Rect\nangle')).rejects.toThrow(/not an app name/);
    expect(fakes.calls()).toEqual([]);
  });
});

describe('the spawn runner', () => {
  it('a tool missing from PATH is a clear error', async () => {
    const run = spawnRunner({ env: { PATH: tmp('cs-empty-path-') } });
    await expect(new PrefsPort({ run }).exportDomain(DOMAIN)).rejects.toThrow('defaults was not found on PATH (it is part of macOS)');
    await expect(new PrefsPort({ run }).appRunning('Rectangle')).rejects.toThrow('pgrep was not found on PATH');
  });

  it('passes stdin and keeps stdout binary-safe', async () => {
    const run = spawnRunner();
    const r = await run(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)'], { stdin: FIXTURE });
    expect(r.code).toBe(0);
    expect(r.stdout.equals(FIXTURE)).toBe(true);
  });

  it('kills a tool that does not finish', async () => {
    const run = spawnRunner({ timeoutMs: 200 });
    await expect(run(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'])).rejects.toThrow(/did not finish within 200 ms/);
  });
});
