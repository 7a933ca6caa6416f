/**
 * macOS preference domains as a feature: `~/Library/Preferences/<domain>.plist` is read and applied
 * through cfprefsd (`defaults export` / `defaults import`, see macos/prefs.ts), never as a file.
 *
 * While the app that owns a domain runs:
 * - `applyWhen` "now" or unset: the settings are applied anyway, and the write says "Quit and reopen
 *   APP to use the new settings" (a running app keeps its own copy in memory);
 * - `applyWhen` "app-quit" (the app writes its whole state back when it quits, e.g. iTerm2,
 *   Terminal): the live-write guard holds the path ("waiting for APP to quit: …"), the feature polls
 *   `pgrep -x APP` every few seconds while something is held for APP, and asks the engine for a sync
 *   when APP is gone, which applies what waited. The write itself refuses too, should the app have
 *   started between the guard and the write: it is never applied under the app.
 *
 * Never half-applied: the content is checked to be a plist dictionary before anything runs; `defaults
 * import` applies it in one step; the domain is read back afterwards and, should it not hold exactly
 * what was sent (a tool that merged instead of replacing, a concurrent writer), the previous settings
 * are put back and the write fails in words.
 *
 * Active on macOS only (platform injectable for tests). Which app owns a path and when to apply come
 * from the profiles (`app`, `applyWhen`): `profileFor(livePath)`, wired by the host to the engine's
 * profiles; without it the guard holds nothing (the core still passes app/applyWhen to `write`).
 */
import { lstat } from 'node:fs/promises';
import type { Engine } from '../engine.js';
import { resolveHome } from '../config/paths.js';
import { PrefsPort, decodeDomainPlist, domainForLivePath, type Runner } from '../macos/prefs.js';
import type { PlistValue } from '../km/types.js';
import type { Feature, LiveApplyContext, LiveIO, LiveWriteGuard } from './feature.js';

export interface PrefsOwner {
  /** The app's process name (what `pgrep -x` sees), e.g. "Rectangle". */
  app?: string;
  applyWhen?: 'now' | 'app-quit';
}

export interface PrefsFeatureOptions {
  /** Default: process.platform. The feature does nothing elsewhere than 'darwin'. */
  platform?: NodeJS.Platform;
  /** The home folder whose Library/Preferences is handled. Default: $HOME (as the engine resolves it). */
  home?: string;
  /** Runs `defaults` and `pgrep` (tests: a runner whose PATH starts with recording fakes). */
  run?: Runner;
  /** The profile that holds a live path: its app and applyWhen. */
  profileFor?: (livePath: string) => PrefsOwner | null | undefined;
  /** How often a held app is looked for while something waits for it to quit. Default 3 s. */
  pollIntervalMs?: number;
  /** How long the guard trusts one `pgrep` answer (one pass asks for many paths). Default 1.5 s. */
  guardCacheMs?: number;
}

export const PREFS_SYNC_REASON = 'app-quit';

export function holdReason(app: string): string {
  return `waiting for ${app} to quit: its preferences are applied when it is not running`;
}

export function reopenNotice(app: string): string {
  return `Quit and reopen ${app} to use the new settings`;
}

/** A plist value in a form that compares equal when cfprefsd would hold the same setting. */
function canonical(v: PlistValue): unknown {
  if (v instanceof Date) return { date: Number.isNaN(v.getTime()) ? 'invalid' : v.toISOString().slice(0, 19) }; // XML plists keep whole seconds
  if (Buffer.isBuffer(v)) return { data: v.toString('base64') };
  if (typeof v === 'bigint') return { int: v.toString() };
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = canonical(v[k]);
    return out;
  }
  return v;
}

/** Top-level keys whose values differ between two domain dictionaries (sorted). */
export function differingKeys(a: Buffer, b: Buffer): string[] {
  const x = decodeDomainPlist(a);
  const y = decodeDomainPlist(b);
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  return [...keys].filter((k) => !(k in x) || !(k in y) || JSON.stringify(canonical(x[k])) !== JSON.stringify(canonical(y[k]))).sort();
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

function keyList(keys: string[]): string {
  const shown = keys.slice(0, 5).map((k) => JSON.stringify(k));
  return keys.length > 5 ? `${shown.join(', ')} and ${keys.length - 5} more` : shown.join(', ');
}

/** The LiveIO port for preference domains. */
export function prefsLiveIO(port: PrefsPort, home: string): LiveIO {
  const domainOf = (livePath: string): string => {
    const d = domainForLivePath(home, livePath);
    if (!d) throw new Error(`${livePath} is not a preference domain file (~/Library/Preferences/<domain>.plist)`);
    return d;
  };
  return {
    name: 'macos-prefs',
    owns: (livePath) => domainForLivePath(home, livePath) !== null,

    async read(livePath) {
      const bytes = await port.exportDomain(domainOf(livePath));
      if (!bytes) return null;
      // Some macOS versions export an unknown domain as an empty dictionary with exit 0: with no file
      // behind it either, the domain does not exist.
      if (Object.keys(decodeDomainPlist(bytes)).length === 0 && !(await exists(livePath))) return null;
      return bytes;
    },

    async write(livePath, content, ctx: LiveApplyContext) {
      const domain = domainOf(livePath);
      try {
        decodeDomainPlist(content);
      } catch (e) {
        throw new Error(`not applied to ${domain}: ${(e as Error).message}; nothing was changed`, { cause: e });
      }
      const running = ctx.app ? await port.appRunning(ctx.app) : false;
      if (running && ctx.applyWhen === 'app-quit') {
        throw new Error(`not applied to ${domain}: ${ctx.app} is running, and its preferences are applied when it is not running; nothing was changed`);
      }
      const before = await port.exportDomain(domain);
      if (before && differingKeys(before, content).length === 0) return {}; // cfprefsd already holds exactly this
      await port.importDomain(domain, content);
      const after = await port.exportDomain(domain);
      const off = after ? differingKeys(after, content) : ['(the whole domain)'];
      if (off.length > 0) {
        let undo = 'the previous settings were put back';
        try {
          if (before) await port.importDomain(domain, before);
          else await port.deleteDomain(domain);
        } catch (e) {
          undo = `putting the previous settings back failed too: ${(e as Error).message}`;
        }
        throw new Error(`defaults import ${domain} did not apply the settings as sent (${keyList(off)} differ afterwards); ${undo}`);
      }
      return running && ctx.app ? { notice: reopenNotice(ctx.app) } : {};
    },
  };
}

export interface PrefsFeature extends Feature {
  /** Live paths held until their app quits, by app (a copy). */
  held(): Map<string, string[]>;
}

/** The preference-domain feature, for Engine.open (inactive elsewhere than macOS). */
export function prefsFeature(o: PrefsFeatureOptions = {}): PrefsFeature {
  const platform = o.platform ?? process.platform;
  if (platform !== 'darwin') return { name: 'prefs', held: () => new Map() };

  const home = o.home ?? resolveHome();
  const port = new PrefsPort({ run: o.run });
  const liveIO = prefsLiveIO(port, home);
  const pollMs = o.pollIntervalMs ?? 3000;
  const cacheMs = o.guardCacheMs ?? 1500;
  const holds = new Map<string, Set<string>>();
  const seen = new Map<string, { at: number; running: boolean }>();
  let engine: Engine | null = null;
  let timer: NodeJS.Timeout | null = null;
  let ticking = false;

  const runningNow = async (app: string): Promise<boolean> => {
    const running = await port.appRunning(app);
    seen.set(app, { at: Date.now(), running });
    return running;
  };
  const runningCached = async (app: string): Promise<boolean> => {
    const c = seen.get(app);
    return c && Date.now() - c.at < cacheMs ? c.running : runningNow(app);
  };
  const release = (livePath: string): void => {
    for (const [app, paths] of holds) {
      paths.delete(livePath);
      if (paths.size === 0) holds.delete(app);
    }
  };
  const hold = (app: string, livePath: string): void => {
    let paths = holds.get(app);
    if (!paths) holds.set(app, (paths = new Set()));
    paths.add(livePath);
    ensurePolling();
  };

  const stopPolling = (): void => {
    if (timer) clearInterval(timer);
    timer = null;
  };
  const tick = async (): Promise<void> => {
    if (ticking || !engine) return;
    ticking = true;
    try {
      const gone: string[] = [];
      for (const app of [...holds.keys()]) {
        // A pgrep that fails keeps the hold: the next tick asks again.
        if (!(await runningNow(app).catch(() => true))) gone.push(app);
      }
      for (const app of gone) holds.delete(app);
      if (holds.size === 0) stopPolling();
      if (gone.length > 0) void engine.syncNow({ reason: PREFS_SYNC_REASON }).catch(() => undefined);
    } finally {
      ticking = false;
    }
  };
  function ensurePolling(): void {
    if (timer || !engine || holds.size === 0) return;
    timer = setInterval(() => void tick(), pollMs);
    timer.unref?.();
  }

  const guard: LiveWriteGuard = async (livePath) => {
    if (!liveIO.owns(livePath)) return null;
    const owner = o.profileFor?.(livePath);
    if (!owner?.app || owner.applyWhen !== 'app-quit') {
      release(livePath);
      return null;
    }
    let running: boolean;
    try {
      running = await runningCached(owner.app);
    } catch (e) {
      hold(owner.app, livePath);
      return `waiting for ${owner.app}: could not tell whether it is running (${(e as Error).message}); its preferences are applied when it is not running`;
    }
    if (!running) {
      release(livePath);
      return null;
    }
    hold(owner.app, livePath);
    return holdReason(owner.app);
  };

  return {
    name: 'prefs',
    liveIO: [liveIO],
    guards: { liveWrite: [guard] },
    held: () => new Map([...holds].map(([app, paths]) => [app, [...paths].sort()])),
    async start(e: Engine) {
      engine = e;
      ensurePolling();
    },
    async stop() {
      stopPolling();
      engine = null;
    },
  };
}
