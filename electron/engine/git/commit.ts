/**
 * Staging and committing. The engine writes files into the working tree (or removes them) first; this
 * stages exactly those paths and makes one commit. Every commit carries a `ConfSync-Host:` trailer so
 * history and conflict copies can say which machine a version came from.
 */
import { isFolder } from '../util/fs.js';
import { join } from 'node:path';
import type { GitRunner } from './runner.js';
import { classifyGitError, gitMessage } from './runner.js';
import { faultPoint } from '../util/fault.js';
import { readHead } from './refs.js';
import { plural } from '../../../shared/meanings.js';
import { SPARSE_PATTERNS } from './init.js';

export type CommitResult =
  | { kind: 'committed'; oid: string }
  | { kind: 'nothing' }
  | { kind: 'disk-full' | 'error'; message: string };

export function withHostTrailer(message: string, host: string): string {
  return `${message.trim()}\n\nConfSync-Host: ${host}\n`;
}

/**
 * Stages exactly `paths` as they are in the working tree (new, changed, or gone) and makes one commit.
 * Files go through one `update-index --add --remove --replace` (literal paths, links as links, gone paths removed,
 * paths that were never anywhere ignored); a folder (the Keyboard Maestro export) through `add -A`.
 * Two processes for a watched edit: update-index and commit (the new HEAD is read from the repo's files).
 */
export async function stageAndCommit(git: GitRunner, paths: string[], message: string, host: string): Promise<CommitResult> {
  try {
    const folders = paths.filter((p) => isFolder(join(git.dir, p)));
    const files = paths.filter((p) => !folders.includes(p));
    if (files.length) await git.run(['update-index', '--add', '--remove', '--replace', '-z', '--stdin'], { input: files.join('\0') + '\0' });
    for (let i = 0; i < folders.length; i += 500) await git.raw(['--literal-pathspecs', 'add', '-A', '--', ...folders.slice(i, i + 500)]);
    return await commitIndex(git, message, host);
  } catch (e) {
    return failed(e);
  }
}

/** One path of a commit built from blobs: its new entry, or its removal. */
export type IndexChange = { path: string; mode: string; oid: string } | { path: string; remove: true };

/**
 * Commits entries whose blobs are already in the object store (BlobWriter) without the working tree:
 * one `update-index --index-info` (removals first; a file replacing a folder, or the reverse, replaces
 * the other entries as git's own checkout would) and one `commit`. The working tree only holds
 * ConfSync's own files (sparse checkout), so user files never get copied into it.
 */
export async function commitEntries(git: GitRunner, changes: IndexChange[] | ReadonlyMap<string, { mode: string; oid: string } | null>, message: string, host: string): Promise<CommitResult> {
  try {
    const input = indexInput(changes);
    if (input.info.length) {
      await git.run(['update-index', '-z', '--index-info'], { input: input.info });
      // Entries written this way carry no skip-worktree bit, so `git status` in the repo would show
      // every synced file as deleted from the (sparse) working tree, and a person's `git commit -a`
      // there would delete them. Mark them as sparse checkout itself would.
      if (input.outside.length) await git.run(['update-index', '-z', '--skip-worktree', '--stdin'], { input: input.outside });
    }
    return await commitIndex(git, message, host);
  } catch (e) {
    return failed(e);
  }
}

const NO_OID = '0'.repeat(40);

/** Text gathered into Buffers of about 64 KiB: no string or object per entry outlives its line. */
class Chunks {
  private parts: Buffer[] = [];
  private text = '';
  add(s: string): void {
    this.text += s;
    if (this.text.length >= 65536) this.cut();
  }
  private cut(): void {
    if (this.text) this.parts.push(Buffer.from(this.text, 'utf8'));
    this.text = '';
  }
  done(): Buffer {
    this.cut();
    return this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
  }
}

/**
 * The `update-index -z --index-info` input (removals first) and the `--skip-worktree --stdin` input
 * (added paths outside the sparse checkout), written straight from the changes: at 100,000 files a
 * line and an object per entry held 60 MB of heap at the commit, the run's peak.
 */
export function indexInput(changes: IndexChange[] | ReadonlyMap<string, { mode: string; oid: string } | null>): { info: Buffer; outside: Buffer } {
  const info = new Chunks();
  const outside = new Chunks();
  const each = (fn: (path: string, e: { mode: string; oid: string } | null) => void) => {
    if (Array.isArray(changes)) for (const c of changes as IndexChange[]) fn(c.path, 'remove' in c ? null : c);
    else for (const [path, e] of changes as ReadonlyMap<string, { mode: string; oid: string } | null>) fn(path, e);
  };
  each((path, e) => {
    if (!e) info.add(`0 ${NO_OID}\t${path}\0`);
  });
  each((path, e) => {
    if (!e) return;
    info.add(`${e.mode} ${e.oid}\t${path}\0`);
    if (!inSparseCheckout(path)) outside.add(`${path}\0`);
  });
  return { info: info.done(), outside: outside.done() };
}

/**
 * `{date}`, `{host}`, `{count}`, `{nfiles}` ("1 file", "3 files") and `{files}` in the person's template;
 * capped so a huge template is harmless.
 */
export function renderCommitMessage(template: string, v: { host: string; files: string[]; date?: Date }): string {
  // Only the names shown are made (a first run passes 100,000 paths).
  const names = v.files.slice(0, 5).map((f) => f.split('/').pop() || f);
  const shown = names.join(', ') + (v.files.length > 5 ? ', ...' : '');
  const out = template
    .replaceAll('{date}', (v.date ?? new Date()).toISOString())
    .replaceAll('{host}', v.host)
    .replaceAll('{count}', String(v.files.length))
    .replaceAll('{nfiles}', plural(v.files.length, 'file'))
    .replaceAll('{files}', shown);
  const oneLine = out.replace(/[\r\n]+/g, ' ').trim();
  return (oneLine || `${v.host}: ${plural(v.files.length, 'file')} changed`).slice(0, 1000);
}

/** True for the paths the sparse working tree holds (ConfSync's own files). */
export function inSparseCheckout(path: string): boolean {
  return SPARSE_PATTERNS.some((p) => (p.endsWith('/') ? `/${path}/`.startsWith(p) : `/${path}` === p));
}

/** `git commit` of what the index holds, with the host trailer: the one ending of both ways in. */
async function commitIndex(git: GitRunner, message: string, host: string): Promise<CommitResult> {
  faultPoint('commit');
  const r = await git.run(['commit', '-q', '--no-verify', '-m', withHostTrailer(message, host)], { allowExit: [1] });
  if (r.code === 1) {
    if (/nothing to commit|no changes added|nothing added/i.test(r.stdout.toString('utf8'))) return { kind: 'nothing' };
    return { kind: 'error', message: r.stdout.toString('utf8').trim() || 'git commit failed' };
  }
  const oid = readHead(git.dir) ?? (await git.raw(['rev-parse', 'HEAD'], { readonly: true })).trim();
  return { kind: 'committed', oid };
}

function failed(e: unknown): CommitResult {
  const kind = classifyGitError(e);
  return { kind: kind === 'disk-full' ? 'disk-full' : 'error', message: gitMessage(e) };
}
