/**
 * The single-instance lock on the config dir (proper-lockfile: an atomic mkdir, refreshed while held).
 * A lock whose owner process is gone (SIGKILL, power loss) is taken over at once when the owner was on
 * this host; otherwise proper-lockfile's mtime staleness (15 s without refresh) applies.
 */
import lockfile from 'proper-lockfile';
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostname } from 'node:os';

export type LockResult = { ok: true } | { ok: false; message: string };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class InstanceLock {
  private releaseFn: (() => Promise<void>) | null = null;
  private readonly owner: string;

  constructor(readonly path: string) {
    this.owner = `${path}.owner`;
  }

  /**
   * Takes the lock. With `waitMs`, a lock held by a live process is waited for (polling), so two
   * ConfSync processes for one config dir never fail a person's command: a daemon started while a
   * one-shot command runs starts when it is done.
   */
  async acquire(opts: { waitMs?: number; onWait?: (message: string) => void } = {}): Promise<LockResult> {
    const deadline = Date.now() + (opts.waitMs ?? 0);
    let told = false;
    for (;;) {
      const r = await this.tryAcquire();
      if (r.ok || Date.now() >= deadline || !/already running/.test(r.message)) return r;
      if (!told) {
        told = true;
        opts.onWait?.(r.message.replace(/; stop it first.*$/, ''));
      }
      await new Promise((res) => setTimeout(res, 150));
    }
  }

  private async tryAcquire(): Promise<LockResult> {
    mkdirSync(dirname(this.path), { recursive: true });
    if (!existsSync(this.path)) writeFileSync(this.path, '');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        this.releaseFn = await lockfile.lock(this.path, {
          stale: 15_000,
          update: 5_000,
          realpath: false,
          onCompromised: () => {
            // Another process took the lock from under us (a very long freeze): carry on; the repo's
            // own index.lock still serializes git.
          },
        });
        writeFileSync(this.owner, JSON.stringify({ pid: process.pid, host: hostname(), at: Date.now() }));
        return { ok: true };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') return { ok: false, message: `cannot lock ${this.path}: ${(e as Error).message}` };
        const who = this.readOwner();
        if (attempt === 0 && who && who.host === hostname() && !alive(who.pid)) {
          // Stale: its owner died without releasing it.
          rmSync(`${this.path}.lock`, { recursive: true, force: true });
          continue;
        }
        const whoText = who ? `process ${who.pid} on ${who.host}` : 'another process';
        return { ok: false, message: `ConfSync is already running for this config dir (${whoText}); stop it first, or use \`confsync\` commands, which talk to the running daemon` };
      }
    }
    return { ok: false, message: `cannot lock ${this.path}` };
  }

  private readOwner(): { pid: number; host: string } | null {
    try {
      return JSON.parse(readFileSync(this.owner, 'utf8'));
    } catch {
      return null;
    }
  }

  async release(): Promise<void> {
    if (!this.releaseFn) return;
    const fn = this.releaseFn;
    this.releaseFn = null;
    rmSync(this.owner, { force: true });
    await fn().catch(() => undefined);
  }
}
