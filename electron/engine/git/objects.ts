/** Writing objects into the repo's object store. */
import type { GitRunner } from './runner.js';

/** Stores `content` as a blob; returns its id. */
export async function writeBlob(git: GitRunner, content: Buffer): Promise<string> {
  return (await git.raw(['hash-object', '-w', '--stdin'], { input: content })).trim();
}
