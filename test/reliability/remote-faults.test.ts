/**
 * Remote faults against real git servers on 127.0.0.1 (`git daemon`, and `git http-backend` behind a
 * small HTTP server with Basic auth), with a fault proxy in front: the server going away before and
 * during a push, a server that stalls (timeout) or is merely slow, refused credentials, pushes refused
 * by a hook or beaten by a concurrent push, a force-pushed history, and a full local disk. Each must
 * end in a typed result (the kind the UI shows), keep every edit, and succeed once the fault is gone.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { chmodSync, mkdirSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Machine, GitServer, tmp, bareRemote } from '../helpers/machine.js';
import { FaultProxy, HttpGitServer, hasHttpBackend } from './servers.js';
import { git, fsck, repoLeftovers, reachableObjects } from './helpers.js';
import { blobOid } from '../../electron/engine/snapshot/hash.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => undefined);
  delete process.env.CONFSYNC_FAULT_FAIL;
});

function machine(name: string, remote: string, settings: Record<string, unknown> = {}): Machine {
  const m = new Machine(name, { remote, settings });
  cleanups.push(() => m.stop());
  return m;
}

function newBare(): { base: string; bare: string } {
  const base = tmp('cs-rf-');
  const bare = join(base, 'conf.git');
  mkdirSync(bare);
  git(bare, 'init', '-q', '--bare', '-b', 'main');
  return { base, bare };
}

/** git daemon on a bare repo, and a fault proxy in front of it. */
async function daemonWithProxy() {
  const { base, bare } = newBare();
  const server = new GitServer(base);
  await server.start();
  const proxy = new FaultProxy(server.port);
  await proxy.start();
  cleanups.push(() => server.stop(), () => proxy.stop());
  return { bare, server, proxy, url: `git://127.0.0.1:${proxy.port}/conf.git` };
}

const remoteHas = (bare: string, path: string) => {
  try {
    return git(bare, 'show', `main:${path}`);
  } catch {
    return null;
  }
};

describe('remote faults', () => {
  it('server gone between fetch and push: offline, commit kept, pushed when it returns', async () => {
    const { bare, proxy, url } = await daemonWithProxy();
    const a = machine('alpha', url);
    a.write('.zshrc', 'v1\n');
    await a.open();
    expect((await a.sync()).kind).toBe('ok');
    a.write('.zshrc', 'v2\n');
    proxy.set({ kind: 'allow', connections: 1 }); // the fetch gets through, the push does not
    const r = await a.sync();
    expect(r.kind).toBe('offline');
    expect(r.message).toBe('Offline: 1 commit waiting');
    expect(r.committed).toBe(1);
    expect(a.repoFile('zsh/.zshrc')).toBe('v2\n');
    expect(remoteHas(bare, 'zsh/.zshrc')).toBe('v1\n');
    const st = await a.invoke('state:get');
    expect(st.phase).toBe('offline');
    expect(st.repo.ahead).toBe(1);
    expect(st.safeToShutDown).toBe(false);
    proxy.set({ kind: 'pass' });
    expect((await a.sync()).kind).toBe('ok');
    expect(remoteHas(bare, 'zsh/.zshrc')).toBe('v2\n');
    expect((await a.invoke('state:get')).safeToShutDown).toBe(true);
  });

  it('connection cut in the middle of a push: offline, remote intact, the retry pushes everything', async () => {
    const { bare, proxy, url } = await daemonWithProxy();
    const a = machine('alpha', url);
    a.write('.zshrc', 'small\n');
    await a.open();
    expect((await a.sync()).kind).toBe('ok');
    const before = git(bare, 'rev-parse', 'main').trim();
    // ~1.5 MB of incompressible bytes so the pack upload is long; the proxy drops it at 64 KB.
    const big = randomBytes(1_500_000);
    a.write('.zshenv', big);
    proxy.set({ kind: 'cut-upload-after', bytes: 64 * 1024 });
    const r = await a.sync();
    expect(['offline', 'error']).toContain(r.kind);
    expect(r.kind, `cut push classified as ${r.kind}: ${r.detail}`).toBe('offline');
    expect(git(bare, 'rev-parse', 'main').trim()).toBe(before);
    expect(fsck(bare)).toBeNull();
    expect(repoLeftovers(a.repo)).toEqual([]);
    proxy.set({ kind: 'pass' });
    expect((await a.sync()).kind).toBe('ok');
    expect(git(bare, 'cat-file', '-s', 'main:zsh/.zshenv').trim()).toBe(String(big.length));
    expect(git(bare, 'rev-parse', 'main:zsh/.zshenv').trim()).toBe(blobOid(big));
    expect(fsck(bare)).toBeNull();
  });

  it('a server that stalls: timeout after sync.gitTimeoutMs, then success', async () => {
    const { bare, proxy, url } = await daemonWithProxy();
    const a = machine('alpha', url, { sync: { gitTimeoutMs: 1000 } });
    a.write('.zshrc', 'one\n');
    await a.open();
    expect((await a.sync()).kind).toBe('ok');
    a.write('.zshrc', 'two\n');
    proxy.set({ kind: 'stall' });
    const r = await a.sync();
    expect(r.kind).toBe('timeout');
    expect(r.message).toBe('The remote did not answer in time');
    const st = await a.invoke('state:get');
    expect(st.phase).toBe('error');
    expect(st.repo.lastResult?.kind).toBe('timeout');
    expect(a.repoFile('zsh/.zshrc')).toBe('two\n');
    proxy.set({ kind: 'pass' });
    expect((await a.sync()).kind).toBe('ok');
    expect(remoteHas(bare, 'zsh/.zshrc')).toBe('two\n');
  });

  it('a lowered sync.gitTimeoutMs takes effect without a restart', async () => {
    const { proxy, url } = await daemonWithProxy();
    const a = machine('alpha', url, { sync: { gitTimeoutMs: 600_000 } });
    a.write('.zshrc', 'one\n');
    await a.open();
    expect((await a.sync()).kind).toBe('ok');
    await a.invoke('settings:update', { patch: { sync: { gitTimeoutMs: 1000 } } });
    proxy.set({ kind: 'stall' });
    // With the old 10-minute limit this would hang far past the test's own timeout.
    const r = await a.sync();
    expect(r.kind).toBe('timeout');
  }, 60_000);

  it('a slow link that keeps moving is not a timeout, however long one big file takes to fetch', async () => {
    const { bare, proxy, url } = await daemonWithProxy();
    // ~400 KB in one blob at ~40 KB/s: about ten seconds of transfer against a 3 s silence limit.
    const big = randomBytes(400_000);
    const a = machine('alpha', url);
    a.write('.zshenv', big);
    await a.open();
    expect((await a.sync()).kind).toBe('ok');
    expect(git(bare, 'rev-parse', 'main:zsh/.zshenv').trim()).toBe(blobOid(big));
    const b = machine('bravo', url, { sync: { gitTimeoutMs: 3000 } });
    await b.open();
    proxy.set({ kind: 'drip', delayMs: 100, chunk: 4096 });
    const r = await b.sync();
    expect(r.kind, `slow fetch: ${r.message} ${r.detail ?? ''}`).toBe('ok');
    expect(blobOid(readFileSync(b.path('.zshenv')))).toBe(blobOid(big));
  }, 120_000);

  it.runIf(hasHttpBackend())('smart HTTP behind Basic auth: no or wrong credentials → auth-failed; right ones → pushed', async () => {
    const { base, bare } = newBare();
    git(bare, 'config', 'http.receivepack', 'true');
    const creds = { user: 'alice', password: 'correct horse' };
    const http = new HttpGitServer(base, creds);
    await http.start();
    cleanups.push(() => http.stop());
    const a = machine('alpha', http.url('conf.git'));
    a.write('.zshrc', 'over http\n');
    await a.open();
    let r = await a.sync();
    expect(r.kind, `${r.message}: ${r.detail}`).toBe('auth-failed');
    expect(r.message).toMatch(/refused our credentials/);
    expect(a.repoFile('zsh/.zshrc')).toBe('over http\n');
    expect(http.rejectedAuth).toBeGreaterThan(0);
    await a.invoke('settings:update', { patch: { remote: { url: http.url('conf.git', { user: 'alice', password: 'wrong' }) } } });
    r = await a.sync();
    expect(r.kind, `${r.message}: ${r.detail}`).toBe('auth-failed');
    expect((await a.invoke('state:get')).phase).toBe('error');
    await a.invoke('settings:update', { patch: { remote: { url: http.url('conf.git', creds) } } });
    r = await a.sync();
    expect(r.kind, `${r.message}: ${r.detail}`).toBe('ok');
    expect(remoteHas(bare, 'zsh/.zshrc')).toBe('over http\n');
    // A second machine joins over the same authenticated URL.
    const b = machine('bravo', http.url('conf.git', creds));
    await b.open();
    expect(['ok', 'nothing-to-do']).toContain((await b.sync()).kind);
    expect(b.read('.zshrc')).toBe('over http\n');
  });

  it('a push refused by a pre-receive hook: retried, then "rejected" with words; pushed once the hook is gone', async () => {
    const { bare, url } = await daemonWithProxy();
    const a = machine('alpha', url);
    a.write('.zshrc', 'one\n');
    await a.open();
    expect((await a.sync()).kind).toBe('ok');
    const hook = join(bare, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "policy: pushes are closed today" >&2\nexit 1\n');
    chmodSync(hook, 0o755);
    a.write('.zshrc', 'two\n');
    const r = await a.sync();
    expect(r.kind).toBe('rejected');
    expect(r.message).toBe('The remote rejected the push');
    expect(r.detail).toMatch(/pre-receive hook declined|policy: pushes are closed/);
    expect(a.repoFile('zsh/.zshrc')).toBe('two\n');
    expect((await a.invoke('state:get')).repo.ahead).toBe(1);
    rmSync(hook);
    expect((await a.sync()).kind).toBe('ok');
    expect(remoteHas(bare, 'zsh/.zshrc')).toBe('two\n');
  });

  it('a concurrent push lands between our fetch and our push: merged and pushed in the same sync', async () => {
    const { bare, proxy, url } = await daemonWithProxy();
    const a = machine('alpha', url);
    const b = machine('bravo', url);
    a.write('.zshrc', 'base\n');
    await a.open();
    expect((await a.sync()).kind).toBe('ok');
    await b.open();
    await b.sync();
    // Bravo's commit is ready; it reaches the remote (directly, not through the proxy) at the very
    // moment alpha's push connects, after alpha's fetch saw the old head.
    b.write('.zshenv', 'from bravo\n');
    await b.engine.reconcile({ all: true }, 'test');
    let raced = false;
    proxy.set({ kind: 'pass' });
    proxy.beforeConnect = {
      n: 2,
      run: () => {
        git(b.repo, 'push', '-q', bare, 'HEAD:refs/heads/main');
        raced = true;
      },
    };
    a.write('.zshrc', 'alpha edit\n');
    const r = await a.sync();
    expect(r.kind, `${r.message} ${r.detail ?? ''}`).toBe('ok');
    expect(raced, 'the concurrent push happened').toBe(true);
    expect(remoteHas(bare, 'zsh/.zshrc')).toBe('alpha edit\n');
    expect(remoteHas(bare, 'zsh/.zshenv')).toBe('from bravo\n');
    expect(a.read('.zshenv')).toBe('from bravo\n');
    expect(fsck(bare)).toBeNull();
  });

  it('force-pushed history over git daemon: remote-rewritten every time, nothing merged or pushed; adopting keeps every commit', async () => {
    const { bare, url } = await daemonWithProxy();
    const a = machine('alpha', url);
    a.write('.zshrc', 'one\n');
    await a.open();
    await a.sync();
    a.write('.zshrc', 'two\n');
    await a.sync();
    const dropped = git(bare, 'rev-parse', 'main').trim();
    // Someone rewrites the remote: main goes back one commit and gains a different one.
    const scratch = join(tmp(), 'w');
    git(dirname(scratch), 'clone', '-q', bare, scratch);
    git(scratch, 'reset', '-q', '--hard', 'HEAD~1');
    mkdirSync(join(scratch, 'zsh'), { recursive: true });
    writeFileSync(join(scratch, 'zsh', '.zprofile'), 'rewritten history\n');
    git(scratch, 'add', '-A');
    git(scratch, '-c', 'user.name=x', '-c', 'user.email=x@x', 'commit', '-qm', 'rewrite');
    git(scratch, 'push', '-q', '--force', 'origin', 'HEAD:main');
    const rewritten = git(bare, 'rev-parse', 'main').trim();
    a.write('.zshrc', 'three (local)\n');
    for (let i = 0; i < 2; i++) {
      const r = await a.sync();
      expect(r.kind).toBe('remote-rewritten');
      expect(r.message).toMatch(/--adopt-remote/);
      expect(git(bare, 'rev-parse', 'main').trim()).toBe(rewritten);
    }
    expect(a.read('.zprofile')).toBeNull();
    expect(a.repoFile('zsh/.zshrc')).toBe('three (local)\n');
    const adopted = await a.sync({ adoptRemote: true });
    expect(['ok', 'conflict']).toContain(adopted.kind);
    expect(a.read('.zprofile')).toBe('rewritten history\n');
    expect(a.read('.zshrc')).toBe('three (local)\n');
    const reach = reachableObjects(bare, 'main');
    expect(reach.has(dropped), 'the commit the rewrite dropped is back in the remote history').toBe(true);
    expect(reach.has(blobOid(Buffer.from('two\n')))).toBe(true);
    expect((await a.sync()).kind).toBe('nothing-to-do');
  });

  for (const point of ['commit', 'blob-write'] as const) {
    it(`local disk full at ${point}: "disk-full" result and state, edits wait on disk, then committed and pushed`, async () => {
      const bare = bareRemote();
      const a = machine('alpha', bare);
      a.write('.zshrc', 'one\n');
      await a.open();
      expect((await a.sync()).kind).toBe('ok');
      a.write('.zshrc', 'two\n');
      a.write('.zshenv', 'new\n');
      process.env.CONFSYNC_FAULT_FAIL = point;
      const r = await a.sync();
      expect(r.kind, `${r.message} ${r.detail ?? ''}`).toBe('disk-full');
      expect(r.message).toMatch(/Disk full/);
      const st = await a.invoke('state:get');
      expect(st.repo.lastResult?.kind).toBe('disk-full');
      expect(st.phase).toBe('error');
      expect(st.safeToShutDown).toBe(false);
      expect(a.read('.zshrc')).toBe('two\n');
      expect(repoLeftovers(a.repo)).toEqual([]);
      expect(git(a.repo, 'status', '--porcelain').trim()).toBe('');
      delete process.env.CONFSYNC_FAULT_FAIL;
      const ok = await a.sync();
      expect(ok.kind).toBe('ok');
      expect(ok.committed).toBe(2);
      expect(remoteHas(bare, 'zsh/.zshrc')).toBe('two\n');
      expect(remoteHas(bare, 'zsh/.zshenv')).toBe('new\n');
    });
  }

  for (const point of ['fetch', 'merge', 'snapshot-save'] as const) {
    it(`local disk full at ${point}: a typed result, nothing half-done, then success`, async () => {
      const bare = bareRemote();
      const a = machine('alpha', bare);
      const b = machine('bravo', bare);
      a.write('.zshrc', 'one\n');
      await a.open();
      expect((await a.sync()).kind).toBe('ok');
      await b.open();
      await b.sync();
      b.write('.zshrc', 'from bravo\n');
      await b.sync();
      a.write('.zshenv', 'alpha new\n');
      process.env.CONFSYNC_FAULT_FAIL = point;
      const r = await a.sync();
      expect(r.kind, `${r.message} ${r.detail ?? ''}`).toBe('disk-full');
      expect(repoLeftovers(a.repo)).toEqual([]);
      expect(a.read('.zshenv')).toBe('alpha new\n');
      delete process.env.CONFSYNC_FAULT_FAIL;
      const ok = await a.sync();
      expect(['ok', 'nothing-to-do'], `${ok.message} ${ok.detail ?? ''}`).toContain(ok.kind);
      expect(a.read('.zshrc')).toBe('from bravo\n');
      expect(remoteHas(bare, 'zsh/.zshenv')).toBe('alpha new\n');
      expect(fsck(a.repo)).toBeNull();
    });
  }
});
