/**
 * Staging and committing. The engine writes files into the working tree (or removes them) first; this
 * stages exactly those paths and makes one commit. Every commit carries a `ConfSync-Host:` trailer so
 * history and conflict copies can say which machine a version came from.
 */
import { existsSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { GitRunner } from './runner.js';
import { classifyGitError, gitMessage } from './runner.js';
import { faultPoint } from '../util/fault.js';

export type CommitResult =
  | { kind: 'committed'; oid: string }
  | { kind: 'nothing' }
  | { kind: 'disk-full' | 'error'; message: string };

function isSymlink(abs: string): boolean {
  try {
    return lstatSync(abs).isSymbolicLink();
  } catch {
    return false;
  }
}

export function withHostTrailer(message: string, host: string): string {
  return `${message.trim()}\n\nConfSync-Host: ${host}\n`;
}

export async function stageAndCommit(git: GitRunner, paths: string[], message: string, host: string): Promise<CommitResult> {
  try {
    // Pathspecs are literal (names may hold glob characters); chunks keep argv small. A path absent
    // from both the working tree and the index (already deleted, e.g. a conflict resolved after the
    // file went away) makes `git add` fail the whole call: such paths are staged with `rm --cached
    // --ignore-unmatch`, which records a deletion when there is one and is quiet otherwise.
    const present = paths.filter((p) => existsSync(join(git.dir, p)) || isSymlink(join(git.dir, p)));
    const gone = paths.filter((p) => !present.includes(p));
    for (let i = 0; i < present.length; i += 500) {
      await git.raw(['--literal-pathspecs', 'add', '-A', '--', ...present.slice(i, i + 500)]);
    }
    for (let i = 0; i < gone.length; i += 500) {
      await git.raw(['--literal-pathspecs', 'rm', '-q', '-r', '--cached', '--ignore-unmatch', '--', ...gone.slice(i, i + 500)]);
    }
    const staged = (await git.raw(['diff', '--cached', '--name-only', '-z'])).split('\0').filter(Boolean);
    if (staged.length === 0) return { kind: 'nothing' };
    faultPoint('commit');
    await git.raw(['commit', '-q', '--no-verify', '-m', withHostTrailer(message, host)]);
    const oid = (await git.raw(['rev-parse', 'HEAD'], { readonly: true })).trim();
    return { kind: 'committed', oid };
  } catch (e) {
    const kind = classifyGitError(e);
    return { kind: kind === 'disk-full' ? 'disk-full' : 'error', message: gitMessage(e) };
  }
}

/**
 * `{date}`, `{host}`, `{count}`, `{nfiles}` ("1 file", "3 files") and `{files}` in the person's template;
 * capped so a huge template is harmless.
 */
export function renderCommitMessage(template: string, v: { host: string; files: string[]; date?: Date }): string {
  const names = v.files.map((f) => f.split('/').pop() || f);
  const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ', ...' : '');
  const out = template
    .replaceAll('{date}', (v.date ?? new Date()).toISOString())
    .replaceAll('{host}', v.host)
    .replaceAll('{count}', String(v.files.length))
    .replaceAll('{nfiles}', `${v.files.length} file${v.files.length === 1 ? '' : 's'}`)
    .replaceAll('{files}', shown);
  const oneLine = out.replace(/[\r\n]+/g, ' ').trim();
  return (oneLine || `${v.host}: ${v.files.length} file${v.files.length === 1 ? '' : 's'} changed`).slice(0, 1000);
}
