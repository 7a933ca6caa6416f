/** The contract's request channels, each bound to the engine. One table for every host. */
import type { Handlers } from './api.js';
import type { Engine } from './engine.js';
import { loadCatalog } from './profiles/catalog.js';
import { isDetected } from './profiles/scan.js';
import { stageAndCommit } from './git/commit.js';
import { lsTree } from './git/tree.js';
import { isConflictCopy } from './conflicts/names.js';
import { PROFILES_REL } from './profiles-set.js';
import { MARKER_DIR } from './git/init.js';
import { blobAt } from './git/tree.js';
import { isBinary } from './conflicts/merge-content.js';
import type { KmMacro, ConflictDetail } from '../../shared/contract.js';

/** Hooks other modules (the Keyboard Maestro poller) fill in when they start. */
export interface HandlerExtensions {
  kmMacros: () => KmMacro[];
  kmConflictDetail?: (path: string, mine: Buffer | null, theirs: Buffer | null) => ConflictDetail['macros'];
}

export const extensions: WeakMap<Engine, HandlerExtensions> = new WeakMap();

/**
 * Changes the shared profile list and commits it while no other repo work runs (a commit landing
 * between a push and its bookkeeping would look like unpushed history), then asks for a sync.
 */
async function changeProfiles<T>(engine: Engine, what: string, change: () => T): Promise<T> {
  const out = await engine.exclusive(async () => {
    const v = change();
    const r = await stageAndCommit(engine.git, [PROFILES_REL], `${engine.host}: ${what}`, engine.host);
    if (r.kind === 'error' || r.kind === 'disk-full') throw new Error(r.message);
    return v;
  });
  await engine.refreshRepoState();
  await engine.refreshProfilesState();
  engine.requestFullScan();
  void engine.syncNow({ reason: 'profiles' }).catch(() => undefined);
  return out;
}

export function buildHandlers(engine: Engine): Handlers {
  return {
    'state:get': () => engine.store.getState(),
    'sync:now': (p) => engine.syncNow({ reason: 'manual', adoptRemote: p?.adoptRemote }),
    'sync:set-paused': ({ paused }) => {
      engine.setPaused(paused);
      return { ok: true as const };
    },
    'settings:get': () => engine.settings.get(),
    'settings:update': ({ patch }) => {
      const next = engine.settings.update(patch);
      return next;
    },
    'profiles:catalog': async () => {
      const enabled = new Set((engine.settings.get().enabledProfiles ?? []).map((n) => n.toLowerCase()));
      return Promise.all(
        loadCatalog().map(async (def) => ({
          name: def.name,
          title: def.title ?? def.name,
          detected: await isDetected(def, { home: engine.home, platform: engine.platform }).catch(() => false),
          enabled: enabled.has(def.name.toLowerCase()),
          paths: def.paths,
        })),
      );
    },
    'profiles:list': () => engine.profiles.custom(),
    'profiles:set-enabled': async ({ name, enabled }) => {
      const known = engine.profiles.definitions().some((d) => d.name.toLowerCase() === name.toLowerCase());
      if (!known) throw new Error(`no profile named "${name}" (see \`confsync catalog\` and \`confsync profile list\`)`);
      const cur = engine.settings.get().enabledProfiles ?? [];
      const without = cur.filter((n) => n.toLowerCase() !== name.toLowerCase());
      engine.settings.update({ enabledProfiles: enabled ? [...without, name] : without });
      await engine.refreshProfilesState();
      return { ok: true as const };
    },
    'profiles:save': async ({ profile }) => {
      await changeProfiles(engine, `save profile ${profile.name}`, () => engine.profiles.save(profile));
      return { ok: true as const };
    },
    'profiles:remove': async ({ name }) => {
      await changeProfiles(engine, `remove profile ${name}`, () => {
        if (!engine.profiles.remove(name)) throw new Error(`no custom profile named "${name}" (catalog entries cannot be removed; disable them instead)`);
      });
      const cur = engine.settings.get().enabledProfiles ?? [];
      engine.settings.update({ enabledProfiles: cur.filter((n) => n.toLowerCase() !== name.toLowerCase()) });
      await engine.refreshProfilesState();
      return { ok: true as const };
    },
    'profiles:preview': ({ profile }) => {
      const s = engine.settings.get().sync;
      return engine.profiles.preview(profile, s.maxFilesPerProfile, s.maxFileBytes);
    },
    'repo:test-connection': (p) => engine.testConnection(p?.url),
    'conflicts:detail': async ({ path }) => {
      const conflict = engine.conflicts.list().find((c) => c.path === path);
      if (!conflict) throw new Error(`no conflict recorded for ${path}`);
      const mine = await blobAt(engine.git, 'HEAD', path);
      const theirs = conflict.copyPath ? await blobAt(engine.git, 'HEAD', conflict.copyPath) : null;
      const binary = !!((mine && isBinary(mine)) || (theirs && isBinary(theirs)));
      const macros = conflict.kind === 'km-macro' ? extensions.get(engine)?.kmConflictDetail?.(path, mine, theirs) : undefined;
      return {
        conflict,
        mine: mine && !binary ? mine.toString('utf8') : null,
        theirs: theirs && !binary ? theirs.toString('utf8') : null,
        binary,
        ...(macros ? { macros } : {}),
      };
    },
    'conflicts:resolve': ({ path, keep }) => engine.resolveConflict(path, keep),
    'history:files': async () => {
      const tree = await lsTree(engine.git, 'HEAD');
      const out = [];
      for (const p of tree.keys()) {
        if (p.startsWith(`${MARKER_DIR}/`) || isConflictCopy(p)) continue;
        out.push({ path: p, livePath: engine.profiles.repoToLive(p), profile: p.split('/')[0] });
      }
      return out;
    },
    'history:list': ({ path }) => engine.history(path),
    'history:show': ({ path, rev }) => engine.showVersion(path, rev),
    'history:restore': ({ path, rev }) => engine.restore(path, rev),
    'km:macros': () => extensions.get(engine)?.kmMacros() ?? [],
    'app:open-sync-folder': async () => {
      await engine.ports.openPath(engine.repoDir);
      return { ok: true as const };
    },
    'app:show-logs': async () => {
      await engine.ports.showLogs(engine.files.log);
      return { ok: true as const };
    },
  };
}
