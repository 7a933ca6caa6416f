/**
 * Fault points for the crash suite. `CONFSYNC_FAULT=<name>[,<name>…]` makes the process SIGKILL itself
 * when it reaches that point, so a test can kill the daemon at an exact moment (mid-commit, mid-merge,
 * mid-apply, mid-push) instead of racing a timer. `CONFSYNC_FAULT_SKIP=N` lets the first N hits pass.
 * `CONFSYNC_FAULT_FAIL=<name>` makes the point throw a write error (disk-full simulation) instead.
 * Points: commit, fetch, merge, merge-commit, apply, push (git and live writes), watch-batch (a watched
 * batch about to be reconciled), snapshot-save (the snapshot about to be written), worktree-write (one
 * of ConfSync's own files about to be written into the repo's working tree), blob-write (synced files'
 * contents about to be written into the repo's object store).
 * Unset in normal use: the check is one env lookup.
 */
let hits = 0;

export function faultPoint(name: string): void {
  const kill = process.env.CONFSYNC_FAULT;
  if (kill && kill.split(',').includes(name)) {
    const skip = Number(process.env.CONFSYNC_FAULT_SKIP ?? 0);
    if (hits++ >= skip) {
      process.kill(process.pid, 'SIGKILL');
    }
  }
  const fail = process.env.CONFSYNC_FAULT_FAIL;
  if (fail && fail.split(',').includes(name)) {
    const err = new Error(`ENOSPC: no space left on device (fault point ${name})`) as NodeJS.ErrnoException;
    err.code = 'ENOSPC';
    throw err;
  }
}
