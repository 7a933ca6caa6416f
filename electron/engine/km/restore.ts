/**
 * Putting a macro back into Keyboard Maestro, the way KM supports it: by importing a `.kmmacros` file.
 * ConfSync never writes the live library (`Keyboard Maestro Macros.plist`): KM owns that file and would
 * overwrite it, or worse, load a half-written one.
 *
 * The import goes through AppleScript: `tell application "Keyboard Maestro" to importMacros (POSIX file
 * … as alias)` (the editor's `importMacros` command). The path is passed as an argument to the script
 * (`on run argv`), never spliced into its text, so quotes, backslashes or newlines in a path cannot
 * break or inject into the script.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve, sep } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { KMMACROS_EXT } from './export.js';
import { safeName } from './filenames.js';
import { decodePlist, errText } from './plist-codec.js';
import { isPlistDict } from './types.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}
/** Runs a program (no shell). Resolves with its exit code; rejects only when it cannot be started. */
export type CommandRunner = (file: string, args: string[]) => Promise<CommandResult>;

export interface MacroImporter {
  import(path: string): Promise<void>;
}

/** A runner with its own environment (tests: PATH starting with recording fakes). */
export function commandRunner(o: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): CommandRunner {
  return (file, args) =>
    new Promise((resolvePromise, reject) => {
      execFile(file, args, { timeout: o.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024, ...(o.env ? { env: o.env } : {}) }, (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
          reject(err); // ENOENT and friends: the program could not run
          return;
        }
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolvePromise({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    });
}

export const execFileRunner: CommandRunner = commandRunner();

/** osascript invocation that asks the Keyboard Maestro editor to import a `.kmmacros` file. */
export function buildImportCommand(kmmacrosPath: string): { file: 'osascript'; args: string[] } {
  if (!isAbsolute(kmmacrosPath)) throw new Error(`the path to import must be absolute: ${kmmacrosPath}`);
  if (kmmacrosPath.includes('\0')) throw new Error('the path to import contains a NUL character');
  return {
    file: 'osascript',
    args: [
      '-e',
      'on run argv',
      '-e',
      'tell application "Keyboard Maestro" to importMacros (POSIX file (item 1 of argv) as alias)',
      '-e',
      'end run',
      kmmacrosPath,
    ],
  };
}

export class OsascriptImporter implements MacroImporter {
  constructor(private readonly run: CommandRunner = execFileRunner) {}

  async import(path: string): Promise<void> {
    const cmd = buildImportCommand(path);
    const r = await this.run(cmd.file, cmd.args);
    if (r.code !== 0) {
      throw new Error(`Keyboard Maestro did not import ${path}: ${(r.stderr || r.stdout).trim() || `osascript exited with ${r.code}`}`);
    }
  }
}

/** True when the Keyboard Maestro Engine runs (macOS only; false elsewhere or when pgrep fails). */
export async function isKmEngineRunning(run: CommandRunner = execFileRunner, platform: NodeJS.Platform = process.platform): Promise<boolean> {
  if (platform !== 'darwin') return false;
  try {
    const r = await run('pgrep', ['-x', 'Keyboard Maestro Engine']);
    return r.code === 0;
  } catch {
    return false;
  }
}

/** Keyboard Maestro's own folder; nothing is ever written inside it. */
export function kmSupportDir(home = homedir()): string {
  return join(home, 'Library', 'Application Support', 'Keyboard Maestro');
}

export interface RestoreOptions {
  /** Content of a `.kmmacros` file (e.g. from the repo's history or `macroFileContent`). */
  content: Buffer | string;
  /** Macro name, for the file name. */
  name: string;
  /** Macro UID, for the file name. */
  uid: string;
  /** Folder for files to import (e.g. ConfSync's own `km-import/`), created when missing. */
  importDir: string;
  importer?: MacroImporter;
  platform?: NodeJS.Platform;
  /** Override for tests; default `~/Library/Application Support/Keyboard Maestro`. */
  kmDir?: string;
}

export interface RestoreResult {
  path: string;
  /** True when Keyboard Maestro was asked to import it (macOS with an importer). */
  imported: boolean;
}

/**
 * Writes the macro's `.kmmacros` to `importDir` and, on macOS, asks Keyboard Maestro to import it.
 * Elsewhere it only writes the file (to be imported by hand on a Mac). Checks the content is a
 * `.kmmacros` (array of group dicts with `Macros`) before writing anything.
 */
export async function restoreMacroFile(opts: RestoreOptions): Promise<RestoreResult> {
  const buf = typeof opts.content === 'string' ? Buffer.from(opts.content, 'utf8') : opts.content;
  assertKmmacros(buf);
  const dir = resolve(opts.importDir);
  const kmDir = resolve(opts.kmDir ?? kmSupportDir());
  if (dir === kmDir || dir.startsWith(kmDir + sep)) {
    throw new Error(`refusing to write into Keyboard Maestro's own folder (${kmDir}); use a separate import folder`);
  }
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${safeName(opts.name, 100, 'Unnamed Macro')} (${safeName(opts.uid, 80, 'nouid')})${KMMACROS_EXT}`);
  await writeFileAtomic(path, buf);
  const platform = opts.platform ?? process.platform;
  if (platform !== 'darwin' || !opts.importer) return { path, imported: false };
  await opts.importer.import(path);
  return { path, imported: true };
}

function assertKmmacros(buf: Buffer): void {
  let value;
  try {
    value = decodePlist(buf).value;
  } catch (err) {
    throw new Error(`not a .kmmacros file: ${errText(err)}`, { cause: err });
  }
  const ok = Array.isArray(value) && value.length > 0 && value.every((g) => isPlistDict(g) && Array.isArray(g.Macros));
  if (!ok) throw new Error('not a .kmmacros file: expected an array of macro groups with Macros');
}
