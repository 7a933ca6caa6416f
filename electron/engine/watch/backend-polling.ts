/**
 * Polling backend: a stat-based walk every `pollIntervalMs`, compared with the previous snapshot
 * (mtime µs + size + inode folded into one number per entry). For network file systems, permission
 * problems and exhausted watch limits. Needs no watch handles at all.
 *
 * - The host directory itself may be missing: the snapshot is then empty, and when it appears
 *   everything in it is reported as added (so pending targets need no extra machinery here).
 * - The next walk starts `max(pollIntervalMs, 4 × last walk duration)` after the previous one
 *   ended, so a huge tree cannot keep a core busy. Single-file targets (a few stats) poll every
 *   `pollIntervalMs`.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { diffSnapshots, sigOf, walkTree, DIR_SIG, type Snapshot } from './walk.js';
import type { BackendContext, BackendEvent, BackendSink, BackendSubscription, HostSpec, WatchBackend } from './types.js';

async function snapFiles(dir: string, names: ReadonlySet<string>): Promise<Snapshot> {
  const snap: Snapshot = new Map();
  await Promise.all(
    [...names].map(async (name) => {
      try {
        const p = path.join(dir, name);
        // a single-file target that is a symlink is followed (its content is what is synced);
        // a dangling link still counts as present
        const st = await fsp.stat(p).catch(() => fsp.lstat(p));
        snap.set(name, st.isDirectory() ? DIR_SIG : sigOf(st));
      } catch {
        /* missing */
      }
    }),
  );
  return snap;
}

export function createPollingBackend(): WatchBackend {
  return {
    name: 'polling',
    async subscribe(spec: HostSpec, ctx: BackendContext, sink: BackendSink): Promise<BackendSubscription> {
      let closed = false;
      let timer: NodeJS.Timeout | null = null;
      let running: Promise<void> | null = null;
      const root = spec.dir;
      const errorsSeen = new Set<string>();

      const take = (): Promise<Snapshot> =>
        spec.mode === 'files'
          ? snapFiles(root, spec.names)
          : walkTree(root, {
              isIgnored: ctx.isIgnored,
              isCancelled: () => closed,
              onError: (err, p) => {
                // report each unreadable path once, not on every poll
                const key = `${err.code}:${p}`;
                if (errorsSeen.has(key)) return;
                errorsSeen.add(key);
                sink.warn(err);
              },
            });

      let prev = await take();
      let lastDuration = 0;

      const tick = async () => {
        const t0 = Date.now();
        const next = await take();
        lastDuration = Date.now() - t0;
        if (closed) return;
        const events: BackendEvent[] = diffSnapshots(root, prev, next);
        prev = next;
        if (events.length > 0) sink.events(events);
      };

      const schedule = () => {
        if (closed) return;
        // A few named files cost a few stats: no back-off (a walk slowed once by a loaded machine would
        // otherwise push the next look at a single-file target many seconds out).
        const delay = spec.mode === 'files' ? ctx.pollIntervalMs : Math.max(ctx.pollIntervalMs, lastDuration * 4);
        timer = setTimeout(() => {
          timer = null;
          running = tick()
            .catch((err: unknown) => sink.warn(err as Error))
            .finally(() => {
              running = null;
              schedule();
            });
        }, delay);
      };
      schedule();

      return {
        async close() {
          closed = true;
          if (timer) clearTimeout(timer);
          timer = null;
          await running;
        },
      };
    },
  };
}
