/**
 * @parcel/watcher backend, for directory trees only (it cannot watch a single file). One native
 * watch per directory instead of per file: ~100 MB vs ~860 MB RSS at 100k files.
 *
 * Raw parcel events are create/update/delete without the kind of entry, so creates/updates are
 * lstat'ed (directories → addDir, updates of directories dropped; vanished entries dropped — the
 * delete follows). Deletes become `unlink` (a deleted directory cannot be told from a file).
 *
 * Workaround for parcel-bundler/watcher#97 (open): on inotify, a directory that is moved into the
 * tree, or created together with its subdirectories (`mkdir -p`), gets a watch only on itself — its
 * subdirectories stay unwatched. So when a created directory turns out to contain subdirectories we
 * (1) walk it and emit `add`/`addDir` for what is already inside, and (2) open an extra "patch"
 * subscription rooted at it, closed again when that directory is deleted. Past MAX_PATCHES the
 * whole tree is re-subscribed (and an `overflow` is emitted so the consumer rescans).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { AsyncSubscription, Event as ParcelEvent } from '@parcel/watcher';
import { snapshotAsAdds, walkTree } from './walk.js';
import type { BackendContext, BackendEvent, BackendSink, BackendSubscription, HostSpec, WatchBackend } from './types.js';

const MAX_PATCHES = 32;

type ParcelModule = typeof import('@parcel/watcher');

async function loadParcel(): Promise<ParcelModule> {
  const mod = (await import('@parcel/watcher')) as ParcelModule & { default?: ParcelModule };
  return mod.default ?? mod;
}

function isInside(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

export function createParcelBackend(): WatchBackend {
  return {
    name: 'parcel',
    async subscribe(spec: HostSpec, ctx: BackendContext, sink: BackendSink): Promise<BackendSubscription> {
      if (spec.mode !== 'tree') throw new Error('@parcel/watcher watches directories only');
      const parcel = await loadParcel();
      const root = spec.dir;
      const ignoreOpt = ctx.nativeIgnoreGlobs.length > 0 ? { ignore: ctx.nativeIgnoreGlobs } : {};

      let closed = false;
      let main: AsyncSubscription | null = null;
      /** Counts parcel callbacks; lets us tell whether a crawl/walk happened after an event. */
      let seq = 0;
      let mainSeq = 0;
      const patches = new Map<string, { sub: AsyncSubscription; seq: number }>();
      /** Directories recently walked by us, with the callback count at walk time (bounded). */
      const walked = new Map<string, number>();
      // serialise processing so events keep their order across parcel callbacks
      let chain: Promise<void> = Promise.resolve();

      const onParcel = (err: Error | null, events: ParcelEvent[]) => {
        if (closed) return;
        if (err) {
          sink.fatal(err);
          return;
        }
        const s = ++seq;
        chain = chain.then(() => process(events, s)).catch((e: unknown) => sink.warn(e as Error));
      };

      async function process(events: ParcelEvent[], s: number): Promise<void> {
        if (closed) return;
        const out: BackendEvent[] = [];
        const createdDirs: string[] = [];
        const CONC = 64;
        for (let i = 0; i < events.length; i += CONC) {
          const chunk = events.slice(i, i + CONC);
          const stats = await Promise.all(
            chunk.map((e) => (e.type === 'delete' ? null : fsp.lstat(e.path).catch(() => null))),
          );
          for (let j = 0; j < chunk.length; j++) {
            const e = chunk[j]!;
            if (e.path === root || !isInside(e.path, root)) continue;
            if (e.type === 'delete') {
              out.push({ type: 'unlink', path: e.path });
              continue;
            }
            const st = stats[j];
            if (!st) continue; // gone again; parcel reports the delete
            if (st.isDirectory()) {
              if (e.type === 'create') {
                out.push({ type: 'addDir', path: e.path, isDir: true });
                createdDirs.push(e.path);
              }
            } else {
              out.push({ type: e.type === 'create' ? 'add' : 'change', path: e.path, isDir: false });
            }
          }
        }
        // close patch subscriptions of deleted directories
        for (const ev of out) {
          if (ev.type !== 'unlink') continue;
          for (const [dir, patch] of patches) {
            if (isInside(dir, ev.path)) {
              patches.delete(dir);
              void patch.sub.unsubscribe().catch(() => undefined);
            }
          }
        }
        if (out.length > 0 && !closed) sink.events(out);
        for (const dir of createdDirs) await coverCreatedDir(dir, s);
      }

      /** Was `dir` crawled by a subscription, or walked by us, after callback `s` arrived? */
      function coveredSince(dir: string, s: number): boolean {
        if (mainSeq >= s) return true;
        for (const [p, patch] of patches) if (patch.seq >= s && isInside(dir, p)) return true;
        for (const [p, w] of walked) if (w >= s && isInside(dir, p)) return true;
        return false;
      }

      async function coverCreatedDir(dir: string, s: number): Promise<void> {
        if (closed || ctx.isIgnored(dir, true) || coveredSince(dir, s)) return;
        const walkSeq = seq;
        const snap = await walkTree(dir, { isIgnored: ctx.isIgnored, isCancelled: () => closed });
        walked.set(dir, walkSeq);
        if (walked.size > 256) walked.delete(walked.keys().next().value!);
        let hasSubdirs = false;
        for (const [rel, sig] of snap) if (rel !== '' && sig < 0) hasSubdirs = true;
        if (hasSubdirs && !patches.has(dir)) {
          if (patches.size >= MAX_PATCHES) {
            await resubscribe();
          } else {
            try {
              const patchSeq = seq;
              const sub = await parcel.subscribe(dir, onParcel, ignoreOpt);
              if (closed) await sub.unsubscribe();
              else patches.set(dir, { sub, seq: patchSeq });
            } catch (err) {
              sink.warn(err as Error);
            }
          }
        }
        const adds = snapshotAsAdds(dir, snap).filter((e) => e.path !== dir);
        if (adds.length > 0 && !closed) sink.events(adds);
      }

      async function resubscribe(): Promise<void> {
        const old = [main, ...[...patches.values()].map((p) => p.sub)];
        patches.clear();
        main = null;
        for (const sub of old) await sub?.unsubscribe().catch(() => undefined);
        if (closed) return;
        try {
          mainSeq = seq;
          main = await parcel.subscribe(root, onParcel, ignoreOpt);
        } catch (err) {
          sink.fatal(err as Error);
          return;
        }
        sink.events([{ type: 'overflow', path: root, isDir: true }]);
      }

      main = await parcel.subscribe(root, onParcel, ignoreOpt);

      return {
        async close() {
          if (closed) return;
          closed = true;
          const subs = [main, ...[...patches.values()].map((p) => p.sub)];
          patches.clear();
          main = null;
          await Promise.all(subs.map((s) => s?.unsubscribe().catch(() => undefined)));
          await chain.catch(() => undefined);
        },
      };
    },
  };
}
