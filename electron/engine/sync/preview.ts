/**
 * What a sync would do here, before it does it: chezmoi's `apply --dry-run` and `diff`, and the
 * preview of joining a repo. Changes nothing: the remote is fetched into a ref of its own (so a fresh
 * repo stays "pristine" and still joins the remote's history file by file), and the live side is a
 * dry-run pass.
 *
 * Incoming: what changed on the remote since the two histories met (everything, for a machine that
 * has not joined yet), per live path here:
 * - arrives: not here yet; replaces: yours was not changed since it was synced;
 * - yours kept beside: joining with a different version of your own (the repo's version becomes the
 *   live one and yours stays beside it as a conflict copy, policy 2);
 * - both changed: merged when the edits do not touch, else both kept;
 * - removed: deleted on the remote, unchanged here; same: already identical.
 * Outgoing: edits here not yet committed (new, changed, removed).
 * Profiles: each profile with files in the repo, and whether it is on here; joining turns on those
 * whose files exist on this machine and lists the others.
 */
import type { SyncContext } from './context.js';
import type { Reconciler } from './reconcile.js';
import { SPECIAL } from './pass.js';
import { isPristine } from './cycle.js';
import { changedEntries } from '../git/diff.js';
import { lsTree, mergeBase } from '../git/tree.js';
import { blobAt } from '../git/tree.js';
import { classifyGitError, gitMessage } from '../git/runner.js';
import { readHead, readRef } from '../git/refs.js';
import { loadCatalog } from '../profiles/catalog.js';
import { resolveProfile, repoToLive, findProfileForRepoPath, type ResolvedProfile } from '../profiles/paths.js';
import { isDetected } from '../profiles/scan.js';
import { ProfileDefinition } from '../../../shared/contract.js';
import { PROFILES_REL } from '../profiles-set.js';
import { currentLiveId } from '../mirror/live.js';
import type { SyncPreview, PreviewItem } from '../../../shared/contract.js';

const PREVIEW_REF = 'refs/confsync/preview';

const WORDS: Record<PreviewItem['what'], string> = {
  arrives: 'arrives from the repo',
  replaces: 'arrives from the repo (yours was not changed since it was synced)',
  'yours-kept-beside': 'kept: yours is different, and becomes a conflict copy beside the repo\'s version',
  'both-changed': 'changed here and in the repo: merged when the edits do not touch, else both kept',
  removed: 'removed (deleted in the repo; yours was not changed)',
  same: 'already the same here',
  held: 'held back',
  new: 'sent: only here',
  changed: 'sent: changed here',
  deleted: 'sent: deleted here',
};

export function previewWords(what: PreviewItem['what']): string {
  return WORDS[what];
}

async function fetchForPreview(c: SyncContext, target: { url?: string; branch?: string }): Promise<{ head: string | null } | { offline: string }> {
  const branch = target.branch ?? c.settings().remote.branch;
  try {
    // --refmap= : no opportunistic update of refs/remotes/origin/* (a fresh repo must stay pristine).
    // An address not saved yet is fetched from directly: nothing is saved by looking.
    await c.git.raw(['fetch', '--no-tags', '--refmap=', target.url ?? 'origin', `+refs/heads/${branch}:${PREVIEW_REF}`], { network: true });
    return { head: readRef(c.repoDir, PREVIEW_REF) };
  } catch (e) {
    const m = gitMessage(e);
    if (/couldn't find remote ref/i.test(m)) return { head: null };
    return { offline: `${classifyGitError(e)}: ${m.split('\n')[0]}` };
  }
}

async function definitionsAt(c: SyncContext, rev: string): Promise<ProfileDefinition[]> {
  const out = new Map<string, ProfileDefinition>();
  for (const d of loadCatalog()) out.set(d.name.toLowerCase(), d);
  for (const d of c.profiles.definitions()) out.set(d.name.toLowerCase(), d);
  const bytes = await blobAt(c.git, rev, PROFILES_REL).catch(() => null);
  if (bytes) {
    try {
      const raw = JSON.parse(bytes.toString('utf8')) as { profiles?: unknown[] };
      for (const p of raw.profiles ?? []) {
        const r = ProfileDefinition.safeParse(p);
        if (r.success) out.set(r.data.name.toLowerCase(), r.data);
      }
    } catch {
      // an unreadable list: the catalog and this machine's definitions still name most profiles
    }
  }
  return [...out.values()];
}

export async function previewSync(c: SyncContext, reconciler: Reconciler, target: { url?: string; branch?: string } = {}): Promise<SyncPreview> {
  const s = c.settings();
  const url = target.url ?? s.remote.url;
  let joining = !!url && (await isPristine(c));
  let remoteHead: string | null = null;
  let offline: string | null = null;
  if (url) {
    const f = await fetchForPreview(c, target);
    if ('offline' in f) offline = f.offline;
    else remoteHead = f.head;
  }
  const local = await reconciler.run({ all: true }, { reason: 'preview', dryRun: true });
  const head = readHead(c.repoDir);
  // A repo with its own history that shares none with the remote's (this machine ran before it was
  // given a remote) meets the repo file by file too, like a fresh one.
  const base = remoteHead && head && !joining ? await mergeBase(c.git, head, remoteHead) : null;
  if (remoteHead && head && !joining && !base) joining = true;

  // Profiles with files in the repo (as it will be after the sync).
  const tree = remoteHead ? await lsTree(c.git, remoteHead) : head ? await lsTree(c.git, head) : new Map();
  const counts = new Map<string, number>();
  for (const p of tree.keys()) {
    if (p.startsWith(SPECIAL)) continue;
    const top = p.split('/')[0]!;
    counts.set(top, (counts.get(top) ?? 0) + 1);
  }
  const defs = await definitionsAt(c, remoteHead ?? head ?? 'HEAD');
  const enabled = new Set((s.enabledProfiles ?? []).map((n) => n.toLowerCase()));
  const profiles: SyncPreview['profiles'] = [];
  const willEnable: ResolvedProfile[] = [];
  for (const [name, files] of [...counts].sort()) {
    const def = defs.find((d) => d.name.toLowerCase() === name.toLowerCase());
    if (!def) continue;
    const on = enabled.has(name.toLowerCase());
    const detected = on || (await isDetected(def, { home: c.home, platform: c.platform }).catch(() => false));
    const will = joining && !on && detected;
    profiles.push({ name: def.name, title: def.title ?? def.name, files, enabled: on, detected, willEnable: will });
    if (will) {
      try {
        willEnable.push(resolveProfile(def, { home: c.home, platform: c.platform }));
      } catch {
        // a definition this machine cannot resolve stays off
      }
    }
  }
  const liveOf = (p: string): string | null => c.paths.toLive(p) ?? (() => {
    const prof = findProfileForRepoPath(willEnable, p);
    return prof ? repoToLive(prof, p) : null;
  })();

  // Incoming: what the remote changed since the histories met.
  const incoming: PreviewItem[] = [];
  const outgoingPaths = new Map(local.plan.filter((a) => a.action === 'take-local' || a.action === 'merge' || a.action === 'conflict').map((a) => [a.path, a]));
  if (remoteHead && remoteHead !== head) {
    for (const ch of await changedEntries(c.git, joining ? null : base, remoteHead)) {
      if (ch.path.startsWith(SPECIAL)) continue;
      const live = liveOf(ch.path);
      if (!live) continue;
      const cur = currentLiveIdSafe(live);
      const after = ch.after?.oid ?? null;
      let what: PreviewItem['what'];
      if (after === null) what = cur === null ? 'same' : 'removed';
      else if (cur === null) what = 'arrives';
      else if (cur === after) what = 'same';
      else if (joining || !c.snapshot.get(ch.path)) what = 'yours-kept-beside';
      else if (outgoingPaths.has(ch.path)) what = 'both-changed';
      else what = 'replaces';
      if (what === 'removed' && outgoingPaths.has(ch.path)) what = 'both-changed';
      incoming.push({ path: ch.path, live, what, words: WORDS[what] });
    }
  }
  const incomingPaths = new Set(incoming.map((i) => i.path));
  const outgoing: PreviewItem[] = [];
  for (const a of local.plan) {
    if (a.action !== 'take-local' || incomingPaths.has(a.path)) continue;
    const inHead = head ? (await lsTreeHas(c, head, a.path)) : false;
    const exists = currentLiveIdSafe(a.live) !== null;
    const what: PreviewItem['what'] = !exists ? 'deleted' : inHead ? 'changed' : 'new';
    outgoing.push({ path: a.path, live: a.live, what, words: WORDS[what] });
  }
  // Joining with a history of its own: what this machine committed before is sent too.
  if (joining && head && remoteHead) {
    const mine = await lsTree(c.git, head);
    const theirs = await lsTree(c.git, remoteHead);
    const listed = new Set(outgoing.map((o) => o.path));
    for (const p of mine.keys()) {
      if (p.startsWith(SPECIAL) || theirs.has(p) || incomingPaths.has(p) || listed.has(p)) continue;
      const live = c.paths.toLive(p);
      if (live) outgoing.push({ path: p, live, what: 'new', words: WORDS.new });
    }
  }
  for (const sk of local.skipped) if (sk.unsynced) outgoing.push({ path: c.paths.toRepo(sk.path) ?? sk.path, live: sk.path, what: 'held', words: `${WORDS.held}: ${sk.reason}` });
  return { offline, joining, incoming, outgoing, profiles };
}

let treeCache: { head: string; paths: Set<string> } | null = null;
async function lsTreeHas(c: SyncContext, head: string, path: string): Promise<boolean> {
  if (treeCache?.head !== head) treeCache = { head, paths: new Set((await lsTree(c.git, head)).keys()) };
  return treeCache.paths.has(path);
}

function currentLiveIdSafe(live: string): string | null {
  try {
    return currentLiveId(live);
  } catch {
    return '(unreadable)';
  }
}

/** One file's pending change as text (chezmoi's `diff`): before → after, from this machine's side. */
export interface PendingDiff extends PreviewItem {
  direction: 'incoming' | 'outgoing';
  /** The text before and after (null: absent); binary files are not shown. */
  before: string | null;
  after: string | null;
  binary: boolean;
}

/**
 * The text of every pending change (or those of one repo path): local edits not yet committed
 * (the repo's version → the live file) and remote changes not yet applied (the live file → the
 * remote's version). Encrypted files show their plain text, in this process only.
 */
export async function pendingDiffs(c: SyncContext, reconciler: Reconciler, only?: string, target: { url?: string; branch?: string } = {}): Promise<PendingDiff[]> {
  const p = await previewSync(c, reconciler, target);
  const remote = readRef(c.repoDir, PREVIEW_REF);
  const textOf = async (repoPath: string, bytes: Buffer | null): Promise<{ text: string | null; binary: boolean }> => {
    if (!bytes) return { text: null, binary: false };
    let b: Buffer | null = bytes;
    if (c.sealed.isSealed(repoPath)) b = await c.sealer.open(bytes).catch(() => null);
    if (!b) return { text: null, binary: true };
    const t = c.formats.diffText(c.sealed.plainOf(repoPath) ?? repoPath, b);
    return t === null ? { text: null, binary: true } : { text: t, binary: false };
  };
  const liveText = async (repoPath: string, live: string) => {
    const r = await c.live.read(live, c.settings().sync.maxFileBytes);
    if (r.kind !== 'file') return { text: r.kind === 'link' ? `→ ${r.target}` : null, binary: false };
    const t = c.formats.diffText(c.sealed.plainOf(repoPath) ?? repoPath, r.content);
    return t === null ? { text: null, binary: true } : { text: t, binary: false };
  };
  const out: PendingDiff[] = [];
  for (const it of p.outgoing) {
    if (only && it.path !== only) continue;
    const before = await textOf(it.path, await blobAt(c.git, 'HEAD', it.path).catch(() => null));
    const after = await liveText(it.path, it.live);
    out.push({ ...it, direction: 'outgoing', before: before.text, after: after.text, binary: before.binary || after.binary });
  }
  for (const it of p.incoming) {
    if ((only && it.path !== only) || it.what === 'same') continue;
    const before = await liveText(it.path, it.live);
    const after = remote ? await textOf(it.path, await blobAt(c.git, remote, it.path).catch(() => null)) : { text: null, binary: false };
    out.push({ ...it, direction: 'incoming', before: before.text, after: after.text, binary: before.binary || after.binary });
  }
  return out;
}
