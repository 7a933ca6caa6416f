/**
 * Child side of the watch-scale section (see scale.ts). Each subject imports only what it measures.
 */
import { join } from 'node:path';
import { cpuMark, cpuSince, idleWindows, memory, now, sleep, type CpuDelta, type MemSample } from '../lib/measure.js';
import type { OpenTimes, PhaseTimes } from '../lib/confsync.js';
import { log } from '../lib/ipc.js';
import { waitGitGc, type GcRun } from '../lib/gitgc.js';

export type Subject = 'node' | 'parcel' | 'chokidar' | 'cs-watcher' | 'git-floor' | 'confsync' | 'cs-restart';

export interface ScaleParams {
  subject: Subject;
  home: string;
  treeRel: string;
  configDir?: string;
  settleMs: number;
  idle: { windows: number; windowMs: number } | null;
  periodic: boolean;
}

export interface ScaleResult {
  subject: Subject;
  readyMs: number;
  startupCpu: CpuDelta;
  steady: MemSample;
  afterIdle: MemSample | null;
  idle: { windows: CpuDelta[]; total: CpuDelta } | null;
  events: number;
  engine?: { times: OpenTimes; phases: PhaseTimes; committed: number; resultKind: string; errors: string[]; backend: string };
  rescan?: { walkMs: number; cpu: CpuDelta; entries: number };
  /** One scheduled cycle after the idle window (reason 'schedule': the watcher is trusted, no scan). */
  scheduled?: { cpu: CpuDelta; kind: string };
  /** The detached `git gc --auto` after the first run's commit (waited for before steady/idle). */
  gc?: GcRun;
  /** git-floor: its two parts (ready is their sum). */
  floor?: { walkMs: number; importMs: number; files: number };
}

/**
 * Git's own floor for a first run on the tree: a stat walk of every entry (lstat, what a scan needs),
 * then one `git fast-import` into a fresh repo (`repo`) that is fed every file's bytes as it is read
 * and writes one pack and one commit of them all. No ignore rules, no checks, no snapshot: what any
 * tool that commits the tree to git must at least spend here.
 */
async function gitFloor(root: string, repo: string): Promise<{ walkMs: number; importMs: number; files: number }> {
  const { lstatSync, readdirSync, readFileSync, mkdirSync } = await import('node:fs');
  const { spawn, execFileSync } = await import('node:child_process');
  const { EventEmitter } = await import('node:events');
  const once = EventEmitter.once;
  const t0 = now();
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const d of readdirSync(join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      const st = lstatSync(join(root, r));
      if (st.isDirectory()) walk(r);
      else if (st.isFile()) files.push(r);
    }
  };
  walk('');
  const walkMs = now() - t0;
  mkdirSync(repo, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  const t1 = now();
  const fi = spawn('git', ['fast-import', '--quiet', '--done'], { cwd: repo, stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  fi.stderr.on('data', (b: Buffer) => (err += b));
  const exited = once(fi, 'close');
  const put = async (b: Buffer | string) => {
    if (!fi.stdin.write(b)) await once(fi.stdin, 'drain');
  };
  for (let i = 0; i < files.length; i++) {
    const content = readFileSync(join(root, files[i]));
    await put(`blob\nmark :${i + 1}\ndata ${content.length}\n`);
    await put(content);
    await put('\n');
  }
  await put(`commit refs/heads/main\ncommitter bench <bench@localhost> 0 +0000\ndata 6\nfloor\n`);
  for (let i = 0; i < files.length; i++) await put(`M 100644 :${i + 1} ${files[i]}\n`);
  await put('done\n');
  fi.stdin.end();
  const [code] = await exited;
  if (code !== 0) throw new Error(`git fast-import exited with ${code}: ${err.trim()}`);
  return { walkMs, importMs: now() - t1, files: files.length };
}

export async function scaleChild(p: ScaleParams): Promise<ScaleResult> {
  const root = join(p.home, p.treeRel);
  let events = 0;
  let stop: () => Promise<void> = async () => undefined;
  let engineInfo: ScaleResult['engine'];
  let scheduledCycle: (() => Promise<{ kind: string }>) | null = null;
  let floor: ScaleResult['floor'];
  const isEngine = p.subject === 'confsync' || p.subject === 'cs-restart';
  const cs = isEngine ? await import('../lib/confsync.js') : null;
  const watchLayer = p.subject === 'cs-watcher' || isEngine ? await import('../../electron/engine/watch/index.js') : null;
  const parcel = p.subject === 'parcel' ? await import('@parcel/watcher') : null;
  const chokidar = p.subject === 'chokidar' ? (await import('chokidar')).default : null;
  const cpu0 = cpuMark();
  const t0 = now();
  switch (p.subject) {
    case 'node':
      break;
    case 'git-floor':
      floor = await gitFloor(root, p.configDir!);
      break;
    case 'parcel': {
      const sub = await parcel!.subscribe(root, (err, evs) => {
        if (!err) events += evs.length;
      });
      stop = () => sub.unsubscribe();
      break;
    }
    case 'chokidar': {
      const w = chokidar!.watch(root, { ignoreInitial: true });
      w.on('all', () => events++);
      await new Promise<void>((resolve, reject) => {
        w.once('ready', () => resolve());
        w.once('error', (e) => reject(e));
      });
      stop = () => w.close();
      break;
    }
    case 'cs-watcher': {
      const filter = watchLayer!.createIgnoreFilter({ excludes: [], loadGitignoreIn: [root], builtin: true });
      const w = watchLayer!.createWatcher({
        backend: 'auto',
        pollIntervalMs: 2000,
        isIgnored: (abs, isDir) => filter.isIgnored(abs, isDir),
        onEvents: (evs) => (events += evs.length),
        onError: (e) => log(`watcher error: ${e.message}`),
      });
      await w.start([{ path: root, kind: 'tree' }]);
      stop = () => w.stop();
      break;
    }
    case 'confsync':
    case 'cs-restart': {
      if (p.subject === 'confsync') cs!.prepareConfig({ home: p.home, configDir: p.configDir!, treeRel: p.treeRel });
      cs!.resetPhases();
      const { host, engine, times } = await cs!.openEngine({ home: p.home, configDir: p.configDir!, treeRel: p.treeRel });
      const st = engine.store.getState();
      engineInfo = {
        times,
        phases: cs!.phaseTimes(),
        committed: times.result?.committed ?? 0,
        resultKind: times.result?.kind ?? 'none',
        errors: st.errors.slice(0, 5).map((e) => `${e.source}: ${e.message}`),
        backend: st.watch.backend,
      };
      stop = () => host.stop({ flushTimeoutMs: 60_000 });
      scheduledCycle = () => engine.syncNow({ reason: 'schedule' });
      break;
    }
  }
  const readyMs = now() - t0;
  const startupCpu = cpuSince(cpu0);
  // A first run commits every file: git then packs them in a detached background gc. Wait for it
  // (and measure it) so the steady-state figures are not taken while it runs.
  const gc = p.subject === 'confsync' ? await waitGitGc(join(p.configDir!, 'repo'), 1500) : undefined;
  await sleep(p.settleMs);
  const steady = memory(true);
  let idle: ScaleResult['idle'] = null;
  let afterIdle: MemSample | null = null;
  if (p.idle) {
    idle = await idleWindows(p.idle.windows, p.idle.windowMs);
    afterIdle = memory(false);
  }
  const out: ScaleResult = { subject: p.subject, readyMs, startupCpu, steady, afterIdle, idle, events, engine: engineInfo, gc, floor };
  if (p.periodic && p.subject === 'cs-watcher') {
    // One round of the safety-net rescan (watch/rescan.ts: a stat walk of the whole tree).
    const filter = watchLayer!.createIgnoreFilter({ excludes: [], loadGitignoreIn: [root], builtin: true });
    const m = cpuMark();
    const snap = await watchLayer!.walkTree(root, { isIgnored: (a, d) => filter.isIgnored(a, d) });
    const cpu = cpuSince(m);
    out.rescan = { walkMs: cpu.wallMs, cpu, entries: snap.size };
  }
  if (p.periodic && scheduledCycle) {
    // What the scheduler really runs every intervalSec once the engine is up (no remote here: section
    // procs counts the one fetch a remote adds).
    const m = cpuMark();
    const r = await scheduledCycle();
    out.scheduled = { cpu: cpuSince(m), kind: r.kind };
  }
  await stop();
  return out;
}

