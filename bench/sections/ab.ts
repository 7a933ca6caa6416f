/**
 * 5. Machine A → machine B on loopback: two engines, each in its own child with its own temp HOME and
 * config dir, sharing a bare repo served by `git daemon` on 127.0.0.1. The orchestrator writes a file
 * in A's home and polls B's copy every 10 ms until it holds the new content.
 *
 *   hints off  both on the schedule only, intervalSec = 10 (the shortest the settings allow)
 *   hints on   the peers hint channel (electron/engine/peers, startPeers): B runs the hint server,
 *              A connects to it; after A pushes, B is told to fetch now. Schedule left at its default
 *              (300 s) so what is measured is the hint path.
 * Edits are 2.2–2.7 s apart (random, so they land at every phase of B's schedule), rotating over 20
 * files so a file is never edited again before its previous edit has arrived.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type Ctx, dirIn } from '../lib/ctx.js';
import { now, sleep, sleepUnref } from '../lib/measure.js';
import { exited, onCleanup, startTask, type TaskHandle } from '../lib/proc.js';
import { le, row } from '../lib/report.js';
import { pct } from '../lib/stats.js';
import { commentable, generateTree, rng } from '../lib/tree.js';
import { peersAvailable, type NodeParams, type NodeResult } from './ab.child.js';

export { peersAvailable };

// ------------------------------------------------------------------------------------------ parent

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(true));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
  });
}

/** `git daemon` on 127.0.0.1 serving `base`, push enabled. Returns a stop function. */
async function gitDaemon(base: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const proc = spawn('git', ['daemon', `--base-path=${base}`, '--export-all', '--enable=receive-pack', '--reuseaddr', '--listen=127.0.0.1', `--port=${port}`, base], { stdio: 'ignore' });
  const pid = proc.pid;
  onCleanup(() => {
    if (proc.exitCode === null && pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
  const end = Date.now() + 10_000;
  while (!(await portOpen(port))) {
    if (Date.now() > end) throw new Error('git daemon did not start');
    await sleep(50);
  }
  return {
    port,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const gone = exited(proc);
      proc.kill('SIGTERM');
      await gone;
    },
  };
}

interface ModeResult {
  mode: 'hints-off' | 'hints-on';
  latenciesMs: number[];
  lost: number;
  a: NodeResult;
  b: NodeResult;
}

async function runMode(ctx: Ctx, mode: 'hints-off' | 'hints-on', edits: number): Promise<ModeResult> {
  const base = dirIn(ctx, `ab-${mode}`);
  const srv = dirIn(ctx, `ab-${mode}`, 'srv');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', join(srv, 'remote.git')]);
  const daemon = await gitDaemon(srv);
  const url = `git://127.0.0.1:${daemon.port}/remote.git`;
  const homeA = dirIn(ctx, `ab-${mode}`, 'A', 'home');
  const homeB = dirIn(ctx, `ab-${mode}`, 'B', 'home');
  const tree = generateTree(join(homeA, 'tree'), 24, 9, 10); // 20 of them not JSON (edit targets)
  mkdirSync(join(homeB, 'tree'), { recursive: true });
  const hints = mode === 'hints-on';
  const secret = 'bench-shared-secret-0123456789';
  const portB = hints ? await freePort() : 0;
  const interval = hints ? 300 : 10;
  const common = { sync: { intervalSec: interval } };
  const settingsA = hints ? { ...common, peers: { urls: [`ws://127.0.0.1:${portB}/`], secret } } : common;
  const settingsB = hints ? { ...common, peers: { server: true, host: '127.0.0.1', port: portB, secret } } : common;
  const handles: TaskHandle<NodeResult>[] = [];
  try {
    const a = startTask<NodeResult>('node', { home: homeA, configDir: join(base, 'A', 'config'), treeRel: 'tree', remote: url, host: 'alpha', settings: settingsA, hints } satisfies NodeParams, { home: homeA, timeoutMs: 900_000, label: 'A: ' });
    handles.push(a);
    const ra = await a.waitEvent<{ kind: string; message: string }>('ready', 120_000);
    if (ra.kind !== 'ok') throw new Error(`A start-up sync: ${ra.kind} ${ra.message}`);
    const b = startTask<NodeResult>('node', { home: homeB, configDir: join(base, 'B', 'config'), treeRel: 'tree', remote: url, host: 'bravo', settings: settingsB, hints } satisfies NodeParams, { home: homeB, timeoutMs: 900_000, label: 'B: ' });
    handles.push(b);
    const rb = await b.waitEvent<{ kind: string; message: string }>('ready', 120_000);
    if (rb.kind !== 'ok') throw new Error(`B start-up sync: ${rb.kind} ${rb.message}`);
    // Converge: A takes B's join merge, so both share one history (and one repo id for the hints).
    await a.ask('sync', null, 'synced');
    await b.ask('sync', null, 'synced');
    const fileB = (rel: string) => join(homeB, 'tree', rel);
    const files = commentable(tree.sample).slice(0, 20);
    const end = Date.now() + 60_000;
    while (!files.every((f) => existsSync(fileB(f)) && readFileSync(fileB(f), 'utf8') === readFileSync(join(homeA, 'tree', f), 'utf8'))) {
      if (Date.now() > end) throw new Error('B never received the initial files');
      await sleep(100);
    }
    if (hints) {
      const until = Date.now() + 20_000;
      for (;;) {
        const st = await a.ask<{ peers: { connected: boolean }[] }>('status', null, 'status');
        if (st.peers.some((x) => x.connected)) break;
        if (Date.now() > until) throw new Error('A never connected to B’s hint server');
        await sleep(200);
      }
    }
    ctx.log(`  ${mode}: A and B in sync (${files.length} files); ${edits} edits`);
    const rand = rng(77);
    const pending = new Map<number, { rel: string; content: string; at: number }>();
    const lat: number[] = [];
    /** Polls B until `until`; with `stopWhenDone`, returns as soon as nothing is pending. */
    const poll = async (until: number, stopWhenDone = false) => {
      while (now() < until) {
        for (const [i, e] of pending) {
          let cur: string | null;
          try {
            cur = readFileSync(fileB(e.rel), 'utf8');
          } catch {
            cur = null;
          }
          if (cur === e.content) {
            lat.push(now() - e.at);
            pending.delete(i);
          }
        }
        if (pending.size === 0 && stopWhenDone) return;
        await sleep(10);
      }
    };
    for (let i = 0; i < edits; i++) {
      const rel = files[i % files.length]!;
      const abs = join(homeA, 'tree', rel);
      const content = `${readFileSync(abs, 'utf8').replace(/# ab edit \d+\n$/, '')}# ab edit ${i}\n`;
      const at = now();
      writeFileSync(abs, content);
      pending.set(i, { rel, content, at });
      await poll(at + 2200 + rand() * 500, i === edits - 1);
    }
    await poll(now() + (hints ? 20_000 : 30_000), true);
    const lost = pending.size;
    a.send('stop');
    b.send('stop');
    const [resA, resB] = await Promise.all([a.result, b.result]);
    await Promise.all([exited(a.proc), exited(b.proc)]);
    return { mode, latenciesMs: lat, lost, a: resA, b: resB };
  } finally {
    for (const h of handles) h.send('stop');
    await Promise.all(handles.map((h) => Promise.race([exited(h.proc), sleepUnref(25_000)])));
    await daemon.stop();
  }
}

export async function runAB(ctx: Ctx): Promise<void> {
  const edits = ctx.quick ? 1 : 20;
  const sec = 'Machine A → B';
  const out: ModeResult[] = [];
  ctx.markers.push({ ms: 3000, label: 'goal: A→B p95 ≤ 3 s (hints)' });
  // Quick mode runs one mode only (hints on when the peers module exists): it checks the suite runs.
  if (!ctx.quick || !peersAvailable()) {
    const off = await runMode(ctx, 'hints-off', edits);
    out.push(off);
    ctx.series['A → B, hints off (schedule 10 s)'] = off.latenciesMs;
    ctx.rows.push(
      row(sec, 'write on A → content on B’s disk, hints off (schedule every 10 s)', pct(off.latenciesMs), 'ms', {
        digits: 0,
        note: `goal applies with hints${off.lost ? `; ${off.lost} edits never arrived` : ''}`,
      }),
    );
    ctx.log(`  hints off: p50 ${pct(off.latenciesMs).p50.toFixed(0)} ms, p95 ${pct(off.latenciesMs).p95.toFixed(0)} ms${off.lost ? `, ${off.lost} lost` : ''}`);
  }
  if (peersAvailable()) {
    const on = await runMode(ctx, 'hints-on', edits);
    out.push(on);
    ctx.series['A → B, hints on'] = on.latenciesMs;
    ctx.rows.push(
      row(sec, 'write on A → content on B’s disk, hints on', pct(on.latenciesMs), 'ms', {
        goal: le(3000, 'p95', 'ms'),
        digits: 0,
        note: on.lost ? `${on.lost} edits never arrived` : undefined,
      }),
    );
    ctx.log(`  hints on: p50 ${pct(on.latenciesMs).p50.toFixed(0)} ms, p95 ${pct(on.latenciesMs).p95.toFixed(0)} ms${on.lost ? `, ${on.lost} lost` : ''}`);
  } else {
    ctx.rows.push(row(sec, 'write on A → content on B’s disk, hints on', null, 'ms', { goal: le(3000, 'p95', 'ms'), status: 'TODO', note: 'TODO: awaits the peers module (electron/engine/peers/)' }));
  }
  ctx.raw.ab = out;
}
