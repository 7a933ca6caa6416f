import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  OsascriptImporter,
  buildImportCommand,
  buildMacroFile,
  isKmEngineRunning,
  kmSupportDir,
  restoreMacroFile,
  type CommandRunner,
  type MacroImporter,
  type PlistDict,
} from '../../../electron/engine/km/index.js';
import { makeGroup, makeMacro, rng } from '../../helpers/km-library.js';

function recordingRunner(result = { code: 0, stdout: '', stderr: '' }) {
  const calls: { file: string; args: string[] }[] = [];
  const run: CommandRunner = async (file, args) => {
    calls.push({ file, args });
    return result;
  };
  return { run, calls };
}

describe('buildImportCommand', () => {
  it('asks the Keyboard Maestro editor to importMacros, passing the path as an argument', () => {
    const path = '/Users/me/Confsync Import/Say "hi" \\ it\'s (X).kmmacros';
    const cmd = buildImportCommand(path);
    expect(cmd.file).toBe('osascript');
    expect(cmd.args).toEqual([
      '-e',
      'on run argv',
      '-e',
      'tell application "Keyboard Maestro" to importMacros (POSIX file (item 1 of argv) as alias)',
      '-e',
      'end run',
      path,
    ]);
    // the path never appears inside the script text
    expect(cmd.args.filter((a) => a.includes('Say'))).toEqual([path]);
  });

  it('refuses relative paths and NUL', () => {
    expect(() => buildImportCommand('relative.kmmacros')).toThrow(/absolute/);
    expect(() => buildImportCommand('/a\0b')).toThrow(/NUL/);
  });
});

describe('OsascriptImporter', () => {
  it('runs osascript and reports failures with its stderr', async () => {
    const ok = recordingRunner();
    await new OsascriptImporter(ok.run).import('/tmp/x.kmmacros');
    expect(ok.calls[0].file).toBe('osascript');
    expect(ok.calls[0].args.at(-1)).toBe('/tmp/x.kmmacros');
    const bad = recordingRunner({ code: 1, stdout: '', stderr: 'execution error: Keyboard Maestro got an error (-1728)' });
    await expect(new OsascriptImporter(bad.run).import('/tmp/x.kmmacros')).rejects.toThrow(/did not import.*-1728/);
  });
});

describe('isKmEngineRunning', () => {
  it('uses pgrep on macOS only', async () => {
    const yes = recordingRunner({ code: 0, stdout: '123\n', stderr: '' });
    expect(await isKmEngineRunning(yes.run, 'darwin')).toBe(true);
    expect(yes.calls).toEqual([{ file: 'pgrep', args: ['-x', 'Keyboard Maestro Engine'] }]);
    expect(await isKmEngineRunning(recordingRunner({ code: 1, stdout: '', stderr: '' }).run, 'darwin')).toBe(false);
    const linux = recordingRunner();
    expect(await isKmEngineRunning(linux.run, 'linux')).toBe(false);
    expect(linux.calls).toEqual([]);
    const throwing: CommandRunner = async () => {
      throw new Error('ENOENT');
    };
    expect(await isKmEngineRunning(throwing, 'darwin')).toBe(false);
  });
});

describe('restoreMacroFile', () => {
  const rand = rng(1);
  const macro = makeMacro(rand, 'Restore / me');
  const content = buildMacroFile(makeGroup(rand, 'G') as PlistDict, macro as PlistDict);

  function importer() {
    const paths: string[] = [];
    const imp: MacroImporter = {
      async import(p) {
        paths.push(p);
      },
    };
    return { imp, paths };
  }

  it('writes the file to the import folder and imports it on macOS', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'km-restore-')), 'import');
    const { imp, paths } = importer();
    const r = await restoreMacroFile({ content, name: 'Restore / me', uid: macro.UID as string, importDir: dir, importer: imp, platform: 'darwin' });
    expect(r.imported).toBe(true);
    expect(r.path).toBe(join(dir, `Restore _ me (${macro.UID}).kmmacros`));
    expect(readFileSync(r.path)).toEqual(content);
    expect(paths).toEqual([r.path]);
  });

  it('only writes the file elsewhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'km-restore-'));
    const { imp, paths } = importer();
    const r = await restoreMacroFile({ content, name: 'x', uid: 'U', importDir: dir, importer: imp, platform: 'linux' });
    expect(r.imported).toBe(false);
    expect(paths).toEqual([]);
    expect(readFileSync(r.path)).toEqual(content);
  });

  it('never writes into Keyboard Maestro’s own folder', async () => {
    const home = mkdtempSync(join(tmpdir(), 'km-home-'));
    const kmDir = kmSupportDir(home);
    for (const importDir of [kmDir, join(kmDir, 'sub')]) {
      await expect(restoreMacroFile({ content, name: 'x', uid: 'U', importDir, kmDir, platform: 'darwin' })).rejects.toThrow(/refusing/);
    }
  });

  it('rejects content that is not a .kmmacros', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'km-restore-'));
    await expect(restoreMacroFile({ content: 'hello', name: 'x', uid: 'U', importDir: dir })).rejects.toThrow(/not a \.kmmacros/);
    await expect(restoreMacroFile({ content: '<?xml version="1.0"?><plist><dict/></plist>', name: 'x', uid: 'U', importDir: dir })).rejects.toThrow(
      /array of macro groups/,
    );
  });
});
