/**
 * macOS preference domains through cfprefsd, with the tools macOS ships: `defaults` and `pgrep`.
 *
 * `~/Library/Preferences/<domain>.plist` belongs to cfprefsd, which caches it: a plist written behind
 * its back is ignored by the running app and later overwritten from the cache (Mackup's failure,
 * its issues #194 and #1924). So a domain is
 * - read with `defaults export DOMAIN -`: cfprefsd's current view, an XML plist on stdout;
 * - applied with `defaults import DOMAIN FILE`: FILE is an XML or binary plist (a 0600 file in a
 *   private temp folder, removed afterwards), written through cfprefsd in one step;
 * - and its app is looked for with `pgrep -x NAME` (exit 0: running, 1: not running, else an error).
 *   macOS's pgrep matches NAME as an extended regular expression against the basename of the
 *   process's argv[0] (falling back to its 15-byte `comm`), so NAME is escaped here.
 *
 * Every program is started without a shell (spawn, argument vector), found through PATH, so tests put
 * recording fake `defaults` and `pgrep` executables first on PATH.
 *
 * A missing domain: `defaults export` of a domain cfprefsd does not know ends with a non-zero exit and
 * "Domain … does not exist" on stderr (Apple's wording for `read`; the open-source re-implementation
 * prints "The domain … does not exist" for `export`). Either wording is "absent" (null); any other
 * failure is an error in the tool's own words. (An empty domain that exports `<dict/>` with exit 0 is
 * told apart from a missing one by the caller, which knows the file: see features/prefs.ts.)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { decodePlist, errText } from '../km/plist-codec.js';
import { isPlistDict, type PlistDict } from '../km/types.js';

export interface RunResult {
  /** Exit code; -1 when the program was killed by a signal. */
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs a program (no shell) and resolves with its exit code; rejects only when it cannot run at all. */
export type Runner = (file: string, args: readonly string[], opts?: { stdin?: Buffer }) => Promise<RunResult>;

export interface SpawnRunnerOptions {
  /** Environment (PATH decides which `defaults`/`pgrep` run). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Kill the program after this long. Default 60 s. */
  timeoutMs?: number;
  /** Refuse more output than this (a domain is a few MB at most). Default 64 MB. */
  maxBytes?: number;
}

/** A Runner over child_process.spawn, binary-safe on stdout. */
export function spawnRunner(o: SpawnRunnerOptions = {}): Runner {
  const timeoutMs = o.timeoutMs ?? 60_000;
  const maxBytes = o.maxBytes ?? 64 * 1024 * 1024;
  return (file, args, opts = {}) =>
    new Promise((resolvePromise, reject) => {
      let child;
      try {
        child = spawn(file, [...args], { env: o.env ?? process.env, stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
      } catch (e) {
        reject(new Error(`could not run ${file}: ${errText(e)}`));
        return;
      }
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      let failure: Error | null = null;
      const timer = setTimeout(() => {
        failure = new Error(`${[file, ...args.slice(0, 1)].join(' ')} did not finish within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}`);
        child.kill('SIGKILL');
      }, timeoutMs);
      timer.unref?.();
      child.stdout!.on('data', (d: Buffer) => {
        size += d.length;
        if (size > maxBytes) {
          failure ??= new Error(`${file} printed more than ${maxBytes} bytes`);
          child.kill('SIGKILL');
          return;
        }
        out.push(d);
      });
      child.stderr!.on('data', (d: Buffer) => {
        if (err.reduce((n, b) => n + b.length, 0) < 64 * 1024) err.push(d);
      });
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new Error(e.code === 'ENOENT' ? `${file} was not found on PATH (it is part of macOS)` : `could not run ${file}: ${e.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (failure) {
          reject(failure);
          return;
        }
        const stderr = Buffer.concat(err).toString('utf8');
        resolvePromise({ code: code ?? -1, stdout: Buffer.concat(out), stderr: signal ? `${stderr}${stderr ? '\n' : ''}killed by ${signal}` : stderr });
      });
      if (opts.stdin) child.stdin!.end(opts.stdin);
    });
}

/**
 * A preference domain name as ConfSync handles it: reverse-DNS-ish (`com.knollsoft.Rectangle`,
 * `org.p0deje.Maccy`, `loginwindow`): letters, digits, `.`, `_`, `-`, starting with a letter or digit
 * (so it can never be read as an option such as `-g` or a path such as `/…`), no `..`, at most 255.
 */
const DOMAIN_RE = /^[A-Za-z0-9](?:[A-Za-z0-9_-]|\.(?!\.))*$/;

export function isDomainName(domain: string): boolean {
  return domain.length <= 255 && DOMAIN_RE.test(domain) && !domain.endsWith('.');
}

/**
 * The domain a live path stands for, or null: only `<home>/Library/Preferences/<domain>.plist`
 * directly (not ByHost/, not app containers, not a subfolder), with a well-formed domain name.
 */
export function domainForLivePath(home: string, livePath: string): string | null {
  const prefs = resolve(home, 'Library', 'Preferences');
  const p = resolve(livePath);
  if (dirname(p) !== prefs) return null;
  const name = basename(p);
  if (!name.endsWith('.plist')) return null;
  const domain = name.slice(0, -'.plist'.length);
  return isDomainName(domain) ? domain : null;
}

/** An app name escaped for `pgrep -x` (an extended regular expression matched against the whole name). */
export function pgrepPattern(app: string): string {
  return app.replace(/[.[\]()*+?{}|^$\\]/g, '\\$&');
}

function assertDomain(domain: string): void {
  if (!isDomainName(domain)) throw new Error(`not a preference domain name: ${JSON.stringify(domain)} (expected letters, digits, '.', '_' or '-', like com.example.App)`);
}

function assertApp(app: string): void {
  if (!app || app.length > 255 || /[\u0000-\u001f\u007f]/.test(app)) throw new Error(`not an app name: ${JSON.stringify(app)}`);
}

/** The tool's own words for a failure, on one line (NSLog's timestamp prefix included as printed). */
export function toolWords(r: RunResult): string {
  const text = (r.stderr.trim() || r.stdout.toString('utf8').trim() || `exit status ${r.code}`).replace(/\s+/g, ' ');
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}

/** Decodes a plist that must be a dictionary (what `defaults import` accepts); throws with the reason. */
export function decodeDomainPlist(bytes: Buffer): PlistDict {
  let value;
  try {
    value = decodePlist(bytes).value;
  } catch (e) {
    throw new Error(`not a property list (${errText(e).split('\n')[0]})`, { cause: e });
  }
  if (!isPlistDict(value)) throw new Error('the property list is not a dictionary');
  return value;
}

/** What `defaults` says about a domain it does not know (export/read: "does not exist"; delete: "not found"). */
const EXPORT_MISSING = /does not exist/i;
const DELETE_MISSING = /does not exist|not found/i;

export interface PrefsPortOptions {
  run?: Runner;
  /** Where the private temp folders for `defaults import` are made. Default: os.tmpdir(). */
  tmpDir?: string;
}

/** `defaults` and `pgrep`, as ConfSync uses them. Nothing here decides; features/prefs.ts does. */
export class PrefsPort {
  private readonly run: Runner;

  constructor(private readonly o: PrefsPortOptions = {}) {
    this.run = o.run ?? spawnRunner();
  }

  /** cfprefsd's view of the domain as an XML plist (`defaults export DOMAIN -`), or null when it does not exist. */
  async exportDomain(domain: string): Promise<Buffer | null> {
    assertDomain(domain);
    const r = await this.run('defaults', ['export', domain, '-']);
    if (r.code !== 0) {
      if (EXPORT_MISSING.test(r.stderr)) return null;
      throw new Error(`defaults export ${domain} failed: ${toolWords(r)}`);
    }
    try {
      decodeDomainPlist(r.stdout);
    } catch (e) {
      throw new Error(`defaults export ${domain} printed something ConfSync cannot use: ${(e as Error).message}`, { cause: e });
    }
    return r.stdout;
  }

  /**
   * Applies `bytes` (an XML or binary plist dictionary) to the domain in one step: `defaults import
   * DOMAIN FILE` with FILE a 0600 file in a private (0700) temp folder, removed afterwards. Throws with
   * defaults' own words when it refuses; content that is not a plist dictionary is refused before
   * anything runs.
   */
  async importDomain(domain: string, bytes: Buffer): Promise<void> {
    assertDomain(domain);
    try {
      decodeDomainPlist(bytes);
    } catch (e) {
      throw new Error(`not applied to ${domain}: ${(e as Error).message}`, { cause: e });
    }
    const dir = await mkdtemp(join(this.o.tmpDir ?? tmpdir(), 'confsync-prefs-'));
    try {
      const file = join(dir, `${domain}.plist`);
      await writeFile(file, bytes, { mode: 0o600, flag: 'wx' });
      const r = await this.run('defaults', ['import', domain, file]);
      if (r.code !== 0) throw new Error(`defaults import ${domain} failed: ${toolWords(r)}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Removes the whole domain (`defaults delete DOMAIN`); a domain that does not exist is not an error. */
  async deleteDomain(domain: string): Promise<void> {
    assertDomain(domain);
    const r = await this.run('defaults', ['delete', domain]);
    if (r.code !== 0 && !DELETE_MISSING.test(r.stderr)) throw new Error(`defaults delete ${domain} failed: ${toolWords(r)}`);
  }

  /** Whether a process named exactly `app` runs (`pgrep -x APP`): 0 yes, 1 no, anything else an error. */
  async appRunning(app: string): Promise<boolean> {
    assertApp(app);
    const r = await this.run('pgrep', ['-x', pgrepPattern(app)]);
    if (r.code === 0) return true;
    if (r.code === 1) return false;
    throw new Error(`pgrep could not tell whether ${app} is running: ${toolWords(r)}`);
  }
}
