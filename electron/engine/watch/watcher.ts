/**
 * createWatcher: watches a set of targets (single files and directory trees) with the best
 * available backend per target, and keeps doing so when paths vanish, reappear, or the native
 * backend gives up.
 *
 * Targets are grouped into "hosts": a tree target is a host on its own directory; single-file
 * targets are grouped by parent directory into one `files` host (one watch on the parent, filtered
 * to the wanted names). Targets inside a tree target share that tree's host.
 *
 * Per host:
 * - armed:   the host directory exists and a backend (parcel/chokidar) watches it; a PresenceGuard on
 *            its parent notices the directory itself being deleted or replaced (new inode), which
 *            native watchers do not survive — the host is then disarmed (`unlinkDir`/`unlink`
 *            emitted) and goes pending, or is re-armed at once.
 * - pending: the host directory does not exist; a PresenceGuard watches the nearest existing
 *            ancestor for the next path component. When the directory appears it is armed and
 *            everything already inside is reported (`addDir` for the root, `add`/`addDir` below).
 * - polling: served by the polling backend (explicitly, network FS, or after a native failure);
 *            the poller handles missing/appearing directories itself.
 * Every state change of a host runs on that host's own promise chain.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { createChokidarBackend } from './backend-chokidar.js';
import { createParcelBackend } from './backend-parcel.js';
import { createPollingBackend } from './backend-polling.js';
import { networkFsType } from './netfs.js';
import { PresenceGuard } from './presence.js';
import { RescanNet } from './rescan.js';
import { snapshotAsAdds, walkTree } from './walk.js';
import type {
  BackendContext,
  BackendEvent,
  BackendName,
  BackendSink,
  BackendSubscription,
  HostSpec,
  RawEvent,
  TargetStatus,
  WatchBackend,
  WatchTarget,
  Watcher,
  WatcherOptions,
  WatcherStatus,
} from './types.js';

/**
 * No native ignore globs by default: @parcel/watcher matches its globs with std::regex on every
 * crawled path, which measured 2–5× slower to be ready on a 100k-file tree (0.7–2.0 s vs 0.3–0.4 s).
 */

/**
 * The safety net's shortest pause between walks (a larger tree waits longer, see rescan.ts): as often
 * as the scheduled fetch. It only catches what a watcher dropped silently (an overflow it reports is
 * rescanned at once, a start-up and a Sync now scan everything); Syncthing, watching, rescans hourly.
 * At 60 s the walk was most of an idle daemon's CPU (2,000 files: 0.12 % of a core, 0.06 % at 300 s).
 */
export const DEFAULT_RESCAN_INTERVAL_MS = 300_000;

export const DEFAULT_NATIVE_IGNORE_GLOBS: string[] = [];

export function defaultBackendFactory(name: BackendName): WatchBackend {
  switch (name) {
    case 'chokidar':
      return createChokidarBackend();
    case 'parcel':
      return createParcelBackend();
    case 'polling':
      return createPollingBackend();
  }
}

type HostState = 'idle' | 'armed' | 'pending' | 'polling' | 'closed';

interface Host {
  key: string;
  spec: HostSpec;
  /** Targets this host serves (including targets covered by a tree). */
  targets: { target: WatchTarget; coveredBy?: string }[];
  intended: BackendName;
  active: BackendName;
  pollingReason?: string;
  state: HostState;
  sub: BackendSubscription | null;
  guard: PresenceGuard | null;
  rescan: RescanNet | null;
  /** dev:ino of the host directory while armed. */
  identity: string | null;
  /** files hosts: names believed to exist. */
  present: Set<string>;
  /** Bumped whenever the subscription changes, so late events of an old one are dropped. */
  gen: number;
  chain: Promise<void>;
  reconcileQueued: boolean;
  networkChecked: boolean;
  /** Set when the host is being removed: no new work is queued. */
  closing: boolean;
}

function normalizeAbs(p: string): string {
  let out = path.resolve(p);
  while (out.length > 1 && out.endsWith(path.sep) && path.dirname(out) !== out) out = out.slice(0, -1);
  return out;
}

function isInside(p: string, dir: string): boolean {
  if (p === dir) return true;
  return p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

/**
 * dev:ino of a directory, following symlinks: a target (or a file target's parent) may itself be,
 * or lie below, a symlink (dotfile managers, Mackup's link mode); only entries *inside* a tree are
 * never followed.
 */
async function dirIdentity(dir: string): Promise<string | null> {
  try {
    const st = await fsp.stat(dir);
    return st.isDirectory() ? `${st.dev}:${st.ino}` : null;
  } catch {
    return null;
  }
}

async function nearestExistingDir(p: string): Promise<string> {
  let cur = path.dirname(p);
  for (;;) {
    if ((await dirIdentity(cur)) !== null) return cur;
    const up = path.dirname(cur);
    if (up === cur) return cur;
    cur = up;
  }
}

function errorReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const msg = e?.message ?? String(err);
  return e?.code ? `${e.code}: ${msg}` : msg;
}

export function createWatcher(opts: WatcherOptions): Watcher {
  const factory = opts.backendFactory ?? defaultBackendFactory;
  const backends = new Map<BackendName, WatchBackend>();
  const backendFor = (name: BackendName): WatchBackend => {
    let b = backends.get(name);
    if (!b) {
      b = factory(name);
      backends.set(name, b);
    }
    return b;
  };
  const pollIntervalMs = opts.pollIntervalMs > 0 ? opts.pollIntervalMs : 2000;
  const rescanIntervalMs = opts.rescanIntervalMs ?? (process.env.VITEST ? 0 : DEFAULT_RESCAN_INTERVAL_MS);
  const ctx: BackendContext = {
    isIgnored: opts.isIgnored,
    pollIntervalMs,
    nativeIgnoreGlobs: opts.nativeIgnoreGlobs ?? DEFAULT_NATIVE_IGNORE_GLOBS,
  };
  const detectNetworkFs = opts.detectNetworkFs !== false;

  let hosts = new Map<string, Host>();
  let targets: WatchTarget[] = [];
  let ready = false;
  let stopped = false;
  let lifecycle: Promise<void> = Promise.resolve();
  let lastNotified = '';

  // ---- output: filtered events, delivered in one batch per macrotask ----------------------
  let outBuf: RawEvent[] = [];
  let outScheduled = false;
  const deliver = () => {
    outScheduled = false;
    if (outBuf.length === 0) return;
    const batch = outBuf;
    outBuf = [];
    try {
      opts.onEvents(batch);
    } catch (err) {
      opts.onError(err as Error);
    }
  };
  const emit = (events: RawEvent[]) => {
    if (stopped || events.length === 0) return;
    for (const e of events) outBuf.push(e);
    if (!outScheduled) {
      outScheduled = true;
      setImmediate(deliver);
    }
  };

  function hostRoot(host: Host): string {
    return host.spec.dir;
  }

  /** Filters a backend's events for a host and forwards them. */
  function acceptEvents(host: Host, events: BackendEvent[], fromRescan = false): void {
    if (stopped || host.state === 'closed') return;
    const at = Date.now();
    const out: RawEvent[] = [];
    const root = hostRoot(host);
    for (const e of events) {
      const p = e.path;
      if (host.spec.mode === 'files') {
        if (path.dirname(p) !== root) continue;
        const name = path.basename(p);
        if (!host.spec.names.has(name)) continue;
        if (opts.isIgnored(p, e.isDir)) continue;
        if (e.type === 'add' || e.type === 'addDir' || e.type === 'change') host.present.add(name);
        else if (e.type === 'unlink' || e.type === 'unlinkDir') host.present.delete(name);
      } else {
        if (!isInside(p, root)) continue;
        if (p !== root && opts.isIgnored(p, e.isDir)) continue;
        if (!fromRescan && host.rescan) host.rescan.touch(p);
      }
      out.push({ type: e.type, path: p, at });
    }
    emit(out);
  }

  /**
   * Native backends watch the real directory (inotify cannot watch through a symlinked root);
   * their paths are mapped back to the target's own path.
   */
  function makeSink(host: Host, gen: number, watchedDir: string): BackendSink {
    const logical = hostRoot(host);
    const prefix = watchedDir.endsWith(path.sep) ? watchedDir : watchedDir + path.sep;
    const translate =
      watchedDir === logical
        ? (evs: BackendEvent[]) => evs
        : (evs: BackendEvent[]) =>
            evs.map((e) =>
              e.path === watchedDir
                ? { ...e, path: logical }
                : e.path.startsWith(prefix)
                  ? { ...e, path: path.join(logical, e.path.slice(prefix.length)) }
                  : e,
            );
    return {
      events: (evs) => {
        if (host.gen === gen) acceptEvents(host, translate(evs));
      },
      fatal: (err) => {
        if (host.gen !== gen || host.closing) return;
        enqueue(host, () => fallBackToPolling(host, err, true));
      },
      warn: (err) => {
        if (host.gen === gen && !stopped) opts.onError(err, hostRoot(host));
      },
    };
  }

  function enqueue(host: Host, fn: () => Promise<void>): Promise<void> {
    host.chain = host.chain.then(async () => {
      if (host.state === 'closed') return;
      await fn();
    }).catch((err: unknown) => {
      if (!stopped) opts.onError(err as Error, hostRoot(host));
    });
    return host.chain;
  }

  function poke(host: Host): void {
    if (host.reconcileQueued || host.closing || host.state === 'closed') return;
    host.reconcileQueued = true;
    void enqueue(host, async () => {
      host.reconcileQueued = false;
      await reconcile(host, false);
    });
  }

  function setGuard(host: Host, dir: string, name: string): void {
    if (host.guard && host.guard.dir === dir && host.guard.name === name) return;
    host.guard?.close();
    host.guard = new PresenceGuard({
      dir,
      name,
      useFsWatch: host.active !== 'polling',
      intervalMs: pollIntervalMs,
      onPoke: () => poke(host),
    });
  }

  function clearGuard(host: Host): void {
    host.guard?.close();
    host.guard = null;
  }

  async function closeSub(host: Host): Promise<void> {
    host.gen++;
    const sub = host.sub;
    const rescan = host.rescan;
    host.sub = null;
    host.rescan = null;
    await rescan?.close();
    await sub?.close().catch((err: unknown) => opts.onError(err as Error, hostRoot(host)));
  }

  /** Reports what is in a host that just appeared (or was replaced). */
  async function emitAppeared(host: Host): Promise<void> {
    const root = hostRoot(host);
    if (host.spec.mode === 'tree') {
      const snap = await walkTree(root, { isIgnored: opts.isIgnored, isCancelled: () => host.state === 'closed' });
      acceptEvents(host, snapshotAsAdds(root, snap), true);
    } else {
      const evs: BackendEvent[] = [];
      for (const name of host.spec.names) {
        const p = path.join(root, name);
        try {
          const st = await fsp.lstat(p);
          evs.push({ type: st.isDirectory() ? 'addDir' : 'add', path: p, isDir: st.isDirectory() });
        } catch {
          /* not there (yet) */
        }
      }
      acceptEvents(host, evs, true);
    }
  }

  async function initPresent(host: Host): Promise<void> {
    if (host.spec.mode !== 'files') return;
    host.present.clear();
    for (const name of host.spec.names) {
      try {
        await fsp.lstat(path.join(host.spec.dir, name));
        host.present.add(name);
      } catch {
        /* missing */
      }
    }
  }

  async function subscribeWith(host: Host, name: BackendName): Promise<void> {
    const gen = ++host.gen;
    let spec = host.spec;
    if (name !== 'polling') {
      // the poller walks the target path itself (it follows a symlinked root); natives need the real dir
      const real = await fsp.realpath(spec.dir);
      if (real !== spec.dir) spec = { ...spec, dir: real };
    }
    host.sub = await backendFor(name).subscribe(spec, ctx, makeSink(host, gen, spec.dir));
  }

  async function startPolling(host: Host, reason: string | undefined): Promise<void> {
    clearGuard(host);
    host.active = 'polling';
    host.pollingReason = reason;
    host.identity = null;
    await subscribeWith(host, 'polling');
    host.state = 'polling';
    await initPresent(host);
  }

  async function fallBackToPolling(host: Host, err: Error, runtime: boolean): Promise<void> {
    if (host.active === 'polling' && host.state === 'polling') return;
    await closeSub(host);
    await startPolling(host, `${host.active} failed: ${errorReason(err)}`);
    // events may have been lost between the native failure and the poller's baseline
    if (runtime) acceptEvents(host, [{ type: 'overflow', path: hostRoot(host), isDir: true }], true);
    notifyBackendChange();
  }

  /** Arms an existing host directory with its backend (falling back to polling on failure). */
  async function arm(host: Host, identity: string, appeared: boolean): Promise<void> {
    const root = hostRoot(host);
    if (!host.networkChecked && opts.backend === 'auto' && detectNetworkFs) {
      host.networkChecked = true;
      const fsType = await networkFsType(root);
      if (fsType) {
        await startPolling(host, `network file system (${fsType})`);
        if (appeared) await emitAppeared(host);
        notifyBackendChange();
        return;
      }
    }
    try {
      await subscribeWith(host, host.active);
    } catch (err) {
      host.sub = null;
      if ((await dirIdentity(root)) === null) {
        // it vanished while we subscribed: not a backend failure
        await goPending(host);
        return;
      }
      await startPolling(host, `${host.active} failed: ${errorReason(err)}`);
      if (appeared) await emitAppeared(host);
      notifyBackendChange();
      return;
    }
    host.state = 'armed';
    host.identity = identity;
    const parent = path.dirname(root);
    if (parent !== root) setGuard(host, parent, path.basename(root));
    else clearGuard(host);
    await initPresent(host);
    if (host.spec.mode === 'tree' && rescanIntervalMs > 0) {
      host.rescan = new RescanNet({
        root,
        intervalMs: rescanIntervalMs,
        isIgnored: opts.isIgnored,
        emit: (evs) => acceptEvents(host, evs, true),
        onError: (e) => opts.onError(e, root),
      });
      host.rescan.start();
    }
    if (appeared) await emitAppeared(host);
    notifyBackendChange();
  }

  async function goPending(host: Host): Promise<void> {
    host.state = 'pending';
    host.identity = null;
    const root = hostRoot(host);
    const anchor = await nearestExistingDir(root);
    const rel = path.relative(anchor, root);
    const next = rel.split(path.sep)[0] ?? '';
    setGuard(host, anchor, next);
  }

  /** Re-checks the host directory and moves the host to the state the file system calls for. */
  async function reconcile(host: Host, initial: boolean): Promise<void> {
    if (stopped || host.closing || host.state === 'closed' || host.state === 'polling') return;
    const root = hostRoot(host);
    const id = await dirIdentity(root);
    if (host.state === 'armed') {
      if (id !== null && id === host.identity) return;
      // deleted or replaced: the native subscription is watching a dead inode
      await closeSub(host);
      if (host.spec.mode === 'tree') {
        acceptEvents(host, [{ type: 'unlinkDir', path: root, isDir: true }], true);
      } else {
        const gone = [...host.present].map((n) => ({ type: 'unlink' as const, path: path.join(root, n), isDir: false }));
        acceptEvents(host, gone, true);
        host.present.clear();
      }
      if (id === null) await goPending(host);
      else await arm(host, id, true);
      return;
    }
    // idle or pending
    if (id !== null) await arm(host, id, !initial);
    else await goPending(host);
  }

  async function startHost(host: Host): Promise<void> {
    if (host.active === 'polling') {
      await startPolling(host, host.pollingReason);
      return;
    }
    await reconcile(host, true);
  }

  /** Work already queued on the host finishes first; then everything is released. */
  function closeHost(host: Host): Promise<void> {
    host.closing = true;
    return enqueue(host, async () => {
      clearGuard(host);
      await closeSub(host);
      host.state = 'closed';
    });
  }

  // ---- targets → hosts ---------------------------------------------------------------------

  function chooseBackend(mode: 'tree' | 'files'): BackendName {
    switch (opts.backend) {
      case 'polling':
        return 'polling';
      case 'chokidar':
        return 'chokidar';
      case 'parcel':
      case 'auto':
      default:
        return mode === 'tree' ? 'parcel' : 'chokidar';
    }
  }

  function planHosts(list: WatchTarget[]): Map<string, Host> {
    const norm = new Map<string, WatchTarget>();
    for (const t of list) {
      const p = normalizeAbs(t.path);
      const key = `${t.kind}:${p}`;
      if (!norm.has(key)) norm.set(key, { path: p, kind: t.kind });
    }
    const all = [...norm.values()];
    const trees = all.filter((t) => t.kind === 'tree').sort((a, b) => a.path.length - b.path.length);
    const planned = new Map<string, Host>();
    const treeHosts: Host[] = [];
    const newHost = (spec: HostSpec): Host => {
      const intended = chooseBackend(spec.mode);
      return {
        key: `${spec.mode}:${spec.dir}${spec.mode === 'files' ? `:${[...spec.names].sort().join('\0')}` : ''}`,
        spec,
        targets: [],
        intended,
        active: intended,
        pollingReason: intended === 'polling' ? 'configured' : undefined,
        state: 'idle',
        sub: null,
        guard: null,
        rescan: null,
        identity: null,
        present: new Set(),
        gen: 0,
        chain: Promise.resolve(),
        reconcileQueued: false,
        networkChecked: false,
        closing: false,
      };
    };
    const coveringTree = (p: string): Host | undefined => treeHosts.find((h) => isInside(p, h.spec.dir));
    for (const t of trees) {
      const cover = coveringTree(t.path);
      if (cover) {
        cover.targets.push({ target: t, coveredBy: cover.spec.dir });
        continue;
      }
      const h = newHost({ mode: 'tree', dir: t.path });
      h.targets.push({ target: t });
      treeHosts.push(h);
    }
    const byParent = new Map<string, WatchTarget[]>();
    for (const t of all) {
      if (t.kind !== 'file') continue;
      const cover = coveringTree(t.path);
      if (cover) {
        cover.targets.push({ target: t, coveredBy: cover.spec.dir });
        continue;
      }
      const parent = path.dirname(t.path);
      const arr = byParent.get(parent) ?? [];
      arr.push(t);
      byParent.set(parent, arr);
    }
    for (const h of treeHosts) planned.set(h.key, h);
    for (const [parent, ts] of byParent) {
      const h = newHost({ mode: 'files', dir: parent, names: new Set(ts.map((t) => path.basename(t.path))) });
      for (const t of ts) h.targets.push({ target: t });
      planned.set(h.key, h);
    }
    return planned;
  }

  async function applyTargets(list: WatchTarget[]): Promise<void> {
    const planned = planHosts(list);
    const removed = [...hosts.values()].filter((h) => !planned.has(h.key));
    const next = new Map<string, Host>();
    const toStart: Host[] = [];
    for (const [key, h] of planned) {
      const existing = hosts.get(key);
      if (existing) {
        existing.targets = h.targets; // covered targets may have changed
        next.set(key, existing);
      } else {
        next.set(key, h);
        toStart.push(h);
      }
    }
    hosts = next;
    targets = list.map((t) => ({ path: normalizeAbs(t.path), kind: t.kind }));
    await Promise.all(removed.map((h) => closeHost(h)));
    await Promise.all(toStart.map((h) => enqueue(h, () => startHost(h))));
    notifyBackendChange();
  }

  // ---- status ------------------------------------------------------------------------------

  function status(): WatcherStatus {
    const hs = [...hosts.values()];
    const used = new Set(hs.map((h) => h.active));
    const pollingPaths: string[] = [];
    const tstat: TargetStatus[] = [];
    for (const h of hs) {
      for (const { target, coveredBy } of h.targets) {
        if (h.active === 'polling') pollingPaths.push(target.path);
        tstat.push({
          path: target.path,
          kind: target.kind,
          backend: h.active,
          state: h.state === 'armed' || h.state === 'pending' || h.state === 'polling' ? h.state : 'pending',
          ...(h.pollingReason && h.active === 'polling' ? { pollingReason: h.pollingReason } : {}),
          ...(coveredBy ? { coveredBy } : {}),
        });
      }
    }
    pollingPaths.sort();
    tstat.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return {
      backend: used.size === 0 ? 'none' : used.size === 1 ? [...used][0]! : 'mixed',
      watchedTargets: targets.length,
      pollingPaths,
      ready,
      targets: tstat,
    };
  }

  function notifyBackendChange(): void {
    if (!opts.onBackendChange || stopped) return;
    const s = status();
    const sig = JSON.stringify([s.backend, s.pollingPaths, s.ready]);
    if (sig === lastNotified) return;
    lastNotified = sig;
    try {
      opts.onBackendChange(s);
    } catch (err) {
      opts.onError(err as Error);
    }
  }

  function serial(fn: () => Promise<void>): Promise<void> {
    const run = lifecycle.then(fn);
    lifecycle = run.catch(() => undefined);
    return run;
  }

  return {
    start(list) {
      return serial(async () => {
        if (stopped) throw new Error('watcher stopped');
        ready = false;
        await applyTargets(list);
        ready = true;
        notifyBackendChange();
      });
    },
    setTargets(list) {
      return serial(async () => {
        if (stopped) throw new Error('watcher stopped');
        await applyTargets(list);
        ready = true;
        notifyBackendChange();
      });
    },
    stop() {
      return serial(async () => {
        if (stopped) return;
        const all = [...hosts.values()];
        await Promise.all(all.map((h) => closeHost(h)));
        deliver(); // events observed before stop still reach the engine
        stopped = true;
        ready = false;
      });
    },
    status,
  };
}
