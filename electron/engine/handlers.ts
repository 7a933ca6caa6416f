/** The contract's request channels, each bound to the engine. One table for every host. */
import type { Handlers } from './api.js';
import type { Engine } from './engine.js';
import type { FeatureHandlers } from './features/feature.js';
import { loadCatalog } from './profiles/catalog.js';
import { isDetected } from './profiles/scan.js';
import { stageAndCommit } from './git/commit.js';
import { lsTree } from './git/tree.js';
import { isConflictCopy } from './sync/conflicts.js';
import { PROFILES_REL } from './profiles-set.js';
import { MARKER_DIR } from './git/init.js';

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

/** A Keyboard Maestro feature handler, or a clear error when this host runs without that feature. */
function kmHandler<K extends keyof FeatureHandlers>(engine: Engine, name: K): NonNullable<FeatureHandlers[K]> {
  const h = engine.featureHandlers[name];
  if (!h) throw new Error('Keyboard Maestro support is not part of this ConfSync host');
  return h as NonNullable<FeatureHandlers[K]>;
}

/** A secrets identity handler (features/secret-files.ts), or a clear error when this host runs without it. */
function identityHandler<K extends 'secretIdentityStatus' | 'secretIdentityCreate' | 'secretIdentityShow' | 'secretIdentitySet'>(engine: Engine, name: K): NonNullable<FeatureHandlers[K]> {
  const h = engine.featureHandlers[name];
  if (!h) throw new Error('encrypted files are not part of this ConfSync host (it runs without the secrets identity)');
  return h as NonNullable<FeatureHandlers[K]>;
}

export function buildHandlers(engine: Engine): Handlers {
  return {
    'state:get': () => engine.store.getState(),
    'sync:now': (p) => engine.syncNow({ reason: 'manual', adoptRemote: p?.adoptRemote, apply: p?.apply }),
    'sync:set-paused': ({ paused }) => {
      engine.setPaused(paused);
      return { ok: true as const };
    },
    'variants:list': ({ path }) => engine.variants(path),
    'variants:add': ({ path, for: spec }) => engine.addVariant(path, spec),
    'secrets:list': () => engine.secrets(),
    'sync:preview': (p) => engine.preview(p ?? {}),
    'history:timeline': async (q) => {
      const path = q?.path ? await engine.resolvePath(q.path, { history: true }) : undefined;
      return engine.timeline({ ...q, ...(path ? { path } : {}) });
    },
    'history:change': ({ rev }) => engine.change(rev),
    'history:restore-change': ({ rev }) => engine.restoreChange(rev),
    'sync:diff': (p) => engine.diff(p?.path, { ...(p?.url ? { url: p.url } : {}), ...(p?.branch ? { branch: p.branch } : {}) }),
    'sync:join': (p) => engine.join(p?.profiles),
    'secrets:add': ({ path }) => engine.addSecret(path),
    'secrets:remove': ({ path }) => engine.removeSecret(path),
    'secrets:identity-status': () => identityHandler(engine, 'secretIdentityStatus')(),
    'secrets:identity-create': () => identityHandler(engine, 'secretIdentityCreate')(),
    'secrets:identity-show': () => identityHandler(engine, 'secretIdentityShow')(),
    'secrets:identity-set': async ({ identity, replace }) => {
      const r = await identityHandler(engine, 'secretIdentitySet')(identity, replace);
      // Encrypted files held here for want of the identity can be opened now.
      if (r.changed) {
        engine.requestFullScan();
        void engine.syncNow({ reason: 'secrets identity' }).catch(() => undefined);
      }
      return r;
    },
    'sync:plan': async () => {
      const r = await engine.plan();
      return { actions: r.plan.filter((a) => a.action !== 'none'), skipped: r.skipped };
    },
    'settings:get': () => engine.settings.get(),
    'settings:update': ({ patch }) => engine.settings.update(patch),
    'profiles:catalog': async () => {
      const enabled = new Set((engine.settings.get().enabledProfiles ?? []).map((n) => n.toLowerCase()));
      return Promise.all(
        loadCatalog().map(async (def) => ({
          name: def.name,
          title: def.title ?? def.name,
          detected: await isDetected(def, { home: engine.home, platform: engine.platform }).catch(() => false),
          enabled: enabled.has(def.name.toLowerCase()),
          paths: def.paths,
          exclude: def.exclude ?? [],
          ignoreKeys: def.ignoreKeys ?? [],
          localKeys: def.localKeys ?? [],
          app: def.app ?? null,
          applyWhen: def.applyWhen ?? null,
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
      // A profile turned on syncs at once (its files are read, committed, or arrive), not at the
      // next scheduled sync.
      if (enabled && !cur.some((n) => n.toLowerCase() === name.toLowerCase())) void engine.syncNow({ reason: 'profiles' }).catch(() => undefined);
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
    'conflicts:detail': ({ path, from }) => engine.conflictDetail(path, from),
    'conflicts:resolve': ({ path, keep, from }) => engine.resolveConflict(path, keep, from),
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
    'paths:resolve': async ({ path, history }) => {
      const repo = await engine.resolvePath(path, { history });
      return { path: repo, livePath: engine.profiles.repoToLive(repo) };
    },
    'ignore:list': () => engine.ignoreList(),
    'ignore:add': ({ pattern }) => engine.ignoreEdit('add', pattern),
    'ignore:remove': ({ pattern }) => engine.ignoreEdit('remove', pattern),
    'km:macros': () => engine.featureHandlers.kmMacros?.() ?? [],
    'km:apply-state': () => kmHandler(engine, 'kmApplyState')(),
    'km:apply-retry': () => kmHandler(engine, 'kmApplyRetry')(),
    'km:history': ({ uid }) => kmHandler(engine, 'kmHistory')(engine, uid),
    'km:version': ({ uid, rev }) => kmHandler(engine, 'kmVersion')(engine, uid, rev),
    'km:restore': ({ uid, rev }) => kmHandler(engine, 'kmRestore')(engine, uid, rev ?? null),
    'km:show-macro': ({ uid }) => kmHandler(engine, 'kmShowMacro')(uid),
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
