/**
 * Checking a sync repo folder a person names (`confsync init --repo DIR`) before anything is written:
 * it must be a new folder, an empty one, or an existing ConfSync repo, and we must be able to create
 * it. A folder with other files in it is refused, because start-up moves anything uncommitted out of
 * the repo folder, and a relative path is made absolute here (the daemon runs from another folder).
 */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** `~`, `~/x` and relative paths (against `cwd`) made absolute. */
export function absoluteRepoPath(input: string, home: string, cwd = process.cwd()): string {
  const expanded = input === '~' ? home : input.startsWith('~/') ? join(home, input.slice(2)) : input;
  return isAbsolute(expanded) ? resolve(expanded) : resolve(cwd, expanded);
}

/** The deepest part of `p` that exists (p itself when it exists). */
export function existingAncestor(p: string): string {
  let cur = p;
  while (!existsSync(cur)) {
    const up = dirname(cur);
    if (up === cur) return cur;
    cur = up;
  }
  return cur;
}

/** The outermost folder of `p` that does not exist yet (what creating `p` would create), or null. */
export function topMissing(p: string): string | null {
  if (existsSync(p)) return null;
  let cur = p;
  for (;;) {
    const up = dirname(cur);
    if (up === cur || existsSync(up)) return cur;
    cur = up;
  }
}

const advice = 'choose a folder you can write to, or leave out --repo for the default (the config folder\'s repo/)';

/** Why `dir` cannot be the sync repo folder, or null when it can. `dir` is absolute. */
export function repoDirProblem(dir: string): string | null {
  const at = existingAncestor(dir);
  let st;
  try {
    st = statSync(at);
  } catch (e) {
    return `cannot use ${dir} for the sync repo: ${at} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); ${advice}`;
  }
  if (!st.isDirectory()) {
    return at === dir ? `cannot use ${dir} for the sync repo: it is a file, not a folder; ${advice}` : `cannot create the sync repo at ${dir}: ${at} is a file, not a folder; ${advice}`;
  }
  if (at === dir) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      return `cannot use ${dir} for the sync repo: its contents cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); ${advice}`;
    }
    const confsyncRepo = names.includes('.git') && names.includes('.confsync');
    if (names.length && !confsyncRepo) {
      return `cannot use ${dir} for the sync repo: it already holds other files (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}) and is not a ConfSync repo; choose a new or empty folder`;
    }
  }
  const refused = (e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EROFS' ? 'is on a read-only disk' : code === 'EACCES' || code === 'EPERM' ? 'is not writable by you' : `cannot be written (${code ?? (e as Error).message})`;
    return at === dir ? `cannot use ${dir} for the sync repo: it ${why}; ${advice}` : `cannot create the sync repo at ${dir}: ${at} ${why}; ${advice}`;
  };
  try {
    accessSync(at, constants.W_OK | constants.X_OK);
  } catch (e) {
    return refused(e);
  }
  // Permission bits are not the whole story (root, read-only mounts, /proc, ACLs): try it for real,
  // and take the trial away again, so the check itself changes nothing.
  try {
    if (at === dir) {
      const probe = join(dir, `.confsync-probe-${process.pid}`);
      writeFileSync(probe, '', { flag: 'wx' });
      rmSync(probe, { force: true });
    } else {
      const top = topMissing(dir)!;
      mkdirSync(top);
      rmdirSync(top);
    }
  } catch (e) {
    return refused(e);
  }
  return null;
}
