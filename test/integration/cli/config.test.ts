/**
 * `confsync config` through the built CLI (real processes, temp HOME and config dir): a wrong key is
 * an error naming the key meant and changes nothing; a running daemon applies most settings at once
 * (the schedule moves, Keyboard Maestro reads the new library) and `config set` says which ones wait
 * for a restart; a broken config.json is kept aside once per distinct content, however many
 * commands run against it.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, daemonEnv, startDaemon, type DaemonHandle } from '../../helpers/daemon.js';
import { tmp, waitFor } from '../../helpers/machine.js';
import { generateLibrary, writeLibrary } from '../../helpers/km-library.js';
import type { AppState } from '../../../shared/state.js';
import { daemonCall } from '../../reliability/helpers.js';

const running: DaemonHandle[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop().catch(() => undefined);
});

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli/confsync.mjs is missing: run `node scripts/build.mjs cli` first (npm test builds)');
});

const cli = (m: { home: string; configDir: string }, ...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env: daemonEnv(m.home, m.configDir), cwd: m.home, encoding: 'utf8', timeout: 60_000 });

function machine(settings: Record<string, unknown>) {
  const root = tmp('cs-config-');
  const m = { home: join(root, 'home'), configDir: join(root, 'config') };
  mkdirSync(m.home, { recursive: true });
  mkdirSync(m.configDir, { recursive: true });
  writeFileSync(join(m.configDir, 'config.json'), JSON.stringify(settings));
  return m;
}

describe('confsync config: keys', () => {
  it('a key in the wrong case is refused (exit 2) naming the right one; nothing is written', () => {
    const m = machine({ hostName: 'keys-a', enabledProfiles: [], km: { enabled: false } });
    const file = join(m.configDir, 'config.json');
    const before = readFileSync(file, 'utf8');
    const set = cli(m, 'config', 'set', 'sync.intervalsec', '600');
    expect(set.status, set.stderr).toBe(2);
    expect(set.stderr).toContain('no setting "sync.intervalsec"; did you mean sync.intervalSec?');
    expect(set.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe(before);
    const get = cli(m, 'config', 'get', 'km.librarypath');
    expect(get.status).toBe(2);
    expect(get.stderr).toContain('did you mean km.libraryPath?');
    const nothing = cli(m, 'config', 'get', 'no.such.thing');
    expect(nothing.status).toBe(2);
    expect(nothing.stderr).toMatch(/no setting "no\.such\.thing"; see `confsync config get`/);
    // The right key works, and reads back.
    const ok = cli(m, 'config', 'set', 'sync.intervalSec', '600');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toBe('sync.intervalSec = 600');
    expect(JSON.parse(cli(m, 'config', 'get', 'sync.intervalSec').stdout)).toBe(600);
    expect(JSON.parse(readFileSync(file, 'utf8')).sync.intervalSec).toBe(600);
  });

  it('the running daemon refuses a wrong key sent by any client (the UI too), naming the key meant', async () => {
    const d = await startDaemon({ settings: { hostName: 'keys-b', enabledProfiles: [], km: { enabled: false } } });
    running.push(d);
    await expect(daemonCall(d.configDir, 'settings:update', { patch: { sync: { intervalsec: 600 } } })).rejects.toThrow(/sync\.intervalsec.*did you mean sync\.intervalSec\?/);
    expect((await daemonCall<{ sync: { intervalSec: number } }>(d.configDir, 'settings:get')).sync.intervalSec).toBe(300);
  });
});

describe('confsync config set while a host runs', () => {
  it('the schedule moves at once; watcher settings say they take effect after a restart', async () => {
    const d = await startDaemon({ settings: { hostName: 'live-a', enabledProfiles: [], km: { enabled: false }, sync: { intervalSec: 3600 } } });
    running.push(d);
    const next = async () => (await daemonCall<AppState>(d.configDir, 'state:get')).repo.nextSyncAt;
    await waitFor(async () => ((await next()) ?? 0) > Date.now() + 3_000_000, 'first schedule an hour out');
    const t0 = Date.now();
    const set = cli(d, 'config', 'set', 'sync.intervalSec', '600');
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/^sync\.intervalSec = 600 \(applied by the confsync daemon, process \d+\)$/m);
    const at = await waitFor(async () => {
      const n = await next();
      return n !== null && n < t0 + 700_000 ? n : null;
    }, 'the next sync rescheduled to ten minutes');
    expect(at).toBeGreaterThanOrEqual(t0 + 590_000);

    const later = cli(d, 'config', 'set', 'sync.debounceMs', '500');
    expect(later.status, later.stderr).toBe(0);
    expect(later.stdout).toMatch(/sync\.debounceMs = 500 \(saved; takes effect after a restart of the confsync daemon, process \d+: the file watcher is set up when ConfSync starts\)/);
    expect(JSON.parse(readFileSync(join(d.configDir, 'config.json'), 'utf8')).sync.debounceMs).toBe(500);
    // The host says so too: in its activity (the UI) and its own output.
    await waitFor(async () => (await daemonCall<AppState>(d.configDir, 'state:get')).activity.some((a) => /sync\.debounceMs changed: takes effect after a restart/.test(a.text)), 'restart note in the activity');
    await waitFor(() => /sync\.debounceMs changed: takes effect after a restart/.test(d.out()), 'restart note in the daemon output');
  });

  it('km.libraryPath applies at once: the poller reads the new library without a restart', async () => {
    const d = await startDaemon({ settings: { hostName: 'live-km', enabledProfiles: [], km: { enabled: true, baseIntervalMs: 200, fastIntervalMs: 200, slowIntervalMs: 400 } } });
    running.push(d);
    const km = async () => (await daemonCall<AppState>(d.configDir, 'state:get')).km;
    // No Keyboard Maestro on this machine: the default library is absent.
    await waitFor(async () => (await km()).status === 'absent', 'default library absent');
    const lib = join(d.home, 'KM', 'Keyboard Maestro Macros.plist');
    mkdirSync(join(d.home, 'KM'), { recursive: true });
    writeLibrary(lib, generateLibrary({ groups: 3, macrosPerGroup: 4, seed: 7 }), 'binary');
    const set = cli(d, 'config', 'set', 'km.libraryPath', JSON.stringify(lib));
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toContain('(applied by the confsync daemon');
    const st = await waitFor(async () => {
      const s = await km();
      return s.libraryPath === lib && s.macros === 12 ? s : null;
    }, 'the new library read', 30_000);
    expect(st.groups).toBe(3);
    expect(st.status).toBe('active');
  });
});

describe('a broken config.json', () => {
  it('is kept aside once per distinct content, however many commands run', () => {
    const m = machine({});
    const file = join(m.configDir, 'config.json');
    const copies = () => readdirSync(m.configDir).filter((n) => n.startsWith('config.json.invalid-'));
    writeFileSync(file, JSON.stringify({ hostName: 'broken', sync: { intervalSec: 'often' } }));
    for (const args of [['status'], ['config', 'check'], ['sync'], ['config', 'get'], ['status']]) {
      const r = cli(m, ...args);
      expect(r.stdout + r.stderr, args.join(' ')).toMatch(/sync\.intervalSec/);
    }
    expect(copies()).toHaveLength(1);
    // Another mistake is another copy; the file itself is never rewritten.
    writeFileSync(file, '{ "hostName": "broken", ');
    cli(m, 'status');
    cli(m, 'config', 'check');
    expect(copies()).toHaveLength(2);
    expect(readFileSync(file, 'utf8')).toBe('{ "hostName": "broken", ');
    const texts = copies().map((n) => readFileSync(join(m.configDir, n), 'utf8')).sort();
    expect(texts).toEqual([JSON.stringify({ hostName: 'broken', sync: { intervalSec: 'often' } }), '{ "hostName": "broken", '].sort());
  });
});
