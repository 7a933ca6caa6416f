/**
 * Content identity = git's blob id (sha1 of "blob <len>\0<bytes>"), so a live file, the snapshot and
 * the repo tree can be compared without reading the repo: `git ls-tree` already lists blob ids.
 */
import { createHash } from 'node:crypto';

export function blobOid(content: Buffer): string {
  const h = createHash('sha1');
  h.update(`blob ${content.length}\0`);
  h.update(content);
  return h.digest('hex');
}
