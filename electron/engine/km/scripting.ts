/**
 * The Keyboard Maestro scripting port: a thin runner of the exact commands ConfSync sends to Keyboard
 * Maestro, with an injectable `run` so tests put recording fake `osascript`, `keyboardmaestro` and
 * `pgrep` executables on PATH. Every macro or group is named by its UID, passed as an argument to the
 * script (`on run argv`), never spliced into the script's text.
 *
 * What this relies on (Keyboard Maestro's own documentation, looked up with the search tool):
 * - The editor ("Keyboard Maestro") is fully OSA scriptable since 8.0: `macro` and `macro group`
 *   elements with their `id` (the UID), `name`, `enabled` and `xml`, `delete`, `move`
 *   (wiki.keyboardmaestro.com/Scripting_the_Keyboard_Maestro_editor).
 * - `setMacroEnable "<macro or group name or UID>" with enable | without enable` "asks the editor to
 *   disable or enable the macro or macro group, so the change is both visible and permanent"
 *   (keyboardmaestro.com/documentation/4/scripting.html; the command is still in the 11 dictionary).
 * - `importMacros` takes a `.kmmacros` file (the File ▸ Import Macros command; km/restore.ts).
 * - A macro imported while one with its UID is in the library does not replace it (the forum's
 *   "Avoiding upgrade issues with submacros and subroutines": delete the old version, then install the
 *   new one, or callers keep pointing at the old one): a changed macro is deleted by UID first.
 * - `editMacro "<name or UID>"` opens a macro in the editor (documentation/4/scripting.html).
 * - Keyboard Maestro 11's `keyboardmaestro` command-line tool, inside
 *   `Keyboard Maestro.app/Contents/MacOS/`, triggers a macro or, with `--edit`, opens it in the editor,
 *   by name or UUID; `--version` prints its version. It cannot import or delete macros
 *   (wiki.keyboardmaestro.com/trigger/keyboardmaestro), so it is used only to show a macro.
 * - Without the person's automation permission osascript answers
 *   `execution error: Not authorized to send Apple events to Keyboard Maestro. (-1743)`.
 * - `pgrep -x "Keyboard Maestro Engine"` says whether the Engine runs (km/restore.ts).
 */
import { buildImportCommand, execFileRunner, isKmEngineRunning, type CommandRunner } from './restore.js';

export const KM_EDITOR = 'Keyboard Maestro';
/** Where Keyboard Maestro 11 puts its command-line tool (when it is not on PATH). */
export const KM_CLI_IN_APP = '/Applications/Keyboard Maestro.app/Contents/MacOS/keyboardmaestro';

export type KmScriptingProblem = 'not-authorized' | 'unavailable' | 'failed';

/** Keyboard Maestro refused, or could not be asked. `reason` and `fix` are words for people. */
export class KmScriptingError extends Error {
  constructor(
    readonly kind: KmScriptingProblem,
    /** What went wrong, in words ("ConfSync is not allowed to control Keyboard Maestro …"). */
    readonly reason: string,
    /** What the person can do about it, or null. */
    readonly fix: string | null,
    /** The tool's own words (first line of its error output). */
    readonly detail: string,
  ) {
    super(reason);
    this.name = 'KmScriptingError';
  }

  /** True when Keyboard Maestro cannot be scripted at all here (not a failure of one command). */
  get refused(): boolean {
    return this.kind !== 'failed';
  }
}

/** `osascript` arguments for a script of `lines` run with `args` as its argv. */
export function osascriptArgs(lines: string[], args: string[] = []): string[] {
  for (const a of args) if (a.includes('\0')) throw new Error('a script argument contains a NUL character');
  return [...lines.flatMap((l) => ['-e', l]), ...args];
}

/** The scripts, line by line. Each names its objects through argv only. */
export const SCRIPTS = {
  probe: [`tell application "${KM_EDITOR}" to get version`],
  deleteMacros: ['on run argv', `tell application "${KM_EDITOR}"`, 'repeat with u in argv', 'if exists macro id (contents of u) then delete macro id (contents of u)', 'end repeat', 'end tell', 'end run'],
  enableMacros: ['on run argv', `tell application "${KM_EDITOR}"`, 'repeat with u in argv', 'setMacroEnable (contents of u) with enable', 'end repeat', 'end tell', 'end run'],
  disableMacros: ['on run argv', `tell application "${KM_EDITOR}"`, 'repeat with u in argv', 'setMacroEnable (contents of u) without enable', 'end repeat', 'end tell', 'end run'],
  deleteGroups: ['on run argv', `tell application "${KM_EDITOR}"`, 'repeat with u in argv', 'if exists macro group id (contents of u) then delete macro group id (contents of u)', 'end repeat', 'end tell', 'end run'],
  renameGroup: ['on run argv', `tell application "${KM_EDITOR}" to set name of macro group id (item 1 of argv) to (item 2 of argv)`, 'end run'],
  editMacro: ['on run argv', `tell application "${KM_EDITOR}" to editMacro (item 1 of argv)`, 'end run'],
} as const;

const AUTOMATION_FIX = (app: string) => `Open System Settings → Privacy & Security → Automation, and allow ConfSync to control ${app}.`;

/** Turns a tool's failure into words: refusals (permission, no osascript) apart from failures. */
export function classifyFailure(tool: string, code: number | null, stderr: string, startError?: NodeJS.ErrnoException): KmScriptingError {
  if (startError) {
    if (startError.code === 'ENOENT') {
      return new KmScriptingError(
        'unavailable',
        `Keyboard Maestro cannot be scripted on this machine: ${tool} was not found (it is part of macOS)`,
        null,
        startError.message,
      );
    }
    return new KmScriptingError('unavailable', `Keyboard Maestro cannot be scripted on this machine: ${tool} could not be started (${startError.code ?? startError.message})`, null, startError.message);
  }
  const detail = firstLine(stderr) || `${tool} exited with ${code}`;
  const denied = /Not authori[sz]ed to send Apple events to (.+?)\.?\s*\(-1743\)/i.exec(stderr) ?? (/-1743\b/.test(stderr) ? ['', KM_EDITOR] : null);
  if (denied) {
    const app = denied[1].trim() || KM_EDITOR;
    return new KmScriptingError('not-authorized', `ConfSync is not allowed to control ${app} (macOS automation permission not granted)`, AUTOMATION_FIX(app), detail);
  }
  if (/\(-1744\)/.test(stderr)) {
    return new KmScriptingError('not-authorized', `macOS asked whether ConfSync may control ${KM_EDITOR} and the answer is still pending`, AUTOMATION_FIX(KM_EDITOR), detail);
  }
  if (/\(-600\)|\(-10810\)|\(-10814\)|Can.t get application|isn.t running/i.test(stderr)) {
    return new KmScriptingError('unavailable', `the ${KM_EDITOR} editor could not be reached (${detail})`, 'Check that Keyboard Maestro is installed in Applications.', detail);
  }
  return new KmScriptingError('failed', `${KM_EDITOR} refused a change: ${detail}`, null, detail);
}

function firstLine(s: string): string {
  return (
    s
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? ''
  );
}

export interface KmScriptingOptions {
  run?: CommandRunner;
  /** Where to look for the `keyboardmaestro` tool after PATH. */
  cliPaths?: string[];
}

/** Every command ConfSync sends to Keyboard Maestro. Methods throw `KmScriptingError` on failure. */
export class KmScripting {
  readonly run: CommandRunner;
  private readonly cliPaths: string[];

  constructor(o: KmScriptingOptions = {}) {
    this.run = o.run ?? execFileRunner;
    this.cliPaths = o.cliPaths ?? ['keyboardmaestro', KM_CLI_IN_APP];
  }

  private osascript(lines: readonly string[], args: string[] = []): Promise<string> {
    return this.runOsascript(osascriptArgs([...lines], args));
  }

  private async runOsascript(argv: string[]): Promise<string> {
    let r;
    try {
      r = await this.run('osascript', argv);
    } catch (e) {
      throw classifyFailure('osascript', null, '', e as NodeJS.ErrnoException);
    }
    if (r.code !== 0) throw classifyFailure('osascript', r.code, r.stderr || r.stdout);
    return r.stdout.trim();
  }

  /** The Engine runs (pgrep; false when pgrep is missing or finds nothing). */
  engineRunning(): Promise<boolean> {
    return isKmEngineRunning(this.run, 'darwin');
  }

  /**
   * Asks the editor a harmless question (its version), so a refusal shows before anything changes.
   * Resolves with the version.
   */
  probe(): Promise<string> {
    return this.osascript(SCRIPTS.probe);
  }

  /** `importMacros` of one `.kmmacros` file (absolute path). */
  async importMacros(path: string): Promise<void> {
    await this.runOsascript(buildImportCommand(path).args);
  }

  /** Deletes the macros with these UIDs (those that exist), in one script. */
  async deleteMacros(uids: string[]): Promise<void> {
    if (uids.length) await this.osascript(SCRIPTS.deleteMacros, uids);
  }

  /** `setMacroEnable` for macros or groups, by UID, in one script per direction. */
  async setEnabled(uids: string[], enabled: boolean): Promise<void> {
    if (uids.length) await this.osascript(enabled ? SCRIPTS.enableMacros : SCRIPTS.disableMacros, uids);
  }

  async deleteGroups(uids: string[]): Promise<void> {
    if (uids.length) await this.osascript(SCRIPTS.deleteGroups, uids);
  }

  async renameGroup(uid: string, name: string): Promise<void> {
    await this.osascript(SCRIPTS.renameGroup, [uid, name]);
  }

  /**
   * Opens a macro in the editor: `keyboardmaestro --edit UID` where Keyboard Maestro 11's tool exists,
   * else the editor's `editMacro`. Returns which one did it.
   */
  async showMacro(uid: string): Promise<'keyboardmaestro' | 'osascript'> {
    for (const cli of this.cliPaths) {
      let r;
      try {
        r = await this.run(cli, ['--edit', uid]);
      } catch {
        continue; // not installed here: the next place, then the editor's own command
      }
      if (r.code !== 0) throw classifyFailure('keyboardmaestro', r.code, r.stderr || r.stdout);
      return 'keyboardmaestro';
    }
    await this.osascript(SCRIPTS.editMacro, [uid]);
    return 'osascript';
  }
}
