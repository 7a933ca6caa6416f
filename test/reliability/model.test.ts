/**
 * Multi-machine model test. Three machines (temp HOMEs, in-process engines, two of them watching their
 * files like the daemon does) share one remote and run random operations from a seeded PRNG: edit,
 * create, delete and move files of a custom profile, chmod a file (0600, 0644, 0755), replace a file by
 * a link (relative, to a sibling name; or absolute, to a file inside the same home), sync a machine,
 * restart one, resolve a conflict (keep mine, theirs or both), take the remote away and bring it back.
 * At a random step a fourth machine joins with its own versions of some of the files, and then takes
 * part like the others. The model remembers every content a machine held when it synced. Along the way:
 *   - a join changes no established machine's live file (their live trees before the join and after
 *     one sync each are the same, but for new files); the joining machine's own versions are kept
 *     beside the files as conflict copies named after it, and are in history;
 *   - each resolution says what it did, from the resolving machine's point of view: after a short
 *     settle (no other operations), `mine` is everywhere the version it had as its own, `theirs` the
 *     other side's, `both` leaves its own version in the file everywhere and the other beside it, as a
 *     plain file, on that machine only; no conflict copy of the path is left in the repo.
 * After a final settle (remote back, round-robin syncs until nothing changes and all heads agree) it
 * checks:
 *   - nothing lost: every such content is a blob reachable from the final head (current tree, conflict
 *     copy, or history), or, when the engine merged it cleanly with another machine's edit before
 *     committing, the unique tag its edit introduced is in such a blob (writes set one line or JSON key
 *     to a unique tag, so a clean 3-way merge keeps the edit without keeping the exact bytes). A link's
 *     content is its target as the repo stores it (`~/…` for an absolute target inside home);
 *   - convergence: all machines have the same head, the same live profile files (links compared on
 *     their stored target, decoded for each machine's own home), and those equal the head's tree;
 *   - modes: every live file has the exec bit of the head's record, and is private (owner-only) when
 *     the record says so; a machine may be stricter than the record, never looser;
 *   - health: `git fsck --strict` clean on every clone and the remote; no lock or merge leftovers;
 *     every machine shows the same open conflicts.
 * Seeds are fixed (repeatable) and printed in the test name and in every assertion message;
 * CONFSYNC_SEED=n replays one. With the watchers and the schedule running, timing still varies between
 * replays of one seed: the operation sequence is the same, the interleaving with background work not.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Machine, bareRemote, GitServer, tmp, waitFor } from '../helpers/machine.js';
import { blobOid } from '../../electron/engine/snapshot/hash.js';
import { copyOriginal, isConflictCopy } from '../../electron/engine/sync/conflicts.js';
import { Rng, size, seedFromEnv, STRESS, git, reachableObjects, reachableBlobText, treeAt, fsck, repoLeftovers, liveTree, liveModes, modesAt, storedLinkTarget, isOwnTemp, diffMaps } from './helpers.js';

const open: Machine[] = [];
const servers: GitServer[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
  for (const s of servers.splice(0)) await s.stop().catch(() => undefined);
});

const PROFILE = { name: 'dots', paths: ['~/dots'] };
const NAMES = ['a.conf', 'b.conf', 'c.txt', 'd.json', 'e.json', 'sub/f.conf', 'sub/g.txt', 'sub/deep/h.ini', 'ünï cødé.txt', 'i'];
// 'rejected': three machines in one process, two of them pushing on their own after every watched
// commit, can beat one sync's three fetch-merge-push attempts in a row. It is a typed, retried
// outcome (the next sync pushes); the settle below still has to converge.
const OK_KINDS = ['ok', 'nothing-to-do', 'conflict', 'rejected'];

interface Remote {
  url: string;
  bare: string;
  down(): Promise<void>;
  up(): Promise<void>;
}

function pathRemote(): Remote {
  const bare = bareRemote();
  return {
    url: bare,
    bare,
    down: async () => renameSync(bare, `${bare}.away`),
    up: async () => renameSync(`${bare}.away`, bare),
  };
}

async function serverRemote(): Promise<Remote> {
  const base = tmp('cs-model-gitd-');
  const bare = join(base, 'conf.git');
  mkdirSync(bare);
  git(bare, 'init', '-q', '--bare', '-b', 'main');
  const server = new GitServer(base);
  servers.push(server);
  await server.start();
  return { url: server.url('conf.git'), bare, down: () => server.stop(), up: () => server.start(server.port) };
}

/**
 * Content unique to this write: it sets one line (or one JSON key) to a unique tag. JSON files get
 * objects so the structured merge is exercised too. Returns the text and its tag.
 */
function content(rng: Rng, who: string, step: number, name: string, prev: string | null): { text: string; tag: string } {
  const tag = `${who}-${step}-${rng.int(0, 0xffffff).toString(16)}`;
  if (name.endsWith('.json')) {
    let obj: Record<string, unknown>;
    try {
      obj = prev ? JSON.parse(prev) : {};
    } catch {
      obj = {};
    }
    obj[`k${rng.int(0, 5)}`] = tag;
    return { text: JSON.stringify(obj, null, 2) + '\n', tag };
  }
  // Multi-line text: edits to different lines of one file may merge; the same line conflicts.
  const lines = prev ? prev.split('\n').filter(Boolean) : ['# header', 'one', 'two', 'three'];
  lines[rng.int(0, lines.length - 1)] = tag;
  return { text: lines.join('\n') + '\n', tag };
}

/** Where the profile's files live in the repo. */
const PREFIX = 'dots/dots/';

/** The conflict records in `.confsync/conflicts.json` at `rev`: path → record as JSON. */
function conflictRecords(repo: string, rev: string): Map<string, string> {
  try {
    const v = JSON.parse(git(repo, 'show', `${rev}:.confsync/conflicts.json`)) as { conflicts?: Record<string, unknown> };
    return new Map(Object.entries(v.conflicts ?? {}).map(([k, r]) => [k, JSON.stringify(r)]));
  } catch {
    return new Map();
  }
}

/** The conflict record of `path` at `rev`, as JSON (null when none). */
function conflictRecord(repo: string, rev: string, path: string): string | null {
  return conflictRecords(repo, rev).get(path) ?? null;
}

/** A resolution's two versions as the resolving machine saw them, and why its outcome cannot be checked (if so). */
interface PointOfView {
  rel: string;
  /** Blob ids (null: a deletion). `mine` is the resolving machine's version. */
  mine: string | null;
  theirs: string | null;
  why: string;
  /** Reasons the outcome depends on more than the resolution (another unsynced edit of the path...). */
  unsure: string[];
  /** Plain "keep both" files each machine had before this resolution. */
  keptBefore: Map<Machine, Set<string>>;
}

async function runModel(seed: number, ops: number, makeRemote: () => Remote | Promise<Remote>): Promise<void> {
  const rng = new Rng(seed);
  const remote = await makeRemote();
  const tag = `seed ${seed} (replay: CONFSYNC_SEED=${seed})`;
  const log: string[] = [];
  const fail = (what: string, lines = 150) => `${what}\n${tag}\nlast operations:\n${log.slice(-lines).join('\n')}`;
  /**
   * The checks along the way (a join, a resolution's words, the modes) are soft: the run goes on, so
   * one run reports every broken promise, not only the first.
   */
  const soft = (what: string) => fail(what, 60);
  const settings = { sync: { debounceMs: 50, maxWaitMs: 300, intervalSec: 3600 } };
  const names = ['alpha', 'bravo', 'charlie'];
  const ms = names.map((n, i) => new Machine(n, { remote: remote.url, profiles: ['dots'], watch: i < 2, settings }));
  open.push(...ms);
  const dots = (m: Machine) => m.path('dots');
  /** Every content a machine held when it synced: blob id → where and when. */
  const required = new Map<string, string>();
  /** Every content written by an operation: where, and the unique tag its edit introduced. */
  const written = new Map<string, { where: string; tag: string | null }>();
  let online = true;
  /** "keep both" leaves the other side as a plain local file on the resolving machine only (by design). */
  const keptLocally = new Map<Machine, Set<string>>(ms.map((m) => [m, new Set<string>()]));
  const stats = { resolved: 0, checked: 0, unsure: 0, links: 0, chmods: 0, stricter: 0 };

  /** A machine's live profile files; a link's content is its target as the repo stores it. */
  const live = (m: Machine) => liveTree(dots(m), { skip: isOwnTemp, home: m.home });
  const userFiles = (m: Machine) => [...live(m).keys()].filter((p) => !isConflictCopy(p));
  const observe = (m: Machine, why: string) => {
    for (const [rel, oid] of live(m)) if (!required.has(oid)) required.set(oid, `${m.name}:${rel} (${why})`);
  };
  const sync = async (m: Machine, why: string) => {
    observe(m, why);
    const r = await m.sync();
    const allowed = online ? OK_KINDS : [...OK_KINDS, 'offline'];
    expect(allowed, fail(`${m.name} sync (${why}) ended ${r.kind}: ${r.message} ${r.detail ?? ''}`)).toContain(r.kind);
    return r;
  };
  const shortHead = (m: Machine) => git(m.repo, 'rev-parse', '--short', 'HEAD').trim();
  const idle = (m: Machine) => waitFor(() => m.engine.store.getState().watch.pendingPaths === 0, `${m.name} watcher idle`, 60_000);
  const syncLogged = async (m: Machine, why: string, indent = '') => {
    await idle(m);
    const r = await sync(m, why);
    log.push(`${indent}${why} ${m.name} sync -> ${r.kind} (+${r.committed} committed, ${r.applied} applied, ${r.conflicts} conflicts) head ${shortHead(m)}`);
    return r;
  };
  /** Round-robin syncs of every machine until nothing moves and every head is the remote's. */
  const settle = async (label: string, rounds: number): Promise<boolean> => {
    for (let round = 0; round < rounds; round++) {
      let moved = false;
      for (const m of ms) {
        const r = await syncLogged(m, `${label} ${round}`);
        if (r.committed || r.applied || r.conflicts) moved = true;
      }
      const heads = ms.map((m) => git(m.repo, 'rev-parse', 'HEAD').trim());
      const remoteHead = git(remote.bare, 'rev-parse', 'main').trim();
      if (!moved && heads.every((h) => h === remoteHead)) return true;
    }
    return false;
  };
  const pickDistinct = <T>(xs: readonly T[], n: number): T[] => {
    const pool = [...xs];
    const out: T[] = [];
    while (out.length < n && pool.length) out.push(pool.splice(rng.int(0, pool.length - 1), 1)[0]);
    return out;
  };

  // Set-up: alpha defines the profile and creates the remote; the others join.
  for (const m of ms) mkdirSync(dots(m), { recursive: true });
  await ms[0].open();
  await ms[0].invoke('profiles:save', { profile: PROFILE });
  await sync(ms[0], 'setup');
  for (const m of ms.slice(1)) {
    await m.open();
    await sync(m, 'setup');
    // The profile definition arrived from the remote; a restart also points the watcher at it.
    await m.restart();
  }

  /**
   * A fourth machine joins with its own versions of some of the files. The established machines agree
   * first (so the syncs after the join have nothing else to bring), then delta opens and syncs, then
   * each established machine syncs once: none of their live files may change (new files aside: the
   * copies of delta's versions, or delta's files the repo did not have).
   */
  const joinDelta = async (step: number) => {
    if (!online) {
      await remote.up();
      online = true;
      log.push(`${step} remote back (for the join)`);
    }
    log.push(`${step} before join: settle`);
    expect(await settle('before join', 10), fail('the established machines did not settle before the join')).toBe(true);
    const skipOwn = { skip: isOwnTemp };
    const before = new Map(ms.map((m) => [m, { files: live(m), modes: liveModes(dots(m), skipOwn) }]));
    const headBefore = treeAt(remote.bare, 'main');
    const recordBefore = modesAt(remote.bare, 'main');
    const openBefore = conflictRecords(remote.bare, 'main');
    const inHead = NAMES.filter((n) => headBefore.has(PREFIX + n));
    const chosen = pickDistinct(inHead, rng.int(2, 3));
    if (chosen.length < 2) chosen.push(...pickDistinct(NAMES.filter((n) => !inHead.includes(n)), 2 - chosen.length));
    const delta = new Machine('delta', { remote: remote.url, profiles: ['dots'], watch: false, settings });
    open.push(delta);
    mkdirSync(dots(delta), { recursive: true });
    const own = new Map<string, string>();
    for (const rel of chosen) {
      const c = content(rng, 'delta', step, rel, null);
      const p = join(dots(delta), rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, c.text);
      const perm = rng.pick([0o644, 0o644, 0o600, 0o755]);
      chmodSync(p, perm);
      const oid = blobOid(Buffer.from(c.text));
      own.set(rel, oid);
      written.set(oid, { where: `delta:${rel}@${step} (before joining)`, tag: c.tag });
      log.push(`${step} delta has its own ${rel} (${oid.slice(0, 8)}, ${perm.toString(8)})${inHead.includes(rel) ? '' : ' (not in the repo)'}`);
    }
    observe(delta, 'join');
    await delta.open();
    await syncLogged(delta, `${step} join`);
    for (const m of ms) await syncLogged(m, `${step} after join`);
    for (const m of ms) {
      const b = before.get(m)!;
      const after = live(m);
      const afterModes = liveModes(dots(m), skipOwn);
      const changed: string[] = [];
      for (const [rel, oid] of b.files) if (after.get(rel) !== oid) changed.push(`${rel}: ${oid.slice(0, 8)} -> ${after.get(rel)?.slice(0, 8) ?? 'absent'}`);
      for (const [rel, perm] of b.modes) if (afterModes.has(rel) && afterModes.get(rel) !== perm) changed.push(`${rel}: mode ${perm.toString(8)} -> ${afterModes.get(rel)!.toString(8)}`);
      for (const [rel, oid] of after) {
        if (b.files.has(rel)) continue;
        const deltasCopy = isConflictCopy(rel) && rel.includes('.conflict-delta-') && [...own.values()].includes(oid);
        const deltasNew = own.get(rel) === oid && !inHead.includes(rel);
        if (!deltasCopy && !deltasNew) changed.push(`${rel}: new (${oid.slice(0, 8)})`);
      }
      expect.soft(changed, soft(`${m.name}'s live files changed because delta joined`)).toEqual([]);
    }
    // The repo's versions stay as they were (content, exec bit, privacy).
    const headTree = treeAt(remote.bare, 'main');
    const recordAfter = modesAt(remote.bare, 'main');
    const repoChanged: string[] = [];
    for (const [p, rec] of recordBefore) {
      if (!p.startsWith(PREFIX)) continue;
      const now = recordAfter.get(p);
      if (headTree.get(p) !== headBefore.get(p) || now?.mode !== rec.mode || now?.private !== rec.private) {
        repoChanged.push(`${p}: ${headBefore.get(p)!.slice(0, 8)} ${rec.mode}${rec.private ? ' private' : ''} -> ${headTree.get(p)?.slice(0, 8) ?? 'absent'} ${now ? `${now.mode}${now.private ? ' private' : ''}` : ''}`);
      }
    }
    expect.soft(repoChanged, soft("the repo's versions changed because delta joined")).toEqual([]);
    // The conflicts they had stay open with every version they had (a joining machine's own version
    // joins a conflict; it never hides one).
    const openAfter = conflictRecords(remote.bare, 'main');
    const copiesOf = (rec: string | undefined) => new Set(((rec ? JSON.parse(rec) : {}) as { others?: { copyPath: string | null; host: string }[] }).others?.map((o) => o.copyPath ?? `deleted by ${o.host}`) ?? []);
    const hidden = [...openBefore].filter(([p, rec]) => [...copiesOf(rec)].some((cp) => !copiesOf(openAfter.get(p)).has(cp))).map(([p, rec]) => `${p}: was ${rec}, now ${openAfter.get(p) ?? 'not recorded'}`);
    expect.soft(hidden, soft('open conflicts changed because delta joined')).toEqual([]);
    // Delta's own versions are kept: beside the file on delta (named after delta), in the repo, in history.
    const reachable = reachableObjects(remote.bare, 'main');
    const dl = live(delta);
    for (const [rel, oid] of own) {
      expect.soft(reachable.has(oid), soft(`delta's own ${rel} (${oid.slice(0, 8)}) is not in history`)).toBe(true);
      if (!inHead.includes(rel)) {
        expect.soft(dl.get(rel), soft(`delta's own ${rel} (the repo had none) is not in its live file`)).toBe(oid);
        continue;
      }
      expect.soft(dl.get(rel), soft(`delta's live ${rel} is not the repo's version`)).toBe(headBefore.get(PREFIX + rel));
      const copies = [...dl].filter(([p, o]) => copyOriginal(p) === rel && p.includes('.conflict-delta-') && o === oid).map(([p]) => p);
      expect.soft(copies, soft(`delta's own ${rel} is not beside it as a conflict copy named after delta; live: ${[...dl.keys()].join(', ')}`)).toHaveLength(1);
      if (copies.length === 1) expect.soft(headTree.get(PREFIX + copies[0]), soft(`delta's copy ${copies[0]} is not in the repo`)).toBe(oid);
    }
    ms.push(delta);
    keptLocally.set(delta, new Set());
    log.push(`${step} delta joined`);
  };

  /** Both versions of a conflict from `x`'s point of view (before it resolves it), and whether the outcome can be checked. */
  const pointOfView = async (x: Machine, path: string, from?: string): Promise<PointOfView | null> => {
    let detail;
    try {
      detail = await x.invoke('conflicts:detail', { path, ...(from ? { from } : {}) });
    } catch {
      return null; // resolved meanwhile: the resolve is refused too
    }
    const rel = path.slice(PREFIX.length);
    const theirsSide = from ? (detail.conflict.others.find((o) => o.host === from) ?? detail.conflict.theirs) : detail.conflict.theirs;
    // The copy the resolution's outcome depends on: mine's, else theirs' (several copies: each is checked below).
    const copyPath = (detail.conflict.mine.where === 'copy' ? detail.conflict.mine.copyPath : theirsSide.copyPath) ?? detail.conflict.copyPath;
    const copyRel = copyPath?.startsWith(PREFIX) ? copyPath.slice(PREFIX.length) : null;
    const xTree = treeAt(x.repo, 'HEAD');
    const at = (side: { where: string; copyPath?: string | null }) => (side.where === 'live' ? (xTree.get(path) ?? null) : side.where === 'copy' && side.copyPath ? (xTree.get(side.copyPath) ?? null) : null);
    const mine = at(detail.conflict.mine);
    const theirs = at(theirsSide);
    const why = `${x.name}'s view: mine=${detail.conflict.mine.host} (${detail.conflict.mine.where}, ${mine?.slice(0, 8) ?? '-'}), theirs=${theirsSide.host} (${theirsSide.where}, ${theirs?.slice(0, 8) ?? '-'})`;
    if (!detail.binary) {
      const text = (oid: string | null) => (oid ? git(x.repo, 'cat-file', 'blob', oid) : null);
      expect.soft(detail.mine, soft(`conflicts:detail on ${x.name}: "mine" of ${rel} is not the version it names (${why})`)).toBe(text(mine));
      expect.soft(detail.theirs, soft(`conflicts:detail on ${x.name}: "theirs" of ${rel} is not the version it names (${why})`)).toBe(text(theirs));
    }
    // The outcome is the resolution's alone when nobody else has a change of this path in flight.
    const unsure: string[] = [];
    if (!online) unsure.push('remote down');
    for (const y of ms) {
      const yTree = y === x ? xTree : treeAt(y.repo, 'HEAD');
      const yl = live(y);
      for (const [p, r] of [[path, rel], [copyPath, copyRel]] as const) {
        if (p && r && (yl.get(r) ?? null) !== (yTree.get(p) ?? null)) unsure.push(`${y.name} has an unsynced change of ${r}`);
      }
      if (y === x) continue;
      const base = spawnSync('git', ['merge-base', 'HEAD', 'refs/remotes/origin/main'], { cwd: y.repo, encoding: 'utf8' }).stdout.trim();
      if (!base) continue;
      const touched = git(y.repo, 'diff', '--name-only', '--no-renames', base, 'HEAD').split('\n');
      if (touched.includes(path) || (copyPath && touched.includes(copyPath))) unsure.push(`${y.name} has unpushed commits of it`);
      if (conflictRecord(y.repo, base, path) !== conflictRecord(y.repo, 'HEAD', path)) unsure.push(`${y.name} has an unpushed change of its conflict record`);
    }
    if (online) {
      const rTree = treeAt(remote.bare, 'main');
      if (rTree.get(path) !== xTree.get(path) || (copyPath && rTree.get(copyPath) !== xTree.get(copyPath))) unsure.push(`the remote has other versions of it than ${x.name}`);
      if (conflictRecord(remote.bare, 'main', path) !== conflictRecord(x.repo, 'HEAD', path)) unsure.push(`the remote has another conflict record for it than ${x.name}`);
    }
    return { rel, mine, theirs, why, unsure, keptBefore: new Map(ms.map((y) => [y, new Set(keptLocally.get(y))])) };
  };

  /** After `x` resolved with `keep`: a short settle, then the words must have come true everywhere. */
  const checkResolution = async (x: Machine, step: number, keep: 'mine' | 'theirs' | 'both', pov: PointOfView) => {
    if (!online) pov.unsure.push('remote down');
    if (pov.unsure.length) {
      stats.unsure++;
      log.push(`  (outcome not checked: ${[...new Set(pov.unsure)].join('; ')})`);
      return;
    }
    for (const y of [x, ...ms.filter((o) => o !== x), x]) await syncLogged(y, `${step} after resolve`, '  ');
    stats.checked++;
    const { rel } = pov;
    const want = keep === 'theirs' ? pov.theirs : pov.mine;
    const problems: string[] = [];
    for (const y of ms) {
      const got = live(y).get(rel) ?? null;
      if (got !== want) problems.push(`${y.name}: ${rel} holds ${got?.slice(0, 8) ?? 'nothing'}, expected ${want?.slice(0, 8) ?? 'nothing'} (${keep === 'theirs' ? 'theirs' : 'mine'})`);
      // Plain files beside the path (copy-named, not in the repo) made by this resolution.
      const inRepo = treeAt(y.repo, 'HEAD');
      const beside = [...live(y)].filter(([p]) => isConflictCopy(p) && copyOriginal(p) === rel && !inRepo.has(PREFIX + p) && !pov.keptBefore.get(y)?.has(p));
      if (y === x && keep === 'both' && pov.theirs) {
        if (!beside.some(([, o]) => o === pov.theirs)) problems.push(`${y.name}: the other version (${pov.theirs.slice(0, 8)}) is not beside ${rel} as a plain file (beside: ${beside.map(([p, o]) => `${p}=${o.slice(0, 8)}`).join(', ') || 'nothing'})`);
      } else if (beside.length) {
        problems.push(`${y.name}: unexpected plain file(s) beside ${rel}: ${beside.map(([p, o]) => `${p}=${o.slice(0, 8)}`).join(', ')}`);
      }
    }
    const head = treeAt(remote.bare, 'main');
    const copies = [...head.keys()].filter((p) => p.startsWith(PREFIX) && isConflictCopy(p) && copyOriginal(p.slice(PREFIX.length)) === rel);
    for (const cp of copies) {
      // Where it came from, and which commits of conflicts.json named it (an orphan: never, or no longer).
      const added = git(remote.bare, 'log', '-m', '-s', '--diff-filter=A', '--format=%h %s', 'main', '--', cp).trim().split('\n').pop();
      const named = [...new Set(git(remote.bare, 'log', '-m', '-s', '--format=%h %s', `-S${cp}`, 'main', '--', '.confsync/conflicts.json').trim().split('\n'))].join(' | ');
      problems.push(`conflict copy ${cp} left in the repo (added by ${added || '?'}; conflicts.json commits naming it: ${named || 'none'})`);
    }
    const rec = conflictRecord(remote.bare, 'main', PREFIX + rel);
    if (rec) problems.push(`a conflict is still recorded for ${rel}: ${rec}`);
    expect.soft(problems, soft(`${x.name} resolved ${rel} keeping ${keep}; ${pov.why}; afterwards:`)).toEqual([]);
  };

  const joinAt = rng.int(Math.floor(ops * 0.25), Math.floor(ops * 0.6));
  for (let step = 0; step < ops; step++) {
    if (step === joinAt) await joinDelta(step);
    const m = rng.pick(ms);
    const files = userFiles(m);
    const op = rng.weighted({ edit: 20, create: 12, delete: 7, move: 5, chmod: 6, link: 3, abslink: 3, sync: 28, restart: 5, resolve: 7, remote: 5, pause: 4 });
    const isLink = (rel: string) => {
      try {
        return lstatSync(join(dots(m), rel)).isSymbolicLink();
      } catch {
        return false;
      }
    };
    const write = (rel: string, text: string, tag: string | null) => {
      const p = join(dots(m), rel);
      mkdirSync(dirname(p), { recursive: true });
      // A link there is replaced by the file (not written through).
      if (isLink(rel)) rmSync(p, { force: true });
      writeFileSync(p, text);
      const oid = blobOid(Buffer.from(text));
      if (!written.has(oid)) written.set(oid, { where: `${m.name}:${rel}@${step}`, tag });
    };
    /** `ln -sf target rel`; the model remembers the target as the repo stores it. */
    const link = (rel: string, target: string) => {
      const p = join(dots(m), rel);
      mkdirSync(dirname(p), { recursive: true });
      rmSync(p, { force: true });
      symlinkSync(target, p);
      const oid = blobOid(Buffer.from(storedLinkTarget(target, m.home)));
      if (!written.has(oid)) written.set(oid, { where: `${m.name}:${rel}@${step} (link to ${target})`, tag: null });
      stats.links++;
    };
    switch (op) {
      case 'edit':
      case 'create': {
        const rel = op === 'edit' && files.length ? rng.pick(files) : rng.pick(NAMES);
        const p = join(dots(m), rel);
        const wasLink = isLink(rel);
        const prev = !wasLink && existsSync(p) ? readFileSync(p, 'utf8') : null;
        const c = content(rng, m.name, step, rel, prev);
        write(rel, c.text, c.tag);
        log.push(`${step} ${m.name} ${wasLink ? 'replace link by file' : prev === null ? 'create' : 'edit'} ${rel}`);
        break;
      }
      case 'delete': {
        if (!files.length) continue;
        const rel = rng.pick(files);
        rmSync(join(dots(m), rel), { force: true });
        log.push(`${step} ${m.name} delete ${rel}`);
        break;
      }
      case 'move': {
        if (!files.length) continue;
        const from = rng.pick(files);
        // A file keeps its format (text moved to a .json name would be held as invalid JSON, by design).
        const free = NAMES.filter((n) => !files.includes(n) && (isLink(from) || n.endsWith('.json') === from.endsWith('.json')));
        if (!free.length) continue;
        const to = rng.pick(free);
        const src = join(dots(m), from);
        const dst = join(dots(m), to);
        mkdirSync(dirname(dst), { recursive: true });
        // Like mv: a link moves as a link, a file keeps its permission bits.
        if (isLink(from)) symlinkSync(readlinkSync(src), dst);
        else {
          writeFileSync(dst, readFileSync(src));
          chmodSync(dst, lstatSync(src).mode & 0o777);
        }
        rmSync(src, { force: true });
        log.push(`${step} ${m.name} move ${from} -> ${to}`);
        break;
      }
      case 'chmod': {
        const regular = files.filter((f) => !isLink(f));
        if (!regular.length) continue;
        const rel = rng.pick(regular);
        const perm = rng.pick([0o600, 0o644, 0o755]);
        chmodSync(join(dots(m), rel), perm);
        stats.chmods++;
        log.push(`${step} ${m.name} chmod ${perm.toString(8)} ${rel}`);
        break;
      }
      case 'link': {
        // ln -s b.conf a.conf: a relative link to a sibling name (it may not exist).
        const rel = files.length && rng.next() < 0.8 ? rng.pick(files) : rng.pick(NAMES);
        const dir = dirname(rel);
        const siblings = NAMES.filter((n) => n !== rel && dirname(n) === dir).map((n) => basename(n));
        if (!siblings.length) continue;
        const target = rng.pick(siblings);
        link(rel, target);
        log.push(`${step} ${m.name} ln -s ${target} ${rel}`);
        break;
      }
      case 'abslink': {
        // A link to a file inside this machine's home (stored as ~/dots/c.txt, re-rooted elsewhere).
        const rel = files.length && rng.next() < 0.8 ? rng.pick(files) : rng.pick(NAMES);
        if (rel === 'c.txt') continue;
        link(rel, join(m.home, 'dots', 'c.txt'));
        log.push(`${step} ${m.name} ln -s <home>/dots/c.txt ${rel}`);
        break;
      }
      case 'sync': {
        const r = await sync(m, `step ${step}`);
        log.push(`${step} ${m.name} sync -> ${r.kind} (+${r.committed} committed, ${r.applied} applied, ${r.conflicts} conflicts) head ${shortHead(m)}`);
        break;
      }
      case 'restart': {
        await m.restart();
        log.push(`${step} ${m.name} restart`);
        break;
      }
      case 'resolve': {
        if (!m.engine.store.getState().conflicts.length) continue;
        // Half the time the person syncs everything first (while the remote is up), so the outcome is
        // the resolution's alone and can be checked; else the resolution meets whatever is in flight.
        if (rng.next() < 0.5) {
          if (!online) {
            await remote.up();
            online = true;
            log.push(`${step} remote back (to resolve)`);
          }
          log.push(`${step} before resolving on ${m.name}: settle`);
          expect(await settle(`${step} before resolve`, 10), fail('machines did not settle before a resolution')).toBe(true);
        }
        const conflicts = m.engine.store.getState().conflicts;
        if (!conflicts.length) continue;
        const c = rng.pick(conflicts);
        const keep = rng.pick(['mine', 'theirs', 'both'] as const);
        // With several other versions (a machine joined the conflict), "theirs" names one of them.
        const from = keep === 'theirs' && c.others.length > 1 ? rng.pick(c.others).host : undefined;
        observe(m, `resolve step ${step}`);
        const pov = await pointOfView(m, c.path, from);
        let resolved = false;
        try {
          const r = await m.invoke('conflicts:resolve', { path: c.path, keep, ...(from ? { from } : {}) });
          resolved = true;
          if (keep === 'both') {
            // The other version stays beside the file as a plain local file: a copy-named file that is
            // not in the repo.
            const inRepo = new Set(git(m.repo, 'ls-tree', '-r', '--name-only', 'HEAD').split('\n').filter(Boolean).map((p) => p.replace(/^dots\/dots\//, '')));
            for (const rel of live(m).keys()) if (isConflictCopy(rel) && !inRepo.has(rel)) keptLocally.get(m)!.add(rel);
          }
          log.push(`${step} ${m.name} resolve ${c.path} keep ${keep} -> ${r.kind}${pov ? ` (${pov.why})` : ''}`);
        } catch (e) {
          // Another machine resolved it first, or the file moved meanwhile: both are refusals, not losses.
          const msg = (e as Error).message;
          expect(msg, fail(`resolve failed unexpectedly: ${msg}`)).toMatch(/no conflict recorded|changed since the conflict was shown/);
          log.push(`${step} ${m.name} resolve ${c.path} refused: ${msg}`);
        }
        if (resolved) {
          stats.resolved++;
          if (pov) await checkResolution(m, step, keep, pov);
        }
        break;
      }
      case 'remote': {
        if (online) await remote.down();
        else await remote.up();
        online = !online;
        log.push(`${step} remote ${online ? 'back' : 'down'}`);
        break;
      }
      case 'pause': {
        // A short pause lets the watchers and their commits run beside the next operations.
        await new Promise((r) => setTimeout(r, rng.int(20, 250)));
        log.push(`${step} pause`);
        break;
      }
    }
  }
  expect(ms.map((m) => m.name), fail('delta never joined')).toContain('delta');

  // Settle: remote back, then round-robin syncs until nothing moves and every head agrees.
  if (!online) await remote.up();
  online = true;
  log.push('settle');
  expect(await settle('settle', 15), fail('machines did not settle within 15 rounds')).toBe(true);

  const head = git(remote.bare, 'rev-parse', 'main').trim();
  const reachable = reachableObjects(remote.bare, 'main');
  const finalTree = treeAt(remote.bare, 'main');
  // Nothing lost: each content a machine held when it synced is a blob in the history, or (when the
  // engine merged it cleanly with another machine's edit before committing) its edit, the unique tag
  // it introduced, is in a blob of the history.
  const blobs = reachableBlobText(remote.bare, 'main');
  let mergedIn = 0;
  const lostOids = [...required].filter(([oid]) => {
    if (reachable.has(oid)) return false;
    const tag = written.get(oid)?.tag;
    if (tag && blobs.includes(tag)) {
      mergedIn++;
      return false;
    }
    return true;
  });
  const lost = lostOids.map(([oid, where]) => `${oid.slice(0, 8)} ${where} written ${written.get(oid)?.where ?? '?'}`);
  if (lost.length) {
    // Where did it go? Blob present in a clone's object store, reachable from a reflog entry?
    const notes: string[] = [];
    for (const [oid] of lostOids) {
      for (const m of ms) {
        const has = spawnSync('git', ['cat-file', '-e', oid], { cwd: m.repo }).status === 0;
        const reflog = git(m.repo, 'reflog', '--all', '--format=%H %gs').trim().split('\n');
        const inReflog = reflog.filter((l) => reachableObjects(m.repo, l.slice(0, 40)).has(oid)).map((l) => l.slice(0, 60));
        notes.push(`${oid.slice(0, 8)} in ${m.name}: object ${has ? 'present' : 'absent'}; reflog entries containing it: ${inReflog.slice(0, 3).join(' | ') || 'none'}`);
      }
    }
    for (const m of ms) {
      const st = m.engine.store.getState();
      notes.push(`${m.name} activity: ${st.activity.slice(0, 15).map((a) => `${a.kind}: ${a.text}`).join(' / ')}`);
      notes.push(`${m.name} errors: ${st.errors.slice(0, 8).map((e) => `${e.source}: ${e.message} ${e.detail ?? ''}`).join(' / ')}`);
    }
    expect(lost, fail(`contents lost (not in any commit reachable from main ${head.slice(0, 8)})\n${notes.join('\n')}`)).toEqual([]);
  }
  // Converged: live files = head tree, on every machine (links compared on their stored target).
  const expected = new Map([...finalTree].filter(([p]) => p.startsWith(PREFIX)).map(([p, oid]) => [p.slice(PREFIX.length), oid]));
  const headModes = modesAt(remote.bare, 'main');
  for (const m of ms) {
    expect(git(m.repo, 'rev-parse', 'HEAD').trim(), fail(`${m.name} HEAD`)).toBe(head);
    const mine = (rel: string) => isOwnTemp(rel) || keptLocally.get(m)!.has(rel);
    const liveFiles = liveTree(dots(m), { skip: mine, home: m.home });
    expect(diffMaps(liveFiles, expected, [`${m.name} live`, 'head']), fail(`${m.name} live files differ from the head tree`)).toEqual([]);
    // Links: the live target is the stored one, decoded for this machine's own home (`~/x` → <home>/x).
    const linkProblems: string[] = [];
    for (const [p, rec] of headModes) {
      if (!p.startsWith(PREFIX) || rec.mode !== '120000') continue;
      const rel = p.slice(PREFIX.length);
      const stored = git(remote.bare, 'cat-file', 'blob', finalTree.get(p)!);
      const want = stored === '~' ? m.home : stored.startsWith('~/') ? join(m.home, ...stored.slice(2).split('/')) : stored;
      let got: string;
      try {
        got = readlinkSync(join(dots(m), rel));
      } catch (e) {
        got = `(not a link: ${(e as NodeJS.ErrnoException).code})`;
      }
      if (got !== want) linkProblems.push(`${rel}: links to ${got}, expected ${want} (stored ${stored})`);
    }
    expect(linkProblems, fail(`${m.name} link targets differ from the head's`)).toEqual([]);
    // Modes: the exec bit is the record's; private when the record says so (stricter is allowed).
    const perms = liveModes(dots(m), { skip: mine });
    const modeProblems: string[] = [];
    for (const [p, rec] of headModes) {
      if (!p.startsWith(PREFIX) || rec.mode === '120000') continue;
      const rel = p.slice(PREFIX.length);
      const perm = perms.get(rel);
      if (perm === undefined) continue; // not a regular file here: the content check above says so
      const recorded = `${rec.mode}${rec.private ? ' private' : ''}`;
      if ((perm & 0o100) !== 0 !== (rec.mode === '100755')) modeProblems.push(`${rel}: ${perm.toString(8)}, recorded ${recorded} (exec bit differs)`);
      if (rec.private && (perm & 0o077) !== 0) modeProblems.push(`${rel}: ${perm.toString(8)}, recorded ${recorded} (looser than the record)`);
      if (!rec.private && (perm & 0o077) === 0) stats.stricter++;
    }
    expect.soft(modeProblems, soft(`${m.name} live modes differ from the head's record`)).toEqual([]);
    expect(repoLeftovers(m.repo), fail(`${m.name} repo leftovers`)).toEqual([]);
    expect(fsck(m.repo), fail(`${m.name} fsck`)).toBeNull();
    expect(git(m.repo, 'status', '--porcelain').trim(), fail(`${m.name} repo working tree not clean`)).toBe('');
  }
  expect(fsck(remote.bare), fail('remote fsck')).toBeNull();
  const conflictSets = ms.map((m) => m.engine.store.getState().conflicts.map((c) => c.path).sort().join('\n'));
  expect(new Set(conflictSets).size, fail(`machines disagree on open conflicts: ${JSON.stringify(conflictSets)}`)).toBe(1);
  expect(required.size).toBeGreaterThan(0);
  const privateCount = [...headModes].filter(([p, r]) => p.startsWith(PREFIX) && r.private).length;
  const execCount = [...headModes].filter(([p, r]) => p.startsWith(PREFIX) && r.mode === '100755').length;
  const linkCount = [...headModes].filter(([p, r]) => p.startsWith(PREFIX) && r.mode === '120000').length;
  console.log(
    `model ${tag}: ${ops} ops (delta joined at ${joinAt}), ${written.size} contents written, ${required.size} required and all found (${mergedIn} as part of a clean merge); ` +
      `${stats.chmods} chmods, ${stats.links} links made; ${stats.resolved} resolutions, ${stats.checked} checked from their point of view (${stats.unsure} not: other changes in flight); ` +
      `${finalTree.size} files in the final tree (${execCount} executable, ${privateCount} private, ${linkCount} links; ${stats.stricter} live files stricter than the record); ${git(remote.bare, 'rev-list', '--count', 'main').trim()} commits`,
  );
}

const OPS = size(100, 500);
const SEED_PATH = seedFromEnv(20251122);
const SEED_SERVER = seedFromEnv(7331);

describe('multi-machine model', () => {
  it(`3 machines, ${OPS} random operations over a path remote, seed ${SEED_PATH}`, async () => {
    await runModel(SEED_PATH, OPS, pathRemote);
  }, OPS * 6_000 + 120_000);

  it.runIf(STRESS)(`3 machines, ${size(60, 300)} random operations over git daemon on 127.0.0.1, seed ${SEED_SERVER}`, async () => {
    await runModel(SEED_SERVER, size(60, 300), serverRemote);
  }, size(60, 300) * 6_000 + 120_000);
});
