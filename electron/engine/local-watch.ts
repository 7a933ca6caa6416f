/**
 * Real-time watching of the enabled profiles: the watcher (backend chosen per target, polling fallback)
 * → ignore rules → coalescer (debounce, max wait, dedupe, bounded) → the engine's reconcile of exactly
 * the paths that changed.
 */
import { statSync } from 'node:fs';
import { createWatcher, Coalescer, type Watcher, type WatchTarget, type ChangeBatch } from './watch/index.js';
import type { ResolvedProfile } from './profiles/paths.js';
import type { SettingsStore } from './config/settings-store.js';
import { patchState, pushError, type AppStore } from './state/app-store.js';

interface EngineLike {
  /**
   * The ignore rules of the enabled profiles: the engine's own (built once per profile set and repo
   * files version), so the watcher and the scan share one (its .gitignore discovery walks every folder).
   */
  ignore(): (abs: string, isDir?: boolean) => boolean;
  updateSafe(): void;
}

export interface LocalWatchOptions {
  engine: EngineLike;
  settings: SettingsStore;
  store: AppStore;
  onBatch: (livePaths: string[], firstSeenAt: number, rescan: boolean) => Promise<void>;
}

export function targetsOf(profiles: ResolvedProfile[]): WatchTarget[] {
  const out = new Map<string, WatchTarget>();
  for (const p of profiles) {
    for (const e of p.entries) {
      let kind: WatchTarget['kind'] = e.glob ? 'tree' : 'file';
      try {
        if (statSync(e.abs).isDirectory()) kind = 'tree';
      } catch {
        /* absent: the watcher waits for it to appear */
      }
      out.set(e.abs, { path: e.abs, kind });
    }
  }
  return [...out.values()];
}

export class LocalWatch {
  private watcher: Watcher | null = null;
  private coalescer: Coalescer;

  constructor(private readonly o: LocalWatchOptions) {
    const s = o.settings.get().sync;
    this.coalescer = new Coalescer({
      debounceMs: s.debounceMs,
      // A lone save goes after a quarter of the quiet time (250 ms at the default); bursts wait
      // longer, up to debounceMs.
      minDebounceMs: Math.round(s.debounceMs / 4),
      maxWaitMs: s.maxWaitMs,
      maxPending: 100_000,
      onBatch: (b) => this.deliver(b),
    });
  }

  private profiles: ResolvedProfile[] = [];

  private async deliver(b: ChangeBatch): Promise<void> {
    const first = b.changes.reduce((m, c) => Math.min(m, c.firstSeenAt), Date.now());
    const rescan = b.overflow || b.changes.some((c) => c.kind === 'rescan-dir');
    // A target that was absent (so watched as a file) may have appeared as a directory: re-arm it
    // as a tree, or edits inside it would go unseen.
    if (rescan && this.watcher) {
      const next = targetsOf(this.profiles);
      const cur = new Map((this.watcher.status().targets ?? []).map((t) => [t.path, t.kind]));
      if (next.some((t) => cur.has(t.path) && cur.get(t.path) !== t.kind)) await this.watcher.setTargets(next);
    }
    const paths = b.changes.filter((c) => c.kind !== 'rescan-dir').map((c) => c.path);
    try {
      await this.o.onBatch(paths, first, rescan);
    } catch (e) {
      pushError(this.o.store, 'watch', `Could not process changes: ${(e as Error).message}`);
    }
    this.o.engine.updateSafe();
  }

  async start(profiles: ResolvedProfile[]): Promise<void> {
    this.profiles = profiles;
    const s = this.o.settings.get().sync;
    this.watcher = createWatcher({
      backend: s.watcherBackend,
      pollIntervalMs: s.pollIntervalMs,
      isIgnored: (p, d) => this.o.engine.ignore()(p, d),
      onEvents: (events) => {
        const st = this.o.store.getState();
        patchState(this.o.store, 'watch', { eventsSeen: st.watch.eventsSeen + events.length });
        this.coalescer.push(events);
        this.o.engine.updateSafe();
      },
      onError: (err, target) => pushError(this.o.store, 'watch', `${target ? `${target}: ` : ''}${err.message}`),
      onBackendChange: (status) => this.publish(status),
    });
    await this.watcher.start(targetsOf(profiles));
    this.publish(this.watcher.status());
  }

  private publish(status: { backend: string; pollingPaths: string[] }): void {
    patchState(this.o.store, 'watch', { backend: status.backend, pollingPaths: status.pollingPaths });
  }

  async setTargets(profiles: ResolvedProfile[]): Promise<void> {
    this.profiles = profiles;
    if (!this.watcher) return;
    await this.watcher.setTargets(targetsOf(profiles));
    this.publish(this.watcher.status());
  }

  pending(): number {
    return this.coalescer.pending();
  }

  /** Delivers everything seen so far and waits for it to be committed. */
  async flush(): Promise<void> {
    await this.coalescer.flush();
  }

  async stop(): Promise<void> {
    await this.watcher?.stop();
    await this.coalescer.close();
  }
}
