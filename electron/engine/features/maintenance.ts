/**
 * The repo's object store kept packed, so the repo grows by about what changed (git/maintenance.ts).
 *
 * After a sync cycle, once the engine has been quiet for a moment (2 s; at most 10 s after the first
 * sync not looked after, so a steady stream of syncs cannot put it off), the feature looks at the
 * object store's folders (no process). When the loose objects, plus the packs a repack would fold
 * together, have grown by a budget since the last repack (or there are many packs), it repacks: under
 * the engine's repo mutex (`engine.exclusive`), so never beside another git write of the engine, and
 * holding git's own gc lock (`gc.pid`), so never beside a `git gc` git started by itself. A sync that
 * comes meanwhile waits for the repack (well under a second for a repo of a few MB; larger repos take
 * the geometric roll-up, whose work is about the size of what is new).
 *
 * Budget: 256 KiB by default, so the repo never holds more than that beyond what its packs hold. A
 * watched edit of a dotfile adds a few KB (one repack per ~50–100 such edits); a Keyboard Maestro
 * library edit adds ~300 KB (one repack per edit, ~0.1–0.3 s of one core for a repo of a few MB). What
 * is left loose after a repack (objects nothing reaches, which git keeps until its own gc) is the new
 * starting point, so leftovers never make it repack again and again.
 */
import type { Engine } from '../engine.js';
import { repack, storeSize, type StoreSize } from '../git/maintenance.js';
import type { Feature } from './feature.js';

export interface MaintenanceOptions {
  /** Repack when loose objects plus small packs grew by this many bytes. Default 256 KiB. */
  budgetBytes?: number;
  /** …or by this many loose objects (below git's own gc.auto). Default 200. */
  budgetObjects?: number;
  /** …or when there are this many packs. Default 16. */
  maxPacks?: number;
  /**
   * Up to this total pack size and object count, everything goes into one pack (rewriting it costs
   * ~0.1 s per few MB, and git walks every object); above, the geometric roll-up, whose work is about
   * the size of what is new. Default 16 MiB and 20,000 objects.
   */
  wholeRepackUpTo?: { bytes: number; objects: number };
  /** How long the engine stays quiet after a sync before the store is looked at. Default 2 s. */
  quietMs?: number;
  /** While syncs keep coming, look at least this long after the first one not looked after. Default 10 s. */
  maxWaitMs?: number;
}

export interface MaintenanceFeature extends Feature {
  /** Looks now (tests): resolves with what was done. */
  checkNow(): Promise<'repacked' | 'within-budget' | 'busy' | 'error'>;
}

/** Bytes a repack would fold together: the loose objects and every pack but the largest. */
const unpacked = (s: StoreSize) => s.looseBytes + s.smallPackBytes;

export function repoMaintenanceFeature(o: MaintenanceOptions = {}): MaintenanceFeature {
  const budgetBytes = o.budgetBytes ?? 256 * 1024;
  const budgetObjects = o.budgetObjects ?? 200;
  const maxPacks = o.maxPacks ?? 16;
  const wholeUpTo = o.wholeRepackUpTo ?? { bytes: 16 * 1024 * 1024, objects: 20_000 };
  const quietMs = o.quietMs ?? 2000;
  const maxWaitMs = o.maxWaitMs ?? 10_000;
  /** When the first sync not yet followed by a look happened (null: none waits). */
  let waitingSince: number | null = null;
  let engine: Engine | null = null;
  let off: (() => void) | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  /** The store right after the last repack (or at start: nothing). */
  let after: StoreSize = { looseCount: 0, looseBytes: 0, packs: 0, packBytes: 0, packObjects: 0, smallPackBytes: 0 };

  const due = (s: StoreSize) => unpacked(s) - unpacked(after) >= budgetBytes || s.looseCount - after.looseCount >= budgetObjects || (s.packs >= maxPacks && s.packs > after.packs);

  async function checkNow(): Promise<'repacked' | 'within-budget' | 'busy' | 'error'> {
    const e = engine;
    if (!e || running) return 'busy';
    if (!due(storeSize(e.repoDir))) return 'within-budget';
    const work = e.exclusive(async () => {
      const s = storeSize(e.repoDir);
      if (!due(s)) return 'within-budget' as const;
      const r = await repack(e.git, { all: s.packBytes <= wholeUpTo.bytes && s.packObjects <= wholeUpTo.objects });
      if (r.kind === 'busy') return 'busy' as const; // git's own gc packs meanwhile
      after = storeSize(e.repoDir);
      return r.kind === 'ok' ? ('repacked' as const) : ('error' as const);
    });
    running = work;
    try {
      return await work;
    } finally {
      running = null;
    }
  }

  const schedule = () => {
    if (timer) clearTimeout(timer);
    const now = Date.now();
    waitingSince ??= now;
    timer = setTimeout(
      () => {
        timer = null;
        waitingSince = null;
        void checkNow().catch(() => undefined);
      },
      Math.max(0, Math.min(quietMs, waitingSince + maxWaitMs - now)),
    );
    timer.unref?.();
  };

  return {
    name: 'repo-maintenance',
    checkNow,
    async start(e: Engine) {
      engine = e;
      off = e.events.on('synced', schedule);
      schedule();
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      off?.();
      off = null;
      await running?.catch(() => undefined);
      engine = null;
    },
  };
}
