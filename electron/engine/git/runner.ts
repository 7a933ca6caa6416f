/**
 * The one entry to git for a repo. Every git process ConfSync starts goes through `run`:
 *   - git never prompts (GIT_TERMINAL_PROMPT=0, ssh BatchMode), so a missing credential is an auth
 *     failure, not a hang; its environment is an allowlist (no editors, pagers, askpass programs);
 *   - read-only queries run with GIT_OPTIONAL_LOCKS=0, so they never take index.lock;
 *   - network commands are killed after a silence (no output for `timeoutMs`), not after a duration:
 *     they pass --progress, so a slow transfer that still moves keeps talking;
 *   - every non-zero exit and every signal is an error with git's own words (a push killed by
 *     SIGPIPE is not a success);
 *   - every process is reported to `onProcess` listeners (the bench counts processes per edit).
 * Callers serialize repo work themselves (the engine's repo mutex).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { SyncResultKind } from '../../../shared/state.js';

export interface GitRunnerOptions {
  dir: string;
  /** Kill a network command that stays silent this long; a function is read at each command (settings). */
  timeoutMs?: number | (() => number);
  /**
   * The committer identity of the sync repo. Passed to every git process (unless the person's own
   * GIT_AUTHOR_* / GIT_COMMITTER_* environment says otherwise), so no commit ever depends on a global
   * or local git config that may be missing: "Author identity unknown" cannot happen.
   */
  identity?: { name: string; email: string };
}

export interface RunOptions {
  readonly?: boolean;
  network?: boolean;
  /** Bytes for git's standard input. */
  input?: Buffer | string;
  /** Extra environment (GIT_INDEX_FILE for a temporary index). */
  env?: Record<string, string>;
  /** Resolve with the exit code instead of failing on a non-zero exit (queries whose answer is the code). */
  allowExit?: number[];
  /** Each progress line git writes (--progress redraws with \r). */
  onProgress?: (line: string) => void;
}

export interface GitProcess {
  args: string[];
  ms: number;
  code: number | null;
}

const ENV_ALLOW =
  /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LC_[A-Z]+|TZ|TMPDIR|TEMP|TMP|SSH_AUTH_SOCK|SSH_AGENT_PID|XDG_[A-Z_]+|APPDATA|LOCALAPPDATA|USERPROFILE|HOMEDRIVE|HOMEPATH|SYSTEMROOT|SystemRoot|ComSpec|PATHEXT|WINDIR|(?:HTTPS?|ALL|NO)_PROXY|(?:https?|all|no)_proxy|GIT_AUTHOR_[A-Z]+|GIT_COMMITTER_[A-Z]+|GIT_CONFIG_NOSYSTEM|GIT_SSH|GIT_SSL_CAINFO|GIT_SSL_CAPATH)$/;

/** A git command that failed: `message` is what git said. */
export class GitError extends Error {
  override name = 'GitError';
  constructor(
    message: string,
    readonly code: number | null,
    readonly timedOut = false,
  ) {
    super(message);
  }
}

export class GitRunner {
  readonly dir: string;
  private readonly timeoutMs: () => number;
  private readonly listeners = new Set<(p: GitProcess) => void>();
  private readonly identity: { name: string; email: string } | null;

  constructor(opts: GitRunnerOptions) {
    this.dir = opts.dir;
    this.identity = opts.identity ?? null;
    const t = opts.timeoutMs ?? 60_000;
    this.timeoutMs = typeof t === 'function' ? t : () => t;
  }

  /** Called after every git process with its arguments and wall time. Returns an unsubscribe function. */
  onProcess(fn: (p: GitProcess) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * The environment git runs with: the person's own (PATH, HOME, locale, ssh agent, proxies, git
   * identity) through an allowlist, never editors, pagers or askpass programs.
   */
  private env(readonly: boolean, extra?: Record<string, string>): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && ENV_ALLOW.test(k)) env[k] = v;
    env.GIT_TERMINAL_PROMPT = '0';
    env.LC_ALL = 'C';
    if (readonly) env.GIT_OPTIONAL_LOCKS = '0';
    if (this.identity) {
      // An exported but empty variable counts as unset (git would refuse "empty ident name").
      if (!env.GIT_AUTHOR_NAME?.trim()) env.GIT_AUTHOR_NAME = this.identity.name;
      if (!env.GIT_AUTHOR_EMAIL?.trim()) env.GIT_AUTHOR_EMAIL = this.identity.email;
      if (!env.GIT_COMMITTER_NAME?.trim()) env.GIT_COMMITTER_NAME = this.identity.name;
      if (!env.GIT_COMMITTER_EMAIL?.trim()) env.GIT_COMMITTER_EMAIL = this.identity.email;
    }
    // Batch mode for ssh, unless the person set their own ssh program.
    if (!env.GIT_SSH) env.GIT_SSH_COMMAND = 'ssh -o BatchMode=yes -o ConnectTimeout=15';
    return { ...env, ...extra };
  }

  /** Runs one git process; resolves with its standard output (bytes) and exit code. */
  run(args: string[], opts: RunOptions = {}): Promise<{ stdout: Buffer; code: number }> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const child = spawn('git', args, { cwd: this.dir, env: this.env(!!opts.readonly, opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      let timer: NodeJS.Timeout | null = null;
      const silence = opts.network ? this.timeoutMs() : 0;
      const arm = () => {
        if (!silence) return;
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          child.kill('SIGINT');
        }, silence);
      };
      arm();
      child.stdout.on('data', (b: Buffer) => {
        out.push(b);
        arm();
      });
      child.stderr.on('data', (b: Buffer) => {
        err.push(b);
        arm();
        if (opts.onProgress) for (const line of b.toString('utf8').split(/[\r\n]+/)) if (line.trim()) opts.onProgress(line.trim());
      });
      child.stdin.on('error', () => undefined); // git may exit before reading all of it
      if (opts.input !== undefined) child.stdin.end(opts.input);
      else child.stdin.end();
      child.on('error', (e) => {
        if (timer) clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        const ms = performance.now() - started;
        for (const fn of this.listeners) fn({ args, ms, code });
        const stdout = Buffer.concat(out);
        if (timedOut) {
          reject(new GitError(`${Buffer.concat(err).toString('utf8').trim()}\nfatal: git timed out after ${silence} ms of silence (timeout reached)`.trim(), code, true));
          return;
        }
        if (code === 0 || (code !== null && opts.allowExit?.includes(code))) {
          resolve({ stdout, code: code ?? 0 });
          return;
        }
        const said = Buffer.concat(err).toString('utf8').trim() || stdout.toString('utf8').trim();
        const signalled = code === null || signal !== null || code > 128;
        const how = signalled ? 'git was ended by a signal before it finished' : `git exited with code ${code}`;
        const tail = opts.network && (signalled || !said) ? `fatal: the remote end hung up (${how})` : said ? '' : `fatal: ${how}`;
        reject(new GitError([said, tail].filter(Boolean).join('\n'), code));
      });
    });
  }

  /**
   * A long-running git process fed through its standard input (fast-import): `write` waits until the
   * pipe has taken the bytes, so nothing piles up in memory; `end` closes the input and waits for the exit.
   */
  stream(args: string[], opts: { env?: Record<string, string> } = {}): { write(chunk: Buffer | string): Promise<void>; end(): Promise<{ stdout: Buffer; code: number }> } {
    const started = performance.now();
    const child = spawn('git', args, { cwd: this.dir, env: this.env(false, opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let failed: Error | null = null;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', (e) => (failed ??= e));
    const exited = new Promise<{ stdout: Buffer; code: number }>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => {
        for (const fn of this.listeners) fn({ args, ms: performance.now() - started, code });
        if (code === 0) resolve({ stdout: Buffer.concat(out), code });
        else reject(new GitError(Buffer.concat(err).toString('utf8').trim() || `fatal: git exited with code ${code}`, code));
      });
    });
    exited.catch(() => undefined); // observed by end()
    return {
      // Resolves once the pipe has taken every byte (not merely queued them), so the caller may reuse
      // the buffer; a write to a git that is gone (EPIPE) rejects.
      write: (chunk) =>
        new Promise<void>((resolve, reject) => {
          if (failed) return reject(failed);
          child.stdin.write(chunk, (e) => (e ? reject(e) : resolve()));
        }),
      end: async () => {
        child.stdin.end();
        return exited;
      },
    };
  }

  /** A git child process to drive by hand (a long-lived `cat-file --batch`); reported when it exits. */
  spawnRaw(args: string[]): ChildProcessWithoutNullStreams {
    const started = performance.now();
    const child = spawn('git', args, { cwd: this.dir, env: this.env(true), stdio: ['pipe', 'pipe', 'pipe'] });
    child.on('close', (code) => {
      for (const fn of this.listeners) fn({ args, ms: performance.now() - started, code });
    });
    return child;
  }

  /** Standard output as text. */
  async raw(args: string[], opts: RunOptions = {}): Promise<string> {
    return (await this.run(args, opts)).stdout.toString('utf8');
  }

  /** Exit code of a read-only query whose answer IS its exit code (`merge-base --is-ancestor`). */
  async exitCode(args: string[]): Promise<{ code: number; stdout: string }> {
    try {
      const r = await this.run(args, { readonly: true, allowExit: [1, 128, 129] });
      return { code: r.code, stdout: r.stdout.toString('utf8') };
    } catch (e) {
      return { code: (e as GitError).code ?? 128, stdout: '' };
    }
  }

  /** Raw bytes of a blob (binary-safe). */
  async catBlob(oid: string): Promise<Buffer> {
    return (await this.run(['cat-file', 'blob', oid], { readonly: true })).stdout;
  }
}

/** The text git printed, from whatever a git call threw. */
export function gitMessage(err: unknown): string {
  if (!err) return '';
  const e = err as { message?: string };
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
  if ((err as GitError)?.timedOut || /block timeout|timed out after|timeout reached|task timed out/i.test(m)) return 'timeout';
  if (/Authentication failed|Permission denied \(publickey|could not read Username|could not read Password|HTTP Basic: Access denied|terminal prompts disabled|returned error: 40[13]|access denied|invalid credentials/i.test(m)) return 'auth-failed';
  if (/\[rejected\]|non-fast-forward|fetch first|pre-receive hook declined|\[remote rejected\]|failed to push some refs/i.test(m)) return 'rejected';
  if (/Could not resolve host|Connection refused|Network is unreachable|unable to connect|Connection timed out|Could not read from remote repository|The remote end hung up|unable to access|Connection reset|No route to host|Operation timed out|early EOF|does not appear to be a git repository|Temporary failure in name resolution/i.test(m)) return 'offline';
  return 'error';
}
