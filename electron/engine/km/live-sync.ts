/**
 * Keyboard Maestro synced while its Engine runs (which, on a normal Mac, is always).
 *
 * The library file belongs to Keyboard Maestro: written behind its back, it is ignored or overwritten.
 * So the library is a LiveIO port the sync core reads and writes through (sync/live-access.ts):
 *
 *   read    the file as Keyboard Maestro last wrote it.
 *   write   Engine not running: the file itself, atomically (Keyboard Maestro reads it when it starts).
 *           Engine running: the per-macro difference between the live library and the version the
 *           core applies (HEAD's, or its merge with this machine's) goes through Keyboard Maestro's
 *           own scripting (km/live-apply.ts), and the library is re-read until it shows every change.
 *           Never half-applied: what scripting cannot do is refused before anything changes, and a
 *           failure midway puts back what had changed. Keyboard Maestro writes the library in its own
 *           way, so the next pass finds it changed and commits it as this machine's version.
 *   guard   asked before the core writes the library: while the Engine runs, Keyboard Maestro is
 *           asked one harmless question first; when it refuses (no automation permission, no
 *           osascript) the path is held with the exact reason and how to fix it, and the repo's
 *           version waits for the Engine to quit (pgrep is polled meanwhile; a sync is asked for when
 *           it quits, or when the permission may have been granted).
 *   keep    while the repo's version waits, the core holds the path both ways (sync/rule.ts). So that
 *           this machine's macro changes still reach the others, each local change is merged by macro
 *           UID into HEAD's version and committed (the live library is not touched).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { KmApplyState } from '../../../shared/contract.js';
import type { LiveIO, LiveWriteGuard } from '../sync/guards.js';
import { blobOid } from '../snapshot/hash.js';
import { encodeVerified } from '../formats/plist.js';
import { recordsBinaryLive } from '../formats/plist-form.js';
import { hashWithout } from './canonical.js';
import { KM_LIBRARY_RE } from './codec.js';
import { diffLibraries } from './diff.js';
import { executePlan, macroKey, planIsEmpty, planLiveApply, planWords, waitUntilApplied, type KmApplyPlan, type KmPlannedMacro } from './live-apply.js';
import { mergeLibraries } from './merge.js';
import { errText } from './plist-codec.js';
import { normaliseLibrary, parseLibrary } from './reader.js';
import { KmScripting, KmScriptingError } from './scripting.js';
import type { KmLibrary } from './types.js';

/** What keeping local changes needs from the engine (the Keyboard Maestro feature provides it at start). */
export interface KmKeepHost {
  /** The library's repo path, or null when no enabled profile holds it. */
  repoPathOf(livePath: string): string | null;
  /** HEAD's version of a repo path, or null. */
  head(repoPath: string): Promise<{ oid: string; bytes: Buffer } | null>;
  /** The library version already folded into HEAD (this machine's last agreement with the repo), or null. */
  base(repoPath: string): Promise<Buffer | null>;
  /** Records that `bytes`, the live library now, is folded into HEAD. */
  setBase(repoPath: string, bytes: Buffer): Promise<void>;
  /** Runs fn while no other repo work runs. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** One commit of `bytes` at `repoPath`: the new HEAD, `refused` (a commit guard's words), or null (nothing changed). */
  commit(repoPath: string, bytes: Buffer, message: string): Promise<{ oid: string } | { refused: string } | null>;
  /** Asks for a sync: 'kept' a local commit to push, 'retry' the held version may now apply. */
  sync(why: 'kept' | 'retry'): void;
  host: string;
}

export interface KmLiveSyncOptions {
  scripting?: KmScripting;
  /** Whether the Engine runs (default: the scripting port's pgrep). */
  isRunning?: () => Promise<boolean>;
  /** How long one answer about the Engine is trusted (one pass asks several times). Default 2 s. */
  runningCacheMs?: number;
  /** How long Keyboard Maestro gets to write the library after the changes. Default 30 s. */
  verifyTimeoutMs?: number;
  /** A refusal is asked about again (the permission may have been granted) this often. Default 60 s. */
  retryMs?: number;
  /** While a version waits, the Engine is looked for this often (a sync follows when it quits). Default 5 s. */
  pollMs?: number;
  /** A line for the activity feed. */
  activity?: (text: string) => void;
  /** Exports of single macros wait while changes are applied (a half-applied library is never exported). */
  pauseExports?: (paused: boolean) => void;
  now?: () => number;
}

const IDLE: KmApplyState = { status: 'idle', reason: null, fix: null, macros: [], at: null, keptLocal: 0 };
const HOLDS: ReadonlySet<KmApplyState['status']> = new Set(['waiting', 'conflict', 'failed']);
const QUIT_FIX = 'Or quit the Keyboard Maestro Engine: ConfSync then writes the library itself, and Keyboard Maestro reads it when it starts again.';

/** Two libraries hold the same macros (content, group, enabled), groups and library settings. */
export function sameLibrary(a: KmLibrary, b: KmLibrary): boolean {
  if (a.macros.size !== b.macros.size || a.groups.length !== b.groups.length) return false;
  for (const m of a.macros.values()) {
    const o = b.macros.get(m.uid);
    if (!o || macroKey(o) !== macroKey(m) || o.enabled !== m.enabled) return false;
  }
  const groups = new Map(b.groups.map((g) => [g.uid, g]));
  const attrs = new Set(['Macros']);
  for (const g of a.groups) {
    const o = groups.get(g.uid);
    if (!o || hashWithout(o.raw, attrs) !== hashWithout(g.raw, attrs)) return false;
  }
  const root = new Set(['MacroGroups']);
  return hashWithout(a.raw, root) === hashWithout(b.raw, root);
}

export class KmLiveSync {
  readonly scripting: KmScripting;
  private state: KmApplyState = IDLE;
  private readonly listeners = new Set<(s: KmApplyState) => void>();
  private readonly now: () => number;
  private running: { at: number; value: boolean } | null = null;
  /** The last answer to the probe: ok, or the refusal (kept `retryMs`). */
  private probed: { at: number; error: KmScriptingError | null } | null = null;
  private keepHost: KmKeepHost | null = null;
  private heldPath: string | null = null;
  private poll: NodeJS.Timeout | null = null;
  private keeping: Promise<void> | null = null;
  private keepAgain = false;
  private applying = false;

  constructor(private readonly o: KmLiveSyncOptions = {}) {
    this.scripting = o.scripting ?? new KmScripting();
    this.now = o.now ?? Date.now;
  }

  // ------------------------------------------------------------------ state

  getState(): KmApplyState {
    return this.state;
  }

  onState(fn: (s: KmApplyState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private set(s: KmApplyState): void {
    const was = this.state;
    this.state = s;
    if (HOLDS.has(s.status)) this.ensurePolling();
    else this.stopPolling();
    for (const l of [...this.listeners]) {
      try {
        l(s);
      } catch {
        // a listener's failure is its own
      }
    }
    if (s.status !== was.status || s.reason !== was.reason) {
      const words = activityWords(s);
      if (words) this.o.activity?.(words);
    }
  }

  private hold(status: 'waiting' | 'conflict' | 'failed', reason: string, fix: string | null, macros: KmPlannedMacro[] = this.state.macros): void {
    this.set({ status, reason, fix, macros, at: this.now(), keptLocal: this.state.keptLocal });
  }

  // ------------------------------------------------------------------ the Engine

  private async engineRunning(): Promise<boolean> {
    const c = this.running;
    if (c && this.now() - c.at < (this.o.runningCacheMs ?? 2000)) return c.value;
    const value = await (this.o.isRunning ?? (() => this.scripting.engineRunning()))();
    this.running = { at: this.now(), value };
    return value;
  }

  /** null when Keyboard Maestro answers, else why not. */
  private async probe(force = false): Promise<KmScriptingError | null> {
    const p = this.probed;
    // A refusal is trusted for `retryMs`, so passes that keep meeting the held version cost no process.
    // An answer is not kept: the write that follows in the same pass should not meet a refusal.
    if (!force && p && p.error && this.now() - p.at < (this.o.retryMs ?? 60_000)) return p.error;
    let error: KmScriptingError | null = null;
    try {
      await this.scripting.probe();
    } catch (e) {
      error = e instanceof KmScriptingError ? e : new KmScriptingError('failed', errText(e), null, errText(e));
    }
    this.probed = { at: this.now(), error };
    return error;
  }

  // ------------------------------------------------------------------ the guard

  /** The live-write guard for the library (see the top of this file). */
  readonly guard: LiveWriteGuard = async (livePath) => {
    if (!KM_LIBRARY_RE.test(livePath)) return null;
    if (!(await this.engineRunning())) {
      if (HOLDS.has(this.state.status)) this.set({ ...IDLE, keptLocal: this.state.keptLocal });
      return null;
    }
    if (!existsSync(livePath)) {
      // Keyboard Maestro runs without a library file here: there is nothing to apply changes to.
      this.heldPath = livePath;
      const reason = 'there is no library file here while it runs';
      if (this.state.status !== 'waiting' || this.state.reason !== reason) this.hold('waiting', reason, 'Quit the Keyboard Maestro Engine once: ConfSync then writes the library, and Keyboard Maestro reads it when it starts again.', []);
      return this.holdReason();
    }
    if (this.state.status === 'failed' || this.state.status === 'conflict') {
      if (this.now() - (this.state.at ?? 0) < (this.o.retryMs ?? 60_000)) {
        this.heldPath = livePath;
        return this.holdReason();
      }
    }
    const refused = await this.probe();
    if (refused && refused.kind !== 'failed') {
      this.heldPath = livePath;
      if (this.state.status !== 'waiting' || this.state.reason !== refused.reason) this.hold('waiting', refused.reason, refused.fix, []);
      this.keepLocal();
      return this.holdReason();
    }
    return null; // Keyboard Maestro answers: the core writes through the port
  };

  /** Why the core must not write the library now, in words. */
  holdReason(): string {
    const s = this.state;
    const running = 'the Keyboard Maestro Engine is running';
    switch (s.status) {
      case 'waiting':
        return `${running} and ${s.reason}: macro changes from the repo are applied when the Engine quits. ${s.fix ?? ''}`.trim();
      case 'conflict':
        return `${running} and ${s.reason}: the repo's version is applied when the Engine quits`;
      case 'failed':
        return `${running} and the repo's macro changes could not be applied through Keyboard Maestro (${s.reason}): they are applied when the Engine quits`;
      default:
        return `${running}: macro changes from the repo are applied through Keyboard Maestro`;
    }
  }

  // ------------------------------------------------------------------ the port

  readonly port: LiveIO = {
    name: 'Keyboard Maestro',
    owns: (livePath) => KM_LIBRARY_RE.test(livePath),
    read: async (livePath) => {
      try {
        return await readFile(livePath);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
    },
    write: async (livePath, content) => {
      if (!(await this.engineRunning())) {
        // A machine that never had Keyboard Maestro's folder gets it with the library.
        await mkdir(dirname(livePath), { recursive: true });
        await writeFileAtomic(livePath, content);
        return {};
      }
      await this.applyThroughScripting(livePath, content);
      return {};
    },
  };

  /** Applies `content` to the live library through Keyboard Maestro; throws (nothing left changed) when it cannot. */
  async applyThroughScripting(livePath: string, content: Buffer): Promise<void> {
    let L: KmLibrary, T: KmLibrary;
    try {
      L = parseLibrary(await readFile(livePath));
    } catch (e) {
      throw new Error(`the live library cannot be read while the Keyboard Maestro Engine runs (${errText(e).split('\n')[0]}); nothing was changed`, { cause: e });
    }
    try {
      T = parseLibrary(content);
    } catch (e) {
      throw new Error(`the version to apply is not a readable library (${errText(e).split('\n')[0]}); nothing was changed`, { cause: e });
    }
    const plan = planLiveApply(L, T);
    if (plan.unsupported.length) {
      const reason = `Keyboard Maestro's scripting cannot apply this: ${plan.unsupported.slice(0, 3).join('; ')}`;
      this.hold('failed', reason, QUIT_FIX, plan.macros);
      throw new Error(`${reason}; nothing was changed, it is applied when the Engine quits`);
    }
    if (planIsEmpty(plan)) return;
    this.set({ ...this.state, status: 'applying', reason: null, fix: null, macros: plan.macros, at: this.now() });
    this.applying = true;
    this.o.pauseExports?.(true);
    const dir = await mkdtemp(join(tmpdir(), 'confsync-km-'));
    try {
      try {
        await executePlan(plan, this.scripting, dir, this.now());
        await waitUntilApplied(livePath, plan, { timeoutMs: this.o.verifyTimeoutMs });
      } catch (e) {
        const undo = await this.putBack(livePath, L, dir);
        if (e instanceof KmScriptingError && e.refused) {
          this.probed = { at: this.now(), error: e };
          this.hold('waiting', e.reason, e.fix, plan.macros);
          this.heldPath = livePath;
          this.keepLocal();
        } else this.hold('failed', e instanceof KmScriptingError ? e.reason : errText(e).split('\n')[0], QUIT_FIX, plan.macros);
        throw new Error(`${e instanceof KmScriptingError ? e.reason : errText(e).split('\n')[0]}; ${undo}`, { cause: e });
      }
    } finally {
      this.applying = false;
      this.o.pauseExports?.(false);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
    this.set({ status: 'applied', reason: null, fix: null, macros: plan.macros, at: this.now(), keptLocal: this.state.keptLocal });
  }

  /** After a failure midway: brings the library back to `before` through scripting (best effort, in words). */
  private async putBack(livePath: string, before: KmLibrary, dir: string): Promise<string> {
    let now: KmLibrary;
    try {
      now = parseLibrary(await readFile(livePath));
    } catch {
      return 'the library could not be read to check what changed';
    }
    let back: KmApplyPlan;
    try {
      back = planLiveApply(now, before);
    } catch (e) {
      return `putting the macros back failed too: ${errText(e)}`;
    }
    if (planIsEmpty(back)) return 'nothing was changed';
    try {
      await executePlan(back, this.scripting, dir, this.now() + 1);
      await waitUntilApplied(livePath, back, { timeoutMs: this.o.verifyTimeoutMs });
      return 'the macros changed meanwhile were put back';
    } catch (e) {
      return `putting back ${planWords(back.macros)} failed too: ${e instanceof KmScriptingError ? e.reason : errText(e).split('\n')[0]}`;
    }
  }

  // ------------------------------------------------------------------ waiting, retrying, keeping

  /** The long-running host: local changes kept while a version waits, syncs asked for. */
  attach(host: KmKeepHost | null): void {
    this.keepHost = host;
    if (!host) this.stopPolling();
  }

  /** "Try again" (KM tab): asks Keyboard Maestro again now, and syncs so a waiting version is applied. */
  async retry(): Promise<KmApplyState> {
    this.probed = null;
    const refused = await this.probe(true);
    if (refused && refused.kind !== 'failed') {
      this.hold('waiting', refused.reason, refused.fix);
      this.keepLocal();
    } else if (HOLDS.has(this.state.status)) {
      // Everything made here is committed first, so the version applied next already holds it.
      await this.keepLocalNow();
      this.set({ ...this.state, status: 'idle', reason: null, fix: null, at: this.now() });
      this.keepHost?.sync('retry');
    }
    return this.state;
  }

  /** The person changed macros here (the poller saw it). */
  localChanged(): void {
    if (HOLDS.has(this.state.status) && !this.applying) this.keepLocal();
  }

  /** Resolves once no local change is being kept. */
  async whenIdle(): Promise<void> {
    while (this.keeping) await this.keeping;
  }

  private ensurePolling(): void {
    if (this.poll || !this.keepHost) return;
    const every = this.o.pollMs ?? 5000;
    this.poll = setInterval(() => void this.tick(), every);
    this.poll.unref?.();
  }

  private stopPolling(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
  }

  private ticking = false;
  private async tick(): Promise<void> {
    if (this.ticking || !this.keepHost) return;
    this.ticking = true;
    try {
      this.running = null;
      const running = await this.engineRunning().catch(() => true);
      const due = this.now() - (this.state.at ?? 0) >= (this.o.retryMs ?? 60_000);
      if (!running || due) {
        // The Engine quit (the core writes the file now), or the reason may be gone: sync again.
        if (!running) this.set({ ...IDLE, keptLocal: this.state.keptLocal });
        else this.probed = null;
        this.keepHost.sync('retry');
      }
    } finally {
      this.ticking = false;
    }
  }

  private keepLocal(): void {
    if (!this.keepHost) return;
    if (this.keeping) {
      this.keepAgain = true;
      return;
    }
    this.keeping = (async () => {
      do {
        this.keepAgain = false;
        await this.keepLocalNow().catch((e) => this.o.activity?.(`Macro changes made here could not be committed: ${errText(e).split('\n')[0]}`));
      } while (this.keepAgain);
    })().finally(() => {
      this.keeping = null;
    });
  }

  /**
   * Merges this machine's macro changes into HEAD's version (by macro UID, against the version already
   * folded into HEAD) and commits that; the live library is not touched.
   */
  private async keepLocalNow(): Promise<void> {
    const h = this.keepHost;
    const livePath = this.heldPath;
    if (!h || !livePath) return;
    const repoPath = h.repoPathOf(livePath);
    if (!repoPath) return;
    type Kept = { conflict: string[] } | { refused: string } | { kept: number; pending: KmPlannedMacro[] } | null;
    const r = await h.exclusive(async (): Promise<Kept> => {
      const head = await h.head(repoPath);
      const liveBytes = await this.port.read(livePath).catch(() => null);
      if (!head || !liveBytes || blobOid(liveBytes) === head.oid) return null;
      const baseBytes = await h.base(repoPath);
      let L: KmLibrary, R: KmLibrary, F: KmLibrary;
      try {
        L = parseLibrary(liveBytes);
        R = parseLibrary(head.bytes);
        if (!baseBytes) return null; // never synced here: nothing of this machine's to keep apart
        F = parseLibrary(baseBytes);
      } catch {
        return null; // a half-saved library: its next change brings it again
      }
      const m = mergeLibraries(F.raw, L.raw, R.raw);
      if (m.conflicts.length) return { conflict: m.conflicts.map((c) => c.summary) };
      const target = normaliseLibrary(m.merged, R.format);
      // What waits here: the repo's changes the live library does not have yet.
      const pending = planLiveApply(L, target).macros;
      if (sameLibrary(L, F)) return { kept: 0, pending }; // nothing new made here
      if (sameLibrary(target, R)) {
        await h.setBase(repoPath, liveBytes);
        return { kept: 0, pending };
      }
      // HEAD's XML may stand for a binary library (formats/plist-form.ts): merged as binary, the
      // commit stores it in the repo's form again.
      const bytes = encodeVerified(m.merged, recordsBinaryLive(head.bytes) ? 'binary' : R.format);
      if (!bytes) return { refused: 'the merged library cannot be written back exactly' };
      const names = [...new Set(diffLibraries(F, L, this.now()).filter((e) => e.type.startsWith('macro_')).map((e) => e.name))];
      const what = names.length ? `${names.length === 1 ? '1 macro' : `${names.length} macros`} changed here (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''})` : 'macro groups changed here';
      const c = await h.commit(repoPath, bytes, `${h.host}: Keyboard Maestro: ${what}, kept while the repo's macro changes wait for the Engine to quit`);
      if (c && 'refused' in c) return c;
      await h.setBase(repoPath, liveBytes);
      return { kept: c ? Math.max(1, names.length) : 0, pending };
    });
    if (!r) return;
    if ('conflict' in r) {
      this.hold('conflict', `${r.conflict.length === 1 ? 'one macro' : `${r.conflict.length} macros`} changed both here and in the repo (${r.conflict.slice(0, 3).join('; ')})`, QUIT_FIX, []);
      return;
    }
    if ('refused' in r) {
      this.o.activity?.(`Macro changes made here could not be committed: ${r.refused}`);
      return;
    }
    if (!HOLDS.has(this.state.status)) return;
    this.set({ ...this.state, macros: r.pending, keptLocal: this.state.keptLocal + r.kept });
    if (r.kept) h.sync('kept');
  }
}

function activityWords(s: KmApplyState): string | null {
  switch (s.status) {
    case 'applied':
      return s.macros.length ? `Applied ${planWords(s.macros)} from the repo through Keyboard Maestro` : null;
    case 'waiting':
      return `Macro changes from the repo wait for the Keyboard Maestro Engine to quit: ${s.reason}`;
    case 'conflict':
      return `Macro changes from the repo wait for the Keyboard Maestro Engine to quit: ${s.reason}`;
    case 'failed':
      return `Macro changes from the repo could not be applied through Keyboard Maestro: ${s.reason}`;
    default:
      return null;
  }
}
