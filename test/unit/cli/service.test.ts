/**
 * `confsync service`: the exact commands, recorded by fake `launchctl` / `systemctl` executables first
 * on PATH (the real runner spawns them), for both platforms on any machine (the platform is injected);
 * the written plist and unit parsed back; --dry-run; failures carried with the command's own words.
 * Everything lives under a temp dir whose name has a space in it.
 */
import { describe, expect, it, beforeEach } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import plist from 'plist';
import {
  LAUNCHD_LABEL,
  installService,
  serviceStatus,
  servicePorts,
  serviceCommands,
  systemdExecArg,
  uninstallService,
  type ServicePorts,
} from '../../../electron/cli/service.js';

const UID = 501;
const TARGET = `gui/${UID}/${LAUNCHD_LABEL}`;

/** Appends its argv (tab-separated, one call a line) to $FAKE_DIR/calls.log; keeps a little state in $FAKE_DIR. */
const LAUNCHCTL = `#!/bin/sh
{ printf 'launchctl'; for a in "$@"; do printf '\\t%s' "$a"; done; printf '\\n'; } >> "$FAKE_DIR/calls.log"
if [ -f "$FAKE_DIR/fail-$1" ]; then cat "$FAKE_DIR/fail-$1" >&2; exit "$(cat "$FAKE_DIR/fail-$1.code" 2>/dev/null || echo 5)"; fi
case "$1" in
  bootstrap) : > "$FAKE_DIR/loaded" ;;
  bootout)
    [ -f "$FAKE_DIR/loaded" ] || { echo "Boot-out failed: 3: No such process" >&2; exit 3; }
    rm -f "$FAKE_DIR/loaded" ;;
  print)
    [ -f "$FAKE_DIR/loaded" ] || { echo "Could not find service \\"${LAUNCHD_LABEL}\\" in domain for port" >&2; exit 113; }
    printf '%s = {\\n\\tactive count = 1\\n\\tpath = x\\n\\tstate = running\\n\\tprogram = node\\n\\tpid = 4242\\n\\tendpoints = {\\n\\t\\tstate = active\\n\\t}\\n}\\n' "$2" ;;
esac
exit 0
`;

const SYSTEMCTL = `#!/bin/sh
{ printf 'systemctl'; for a in "$@"; do printf '\\t%s' "$a"; done; printf '\\n'; } >> "$FAKE_DIR/calls.log"
[ "$1" = "--user" ] || { echo "fake systemctl: expected --user first" >&2; exit 64; }
shift
if [ -f "$FAKE_DIR/fail-$1" ]; then cat "$FAKE_DIR/fail-$1" >&2; exit "$(cat "$FAKE_DIR/fail-$1.code" 2>/dev/null || echo 1)"; fi
case "$1" in
  enable) : > "$FAKE_DIR/enabled"; [ "$2" = "--now" ] && : > "$FAKE_DIR/active" ;;
  disable) rm -f "$FAKE_DIR/enabled"; [ "$2" = "--now" ] && rm -f "$FAKE_DIR/active" ;;
  restart) : > "$FAKE_DIR/active" ;;
  is-active) if [ -f "$FAKE_DIR/active" ]; then echo active; else echo inactive; exit 3; fi ;;
  is-enabled) if [ -f "$FAKE_DIR/enabled" ]; then echo enabled; else echo disabled; exit 1; fi ;;
esac
exit 0
`;

interface World {
  root: string;
  home: string;
  config: string;
  fake: string;
  out: string[];
  calls(): string[][];
  fail(sub: string, message: string, code?: number): void;
  ports(platform: NodeJS.Platform, env?: Record<string, string>): ServicePorts;
}

function world(): World {
  const root = mkdtempSync(join(tmpdir(), 'cs service '));
  const home = join(root, 'Home Dir');
  const config = join(root, 'Config 100% $HOME');
  const fake = join(root, 'fake state');
  const bin = join(root, 'fake bin');
  for (const d of [home, fake, bin]) mkdirSync(d, { recursive: true });
  for (const [name, body] of [['launchctl', LAUNCHCTL], ['systemctl', SYSTEMCTL]]) {
    writeFileSync(join(bin, name), body);
    chmodSync(join(bin, name), 0o755);
  }
  const out: string[] = [];
  return {
    root,
    home,
    config,
    fake,
    out,
    calls: () => {
      const log = join(fake, 'calls.log');
      return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t')) : [];
    },
    fail: (sub, message, code) => {
      writeFileSync(join(fake, `fail-${sub}`), message + '\n');
      if (code !== undefined) writeFileSync(join(fake, `fail-${sub}.code`), String(code));
    },
    ports: (platform, env = {}) =>
      servicePorts({
        platform,
        env: { PATH: `${bin}:${process.env.PATH}`, FAKE_DIR: fake, HOME: home, CONFSYNC_CONFIG_DIR: config, ...env },
        uid: UID,
        node: '/opt/Node $JS/bin/node',
        script: '/Applications/Conf Sync "x" $5/bin/confsync.mjs',
        out: (t) => void out.push(t),
        sleep: async () => {},
      }),
  };
}

/**
 * systemd's reading of the quoted words we write: "…" with \\ and \" escapes and %%; $$ is a `$` in
 * the arguments (substituted at start) but not in the executable's path, which is taken literally.
 */
function execWords(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m, i) => {
    const w = m[1].replace(/\\(.)/g, '$1').replace(/%%/g, '%');
    return i === 0 ? w : w.replace(/\$\$/g, '$');
  });
}

function unitLines(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  let section = '';
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const h = /^\[(\w+)\]$/.exec(line);
    if (h) {
      section = h[1];
      continue;
    }
    const i = line.indexOf('=');
    const key = `${section}.${line.slice(0, i)}`;
    m.set(key, [...(m.get(key) ?? []), line.slice(i + 1)]);
  }
  return m;
}

let w: World;
beforeEach(() => {
  w = world();
});

describe('macOS (launchd)', () => {
  const plistPath = () => join(w.home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);

  it('install writes the LaunchAgent and bootstraps it into gui/<uid>', async () => {
    await installService(w.ports('darwin'));
    expect(w.calls()).toEqual([
      ['launchctl', 'print', TARGET],
      ['launchctl', 'enable', TARGET],
      ['launchctl', 'bootstrap', `gui/${UID}`, plistPath()],
    ]);
    const p = plist.parse(readFileSync(plistPath(), 'utf8')) as Record<string, unknown>;
    expect(p).toEqual({
      Label: 'app.confsync.daemon',
      ProgramArguments: ['/opt/Node $JS/bin/node', '--max-semi-space-size=4', '--memory-reducer-single-gc', '/Applications/Conf Sync "x" $5/bin/confsync.mjs', 'daemon', '--ok-if-running'],
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      StandardOutPath: join(w.config, 'logs', 'daemon.out.log'),
      StandardErrorPath: join(w.config, 'logs', 'daemon.err.log'),
      EnvironmentVariables: { HOME: w.home, PATH: `${join(w.root, 'fake bin')}:${process.env.PATH}`, CONFSYNC_CONFIG_DIR: w.config },
    });
    expect(statSync(plistPath()).mode & 0o777).toBe(0o644);
    expect(existsSync(join(w.config, 'logs'))).toBe(true);
    expect(w.out.join('')).toContain(`loaded into launchd as ${TARGET}`);
  });

  it('without CONFSYNC_CONFIG_DIR the plist carries no such variable and logs go under the default config dir', async () => {
    await installService(w.ports('darwin', { CONFSYNC_CONFIG_DIR: '' }));
    const p = plist.parse(readFileSync(plistPath(), 'utf8')) as Record<string, Record<string, string>>;
    expect(Object.keys(p.EnvironmentVariables).sort()).toEqual(['HOME', 'PATH']);
    expect(p.StandardOutPath).toBe(join(w.home, 'Library', 'Application Support', 'ConfSync', 'logs', 'daemon.out.log'));
  });

  it('install twice boots the loaded job out, waits until launchd lets it go, and bootstraps the rewritten file', async () => {
    await installService(w.ports('darwin'));
    writeFileSync(plistPath(), 'stale');
    writeFileSync(join(w.fake, 'calls.log'), '');
    await installService(w.ports('darwin'));
    expect(w.calls()).toEqual([
      ['launchctl', 'print', TARGET],
      ['launchctl', 'bootout', TARGET],
      ['launchctl', 'print', TARGET],
      ['launchctl', 'enable', TARGET],
      ['launchctl', 'bootstrap', `gui/${UID}`, plistPath()],
    ]);
    expect((plist.parse(readFileSync(plistPath(), 'utf8')) as { Label: string }).Label).toBe(LAUNCHD_LABEL);
    expect(w.out.join('')).toContain('reinstalled');
  });

  it('status reads launchctl print: installed, loaded, running with its pid', async () => {
    const before = await serviceStatus(w.ports('darwin'));
    expect(before).toMatchObject({ manager: 'launchd', installed: false, enabled: false, running: false, pid: null, file: plistPath() });
    await installService(w.ports('darwin'));
    writeFileSync(join(w.fake, 'calls.log'), '');
    const s = await serviceStatus(w.ports('darwin'));
    expect(w.calls()).toEqual([['launchctl', 'print', TARGET]]);
    expect(s).toMatchObject({ installed: true, enabled: true, running: true, state: 'running', pid: 4242, target: TARGET });
    expect(s.logs.stderr).toBe(join(w.config, 'logs', 'daemon.err.log'));
  });

  it('uninstall boots the job out and removes the plist; again, it has nothing to do', async () => {
    await installService(w.ports('darwin'));
    writeFileSync(join(w.fake, 'calls.log'), '');
    await uninstallService(w.ports('darwin'));
    expect(w.calls()).toEqual([
      ['launchctl', 'print', TARGET],
      ['launchctl', 'bootout', TARGET],
    ]);
    expect(existsSync(plistPath())).toBe(false);
    writeFileSync(join(w.fake, 'calls.log'), '');
    w.out.length = 0;
    await uninstallService(w.ports('darwin'));
    expect(w.calls()).toEqual([['launchctl', 'print', TARGET]]);
    expect(w.out.join('')).toContain('not installed');
  });

  it('a failing launchctl bootstrap fails install with its own words', async () => {
    w.fail('bootstrap', 'Bootstrap failed: 5: Input/output error', 5);
    await expect(installService(w.ports('darwin'))).rejects.toThrow(
      `\`launchctl bootstrap gui/${UID} '${plistPath()}'\` failed (exit 5): Bootstrap failed: 5: Input/output error`,
    );
    expect(w.out.join('')).not.toContain('loaded into launchd');
  });

  it('a failing launchctl bootout fails uninstall and keeps the plist', async () => {
    await installService(w.ports('darwin'));
    w.fail('bootout', 'Boot-out failed: 1: Operation not permitted', 1);
    await expect(uninstallService(w.ports('darwin'))).rejects.toThrow('Boot-out failed: 1: Operation not permitted');
    expect(existsSync(plistPath())).toBe(true);
  });

  it('a launchctl that is not on PATH is an error, not "not loaded"', async () => {
    const p = w.ports('darwin', { PATH: join(w.root, 'nowhere') });
    await expect(serviceStatus(p)).rejects.toThrow('launchctl not found on PATH');
    await expect(installService(p)).rejects.toThrow('launchctl not found on PATH');
  });

  it('--dry-run prints the plist and the commands, and writes and runs nothing', async () => {
    await installService(w.ports('darwin'), { dryRun: true });
    await uninstallService(w.ports('darwin'), { dryRun: true });
    expect(w.calls()).toEqual([]);
    expect(existsSync(plistPath())).toBe(false);
    expect(existsSync(w.config)).toBe(false);
    const text = w.out.join('');
    expect(text).toContain(`would write ${plistPath()}`);
    expect(text).toContain('<key>KeepAlive</key>');
    expect(text).toContain('<string>/opt/Node $JS/bin/node</string>');
    expect(text).toContain(`launchctl bootstrap gui/${UID} '${plistPath()}'`);
    expect(text).toContain(`launchctl bootout ${TARGET}`);
  });
});

describe('Linux (systemd --user)', () => {
  const unitPath = (xdg?: string) => join(xdg ?? join(w.home, '.config'), 'systemd', 'user', 'confsync.service');

  it('install writes the unit, reloads and enables it --now', async () => {
    await installService(w.ports('linux'));
    expect(w.calls()).toEqual([
      ['systemctl', '--user', 'daemon-reload'],
      ['systemctl', '--user', 'enable', '--now', 'confsync.service'],
    ]);
    const u = unitLines(readFileSync(unitPath(), 'utf8'));
    expect(u.get('Unit.Description')).toEqual(['ConfSync daemon']);
    expect(execWords(u.get('Service.ExecStart')![0])).toEqual(['/opt/Node $JS/bin/node', '--max-semi-space-size=4', '--memory-reducer-single-gc', '/Applications/Conf Sync "x" $5/bin/confsync.mjs', 'daemon']);
    expect(u.get('Service.Restart')).toEqual(['on-failure']);
    expect(u.get('Service.RestartSec')).toEqual(['5']);
    const env = u.get('Service.Environment')!.map((e) => execWords(e)[0]);
    // In Environment= a `$` is literal, so only \\, \" and %% are undone.
    expect(u.get('Service.Environment')).toContain(`"CONFSYNC_CONFIG_DIR=${w.config.replace(/%/g, '%%')}"`);
    expect(env.map((e) => e.split('=')[0])).toEqual(['GLIBC_TUNABLES', 'PATH', 'CONFSYNC_CONFIG_DIR']);
    expect(env[0]).toBe('GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072');
    expect(u.get('Service.StandardOutput')).toEqual([`append:${join(w.config, 'logs', 'daemon.out.log').replace(/%/g, '%%')}`]);
    expect(u.get('Service.StandardError')).toEqual([`append:${join(w.config, 'logs', 'daemon.err.log').replace(/%/g, '%%')}`]);
    expect(u.get('Install.WantedBy')).toEqual(['default.target']);
    expect(existsSync(join(w.config, 'logs'))).toBe(true);
  });

  it('honours XDG_CONFIG_HOME for the unit and, without CONFSYNC_CONFIG_DIR, passes it on so the daemon finds the same config dir', async () => {
    const xdg = join(w.root, 'xdg config');
    await installService(w.ports('linux', { XDG_CONFIG_HOME: xdg, CONFSYNC_CONFIG_DIR: '' }));
    const u = unitLines(readFileSync(unitPath(xdg), 'utf8'));
    expect(u.get('Service.Environment')).toContain(`"XDG_CONFIG_HOME=${xdg}"`);
    expect(u.get('Service.StandardOutput')).toEqual([`append:${join(xdg, 'ConfSync', 'logs', 'daemon.out.log')}`]);
  });

  it('install twice rewrites the unit, reloads, and restarts the running daemon', async () => {
    await installService(w.ports('linux'));
    writeFileSync(join(w.fake, 'calls.log'), '');
    await installService(w.ports('linux'));
    expect(w.calls()).toEqual([
      ['systemctl', '--user', 'daemon-reload'],
      ['systemctl', '--user', 'enable', '--now', 'confsync.service'],
      ['systemctl', '--user', 'restart', 'confsync.service'],
    ]);
  });

  it('status asks is-active and is-enabled', async () => {
    expect(await serviceStatus(w.ports('linux'))).toMatchObject({ manager: 'systemd', installed: false, enabled: false, running: false, state: 'inactive' });
    await installService(w.ports('linux'));
    writeFileSync(join(w.fake, 'calls.log'), '');
    const s = await serviceStatus(w.ports('linux'));
    expect(w.calls()).toEqual([
      ['systemctl', '--user', 'is-active', 'confsync.service'],
      ['systemctl', '--user', 'is-enabled', 'confsync.service'],
    ]);
    expect(s).toMatchObject({ installed: true, enabled: true, running: true, state: 'active', file: unitPath() });
  });

  it('status without a user bus is an error in systemctl\'s words, not "not running"', async () => {
    w.fail('is-active', 'Failed to connect to bus: No medium found', 1);
    await expect(serviceStatus(w.ports('linux'))).rejects.toThrow('`systemctl --user is-active confsync.service` failed (exit 1): Failed to connect to bus: No medium found');
  });

  it('uninstall disables --now, removes the unit and reloads; again, it has nothing to do', async () => {
    await installService(w.ports('linux'));
    writeFileSync(join(w.fake, 'calls.log'), '');
    await uninstallService(w.ports('linux'));
    expect(w.calls()).toEqual([
      ['systemctl', '--user', 'disable', '--now', 'confsync.service'],
      ['systemctl', '--user', 'daemon-reload'],
    ]);
    expect(existsSync(unitPath())).toBe(false);
    writeFileSync(join(w.fake, 'calls.log'), '');
    w.out.length = 0;
    await uninstallService(w.ports('linux'));
    expect(w.calls()).toEqual([]);
    expect(w.out.join('')).toContain('not installed');
  });

  it('a failing systemctl enable fails install with its own words; a failing disable keeps the unit', async () => {
    w.fail('enable', 'Failed to enable unit: Unit file confsync.service does not exist.', 1);
    await expect(installService(w.ports('linux'))).rejects.toThrow(
      '`systemctl --user enable --now confsync.service` failed (exit 1): Failed to enable unit: Unit file confsync.service does not exist.',
    );
    w.fail('disable', 'Failed to connect to bus: No medium found', 1);
    await expect(uninstallService(w.ports('linux'))).rejects.toThrow('Failed to connect to bus: No medium found');
    expect(existsSync(unitPath())).toBe(true);
  });

  it('--dry-run prints the unit and the commands, and writes and runs nothing', async () => {
    await installService(w.ports('linux'), { dryRun: true });
    await uninstallService(w.ports('linux'), { dryRun: true });
    expect(w.calls()).toEqual([]);
    expect(existsSync(unitPath())).toBe(false);
    expect(existsSync(w.config)).toBe(false);
    const text = w.out.join('');
    expect(text).toContain(`would write ${unitPath()}`);
    expect(text).toContain('Restart=on-failure');
    expect(text).toContain('systemctl --user enable --now confsync.service');
    expect(text).toContain('systemctl --user disable --now confsync.service');
  });

  it('quotes Exec words: spaces, quotes, backslashes, % and $ survive', () => {
    const odd = '/a b/"c"/d\\e/100%/$HOME/${X}';
    expect(execWords(`${systemdExecArg(odd, true)} ${systemdExecArg(odd)}`)).toEqual([odd, odd]);
    expect(systemdExecArg('$X', true)).toBe('"$X"');
    expect(systemdExecArg('$X')).toBe('"$$X"');
    expect(() => systemdExecArg('a\nb')).toThrow('line break');
  });

  // The real parser, where there is one: systemd-analyze verify loads the unit and checks that
  // ExecStart's first word is an executable, so a node path with spaces, % and $ proves the quoting.
  const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;
  it.skipIf(!analyze)('systemd-analyze verify accepts the unit, with paths full of spaces, % and $', async () => {
    const nodeDir = join(w.root, 'node 100% $HOME dir');
    mkdirSync(nodeDir);
    symlinkSync(process.execPath, join(nodeDir, 'node'));
    const p = { ...w.ports('linux'), node: join(nodeDir, 'node') };
    await installService(p, { dryRun: false });
    const runtime = join(w.root, 'runtime');
    mkdirSync(runtime, { mode: 0o700 });
    const r = spawnSync('systemd-analyze', ['verify', '--user', unitPath()], { env: { ...process.env, XDG_RUNTIME_DIR: runtime, HOME: w.home }, encoding: 'utf8' });
    expect(r.stderr + r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('Windows and the command group', () => {
  it('Windows: a clear error, nothing run or written', async () => {
    const p = w.ports('win32');
    await expect(installService(p)).rejects.toThrow("confsync service is not supported on Windows yet; use the app's Start at login");
    await expect(serviceStatus(p)).rejects.toThrow('not supported on Windows yet');
    await expect(installService(p, { dryRun: true })).rejects.toThrow('not supported on Windows yet');
    expect(w.calls()).toEqual([]);
  });

  it('`service install|status --json|uninstall --dry-run` through commander', async () => {
    const printed: string[] = [];
    const p = w.ports('darwin');
    const program = new Command().exitOverride();
    serviceCommands(program, { print: (json, data, human) => void printed.push(json ? JSON.stringify(data) : human()), ports: p });
    await program.parseAsync(['service', 'install'], { from: 'user' });
    await program.parseAsync(['service', 'status', '--json'], { from: 'user' });
    const s = JSON.parse(printed[0]);
    expect(s).toMatchObject({ platform: 'darwin', manager: 'launchd', installed: true, enabled: true, running: true, pid: 4242 });
    await program.parseAsync(['service', 'status'], { from: 'user' });
    expect(printed[1]).toContain('installed, loaded, running (pid 4242)');
    expect(printed[1]).toContain(join(w.config, 'logs', 'daemon.out.log'));
    await program.parseAsync(['service', 'uninstall', '--dry-run'], { from: 'user' });
    expect(existsSync(s.file)).toBe(true);
  });
});
