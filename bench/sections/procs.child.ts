/** Child side of the git-processes-per-edit section (see procs.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { now, sleep } from '../lib/measure.js';
import { gitOut, gitSubcommand, openEngine, phaseTimes, prepareConfig, repoPathOf, tallyGit, type GitTally } from '../lib/confsync.js';
import { log } from '../lib/ipc.js';

export interface ProcsParams {
  home: string;
  configDir: string;
  treeRel: string;
  remote: string;
  files: string[];
  edits: number;
  /** Scheduled syncs with nothing to do, run by hand once the edits are done. */
  idleSyncs: number;
  /** The engine counts as quiet after this long without a git process (and idle, nothing pending). */
  quietMs: number;
}

/** One git process as the engine's GitRunner reported it (times: bench clock, ms). */
export interface ProcRecord {
  sub: string;
  args: string[];
  start: number;
  end: number;
  code: number | null;
}

export interface ProcCount {
  /** Processes in the window. */
  n: number;
  /** Their summed wall time (ms). */
  ms: number;
  bySub: Record<string, GitTally>;
  /** The argument lists, in order (what to cut). */
  list: string[];
}

export interface EditProcs {
  i: number;
  rel: string;
  /** Edit → the `committed` event listing the file. */
  commitMs: number | null;
  /** Edit → the `pushed` event of a head containing that commit. */
  pushMs: number | null;
  /** Processes that started after the write and ended before that `pushed` event. */
  toPushed: ProcCount | null;
  /** Every process that started after the write, until the engine was quiet again. */
  toQuiet: ProcCount;
  /** Commits made for this edit (should be 1). */
  commits: number;
}

export interface IdleSync {
  ms: number;
  kind: string;
  /** Processes that ran inside the syncNow call. */
  inCall: ProcCount;
  /** Every process from the call until the engine was quiet again (what finish() starts, too). */
  toQuiet: ProcCount;
}

export interface ProcsResult {
  debounceMs: number;
  intervalSec: number;
  /** Git processes of the start-up sync cycle (Engine.open's own are not observable). */
  startup: Record<string, GitTally>;
  edits: EditProcs[];
  idle: IdleSync[];
  remoteHasLast: boolean;
  errors: string[];
}

function count(procs: ProcRecord[]): ProcCount {
  const bySub: Record<string, GitTally> = {};
  let ms = 0;
  for (const p of procs) {
    tallyGit(bySub, p.sub, p.end - p.start);
    ms += p.end - p.start;
  }
  return { n: procs.length, ms, bySub, list: procs.map((p) => p.args.join(' ').replace(/\s+/g, ' ').slice(0, 160)) };
}

export async function procsChild(p: ProcsParams): Promise<ProcsResult> {
  // Default settings (debounce, schedule): only the remote is set.
  prepareConfig({ home: p.home, configDir: p.configDir, treeRel: p.treeRel, remote: p.remote });
  const { host, engine, times } = await openEngine({ home: p.home, configDir: p.configDir, treeRel: p.treeRel, remote: p.remote });
  if (times.result?.kind !== 'ok') throw new Error(`start-up sync: ${times.result?.kind} ${times.result?.message}`);
  const startup = phaseTimes().git;

  const procs: ProcRecord[] = [];
  engine.git.onProcess((x) => {
    const end = now();
    procs.push({ sub: gitSubcommand(x.args), args: x.args, start: end - x.ms, end, code: x.code });
  });
  const commits: { at: number; oid: string; paths: string[] }[] = [];
  engine.events.on('committed', (c) => commits.push({ at: now(), oid: c.oid, paths: c.paths }));
  const pushes: { at: number; head: string }[] = [];
  engine.events.on('pushed', (x) => pushes.push({ at: now(), head: x.head }));

  const repo = join(p.configDir, 'repo');
  const contains = async (head: string, oid: string) =>
    head === oid || (await gitOut(repo, ['merge-base', '--is-ancestor', oid, head]).then(
      () => true,
      () => false,
    ));

  /** Idle, safe to shut down (nothing pending, nothing unpushed), and no git process ended for quietMs. */
  const waitQuiet = async (timeoutMs = 60_000): Promise<number> => {
    const end = now() + timeoutMs;
    while (now() < end) {
      const st = engine.store.getState();
      const lastProc = procs.length ? procs[procs.length - 1]!.end : 0;
      if (st.phase === 'idle' && st.safeToShutDown && st.watch.pendingPaths === 0 && now() - lastProc >= p.quietMs) return now();
      await sleep(50);
    }
    const st = engine.store.getState();
    const lastProc = procs[procs.length - 1];
    throw new Error(
      `the engine never went quiet (phase ${st.phase}, safe to shut down ${st.safeToShutDown}, status ${JSON.stringify({ ...engine.status.get(), lastResult: undefined })}, watch ${JSON.stringify(st.watch)}, last result ${st.repo.lastResult?.kind}: ${st.repo.lastResult?.message}; last git ${lastProc ? `${lastProc.args.join(' ')} ${(now() - lastProc.end).toFixed(0)} ms ago` : 'none'}; errors: ${st.errors.slice(0, 3).map((e) => `${e.source}: ${e.message}`).join(' | ')})`,
    );
  };

  await waitQuiet();
  const edits: EditProcs[] = [];
  for (let i = 0; i < p.edits; i++) {
    const rel = p.files[i % p.files.length]!;
    const abs = join(p.home, p.treeRel, rel);
    const repoPath = repoPathOf(p.treeRel, rel);
    const content = `${readFileSync(abs, 'utf8').replace(/# procs edit \d+\n$/, '')}# procs edit ${i}\n`;
    const at = now();
    writeFileSync(abs, content);
    // Wait for the commit that lists the file, then for a push of a head that contains it.
    let commit: (typeof commits)[number] | undefined;
    let pushed: (typeof pushes)[number] | undefined;
    const deadline = at + 60_000;
    while (now() < deadline && !pushed) {
      commit ??= commits.find((c) => c.at >= at && c.paths.includes(repoPath));
      if (commit) {
        for (const x of pushes) {
          if (x.at >= commit.at && (await contains(x.head, commit.oid))) {
            pushed = x;
            break;
          }
        }
      }
      if (!pushed) await sleep(20);
    }
    const quietAt = await waitQuiet();
    const mine = procs.filter((x) => x.start >= at && x.start < quietAt);
    edits.push({
      i,
      rel,
      commitMs: commit ? commit.at - at : null,
      pushMs: pushed ? pushed.at - at : null,
      toPushed: pushed ? count(mine.filter((x) => x.end <= pushed.at)) : null,
      toQuiet: count(mine),
      commits: commits.filter((c) => c.at >= at && c.at < quietAt).length,
    });
    const e = edits[edits.length - 1]!;
    log(`edit ${i + 1}/${p.edits}: ${e.toPushed ? `${e.toPushed.n} processes to pushed (${Object.entries(e.toPushed.bySub).map(([k, v]) => `${k}×${v.calls}`).join(' ')})` : 'never pushed'}, ${e.toQuiet.n} until quiet`);
  }

  // A scheduled sync with nothing to do (the schedule runs one every intervalSec): run by hand.
  const idle: IdleSync[] = [];
  for (let k = 0; k < p.idleSyncs; k++) {
    await waitQuiet();
    const t = now();
    const r = await engine.syncNow({ reason: 'schedule' });
    const t2 = now();
    const quietAt = await waitQuiet();
    const mine = procs.filter((x) => x.start >= t && x.start < quietAt);
    idle.push({ ms: t2 - t, kind: r.kind, inCall: count(mine.filter((x) => x.end <= t2)), toQuiet: count(mine) });
    log(`idle scheduled sync ${k + 1}/${p.idleSyncs}: ${r.kind}, ${idle[idle.length - 1]!.inCall.n} processes in the call, ${mine.length} until quiet`);
  }

  const last = commits[commits.length - 1]?.oid ?? '';
  const remoteHasLast = last ? (await gitOut(p.remote, ['cat-file', '-t', last]).catch(() => '')).trim() === 'commit' : false;
  const errors = engine.store.getState().errors.slice(0, 5).map((e) => `${e.source}: ${e.message}`);
  const out: ProcsResult = { debounceMs: engine.cfg.sync.debounceMs, intervalSec: engine.cfg.sync.intervalSec, startup, edits, idle, remoteHasLast, errors };
  await host.stop({ flushTimeoutMs: 30_000 });
  return out;
}
