/**
 * The one entry to git for a repo: a simple-git instance limited to one process at a time, git never
 * prompting (GIT_TERMINAL_PROMPT=0, so a missing credential is an auth failure, not a hang), and
 * read-only queries run with GIT_OPTIONAL_LOCKS=0 so they never take index.lock.
 */
import { execFile } from 'node:child_process';
import { simpleGit, type SimpleGit } from 'simple-git';
import type { SyncResultKind } from '../../../shared/state.js';

export interface GitRunnerOptions {
  dir: string;
  /** Kill a network command that stays silent this long; a function is read at each command (settings). */
  timeoutMs?: number | (() => number);
}

const ENV_ALLOW =
  /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LC_[A-Z]+|TZ|TMPDIR|TEMP|TMP|SSH_AUTH_SOCK|SSH_AGENT_PID|XDG_[A-Z_]+|APPDATA|LOCALAPPDATA|USERPROFILE|HOMEDRIVE|HOMEPATH|SYSTEMROOT|SystemRoot|ComSpec|PATHEXT|WINDIR|(?:HTTPS?|ALL|NO)_PROXY|(?:https?|all|no)_proxy|GIT_AUTHOR_[A-Z]+|GIT_COMMITTER_[A-Z]+|GIT_CONFIG_NOSYSTEM|GIT_SSH|GIT_SSL_CAINFO|GIT_SSL_CAPATH)$/;

export class GitRunner {
  readonly dir: string;
  private readonly timeoutMs: () => number;

  constructor(opts: GitRunnerOptions) {
    this.dir = opts.dir;
    const t = opts.timeoutMs ?? 60_000;
    this.timeoutMs = typeof t === 'function' ? t : () => t;
  }

  /**
   * The environment git runs with: the person's own (PATH, HOME, locale, ssh agent, proxies, git
   * identity) through an allowlist, never editors, pagers or askpass programs: git must never wait on a
   * person here, so a missing credential becomes an auth failure instead of a hang.
   */
  private env(readonly: boolean): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && ENV_ALLOW.test(k)) env[k] = v;
    env.GIT_TERMINAL_PROMPT = '0';
    env.LC_ALL = 'C';
    if (readonly) env.GIT_OPTIONAL_LOCKS = '0';
    // Batch mode for ssh, unless the person set their own ssh program.
    if (!env.GIT_SSH) env.GIT_SSH_COMMAND = 'ssh -o BatchMode=yes -o ConnectTimeout=15';
    return env;
  }

  /** A git bound to the repo. `network` adds the silence timeout. */
  git(opts: { readonly?: boolean; network?: boolean } = {}): SimpleGit {
    return simpleGit({
      baseDir: this.dir,
      maxConcurrentProcesses: 1,
      trimmed: false,
      // We set GIT_SSH_COMMAND ourselves (BatchMode) and never from outside input.
      unsafe: { allowUnsafeSshCommand: true },
      // Silence, not duration: stdout/stderr output restarts the clock (network commands pass
      // --progress so a slow transfer that is still moving keeps talking).
      ...(opts.network ? { timeout: { block: this.timeoutMs() } } : {}),
      errors: opts.network ? strictNetworkErrors : strictLocalErrors,
    }).env(this.env(!!opts.readonly));
  }

  raw(args: string[], opts: { readonly?: boolean; network?: boolean } = {}): Promise<string> {
    return this.git(opts).raw(args);
  }

  /**
   * Exit code of a read-only query whose answer IS its exit code (`merge-base --is-ancestor`): simple-git
   * resolves a non-zero exit that printed nothing on stderr, so these go through execFile directly.
   */
  exitCode(args: string[]): Promise<{ code: number; stdout: string }> {
    return new Promise((resolve) => {
      execFile('git', args, { cwd: this.dir, env: this.env(true), maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 128) : 0;
        resolve({ code, stdout: String(stdout) });
      });
    });
  }

  /** Raw bytes of a blob (binary-safe). */
  async catBlob(oid: string): Promise<Buffer> {
    const out = (await this.git({ readonly: true }).binaryCatFile(['blob', oid])) as unknown as Buffer;
    return Buffer.isBuffer(out) ? out : Buffer.from(out as unknown as string);
  }
}

type GitResult = { exitCode: number | null; stdOut: Buffer[]; stdErr: Buffer[] };

/**
 * simple-git counts a git that exits non-zero WITHOUT writing to stderr as a success, and a git ended
 * by a signal (exit code null) too, whatever it wrote. So a push that dies of SIGPIPE when the server
 * drops the connection "succeeded" (the engine recorded a commit the remote never got), and a merge
 * that aborts on an assertion (SIGABRT, e.g. on a tree entry named 'a/b') "ran". Here every non-zero
 * exit and every signal is a failure, with git's own words when it had any.
 */
function strictErrors(network: boolean) {
  return (error: Buffer | Error | undefined, result: GitResult): Buffer | Error | undefined => {
    // Set already: git's own stderr on a non-zero exit, or our silence timeout (keep its kind).
    if (error || result.exitCode === 0) return error;
    const signalled = result.exitCode === null || result.exitCode > 128;
    const said = Buffer.concat([...result.stdErr, ...result.stdOut]).toString('utf8').trim();
    const how = signalled ? 'git was ended by a signal before it finished' : `git exited with code ${result.exitCode}`;
    return Buffer.from(`${said ? `${said}\n` : ''}${network ? `fatal: the remote end hung up (${how})` : `fatal: ${how}`}`);
  };
}
const strictNetworkErrors = strictErrors(true);
const strictLocalErrors = strictErrors(false);

/** The text git printed, from whatever simple-git threw. */
export function gitMessage(err: unknown): string {
  if (!err) return '';
  const e = err as { message?: string; git?: unknown };
  // Progress meters (--progress) redraw with \r: keep only their last state.
  return String(e.message ?? err)
    .replace(/[^\r\n]*\r(?!\n)/g, '')
    .trim();
}

/** Maps git's words to the result kinds the UI can show. Order matters: most specific first. */
export function classifyGitError(err: unknown): SyncResultKind {
  const m = gitMessage(err);
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || /No space left on device|disk quota exceeded/i.test(m)) return 'disk-full';
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/i.test(m)) return 'host-key-changed';
  if (/block timeout|timed out after|timeout reached|task timed out/i.test(m) || (err as { task?: unknown })?.constructor?.name === 'GitPluginError' && /timeout/i.test(m)) return 'timeout';
  if (/Authentication failed|Permission denied \(publickey|could not read Username|could not read Password|HTTP Basic: Access denied|terminal prompts disabled|returned error: 40[13]|access denied|invalid credentials/i.test(m)) return 'auth-failed';
  if (/\[rejected\]|non-fast-forward|fetch first|pre-receive hook declined|\[remote rejected\]|failed to push some refs/i.test(m)) return 'rejected';
  if (/Could not resolve host|Connection refused|Network is unreachable|unable to connect|Connection timed out|Could not read from remote repository|The remote end hung up|unable to access|Connection reset|No route to host|Operation timed out|early EOF|does not appear to be a git repository|Temporary failure in name resolution/i.test(m)) return 'offline';
  return 'error';
}
