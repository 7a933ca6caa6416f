/**
 * THE sync rule. Pure: no files, no git, no clock. Every decision ConfSync makes about one path, on
 * one machine, is `decide()` over three versions of it:
 *
 *   B (base)   the version this machine last agreed on with the repo (its snapshot), or the merge base
 *   L (local)  this machine's version: the live file, or our side of a merge
 *   R (remote) the repo's version: HEAD, or the other side of a merge
 *
 * A version has a kind (absent, file, link, folder), content (a git blob id) and a mode (the owner's
 * exec bit, and whether it is private: 0600/0700). Two versions are the same only when all of that is.
 *
 * Every decision names whose version wins and where the other one goes:
 *   - 'none'           L and R are the same: nothing to do (the other is the same version).
 *   - 'take-remote'    R wins; L equals B, which history already holds.
 *   - 'take-local'     L wins; R equals B, which history already holds.
 *   - 'merge'          both changed a file (or a link): the format's 3-way merge; when it cannot merge,
 *                      `fallback` says who keeps the path and where the other goes.
 *   - 'conflict'       `keep` wins the path; `other` is the loser's place: a conflict copy beside the
 *                      file (`copy`) or nothing, because the loser deleted it (`deleted`).
 *   - 'hold'           nothing moves: the side(s) named cannot cross (a half-saved file, a secret, a
 *                      size limit, a guard), and the other side would overwrite an edit that has not
 *                      been synced. The path waits, visibly, until the reason is gone.
 *
 * The policies behind the table, in one place:
 *   1. A folder always wins its path against a file or a link: its files are paths of their own, so
 *      keeping it loses nothing; the file that clashed with it goes beside it as a conflict copy.
 *   2. A path this machine has never synced (no B) defers to the repo: the repo's version stays, this
 *      machine's own goes beside it as a conflict copy. A machine that joins, or a snapshot that was
 *      lost, never changes what the established machines have. A folder here against a file there
 *      that this machine never synced cannot go beside it: both wait, held (before policy 1).
 *   3. When both sides changed a synced path and cannot merge, the machine that finds out (L) keeps
 *      its version at the path; the other goes beside it, named after its host. The person chooses.
 *   4. Deleting never beats editing: delete-vs-modify keeps the modified version and records it.
 *   5. A link never replaces a regular file silently: it is a conflict, the file goes beside it
 *      (unless the link is the version a person chose when resolving a conflict on that path).
 *   6. A version that cannot cross is held, never half-spread, and never overwritten by the other side.
 */

export type Kind = 'absent' | 'file' | 'link' | 'dir';

export interface Version {
  kind: Kind;
  /** git blob id of the content (file bytes, or the link's stored target). Files and links only. */
  oid?: string;
  /** The owner's exec bit (git mode 100755). Files only. */
  exec?: boolean;
  /** Owner-only permissions (0600 / 0700), recorded in `.confsync/modes.json`. Files only. */
  private?: boolean;
}

export const ABSENT: Version = { kind: 'absent' };
export const DIR: Version = { kind: 'dir' };

export interface RuleInput {
  base: Version;
  local: Version;
  remote: Version;
  /** Why L cannot leave this machine (invalid format, secret, size, unreadable, link outside home), or null. */
  localHeld?: string | null;
  /** Why R cannot be written here (size limit here, invalid format, a live-write guard), or null. */
  remoteHeld?: string | null;
  /** R is the version a person chose when resolving a conflict on this path: applying it is no new conflict. */
  remoteChosen?: boolean;
}

export type Side = 'local' | 'remote';

export type ConflictWhy =
  /** Both sides changed the content (and the format could not merge it). */
  | 'both-changed'
  /** This machine meets a path it never synced, with a different version than the repo's. */
  | 'first-meeting'
  /** One side deleted what the other changed. */
  | 'delete-vs-modify'
  /** A file against a folder, or a file against a link, changed on both sides. */
  | 'kind-change'
  /** A link arriving where this machine has a regular file. */
  | 'link-over-file';

export type Decision =
  | { action: 'none' }
  | { action: 'take-remote' }
  | { action: 'take-local' }
  | { action: 'merge'; fallback: { keep: 'local'; other: 'copy'; why: 'both-changed' } }
  | { action: 'conflict'; keep: Side; other: 'copy' | 'deleted'; why: ConflictWhy }
  | { action: 'hold'; side: Side | 'both'; reason: string };

/** Why a folder here and a file in the repo that this machine never synced both wait (see decide). */
export const FOLDER_MEETS_FILE = 'a folder here where the repo has a file this machine never synced: both stay as they are, and neither syncs until one of them is renamed';

export function same(a: Version, b: Version): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'file') return a.oid === b.oid && !!a.exec === !!b.exec && !!a.private === !!b.private;
  if (a.kind === 'link') return a.oid === b.oid;
  return true;
}

const present = (v: Version) => v.kind !== 'absent';
const isContent = (v: Version) => v.kind === 'file' || v.kind === 'link';

function hold(input: RuleInput, sides: { local: boolean; remote: boolean }): Decision | null {
  const l = sides.local && input.localHeld ? input.localHeld : null;
  const r = sides.remote && input.remoteHeld ? input.remoteHeld : null;
  if (l && r) return { action: 'hold', side: 'both', reason: `${l}; ${r}` };
  if (l) return { action: 'hold', side: 'local', reason: l };
  if (r) return { action: 'hold', side: 'remote', reason: r };
  return null;
}

/**
 * The decision for one path. `local` and `remote` play the same roles in a live reconcile (the live
 * file against HEAD) and in a merge of two commits (ours against theirs).
 */
export function decide(input: RuleInput): Decision {
  const { base: B, local: L, remote: R } = input;

  if (same(L, R)) return { action: 'none' };

  // Folders (policy 1). A folder and an absent path agree: neither has a file here.
  if (L.kind === 'dir' || R.kind === 'dir') {
    if (L.kind === 'dir' && R.kind === 'dir') return { action: 'none' };
    if (L.kind === 'dir') {
      if (!present(R)) return { action: 'none' };
      // R is a file or link here; this machine has a folder.
      if (same(R, B)) return { action: 'take-local' }; // this machine turned the file into a folder
      // A folder met where the repo has a file this machine never synced (a machine joining with a
      // folder of that name): policy 2 before policy 1. The repo's file stays where every other machine
      // has it, and this folder stays here; nothing crosses until one of them is renamed.
      if (!present(B)) return { action: 'hold', side: 'both', reason: FOLDER_MEETS_FILE };
      return hold(input, { local: false, remote: true }) ?? { action: 'conflict', keep: 'local', other: 'copy', why: 'kind-change' };
    }
    // R is a folder.
    if (!present(L)) return { action: 'none' };
    if (same(L, B)) return { action: 'take-remote' }; // the other side turned the file into a folder
    return hold(input, { local: true, remote: false }) ?? { action: 'conflict', keep: 'remote', other: 'copy', why: 'kind-change' };
  }

  // Only the remote changed.
  if (same(L, B)) {
    const h = hold(input, { local: false, remote: true });
    if (h) return h;
    if (L.kind === 'file' && R.kind === 'link' && !input.remoteChosen) return { action: 'conflict', keep: 'remote', other: 'copy', why: 'link-over-file' };
    return { action: 'take-remote' };
  }

  // Only this machine changed.
  if (same(R, B)) return hold(input, { local: true, remote: false }) ?? { action: 'take-local' };

  // Both changed since B.
  if (!present(B)) {
    // The same content, only another mode: no conflict; the repo's record stands (and a stricter live
    // file stays as strict, see modes.ts).
    if (L.kind === 'file' && R.kind === 'file' && L.oid === R.oid) return hold(input, { local: false, remote: true }) ?? { action: 'take-remote' };
    // Policy 2: first meeting. Both are present here (each differs from an absent B).
    return hold(input, { local: true, remote: true }) ?? { action: 'conflict', keep: 'remote', other: 'copy', why: 'first-meeting' };
  }
  if (!present(L)) return hold(input, { local: false, remote: true }) ?? { action: 'conflict', keep: 'remote', other: 'deleted', why: 'delete-vs-modify' };
  if (!present(R)) return hold(input, { local: true, remote: false }) ?? { action: 'conflict', keep: 'local', other: 'deleted', why: 'delete-vs-modify' };
  const h = hold(input, { local: true, remote: true });
  if (h) return h;
  if (isContent(L) && L.kind === R.kind) return { action: 'merge', fallback: { keep: 'local', other: 'copy', why: 'both-changed' } };
  return { action: 'conflict', keep: 'local', other: 'copy', why: 'kind-change' };
}

/** Mode of a merged file: a side that changed the exec bit wins it; private if either side is. */
export function mergeMode(B: Version, L: Version, R: Version): { exec: boolean; private: boolean } {
  const exec = B.kind === 'file' && !!B.exec === !!L.exec ? !!R.exec : !!L.exec;
  return { exec, private: !!L.private || !!R.private };
}

/** The decision in words, for logs, docs and tests ("R wins; L is in history"). */
export function describeDecision(d: Decision): string {
  switch (d.action) {
    case 'none':
      return 'in sync';
    case 'take-remote':
      return "the repo's version wins; this machine's was the synced one and is in history";
    case 'take-local':
      return "this machine's version wins; the repo's was the synced one and is in history";
    case 'merge':
      return 'both changed: merged by the format; if it cannot, this machine keeps the path and the other goes beside it';
    case 'conflict': {
      const winner = d.keep === 'local' ? "this machine's version" : "the repo's version";
      const loser = d.keep === 'local' ? "the repo's version" : "this machine's version";
      return d.other === 'copy' ? `${winner} keeps the path; ${loser} goes beside it as a conflict copy (${d.why})` : `${winner} keeps the path; ${loser} was a deletion, recorded as a conflict (${d.why})`;
    }
    case 'hold':
      return `held (${d.side}): ${d.reason}`;
  }
}
