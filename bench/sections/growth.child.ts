/** Child side of the repo-growth section (see growth.ts). */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { now, sleep } from '../lib/measure.js';
import { gitOut, openEngine, prepareConfig, repoPathOf } from '../lib/confsync.js';
import { log } from '../lib/ipc.js';
import { countObjects, FloorRepo, packedSize, waitGcLock, type RepoSize } from '../lib/repo-size.js';
import { editAppPrefs, generateAppPrefs } from '../lib/app-plist.js';
import { generateLibrary, macroOf, encodeLibrary, type PlistDict } from '../../test/helpers/km-library.js';
import { encodePlist } from '../../electron/engine/km/plist-codec.js';
import { KM_EXPORT_DIR } from '../../electron/engine/features/km.js';
import type { PlistValue } from '../../electron/engine/km/types.js';

export type GrowthCase = 'km-binary' | 'km-xml' | 'plist';

export interface GrowthParams {
  case: GrowthCase;
  home: string;
  configDir: string;
  remote: string;
  floorDir: string;
  edits: number;
  /** Repo size is sampled (outside the engine) every this many edits. */
  sampleEvery: number;
  quietMs: number;
}

export interface GrowthSample {
  edit: number;
  local: RepoSize;
}

export interface FloorResult {
  /** What was committed: the live bytes, or the same versions as XML plists. */
  form: 'live' | 'xml';
  base: RepoSize & { versions: number; repackMs: number; how: 'fast-import' | 'repack' };
  all: RepoSize & { versions: number; repackMs: number; how: 'fast-import' | 'repack' };
}

export interface GrowthResult {
  case: GrowthCase;
  edits: number;
  /** The live file: its size at the start, and the size of its repo blob at HEAD after the edits. */
  liveBytes: number;
  repoBlobBytes: number;
  repoBlobKind: string;
  /** Sum over the edits of the changed part, as XML plist text (what a person would call the change). */
  changedBytes: number;
  baseline: { local: RepoSize; remote: RepoSize };
  /** The start state's objects packed (repack -a -d of a copy): growth is counted from there. */
  start: { local: RepoSize; remote: RepoSize };
  after: { local: RepoSize; remote: RepoSize };
  /** Background `git gc` seen after the edits (local, remote). */
  gcAfter: { local: boolean; remote: boolean };
  samples: GrowthSample[];
  floors: FloorResult[];
  /** Wall time per edit: write → committed and quiet again. */
  editMs: number[];
  commits: number;
  errors: string[];
}

/** XML text of a changed part, without the plist envelope (what the change adds as text). */
function changeBytes(part: PlistValue): number {
  const envelope = encodePlist({}, 'xml').length;
  return encodePlist(part, 'xml').length - envelope;
}

export async function growthChild(p: GrowthParams): Promise<GrowthResult> {
  const km = p.case !== 'plist';
  const liveRel = km ? 'km/Keyboard Maestro Macros.plist' : 'Library/Preferences/com.example.app.plist';
  const treeRel = dirname(liveRel);
  const live = join(p.home, liveRel);
  const repoPath = repoPathOf(treeRel, liveRel.slice(treeRel.length + 1));
  mkdirSync(dirname(live), { recursive: true });

  // The live versions: a Keyboard Maestro library (KM saves by replacing the file) or an app's prefs.
  const kmFormat = p.case === 'km-xml' ? 'xml' : 'binary';
  const kmRoot = km ? generateLibrary({ groups: 20, macrosPerGroup: 100, seed: 2024 }) : null;
  const prefs = km ? null : generateAppPrefs();
  const encodeLive = (): Buffer => (kmRoot ? encodeLibrary(kmRoot, kmFormat) : encodePlist(prefs as PlistValue, 'binary'));
  const asXml = (): Buffer => encodePlist((kmRoot ?? prefs) as PlistValue, 'xml');
  const writeVersion = (content: Buffer) => {
    const tmp = `${live}.tmp`;
    writeFileSync(tmp, content);
    renameSync(tmp, live);
  };
  /** Edit i (1-based): one macro's action text and modification date, or an app's use. Returns the changed part. */
  const edit = (i: number): PlistValue => {
    if (kmRoot) {
      const { macro } = macroOf(kmRoot, `Macro ${i % 20}.${(i * 7) % 100}`);
      (macro.Actions as PlistDict[])[0]!.Text = `changed in edit ${i}`;
      macro.ModificationDate = 800_000_000 + i;
      return macro as PlistValue;
    }
    return editAppPrefs(prefs!, i) as PlistValue;
  };

  const first = encodeLive();
  writeVersion(first);
  const floors: { form: 'live' | 'xml'; base: FloorRepo; all: FloorRepo }[] = [{ form: 'live', base: new FloorRepo(join(p.floorDir, 'live-base'), repoPath), all: new FloorRepo(join(p.floorDir, 'live-all'), repoPath) }];
  if (kmFormat === 'binary') floors.push({ form: 'xml' as const, base: new FloorRepo(join(p.floorDir, 'xml-base'), repoPath), all: new FloorRepo(join(p.floorDir, 'xml-all'), repoPath) });
  for (const f of floors) {
    const c = f.form === 'live' ? first : asXml();
    await f.base.add(c);
    await f.all.add(c);
  }

  prepareConfig({ home: p.home, configDir: p.configDir, treeRel, remote: p.remote, host: 'alpha', settings: km ? { km: { libraryPath: live } } : {} });
  const { host, engine, times } = await openEngine({ home: p.home, configDir: p.configDir, treeRel, remote: p.remote });
  if (times.result?.kind !== 'ok') throw new Error(`start-up sync: ${times.result?.kind} ${times.result?.message}`);
  const repo = join(p.configDir, 'repo');

  let lastGit = now();
  engine.git.onProcess(() => (lastGit = now()));
  const commits: { at: number; paths: string[]; reason: string }[] = [];
  engine.events.on('committed', (c) => commits.push({ at: now(), paths: c.paths, reason: c.reason }));
  const waitQuiet = async (timeoutMs = 120_000): Promise<void> => {
    const end = now() + timeoutMs;
    while (now() < end) {
      const st = engine.store.getState();
      if (st.phase === 'idle' && st.safeToShutDown && st.watch.pendingPaths === 0 && now() - lastGit >= p.quietMs) return;
      await sleep(50);
    }
    const st = engine.store.getState();
    throw new Error(`the engine never went quiet (phase ${st.phase}, safe ${st.safeToShutDown}, pending ${st.watch.pendingPaths}; errors: ${st.errors.slice(0, 3).map((e) => e.message).join(' | ')})`);
  };
  const waitFor = async (what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> => {
    const end = now() + timeoutMs;
    while (!(await fn())) {
      if (now() > end) throw new Error(`timed out waiting for ${what}`);
      await sleep(20);
    }
  };

  // Start-up: the library or plist committed; for Keyboard Maestro also its 2,000 macro exports.
  const inHead = async (path: string) => (await gitOut(repo, ['ls-tree', '--name-only', 'HEAD', '--', path]).catch(() => '')).trim() !== '';
  await waitFor('the first commit of the file', () => inHead(repoPath));
  if (km) await waitFor('the first export of the macros', () => inHead(KM_EXPORT_DIR), 180_000);
  // As the running engine leaves the repo: its maintenance looks at the store 2 s after a sync.
  await sleep(3000);
  await waitQuiet();
  await waitGcLock(repo, 2000);
  await waitGcLock(p.remote, 500);
  const baseline = { local: countObjects(repo), remote: countObjects(p.remote) };
  const start = { local: packedSize(repo, join(p.floorDir, 'start-local.git')), remote: packedSize(p.remote, join(p.floorDir, 'start-remote.git')) };
  log(`${p.case}: live ${(first.length / 1024).toFixed(0)} KiB; baseline local ${baseline.local.human}; remote ${baseline.remote.human}`);

  const samples: GrowthSample[] = [{ edit: 0, local: baseline.local }];
  const editMs: number[] = [];
  let changedBytes = 0;
  const commits0 = commits.length;
  for (let i = 1; i <= p.edits; i++) {
    const part = edit(i);
    changedBytes += changeBytes(part);
    const content = encodeLive();
    const at = now();
    writeVersion(content);
    await waitFor(`edit ${i} committed`, () => commits.some((c) => c.at >= at && c.paths.includes(repoPath)));
    if (km) await waitFor(`edit ${i} exported`, () => commits.some((c) => c.at >= at && c.reason === 'km-export'));
    await waitQuiet();
    editMs.push(now() - at);
    for (const f of floors) await f.all.add(f.form === 'live' ? content : asXml());
    if (i % p.sampleEvery === 0 || i === p.edits) {
      samples.push({ edit: i, local: countObjects(repo) });
      log(`${p.case}: edit ${i}/${p.edits}: local ${samples[samples.length - 1]!.local.human}`);
    }
  }
  // As the running engine leaves the repo: its maintenance looks at the store 2 s after a sync.
  await sleep(3000);
  await waitQuiet();
  const repoBlob = await engine.git.run(['cat-file', 'blob', `HEAD:${repoPath}`], { readonly: true });
  const repoBlobBytes = repoBlob.stdout.length;
  const repoBlobKind = repoBlob.stdout.subarray(0, 8).toString('latin1') === 'bplist00' ? 'binary plist' : 'XML plist';
  const errors = engine.store.getState().errors.slice(0, 5).map((e) => `${e.source}: ${e.message}`);
  await host.stop({ flushTimeoutMs: 60_000 });
  // As the person's disk holds it: git's own background gc (if a commit started one) finishes first.
  const gcAfter = { local: await waitGcLock(repo, 3000), remote: await waitGcLock(p.remote, 1000) };
  const after = { local: countObjects(repo), remote: countObjects(p.remote) };
  log(`${p.case}: after ${p.edits} edits: local ${after.local.human}; remote ${after.remote.human}`);

  const floorResults: FloorResult[] = [];
  for (const f of floors) {
    const base = await f.base.finish();
    const all = await f.all.finish();
    floorResults.push({ form: f.form, base, all });
    log(`${p.case}: floor (${f.form} form, ${all.versions} versions, ${all.how}): ${all.totalKiB} KiB, base ${base.totalKiB} KiB, repack ${(all.repackMs / 1000).toFixed(1)} s`);
  }
  return {
    case: p.case,
    edits: p.edits,
    liveBytes: first.length,
    repoBlobBytes,
    repoBlobKind,
    changedBytes,
    baseline,
    start,
    after,
    gcAfter,
    samples,
    floors: floorResults,
    editMs,
    commits: commits.length - commits0,
    errors,
  };
}
