/**
 * `confsync service install|uninstall|status`: start the headless host (`confsync daemon`) at login.
 *
 *   macOS  a LaunchAgent, ~/Library/LaunchAgents/app.confsync.daemon.plist, loaded into the login
 *          session with `launchctl bootstrap gui/<uid> <plist>` (after `launchctl enable`, which clears a
 *          "disabled" override left by an earlier `launchctl disable`: the modern `load -w`), removed
 *          with `launchctl bootout gui/<uid>/app.confsync.daemon`, inspected with `launchctl print`.
 *          bootstrap/bootout exist since macOS 10.10 and Node 20 needs 10.15, so there is no fallback
 *          to the legacy `load`/`unload`.
 *   Linux  a systemd user unit, $XDG_CONFIG_HOME/systemd/user/confsync.service (~/.config/…), then
 *          `systemctl --user daemon-reload` and `enable --now`; stdout/stderr are appended to files with
 *          `StandardOutput=append:` (systemd ≥ 240; an older systemd ignores the line with a warning
 *          and the output goes to the journal instead).
 *   Windows not yet: the app's own "Start at login" is the way there.
 *
 * Restart policy: only after a failure, on both systems. launchd gets `KeepAlive = {SuccessfulExit:
 * false}` (relaunch when the daemon exits non-zero or dies), systemd `Restart=on-failure`. A bare
 * `KeepAlive = true` would also relaunch a daemon that stopped cleanly (SIGTERM → flush → exit 0), so
 * `kill <pid>` could never stop it; with the dictionary both systems behave alike. SuccessfulExit
 * implies RunAtLoad; it is written anyway. launchd's default ExitTimeOut (20 s) and systemd's
 * TimeoutStopSec (90 s) both leave room for the daemon's bounded 15 s flush on SIGTERM.
 *
 * A daemon that finds ConfSync already running for its config dir (the app, or a daemon started by
 * hand) is not a failure to retry: it exits EXIT_ALREADY_RUNNING (3), which the unit lists in
 * `RestartPreventExitStatus=`. launchd's KeepAlive cannot name exit codes (its conditions are
 * SuccessfulExit, Crashed, NetworkState, PathState, OtherJobEnabled: zero or not, never which), so
 * the plist runs `daemon --ok-if-running`, which makes that one refusal exit 0 and leaves it at that.
 * Either way the daemon starts again at the next login (or `confsync service install`).
 *
 * Logs: the daemon writes its own log to <config dir>/logs/confsync.log and rotates it by renaming, so
 * the service manager gets two files of its own beside it (daemon.out.log, daemon.err.log) rather than
 * a second writer on a file that moves.
 *
 * Everything the commands touch comes through `ServicePorts` (platform, environment, uid, the node
 * binary and script, the command runner, output), so tests drive either platform on any machine with
 * recording fake `launchctl`/`systemctl` executables first on PATH.
 */
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plistBuild } from '../engine/util/plist-build.js';
import { configFiles, resolveConfigDir, resolveHome } from '../engine/config/paths.js';
import { EXIT_ALREADY_RUNNING, readDaemonInfo } from './client.js';
import { NODE_FLAGS, runtimeEnv } from './runtime.js';

export const LAUNCHD_LABEL = 'app.confsync.daemon';
export const SYSTEMD_UNIT = 'confsync.service';
/** How long install waits for launchd to forget a booted-out job (its daemon flushes for up to 15 s). */
const BOOTOUT_WAIT_MS = 30_000;
const BOOTOUT_POLL_MS = 250;
const COMMAND_TIMEOUT_MS = 60_000;

export interface RunResult {
  /** Exit code; null when the command could not be started, timed out or died by a signal. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why there is no exit code (spawn error, timeout, signal). */
  error?: string;
}

export type Runner = (cmd: string, args: string[]) => Promise<RunResult>;

export interface ServicePorts {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** The user id for launchd's gui/<uid> domain. */
  uid: number | null;
  /** The node binary the service runs (process.execPath). */
  node: string;
  /** The absolute path of the `confsync` entry script the service runs with `daemon`. */
  script: string;
  run: Runner;
  out(text: string): void;
  sleep(ms: number): Promise<void>;
}

type Print = (json: boolean, data: unknown, human: () => string) => void;

/** Runs a command without a shell (arguments pass as they are), looking it up on `env.PATH`. */
export function runCommand(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = COMMAND_TIMEOUT_MS): Promise<RunResult> {
  return new Promise((done) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (r: RunResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done(r);
    };
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ code: null, stdout, stderr, error: `timed out after ${Math.round(timeoutMs / 1000)} s` });
    }, timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => finish({ code: null, stdout, stderr, error: (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${cmd} not found on PATH` : e.message }));
    child.on('close', (code, signal) => finish({ code, stdout, stderr, ...(code === null ? { error: `killed by ${signal}` } : {}) }));
  });
}

/**
 * The `confsync` script to run: bin/confsync.mjs of this installation, found from this module (two
 * levels up from electron/cli/ in the sources and from dist/cli/ in the build), else the script this
 * process was started with. Symlinks are resolved so an `npm link`ed shim that moves does not matter.
 */
export function confsyncScript(): string {
  const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'confsync.mjs');
  for (const c of [bin, process.argv[1] ? resolve(process.argv[1]) : null]) {
    if (!c) continue;
    try {
      return realpathSync(c);
    } catch {
      /* next */
    }
  }
  throw new Error('cannot tell where the confsync script is (no bin/confsync.mjs beside this build)');
}

export function servicePorts(o: Partial<ServicePorts> = {}): ServicePorts {
  const env = o.env ?? process.env;
  return {
    platform: o.platform ?? process.platform,
    env,
    uid: o.uid !== undefined ? o.uid : typeof process.getuid === 'function' ? process.getuid() : null,
    node: o.node ?? process.execPath,
    script: o.script ?? confsyncScript(),
    run: o.run ?? ((cmd, args) => runCommand(cmd, args, env)),
    out: o.out ?? ((t) => void process.stdout.write(t)),
    sleep: o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
  };
}

// ---------------------------------------------------------------------------------------------------
// The files

export interface DaemonSpec {
  /** [node, ...NODE_FLAGS, script, 'daemon'] */
  args: string[];
  env: Record<string, string>;
  stdout: string;
  stderr: string;
}

export function launchdPlist(spec: DaemonSpec): string {
  return plistBuild({
    Label: LAUNCHD_LABEL,
    ProgramArguments: spec.args,
    RunAtLoad: true,
    KeepAlive: { SuccessfulExit: false },
    StandardOutPath: spec.stdout,
    StandardErrorPath: spec.stderr,
    EnvironmentVariables: spec.env,
  }) + '\n';
}

function noNewline(what: string, v: string): string {
  if (/[\r\n]/.test(v)) throw new Error(`${what} contains a line break, which a systemd unit file cannot hold: ${JSON.stringify(v)}`);
  return v;
}

/**
 * One word of an Exec line: always double-quoted, with `\` and `"` escaped (C escapes apply inside
 * quotes) and `%` doubled (specifiers expand even inside quotes). `$` is doubled in the arguments,
 * where systemd substitutes environment variables when it starts the process, but not in the
 * executable's path, which it takes literally (systemd 252's `systemd-analyze verify` looks for a
 * `$$` written there as it is).
 */
export function systemdExecArg(v: string, executable = false): string {
  noNewline('a command argument', v);
  const q = v.replace(/[\\"]/g, (c) => `\\${c}`).replace(/%/g, '%%');
  return `"${executable ? q : q.replace(/\$/g, () => '$$')}"`;
}

/** `Environment="KEY=value"`: quoted and C-escaped like an Exec word, `%` doubled; `$` has no meaning there. */
export function systemdEnvAssignment(key: string, value: string): string {
  noNewline(`${key}`, value);
  return `Environment="${`${key}=${value}`.replace(/[\\"]/g, (c) => `\\${c}`).replace(/%/g, '%%')}"`;
}

/** The path after `append:` is taken as it is (no quotes, spaces allowed); only `%` is special. */
function systemdPath(v: string): string {
  return noNewline('a log path', v).replace(/%/g, '%%');
}

export function systemdUnit(spec: DaemonSpec): string {
  return [
    '# Written by `confsync service install`; `confsync service uninstall` removes it.',
    '[Unit]',
    'Description=ConfSync daemon',
    '',
    '[Service]',
    `ExecStart=${spec.args.map((a, i) => systemdExecArg(a, i === 0)).join(' ')}`,
    'Restart=on-failure',
    // "Already running" (the app, or a daemon started by hand) is not a failure to retry.
    `RestartPreventExitStatus=${EXIT_ALREADY_RUNNING}`,
    'RestartSec=5',
    ...Object.entries(spec.env).map(([k, v]) => systemdEnvAssignment(k, v)),
    `StandardOutput=append:${systemdPath(spec.stdout)}`,
    `StandardError=append:${systemdPath(spec.stderr)}`,
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------
// Where things go on this machine

export interface ServiceLayout {
  manager: 'launchd' | 'systemd';
  /** launchd: gui/<uid>/app.confsync.daemon; systemd: confsync.service */
  target: string;
  file: string;
  content: string;
  logDir: string;
  logs: { stdout: string; stderr: string };
}

function unsupported(platform: NodeJS.Platform): Error {
  return platform === 'win32'
    ? new Error("confsync service is not supported on Windows yet; use the app's Start at login")
    : new Error(`confsync service is not supported on ${platform} (launchd on macOS and systemd on Linux only)`);
}

const absoluteOr = (v: string | undefined) => (v && isAbsolute(v) ? v : undefined);

export function serviceLayout(p: ServicePorts): ServiceLayout {
  if (p.platform !== 'darwin' && p.platform !== 'linux') throw unsupported(p.platform);
  const home = resolveHome(p.env);
  const files = configFiles(resolveConfigDir(p.env, p.platform));
  const logDir = dirname(files.log);
  const logs = { stdout: join(logDir, 'daemon.out.log'), stderr: join(logDir, 'daemon.err.log') };
  const args = [p.node, ...NODE_FLAGS, p.script, 'daemon'];
  const env: Record<string, string> = { ...runtimeEnv(p.platform) };
  const configDir = p.env.CONFSYNC_CONFIG_DIR?.trim() ? p.env.CONFSYNC_CONFIG_DIR : undefined;
  if (p.platform === 'darwin') {
    // launchd restarts on any non-zero exit: "already running" must exit 0 to stay down.
    args.push('--ok-if-running');
    // launchd starts agents with a bare environment: give the daemon the home and the PATH (git, ssh
    // helpers) of the shell that installed it.
    env.HOME = home;
    env.PATH = p.env.PATH || '/usr/bin:/bin:/usr/sbin:/sbin';
    if (configDir) env.CONFSYNC_CONFIG_DIR = configDir;
    if (p.uid === null) throw new Error('cannot tell the user id for the launchd gui/<uid> domain');
    const file = join(home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
    return { manager: 'launchd', target: `gui/${p.uid}/${LAUNCHD_LABEL}`, file, content: launchdPlist({ args, env, ...logs }), logDir, logs };
  }
  // The user manager sets HOME; PATH as in the installing shell (git found the same way), and the
  // variables the config dir is derived from, so the daemon opens the same config dir.
  if (p.env.PATH) env.PATH = p.env.PATH;
  if (configDir) env.CONFSYNC_CONFIG_DIR = configDir;
  else if (absoluteOr(p.env.XDG_CONFIG_HOME)) env.XDG_CONFIG_HOME = p.env.XDG_CONFIG_HOME!;
  const file = join(absoluteOr(p.env.XDG_CONFIG_HOME) ?? join(home, '.config'), 'systemd', 'user', SYSTEMD_UNIT);
  return { manager: 'systemd', target: SYSTEMD_UNIT, file, content: systemdUnit({ args, env, ...logs }), logDir, logs };
}

// ---------------------------------------------------------------------------------------------------
// Running the service manager

/** A command line as a shell would take it: for messages and --dry-run. */
export function commandLine(cmd: string, args: string[]): string {
  return [cmd, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function failure(cmd: string, args: string[], r: RunResult, after = ''): Error {
  const words = r.error ?? (r.stderr.trim() || r.stdout.trim() || 'no output');
  const how = r.code === null ? '' : ` (exit ${r.code})`;
  return new Error(`\`${commandLine(cmd, args)}\` failed${how}: ${words}${after}`);
}

/** Runs a command that must succeed; a failure becomes an error carrying the command's own words. */
async function must(p: ServicePorts, cmd: string, args: string[], after = ''): Promise<RunResult> {
  const r = await p.run(cmd, args);
  if (r.code !== 0) throw failure(cmd, args, r, after);
  return r;
}

/** `launchctl print <target>`: null when launchd does not know the job; a command that cannot run is an error. */
async function launchdPrint(p: ServicePorts, target: string): Promise<{ state: string | null; pid: number | null } | null> {
  const r = await p.run('launchctl', ['print', target]);
  if (r.code === null) throw failure('launchctl', ['print', target], r);
  if (r.code !== 0) return null;
  const state = /^\s*state = (.+)$/m.exec(r.stdout)?.[1].trim() ?? null;
  const pid = /^\s*pid = (\d+)\s*$/m.exec(r.stdout)?.[1];
  return { state, pid: pid ? Number(pid) : null };
}

interface Step {
  cmd: string;
  args: string[];
  /** Said in --dry-run when the step depends on what the service manager reports. */
  when?: string;
}

function installSteps(l: ServiceLayout, uid: number | null): Step[] {
  if (l.manager === 'launchd') {
    return [
      { cmd: 'launchctl', args: ['print', l.target], when: 'to see whether it is loaded' },
      { cmd: 'launchctl', args: ['bootout', l.target], when: 'only if it is loaded; then waits until launchd has let it go' },
      { cmd: 'launchctl', args: ['enable', l.target] },
      { cmd: 'launchctl', args: ['bootstrap', `gui/${uid}`, l.file] },
    ];
  }
  return [
    { cmd: 'systemctl', args: ['--user', 'daemon-reload'] },
    { cmd: 'systemctl', args: ['--user', 'enable', '--now', SYSTEMD_UNIT] },
    { cmd: 'systemctl', args: ['--user', 'restart', SYSTEMD_UNIT], when: 'only when it replaces an installed unit, so the running daemon picks up the new file' },
  ];
}

function uninstallSteps(l: ServiceLayout): Step[] {
  if (l.manager === 'launchd') {
    return [
      { cmd: 'launchctl', args: ['print', l.target], when: 'to see whether it is loaded' },
      { cmd: 'launchctl', args: ['bootout', l.target], when: 'only if it is loaded' },
    ];
  }
  return [
    { cmd: 'systemctl', args: ['--user', 'disable', '--now', SYSTEMD_UNIT], when: 'only if the unit file exists' },
    { cmd: 'systemctl', args: ['--user', 'daemon-reload'], when: 'after removing the unit file' },
  ];
}

function describeSteps(steps: Step[]): string {
  return steps.map((s) => `  ${commandLine(s.cmd, s.args)}${s.when ? `    # ${s.when}` : ''}`).join('\n');
}

function writeServiceFile(l: ServiceLayout): void {
  mkdirSync(l.logDir, { recursive: true });
  mkdirSync(dirname(l.file), { recursive: true });
  writeFileSync(l.file, l.content, { mode: 0o644 });
  // launchd refuses a plist that is group- or world-writable; a umask cannot loosen this one.
  chmodSync(l.file, 0o644);
}

export async function installService(p: ServicePorts, o: { dryRun?: boolean } = {}): Promise<ServiceLayout> {
  const l = serviceLayout(p);
  if (o.dryRun) {
    p.out(
      `dry run: nothing is written and nothing is run.\n\nwould write ${l.file}:\n${l.content}${l.content.endsWith('\n') ? '' : '\n'}` +
        `\nwould create ${l.logDir} (logs: ${l.logs.stdout}, ${l.logs.stderr})\n\nwould run:\n${describeSteps(installSteps(l, p.uid))}\n`,
    );
    return l;
  }
  const replacing = existsSync(l.file);
  writeServiceFile(l);
  const again = `\n${l.file} is written; fix the problem and run \`confsync service install\` again.`;
  if (l.manager === 'launchd') {
    if (await launchdPrint(p, l.target)) {
      await must(p, 'launchctl', ['bootout', l.target], again);
      // bootout returns while launchd may still hold the label; bootstrap would then fail with
      // "Bootstrap failed: 5: Input/output error". Wait until `print` no longer finds it.
      let gone = false;
      for (let waited = 0; waited <= BOOTOUT_WAIT_MS; waited += BOOTOUT_POLL_MS) {
        if (!(await launchdPrint(p, l.target))) {
          gone = true;
          break;
        }
        await p.sleep(BOOTOUT_POLL_MS);
      }
      if (!gone) throw new Error(`${l.target} is still shutting down after ${BOOTOUT_WAIT_MS / 1000} s; run \`confsync service install\` again in a moment`);
    }
    await must(p, 'launchctl', ['enable', l.target], again);
    await must(p, 'launchctl', ['bootstrap', `gui/${p.uid}`, l.file], again);
  } else {
    await must(p, 'systemctl', ['--user', 'daemon-reload'], again);
    await must(p, 'systemctl', ['--user', 'enable', '--now', SYSTEMD_UNIT], again);
    if (replacing) await must(p, 'systemctl', ['--user', 'restart', SYSTEMD_UNIT], again);
  }
  const lines = [
    `${replacing ? 'reinstalled' : 'installed'} ${l.file}`,
    l.manager === 'launchd'
      ? `loaded into launchd as ${l.target}: the ConfSync daemon runs now, at every login, and again if it fails`
      : `enabled and started ${SYSTEMD_UNIT} (systemd --user): the ConfSync daemon runs now, at every login, and again if it fails` +
        `\n(without a login session it stops at logout; \`loginctl enable-linger\` keeps your user services running)`,
    `logs: ${l.logs.stdout}\n      ${l.logs.stderr}`,
  ];
  const other = readDaemonInfo(configFiles(resolveConfigDir(p.env, p.platform)).daemon);
  if (other?.kind === 'app') {
    lines.push(
      `note: the ConfSync app is running for this config dir (process ${other.pid}); the daemon steps aside while it runs (it exits without being restarted) and starts at your next login. Use one or the other.`,
    );
  }
  p.out(lines.join('\n') + '\n');
  return l;
}

export async function uninstallService(p: ServicePorts, o: { dryRun?: boolean } = {}): Promise<void> {
  const l = serviceLayout(p);
  if (o.dryRun) {
    const steps = describeSteps(uninstallSteps(l)).split('\n');
    const remove = `  (remove ${l.file}, if it exists)`;
    // launchd: unload, then remove; systemd: disable --now, remove, then daemon-reload.
    steps.splice(l.manager === 'launchd' ? steps.length : 1, 0, remove);
    p.out(`dry run: nothing is removed and nothing is run.\n\nwould run:\n${steps.join('\n')}\n`);
    return;
  }
  const present = existsSync(l.file);
  const done: string[] = [];
  if (l.manager === 'launchd') {
    if (await launchdPrint(p, l.target)) {
      await must(p, 'launchctl', ['bootout', l.target]);
      done.push(`unloaded ${l.target} (the daemon is stopped)`);
    }
    if (present) {
      rmSync(l.file, { force: true });
      done.push(`removed ${l.file}`);
    }
  } else if (present) {
    // The unit stays on disk until systemd has stopped and disabled it: a failure leaves a state
    // `status` can still describe and `uninstall` can finish later.
    await must(p, 'systemctl', ['--user', 'disable', '--now', SYSTEMD_UNIT]);
    rmSync(l.file, { force: true });
    await must(p, 'systemctl', ['--user', 'daemon-reload'], `\n${l.file} was removed; run \`systemctl --user daemon-reload\` yourself.`);
    done.push(`stopped and disabled ${SYSTEMD_UNIT}`, `removed ${l.file}`);
  }
  p.out(done.length ? `${done.join('\n')}\nlogs are kept in ${l.logDir}\n` : `not installed (no ${l.file}); nothing to do\n`);
}

export interface ServiceStatus {
  platform: NodeJS.Platform;
  manager: 'launchd' | 'systemd';
  target: string;
  file: string;
  /** The plist or unit file exists. */
  installed: boolean;
  /** launchd: the job is loaded in the login session; systemd: `is-enabled` says enabled (starts at login). */
  enabled: boolean;
  running: boolean;
  /** launchd's `state` (running, not running, …) or systemd's `is-active` word; null when unknown. */
  state: string | null;
  /** launchd only. */
  pid: number | null;
  logs: { stdout: string; stderr: string };
}

const ACTIVE_WORDS = new Set(['active', 'reloading', 'inactive', 'failed', 'activating', 'deactivating', 'maintenance', 'refreshing']);

export async function serviceStatus(p: ServicePorts): Promise<ServiceStatus> {
  const l = serviceLayout(p);
  const base = { platform: p.platform, manager: l.manager, target: l.target, file: l.file, installed: existsSync(l.file), logs: l.logs };
  if (l.manager === 'launchd') {
    const job = await launchdPrint(p, l.target);
    return { ...base, enabled: !!job, running: job?.state === 'running', state: job?.state ?? null, pid: job?.pid ?? null };
  }
  // is-active answers a word even for a unit it does not know ("inactive", exit 3); no word means
  // systemctl could not ask (no user bus): that is an error, not "not running".
  const activeArgs = ['--user', 'is-active', SYSTEMD_UNIT];
  const active = await p.run('systemctl', activeArgs);
  const word = active.stdout.trim().split('\n')[0]?.trim() ?? '';
  if (!ACTIVE_WORDS.has(word)) throw failure('systemctl', activeArgs, active);
  const enabledArgs = ['--user', 'is-enabled', SYSTEMD_UNIT];
  const enabled = await p.run('systemctl', enabledArgs);
  if (enabled.code === null) throw failure('systemctl', enabledArgs, enabled);
  return { ...base, enabled: enabled.stdout.trim() === 'enabled', running: word === 'active', state: word, pid: null };
}

export function describeServiceStatus(s: ServiceStatus): string {
  const where = s.manager === 'launchd' ? `launchd, ${s.target}` : `systemd --user, ${s.target}`;
  const run = s.running ? `running${s.pid !== null ? ` (pid ${s.pid})` : ''}` : `not running${s.state && s.state !== 'inactive' ? ` (${s.state})` : ''}`;
  const head = s.installed
    ? `installed, ${s.enabled ? (s.manager === 'launchd' ? 'loaded' : 'enabled') : s.manager === 'launchd' ? 'not loaded' : 'not enabled'}, ${run}`
    : `not installed${s.enabled || s.running ? ` (but ${[s.enabled ? (s.manager === 'launchd' ? 'loaded' : 'enabled') : '', s.running ? run : ''].filter(Boolean).join(', ')})` : ''}`;
  return [
    `ConfSync service (${where}): ${head}`,
    `file  ${s.file}${s.installed ? '' : ' (absent; `confsync service install` writes it)'}`,
    `logs  ${s.logs.stdout}`,
    `      ${s.logs.stderr}`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------
// The command group

export interface ServiceDeps {
  print: Print;
  /** Overrides for tests; the real platform, environment and runner otherwise. */
  ports?: Partial<ServicePorts>;
}

export function serviceCommands(program: Command, d: ServiceDeps): void {
  const ports = () => servicePorts(d.ports);
  const service = program.command('service').description('Start the headless daemon at login: a LaunchAgent on macOS, a systemd user unit on Linux');
  service
    .command('install')
    .description('Write the LaunchAgent plist / systemd user unit and load it (runs now, at login, and again after a failure); again to rewrite and reload')
    .option('--dry-run', 'print the file and the commands, change nothing')
    .action(async (o: { dryRun?: boolean }) => {
      await installService(ports(), { dryRun: !!o.dryRun });
    });
  service
    .command('uninstall')
    .description('Stop the service and remove its file (logs are kept)')
    .option('--dry-run', 'print the commands, change nothing')
    .action(async (o: { dryRun?: boolean }) => {
      await uninstallService(ports(), { dryRun: !!o.dryRun });
    });
  service
    .command('status')
    .description('Installed or not, running or not, the file and the log paths')
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }) => {
      const s = await serviceStatus(ports());
      d.print(!!o.json, s, () => describeServiceStatus(s));
    });
}
