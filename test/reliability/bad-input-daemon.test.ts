/**
 * Bad-input corpus, part 1: the real daemon (built CLI, child process) against broken config files,
 * stale locks, crash leftovers, corrupt caches, broken Keyboard Maestro libraries, rejected settings,
 * a remote that is not ours, and hostile WebSocket frames. Every case: a clear message, no crash,
 * nothing lost, and the daemon keeps running (it answers state:get afterwards).
 * Part 2 (bad-input-repo.test.ts) covers what can arrive through the repo and odd files on disk.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startDaemon, daemonEnv, CLI, type DaemonHandle } from '../helpers/daemon.js';
import { bareRemote, tmp, waitFor } from '../helpers/machine.js';
import type { AppState } from '../../shared/state.js';
import { daemonCall, git } from './helpers.js';

const running: DaemonHandle[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop().catch(() => undefined);
});

async function daemon(opts: Parameters<typeof startDaemon>[0] = {}): Promise<DaemonHandle> {
  const d = await startDaemon({ settings: { hostName: 'bad', enabledProfiles: ['zsh'], km: { enabled: false } }, ...opts });
  running.push(d);
  return d;
}

const state = (d: DaemonHandle) => daemonCall<AppState>(d.configDir, 'state:get');
const cli = (d: { home: string; configDir: string }, ...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env: daemonEnv(d.home, d.configDir), encoding: 'utf8', timeout: 60_000 });

/** A daemon root whose config dir is prepared by hand before the daemon starts. */
function prepared(configJson: string | null, files: Record<string, string> = {}) {
  const root = tmp('cs-bad-');
  const configDir = join(root, 'config');
  mkdirSync(configDir, { recursive: true });
  if (configJson !== null) writeFileSync(join(configDir, 'config.json'), configJson);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(root, 'home', rel, '..'), { recursive: true });
    writeFileSync(join(root, 'home', rel), content);
  }
  return { root, configDir };
}

async function daemonAt(root: string): Promise<DaemonHandle> {
  const d = await startDaemon({ root });
  running.push(d);
  return d;
}

describe('bad input: config, locks, leftovers, caches (real daemon)', () => {
  it('config.json that is not JSON: the daemon runs on defaults, says which file, keeps the bad one aside and never overwrites it', async () => {
    const bad = '{ "hostName": "x", "sync": { "intervalSec": 60, }';
    const { root, configDir } = prepared(bad, { '.zshrc': 'x\n' });
    const d = await daemonAt(root);
    expect(d.out()).toContain(join(configDir, 'config.json'));
    expect(d.out()).toMatch(/not valid JSON/);
    const st = await state(d);
    expect(st.configError).toMatch(/config\.json: .*not valid JSON/);
    const aside = readdirSync(configDir).filter((n) => n.startsWith('config.json.invalid-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(configDir, aside[0]), 'utf8')).toBe(bad);
    // A settings change is refused with words rather than silently resetting the file.
    const set = cli(d, 'config', 'set', 'sync.intervalSec', '120');
    expect(set.status).toBe(1);
    expect(set.stderr).toMatch(/cannot save settings while the file is invalid/);
    expect(readFileSync(join(configDir, 'config.json'), 'utf8')).toBe(bad);
    // Syncing is refused with the same message (defaults would sync the wrong profiles).
    const sync = cli(d, 'sync', '--json');
    expect(sync.status).toBe(1);
    expect(JSON.parse(sync.stdout)).toMatchObject({ kind: 'error' });
    expect((await state(d)).host).toBeTruthy();
  });

  it('config.json that violates the schema: the message names the file and the key; kept aside; daemon runs', async () => {
    const bad = JSON.stringify({ hostName: 'x', sync: { intervalSec: 'often' } });
    const { root, configDir } = prepared(bad);
    const d = await daemonAt(root);
    const st = await state(d);
    expect(st.configError).toContain(join(configDir, 'config.json'));
    expect(st.configError).toMatch(/key "sync\.intervalSec"/);
    expect(st.errors.some((e) => e.source === 'config' && /sync\.intervalSec/.test(e.message))).toBe(true);
    expect(readdirSync(configDir).some((n) => n.startsWith('config.json.invalid-'))).toBe(true);
    const check = cli(d, 'config', 'check');
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/sync\.intervalSec/);
  });

  it('config.json with a key the schema does not know: refused naming the key', async () => {
    const { root } = prepared(JSON.stringify({ hostName: 'x', syncIntervalSeconds: 10 }));
    const d = await daemonAt(root);
    expect((await state(d)).configError).toMatch(/syncIntervalSeconds/);
  });

  it('an empty config.json is the defaults, not an error', async () => {
    const { root } = prepared('');
    const d = await daemonAt(root);
    expect((await state(d)).configError).toBeNull();
  });

  it('a stale lock left by a killed daemon (dead pid) is taken over', async () => {
    const { root, configDir } = prepared(JSON.stringify({ hostName: 'x', enabledProfiles: [] }));
    mkdirSync(join(configDir, 'confsync.lock.lock'), { recursive: true });
    writeFileSync(join(configDir, 'confsync.lock'), '');
    writeFileSync(join(configDir, 'confsync.lock.owner'), JSON.stringify({ pid: 2 ** 22 + 17, host: hostname(), at: 0 }));
    const d = await daemonAt(root);
    expect((await state(d)).phase).not.toBe('error');
  });

  it('a second daemon on the same config dir refuses with a clear message; the first keeps running', async () => {
    const d = await daemon();
    const second = spawnSync(process.execPath, [CLI, 'daemon', '--port', '0'], { env: daemonEnv(d.home, d.configDir), encoding: 'utf8', timeout: 30_000 });
    // 3, not 1: "already running" has its own exit code (launchd/systemd tell it from a failure).
    expect(second.status).toBe(3);
    expect(second.stderr).toMatch(/already running for this config dir \(process \d+/);
    expect((await state(d)).host).toBe('bad');
  });

  it('a stale .git/index.lock is removed at start and the sync completes', async () => {
    const d = await daemon({ files: { '.zshrc': 'one\n' } });
    await waitFor(async () => (await state(d)).repo.head, 'first commit');
    await d.stop();
    running.splice(running.indexOf(d), 1);
    writeFileSync(join(d.configDir, 'repo', '.git', 'index.lock'), '');
    writeFileSync(join(d.home, '.zshrc'), 'two\n');
    const again = await daemonAt(join(d.home, '..'));
    const r = cli(again, 'sync', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(d.configDir, 'repo', '.git', 'index.lock'))).toBe(false);
    expect(git(join(d.configDir, 'repo'), 'show', 'HEAD:zsh/.zshrc')).toBe('two\n');
    expect((await state(again)).activity.some((a) => /stale \.git\/index\.lock/.test(a.text))).toBe(true);
  });

  it('a corrupt snapshot is rebuilt: no spurious conflict, deletion or commit', async () => {
    const d = await daemon({ files: { '.zshrc': 'one\n', '.zshenv': 'env\n' } });
    await waitFor(async () => (await state(d)).repo.head && (await state(d)).safeToShutDown, 'first commit');
    await d.stop();
    running.splice(running.indexOf(d), 1);
    const repo = join(d.configDir, 'repo');
    const commits = git(repo, 'rev-list', '--count', 'HEAD').trim();
    // Cut short, as a crash mid-write of a file system without atomic renames would leave it.
    const snap = join(d.configDir, 'snapshot.bin');
    writeFileSync(snap, readFileSync(snap).subarray(0, 40));
    const again = await daemonAt(join(d.home, '..'));
    const r = cli(again, 'sync', '--json');
    expect(r.status, r.stderr).toBe(0);
    const st = await state(again);
    expect(st.errors.some((e) => e.source === 'snapshot' && /unreadable .*rebuilding/.test(e.message))).toBe(true);
    expect(st.conflicts).toEqual([]);
    expect(git(repo, 'rev-list', '--count', 'HEAD').trim()).toBe(commits);
    expect(readFileSync(join(d.home, '.zshrc'), 'utf8')).toBe('one\n');
  });

  for (const [name, bytes] of [
    ['truncated', () => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'km', 'medium-binary.plist')).subarray(0, 700)],
    ['random bytes', () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))],
    ['XML cut in the middle', () => Buffer.from(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'km', 'small-xml.plist'), 'utf8').slice(0, 3000))],
  ] as const) {
    it(`a ${name} Keyboard Maestro library (km.libraryPath): KM reports an error in state; the daemon keeps syncing files`, async () => {
      const root = tmp('cs-bad-km-');
      const lib = join(root, 'km', 'Keyboard Maestro Macros.plist');
      mkdirSync(join(root, 'km'), { recursive: true });
      writeFileSync(lib, bytes());
      const d = await startDaemon({ root, settings: { hostName: 'km', enabledProfiles: ['zsh'], km: { enabled: true, libraryPath: lib, baseIntervalMs: 200, fastIntervalMs: 200 } }, files: { '.zshrc': 'km\n' } });
      running.push(d);
      const st = await waitFor(async () => {
        const s = await state(d);
        return s.km.status === 'error' || s.errors.some((e) => e.source === 'km') ? s : null;
      }, 'KM error in state', 30_000);
      const words = [st.km.error, ...st.errors.filter((e) => e.source === 'km').map((e) => e.message)].join(' ');
      expect(words).toMatch(/Keyboard Maestro|plist|parse|library/i);
      writeFileSync(join(d.home, '.zshrc'), 'still syncing\n');
      const r = cli(d, 'sync', '--json');
      expect(r.status, r.stderr).toBe(0);
      expect(git(join(d.configDir, 'repo'), 'show', 'HEAD:zsh/.zshrc')).toBe('still syncing\n');
      expect(d.proc.exitCode).toBeNull();
    });
  }
});

describe('bad input: settings, remote, WebSocket frames (one real daemon)', () => {
  let d: DaemonHandle;
  const remote = bareRemote();
  beforeAll(async () => {
    d = await startDaemon({ settings: { hostName: 'shared', enabledProfiles: ['zsh'], km: { enabled: false } }, files: { '.zshrc': 'shared daemon\n' } });
  });
  afterAll(async () => {
    await d?.stop();
  });
  const configText = () => readFileSync(join(d.configDir, 'config.json'), 'utf8');
  const alive = async () => expect((await state(d)).host).toBe('shared');

  it('a schedule of 0 is refused with a message naming sync.intervalSec; config.json unchanged', async () => {
    const before = configText();
    const r = cli(d, 'config', 'set', 'sync.intervalSec', '0');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/sync\.intervalSec/);
    expect(r.stderr).toMatch(/10/); // the minimum, in the words
    expect(configText()).toBe(before);
    await alive();
  });

  it('a commit template over 500 characters is refused naming sync.commitTemplate', async () => {
    const r = cli(d, 'config', 'set', 'sync.commitTemplate', JSON.stringify('x'.repeat(501)));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/sync\.commitTemplate/);
    expect(r.stderr).toMatch(/500/);
    await alive();
  });

  it('a commit template of exactly 500 characters is used for the next commit', async () => {
    const template = `{host} saved {count}: {files} ${'#'.repeat(500)}`.slice(0, 500);
    expect(template).toHaveLength(500);
    const r = cli(d, 'config', 'set', 'sync.commitTemplate', JSON.stringify(template));
    expect(r.status, r.stderr).toBe(0);
    writeFileSync(join(d.home, '.zshrc'), 'with the long template\n');
    const s = cli(d, 'sync', '--json');
    expect(s.status, s.stderr).toBe(0);
    const subject = git(join(d.configDir, 'repo'), 'log', '-1', '--format=%s').trim();
    expect(subject.startsWith('shared saved 1: .zshrc ###')).toBe(true);
    expect(subject.length).toBeGreaterThan(400);
  });

  it('an invalid branch name is refused naming remote.branch', async () => {
    const r = cli(d, 'config', 'set', 'remote.branch', JSON.stringify('../main'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/remote\.branch/);
    await alive();
  });

  it('a remote that is not a ConfSync repo: exit 1, kind not-confsync-repo, the remote untouched', async () => {
    const scratch = join(tmp(), 'w');
    git(join(scratch, '..'), 'clone', '-q', remote, scratch);
    writeFileSync(join(scratch, 'README'), 'someone else\n');
    git(scratch, 'add', '-A');
    git(scratch, '-c', 'user.name=x', '-c', 'user.email=x@x', 'commit', '-qm', 'not ours');
    git(scratch, 'push', '-q', 'origin', 'HEAD:main');
    const before = git(remote, 'rev-parse', 'main').trim();
    expect(cli(d, 'config', 'set', 'remote.url', JSON.stringify(remote)).status).toBe(0);
    const r = cli(d, 'sync', '--json');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'not-confsync-repo' });
    expect(JSON.parse(r.stdout).message).toMatch(/not a ConfSync repo/);
    expect(git(remote, 'rev-parse', 'main').trim()).toBe(before);
    expect(git(join(d.configDir, 'repo'), 'show', 'HEAD:zsh/.zshrc')).toBe('with the long template\n');
  });

  it('a remote URL that is garbage: a typed result with git\'s words, nothing else changes', async () => {
    expect(cli(d, 'config', 'set', 'remote.url', JSON.stringify('::not a url at all::')).status).toBe(0);
    const r = cli(d, 'sync', '--json');
    expect(r.status).toBe(1);
    const res = JSON.parse(r.stdout) as { kind: string; detail?: string };
    expect(['offline', 'error']).toContain(res.kind);
    expect(res.detail).toBeTruthy();
    expect(cli(d, 'config', 'set', 'remote.url', 'null').status).toBe(0);
    await alive();
  });

  function socket(): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const s = new WebSocket(`ws://127.0.0.1:${d.port}/api?token=${d.token}`, { maxPayload: 64 * 1024 * 1024 });
      s.once('open', () => resolve(s));
      s.once('error', reject);
    });
  }
  function reply(s: WebSocket, send: () => void): Promise<{ ok: boolean; error?: { message: string } }> {
    return new Promise((resolve) => {
      const on = (data: WebSocket.RawData) => {
        const m = JSON.parse(data.toString());
        if ('push' in m) return;
        s.off('message', on);
        resolve(m);
      };
      s.on('message', on);
      send();
    });
  }

  it('a WebSocket frame over 1 MB closes that socket (1009); the daemon keeps serving', async () => {
    const s = await socket();
    const closed = new Promise<number>((resolve) => s.once('close', (code) => resolve(code)));
    s.send(JSON.stringify({ id: 1, channel: 'state:get', payload: { pad: 'x'.repeat(1_100_000) } }));
    expect(await closed).toBe(1009);
    await alive();
  });

  it('a binary WebSocket frame is refused with words; the socket stays usable', async () => {
    const s = await socket();
    const r = await reply(s, () => s.send(Buffer.from(JSON.stringify({ id: 1, channel: 'state:get' })), { binary: true }));
    expect(r.ok).toBe(false);
    expect(r.error!.message).toMatch(/binary frames are not accepted/);
    const ok = await reply(s, () => s.send(JSON.stringify({ id: 2, channel: 'state:get' })));
    expect(ok.ok).toBe(true);
    s.close();
  });

  it('deeply nested JSON (200 000 levels) is refused; the daemon keeps serving', async () => {
    const s = await socket();
    const depth = 200_000;
    const r = await reply(s, () => s.send(`{"id":1,"channel":"settings:update","payload":{"patch":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}}`));
    expect(r.ok).toBe(false);
    expect(r.error!.message).toBeTruthy();
    const r2 = await reply(s, () => s.send(`{"id":2,"channel":"state:get","payload":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`));
    expect(r2.ok).toBe(false);
    s.close();
    await alive();
  });

  it('a settings patch aimed at the prototype changes nothing', async () => {
    const before = configText();
    const s = await socket();
    const r = await reply(s, () => s.send('{"id":1,"channel":"settings:update","payload":{"patch":{"__proto__":{"paused":true},"constructor":{"prototype":{"x":1}}}}}'));
    s.close();
    expect(r.ok).toBe(false);
    expect(r.error!.message).toMatch(/constructor|Unrecognized|__proto__/);
    expect(configText()).toBe(before);
    expect((await state(d)).paused).toBe(false);
  });
});
