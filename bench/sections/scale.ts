/**
 * 1. Watch scale: 1k / 10k / 100k config-like files in nested directories.
 *
 * Subjects, each in its own child process, one at a time, on the same tree:
 *   parcel      raw @parcel/watcher: subscribe(root)
 *   chokidar    raw chokidar 5: watch(root, { ignoreInitial: true }) until 'ready'
 *   cs-watcher  ConfSync's watch layer alone (createWatcher + ignore rules, auto backend, safety-net rescan)
 *   confsync    the whole engine, first run (fresh config dir: hashes, copies and commits every file)
 *   cs-restart  the whole engine again on the config dir the first run left (the everyday app start)
 * Per child: ready time; start-up CPU (incl. git children); steady RSS and live heap (after gc, 2 s
 * after ready); peak RSS (getrusage); then, in the first repeat only, idle CPU over the idle window
 * (30 s for the restarted engine at 100k, 10 s for the others there, 5 s at 1k/10k).
 * Repeats: 3, except at 100k the engine's first run (once: it takes minutes) and restart (twice).
 * The periodic work a 30 s window does not show is reported amortised: one safety-net rescan walk
 * (repeated after max(300 s, its wall time ÷ 0.05 %), as watch/rescan.ts schedules it) and one scheduled
 * sync cycle (every intervalSec, default 300 s), measured after the idle window as the scheduler runs
 * it (the watcher is trusted, nothing is scanned; section `procs` counts the fetch a remote adds).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Ctx, dirIn } from '../lib/ctx.js';
import { removeTemp, runTask } from '../lib/proc.js';
import { le, row } from '../lib/report.js';
import { spread, median } from '../lib/stats.js';
import { generateTree } from '../lib/tree.js';
import type { ScaleParams, ScaleResult, Subject } from './scale.child.js';
import { RESCAN_BUDGET } from '../../electron/engine/watch/rescan.js';
import { DEFAULT_RESCAN_INTERVAL_MS } from '../../electron/engine/watch/watcher.js';

// ------------------------------------------------------------------------------------------ parent

const SUBJECTS: Subject[] = ['parcel', 'chokidar', 'cs-watcher', 'git-floor', 'confsync', 'cs-restart'];
const LABEL: Record<Subject, string> = {
  node: 'empty Node process',
  parcel: 'raw @parcel/watcher',
  chokidar: 'raw chokidar',
  'cs-watcher': 'ConfSync watch layer',
  'git-floor': "git's floor (stat walk + fast-import of every file, one commit)",
  confsync: 'ConfSync engine, first run',
  'cs-restart': 'ConfSync engine, restart',
};

function fmtK(n: number): string {
  return n >= 1000 ? `${n / 1000}k` : String(n);
}

export async function runScale(ctx: Ctx): Promise<void> {
  const sizes = ctx.opts.sizes ?? (ctx.quick ? [1000] : [1000, 10_000, 100_000]);
  const settleMs = ctx.quick ? 200 : 2000;
  const raw: Record<string, Record<string, ScaleResult[]>> = {};
  const sec = 'Watch scale';

  // Reference: an empty Node child (what every subject pays before watching anything).
  const refHome = dirIn(ctx, 'scale-ref', 'home');
  mkdirSync(join(refHome, 'tree'), { recursive: true });
  const ref = await runTask<ScaleResult>('scale', { subject: 'node', home: refHome, treeRel: 'tree', settleMs, idle: null, periodic: false } satisfies ScaleParams, { home: refHome, timeoutMs: 60_000 });
  ctx.rows.push(row(sec, 'empty Node child: steady RSS', spread([ref.steady.rssMb]), 'MB', { note: 'baseline every subject includes' }));
  raw.reference = { node: [ref] };

  for (const n of sizes) {
    const base = dirIn(ctx, `scale-${n}`);
    const home = dirIn(ctx, `scale-${n}`, 'home');
    const tree = generateTree(join(home, 'tree'), n, n);
    ctx.log(`  tree: ${tree.files} files in ${tree.dirs} dirs, ${(tree.bytes / 1048576).toFixed(1)} MB, written in ${(tree.genMs / 1000).toFixed(1)} s`);
    const big = n >= 100_000;
    // The engine's first run at 100k costs minutes (see the diagnosis): once there, its restart
    // (~40 s) twice, everything else 3 times.
    const repeatsOf = (subject: Subject) => (ctx.quick ? 1 : big && subject === 'confsync' ? 1 : big && subject === 'cs-restart' ? 2 : 3);
    // Idle goal applies at 100k: 30 s (3 × 10 s windows) for the engine's steady state (after a
    // restart) there, 10 s for the others, 5 s at 1k/10k.
    const idleOf = (subject: Subject) =>
      ctx.quick ? { windows: 1, windowMs: 500 } : big && subject === 'cs-restart' ? { windows: 3, windowMs: 10_000 } : big ? { windows: 1, windowMs: 10_000 } : { windows: 1, windowMs: 5_000 };
    const results: Record<string, ScaleResult[]> = {};
    const failed: Record<string, string[]> = {};
    let lastConfig = '';
    for (let r = 0; r < Math.max(...SUBJECTS.map(repeatsOf)); r++) {
      for (const subject of SUBJECTS) {
        if (r >= repeatsOf(subject)) continue;
        // A restart reopens the config dir the latest first run left behind.
        const configDir = subject === 'confsync' ? join(base, `cs-${r}`, 'config') : subject === 'git-floor' ? join(base, `floor-${r}`) : lastConfig;
        if (subject === 'confsync') lastConfig = configDir;
        const timeoutMs = big ? 900_000 : 180_000;
        let res: ScaleResult;
        try {
          res = await runTask<ScaleResult>(
            'scale',
            { subject, home, treeRel: 'tree', configDir, settleMs: subject === 'git-floor' ? 0 : settleMs, idle: r === 0 && subject !== 'git-floor' ? idleOf(subject) : null, periodic: r === 0 && subject !== 'git-floor' } satisfies ScaleParams,
            { home, timeoutMs, label: `${subject}: ` },
          );
        } catch (e) {
          // One subject failing (e.g. chokidar out of inotify watches) must not lose the others.
          const msg = (e as Error).message;
          ctx.log(`  ${fmtK(n)} #${r + 1} ${pad(subject, 10)} FAILED: ${msg}`);
          (failed[subject] ??= []).push(msg);
          continue;
        }
        (results[subject] ??= []).push(res);
        const e = res.engine;
        ctx.log(
          `  ${fmtK(n)} #${r + 1} ${pad(subject, 10)} ready ${(res.readyMs / 1000).toFixed(2)} s, RSS ${res.steady.rssMb.toFixed(0)} MB (peak ${res.steady.maxRssMb.toFixed(0)}), heap ${res.steady.heapUsedMb.toFixed(0)} MB` +
            (res.idle ? `, idle ${res.idle.total.pctOfCore.toFixed(3)} %` : '') +
            (res.gc?.ran ? `, background git gc ${(res.gc.wallMs / 1000).toFixed(1)} s (CPU ${((res.gc.cpuMs ?? 0) / 1000).toFixed(1)} s)` : '') +
            (e
              ? ` [open + watch ${(e.times.openMs / 1000).toFixed(1)} s, sync ${(e.times.initialSyncMs / 1000).toFixed(1)} s (CPU ${((e.times.syncCpu.selfMs + e.times.syncCpu.childrenMs) / 1000).toFixed(1)} s): ${e.resultKind}, ${e.committed} committed, backend ${e.backend}${e.errors.length ? `, errors: ${e.errors.join(' | ')}` : ''}]`
              : ''),
        );
      }
    }
    raw[String(n)] = results;
    await removeTemp(base);
    addScaleRows(ctx, n, results);
    for (const [subject, msgs] of Object.entries(failed)) {
      ctx.rows.push(row(`Watch scale ${fmtK(n)}`, `${LABEL[subject as Subject]}: failed runs`, null, '', { status: 'FAIL', note: `${msgs.length}×: ${msgs[0]!.slice(0, 160)}` }));
    }
  }
  ctx.raw.scale = raw;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function addScaleRows(ctx: Ctx, n: number, results: Record<string, ScaleResult[]>): void {
  const sec = `Watch scale ${fmtK(n)}`;
  const big = n >= 100_000;
  const get = (s: Subject) => results[s] ?? [];
  // The speed issue's goals at 100k: a first run within 8 s and within a few times git's own floor on
  // the same tree (here at most twice the git-floor subject of the same run; 3.7 s on 2 cores, so the
  // bench's earlier 3 s was below what committing the tree to git costs at all), a restart within 1.5 s.
  const gitFloorS = get('git-floor').length ? median(get('git-floor').map((r) => r.readyMs)) / 1000 : null;
  const firstGoal = big ? le(gitFloorS ? Math.min(8, Math.round(20 * gitFloorS) / 10) : 8, 'median', 's') : undefined;
  const restartGoal = big ? le(1.5, 'median', 's') : undefined;
  const rssGoal = big ? le(250, 'median', 'MB') : undefined;
  const idleGoal = big ? le(0.5, 'median', '%') : undefined;
  const med = (s: Subject, f: (r: ScaleResult) => number) => median(get(s).map(f));
  for (const s of SUBJECTS) {
    const rs = get(s);
    if (!rs.length) continue;
    if (s === 'git-floor') {
      const parts = (f: (x: NonNullable<ScaleResult['floor']>) => number) => spread(rs.map((r) => f(r.floor!) / 1000)).median.toFixed(2);
      ctx.rows.push(
        row(sec, `${LABEL[s]}: done`, spread(rs.map((r) => r.readyMs / 1000)), 's', {
          note: `stat walk ${parts((x) => x.walkMs)} s + fast-import ${parts((x) => x.importMs)} s (median), ${rs[0].floor!.files} files; CPU incl. git ${spread(rs.map((r) => (r.startupCpu.selfMs + r.startupCpu.childrenMs) / 1000)).median.toFixed(1)} s`,
        }),
      );
      continue;
    }
    const isCs = s === 'confsync' || s === 'cs-restart';
    const label = LABEL[s];
    ctx.rows.push(row(sec, `${label}: ready`, spread(rs.map((r) => r.readyMs / 1000)), 's', { goal: s === 'confsync' ? firstGoal : s === 'cs-restart' ? restartGoal : undefined }));
    ctx.rows.push(row(sec, `${label}: steady RSS`, spread(rs.map((r) => r.steady.rssMb)), 'MB', { goal: isCs ? rssGoal : undefined, digits: 0 }));
    ctx.rows.push(row(sec, `${label}: peak RSS`, spread(rs.map((r) => r.steady.maxRssMb)), 'MB', { digits: 0, note: isCs && big ? 'peak during start-up' : undefined }));
    ctx.rows.push(row(sec, `${label}: live heap`, spread(rs.map((r) => r.steady.heapUsedMb)), 'MB', { digits: 1 }));
    const after = rs.filter((r) => r.afterIdle);
    if (after.length) {
      const idleS = Math.round(after[0].idle!.total.wallMs / 1000);
      ctx.rows.push(row(sec, `${label}: RSS after the idle window`, spread(after.map((r) => r.afterIdle!.rssMb)), 'MB', { digits: 0, note: `${idleS} s later than steady RSS, no forced collection: what V8's memory reducer leaves` }));
    }
    const idle = rs.find((r) => r.idle)?.idle;
    if (idle) {
      const windowS = Math.round(idle.total.wallMs / 1000);
      // The figure (and the goal) is the mean over the whole window; the 10 s sub-windows show spikes.
      ctx.rows.push(
        row(sec, `${label}: idle CPU, mean over ${windowS} s`, spread([idle.total.pctOfCore]), '% core', {
          goal: isCs ? idleGoal : undefined,
          digits: 3,
          note: idle.windows.length > 1 ? `10 s windows: ${idle.windows.map((w) => w.pctOfCore.toFixed(3)).join(' / ')} %` : undefined,
        }),
      );
    }
    if (isCs) {
      ctx.rows.push(row(sec, `${label}: start-up CPU (incl. git)`, spread(rs.map((r) => (r.startupCpu.selfMs + r.startupCpu.childrenMs) / 1000)), 'CPU s'));
    }
    const gcs = rs.map((r) => r.gc).filter((g) => g?.ran);
    if (gcs.length) {
      ctx.rows.push(
        row(sec, `${label}: detached git gc after ready`, spread(gcs.map((g) => g!.wallMs / 1000)), 's', {
          note: `CPU ≥ ${spread(gcs.map((g) => (g!.cpuMs ?? 0) / 1000)).median.toFixed(1)} s, outside the engine's process (gc.auto=256)`,
        }),
      );
    }
  }
  if (get('git-floor').length && get('confsync').length) {
    const x = med('confsync', (r) => r.readyMs) / med('git-floor', (r) => r.readyMs);
    ctx.rows.push(row(sec, `${LABEL.confsync} vs git's floor: ready ×`, spread([x]), '×', { digits: 1, note: 'ratio of medians; the speed issue asks "within a few times git\'s own floor"' }));
  }
  // Overhead ratios (medians).
  for (const s of ['cs-watcher', 'confsync', 'cs-restart'] as Subject[]) {
    if (!get(s).length) continue;
    for (const b of ['parcel', 'chokidar'] as Subject[]) {
      if (!get(b).length) continue;
      const ready = med(s, (r) => r.readyMs) / med(b, (r) => r.readyMs);
      const rss = med(s, (r) => r.steady.rssMb) / med(b, (r) => r.steady.rssMb);
      const rr = get(s).map((x, i) => x.readyMs / (get(b)[i]?.readyMs ?? Number.NaN));
      const mr = get(s).map((x, i) => x.steady.rssMb / (get(b)[i]?.steady.rssMb ?? Number.NaN));
      ctx.rows.push(row(sec, `${LABEL[s]} vs ${LABEL[b]}: ready ×`, spread(rr), '×', { digits: 1, note: `ratio of medians ${ready.toFixed(1)}×` }));
      ctx.rows.push(row(sec, `${LABEL[s]} vs ${LABEL[b]}: RSS ×`, spread(mr), '×', { digits: 2, note: `ratio of medians ${rss.toFixed(2)}×` }));
    }
  }
  // Periodic work a short idle window does not show: the safety-net rescan (a stat walk, repeated after
  // max(DEFAULT_RESCAN_INTERVAL_MS, its wall time ÷ RESCAN_BUDGET), watch/rescan.ts) and the scheduled sync (every
  // intervalSec = 300 s by default), measured as the scheduler runs it: the watcher is trusted, no scan.
  const rescan = get('cs-watcher').find((r) => r.rescan)?.rescan;
  const floorS = DEFAULT_RESCAN_INTERVAL_MS / 1000;
  const pauseS = rescan ? Math.max(floorS, rescan.walkMs / RESCAN_BUDGET / 1000) : floorS;
  const rescanPct = rescan ? ((rescan.cpu.selfMs + rescan.cpu.childrenMs) / 1000 / pauseS) * 100 : 0;
  if (rescan) {
    ctx.rows.push(
      row(sec, `ConfSync safety-net rescan (1 walk / ${pauseS.toFixed(0)} s): amortised CPU`, spread([rescanPct]), '% core', {
        goal: idleGoal,
        digits: 3,
        note: `one walk of ${rescan.entries} entries = ${(rescan.cpu.selfMs / 1000).toFixed(2)} CPU s, ${(rescan.walkMs / 1000).toFixed(2)} s wall; the next walk waits max(${floorS} s, wall ÷ ${RESCAN_BUDGET * 100} %)`,
      }),
    );
  }
  const restarts = get('cs-restart').filter((r) => r.engine);
  if (restarts.length) {
    const cyc = restarts.map((r) => r.engine!.times.syncCpu);
    const cpuS = cyc.map((c) => (c.selfMs + c.childrenMs) / 1000);
    ctx.rows.push(
      row(sec, 'ConfSync sync cycle with nothing to do: wall time', spread(restarts.map((r) => r.engine!.times.initialSyncMs / 1000)), 's', { note: `the restart’s start-up cycle, a full scan (also on resume, settings change, flush): ${median(cpuS).toFixed(1)} CPU s` }),
    );
    const sched = restarts.find((r) => r.scheduled)?.scheduled;
    const schedPct = sched ? ((sched.cpu.selfMs + sched.cpu.childrenMs) / 1000 / 300) * 100 : null;
    if (sched && schedPct !== null) {
      ctx.rows.push(
        row(sec, 'ConfSync scheduled sync (1 / 300 s): amortised CPU', spread([schedPct]), '% core', {
          goal: idleGoal,
          digits: 3,
          note: `one scheduled cycle = ${((sched.cpu.selfMs + sched.cpu.childrenMs) / 1000).toFixed(3)} CPU s, ${(sched.cpu.wallMs / 1000).toFixed(3)} s wall (${sched.kind}; no remote here: a remote adds one fetch, section procs)`,
        }),
      );
    }
    const idleRun = get('cs-restart').find((r) => r.idle);
    if (idleRun?.idle) {
      // The idle window's first part holds the net's baseline walk, counted above: the steady figure is
      // the median window.
      const steady = median(idleRun.idle.windows.map((w) => w.pctOfCore));
      const total = steady + rescanPct + (schedPct ?? 0);
      ctx.rows.push(
        row(sec, 'ConfSync engine: long-run idle CPU (steady window + rescan + schedule)', spread([total]), '% core', {
          // The speed issue's 100k idle goal beside Syncthing (0.07 % there), stricter than its 0.5 %.
          goal: big ? le(0.1, 'median', '%') : undefined,
          digits: 3,
          note: `amortised: median idle window ${steady.toFixed(3)} % + rescan ${rescanPct.toFixed(3)} % + schedule ${(schedPct ?? 0).toFixed(3)} %`,
        }),
      );
    }
  }
}
