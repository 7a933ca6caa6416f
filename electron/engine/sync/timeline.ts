/**
 * History as a timeline, like GitHub Desktop: recent changes across every synced file, newest first,
 * each with its machine, time, files and (on request) a diff; filtered by profile or path; a file or
 * every file of a change can be restored from there. ConfSync's own bookkeeping (`.confsync/`) is not
 * shown; a change that only touched it is left out.
 *
 * Each change is one commit of a machine (merges are left out: they only combine changes already
 * listed). Restoring a change's files puts each file back to its version right
 * after that change, through the same restore as one file (undoable: the current content is committed
 * first). A file that change deleted is not "restored" to nothing: restoring never deletes.
 */
import { isFolder } from '../util/fs.js';
import type { SyncContext } from './context.js';
import { SPECIAL } from './pass.js';
import { resolveCommit, revProblem } from '../git/rev.js';
import { blobAt } from '../git/tree.js';
import { ActionError, NOTHING_BEFORE, restoreVersion, type BeforeAction } from './actions.js';

export interface TimelineFile {
  path: string;
  live: string | null;
  change: 'added' | 'modified' | 'deleted';
}

export interface TimelineEntry {
  rev: string;
  host: string;
  at: number;
  message: string;
  files: TimelineFile[];
}

export interface TimelineQuery {
  profile?: string;
  path?: string;
  limit?: number;
  /** Older than this commit (for "show more"). */
  before?: string;
}

const SEP = '\x1f';
const END = '\x1e';

export async function timeline(c: SyncContext, q: TimelineQuery = {}): Promise<TimelineEntry[]> {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
  const pathspec = q.path ? [q.path] : q.profile ? [`${q.profile}/`] : ['.', `:(exclude)${SPECIAL}`];
  // "Older than" is a position in the same listing (not the commit's first parent: after a merge the
  // other side's commits would be skipped at a page boundary).
  let skip = 0;
  if (q.before) {
    const r = await resolveCommit(c.git, q.before);
    if (r.kind !== 'ok') throw new ActionError(revProblem(r));
    const order = (await c.git.raw(['rev-list', '--no-merges', '--full-history', 'HEAD', '--', ...pathspec], { readonly: true })).split('\n');
    const at = order.indexOf(r.oid);
    if (at === -1) throw new ActionError(`${q.before} is not a change of ${q.path ?? q.profile ?? 'the synced files'} in this history`);
    skip = at + 1;
  }
  const start = 'HEAD';
  // Merge commits are left out: what they bring is listed as the other machine's own changes (and a
  // conflict they record is in the Conflicts tab). --full-history: a change the merge did not keep
  // (the other side of a conflict) is still a change someone made.
  const out = await c.git
    .raw(['log', '--no-merges', '--full-history', `--skip=${skip}`, `-n${limit}`, '--no-renames', `--format=${END}%H${SEP}%ct${SEP}%an${SEP}%(trailers:key=ConfSync-Host,valueonly,separator=%x2C)${SEP}%s`, '--name-status', '-z', start, '--', ...pathspec], { readonly: true })
    .catch((e: Error) => {
      if (/does not have any commits|unknown revision|bad revision/i.test(e.message)) return '';
      throw e;
    });
  const entries: TimelineEntry[] = [];
  for (const chunk of out.split(END)) {
    if (!chunk.trim()) continue;
    // `header\0\n` then `status\0path\0` per file (git log -z --name-status).
    const z = chunk.indexOf('\0');
    const head = z === -1 ? chunk.trim() : chunk.slice(0, z);
    const [rev, ct, an, trailer, subject] = head.split(SEP);
    const fields = (z === -1 ? '' : chunk.slice(z + 1).replace(/^\n/, '')).split('\0').filter(Boolean);
    const files: TimelineFile[] = [];
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const status = fields[i]!.trim();
      const path = fields[i + 1]!;
      if (!status || !path || path.startsWith(SPECIAL)) continue;
      files.push({ path, live: c.paths.toLive(path), change: status.startsWith('A') ? 'added' : status.startsWith('D') ? 'deleted' : 'modified' });
    }
    if (!files.length) continue;
    const host = (trailer ?? '').trim() || (an ?? '').replace(/^ConfSync \((.*)\)$/, '$1') || 'another machine';
    entries.push({ rev: rev!, host, at: Number(ct) * 1000, message: subject ?? '', files });
    if (entries.length >= limit) break;
  }
  return entries;
}

export interface ChangeDiff {
  path: string;
  live: string | null;
  change: TimelineFile['change'];
  before: string | null;
  after: string | null;
  binary: boolean;
}

/** The files of one change with their text before and after it (encrypted files as plain text, here only). */
export async function changeDetail(c: SyncContext, rev: string): Promise<{ entry: TimelineEntry; files: ChangeDiff[] }> {
  const r = await resolveCommit(c.git, rev);
  if (r.kind !== 'ok') throw new ActionError(`${revProblem(r)} (see the History tab or \`confsync log\` for recent changes)`);
  const [entry] = await timelineAt(c, r.oid);
  if (!entry) throw new ActionError(`${rev} changed no synced file`);
  const parent = (await c.git.raw(['rev-parse', '--verify', '--quiet', `${r.oid}^`], { readonly: true }).catch(() => '')).trim() || null;
  const text = async (path: string, at: string | null): Promise<{ text: string | null; binary: boolean }> => {
    if (!at) return { text: null, binary: false };
    let b = await blobAt(c.git, at, path).catch(() => null);
    if (!b) return { text: null, binary: false };
    if (c.sealed.isSealed(path)) b = await c.sealer.open(b).catch(() => null);
    if (!b) return { text: null, binary: true };
    const t = c.formats.diffText(c.sealed.plainOf(path) ?? path, b);
    return t === null ? { text: null, binary: true } : { text: t, binary: false };
  };
  const files: ChangeDiff[] = [];
  for (const f of entry.files) {
    const before = await text(f.path, parent);
    const after = await text(f.path, r.oid);
    files.push({ ...f, before: before.text, after: after.text, binary: before.binary || after.binary });
  }
  return { entry, files };
}

/** One commit as a timeline entry (empty when it touched only ConfSync's bookkeeping). */
async function timelineAt(c: SyncContext, oid: string): Promise<TimelineEntry[]> {
  const out = await c.git.raw(['show', '-s', `--format=%ct${SEP}%an${SEP}%(trailers:key=ConfSync-Host,valueonly,separator=%x2C)${SEP}%s`, oid], { readonly: true });
  const [ct, an, trailer, subject] = out.trim().split(SEP);
  const names = (await c.git.raw(['diff-tree', '--root', '--no-commit-id', '--no-renames', '-r', '-z', '--name-status', oid], { readonly: true })).split('\0');
  const files: TimelineFile[] = [];
  for (let i = 0; i + 1 < names.length; i += 2) {
    const status = names[i]!.trim();
    const path = names[i + 1]!;
    if (!status || !path || path.startsWith(SPECIAL)) continue;
    files.push({ path, live: c.paths.toLive(path), change: status.startsWith('A') ? 'added' : status.startsWith('D') ? 'deleted' : 'modified' });
  }
  if (!files.length) return [];
  const host = (trailer ?? '').trim() || (an ?? '').replace(/^ConfSync \((.*)\)$/, '$1') || 'another machine';
  return [{ rev: oid, host, at: Number(ct) * 1000, message: subject ?? '', files }];
}

/**
 * Restores every file of one change to its version right after it. Files the change deleted, and
 * files that are not synced on this machine, are listed as not restored (with why); nothing is deleted.
 */
export async function restoreChange(c: SyncContext, rev: string, before: BeforeAction = NOTHING_BEFORE): Promise<{ restored: string[]; notRestored: { path: string; why: string }[] }> {
  const r = await resolveCommit(c.git, rev);
  if (r.kind !== 'ok') throw new ActionError(`${revProblem(r)} (see the History tab or \`confsync log\` for recent changes)`);
  const [entry] = await timelineAt(c, r.oid);
  if (!entry) throw new ActionError(`${rev} changed no synced file; nothing was restored`);
  const restored: string[] = [];
  const notRestored: { path: string; why: string }[] = [];
  // Every file is judged before any is written, so a file that cannot be restored leaves the others as
  // they were too only when its reason is known up front; those are listed, the rest restored.
  const todo: string[] = [];
  for (const f of entry.files) {
    const held = f.live ? before.held.get(f.live) : undefined;
    if (f.change === 'deleted') notRestored.push({ path: f.path, why: 'deleted by that change (restoring never deletes)' });
    else if (!f.live) notRestored.push({ path: f.path, why: 'not synced on this machine' });
    else if (held) notRestored.push({ path: f.path, why: `it holds changes that cannot be synced (${held}): left as it is` });
    else if (isFolder(f.live)) notRestored.push({ path: f.path, why: 'a folder is there now: left as it is' });
    else todo.push(f.path);
  }
  for (const p of todo) {
    await restoreVersion(c, p, r.oid, before);
    restored.push(p);
  }
  return { restored, notRestored };
}
