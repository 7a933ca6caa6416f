/**
 * The size of a git repo on disk as git counts it (`git count-objects -v`), and a floor: the same file
 * versions committed by plain git into a fresh repo and packed as tightly as git packs (`repack -a -d
 * -f`), fed through one `git fast-import` stream as the versions are made.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { now, sleep } from './measure.js';

/** `git count-objects -v`, sizes in KiB (git's own unit), plus the human-readable `-vH` text. */
export interface RepoSize {
  /** Loose objects and their size on disk (KiB). */
  looseCount: number;
  looseKiB: number;
  inPack: number;
  packs: number;
  packKiB: number;
  garbageKiB: number;
  /** loose + pack + garbage (KiB). */
  totalKiB: number;
  human: string;
}

const GIT_ENV = { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' };

export function countObjects(gitDir: string): RepoSize {
  const out = execFileSync('git', ['count-objects', '-v'], { cwd: gitDir, encoding: 'utf8', env: GIT_ENV });
  const v = (k: string) => Number(new RegExp(`^${k}: (\\d+)`, 'm').exec(out)?.[1] ?? 0);
  const human = execFileSync('git', ['count-objects', '-vH'], { cwd: gitDir, encoding: 'utf8', env: GIT_ENV }).trim().replace(/\n/g, ', ');
  const looseKiB = v('size');
  const packKiB = v('size-pack');
  const garbageKiB = v('size-garbage');
  return { looseCount: v('count'), looseKiB, inPack: v('in-pack'), packs: v('packs'), packKiB, garbageKiB, totalKiB: looseKiB + packKiB + garbageKiB, human };
}

/**
 * The size a repo's objects take packed (`repack -a -d` of a copy of its object store): a start state
 * that does not depend on how much of it happens to be loose.
 */
export function packedSize(repo: string, scratch: string): RepoSize {
  const gitDir = existsSync(join(repo, '.git')) ? join(repo, '.git') : repo;
  rmSync(scratch, { recursive: true, force: true });
  cpSync(gitDir, scratch, { recursive: true });
  execFileSync('git', ['--git-dir', scratch, 'repack', '-a', '-d', '-q'], { env: GIT_ENV });
  execFileSync('git', ['--git-dir', scratch, 'prune-packed'], { env: GIT_ENV });
  const size = countObjects(scratch);
  rmSync(scratch, { recursive: true, force: true });
  return size;
}

/**
 * Waits for a background `git gc` in a repo (work tree or bare: its `gc.pid` lock), if one shows up
 * within `appearMs`. Returns whether one ran.
 */
export async function waitGcLock(gitDir: string, appearMs: number, timeoutMs = 600_000): Promise<boolean> {
  const pid = existsSync(join(gitDir, '.git')) ? join(gitDir, '.git', 'gc.pid') : join(gitDir, 'gc.pid');
  const t0 = now();
  while (!existsSync(pid) && now() - t0 < appearMs) await sleep(100);
  if (!existsSync(pid)) return false;
  while (existsSync(pid) && now() - t0 < timeoutMs) await sleep(100);
  return true;
}

/** A fresh repo fed one version of one path per commit, then packed tightly. */
export class FloorRepo {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<number | null>;
  private n = 0;

  constructor(
    readonly dir: string,
    private readonly path: string,
  ) {
    mkdirSync(dir, { recursive: true });
    execFileSync('git', ['init', '-q', '-b', 'main', dir]);
    this.proc = spawn('git', ['fast-import', '--quiet', '--done'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.resume();
    this.proc.stderr.resume();
    this.exited = new Promise((r) => this.proc.on('close', (code) => r(code)));
  }

  private write(chunk: Buffer | string): Promise<void> {
    return new Promise((resolve) => {
      if (this.proc.stdin.write(chunk)) resolve();
      else this.proc.stdin.once('drain', () => resolve());
    });
  }

  /** Commits `content` as the next version of the path. */
  async add(content: Buffer): Promise<void> {
    this.n++;
    const msg = `version ${this.n}`;
    await this.write(`commit refs/heads/main\ncommitter floor <floor@bench.invalid> ${1_800_000_000 + this.n * 60} +0000\ndata ${msg.length}\n${msg}\nM 100644 inline ${this.path}\ndata ${content.length}\n`);
    await this.write(content);
    await this.write('\n');
  }

  /**
   * Ends the stream and returns the tighter of two packings of the same versions: fast-import's own
   * pack (each version a delta against the one before, a new base every 50) and `repack -a -d -f
   * --window=10 --depth=50` (git's delta search; with many versions whose sizes jump around, its
   * window of neighbours by size can miss the version before, so it is not always the tighter one).
   */
  async finish(): Promise<RepoSize & { versions: number; repackMs: number; how: 'fast-import' | 'repack' }> {
    await this.write('done\n');
    this.proc.stdin.end();
    const code = await this.exited;
    if (code !== 0) throw new Error(`git fast-import exited with ${code} in ${this.dir}`);
    const imported = countObjects(this.dir);
    const t = now();
    execFileSync('git', ['repack', '-a', '-d', '-f', '-q', '--window=10', '--depth=50'], { cwd: this.dir });
    const repackMs = now() - t;
    execFileSync('git', ['prune-packed'], { cwd: this.dir });
    const repacked = countObjects(this.dir);
    const best = imported.totalKiB > 0 && imported.totalKiB < repacked.totalKiB ? { ...imported, how: 'fast-import' as const } : { ...repacked, how: 'repack' as const };
    return { ...best, versions: this.n, repackMs };
  }
}
