/**
 * What a person does to a path on purpose: resolve a conflict, restore a version. Both run under the
 * repo mutex after a reconcile (so whatever the live file holds now is committed first: every choice is
 * undoable), check everything before changing anything, and say clearly what was wrong when they
 * cannot: an unknown revision, a path that does not exist at that revision, a conflict that is not
 * there. They never turn a mistake into a deletion.
 */
import type { SyncContext } from './context.js';
import { mineIndex, versionsOf, conflictCopyName, CONFLICTS_REL, type StoredConflict } from './conflicts.js';
import { resolveCommit, revProblem } from '../git/rev.js';
import { entryAt, blobAt, lsTree } from '../git/tree.js';
import { commitEntries, type IndexChange } from '../git/commit.js';
import { BlobWriter } from '../git/objects.js';
import { blobOid } from '../snapshot/hash.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeLive, deleteLive, decodeLinkTarget, type LiveContent } from '../mirror/live.js';
import { liveMode, parseModes, MODES_REL } from './modes.js';
import { pushActivity } from '../state/app-store.js';
import { dateWords } from '../../../shared/meanings.js';
import { SEALED_SUFFIX, SECRETS_REL } from './sealed.js';
import { chmodSync, lstatSync } from 'node:fs';
import { isFolder } from '../util/fs.js';
import { VARIANT_SEP, describeVariant, specificity, splitVariant, variantSuffix } from './variants.js';

/** A person's request that cannot be carried out; nothing was changed. */
export class ActionError extends Error {
  override name = 'ActionError';
}

/**
 * What the pass before an action (restore, resolve) found on this machine: the live files holding a
 * version that cannot leave it (a half-saved file, a secret, a size limit: held, so in no history), with
 * why; and the repo paths it had to commit (edits made since the last sync). An action never overwrites
 * a held file, whose content would be gone, and never decides over an edit the person has not seen.
 */
export interface BeforeAction {
  held: ReadonlyMap<string, string>;
  committed: ReadonlySet<string>;
}

export const NOTHING_BEFORE: BeforeAction = { held: new Map(), committed: new Set() };

/** From the report of the pass an action runs first. */
export function beforeAction(report: { skipped: readonly { path: string; reason: string; unsynced: boolean }[]; committed: readonly string[] }): BeforeAction {
  return { held: new Map(report.skipped.filter((k) => k.unsynced).map((k) => [k.path, k.reason])), committed: new Set(report.committed) };
}

const CHANGED = Symbol('changed since the pass');

/**
 * The live id an action may write over or delete: the file as the pass it ran first left it. An edit
 * saved after that pass looked (its size or time differs from the snapshot's record of the path, or
 * a file is there that the record lacks, or gone that it has) returns CHANGED, and the action refuses:
 * taking the id read at the moment of writing made such an edit the "expected" content, and it was
 * overwritten without being in any history.
 */
async function asThePassLeftIt(c: SyncContext, repoPath: string, live: string): Promise<string | null | typeof CHANGED> {
  const e = c.snapshot.get(repoPath);
  let st;
  try {
    st = lstatSync(live);
  } catch {
    st = null;
  }
  if (!e || e.dormant) return st ? CHANGED : null;
  if (!st || st.isDirectory()) return CHANGED;
  if (st.size !== e.size || Math.round(st.mtimeMs) !== Math.round(e.mtimeMs)) return CHANGED;
  return c.live.currentId(live);
}

function heldWords(c: SyncContext, live: string, why: string, action: string): string {
  return `${c.paths.pretty(live)} holds changes that cannot be synced (${why}); ${action} would overwrite them, so nothing was changed: save or move that version first`;
}

export type Keep = 'mine' | 'theirs' | 'both';

async function liveContentOf(c: SyncContext, repoPath: string, entry: { mode: string }, bytes: Buffer, live: string): Promise<LiveContent> {
  if (entry.mode === '120000') return { kind: 'link', target: decodeLinkTarget(bytes.toString('utf8'), c.home) };
  const cur = await c.live.read(live, Number.MAX_SAFE_INTEGER);
  const perm = liveMode({ exec: entry.mode === '100755', private: c.modes.isPrivate(repoPath), current: cur.kind === 'file' ? cur.perm : null });
  return { kind: 'file', content: c.formats.codecFor(repoPath, bytes).toLive(bytes, { repoPath, host: c.host, platform: c.platform, currentLive: cur.kind === 'file' ? cur.content : null }), perm };
}

function snapshotAfter(c: SyncContext, repoPath: string, entry: { mode: string; oid: string }, w: { size: number; mtimeMs: number }): void {
  c.snapshot.set(repoPath, { oid: entry.oid, mode: entry.mode, priv: c.modes.isPrivate(repoPath), size: w.size, mtimeMs: w.mtimeMs });
}

/**
 * Resolves the conflict at `path` from this machine's point of view: `mine` is this machine's version,
 * `theirs` the other host's (`from` names it when there are several), `both` keeps mine in the file and
 * the others beside it on this machine as plain local files. The chosen version becomes the live one on
 * every machine; every conflict copy of the path leaves the repo. Returns the words for what was done.
 */
export async function resolveConflict(c: SyncContext, path: string, keep: Keep, from?: string, before: BeforeAction = NOTHING_BEFORE): Promise<string> {
  const g = c.conflicts.get(path);
  if (!g) throw new ActionError(`no conflict recorded for ${path}${c.conflicts.size ? ` (open conflicts: ${c.conflicts.list().map((x) => x.path).join(', ')})` : ''}`);
  const versions = versionsOf(g);
  const mi = mineIndex(g, c.hostNames);
  const others = versions.map((v, i) => ({ v, i })).filter((x) => x.i !== mi);
  let wi = mi;
  if (keep === 'theirs') {
    const pick = from ? others.filter((x) => x.v.host === from) : others;
    if (pick.length === 0) throw new ActionError(`no version from ${from} in this conflict (versions: ${versions.map((v) => v.host).join(', ')})`);
    if (pick.length > 1) throw new ActionError(`${g.path} has ${others.length} other versions (${others.map((x) => x.v.host).join(', ')}): say which with --from HOST`);
    wi = pick[0].i;
  }
  const winner = versions[wi];
  const live = c.paths.toLive(g.path);
  const touched = new Set<string>([CONFLICTS_REL]);
  /** Index changes of the resolution (blobs the repo already has). */
  const changes = new Map<string, { mode: string; oid: string } | null>();
  const pathEntry = await entryAt(c.git, 'HEAD', g.path);
  const changed = () => new ActionError(`${live ? c.paths.pretty(live) : g.path} changed since the conflict was shown; sync, then choose again`);
  for (const guard of c.guards.liveWrite) {
    const why = live ? await guard(live) : null;
    if (why) throw new ActionError(why);
  }
  // The file and the copies this resolution writes or removes here: none may hold an unsynced version,
  // and none may have changed since the conflict was shown (the pass before committed such an edit).
  const overwritten = [...(wi !== 0 ? [g.path] : []), ...g.others.filter((o) => o.copyPath && !(keep === 'both' && o.copyPath !== winner.copyPath)).map((o) => o.copyPath!)];
  for (const p of overwritten) {
    const l = c.paths.toLive(p);
    const why = l ? before.held.get(l) : undefined;
    if (l && why) throw new ActionError(heldWords(c, l, why, 'resolving the conflict'));
    if (before.committed.has(p)) throw changed();
  }
  let chosenOid: string | null = pathEntry?.oid ?? null;

  // "both": the versions that are not mine stay beside the file on this machine, as plain files.
  if (keep === 'both' && live && wi !== 0 && pathEntry) {
    const prior = await c.git.catBlob(pathEntry.oid);
    const beside = c.paths.toLive(conflictCopyName(g.path, versions[0].host === c.host ? 'previous' : versions[0].host, new Date()));
    if (beside) await writeLive(beside, await liveContentOf(c, g.path, pathEntry, prior, beside), null);
  }

  if (wi !== 0) {
    if (winner.deleted) {
      // The deletion wins: the file goes, on every machine (its content stays in history).
      if (live && pathEntry) {
        const cur = await asThePassLeftIt(c, g.path, live);
        if (cur === CHANGED) throw changed();
        if (cur !== null) {
          const d = await deleteLive(live, cur);
          if (d.kind === 'moved') throw changed();
          if (d.kind === 'error') throw new ActionError(d.message);
        }
      }
      changes.set(g.path, null);
      c.snapshot.delete(g.path);
      touched.add(g.path);
      chosenOid = null;
    } else if (winner.copyPath) {
      // The copy's version takes the path.
      const copyEntry = await entryAt(c.git, 'HEAD', winner.copyPath);
      if (!copyEntry) throw new ActionError(`${winner.copyPath} is no longer in the repo; sync, then choose again`);
      const bytes = await c.git.catBlob(copyEntry.oid);
      if (live) {
        const cur = await asThePassLeftIt(c, g.path, live);
        if (cur === CHANGED) throw changed();
        const w = await c.live.write(live, await liveContentOf(c, g.path, copyEntry, bytes, live), cur);
        if (w.kind === 'moved') throw changed();
        if (w.kind === 'error') throw new ActionError(w.message);
        snapshotAfter(c, g.path, copyEntry, w);
      }
      changes.set(g.path, { mode: copyEntry.mode, oid: copyEntry.oid });
      if (c.modes.set(g.path, c.modes.isPrivate(winner.copyPath))) touched.add(MODES_REL);
      touched.add(g.path);
      chosenOid = copyEntry.oid;
    }
  }

  // Every copy leaves the repo; on this machine it leaves the disk too, except the versions "both" keeps.
  for (const o of g.others) {
    if (!o.copyPath) continue;
    const liveCopy = c.paths.toLive(o.copyPath);
    // Read before its record goes: the copy as the pass left it.
    const cur = liveCopy ? await asThePassLeftIt(c, o.copyPath, liveCopy) : null;
    changes.set(o.copyPath, null);
    if (c.modes.set(o.copyPath, false)) touched.add(MODES_REL);
    touched.add(o.copyPath);
    c.snapshot.delete(o.copyPath);
    if (!liveCopy) continue;
    const keptBeside = keep === 'both' && o.copyPath !== winner.copyPath;
    if (keptBeside) continue;
    // A copy edited since the conflict was shown stays here, as a plain file (its edit is in no history).
    if (cur === CHANGED) {
      pushActivity(c.store, 'info', `${c.paths.pretty(liveCopy)} was edited after the conflict was shown, so it was left in place as a plain file`);
      continue;
    }
    if (cur) await deleteLive(liveCopy, cur);
  }
  // "both" where mine was a deletion: the other version stays beside, then the file goes.
  c.conflicts.resolve(g.path, chosenOid);
  c.conflicts.save();
  if (touched.has(MODES_REL)) c.modes.save();
  const keptHost = winner.host;
  const r = await commitWith(c, changes, [...touched].filter((p) => p === MODES_REL || p === CONFLICTS_REL), `${c.host}: resolve conflict in ${g.path} (keep ${keptHost}'s version${keep === 'both' ? ', others kept beside it here' : ''})`);
  if (r.kind === 'error' || r.kind === 'disk-full') throw new Error(r.message);
  if (r.kind === 'committed') c.events.emit('committed', { oid: r.oid, paths: [...touched], reason: 'resolve' });
  await c.snapshot.save();
  const kept = keep === 'both' ? 'kept both: yours in the file, the other beside it' : keep === 'mine' ? 'kept your version' : `kept ${keptHost}'s version`;
  const words = `Conflict in ${g.path.split('/').pop()} resolved (${kept})`;
  pushActivity(c.store, 'resolved', words);
  return words;
}

/** Restores `path` to its version at `rev`. Every check happens before anything changes. */
export async function restoreVersion(c: SyncContext, path: string, rev: string, before: BeforeAction = NOTHING_BEFORE): Promise<string> {
  const r = await resolveCommit(c.git, rev);
  if (r.kind !== 'ok') throw new ActionError(`${revProblem(r)} (see \`confsync history ${path}\` for the versions of this file)`);
  const entry = await entryAt(c.git, r.oid, path);
  if (!entry) throw new ActionError(`${path} does not exist at ${rev} (${r.oid.slice(0, 8)}); nothing was restored (see \`confsync history ${path}\`)`);
  const live = c.paths.toLive(path);
  if (!live) throw new ActionError(`${path} does not belong to an enabled profile on this machine`);
  const held = before.held.get(live);
  if (held) throw new ActionError(heldWords(c, live, held, 'restoring it'));
  if (isFolder(live)) throw new ActionError(`${c.paths.pretty(live)} is a folder now; restoring the file there would replace the folder, so nothing was restored`);
  for (const g of c.guards.liveWrite) {
    const why = await g(live);
    if (why) throw new ActionError(why);
  }
  const bytes = await blobAt(c.git, r.oid, path);
  if (!bytes) throw new ActionError(`${path} cannot be read at ${rev}`);
  // The version comes back with its privacy (0600) as recorded then; a revision from before the record
  // existed leaves the current one.
  const modesThen = await blobAt(c.git, r.oid, MODES_REL);
  const privNow = c.modes.isPrivate(path);
  const modesChanged = modesThen !== null && c.modes.set(path, parseModes(modesThen).has(path));
  // A file stored encrypted is written as its plain text (never the ciphertext), owner-only.
  let content: LiveContent;
  if (c.sealed.isSealed(path)) {
    const plain = await c.sealer.open(bytes).catch(() => null);
    if (!plain) {
      if (modesChanged) c.modes.set(path, privNow);
      throw new ActionError(`${path} is encrypted with your secrets identity, which this machine cannot use; nothing was restored`);
    }
    c.plainIds.set(entry.oid, blobOid(plain));
    const now = await c.live.read(live, Number.MAX_SAFE_INTEGER);
    content = { kind: 'file', content: plain, perm: liveMode({ exec: entry.mode === '100755', private: true, current: now.kind === 'file' ? now.perm : null }) };
  } else content = await liveContentOf(c, path, entry, bytes, live);
  const cur = await asThePassLeftIt(c, path, live);
  if (cur === CHANGED) {
    if (modesChanged) c.modes.set(path, privNow);
    throw new ActionError(`${c.paths.pretty(live)} changed while restoring (an edit saved just now is in no history yet); nothing was restored: try again`);
  }
  const w = await c.live.write(live, content, cur);
  if (w.kind !== 'written' && modesChanged) c.modes.set(path, privNow); // nothing changed: the record neither
  if (w.kind === 'moved') throw new ActionError(`${c.paths.pretty(live)} changed while restoring; try again`);
  if (w.kind === 'error') throw new ActionError(w.message);
  if (modesChanged) c.modes.save();
  snapshotAfter(c, path, entry, w);
  const cm = await commitWith(c, new Map([[path, { mode: entry.mode, oid: entry.oid }]]), modesChanged ? [MODES_REL] : [], `${c.host}: restore ${path} to the version of ${versionWhen((await commitTime(c, r.oid)) * 1000)}`);
  if (cm.kind === 'error' || cm.kind === 'disk-full') throw new Error(cm.message);
  if (cm.kind === 'committed') c.events.emit('committed', { oid: cm.oid, paths: [path], reason: 'restore' });
  await c.snapshot.save();
  const words = `${path.split('/').pop()} restored to an earlier version`;
  pushActivity(c.store, 'restored', words);
  return words;
}

/** Commits index changes of blobs the repo has, plus ConfSync's own files from the working tree. */
async function commitWith(c: SyncContext, changes: Map<string, { mode: string; oid: string } | null>, ownFiles: string[], message: string) {
  const blobs = new BlobWriter(c.git);
  const all: IndexChange[] = [...changes].map(([path, e]) => (e ? { path, ...e } : { path, remove: true as const }));
  for (const p of ownFiles) {
    const abs = join(c.repoDir, ...p.split('/'));
    if (!existsSync(abs)) {
      all.push({ path: p, remove: true });
      continue;
    }
    const bytes = readFileSync(abs);
    await blobs.add(bytes);
    all.push({ path: p, mode: '100644', oid: blobOid(bytes) });
  }
  await blobs.flush();
  return commitEntries(c.git, all, message, c.host);
}

async function commitTime(c: SyncContext, oid: string): Promise<number> {
  return Number((await c.git.raw(['show', '-s', '--format=%ct', oid], { readonly: true })).trim()) || 0;
}

/** Every repo path a person may name: files at HEAD, open conflicts, and files that existed in history. */
export async function knownPaths(c: SyncContext, opts: { history?: boolean } = {}): Promise<string[]> {
  const out = new Set<string>();
  for (const p of (await lsTree(c.git, 'HEAD')).keys()) if (!p.startsWith('.confsync/')) out.add(p);
  for (const x of c.conflicts.list()) out.add(x.path);
  if (opts.history) {
    const log = await c.git.raw(['log', '--format=', '--name-only', '-z', '-n', '2000'], { readonly: true }).catch(() => '');
    for (const p of log.split(/[\0\n]/)) if (p && !p.startsWith('.confsync/')) out.add(p);
  }
  return [...out];
}

export type { StoredConflict };

/** A variant of a synced file as people see it. */
export interface VariantView {
  /** The repo path of the variant (`git/.gitconfig##host.work-mbp`); the default is the base path. */
  path: string;
  /** `host.work-mbp`, or null for the default. */
  suffix: string | null;
  /** "host work-mbp", "class work and macOS", "the default". */
  words: string;
  /** The one this machine uses. */
  here: boolean;
  /** Held in the repo now (the default of a file that only has variants may not be). */
  exists: boolean;
}

/** The base repo path (a profile's own path) named by a PATH argument: live, `~/…`, base or variant. */
function variantBase(repoPath: string): string {
  return splitVariant(repoPath)?.base ?? repoPath;
}

/** Every variant of the file at `path` (default first), and which one is live here. */
export async function listVariants(c: SyncContext, path: string): Promise<VariantView[]> {
  const base = variantBase(path);
  const head = await lsTree(c.git, 'HEAD');
  return c.paths.variants.list(base).map((v) => ({ path: v.repoPath, suffix: v.suffix, words: describeVariant(v.suffix), here: v.here, exists: head.has(v.repoPath) }));
}

/**
 * Creates a variant of a synced file from this machine's current version (`spec`: `host:NAME`,
 * `class:NAME`, `os:macos|linux|windows`, several joined by commas). The file as the repo holds it for
 * this machine (its own keys taken out, as every commit does) becomes the variant; nothing live changes
 * on any machine until someone edits it: a machine the variant matches goes on holding the same bytes.
 */
export async function addVariant(c: SyncContext, path: string, spec: string): Promise<string> {
  const sfx = variantSuffix(spec);
  if (!sfx.ok) throw new ActionError(sfx.message);
  const base = variantBase(path);
  // One encrypted file and per-machine versions of it do not mix: the variant would be stored under
  // the encrypted name and reach machines it is not for.
  if (c.sealed.isSealed(path) || c.sealed.isSealed(base) || c.sealed.has(base)) {
    throw new ActionError(`${base} is stored encrypted; variants of an encrypted file are not supported (stop encrypting it first with \`confsync secret remove\`, or keep one version for every machine)`);
  }
  const target = `${base}${VARIANT_SEP}${sfx.suffix}`;
  const head = await lsTree(c.git, 'HEAD');
  if (head.has(target)) throw new ActionError(`${target} already exists; edit it on a machine that uses it (see \`confsync variant list ${base}\`)`);
  const usedHere = c.paths.used(base);
  const entry = head.get(usedHere);
  if (!entry) throw new ActionError(`${base} is not in the repo yet; sync it first, then add a variant`);
  if (entry.mode === '120000') throw new ActionError(`${base} is a link; variants are for files`);
  const cm = await commitWith(c, new Map([[target, { mode: entry.mode, oid: entry.oid }]]), [], `${c.host}: add variant ${target}`);
  if (cm.kind === 'error' || cm.kind === 'disk-full') throw new Error(cm.message);
  if (cm.kind === 'committed') c.events.emit('committed', { oid: cm.oid, paths: [target], reason: 'variant' });
  const conds = splitVariant(target)!.conds;
  const here = specificity(conds, c.paths.variants.machine()) > 0;
  const words = `${target.split('/').pop()} created from ${usedHere === base ? 'the default' : usedHere.split('/').pop()}; ${here ? 'this machine uses it from now on' : `it applies on machines with ${describeVariant(sfx.suffix)}`}`;
  pushActivity(c.store, 'commit', words);
  return words;
}

// ------------------------------------------------------------------------------------ encrypted files

export interface SecretView {
  /** The file as people name it (`zsh/.npmrc`); the repo holds `zsh/.npmrc.age`. */
  path: string;
  live: string | null;
  /** This machine holds the identity and can open it. */
  canOpen: boolean;
}

export async function listSecrets(c: SyncContext): Promise<SecretView[]> {
  c.sealed.reload();
  const ready = await c.sealer.ready();
  return c.sealed.list().map((p) => ({ path: p, live: c.paths.toLive(`${p}${SEALED_SUFFIX}`), canOpen: ready }));
}

/**
 * Marks a synced file as a secret: from now on the repo holds it encrypted (`PATH.age`) for the
 * person's identity (created here on the first use), and the plain version leaves the repo's tree. The
 * live file stays plain, owner-only (0600). Words warn when plain versions remain in history.
 */
export async function addSecret(c: SyncContext, plainPath: string): Promise<string> {
  c.sealed.reload();
  if (plainPath.endsWith(SEALED_SUFFIX) && c.sealed.has(plainPath.slice(0, -SEALED_SUFFIX.length))) plainPath = plainPath.slice(0, -SEALED_SUFFIX.length);
  if (c.sealed.has(plainPath)) throw new ActionError(`${plainPath} is already encrypted in the repo (see \`confsync secret list\`)`);
  const vbase = variantBase(plainPath);
  const variants = [...(await lsTree(c.git, 'HEAD')).keys()].filter((p) => p.startsWith(`${vbase}${VARIANT_SEP}`));
  if (variants.length) throw new ActionError(`${vbase} has per-machine variants (${variants.join(', ')}); encrypting a file with variants is not supported: remove them first`);
  const live = c.paths.toLive(plainPath);
  if (!live) throw new ActionError(`${plainPath} does not belong to an enabled profile on this machine`);
  const cur = await c.live.read(live, Number.MAX_SAFE_INTEGER);
  if (cur.kind !== 'file') throw new ActionError(`${c.paths.pretty(live)} is not a file here${cur.kind === 'absent' ? ' (it does not exist)' : ''}; only files can be encrypted`);
  // A repo that already holds encrypted files has an identity: a second one would lock this machine
  // out of them (and them out of this machine's files).
  if (c.sealed.list().length && !(await c.sealer.ready())) {
    throw new ActionError('this repo already holds encrypted files, made with your secrets identity, which this machine does not have yet: import it first (`confsync secret import FILE`, or paste it in Preferences → Health)');
  }
  const ensured = await c.sealer.ensure();
  const cipher = await c.sealer.seal(cur.content);
  const sealedPath = `${plainPath}${SEALED_SUFFIX}`;
  const blobs = new BlobWriter(c.git);
  await blobs.add(cipher);
  await blobs.flush();
  const cipherOid = blobOid(cipher);
  c.plainIds.set(cipherOid, cur.oid);
  const head = await lsTree(c.git, 'HEAD');
  const changes = new Map<string, { mode: string; oid: string } | null>([[sealedPath, { mode: (cur.perm & 0o100) !== 0 ? '100755' : '100644', oid: cipherOid }]]);
  if (head.has(plainPath)) changes.set(plainPath, null);
  c.sealed.add(plainPath);
  c.sealed.save();
  c.modes.reload();
  c.modes.set(sealedPath, true);
  c.modes.set(plainPath, false);
  c.modes.save();
  const cm = await commitWith(c, changes, [SECRETS_REL, MODES_REL], `${c.host}: encrypt ${plainPath}`);
  if (cm.kind === 'error' || cm.kind === 'disk-full') {
    c.sealed.remove(plainPath);
    c.sealed.save();
    throw new Error(cm.message);
  }
  if (cm.kind === 'committed') c.events.emit('committed', { oid: cm.oid, paths: [sealedPath], reason: 'secret' });
  // The live file is a secret now: owner-only, as it arrives on every other machine.
  if ((cur.perm & 0o077) !== 0) chmodSync(live, cur.perm & 0o700);
  const st = lstatSync(live);
  c.snapshot.delete(plainPath);
  c.snapshot.set(sealedPath, { oid: cipherOid, mode: changes.get(sealedPath)!.mode, priv: true, size: st.size, mtimeMs: st.mtimeMs });
  await c.snapshot.save();
  c.plainIds.save();
  const earlier = (await c.git.raw(['log', '--format=%h', '-n', '2', '--', plainPath], { readonly: true }).catch(() => '')).trim();
  const words = [
    `${plainPath.split('/').pop()} is now encrypted in the repo (${sealedPath.split('/').pop()}); the live file stays as it is, owner-only`,
    ensured.created ? `a secrets identity was created for you and kept in ${ensured.where}; bring it to your other machines with \`confsync secret identity\`` : '',
    earlier ? 'its earlier plain versions remain in the repo\'s history: change the secret if others can read the remote' : '',
  ].filter(Boolean);
  pushActivity(c.store, 'secret', words[0]);
  // What the secrets guard found in the plain file is not a problem any more: it never reaches the repo.
  c.store.setState((st) => ({ secrets: st.secrets.filter((f) => f.path !== plainPath) }));
  return words.join('. ');
}

/**
 * Stops encrypting a file: its `.age` leaves the repo's tree and the list. The live file stays. From
 * then on it is an ordinary file again, which the secrets guard keeps out of the repo while it holds
 * a secret.
 */
export async function removeSecret(c: SyncContext, plainPath: string): Promise<string> {
  c.sealed.reload();
  if (plainPath.endsWith(SEALED_SUFFIX)) plainPath = plainPath.slice(0, -SEALED_SUFFIX.length);
  if (!c.sealed.has(plainPath)) {
    const list = c.sealed.list();
    throw new ActionError(`${plainPath} is not an encrypted file${list.length ? ` (encrypted: ${list.join(', ')})` : ' (none are; see `confsync secret add`)'}`);
  }
  const sealedPath = `${plainPath}${SEALED_SUFFIX}`;
  c.sealed.remove(plainPath);
  c.sealed.save();
  c.modes.reload();
  c.modes.set(sealedPath, false);
  c.modes.save();
  const head = await lsTree(c.git, 'HEAD');
  const changes = new Map<string, { mode: string; oid: string } | null>();
  if (head.has(sealedPath)) changes.set(sealedPath, null);
  const cm = await commitWith(c, changes, [SECRETS_REL, MODES_REL], `${c.host}: stop encrypting ${plainPath}`);
  if (cm.kind === 'error' || cm.kind === 'disk-full') throw new Error(cm.message);
  c.snapshot.delete(sealedPath);
  await c.snapshot.save();
  const words = `${plainPath.split('/').pop()} is no longer encrypted; the live file stays, and it syncs as an ordinary file unless it holds a secret`;
  pushActivity(c.store, 'secret', words);
  return words;
}

/** "4 Dec 2026 14:05" (local time), for commit subjects people read in the history. */
function versionWhen(at: number): string {
  const d = new Date(at);
  return `${dateWords(at)} ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
