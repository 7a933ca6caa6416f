/**
 * 8. Syncthing and ConfSync side by side (issue 13): the same generated trees (same seed, one copy
 * per tool), the same run, one tool at a time, two machines on loopback for each.
 *
 *   Syncthing  two `syncthing serve` instances (lib/syncthing.ts: offline, loopback only), A holding
 *              the tree, B an empty folder, the folder shared between them.
 *   ConfSync   two engines in two children (the `node` task of the A → B section: openHost, default
 *              settings), distinct host names (alpha, bravo), a bare repo on disk as the remote, and
 *              the peers hint channel (B serves, A connects) when the engine has it.
 *
 * Per tree size (default 2,000 and 10,000; --quick 2,000; 100,000 only when --sizes asks for it):
 *   first scan   A alone, from process start: Syncthing until its first folder scan ends (the
 *                StateChanged event leaving "scanning", Syncthing's clock); ConfSync until its
 *                start-up sync has committed every file (the child's `ready`, i.e. openHost + synced).
 *                Peak RSS = VmHWM of the process(es) right then.
 *   B joins      B from process start until it holds every file: Syncthing's /rest/db/status (idle,
 *                nothing needed, localFiles = globalFiles = n, polled every 50 ms); ConfSync's `ready`
 *                (its start-up sync fetched and applied the repo). Both then checked on disk, file by
 *                file. Not at 100,000 (A only there).
 *   idle CPU     smallest size and 100,000: CPU of each process (and its live children; git children
 *                the engine reaped count through cutime/cstime) from /proc/PID/stat over one window.
 *   latency      smallest size: one small edit on A (a line appended) → the new content on B's disk,
 *                polled every 10 ms; each edit waits for the previous to arrive, then 0.5–1.5 s.
 *                Syncthing with its default fsWatcherDelayS (read from the config it generates), then
 *                with fsWatcherDelayS=1 (PATCH /rest/config/folders/<id>, read back); ConfSync with
 *                default settings (hints on when the peers module exists).
 *   restart      A stopped and started again with nothing changed: Syncthing until its start-up scan
 *                ends; ConfSync until ready.
 * Every Syncthing process is stopped through its REST API and killed by pid if it lingers (also on
 * failure or Ctrl-C); the ConfSync children are the usual tracked measurement children.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ctx } from '../lib/ctx.js';
import { waitGitGc, type GcRun } from '../lib/gitgc.js';
import { now, sleep, sleepUnref } from '../lib/measure.js';
import { exited, removeTemp, startTask, trackTemp, type TaskHandle } from '../lib/proc.js';
import { le, row, type Goal } from '../lib/report.js';
import { fmtNum, pct, spread } from '../lib/stats.js';
import { createNode, freePort, idleCpu, listFiles, missingOn, StProc, syncthingVersion, treeCpuMs, treeHwmMb, writeConfig } from '../lib/syncthing.js';
import { commentable, generateTree, rng } from '../lib/tree.js';
import { peersAvailable, type NodeParams, type NodeResult } from './ab.child.js';

// ------------------------------------------------------------------------------------------ plan

interface Plan {
  n: number;
  latency: boolean;
  idle: boolean;
  /** B joins (not at 100k: A alone there). */
  join: boolean;
  edits: { stDefault: number; stFast: number; cs: number };
  idleMs: number;
  settleMs: number;
  /** Longest wait for one phase (scan, join, restart). */
  timeoutMs: number;
  /** Lifetime limit of a ConfSync child. */
  childTimeoutMs: number;
}

interface Idle {
  label: string;
  cpuMs: number;
  wallMs: number;
  pct: number;
}

interface Latency {
  label: string;
  samples: number[];
  lost: number;
}

/** One tool's figures on one tree. Times in ms. */
interface Side {
  /** Process start → first scan done (Syncthing) / start-up sync committed (ConfSync). */
  firstMs: number;
  /** Syncthing: the scan alone (its StateChanged duration); ConfSync: openHost → synced, in-process. */
  firstInnerMs: number;
  /** CPU from process start to then (own + children), ms. */
  firstCpuMs: number;
  firstPeakMb: number;
  join?: { ms: number; cpuMs: number; peakMb: number; missing: number };
  idle?: { a: Idle; b: Idle | null };
  /** ConfSync only: what each engine did during the idle window. */
  idleSeen?: { a: string[]; b: string[] };
  latency: Record<string, Latency>;
  restart?: { ms: number; innerMs: number; cpuMs: number };
  /** ConfSync: the detached git gc after the first commit (waited for, outside every figure). */
  gc?: GcRun;
  /** Syncthing: its default fsWatcherDelayS (from the config it generated). */
  defaultDelayS?: number;
}

const SEC = 'Syncthing vs ConfSync';

function fmtK(n: number): string {
  return n >= 1000 ? `${n / 1000}k` : String(n);
}

// ------------------------------------------------------------------------------------------ shared

/**
 * Single-file edits on A, each waiting for B to hold the new content (polled every 10 ms) before a
 * random 0.5–1.5 s pause, so edits land at every phase of any timer. Edit index `first + i` makes the
 * content unique across runs of this function.
 */
async function editLatencies(rootA: string, rootB: string, files: string[], count: number, first: number, timeoutMs: number, seed: number): Promise<{ samples: number[]; lost: number }> {
  const rand = rng(seed);
  const samples: number[] = [];
  let lost = 0;
  for (let i = 0; i < count; i++) {
    const k = first + i;
    const rel = files[k % files.length]!;
    const abs = join(rootA, rel);
    const content = `${readFileSync(abs, 'utf8').replace(/# side-by-side edit \d+\n$/, '')}# side-by-side edit ${k}\n`;
    const at = now();
    writeFileSync(abs, content);
    let arrived = false;
    while (now() - at < timeoutMs) {
      let cur: string | null;
      try {
        cur = readFileSync(join(rootB, rel), 'utf8');
      } catch {
        cur = null;
      }
      if (cur === content) {
        samples.push(now() - at);
        arrived = true;
        break;
      }
      await sleep(10);
    }
    if (!arrived) lost++;
    await sleep(500 + rand() * 1000);
  }
  return { samples, lost };
}

// ------------------------------------------------------------------------------------------ Syncthing

async function runSyncthingSide(ctx: Ctx, base: string, plan: Plan): Promise<Side> {
  const A = await createNode(join(base, 'st', 'A'), 'alpha', join(base, 'st', 'A', 'tree'));
  const tree = generateTree(A.folder, plan.n, plan.n);
  const B = plan.join ? await createNode(join(base, 'st', 'B'), 'bravo', join(base, 'st', 'B', 'tree')) : null;
  writeConfig(A, B ? [B] : []);
  if (B) writeConfig(B, [A]);
  const side: Side = { firstMs: 0, firstInnerMs: 0, firstCpuMs: 0, firstPeakMb: 0, latency: {}, defaultDelayS: A.defaults.fsWatcherDelayS };
  const live: StProc[] = [];
  try {
    let a = StProc.start(A);
    live.push(a);
    const scan = await a.waitScanDone(plan.timeoutMs);
    a.stopEvents();
    side.firstMs = scan.at - a.spawnedAt;
    side.firstInnerMs = (scan.duration ?? Number.NaN) * 1000;
    side.firstCpuMs = a.cpuMs();
    side.firstPeakMb = a.hwmMb();
    ctx.log(`    Syncthing A: scan done ${(side.firstMs / 1000).toFixed(2)} s after start (scan ${(side.firstInnerMs / 1000).toFixed(2)} s), peak RSS ${side.firstPeakMb.toFixed(0)} MB`);
    let b: StProc | null = null;
    if (B) {
      b = StProc.start(B);
      live.push(b);
      const done = await b.waitComplete(plan.n, plan.timeoutMs);
      const missing = missingOn(A.folder, B.folder, listFiles(A.folder));
      side.join = { ms: done.at - b.spawnedAt, cpuMs: b.cpuMs(), peakMb: b.hwmMb(), missing };
      ctx.log(`    Syncthing B: all ${plan.n} files ${(side.join.ms / 1000).toFixed(2)} s after start${missing ? `, ${missing} missing or different on disk!` : ''}`);
    }
    if (plan.idle) {
      await sleep(plan.settleMs);
      const bb = b;
      const r = await idleCpu([{ label: 'A', pids: () => a.pids() }, ...(bb ? [{ label: 'B', pids: () => bb.pids() }] : [])], plan.idleMs);
      side.idle = { a: r[0]!, b: r[1] ?? null };
      ctx.log(`    Syncthing idle over ${(plan.idleMs / 1000).toFixed(0)} s: ${r.map((x) => `${x.label} ${x.pct.toFixed(3)} %`).join(', ')}`);
    }
    if (plan.latency && B && b) {
      const files = commentable(tree.sample).slice(0, 20);
      const d = A.defaults.fsWatcherDelayS;
      // The watcher holds a change up to 6 × the delay (then forces a scan): wait a little longer.
      const dflt = await editLatencies(A.folder, B.folder, files, plan.edits.stDefault, 0, Math.max(30_000, d * 8000), 11);
      side.latency.default = { label: `fsWatcherDelayS=${d} (its default)`, ...dflt };
      ctx.log(`    Syncthing edit A → B, delay ${d} s: p50 ${fmtNum(pct(dflt.samples).p50, 0)} ms, p95 ${fmtNum(pct(dflt.samples).p95, 0)} ms${dflt.lost ? `, ${dflt.lost} lost` : ''}`);
      if (d !== 1) {
        await Promise.all([a.patchFolder({ fsWatcherDelayS: 1 }), b.patchFolder({ fsWatcherDelayS: 1 })]);
        const fast = await editLatencies(A.folder, B.folder, files, plan.edits.stFast, plan.edits.stDefault, 30_000, 12);
        side.latency.fast = { label: 'fsWatcherDelayS=1', ...fast };
        ctx.log(`    Syncthing edit A → B, delay 1 s: p50 ${fmtNum(pct(fast.samples).p50, 0)} ms, p95 ${fmtNum(pct(fast.samples).p95, 0)} ms${fast.lost ? `, ${fast.lost} lost` : ''}`);
      }
    }
    await a.stop();
    a = StProc.start(A);
    live.push(a);
    const again = await a.waitScanDone(plan.timeoutMs);
    a.stopEvents();
    side.restart = { ms: again.at - a.spawnedAt, innerMs: (again.duration ?? Number.NaN) * 1000, cpuMs: a.cpuMs() };
    ctx.log(`    Syncthing A restart: scan done ${(side.restart.ms / 1000).toFixed(2)} s after start (scan ${(side.restart.innerMs / 1000).toFixed(2)} s)`);
    return side;
  } finally {
    for (const p of live) await p.stop().catch(() => p.killNow());
  }
}

// ------------------------------------------------------------------------------------------ ConfSync

interface Started {
  h: TaskHandle<NodeResult>;
  t0: number;
  ms: number;
  innerMs: number;
}

async function runConfSyncSide(ctx: Ctx, base: string, plan: Plan): Promise<Side> {
  const homeA = join(base, 'cs', 'A', 'home');
  const homeB = join(base, 'cs', 'B', 'home');
  const tree = generateTree(join(homeA, 'tree'), plan.n, plan.n);
  mkdirSync(join(homeB, 'tree'), { recursive: true });
  const remote = join(base, 'cs', 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
  const hints = plan.join && peersAvailable();
  const secret = randomBytes(24).toString('hex');
  const portB = hints ? await freePort() : 0;
  const pA: NodeParams = {
    home: homeA,
    configDir: join(base, 'cs', 'A', 'config'),
    treeRel: 'tree',
    remote,
    host: 'alpha',
    settings: hints ? { peers: { urls: [`ws://127.0.0.1:${portB}/`], secret } } : {},
    hints,
  };
  const pB: NodeParams = {
    home: homeB,
    configDir: join(base, 'cs', 'B', 'config'),
    treeRel: 'tree',
    remote,
    host: 'bravo',
    settings: hints ? { peers: { server: true, host: '127.0.0.1', port: portB, secret } } : {},
    hints,
  };
  const handles: TaskHandle<NodeResult>[] = [];
  const start = async (p: NodeParams, label: string): Promise<Started> => {
    const t0 = now();
    const h = startTask<NodeResult>('node', p, { home: p.home, timeoutMs: plan.childTimeoutMs, label: `${label}: ` });
    handles.push(h);
    const r = await h.waitEvent<{ kind: string; message: string; readyMs: number }>('ready', plan.timeoutMs);
    const ms = now() - t0;
    // A first run commits (ok); a restart with nothing changed has nothing to do.
    if (r.kind !== 'ok' && r.kind !== 'nothing-to-do') throw new Error(`${label}: start-up sync ${r.kind}: ${r.message}`);
    return { h, t0, ms, innerMs: r.readyMs };
  };
  const pidOf = (s: Started) => (s.h.proc.pid ? [s.h.proc.pid] : []);
  const side: Side = { firstMs: 0, firstInnerMs: 0, firstCpuMs: 0, firstPeakMb: 0, latency: {} };
  try {
    let a = await start(pA, 'ConfSync A');
    side.firstMs = a.ms;
    side.firstInnerMs = a.innerMs;
    side.firstCpuMs = treeCpuMs(pidOf(a));
    side.firstPeakMb = treeHwmMb(pidOf(a));
    ctx.log(`    ConfSync A: ready ${(side.firstMs / 1000).toFixed(2)} s after start (openHost → synced ${(side.firstInnerMs / 1000).toFixed(2)} s), peak RSS ${side.firstPeakMb.toFixed(0)} MB`);
    // The first commit of many files starts a detached `git gc --auto`: let it finish, untimed.
    side.gc = await waitGitGc(join(pA.configDir, 'repo'), 1500);
    let b: Started | null = null;
    if (plan.join) {
      b = await start(pB, 'ConfSync B');
      const files = listFiles(join(homeA, 'tree'));
      let missing = missingOn(join(homeA, 'tree'), join(homeB, 'tree'), files);
      let ms = b.ms;
      const until = now() + 60_000;
      while (missing && now() < until) {
        await sleep(200);
        missing = missingOn(join(homeA, 'tree'), join(homeB, 'tree'), files);
        ms = now() - b.t0;
      }
      side.join = { ms, cpuMs: treeCpuMs(pidOf(b)), peakMb: treeHwmMb(pidOf(b)), missing };
      ctx.log(`    ConfSync B: all ${plan.n} files ${(ms / 1000).toFixed(2)} s after start${missing ? `, ${missing} missing or different on disk!` : ''}`);
      // Converge as the A → B section does: A takes B's join, both share one history.
      await a.h.ask('sync', null, 'synced', plan.timeoutMs);
      await b.h.ask('sync', null, 'synced', plan.timeoutMs);
      await waitGitGc(join(pB.configDir, 'repo'), 500);
    }
    if (plan.idle) {
      await sleep(plan.settleMs);
      const aa = a;
      const bb = b;
      await aa.h.ask('mark', null, 'marked');
      if (bb) await bb.h.ask('mark', null, 'marked');
      const r = await idleCpu([{ label: 'A', pids: () => pidOf(aa) }, ...(bb ? [{ label: 'B', pids: () => pidOf(bb) }] : [])], plan.idleMs);
      side.idle = { a: r[0]!, b: r[1] ?? null };
      // What the engines did in the window (git processes, peer links), so the figure can be read.
      const seenA = (await aa.h.ask<{ seen: string[] }>('seen', null, 'seen')).seen;
      const seenB = bb ? (await bb.h.ask<{ seen: string[] }>('seen', null, 'seen')).seen : [];
      side.idleSeen = { a: seenA, b: seenB };
      ctx.log(`    ConfSync idle over ${(plan.idleMs / 1000).toFixed(0)} s: ${r.map((x) => `${x.label} ${x.pct.toFixed(3)} %`).join(', ')}; in the window A: ${seenA.join(', ') || 'nothing'}; B: ${seenB.join(', ') || 'nothing'}`);
    }
    if (plan.latency && b) {
      if (hints) {
        const until = now() + 30_000;
        for (;;) {
          const st = await a.h.ask<{ peers: { connected: boolean }[] }>('status', null, 'status');
          if (st.peers.some((x) => x.connected)) break;
          if (now() > until) throw new Error('ConfSync A never connected to B’s hint server');
          await sleep(200);
        }
      }
      // The same files as on Syncthing's tree (same seed, same sample).
      const files = commentable(tree.sample).slice(0, 20);
      const l = await editLatencies(join(homeA, 'tree'), join(homeB, 'tree'), files, plan.edits.cs, 0, 30_000, 13);
      side.latency.cs = { label: hints ? 'default settings, peer hints on' : `default settings, no hints (peers module absent)`, ...l };
      ctx.log(`    ConfSync edit A → B: p50 ${fmtNum(pct(l.samples).p50, 0)} ms, p95 ${fmtNum(pct(l.samples).p95, 0)} ms${l.lost ? `, ${l.lost} lost` : ''}`);
    }
    a.h.send('stop');
    await a.h.result;
    await exited(a.h.proc);
    a = await start(pA, 'ConfSync A restart');
    side.restart = { ms: a.ms, innerMs: a.innerMs, cpuMs: treeCpuMs(pidOf(a)) };
    ctx.log(`    ConfSync A restart: ready ${(a.ms / 1000).toFixed(2)} s after start (openHost → synced ${(a.innerMs / 1000).toFixed(2)} s)`);
    return side;
  } finally {
    for (const h of handles) h.send('stop');
    await Promise.all(
      handles.map(async (h) => {
        await Promise.race([exited(h.proc), sleepUnref(30_000)]);
        if (h.proc.exitCode === null && h.proc.signalCode === null) h.proc.kill('SIGKILL');
      }),
    );
  }
}

// ------------------------------------------------------------------------------------------ rows

function addRows(ctx: Ctx, plan: Plan, st: Side | null, cs: Side | null): void {
  const { n } = plan;
  const k = fmtK(n);
  const sec = `${SEC} ${k}`;
  const is2k = n === 2000;
  const is10k = n === 10_000;
  const big = n >= 100_000;
  const vsSt = (stValue: number | undefined, unit: string): Goal | undefined =>
    stValue !== undefined && Number.isFinite(stValue) ? { text: `≤ Syncthing's ${fmtNum(stValue)} ${unit} (median)`, limit: stValue, on: 'median', cmp: '<=' } : undefined;
  const times = (csV: number, stV: number | undefined) => (stV && Number.isFinite(stV) && stV > 0 ? `${(csV / stV).toFixed(1)}× Syncthing` : '');
  const s = (ms: number) => spread([ms / 1000]);
  const cpu = (ms: number) => `CPU ${(ms / 1000).toFixed(2)} s`;
  const notes = (...parts: (string | false | null | undefined)[]) => parts.filter(Boolean).join('; ') || undefined;

  // 1. One small edit A → B.
  if (plan.latency) {
    const stD = st?.latency.default;
    const stF = st?.latency.fast;
    const csL = cs?.latency.cs;
    if (stD) ctx.rows.push(row(sec, `one edit on A → on B's disk: Syncthing, ${stD.label}`, pct(stD.samples), 'ms', { digits: 0, note: notes(stD.lost > 0 && `${stD.lost} never arrived`) }));
    if (stF) ctx.rows.push(row(sec, `one edit on A → on B's disk: Syncthing, ${stF.label}`, pct(stF.samples), 'ms', { digits: 0, note: notes(stF.lost > 0 && `${stF.lost} never arrived`) }));
    if (csL) {
      const ref = stF ?? stD;
      const p95 = pct(csL.samples).p95;
      ctx.rows.push(
        row(sec, `one edit on A → on B's disk: ConfSync, ${csL.label}`, pct(csL.samples), 'ms', {
          goal: le(800, 'p95', 'ms'),
          digits: 0,
          note: notes(csL.lost > 0 && `${csL.lost} never arrived`, ref && `p95 ${times(p95, pct(ref.samples).p95)} (${ref.label})`),
        }),
      );
    }
  }

  // 2. / 6. A's first scan (+ peak RSS).
  if (st) ctx.rows.push(row(sec, `A's first scan, process start → scan done: Syncthing`, s(st.firstMs), 's', { digits: 2, note: `the scan alone ${(st.firstInnerMs / 1000).toFixed(2)} s (StateChanged scanning → idle); ${cpu(st.firstCpuMs)}` }));
  if (cs) {
    ctx.rows.push(
      row(sec, `A's first run, process start → every file committed: ConfSync`, s(cs.firstMs), 's', {
        goal: big ? le(8, 'median', 's') : is2k ? vsSt(st ? st.firstMs / 1000 : undefined, 's') : undefined,
        digits: 2,
        note: notes(`openHost → start-up sync done ${(cs.firstInnerMs / 1000).toFixed(2)} s`, cpu(cs.firstCpuMs), times(cs.firstMs, st?.firstMs), cs.gc?.ran && `then a detached git gc ${(cs.gc.wallMs / 1000).toFixed(1)} s (waited for, untimed)`),
      }),
    );
  }
  if (st) ctx.rows.push(row(sec, `A's peak RSS, first scan: Syncthing`, spread([st.firstPeakMb]), 'MB', { digits: 0, note: 'syncthing and its monitor process (VmHWM)' }));
  if (cs) ctx.rows.push(row(sec, `A's peak RSS, first run: ConfSync`, spread([cs.firstPeakMb]), 'MB', { goal: big ? le(250, 'median', 'MB') : undefined, digits: 0, note: notes('the engine child (VmHWM)', times(cs.firstPeakMb, st?.firstPeakMb)) }));

  // 3. / 6. Idle CPU.
  // /proc counts CPU in clock ticks: one tick over the window is the smallest non-zero figure.
  const tickMs = 1000 / (Number(process.env.BENCH_CLK_TCK) || 100);
  const idleNote = (x: Side) =>
    notes(x.idle?.b && `B ${x.idle.b.pct.toFixed(3)} %`, x.idle && `${(x.idle.a.cpuMs / 1000).toFixed(2)} CPU s in ${(x.idle.a.wallMs / 1000).toFixed(0)} s`, x.idle && `resolution ${((tickMs / x.idle.a.wallMs) * 100).toFixed(3)} %`);
  if (st?.idle) ctx.rows.push(row(sec, `idle CPU of A, ${(st.idle.a.wallMs / 1000).toFixed(0)} s window: Syncthing`, spread([st.idle.a.pct]), '% core', { digits: 3, note: idleNote(st) }));
  if (cs?.idle) {
    ctx.rows.push(
      row(sec, `idle CPU of A, ${(cs.idle.a.wallMs / 1000).toFixed(0)} s window: ConfSync`, spread([cs.idle.a.pct]), '% core', {
        goal: is2k ? le(0.05, 'median', '%') : big ? le(0.1, 'median', '%') : undefined,
        digits: 3,
        note: notes(idleNote(cs), 'incl. git children', cs.idleSeen && `in the window A: ${summarize(cs.idleSeen.a)}, B: ${summarize(cs.idleSeen.b)}`),
      }),
    );
  }

  // 4. From nothing to all on B.
  if (st?.join) {
    ctx.rows.push(row(sec, `B joins, process start → every file on B's disk: Syncthing`, s(st.join.ms), 's', { digits: 2, note: notes(cpu(st.join.cpuMs), `peak RSS ${st.join.peakMb.toFixed(0)} MB`, st.join.missing > 0 && `${st.join.missing} files missing or different!`) }));
  }
  if (cs?.join) {
    ctx.rows.push(
      row(sec, `B joins, process start → every file on B's disk: ConfSync`, s(cs.join.ms), 's', {
        digits: 2,
        note: notes(cpu(cs.join.cpuMs), `peak RSS ${cs.join.peakMb.toFixed(0)} MB`, times(cs.join.ms, st?.join?.ms), cs.join.missing > 0 && `${cs.join.missing} files missing or different!`),
      }),
    );
  }
  const total = (x: Side | null) => (x?.join ? x.firstMs + x.join.ms : undefined);
  const stTotal = total(st);
  const csTotal = total(cs);
  if (stTotal !== undefined) ctx.rows.push(row(sec, `from nothing to all on B (A's first scan + B's join): Syncthing`, s(stTotal), 's', { digits: 2, note: `A ${(st!.firstMs / 1000).toFixed(2)} s + B ${(st!.join!.ms / 1000).toFixed(2)} s` }));
  if (csTotal !== undefined) {
    ctx.rows.push(
      row(sec, `from nothing to all on B (A's first run + B's join): ConfSync`, s(csTotal), 's', {
        goal: is10k ? vsSt(stTotal !== undefined ? stTotal / 1000 : undefined, 's') : undefined,
        digits: 2,
        note: notes(`A ${(cs!.firstMs / 1000).toFixed(2)} s + B ${(cs!.join!.ms / 1000).toFixed(2)} s`, times(csTotal, stTotal)),
      }),
    );
  }

  // 5. Restart with nothing changed.
  if (st?.restart) ctx.rows.push(row(sec, `restart A, nothing changed, process start → ready: Syncthing`, s(st.restart.ms), 's', { digits: 2, note: notes(`start-up scan alone ${(st.restart.innerMs / 1000).toFixed(2)} s`, cpu(st.restart.cpuMs)) }));
  if (cs?.restart) {
    ctx.rows.push(
      row(sec, `restart A, nothing changed, process start → ready: ConfSync`, s(cs.restart.ms), 's', {
        goal: is10k ? le(1, 'median', 's') : undefined,
        digits: 2,
        note: notes(`openHost → start-up sync done ${(cs.restart.innerMs / 1000).toFixed(2)} s`, cpu(cs.restart.cpuMs), times(cs.restart.ms, st?.restart?.ms)),
      }),
    );
  }
}

// ------------------------------------------------------------------------------------------ section

export async function runSyncthing(ctx: Ctx): Promise<void> {
  const version = syncthingVersion();
  const sizes = [...new Set(ctx.opts.sizes ?? (ctx.quick ? [2000] : [2000, 10_000]))].sort((a, b) => a - b);
  if (!version) {
    ctx.rows.push(row(SEC, 'Syncthing is not installed (`syncthing --version` failed): only ConfSync’s side is measured', null, '', { status: 'INFO' }));
  } else {
    ctx.log(`  ${version}`);
  }
  if (peersAvailable()) ctx.log('  ConfSync: default settings, peer hints on (B serves, A connects)');
  else ctx.log('  ConfSync: default settings; peers module absent, so no hints (edits wait for the 300 s schedule)');
  const raw: Record<string, { plan: Plan; syncthing: Side | null; confsync: Side | null; errors: string[] }> = {};
  for (const [i, n] of sizes.entries()) {
    const big = n >= 100_000;
    const plan: Plan = {
      n,
      latency: i === 0 && !big,
      idle: i === 0 || big,
      join: !big,
      edits: ctx.quick ? { stDefault: 2, stFast: 3, cs: 3 } : { stDefault: 10, stFast: 20, cs: 20 },
      idleMs: ctx.quick ? 20_000 : 60_000,
      settleMs: ctx.quick ? 2000 : 5000,
      timeoutMs: big ? 1_200_000 : 600_000,
      childTimeoutMs: big ? 3_600_000 : 1_800_000,
    };
    ctx.log(`  ${fmtK(n)} files${plan.latency ? ', edits' : ''}${plan.idle ? `, idle ${plan.idleMs / 1000} s` : ''}${plan.join ? ', B joins' : ', A only'}, restart`);
    const base = trackTemp(join(ctx.tmp, `syncthing-${n}`));
    mkdirSync(base, { recursive: true });
    const errors: string[] = [];
    let st: Side | null = null;
    let cs: Side | null = null;
    if (version) {
      try {
        st = await runSyncthingSide(ctx, base, plan);
      } catch (e) {
        const msg = (e as Error).message;
        errors.push(`syncthing: ${msg}`);
        ctx.log(`  Syncthing ${fmtK(n)} FAILED: ${msg}`);
        ctx.rows.push(row(`${SEC} ${fmtK(n)}`, 'Syncthing side failed', null, '', { status: 'FAIL', note: msg.split('\n')[0]!.slice(0, 200) }));
      }
    }
    try {
      cs = await runConfSyncSide(ctx, base, plan);
    } catch (e) {
      const msg = (e as Error).message;
      errors.push(`confsync: ${msg}`);
      ctx.log(`  ConfSync ${fmtK(n)} FAILED: ${msg}`);
      ctx.rows.push(row(`${SEC} ${fmtK(n)}`, 'ConfSync side failed', null, '', { status: 'FAIL', note: msg.split('\n')[0]!.slice(0, 200) }));
    }
    await removeTemp(base);
    raw[String(n)] = { plan, syncthing: st, confsync: cs, errors };
    addRows(ctx, plan, st, cs);
    if (plan.latency) {
      const add = (name: string, l: Latency | undefined) => {
        if (l?.samples.length) ctx.series[name] = l.samples;
      };
      add(`A → B Syncthing, ${st?.latency.default?.label ?? ''}`, st?.latency.default);
      add(`A → B Syncthing, ${st?.latency.fast?.label ?? ''}`, st?.latency.fast);
      add(`A → B ConfSync (${fmtK(n)} files)`, cs?.latency.cs);
      ctx.markers.push({ ms: 800, label: 'goal: A→B p95 ≤ 0.8 s (issue 13)' });
    }
  }
  ctx.raw.syncthing = { version, sizes, results: raw };
}

/** `git fetch ×2, peer link up` from a list of what an engine did (or `nothing`). */
function summarize(seen: string[]): string {
  if (!seen.length) return 'nothing';
  const counts = new Map<string, number>();
  for (const x of seen) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(', ');
}
