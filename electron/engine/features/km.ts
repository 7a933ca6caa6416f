/**
 * Keyboard Maestro as a feature: its library codec (merge by macro UID), the live-write guard (the
 * library is never written while the Keyboard Maestro Engine runs), the poller that reports macro
 * changes in words, and one readable `.kmmacros` file per macro exported into the sync repo
 * (`keyboard-maestro-macros/<group>/<macro>.kmmacros`) and committed, so history and diffs work per macro.
 */
import { join } from 'node:path';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { blobAt } from '../git/tree.js';
import type { Engine } from '../engine.js';
import { KmPoller, watchLibraryFile, exportLibrary, parseLibrary, macroFileContent, isKmEngineRunning, type KmEvent } from '../km/index.js';
import { kmLibraryCodec, KM_LIBRARY_RE } from '../km/codec.js';
import { pushActivity, pushError } from '../state/app-store.js';
import { stageAndCommit } from '../git/commit.js';
import type { ConflictDetail } from '../../../shared/contract.js';
import type { Feature, LiveWriteGuard } from './feature.js';

export const KM_EXPORT_DIR = 'keyboard-maestro-macros';
export { KM_LIBRARY_RE };

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

export const KM_BLOCKED_REASON =
  'the Keyboard Maestro Engine is running: the library arriving from the remote is applied when it quits (ConfSync never writes the live library under it; use `confsync km restore` for single macros)';

/**
 * Never write the live library while the Keyboard Maestro Engine runs (it would overwrite it, or lose
 * our write). `pgrep -x "Keyboard Maestro Engine"` answers; it is asked on every platform (elsewhere it
 * simply finds nothing), so the decision is testable with a recording fake `pgrep`.
 */
export function kmLibraryGuard(isRunning: () => Promise<boolean> = () => isKmEngineRunning(undefined, 'darwin'), cacheMs = 2000): LiveWriteGuard {
  let cached: { at: number; running: boolean } | null = null;
  return async (livePath) => {
    if (!KM_LIBRARY_RE.test(livePath)) return null;
    if (!cached || Date.now() - cached.at > cacheMs) cached = { at: Date.now(), running: await isRunning() };
    return cached.running ? KM_BLOCKED_REASON : null;
  };
}

export interface KmFeatureOptions {
  isRunning?: () => Promise<boolean>;
  guardCacheMs?: number;
}

/** The Keyboard Maestro feature, for Engine.open. */
export function kmFeature(o: KmFeatureOptions = {}): Feature {
  let poller: KmPoller | null = null;
  let watch: { close(): Promise<void> } | null = null;
  return {
    name: 'km',
    codecs: [kmLibraryCodec],
    guards: { liveWrite: [kmLibraryGuard(o.isRunning, o.guardCacheMs)] },
    handlers: {
      kmMacros: () => poller?.listMacros() ?? [],
      conflictDetail: (_path, mine, theirs) => kmConflictMacros(mine, theirs),
    },
    async start(engine: Engine) {
      const s = engine.settings.get().km;
      if (!s.enabled) {
        engine.store.setState({ km: { ...engine.store.getState().km, status: 'disabled' } });
        return;
      }
      const libraryPath = s.libraryPath ?? defaultLibraryPath(engine.home);
      const p = new KmPoller({ libraryPath, baseIntervalMs: s.baseIntervalMs, fastIntervalMs: s.fastIntervalMs, slowIntervalMs: s.slowIntervalMs });
      poller = p;
      p.onState((st) => engine.store.setState({ km: st }));
      p.onError((err, source) => pushError(engine.store, 'km', `Keyboard Maestro ${source}: ${err.message}`));
      p.onEvents((events) => {
        for (const e of events.slice(0, 50)) {
          const words = eventWords(e);
          if (words) pushActivity(engine.store, 'km', words);
        }
        if (events.length > 50) pushActivity(engine.store, 'km', `${events.length - 50} more macro changes`);
        if (engine.settings.get().km.exportMacros) void exportAndCommit(engine, p, events).catch((e) => pushError(engine.store, 'km', `Export failed: ${(e as Error).message}`));
      });
      watch = watchLibraryFile(libraryPath, () => p.trigger(), (err) => pushError(engine.store, 'km', err.message));
      p.start();
    },
    async stop() {
      poller?.stop();
      await watch?.close();
      poller = null;
      watch = null;
    },
  };
}

async function exportAndCommit(engine: Engine, poller: KmPoller, events: KmEvent[]): Promise<void> {
  const lib = poller.getLibrary();
  if (!lib) return;
  let committed = false;
  await engine.exclusive(async () => {
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
