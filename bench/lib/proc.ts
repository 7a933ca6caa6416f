/**
 * Measurement processes. Each subject runs in its own Node child (so RSS, heap and CPU belong to it
 * alone), started from the bundled `child.mjs` beside the running orchestrator, with `--expose-gc` and a
 * temp HOME. Parent and child talk over the IPC channel:
 *
 *   parent → child  { type: 'run', task, params }        start a task
 *   child  → parent { type: 'event', name, data }         progress a task wants the parent to act on
 *   parent → child  { type: 'cmd', name, data }           a reply / command (e.g. "the burst is written")
 *   child  → parent { type: 'result', data } | { type: 'error', message, stack }
 *
 * Every child the parent starts is tracked and killed (by its own pid) on exit, Ctrl-C or a timeout.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { waitGcUnder } from './gitgc.js';
import { NODE_FLAGS, runtimeEnv } from '../../electron/cli/runtime.js';

export interface ChildMsg {
  type: 'run' | 'event' | 'cmd' | 'result' | 'error' | 'log';
  task?: string;
  name?: string;
  params?: unknown;
  data?: unknown;
  message?: string;
  stack?: string;
}

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let cleanupInstalled = false;

/** Temp trees removed on exit (also on Ctrl-C and on failure). */
export function trackTemp(dir: string): string {
  tempDirs.add(dir);
  installCleanup();
  return dir;
}

/** Removes a temp tree once no background `git gc` writes into a repo inside it (see gitgc.ts). */
export async function removeTemp(dir: string): Promise<void> {
  await waitGcUnder(dir);
  for (let attempt = 0; ; attempt++) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      tempDirs.delete(dir);
      return;
    } catch (e) {
      if (attempt >= 10) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** End of run: waits for background gcs, then removes every temp tree and stray child. */
export async function finalCleanup(): Promise<void> {
  for (const d of [...tempDirs]) await removeTemp(d).catch(() => undefined);
  cleanupAll();
}

const extraCleanups: (() => void)[] = [];
/** Synchronous last-resort cleanups (e.g. stopping a git daemon by pid). */
export function onCleanup(fn: () => void): void {
  extraCleanups.push(fn);
  installCleanup();
}

export function cleanupAll(): void {
  for (const c of live) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  live.clear();
  for (const fn of extraCleanups.splice(0)) {
    try {
      fn();
    } catch {
      /* best effort */
    }
  }
  for (const d of tempDirs) {
    try {
      rmSync(d, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      /* best effort */
    }
  }
  tempDirs.clear();
}

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', cleanupAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig}, cleaning up\n`);
      cleanupAll();
      process.exit(130);
    });
  }
}

function childScript(): string {
  // The entry (dist/bench/run.mjs) serves as orchestrator and as measurement child (BENCH_CHILD=1
  // selects the role). This module sits in a shared chunk, so the entry is the orchestrator's argv[1].
  const p = process.argv[1] ?? '';
  if (!existsSync(p)) throw new Error(`bench bundle not found at ${p} (run through bench/build-and-run.mjs)`);
  return p;
}

export interface RunOptions {
  home: string;
  timeoutMs: number;
  /** Extra node flags (e.g. --cpu-prof). */
  execArgv?: string[];
  env?: Record<string, string>;
  quiet?: boolean;
  /** Prefix for the child's log lines. */
  label?: string;
}

/** A running measurement child. */
export class TaskHandle<T> {
  readonly result: Promise<T>;
  private readonly events: { name: string; data: unknown }[] = [];
  private waiters: { name: string; resolve: (d: unknown) => void }[] = [];
  private failure: Error | null = null;
  private rejecters = new Set<(e: Error) => void>();

  constructor(
    readonly task: string,
    readonly proc: ChildProcess,
    timeoutMs: number,
    quiet: boolean,
    label: string,
  ) {
    this.result = new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | null, value?: T) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          this.failure = err;
          for (const r of this.rejecters) r(err);
          this.rejecters.clear();
          try {
            proc.kill('SIGKILL');
          } catch {
            /* gone */
          }
          reject(err);
        } else {
          // The child stops its subject and exits by itself; make sure it does.
          const t = setTimeout(() => {
            try {
              proc.kill('SIGKILL');
            } catch {
              /* gone */
            }
          }, 20_000);
          t.unref();
          proc.once('exit', () => clearTimeout(t));
          resolve(value as T);
        }
      };
      const timer = setTimeout(() => finish(new Error(`task ${task} timed out after ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      proc.on('message', (raw) => {
        const m = raw as ChildMsg;
        if (m.type === 'result') finish(null, m.data as T);
        else if (m.type === 'error') finish(Object.assign(new Error(`task ${task}: ${m.message}`), { stack: m.stack }));
        else if (m.type === 'log') {
          if (!quiet) process.stdout.write(`      ${label}${m.message}\n`);
        } else if (m.type === 'event') {
          const i = this.waiters.findIndex((w) => w.name === m.name);
          if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m.data);
          else this.events.push({ name: m.name ?? '', data: m.data });
        }
      });
      proc.on('exit', (code, sig) => {
        live.delete(proc);
        if (!settled) finish(new Error(`task ${task}: child exited early (code ${code}, signal ${sig})`));
      });
      proc.on('error', (e) => finish(e));
    });
    this.result.catch(() => undefined);
  }

  send(name: string, data?: unknown): void {
    if (this.proc.connected) this.proc.send({ type: 'cmd', name, data } satisfies ChildMsg);
  }

  /** The next event `name` from the child (already received ones first). */
  waitEvent<D = unknown>(name: string, timeoutMs = 120_000): Promise<D> {
    if (this.failure) return Promise.reject(this.failure);
    const i = this.events.findIndex((e) => e.name === name);
    if (i >= 0) return Promise.resolve(this.events.splice(i, 1)[0]!.data as D);
    return new Promise<D>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        this.rejecters.delete(reject);
        reject(new Error(`task ${this.task}: no "${name}" within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      const waiter = {
        name,
        resolve: (d: unknown) => {
          clearTimeout(timer);
          this.rejecters.delete(reject);
          resolve(d as D);
        },
      };
      this.waiters.push(waiter);
      this.rejecters.add(reject);
    });
  }

  /** Sends `name` and waits for the reply event `reply`. */
  async ask<D = unknown>(name: string, data: unknown, reply: string, timeoutMs = 120_000): Promise<D> {
    const p = this.waitEvent<D>(reply, timeoutMs);
    this.send(name, data);
    return p;
  }
}

/**
 * Starts one task in a fresh child. Every child runs with the Node flags and environment ConfSync's
 * own processes run with (electron/cli/runtime.ts: bin/confsync.mjs and the service files), the
 * raw-library baselines too, so each figure is of the same runtime.
 */
export function startTask<T>(task: string, params: unknown, o: RunOptions): TaskHandle<T> {
  installCleanup();
  const proc = fork(childScript(), [], {
    execArgv: ['--expose-gc', ...NODE_FLAGS, ...(o.execArgv ?? [])],
    env: { ...process.env, ...runtimeEnv(process.platform), HOME: o.home, BENCH_CHILD: '1', ...(o.env ?? {}) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  live.add(proc);
  const h = new TaskHandle<T>(task, proc, o.timeoutMs, !!o.quiet, o.label ?? '');
  proc.send({ type: 'run', task, params } satisfies ChildMsg);
  return h;
}

/** Runs one task in a fresh child, waits for its result and for the child to exit. */
export async function runTask<T>(task: string, params: unknown, o: RunOptions): Promise<T> {
  const h = startTask<T>(task, params, o);
  const r = await h.result;
  await exited(h.proc);
  return r;
}

export function exited(p: ChildProcess): Promise<void> {
  return new Promise<void>((r) => {
    if (p.exitCode !== null || p.signalCode !== null) return r();
    p.once('exit', () => r());
  });
}
