/**
 * Syncthing (the Debian package, `/usr/bin/syncthing`) as a bench subject: set-up, start, REST, stop.
 *
 * Every instance runs fully offline on loopback. Its config is written by us before the first start:
 * no global or local discovery, no relays, no NAT traversal or STUN, usage reporting declined
 * (`urAccepted=-1`), no auto-upgrade (`autoUpgradeIntervalH=0`, `--no-upgrade`), no crash reporting,
 * no browser, no default folder; the peer device is dialled at an explicit `tcp://127.0.0.1:PORT`,
 * the GUI/REST API listens on 127.0.0.1 with a random API key. `setLowPriority` is off, so Syncthing
 * runs at the same priority as ConfSync on a shared machine (its default lowers its own priority).
 * The folder's other settings are Syncthing's own defaults, read from the config `syncthing generate`
 * writes (`<defaults><folder fsWatcherDelayS=…>`), so "default delay" is whatever this build ships.
 *
 * `syncthing serve` forks an inner process under a monitor (also with --no-restart): both are tracked
 * by pid, measured together (CPU, peak RSS) and killed by pid on failure or Ctrl-C.
 *
 * Process meters (`treeCpuMs`, `treeHwmMb`) read /proc/PID/stat and /proc/PID/status of a process and
 * its live descendants; the same functions measure the ConfSync children from the parent.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { now, sleep, sleepUnref } from './measure.js';
import { exited, onCleanup } from './proc.js';

/** Folder id used on every instance. */
export const ST_FOLDER = 'bench';

// ------------------------------------------------------------------------------------ process meters

const CLK_TCK = Number(process.env.BENCH_CLK_TCK) || 100;

interface PidStat {
  ppid: number;
  /** utime + stime + cutime + cstime (own CPU plus reaped children), ms. */
  cpuMs: number;
}

function readStat(pid: number): PidStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // f[0] = field 3 (state); f[1] = ppid (4); f[11..14] = utime, stime, cutime, cstime (14..17)
    const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    return { ppid: Number(f[1]), cpuMs: (ticks * 1000) / CLK_TCK };
  } catch {
    return null;
  }
}

/** `pid` and its live descendants. */
export function procTree(pid: number): number[] {
  let all: number[];
  try {
    all = readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return [pid];
  }
  const parent = new Map<number, number>();
  for (const p of all) {
    const s = readStat(p);
    if (s) parent.set(p, s.ppid);
  }
  const out = [pid];
  for (const p of all) {
    let cur = parent.get(p);
    for (let hops = 0; cur && hops < 16; hops++) {
      if (cur === pid) {
        out.push(p);
        break;
      }
      cur = parent.get(cur);
    }
  }
  return out;
}

/**
 * CPU time (ms) of `pids` and their live descendants: utime + stime + cutime + cstime, so children
 * already reaped (git, for the engine) are counted through their parent. Deltas between two reads are
 * the CPU spent in between (a child reaped in between moves from "live" to its parent's cutime).
 */
export function treeCpuMs(pids: number[]): number {
  const seen = new Set<number>();
  let ms = 0;
  for (const root of pids) {
    for (const p of procTree(root)) {
      if (seen.has(p)) continue;
      seen.add(p);
      ms += readStat(p)?.cpuMs ?? 0;
    }
  }
  return ms;
}

function statusKb(pid: number, key: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Peak RSS (VmHWM), MB, summed over `pids` (not their descendants: git children are short-lived). */
export function treeHwmMb(pids: number[]): number {
  return pids.reduce((s, p) => s + statusKb(p, 'VmHWM'), 0) / 1024;
}

/** CPU of each process set over one window, in % of one core. */
export async function idleCpu(sets: { label: string; pids: () => number[] }[], windowMs: number): Promise<{ label: string; cpuMs: number; wallMs: number; pct: number }[]> {
  const c0 = sets.map((s) => treeCpuMs(s.pids()));
  const t0 = now();
  await sleep(windowMs);
  const wallMs = now() - t0;
  return sets.map((s, i) => {
    const cpuMs = treeCpuMs(s.pids()) - c0[i]!;
    return { label: s.label, cpuMs, wallMs, pct: (cpuMs / wallMs) * 100 };
  });
}

// ------------------------------------------------------------------------------------ set-up

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** `syncthing --version`, or null when it is not installed. */
export function syncthingVersion(): string | null {
  try {
    return execFileSync('syncthing', ['--version'], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export interface StNode {
  name: string;
  /** The instance's own root: HOME for the process, config dir, log. */
  dir: string;
  configDir: string;
  folder: string;
  id: string;
  apiKey: string;
  guiPort: number;
  listenPort: number;
  /** Syncthing's folder defaults from the generated config (this build's own). */
  defaults: { fsWatcherDelayS: number; rescanIntervalS: number; configVersion: number };
}

function envFor(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, '.config'),
    XDG_DATA_HOME: join(dir, '.local', 'share'),
    XDG_STATE_HOME: join(dir, '.local', 'state'),
    STNODEFAULTFOLDER: '1',
    STNOUPGRADE: '1',
    STNORESTART: '1',
  };
}

/** Keys and a generated config (`syncthing generate`) for one instance whose folder is `folder`. */
export async function createNode(dir: string, name: string, folder: string): Promise<StNode> {
  const configDir = join(dir, 'config');
  mkdirSync(configDir, { recursive: true });
  // The folder marker: Syncthing refuses a folder without it (it would report "folder marker missing").
  mkdirSync(join(folder, '.stfolder'), { recursive: true });
  execFileSync('syncthing', ['generate', `--home=${configDir}`, '--no-default-folder'], { env: envFor(dir), stdio: 'ignore', timeout: 60_000 });
  const xml = readFileSync(join(configDir, 'config.xml'), 'utf8');
  const id = /<device id="([A-Z0-9-]+)"/.exec(xml)?.[1];
  if (!id) throw new Error(`syncthing generate: no device id in ${configDir}/config.xml`);
  const defFolder = /<defaults>\s*<folder\b([^>]*)>/.exec(xml)?.[1] ?? '';
  const attr = (k: string) => Number(new RegExp(`\\b${k}="(\\d+)"`).exec(defFolder)?.[1]);
  const fsWatcherDelayS = attr('fsWatcherDelayS');
  const rescanIntervalS = attr('rescanIntervalS');
  const configVersion = Number(/<configuration version="(\d+)"/.exec(xml)?.[1]);
  if (!Number.isFinite(fsWatcherDelayS) || !Number.isFinite(rescanIntervalS) || !Number.isFinite(configVersion)) {
    throw new Error('syncthing generate: folder defaults not found in the generated config');
  }
  return {
    name,
    dir,
    configDir,
    folder,
    id,
    apiKey: randomBytes(18).toString('base64url'),
    guiPort: await freePort(),
    listenPort: await freePort(),
    defaults: { fsWatcherDelayS, rescanIntervalS, configVersion },
  };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Writes the instance's config.xml: one folder shared with `peers`, the peers at explicit loopback
 * addresses, everything that would reach the network turned off.
 */
export function writeConfig(node: StNode, peers: StNode[], fsWatcherDelayS = node.defaults.fsWatcherDelayS): void {
  const dev = (d: StNode, address: string) => `  <device id="${d.id}" name="${esc(d.name)}" compression="metadata" introducer="false">\n    <address>${address}</address>\n    <autoAcceptFolders>false</autoAcceptFolders>\n  </device>`;
  const xml = `<configuration version="${node.defaults.configVersion}">
  <folder id="${ST_FOLDER}" label="${ST_FOLDER}" path="${esc(node.folder)}" type="sendreceive" rescanIntervalS="${node.defaults.rescanIntervalS}" fsWatcherEnabled="true" fsWatcherDelayS="${fsWatcherDelayS}" ignorePerms="false" autoNormalize="true">
    <filesystemType>basic</filesystemType>
${[node, ...peers].map((d) => `    <device id="${d.id}" introducedBy=""></device>`).join('\n')}
  </folder>
${dev(node, 'dynamic')}
${peers.map((p) => dev(p, `tcp://127.0.0.1:${p.listenPort}`)).join('\n')}
  <gui enabled="true" tls="false" debugging="false">
    <address>127.0.0.1:${node.guiPort}</address>
    <apikey>${node.apiKey}</apikey>
  </gui>
  <options>
    <listenAddress>tcp://127.0.0.1:${node.listenPort}</listenAddress>
    <globalAnnounceEnabled>false</globalAnnounceEnabled>
    <localAnnounceEnabled>false</localAnnounceEnabled>
    <relaysEnabled>false</relaysEnabled>
    <natEnabled>false</natEnabled>
    <stunKeepaliveStartS>0</stunKeepaliveStartS>
    <stunKeepaliveMinS>0</stunKeepaliveMinS>
    <announceLANAddresses>false</announceLANAddresses>
    <urAccepted>-1</urAccepted>
    <autoUpgradeIntervalH>0</autoUpgradeIntervalH>
    <crashReportingEnabled>false</crashReportingEnabled>
    <startBrowser>false</startBrowser>
    <setLowPriority>false</setLowPriority>
  </options>
</configuration>
`;
  writeFileSync(join(node.configDir, 'config.xml'), xml);
}

// ------------------------------------------------------------------------------------ a running instance

export interface StateChange {
  folder: string;
  from: string;
  to: string;
  /** Seconds spent in `from` (Syncthing's own figure). */
  duration?: number;
  /** Epoch ms (Syncthing's event time). */
  at: number;
}

export interface DbStatus {
  state: string;
  localFiles: number;
  globalFiles: number;
  needTotalItems: number;
  inSyncFiles: number;
  errors?: number;
  pullErrors?: number;
}

/** "2026-12-05T00:43:08.085614893Z" → epoch ms with sub-ms resolution. */
export function parseStTime(s: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) return Date.parse(s);
  return Date.parse(`${m[1]}${m[3]}`) + Number(`0.${m[2] ?? '0'}`) * 1000;
}

/** One running `syncthing serve`. */
export class StProc {
  readonly proc: ChildProcess;
  /** Epoch ms just before spawn. */
  readonly spawnedAt: number;
  /** The monitor and the inner process, by pid, as soon as each is seen. */
  private readonly known = new Set<number>();
  private lastEventId = 0;
  private polling = false;
  private readonly changes: StateChange[] = [];

  private constructor(readonly node: StNode) {
    this.spawnedAt = now();
    this.proc = spawn(
      'syncthing',
      ['serve', `--home=${node.configDir}`, '--no-browser', '--no-restart', '--no-upgrade', '--no-default-folder', `--logfile=${join(node.dir, 'syncthing.log')}`, '--logflags=3'],
      { cwd: node.dir, env: envFor(node.dir), stdio: 'ignore' },
    );
    if (this.proc.pid) this.known.add(this.proc.pid);
    onCleanup(() => this.killNow());
  }

  static start(node: StNode): StProc {
    return new StProc(node);
  }

  /** The processes of this instance (monitor, inner), live ones only. */
  pids(): number[] {
    const root = this.proc.pid;
    if (root && this.proc.exitCode === null && this.proc.signalCode === null) for (const p of procTree(root)) this.known.add(p);
    return [...this.known].filter((p) => this.isOurs(p));
  }

  private isOurs(pid: number): boolean {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(this.node.configDir);
    } catch {
      return false;
    }
  }

  cpuMs(): number {
    return treeCpuMs(this.pids());
  }

  hwmMb(): number {
    return treeHwmMb(this.pids());
  }

  logTail(lines = 15): string {
    try {
      return readFileSync(join(this.node.dir, 'syncthing.log'), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  async rest<T>(path: string, init: { method?: string; body?: unknown; timeoutMs?: number } = {}): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${this.node.guiPort}${path}`, {
      method: init.method ?? 'GET',
      headers: { 'X-API-Key': this.node.apiKey, ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      signal: AbortSignal.timeout(init.timeoutMs ?? 30_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`syncthing ${this.node.name} ${init.method ?? 'GET'} ${path}: ${res.status} ${text.slice(0, 200)}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  /** Resolves once the REST API answers. */
  async waitUp(timeoutMs = 60_000): Promise<void> {
    const end = now() + timeoutMs;
    for (;;) {
      if (this.proc.exitCode !== null) throw new Error(`syncthing ${this.node.name} exited (code ${this.proc.exitCode}):\n${this.logTail()}`);
      try {
        await this.rest('/rest/system/ping', { timeoutMs: 2000 });
        this.pids();
        return;
      } catch {
        if (now() > end) throw new Error(`syncthing ${this.node.name}: REST API not up within ${timeoutMs / 1000} s:\n${this.logTail()}`);
        await sleep(20);
      }
    }
  }

  /**
   * Long-polls the default event subscription (which buffers from start-up, so since=0 sees the first
   * events) and keeps the StateChanged events, until `stopEvents`.
   */
  private async pollEvents(): Promise<void> {
    while (this.polling) {
      try {
        const evs = await this.rest<{ id: number; type: string; time: string; data: Record<string, unknown> }[]>(`/rest/events?since=${this.lastEventId}&timeout=2`, { timeoutMs: 10_000 });
        for (const e of evs ?? []) {
          this.lastEventId = Math.max(this.lastEventId, e.id);
          if (e.type === 'StateChanged') {
            const d = e.data as { folder: string; from: string; to: string; duration?: number };
            this.changes.push({ folder: d.folder, from: d.from, to: d.to, duration: d.duration, at: parseStTime(e.time) });
          }
        }
      } catch {
        if (this.proc.exitCode !== null) return;
        await sleep(50);
      }
    }
  }

  stopEvents(): void {
    this.polling = false;
  }

  /**
   * The first folder scan after start: resolves with the StateChanged event that ends it (from
   * "scanning"), timed by Syncthing's own clock.
   */
  async waitScanDone(timeoutMs: number): Promise<StateChange> {
    await this.waitUp();
    if (!this.polling) {
      this.polling = true;
      void this.pollEvents();
    }
    const end = now() + timeoutMs;
    for (;;) {
      const done = this.changes.find((c) => c.folder === ST_FOLDER && c.from === 'scanning');
      if (done) return done;
      if (this.proc.exitCode !== null) throw new Error(`syncthing ${this.node.name} exited during its scan:\n${this.logTail()}`);
      if (now() > end) throw new Error(`syncthing ${this.node.name}: no scan finished within ${timeoutMs / 1000} s:\n${this.logTail()}`);
      await sleep(20);
    }
  }

  status(): Promise<DbStatus> {
    return this.rest<DbStatus>(`/rest/db/status?folder=${ST_FOLDER}`);
  }

  /**
   * Polls /rest/db/status every `everyMs` until this instance holds all `files` files and needs
   * nothing (state idle). Returns the epoch ms it was first seen so.
   */
  async waitComplete(files: number, timeoutMs: number, everyMs = 50): Promise<{ at: number; status: DbStatus }> {
    await this.waitUp();
    const end = now() + timeoutMs;
    let last: DbStatus | null = null;
    for (;;) {
      try {
        last = await this.status();
        if (last.state === 'idle' && last.needTotalItems === 0 && last.localFiles === files && last.globalFiles === files) return { at: now(), status: last };
      } catch {
        /* busy: ask again */
      }
      if (this.proc.exitCode !== null) throw new Error(`syncthing ${this.node.name} exited while syncing:\n${this.logTail()}`);
      if (now() > end) throw new Error(`syncthing ${this.node.name}: not complete within ${timeoutMs / 1000} s (${JSON.stringify(last)})`);
      await sleep(everyMs);
    }
  }

  /** PATCH /rest/config/folders/<id>, checked by reading it back; then waits for the folder to be idle. */
  async patchFolder(patch: Record<string, unknown>, timeoutMs = 120_000): Promise<void> {
    await this.rest(`/rest/config/folders/${ST_FOLDER}`, { method: 'PATCH', body: patch });
    const back = await this.rest<Record<string, unknown>>(`/rest/config/folders/${ST_FOLDER}`);
    for (const [k, v] of Object.entries(patch)) if (back[k] !== v) throw new Error(`syncthing ${this.node.name}: ${k} is ${String(back[k])} after setting ${String(v)}`);
    await sleep(500); // the folder restarts (and rescans) after a config change
    const end = now() + timeoutMs;
    while ((await this.status()).state !== 'idle') {
      if (now() > end) throw new Error(`syncthing ${this.node.name}: folder not idle after a config change`);
      await sleep(100);
    }
  }

  /** Graceful shutdown (REST), then by pid if it lingers. */
  async stop(): Promise<void> {
    this.stopEvents();
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.pids();
      await this.rest('/rest/system/shutdown', { method: 'POST', timeoutMs: 5000 }).catch(() => undefined);
      await Promise.race([exited(this.proc), sleepUnref(20_000)]);
    }
    for (let i = 0; i < 100 && this.pids().length; i++) await sleep(100);
    this.killNow();
    if (this.proc.exitCode === null && this.proc.signalCode === null) await Promise.race([exited(this.proc), sleepUnref(5000)]);
  }

  /** SIGKILL to every process of this instance still alive (by pid, checked to be ours). */
  killNow(): void {
    this.polling = false;
    for (const p of this.pids()) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}

// ------------------------------------------------------------------------------------ trees

/** Relative paths of the regular files under `root`, Syncthing's marker folder left out. */
export function listFiles(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const r = rel ? join(rel, e.name) : e.name;
    if (e.isDirectory()) {
      if (!rel && e.name === '.stfolder') continue;
      out.push(...listFiles(root, r));
    } else if (e.isFile()) out.push(r);
  }
  return out;
}

/** Files of `files` (relative) that are missing on `rootB` or differ from `rootA`. */
export function missingOn(rootA: string, rootB: string, files: string[]): number {
  let missing = 0;
  for (const f of files) {
    const b = join(rootB, f);
    if (!existsSync(b) || !readFileSync(b).equals(readFileSync(join(rootA, f)))) missing++;
  }
  return missing;
}
