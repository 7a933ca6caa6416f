/**
 * Merging the remote's commits into ours through the same rule, per path, without git's own merge:
 * B is the merge base (the empty tree for unrelated histories: a joining machine), L is ours, R theirs.
 * The result is built in a temporary index and committed with both parents, so the repo is never left
 * mid-merge and git never writes its internal conflict names (`d~HEAD`) anywhere. Conflicts are
 * resolved before this returns, by the one keep-both policy: the path keeps one version, the other
 * goes beside it as a conflict copy named after its host, and `.confsync/conflicts.json` records it in
 * the same commit.
 */
import { decide, mergeMode, ABSENT, DIR, type Version, type Decision } from './rule.js';
import type { SyncContext } from './context.js';
import { changedEntries, type EntryChange } from '../git/diff.js';
import { lsTree, mergeBase, isAncestor, revParse, foldersOf, type TreeEntry } from '../git/tree.js';
import { buildCommit, fastForward, type EntryWrite } from '../git/build-commit.js';
import { writeBlob } from '../git/objects.js';
import { lastTouch } from '../git/log.js';
import { classifyGitError, gitMessage } from '../git/runner.js';
import { faultPoint } from '../util/fault.js';
import { freeCopyName, copyOriginal, isConflictCopy, parseConflictsFile, serializeConflicts, mergeGroups, groupOf, CONFLICTS_REL, type StoredConflict } from './conflicts.js';
import { MODES_REL, parseModes, serializeModes } from './modes.js';
import { SEALED_SUFFIX, SECRETS_REL, parseSecretsFile, mergeSecretsFiles } from './sealed.js';
import { blobOid } from '../snapshot/hash.js';
import { isPlistName, sameInRepoForm } from './repo-form.js';

export type MergeResult =
  | { kind: 'up-to-date' }
  | { kind: 'fast-forward'; from: string | null; to: string }
  | { kind: 'merged'; from: string; to: string; conflicts: StoredConflict[] }
  | { kind: 'disk-full' | 'error'; message: string };

function version(e: TreeEntry | null | undefined, dirs: Set<string>, path: string, priv: Set<string>): Version {
  if (e) return e.mode === '120000' ? { kind: 'link', oid: e.oid } : { kind: 'file', oid: e.oid, exec: e.mode === '100755', private: priv.has(path) };
  return dirs.has(path) ? DIR : ABSENT;
}

/**
 * `established`: this machine had synced with the remote before (it is adopting a history that has
 * nothing in common with its own, not joining): see the first-meeting rule below.
 */
export async function mergeRemote(c: SyncContext, remoteRef: string, opts: { established?: boolean } = {}): Promise<MergeResult> {
  const git = c.git;
  const head = await revParse(git, 'HEAD');
  const remote = await revParse(git, remoteRef);
  if (!remote) return { kind: 'up-to-date' };
  if (head && (head === remote || (await isAncestor(git, remote, head)))) return { kind: 'up-to-date' };
  try {
    if (!head || (await isAncestor(git, head, remote))) {
      faultPoint('merge');
      if (head) await fastForward(git, remote);
      else await git.raw(['reset', '-q', '--hard', remote]);
      return { kind: 'fast-forward', from: head, to: remote };
    }
    const base = await mergeBase(git, head, remote);
    const [ours, theirs] = await Promise.all([changedEntries(git, base, head), changedEntries(git, base, remote)]);
    const oursTree = await lsTree(git, head);
    const theirsTree = await lsTree(git, remote);
    const baseTree = base ? await lsTree(git, base) : new Map<string, TreeEntry>();
    const byPath = (list: EntryChange[]) => new Map(list.map((x) => [x.path, x]));
    const oursBy = byPath(ours);
    const theirsBy = byPath(theirs);
    const oursDirs = foldersOf(oursTree.keys());
    const theirsDirs = foldersOf(theirsTree.keys());
    const blob = async (oid: string) => git.catBlob(oid);
    const privOf = async (tree: Map<string, TreeEntry>) => parseModes(tree.get(MODES_REL) ? await blob(tree.get(MODES_REL)!.oid) : null);
    const [privB, privL, privR] = await Promise.all([privOf(baseTree), privOf(oursTree), privOf(theirsTree)]);

    // Encrypted files (listed on either side) merge as their plain text, inside this process only.
    const [secB, secL, secR] = await Promise.all([baseTree, oursTree, theirsTree].map(async (t) => parseSecretsFile(t.get(SECRETS_REL) ? await blob(t.get(SECRETS_REL)!.oid) : null)));
    const sealedPlain = (p: string): string | null => {
      if (!p.endsWith(SEALED_SUFFIX)) return null;
      const plain = p.slice(0, -SEALED_SUFFIX.length);
      const orig = isConflictCopy(plain) ? copyOriginal(plain) : plain;
      return orig && (secL.has(orig) || secR.has(orig)) ? plain : null;
    };
    const theirsChosen = theirsTree.get(CONFLICTS_REL) ? parseConflictsFile(await blob(theirsTree.get(CONFLICTS_REL)!.oid)).chosen : new Map<string, { oid: string | null }>();
    const writes = new Map<string, EntryWrite['entry']>();
    /** A copy name no side holds, changes or writes (see freeCopyName). */
    const copyName = (p: string, host: string) => freeCopyName(p, host, now, (n) => writes.has(n) || oursTree.has(n) || theirsTree.has(n) || baseTree.has(n) || oursBy.has(n) || theirsBy.has(n));
    const conflicts: StoredConflict[] = [];
    const now = new Date();
    const theirsHost = async (p: string) => lastTouch(git, remote, p);
    const oursHost = async (p: string) => {
      const t = await lastTouch(git, head, p);
      return t.host === 'another machine' ? { host: c.host, at: t.at } : t;
    };

    // Paths only their side changed: take theirs. Paths both changed: the rule.
    for (const [path, t] of theirsBy) {
      if (path === CONFLICTS_REL || path === MODES_REL || path === SECRETS_REL) continue;
      const o = oursBy.get(path);
      if (!o) {
        // Ours kept the base version here; but ours may have a folder (or a file) where theirs has the other.
        writes.set(path, t.after);
        continue;
      }
      const B = version(baseTree.get(path), new Set(), path, privB);
      const L = version(oursTree.get(path), oursDirs, path, privL);
      const R = version(theirsTree.get(path), theirsDirs, path, privR);
      // A link a person chose in a resolution (theirs says so) is taken as chosen, not questioned again.
      const remoteChosen = R.kind === 'link' && theirsChosen.get(path)?.oid === R.oid;
      let d: Decision = decide({ base: B, local: L, remote: R, remoteChosen });
      // Two histories with nothing in common on a machine that had synced with this remote (it was
      // recreated or replaced, and adopted on purpose): this machine is not joining, its files are synced
      // ones. A path both hold differently is a conflict where it keeps its own (policy 3), not a first
      // meeting the remote's version wins. (A machine joining after syncing on its own meets them as a
      // joiner: policy 2.)
      if (!base && opts.established && d.action === 'conflict' && d.why === 'first-meeting') d = { action: 'conflict', keep: 'local', other: 'copy', why: 'both-changed' };
      await carryOut(path, d, B, L, R);
    }

    async function carryOut(path: string, d: Decision, B: Version, L: Version, R: Version): Promise<void> {
      const oe = oursTree.get(path) ?? null;
      const te = theirsTree.get(path) ?? null;
      switch (d.action) {
        case 'none':
        case 'take-local':
        case 'hold':
          return; // ours stays
        case 'take-remote':
          writes.set(path, te);
          return;
        case 'merge': {
          if (oe && te) {
            const mode = mergeMode(B, L, R);
            const gitMode = oe.mode === '120000' ? '120000' : mode.exec ? '100755' : '100644';
            if (oe.oid === te.oid) {
              writes.set(path, { mode: gitMode, oid: oe.oid });
              return;
            }
            const plainPath = sealedPlain(path);
            if (plainPath && oe.mode !== '120000') {
              const merged = await mergeSealed(plainPath, B.kind === 'file' ? B.oid! : null, oe.oid, te.oid);
              if (merged && 'oid' in merged) {
                writes.set(path, { mode: gitMode, oid: merged.oid });
                return;
              }
              await keepBoth(path, 'local', 'copy', merged?.details ?? [], 'both-changed');
              return;
            }
            const baseBytes = B.kind === 'file' || B.kind === 'link' ? await blob(B.oid!).catch(() => null) : null;
            const m = oe.mode !== '120000' ? await c.formats.merge(path, baseBytes, await blob(oe.oid), await blob(te.oid)) : null;
            if (m?.clean) {
              writes.set(path, { mode: gitMode, oid: await writeBlob(git, m.content) });
              return;
            }
            await keepBoth(path, 'local', 'copy', m && !m.clean ? m.details : [], 'both-changed');
            // What merged of it (every part but the conflicting ones) holds the path, not ours alone.
            if (m && !m.clean && m.partial) writes.set(path, { mode: gitMode, oid: await writeBlob(git, m.partial) });
            return;
          }
          return;
        }
        case 'conflict':
          // Two first versions that hold the same settings in two repo forms (an older version's binary
          // plist and this one's XML): the XML stays, nothing conflicts.
          if (d.why === 'first-meeting' && oe && te && oe.mode !== '120000' && te.mode !== '120000' && isPlistName(path)) {
            const same = sameInRepoForm(await blob(oe.oid), await blob(te.oid), c.settings().sync.maxFileBytes);
            if (same) {
              if (same === 'b') writes.set(path, te);
              return;
            }
          }
          await keepBoth(path, d.keep, d.other, [], d.why);
          return;
      }
    }

    /** A clean merge of an encrypted file's plain texts, sealed again; null without the identity. */
    async function mergeSealed(plainPath: string, baseOid: string | null, oursOid: string, theirsOid: string): Promise<{ oid: string } | { details: string[] } | null> {
      if (!(await c.sealer.ready())) return null;
      const open = async (oid: string) => {
        const plain = await c.sealer.open(await blob(oid));
        if (plain) c.plainIds.set(oid, blobOid(plain));
        return plain;
      };
      const [pb, po, pt] = await Promise.all([baseOid ? open(baseOid).catch(() => null) : null, open(oursOid), open(theirsOid)]);
      if (!po || !pt) return null;
      const m = await c.formats.merge(plainPath, pb, po, pt);
      if (!m.clean) return { details: m.details };
      const cipher = await c.sealer.seal(m.content);
      const oid = await writeBlob(git, cipher);
      c.plainIds.set(oid, blobOid(m.content));
      return { oid };
    }

    async function keepBoth(path: string, keep: 'local' | 'remote', other: 'copy' | 'deleted', details: string[], why: string): Promise<void> {
      const oe = oursTree.get(path) ?? null;
      const te = theirsTree.get(path) ?? null;
      const [mine, them] = await Promise.all([oursHost(path), theirsHost(path)]);
      const keptSide = keep === 'local' ? mine : them;
      const otherSide = keep === 'local' ? them : mine;
      const keptEntry = keep === 'local' ? oe : te;
      const otherEntry = keep === 'local' ? te : oe;
      writes.set(path, keptEntry);
      let copyPath: string | null = null;
      if (other === 'copy' && otherEntry) {
        copyPath = copyName(path, otherSide.host);
        writes.set(copyPath, otherEntry);
      }
      const kind: StoredConflict['kind'] =
        why === 'delete-vs-modify' ? 'delete-vs-modify' : why === 'first-meeting' ? 'first-meeting' : why === 'kind-change' || why === 'link-over-file' ? 'kind-change' : /Keyboard Maestro Macros\.plist$/.test(path) ? 'km-macro' : details.length && details.every((x) => /^key |^profile /.test(x)) ? 'structured' : 'text';
      conflicts.push({
        path,
        copyPath,
        kind,
        atPath: { host: keptSide.host, at: keptSide.at, deleted: false },
        other: { host: otherSide.host, at: otherSide.at, deleted: other === 'deleted' },
        details,
        detectedAt: now.getTime(),
        detectedBy: c.host,
      });
    }

    // Folders against files (policy 1): a file left where the merged tree has a folder goes beside it.
    const merged = new Map(oursTree);
    for (const [p, e] of writes) {
      if (e) merged.set(p, e);
      else merged.delete(p);
    }
    const mergedDirs = foldersOf(merged.keys());
    for (const [p, e] of [...merged]) {
      if (!mergedDirs.has(p)) continue;
      // `p` is a file and a folder at once: the folder wins, the file goes beside it.
      const fromTheirs = theirsTree.get(p)?.oid === e.oid && oursTree.get(p)?.oid !== e.oid;
      const side = fromTheirs ? await theirsHost(p) : await oursHost(p);
      const copyPath = copyName(p, side.host);
      writes.set(p, null);
      writes.set(copyPath, e);
      merged.delete(p);
      const folderSide = fromTheirs ? await oursHost(p) : await theirsHost(p);
      conflicts.push({
        path: p,
        copyPath,
        kind: 'kind-change',
        atPath: { host: folderSide.host, at: folderSide.at, deleted: false },
        other: { host: side.host, at: side.at, deleted: false },
        details: [],
        detectedAt: now.getTime(),
        detectedBy: c.host,
      });
    }

    // The repo's own files: modes merge by path (private wins), conflicts by record, plus the new ones.
    const bytesAt = async (tree: Map<string, TreeEntry>, p: string) => (tree.get(p) ? await blob(tree.get(p)!.oid) : null);
    let modesOut: Set<string> | null = null;
    if (oursBy.has(MODES_REL) || theirsBy.has(MODES_REL)) {
      const m = await c.formats.merge(MODES_REL, await bytesAt(baseTree, MODES_REL), (await bytesAt(oursTree, MODES_REL)) ?? Buffer.from('{}'), (await bytesAt(theirsTree, MODES_REL)) ?? Buffer.from('{}'));
      if (m.clean) modesOut = parseModes(m.content);
    }
    // A path in conflict that was private on any side stays private, and so does its copy: the copy holds
    // one of those versions, and a deletion's dropped record is no loosening of the version kept.
    const stillPrivate = conflicts.filter((x) => privB.has(x.path) || privL.has(x.path) || privR.has(x.path)).flatMap((x) => (x.copyPath ? [x.path, x.copyPath] : [x.path]));
    if (stillPrivate.length) {
      modesOut ??= new Set(privL);
      for (const p of stillPrivate) modesOut.add(p);
    }
    if (modesOut) writes.set(MODES_REL, { mode: '100644', oid: await writeBlob(git, Buffer.from(serializeModes(modesOut))) });
    if (oursBy.has(SECRETS_REL) || theirsBy.has(SECRETS_REL)) {
      const changedSealed = (plain: string) => {
        const age = `${plain}${SEALED_SUFFIX}`;
        return (secL.has(plain) && !!oursBy.get(age)?.after) || (secR.has(plain) && !!theirsBy.get(age)?.after);
      };
      writes.set(SECRETS_REL, { mode: '100644', oid: await writeBlob(git, mergeSecretsFiles(secB, secL, secR, changedSealed)) });
    }
    if (oursBy.has(CONFLICTS_REL) || theirsBy.has(CONFLICTS_REL) || conflicts.length) {
      const b = await bytesAt(baseTree, CONFLICTS_REL);
      const o = await bytesAt(oursTree, CONFLICTS_REL);
      const t = await bytesAt(theirsTree, CONFLICTS_REL);
      const empty = Buffer.from(serializeConflicts(new Map()));
      const m = await c.formats.merge(CONFLICTS_REL, b, o ?? empty, t ?? empty);
      const file = parseConflictsFile(m.clean ? m.content : (o ?? empty));
      // A new finding on a path already in conflict joins that conflict: no version is ever hidden.
      for (const x of conflicts) {
        const old = file.conflicts.get(x.path);
        file.conflicts.set(x.path, old ? mergeGroups(old, groupOf(x)) : groupOf(x));
      }
      writes.set(CONFLICTS_REL, { mode: '100644', oid: await writeBlob(git, Buffer.from(serializeConflicts(file.conflicts, file.chosen))) });
    }

    const changes: EntryWrite[] = [...writes].map(([path, entry]) => ({ path, entry }));
    faultPoint('merge');
    const fromHost = (await lastTouch(git, remote, '.')).host;
    const commit = await buildCommit(git, { base: head, changes, parents: [head, remote], message: `${c.host}: merge changes from ${fromHost}`, host: c.host });
    faultPoint('merge-commit');
    await fastForward(git, commit);
    return { kind: 'merged', from: head, to: commit, conflicts };
  } catch (e) {
    const kind = classifyGitError(e);
    return { kind: kind === 'disk-full' ? 'disk-full' : 'error', message: gitMessage(e) };
  }
}
