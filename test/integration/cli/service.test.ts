/**
 * `confsync service` end to end through the built CLI (`node bin/confsync.mjs`), on this machine's own
 * platform, with a recording fake `systemctl` (Linux) or `launchctl` (macOS) first on PATH, a temp
 * HOME and config dir with spaces in their names. The platform-injected cases are in
 * test/unit/cli/service.test.ts; this one proves the wiring, the script path and the exit codes.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import plist from 'plist';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'confsync.mjs');
const BUILT = join(ROOT, 'dist', 'cli', 'confsync.mjs');
const platform = process.platform;
const supported = platform === 'linux' || platform === 'darwin';
const tool = platform === 'darwin' ? 'launchctl' : 'systemctl';

/** Records argv (tab-separated) to $FAKE_DIR/calls.log; fails a subcommand when $FAKE_DIR/fail-<sub> exists. */
const FAKE = `#!/bin/sh
{ printf '${tool}'; for a in "$@"; do printf '\\t%s' "$a"; done; printf '\\n'; } >> "$FAKE_DIR/calls.log"
[ "$1" = "--user" ] && shift
if [ -f "$FAKE_DIR/fail-$1" ]; then cat "$FAKE_DIR/fail-$1" >&2; exit 5; fi
case "$1" in
  bootstrap|enable) : > "$FAKE_DIR/loaded" ;;
  bootout|disable) rm -f "$FAKE_DIR/loaded" ;;
  print) [ -f "$FAKE_DIR/loaded" ] || { echo "Could not find service" >&2; exit 113; }; printf '\\tstate = running\\n\\tpid = 777\\n' ;;
  is-active) if [ -f "$FAKE_DIR/loaded" ]; then echo active; else echo inactive; exit 3; fi ;;
  is-enabled) if [ -f "$FAKE_DIR/loaded" ]; then echo enabled; else echo disabled; exit 1; fi ;;
esac
exit 0
`;

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'cs service e2e '));
  const home = join(root, 'Home Dir');
  const config = join(root, 'Config Dir');
  const fake = join(root, 'fake state');
  const bin = join(root, 'fake bin');
  for (const d of [home, fake, bin]) mkdirSync(d, { recursive: true });
  writeFileSync(join(bin, tool), FAKE);
  chmodSync(join(bin, tool), 0o755);
  const env = { ...process.env, HOME: home, CONFSYNC_CONFIG_DIR: config, XDG_CONFIG_HOME: join(home, '.config'), FAKE_DIR: fake, PATH: `${bin}:${process.env.PATH}` };
  delete (env as Record<string, string | undefined>).CONFSYNC_NO_MAIN;
  const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, 'service', ...args], { env, encoding: 'utf8', timeout: 60_000 });
  const calls = () => (existsSync(join(fake, 'calls.log')) ? readFileSync(join(fake, 'calls.log'), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t')) : []);
  const file = platform === 'darwin' ? join(home, 'Library', 'LaunchAgents', 'app.confsync.daemon.plist') : join(home, '.config', 'systemd', 'user', 'confsync.service');
  return { root, home, config, fake, cli, calls, file };
}

describe.skipIf(!supported)(`confsync service through the built CLI (${platform}, fake ${tool})`, () => {
  beforeAll(() => {
    if (!existsSync(BUILT)) throw new Error('dist/cli/confsync.mjs is missing: run `node scripts/build.mjs cli` first (npm test builds)');
  });

  it('install --dry-run changes nothing; install, status --json, uninstall run the exact commands', () => {
    const t = setup();
    const dry = t.cli('install', '--dry-run');
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`would write ${t.file}`);
    expect(t.calls()).toEqual([]);
    expect(existsSync(t.file)).toBe(false);

    const inst = t.cli('install');
    expect(inst.status, inst.stderr).toBe(0);
    const script = realpathSync(BIN);
    const uid = process.getuid!();
    if (platform === 'darwin') {
      expect(t.calls()).toEqual([
        ['launchctl', 'print', `gui/${uid}/app.confsync.daemon`],
        ['launchctl', 'enable', `gui/${uid}/app.confsync.daemon`],
        ['launchctl', 'bootstrap', `gui/${uid}`, t.file],
      ]);
      const p = plist.parse(readFileSync(t.file, 'utf8')) as { ProgramArguments: string[]; StandardOutPath: string };
      expect(p.ProgramArguments).toEqual([process.execPath, '--max-semi-space-size=4', '--memory-reducer-single-gc', script, 'daemon', '--ok-if-running']);
      expect(p.StandardOutPath).toBe(join(t.config, 'logs', 'daemon.out.log'));
    } else {
      expect(t.calls()).toEqual([
        ['systemctl', '--user', 'daemon-reload'],
        ['systemctl', '--user', 'enable', '--now', 'confsync.service'],
      ]);
      const text = readFileSync(t.file, 'utf8');
      expect(text).toContain(`ExecStart="${process.execPath}" "--max-semi-space-size=4" "--memory-reducer-single-gc" "${script}" "daemon"\n`);
      expect(text).toContain(`Environment="GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072"\n`);
      expect(text).toContain(`Environment="CONFSYNC_CONFIG_DIR=${t.config}"\n`);
      expect(text).toContain(`StandardOutput=append:${join(t.config, 'logs', 'daemon.out.log')}\n`);
    }

    const st = t.cli('status', '--json');
    expect(st.status, st.stderr).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({ installed: true, enabled: true, running: true, file: t.file });

    writeFileSync(join(t.fake, 'calls.log'), '');
    const un = t.cli('uninstall');
    expect(un.status, un.stderr).toBe(0);
    expect(t.calls()[0]).toEqual(platform === 'darwin' ? ['launchctl', 'print', `gui/${uid}/app.confsync.daemon`] : ['systemctl', '--user', 'disable', '--now', 'confsync.service']);
    expect(existsSync(t.file)).toBe(false);
  });

  it(`a failing ${tool} makes install exit 1 with its message`, () => {
    const t = setup();
    const sub = platform === 'darwin' ? 'bootstrap' : 'enable';
    writeFileSync(join(t.fake, `fail-${sub}`), 'the service manager says no\n');
    const r = t.cli('install');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^confsync: error: \`${tool} .*${sub}.*\` failed \\(exit 5\\): the service manager says no`));
    expect(r.stdout).not.toMatch(/installed|loaded into/);
  });
});
