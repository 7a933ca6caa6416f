/**
 * Making a commit from a base commit plus entry changes, without touching the working tree or the
 * real index: a temporary index (read-tree, update-index --index-info, write-tree), then commit-tree.
 * A merge is built this way, so git never writes its own conflict names (`d~HEAD`) anywhere.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { GitRunner } from './runner.js';
import { withHostTrailer } from './commit.js';

export interface EntryWrite {
  path: string;
  /** null removes the path. */
  entry: { mode: string; oid: string } | null;
}

export async function buildCommit(
  git: GitRunner,
  o: { base: string | null; changes: EntryWrite[]; parents: string[]; message: string; host: string },
): Promise<string> {
  const index = join(git.dir, '.git', `confsync-${randomBytes(4).toString('hex')}.index`);
  const env = { GIT_INDEX_FILE: index };
  try {
    await git.run(o.base ? ['read-tree', o.base] : ['read-tree', '--empty'], { env });
    if (o.changes.length) {
      const lines = o.changes.map((c) => (c.entry ? `${c.entry.mode} ${c.entry.oid}\t${c.path}` : `0 ${'0'.repeat(40)}\t${c.path}`));
      await git.run(['update-index', '-z', '--index-info'], { env, input: lines.join('\0') + '\0' });
    }
    const tree = (await git.raw(['write-tree'], { env })).trim();
    const args = ['commit-tree', tree];
    for (const p of o.parents) args.push('-p', p);
    return (await git.raw(args, { input: withHostTrailer(o.message, o.host) })).trim();
  } finally {
    rmSync(index, { force: true });
  }
}

/** Moves the branch, the index and the working tree forward to `oid` (a descendant of HEAD). */
export async function fastForward(git: GitRunner, oid: string): Promise<void> {
  await git.run(['merge', '-q', '--ff-only', '--no-verify', oid]);
}
