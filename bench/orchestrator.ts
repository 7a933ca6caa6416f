/** The orchestrator: runs the sections, prints the table, writes the results (see run.ts). */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir, release, platform } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Ctx } from './lib/ctx.js';
import { cleanupAll, finalCleanup, trackTemp } from './lib/proc.js';
import { renderMarkdown, renderTable, type Row } from './lib/report.js';
import { latencySvg } from './lib/svg.js';
import { runScale } from './sections/scale.js';
import { runLatency } from './sections/latency.js';
import { runBurst } from './sections/burst.js';
import { runPipeline } from './sections/pipeline.js';
import { runAB, peersAvailable } from './sections/ab.js';
import { runKm } from './sections/km.js';
import { runProfile } from './sections/profile.js';
import { runProcs } from './sections/procs.js';
import { runSyncthing } from './sections/syncthing.js';
import { runGrowth } from './sections/growth.js';
import { runCli } from './sections/cli.js';

const SECTIONS: Record<string, { title: string; run: (ctx: Ctx) => Promise<void> }> = {
  scale: { title: '1. Watch scale', run: runScale },
  latency: { title: '2. Edit → commit latency', run: runLatency },
  burst: { title: '3. Burst', run: runBurst },
  pipeline: { title: '4. Event pipeline', run: runPipeline },
  ab: { title: '5. Machine A → B', run: runAB },
  km: { title: '6. Keyboard Maestro', run: runKm },
  procs: { title: '7. Git processes per edit', run: runProcs },
  syncthing: { title: '8. Syncthing side by side', run: runSyncthing },
  growth: { title: '9. The repo’s growth', run: runGrowth },
  cli: { title: '10. The CLI’s own cost', run: runCli },
  profile: { title: 'Diagnosis: CPU profile of the engine’s first run', run: runProfile },
};
const DEFAULT_ORDER = ['scale', 'latency', 'burst', 'pipeline', 'ab', 'km', 'procs', 'syncthing', 'growth', 'cli'];

// ------------------------------------------------------------------------------------------ parent

interface Args {
  /** Re-render the .md and .svg of an existing results JSON, then exit. */
  render: string | null;
  quick: boolean;
  only: string[] | null;
  sizes?: number[];
  /** Edits per case of the growth section, and which cases. */
  edits?: number;
  cases?: string[];
  out: string;
  /** Wait up to this many minutes for the 1-minute load average to fall below 1 before starting. */
  waitQuietMin: number;
}

function parseArgs(argv: string[]): Args {
  // dist/bench/run.mjs → bench/results
  let out = resolve(dirname(process.argv[1] ?? '.'), '..', '..', 'bench', 'results');
  let quick = false;
  let only: string[] | null = null;
  let sizes: number[] | undefined;
  let edits: number | undefined;
  let cases: string[] | undefined;
  let waitQuietMin = 0;
  let render: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--render') render = resolve(argv[++i] ?? '');
    else if (a === '--wait-quiet') waitQuietMin = 30;
    else if (a.startsWith('--wait-quiet=')) waitQuietMin = Number(a.slice(13)) || 0;
    else if (a === '--only') only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a.startsWith('--only=')) only = a.slice(7).split(',').filter(Boolean);
    else if (a === '--sizes') sizes = (argv[++i] ?? '').split(',').map(Number).filter((n) => n > 0);
    else if (a === '--edits') edits = Number(argv[++i]) > 0 ? Math.floor(Number(argv[i])) : undefined;
    else if (a === '--cases') cases = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--out') out = resolve(argv[++i] ?? out);
    else if (a === '--help' || a === '-h') {
      console.log(`usage: npm run bench -- [--quick] [--only ${Object.keys(SECTIONS).join('|')}[,...]] [--sizes 1000,10000] [--edits N] [--cases km-binary,km-xml,plist] [--out DIR] [--wait-quiet[=MIN]] | --render RESULTS.json`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  for (const s of only ?? []) if (!SECTIONS[s]) throw new Error(`unknown section ${s} (one of ${Object.keys(SECTIONS).join(', ')})`);
  return { render, quick, only, sizes, edits, cases, out, waitQuietMin };
}

function localDate(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

function machineInfo() {
  const gitVersion = (() => {
    try {
      return execFileSync('git', ['--version'], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  const pkg = (name: string) => {
    try {
      return (JSON.parse(readFileSync(join(process.cwd(), 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return '?';
    }
  };
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '?',
    memGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    os: `${platform()} ${release()}`,
    git: gitVersion,
    chokidar: pkg('chokidar'),
    parcelWatcher: pkg('@parcel/watcher'),
  };
}

interface ResultsJson {
  date: string;
  mode: string;
  machine: ReturnType<typeof machineInfo>;
  loadAverage: Record<string, { start: number; end: number }>;
  rows: Row[];
  series: Record<string, number[]>;
  markers?: { ms: number; label: string }[];
  raw: { latency?: { debounceMs?: number } };
}

/** `<base>.md` and, when there are latency series, `<base>-latency.svg`. */
function writeRendered(out: string, base: string, json: ResultsJson): void {
  const info = json.machine;
  const load = json.loadAverage ?? {};
  const quick = json.mode === 'quick';
  writeFileSync(
    join(out, `${base}.md`),
    `# ConfSync bench ${json.date}${quick ? ' (quick)' : ''}\n\n${info.cpus} × ${info.cpuModel}, Node ${info.node}, ${info.git}; load average per section: ${Object.entries(load).map(([k, v]) => `${k} ${v.start.toFixed(1)}→${v.end.toFixed(1)}`).join(', ')}\n\n${renderMarkdown(json.rows)}\n`,
  );
  if (Object.keys(json.series).length) {
    const debounce = json.raw.latency?.debounceMs ?? 1000;
    const markers = json.markers ?? [
      { ms: debounce + 500, label: `goal: commit p95 ≤ ${debounce + 500} ms` },
      { ms: 3000, label: 'goal: A→B p95 ≤ 3 s (hints)' },
    ];
    writeFileSync(join(out, `${base}-latency.svg`), latencySvg(json.series, markers, `ConfSync latency CDF — ${json.date}${quick ? ' (quick)' : ''}`));
  }
}

async function parentMain(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.render) {
    const json = JSON.parse(readFileSync(args.render, 'utf8')) as ResultsJson;
    const base = args.render.replace(/\.json$/, '');
    writeRendered(dirname(base), basename(base), json);
    console.log(`rendered ${base}.md${Object.keys(json.series).length ? ` and ${base}-latency.svg` : ''}`);
    return;
  }
  const order = args.only ?? DEFAULT_ORDER;
  const tmp = trackTemp(mkdtempSync(join(tmpdir(), 'confsync-bench-')));
  let started = Date.now();
  const ctx: Ctx = {
    quick: args.quick,
    tmp,
    rows: [],
    raw: {},
    series: {},
    markers: [],
    log: (msg) => console.log(msg),
    opts: { sizes: args.sizes, edits: args.edits, cases: args.cases },
  };
  try {
    process.env.BENCH_CLK_TCK ??= execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim();
  } catch {
    /* not Linux: children CPU reads as 0 */
  }
  if (args.waitQuietMin > 0 && loadavg()[0]! >= 1) {
    const until = Date.now() + args.waitQuietMin * 60_000;
    console.log(`waiting up to ${args.waitQuietMin} min for the machine to go quiet (load ${loadavg()[0]!.toFixed(2)})…`);
    while (loadavg()[0]! >= 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 5000));
    console.log(`starting at load ${loadavg()[0]!.toFixed(2)}`);
  }
  const waitedS = (Date.now() - started) / 1000;
  started = Date.now();
  const info = machineInfo();
  console.log(`ConfSync bench${args.quick ? ' (quick)' : ''}: ${info.cpus} × ${info.cpuModel}, ${info.memGb} GB, Node ${info.node}, ${info.git}, chokidar ${info.chokidar}, @parcel/watcher ${info.parcelWatcher}`);
  console.log(`temp root ${tmp}; sections: ${order.join(', ')}${peersAvailable() ? '' : ' (peers module absent: A→B hints on is TODO)'}`);
  const timings: Record<string, number> = {};
  const load: Record<string, { start: number; end: number }> = {};
  const failures: { section: string; error: string }[] = [];
  for (const name of order) {
    const s = SECTIONS[name]!;
    const t = Date.now();
    const l0 = loadavg()[0]!;
    console.log(`\n== ${s.title}  (load average ${l0.toFixed(2)})`);
    try {
      await s.run(ctx);
    } catch (e) {
      const err = e as Error;
      console.error(`  section ${name} FAILED: ${err.stack ?? err.message}`);
      failures.push({ section: name, error: err.message });
      ctx.rows.push({ section: s.title, metric: 'section failed', unit: '', value: null, status: 'FAIL', note: err.message.slice(0, 200) });
    }
    timings[name] = (Date.now() - t) / 1000;
    load[name] = { start: l0, end: loadavg()[0]! };
    console.log(`   (${timings[name]!.toFixed(0)} s, load average now ${load[name]!.end.toFixed(2)})`);
  }
  const totalS = (Date.now() - started) / 1000;
  const rows: Row[] = ctx.rows;
  console.log(`\n${renderTable(rows)}\n`);
  const misses = rows.filter((r) => r.status === 'MISS');
  const passes = rows.filter((r) => r.status === 'PASS');
  const todos = rows.filter((r) => r.status === 'TODO');
  console.log(`Goals: ${passes.length} PASS, ${misses.length} MISS, ${todos.length} TODO${failures.length ? `, ${failures.length} section(s) FAILED` : ''}. Total ${totalS.toFixed(0)} s.`);
  const busy = Object.entries(load).filter(([, v]) => Math.max(v.start, v.end) > info.cpus * 0.75);
  if (busy.length) console.log(`Note: the machine was busy during ${busy.map(([k, v]) => `${k} (load ${v.start.toFixed(1)}→${v.end.toFixed(1)})`).join(', ')}; figures there include contention.`);

  const date = localDate();
  const suffix = (args.quick ? '-quick' : '') + (args.only ? `-only-${args.only.join('+')}` : '');
  mkdirSync(args.out, { recursive: true });
  const json = {
    date,
    createdAt: new Date().toISOString(),
    mode: args.quick ? 'quick' : 'full',
    sections: order,
    machine: info,
    /** Measuring time (build excluded); waitedS = time spent waiting for the machine to go quiet. */
    durationS: totalS,
    waitedS,
    sectionDurationsS: timings,
    /** 1-minute load average at the start and end of each section: others' work on a shared machine skews figures. */
    loadAverage: load,
    failures,
    goals: { pass: passes.length, miss: misses.length, todo: todos.length },
    rows,
    series: ctx.series,
    markers: ctx.markers,
    raw: ctx.raw,
  };
  const text = `${JSON.stringify(json, null, 1)}\n`;
  writeFileSync(join(args.out, `${date}${suffix}.json`), text);
  writeFileSync(join(args.out, `latest${suffix}.json`), text);
  writeRendered(args.out, `${date}${suffix}`, json);
  console.log(`Results: ${join(args.out, `${date}${suffix}.json`)} (and latest${suffix}.json, ${date}${suffix}.md${Object.keys(ctx.series).length ? `, ${date}${suffix}-latency.svg` : ''})`);
  await finalCleanup();
  process.exitCode = failures.length ? 1 : 0;
}

export function main(): void {
  parentMain().catch((e: unknown) => {
    console.error(e);
    cleanupAll();
    process.exit(1);
  });
}
