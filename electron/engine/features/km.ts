/**
 * Keyboard Maestro as a feature: its library codec (merge by macro UID), the library as a live-IO port
 * with its live-write guard (km/live-sync.ts: while the Engine runs, the repo's version is applied
 * through Keyboard Maestro's own scripting, or waits with the exact reason when scripting is refused,
 * and this machine's macro changes keep flowing out meanwhile), the poller that reports macro changes
 * in words, one readable `.kmmacros` file per macro exported into the sync repo
 * (`keyboard-maestro-macros/<group>/<macro> (<UID>).kmmacros`) and committed, and per-macro history
 * and restore (km/history.ts) for the KM tab and `confsync km history|restore`.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';
import { blobAt, entryAt } from '../git/tree.js';
import { writeBlob } from '../git/objects.js';
import { commitEntries, stageAndCommit } from '../git/commit.js';
import type { Engine } from '../engine.js';
import { Snapshot } from '../snapshot/snapshot.js';
import { plistDiffText } from '../formats/plist.js';
import { plistRepoForm } from '../formats/plist-form.js';
import { KmPoller, watchLibraryFile, exportLibrary, parseLibrary, macroFileContent, type KmEvent } from '../km/index.js';
import { kmLibraryCodec, KM_LIBRARY_RE } from '../km/codec.js';
import { KmScripting } from '../km/scripting.js';
import { KmLiveSync, type KmKeepHost } from '../km/live-sync.js';
import { KM_EXPORT_DIR, checkMacroUid, macroHistory, macroInFile, macroVersion, restoreMacro } from '../km/history.js';
import type { CommandRunner } from '../km/restore.js';
import { pushActivity, pushError } from '../state/app-store.js';
import type { ConflictDetail, KmApplyState, KmMacroHistory, KmRestoreResult } from '../../../shared/contract.js';
import type { Feature } from './feature.js';

export { KM_EXPORT_DIR, KM_LIBRARY_RE };

declare module './feature.js' {
  interface FeatureHandlers {
    /** Macro changes from the repo while the Keyboard Maestro Engine runs. */
    kmApplyState?: () => KmApplyState;
    kmApplyRetry?: () => Promise<KmApplyState>;
    kmHistory?: (engine: Engine, uid: string) => Promise<KmMacroHistory>;
    kmVersion?: (engine: Engine, uid: string, rev: string) => Promise<{ content: string | null; current: string | null }>;
    kmRestore?: (engine: Engine, uid: string, rev: string | null) => Promise<KmRestoreResult>;
    kmShowMacro?: (uid: string) => Promise<{ via: 'keyboardmaestro' | 'osascript' }>;
  }
}

export function defaultLibraryPath(home: string): string {
  return join(home, 'Library', 'Application Support', 'Keyboard Maestro', 'Keyboard Maestro Macros.plist');
}

export function eventWords(e: KmEvent): string | null {
  const q = (s: string) => `'${s}'`;
  switch (e.type) {
    case 'macro_added':
      return `Macro ${q(e.name)} added to ${q(e.group)}`;
    case 'macro_removed':
      return `Macro ${q(e.name)} removed from ${q(e.group)}`;
    case 'macro_modified':
      return `Macro ${q(e.name)} changed`;
    case 'macro_enabled':
      return `Macro ${q(e.name)} enabled`;
    case 'macro_disabled':
      return `Macro ${q(e.name)} disabled`;
    case 'group_added':
      return `Group ${q(e.name)} added`;
    case 'group_removed':
      return `Group ${q(e.name)} removed`;
    case 'group_renamed':
      return `Group ${q((e.old as { name?: string } | undefined)?.name ?? e.name)} renamed to ${q(e.name)}`;
    case 'group_enabled':
      return `Group ${q(e.name)} enabled`;
    case 'group_disabled':
      return `Group ${q(e.name)} disabled`;
    case 'library_reloaded':
      return 'Keyboard Maestro library loaded';
    default:
      return null;
  }
}

/** Per-macro view of a KM library conflict: the macros whose content differs between the two sides. */
export function kmConflictMacros(mine: Buffer | null, theirs: Buffer | null): ConflictDetail['macros'] {
  if (!mine || !theirs) return [];
  try {
    const a = parseLibrary(mine);
    const b = parseLibrary(theirs);
    const out: NonNullable<ConflictDetail['macros']> = [];
    for (const [uid, m] of a.macros) {
      const t = b.macros.get(uid);
      if (t && t.hash !== m.hash) {
        out.push({ uid, name: m.name, group: m.groupName, mine: macroFileContent(a, uid).toString('utf8'), theirs: macroFileContent(b, uid).toString('utf8') });
      }
    }
    return out;
  } catch {
    return [];
  }
}

export interface KmFeatureOptions {
  /** Whether the Keyboard Maestro Engine runs (default: `pgrep -x "Keyboard Maestro Engine"`). */
  isRunning?: () => Promise<boolean>;
  /** How long one answer about the Engine is trusted. Default 2 s. */
  guardCacheMs?: number;
  /** Runs osascript, keyboardmaestro and pgrep (tests: a runner whose PATH starts with recording fakes). */
  run?: CommandRunner;
  /** How long Keyboard Maestro gets to write its library after a change. Default 30 s. */
  verifyTimeoutMs?: number;
  /** A refusal is asked about again this often. Default 60 s. */
  retryMs?: number;
  /** While a version waits, the Engine is looked for this often. Default 5 s. */
  pollMs?: number;
}

/** Where the feature remembers the library version it folded into HEAD while the repo's waited. */
function keptFile(engine: Engine): string {
  return join(engine.files.dir, 'km-kept.json');
}

/** The version of `repoPath` the core last agreed on with the repo (its snapshot), read from its saved file. */
function coreBaseOid(engine: Engine, repoPath: string): string | null {
  const s = new Snapshot(engine.files.snapshot);
  s.load();
  return s.get(repoPath)?.oid ?? null;
}

function keepHost(engine: Engine): KmKeepHost {
  const head = async (repoPath: string) => {
    const e = await entryAt(engine.git, 'HEAD', repoPath);
    return e ? { oid: e.oid, bytes: await engine.git.catBlob(e.oid) } : null;
  };
  return {
    host: engine.host,
    repoPathOf: (livePath) => engine.profiles.liveToRepo(livePath),
    head,
    async base(repoPath) {
      const core = coreBaseOid(engine, repoPath);
      try {
        const rec = JSON.parse(readFileSync(keptFile(engine), 'utf8')) as { repoPath: string; oid: string; core: string | null };
        // Valid while the core has not synced the path since (its snapshot still says what it said).
        if (rec.repoPath === repoPath && rec.core === core) return await engine.git.catBlob(rec.oid);
      } catch {
        // no record, or an old one
      }
      return core ? engine.git.catBlob(core).catch(() => null) : null;
    },
    async setBase(repoPath, bytes) {
      const oid = await writeBlob(engine.git, bytes);
      await writeFileAtomic(keptFile(engine), JSON.stringify({ repoPath, oid, core: coreBaseOid(engine, repoPath) }));
    },
    exclusive: (fn) => engine.exclusive(fn),
    async commit(repoPath, live, message) {
      // The repo's form of the library (a binary one as XML), as the sync core would store it.
      const bytes = plistRepoForm(live, engine.settings.get().sync.maxFileBytes);
      if (!(await engine.commitAllowed(repoPath, bytes))) return { refused: 'a commit guard (the secrets guard) holds this version back' };
      const entry = await entryAt(engine.git, 'HEAD', repoPath);
      const oid = await writeBlob(engine.git, bytes);
      const c = await commitEntries(engine.git, [{ path: repoPath, mode: entry?.mode ?? '100644', oid }], message, engine.host);
      if (c.kind === 'committed') {
        engine.events.emit('committed', { oid: c.oid, paths: [repoPath], reason: 'km-keep' });
        await engine.refreshRepoState();
        return { oid: c.oid };
      }
      if (c.kind === 'nothing') return null;
      throw new Error(c.message);
    },
    sync(why) {
      if (why === 'kept') engine.kick();
      else void engine.syncNow({ reason: 'km' }).catch(() => undefined);
    },
  };
}

/** The Keyboard Maestro feature, for Engine.open. */
export function kmFeature(o: KmFeatureOptions = {}): Feature {
  let poller: KmPoller | null = null;
  let watch: { close(): Promise<void> } | null = null;
  let engineRef: Engine | null = null;
  let exportsPaused = false;
  const scripting = new KmScripting({ run: o.run });
  const live = new KmLiveSync({
    scripting,
    isRunning: o.isRunning,
    runningCacheMs: o.guardCacheMs,
    verifyTimeoutMs: o.verifyTimeoutMs,
    retryMs: o.retryMs,
    pollMs: o.pollMs,
    activity: (text) => {
      if (engineRef) pushActivity(engineRef.store, 'km', text);
    },
    pauseExports: (paused) => quietWhile(paused),
  });

  const libraryPathOf = (engine: Engine) => engine.settings.get().km.libraryPath ?? defaultLibraryPath(engine.home);
  /**
   * While changes are applied through Keyboard Maestro (a macro is deleted, then imported), the poller
   * stops looking: half-way states are neither reported nor exported. Looking again afterwards reports
   * the change as a whole (and exports it).
   */
  function quietWhile(on: boolean): void {
    exportsPaused = on;
    if (on) poller?.pause();
    else poller?.resume();
  }

  return {
    name: 'km',
    codecs: [kmLibraryCodec],
    liveIO: [live.port],
    guards: { liveWrite: [live.guard] },
    handlers: {
      kmMacros: () => poller?.listMacros() ?? [],
      conflictDetail: (_path, mine, theirs) => kmConflictMacros(mine, theirs),
      kmApplyState: () => live.getState(),
      kmApplyRetry: () => live.retry(),
      async kmHistory(engine, uid) {
        checkMacroUid(uid);
        const versions = await macroHistory(engine.git, uid);
        const lib = poller?.getLibrary() ?? (await readFile(libraryPathOf(engine)).then(parseLibrary).catch(() => null));
        const now = lib?.macros.get(uid);
        return {
          uid,
          name: now?.name ?? versions[0]?.name ?? null,
          inLibrary: !!now,
          exported: engine.settings.get().km.exportMacros,
          versions: versions.map(({ rev, at, host, message, name, group, deleted }) => ({ rev, at, host, message, name, group, deleted })),
        };
      },
      async kmVersion(engine, uid, rev) {
        const { content } = await macroVersion(engine.git, uid, rev);
        const lib = await readFile(libraryPathOf(engine)).then(parseLibrary).catch(() => null);
        const current = lib?.macros.has(uid) ? plistDiffText(macroFileContent(lib, uid)) : null;
        return { content: plistDiffText(content), current };
      },
      async kmRestore(engine, uid, rev) {
        const { content, entry } = await macroVersion(engine.git, uid, rev);
        quietWhile(true);
        let r;
        try {
          r = await restoreMacro({ content, uid, scripting, libraryPath: libraryPathOf(engine), importDir: join(engine.files.dir, 'km-import'), verifyTimeoutMs: o.verifyTimeoutMs });
        } finally {
          quietWhile(false);
        }
        const found = macroInFile(content, uid);
        if (r.kind === 'restored') {
          pushActivity(engine.store, 'km', `Macro '${r.name}' restored to the version saved on ${entry.host}`);
        }
        return { kind: r.kind, name: r.name, group: found?.group ?? entry.group, host: entry.host, at: entry.at, path: r.path, reason: r.kind === 'saved' ? r.reason : null, fix: r.kind === 'saved' ? r.fix : null };
      },
      async kmShowMacro(uid) {
        return { via: await scripting.showMacro(checkMacroUid(uid)) };
      },
    },
    async start(engine: Engine) {
      engineRef = engine;
      const s = engine.settings.get().km;
      if (!s.enabled) {
        engine.store.setState({ km: { ...engine.store.getState().km, status: 'disabled' } });
        return;
      }
      live.attach(keepHost(engine));
      const libraryPath = libraryPathOf(engine);
      const p = new KmPoller({ libraryPath, baseIntervalMs: s.baseIntervalMs, fastIntervalMs: s.fastIntervalMs, slowIntervalMs: s.slowIntervalMs });
      poller = p;
      // Paused only while changes are applied (quietWhile): people see it watching, as it is.
      p.onState((st) => engine.store.setState({ km: exportsPaused && st.status === 'paused' ? { ...st, status: 'active' } : st }));
      p.onError((err, source) => pushError(engine.store, 'km', `Keyboard Maestro ${source}: ${err.message}`));
      p.onEvents((events) => {
        // While the repo's changes are being applied, the library passes through half-way states:
        // they are neither reported nor exported (the final state is, once applied).
        if (exportsPaused) return;
        for (const e of events.slice(0, 50)) {
          const words = eventWords(e);
          if (words) pushActivity(engine.store, 'km', words);
        }
        if (events.length > 50) pushActivity(engine.store, 'km', `${events.length - 50} more macro changes`);
        if (events.some((e) => e.type !== 'library_reloaded')) live.localChanged();
        if (engine.settings.get().km.exportMacros) void exportAndCommit(engine, p, events, () => exportsPaused).catch((e) => pushError(engine.store, 'km', `Export failed: ${(e as Error).message}`));
      });
      watch = watchLibraryFile(libraryPath, () => p.trigger(), (err) => pushError(engine.store, 'km', err.message));
      p.start();
    },
    async stop() {
      live.attach(null);
      poller?.stop();
      await watch?.close();
      await live.whenIdle();
      poller = null;
      watch = null;
      engineRef = null;
    },
  };
}

async function exportAndCommit(engine: Engine, poller: KmPoller, events: KmEvent[], paused: () => boolean): Promise<void> {
  let committed = false;
  await engine.exclusive(async () => {
    // Read under the lock: a library being applied holds the lock, and its final state is what counts.
    const lib = poller.getLibrary();
    if (!lib || paused()) return;
    const r = await exportLibrary(lib, join(engine.repoDir, KM_EXPORT_DIR));
    if (r.written.length === 0 && r.removed.length === 0) return;
    // Each exported macro passes the commit guards like any file: one holding a key keeps its last
    // committed version (or stays out) until the key is gone or allowed.
    for (const rel of r.written) {
      const repoPath = `${KM_EXPORT_DIR}/${rel}`;
      const abs = join(engine.repoDir, KM_EXPORT_DIR, ...rel.split('/'));
      if (await engine.commitAllowed(repoPath, await readFile(abs))) continue;
      const before = await blobAt(engine.git, 'HEAD', repoPath);
      if (before) await writeFile(abs, before);
      else await rm(abs, { force: true });
    }
    const names = events.filter((e) => e.type.startsWith('macro_')).map((e) => e.name);
    const what = names.length ? `${names.length} macro change${names.length === 1 ? '' : 's'} (${[...new Set(names)].slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''})` : `${r.written.length + r.removed.length} macro files`;
    const c = await stageAndCommit(engine.git, [KM_EXPORT_DIR], `${engine.host}: Keyboard Maestro: ${what}`, engine.host);
    if (c.kind === 'committed') {
      committed = true;
      engine.events.emit('committed', { oid: c.oid, paths: [KM_EXPORT_DIR], reason: 'km-export' });
    }
  });
  if (committed) {
    await engine.refreshRepoState();
    engine.kick();
  }
}
