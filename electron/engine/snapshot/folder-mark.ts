/**
 * Which folder a snapshot was kept in. The snapshot says what this machine last synced, path by path:
 * a file it lists and the folder lacks was deleted here, one that differs was edited here. That
 * holds only for the machine whose files it describes. A config dir copied to another machine (people
 * move their settings that way), or copied beside itself, carries a snapshot that describes the files
 * of the machine it came from: read as this machine's, it sent a deletion for every file the new
 * machine lacked and an edit for every one that differed, and the first machine lost them.
 *
 * A copy is a new folder: the config dir's inode (and its creation time, where the file system keeps
 * one) differ from the ones recorded beside the snapshot. The host name is not used: renaming a machine
 * is not copying its files. A folder moved with `mv` on one disk keeps both, so it stays trusted.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';

interface Mark {
  ino: number;
  birthtimeMs: number;
}

function markOf(dir: string): Mark | null {
  const st = statSync(dir);
  // No inode (some file systems report 0): nothing to compare by.
  if (!st.ino) return null;
  return { ino: st.ino, birthtimeMs: Math.round(st.birthtimeMs) };
}

function readMark(file: string): Mark | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<Mark>;
    return typeof v.ino === 'number' ? { ino: v.ino, birthtimeMs: typeof v.birthtimeMs === 'number' ? v.birthtimeMs : 0 } : null;
  } catch {
    return null;
  }
}

/**
 * `same` when the snapshot beside `markFile` was kept in `dir` as it is (or nothing was recorded yet,
 * and now is), `copied` when `dir` is another folder than the one recorded. The mark is (re)written
 * for `dir` either way.
 */
export function checkFolderMark(dir: string, markFile: string): 'same' | 'copied' {
  const now = markOf(dir);
  if (!now) return 'same';
  const was = readMark(markFile);
  const same = !was || (was.ino === now.ino && (!was.birthtimeMs || !now.birthtimeMs || was.birthtimeMs === now.birthtimeMs));
  if (!was || !same) writeFileSync(markFile, JSON.stringify(now) + '\n');
  return same ? 'same' : 'copied';
}
