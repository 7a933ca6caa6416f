/**
 * Git's own line-based three-way merge (`git merge-file`), run on three temp files.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { MergeOutcome } from './codec.js';

const execFileP = promisify(execFile);

/** "1 part of the text changed on both machines", "3 parts of the text changed on both machines". */
export function textConflictDetail(parts: number): string {
  return parts === 1 ? '1 part of the text changed on both machines' : `${parts} parts of the text changed on both machines`;
}

/**
 * Merges `mine` and `theirs` against `base` line by line. Clean: the merged text. Otherwise the number
 * of conflicting parts (git caps it at 127). Throws when git itself fails.
 */
export async function textMerge(base: Buffer, mine: Buffer, theirs: Buffer): Promise<MergeOutcome> {
  const dir = await mkdtemp(join(tmpdir(), 'confsync-merge-'));
  try {
    const [b, m, t] = ['base', 'mine', 'theirs'].map((n) => join(dir, n));
    await Promise.all([writeFile(b, base), writeFile(m, mine), writeFile(t, theirs)]);
    try {
      await execFileP('git', ['merge-file', '-q', m, b, t]);
      return { clean: true, content: await readFile(m), how: 'text' };
    } catch (e) {
      // Exit status: the number of conflicts (at most 127); git's own errors exit with 255 (-1).
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'number' && code > 0 && code <= 127) return { clean: false, how: 'text', details: [textConflictDetail(code)] };
      throw e;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
