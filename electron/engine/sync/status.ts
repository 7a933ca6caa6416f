/**
 * The only writer of `phase`, `repo.lastResult`, `skipped` and `safeToShutDown`. Everything else
 * reports FACTS here (work started, a pass finished with these skips, the watcher has N pending
 * paths, the repo is N commits ahead); `derive` turns the facts into the answer every host shows. So
 * the CLI, the tray and the popover can never disagree about whether it is safe to shut down.
 */
import { isSuccess, type AppState, type SkippedFile, type SyncPhase, type SyncResult } from '../../../shared/state.js';
import type { AppStore } from '../state/app-store.js';

export type Work = Extract<SyncPhase, 'scanning' | 'committing' | 'pulling' | 'applying' | 'pushing'>;

export interface StatusFacts {
  lifecycle: 'starting' | 'running' | 'stopped';
  paused: boolean;
  configError: string | null;
  /** The work running now (the innermost one), or null. */
  work: Work | null;
  /** Changes the watcher has seen and not yet handed over. */
  pendingLocal: number;
  remote: string | null;
  ahead: number;
  /** Files this machine could not sync, with whether they hold unsynced content. */
  skipped: SkippedFile[];
  /** The last pass could not commit (disk full, a commit error): edits wait on disk. */
  uncommitted: boolean;
  /** Edits were seen while paused. */
  dirtyWhilePaused: boolean;
  lastResult: SyncResult | null;
}

export interface Derived {
  phase: SyncPhase;
  safeToShutDown: boolean;
  /** Why it is not safe, in words (empty when safe). */
  unsafeBecause: string[];
}

export function derive(f: StatusFacts): Derived {
  const unsafe: string[] = [];
  if (f.lifecycle === 'starting') unsafe.push('starting');
  if (f.configError) unsafe.push('the settings file has an error');
  if (f.work) unsafe.push(`${f.work} now`);
  if (f.pendingLocal > 0) unsafe.push(`${f.pendingLocal} change${f.pendingLocal === 1 ? '' : 's'} waiting to be committed`);
  if (f.remote && f.ahead > 0) unsafe.push(`${f.ahead} commit${f.ahead === 1 ? '' : 's'} not pushed yet`);
  const unsynced = f.skipped.filter((s) => s.unsynced).length;
  if (unsynced) unsafe.push(`${unsynced} file${unsynced === 1 ? '' : 's'} with changes that cannot be synced`);
  if (f.uncommitted) unsafe.push('edits wait on disk (the last commit failed)');
  if (f.dirtyWhilePaused) unsafe.push('edits made while paused');
  const last = f.lastResult;
  const phase: SyncPhase =
    f.lifecycle === 'stopped'
      ? 'stopped'
      : f.lifecycle === 'starting' && !f.work
        ? 'starting'
        : f.paused
          ? 'paused'
          : f.work
            ? f.work
            : last && last.kind === 'offline'
              ? 'offline'
              : last && !isSuccess(last.kind)
                ? 'error'
                : f.configError
                  ? 'error'
                  : 'idle';
  return { phase, safeToShutDown: unsafe.length === 0 && f.lifecycle === 'running', unsafeBecause: unsafe };
}

export class Status {
  private facts: StatusFacts;
  private workStack: Work[] = [];

  constructor(
    private readonly store: AppStore,
    init: Partial<StatusFacts>,
  ) {
    this.facts = {
      lifecycle: 'starting',
      paused: false,
      configError: null,
      work: null,
      pendingLocal: 0,
      remote: null,
      ahead: 0,
      skipped: [],
      uncommitted: false,
      dirtyWhilePaused: false,
      lastResult: null,
      ...init,
    };
    this.write();
  }

  get(): Readonly<StatusFacts> {
    return this.facts;
  }

  derived(): Derived {
    return derive(this.facts);
  }

  set(patch: Partial<StatusFacts>): void {
    this.facts = { ...this.facts, ...patch };
    this.write();
  }

  /** Runs `fn` as `work` (nested work shows the innermost phase, then the outer one again). */
  async during<T>(work: Work, fn: () => Promise<T>): Promise<T> {
    this.workStack.push(work);
    this.set({ work });
    try {
      return await fn();
    } finally {
      const i = this.workStack.lastIndexOf(work);
      if (i >= 0) this.workStack.splice(i, 1);
      this.set({ work: this.workStack.at(-1) ?? null });
    }
  }

  /** Switches the innermost running work to another phase (a cycle moving from pulling to pushing). */
  switchTo(work: Work): void {
    if (this.workStack.length) this.workStack[this.workStack.length - 1] = work;
    else this.workStack.push(work);
    this.set({ work });
  }

  /** Records a finished pass: its result, its skips (replacing the previous ones for the paths it looked at). */
  finish(r: SyncResult, opts: { skippedComplete: boolean }): void {
    const skipped = opts.skippedComplete ? r.skipped : mergeSkips(this.facts.skipped, r.skipped);
    this.set({ lastResult: r, skipped });
  }

  /** Replaces the skip entries of the given paths (a partial pass over those paths only). */
  updateSkips(looked: Iterable<string>, found: SkippedFile[]): void {
    const paths = new Set(looked);
    const kept = this.facts.skipped.filter((s) => !paths.has(s.path));
    this.set({ skipped: mergeSkips(kept, found) });
  }

  private write(): void {
    const d = derive(this.facts);
    const st = this.store.getState();
    const patch: Partial<AppState> = {};
    if (st.phase !== d.phase) patch.phase = d.phase;
    if (st.safeToShutDown !== d.safeToShutDown) patch.safeToShutDown = d.safeToShutDown;
    if (st.paused !== this.facts.paused) patch.paused = this.facts.paused;
    if (st.configError !== this.facts.configError) patch.configError = this.facts.configError;
    if (st.skipped !== this.facts.skipped) patch.skipped = this.facts.skipped.slice(0, 500);
    if (st.watch.pendingPaths !== this.facts.pendingLocal) patch.watch = { ...st.watch, pendingPaths: this.facts.pendingLocal };
    const r = this.facts.lastResult;
    if (st.repo.lastResult !== r || st.repo.ahead !== this.facts.ahead) {
      patch.repo = { ...st.repo, lastResult: r, ahead: this.facts.ahead, ...(r && isSuccess(r.kind) && st.repo.lastResult !== r ? { lastSyncAt: r.at } : {}) };
    }
    if (Object.keys(patch).length) this.store.setState(patch);
  }
}

function mergeSkips(a: SkippedFile[], b: SkippedFile[]): SkippedFile[] {
  const m = new Map<string, SkippedFile>();
  for (const s of [...b, ...a]) if (!m.has(s.path)) m.set(s.path, s);
  return [...m.values()].slice(0, 500);
}
