/**
 * The headless host through the built CLI (`confsync daemon --ui`, real processes): its address keeps
 * working across restarts (the same port when it is free, the same token, kept in a 0600 file in the
 * config dir) until `--new-token`; a taken port falls back to a free one and says so. A daemon that
 * finds ConfSync already running exits 3, or 0 with --ok-if-running (what the launchd plist runs), so
 * a service manager does not restart it forever; the generated unit and plist say so.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import plist from 'plist';
import { CLI, daemonEnv } from '../../helpers/daemon.js';
import { tmp, waitFor } from '../../helpers/machine.js';
import { installService, servicePorts } from '../../../electron/cli/service.js';
import { EXIT_ALREADY_RUNNING } from '../../../electron/cli/client.js';

interface Run {
  proc: ChildProcess;
  out: () => string;
  url: string;
  port: number;
  token: string;
  stop(): Promise<number | null>;
}

const running: Run[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli/confsync.mjs is missing: run `node scripts/build.mjs cli` first (npm test builds)');
});

function machine(host: string) {
  const root = tmp(`cs-${host}-`);
  const m = { home: join(root, 'home'), configDir: join(root, 'config') };
  mkdirSync(m.home, { recursive: true });
  mkdirSync(m.configDir, { recursive: true });
  writeFileSync(join(m.configDir, 'config.json'), JSON.stringify({ hostName: host, enabledProfiles: [], km: { enabled: false } }));
  return m;
}

/** `confsync daemon --ui ARGS` with no --port unless given: the host picks the port as people get it. */
async function daemon(m: { home: string; configDir: string }, ...args: string[]): Promise<Run> {
  const proc = spawn(process.execPath, [CLI, 'daemon', '--ui', ...args], { env: daemonEnv(m.home, m.configDir), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const url = await waitFor((): string | undefined => {
    if (proc.exitCode !== null) throw new Error(`daemon exited ${proc.exitCode}: ${out}`);
    return /ConfSync UI: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out)?.[1];
  }, 'daemon URL', 30_000);
  const u = new URL(url);
  const run: Run = {
    proc,
    out: () => out,
    url,
    port: Number(u.port),
    token: u.searchParams.get('token')!,
    stop: () =>
      new Promise((resolve) => {
        const i = running.indexOf(run);
        if (i >= 0) running.splice(i, 1);
        if (proc.exitCode !== null) return resolve(proc.exitCode);
        proc.once('exit', (code) => resolve(code));
        proc.kill('SIGTERM');
      }),
  };
  running.push(run);
  return run;
}

const status = async (port: number, path: string, cookie?: string) => (await fetch(`http://127.0.0.1:${port}${path}`, { headers: cookie ? { cookie } : {} })).status;

describe('the UI address across restarts', () => {
  it('the same port and token after a restart: the bookmarked address and its cookie still open the UI', async () => {
    const m = machine('ui-stable');
    const a = await daemon(m);
    const first = await fetch(`http://127.0.0.1:${a.port}/?token=${a.token}`);
    expect(first.status).toBe(200);
    const cookie = first.headers.get('set-cookie')!.split(';')[0];
    expect(first.headers.get('set-cookie')).toMatch(/Max-Age=\d+/);
    const tokenFile = join(m.configDir, 'ui-token');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(tokenFile, 'utf8').trim()).toBe(a.token);
    expect(await a.stop()).toBe(0);

    const b = await daemon(m);
    expect(b.port).toBe(a.port);
    expect(b.token).toBe(a.token);
    expect(await status(b.port, `/?token=${a.token}`)).toBe(200);
    expect(await status(b.port, '/', cookie)).toBe(200);
    await b.stop();

    // --new-token: a new token, kept from then on; the old address and cookie are refused.
    const c = await daemon(m, '--new-token');
    expect(c.token).not.toBe(a.token);
    expect(c.port).toBe(a.port);
    expect(c.out()).toContain('a new access token was made');
    expect(await status(c.port, `/?token=${a.token}`)).toBe(401);
    expect(await status(c.port, '/', cookie)).toBe(401);
    expect(await status(c.port, `/?token=${c.token}`)).toBe(200);
    await c.stop();
    const d = await daemon(m);
    expect(d.token).toBe(c.token);
  });

  it('when the remembered port is taken, another one is used and the daemon says so', async () => {
    const m = machine('ui-taken');
    const a = await daemon(m);
    const port = a.port;
    await a.stop();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    try {
      const b = await daemon(m);
      expect(b.port).not.toBe(port);
      expect(b.out()).toContain(`port ${port} (used last time) is taken by another program; serving on port ${b.port} this time`);
      expect(await status(b.port, `/?token=${a.token}`)).toBe(200);
      await b.stop();
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    // Free again, and remembered as the one used last: the newer port.
    expect(Number(readFileSync(join(m.configDir, 'ui-port'), 'utf8'))).not.toBe(port);
  });

  it('an explicit --port that is taken is an error naming the port', async () => {
    const m = machine('ui-explicit');
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = spawnSync(process.execPath, [CLI, 'daemon', '--port', String(port)], { env: daemonEnv(m.home, m.configDir), encoding: 'utf8', timeout: 60_000 });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is in use by another program`);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});

describe('a daemon when ConfSync already runs', () => {
  it('exits 3 (not 1), or 0 with --ok-if-running; the running one is untouched', async () => {
    const m = machine('refuse-a');
    const first = await daemon(m, '--port', '0');
    const second = spawnSync(process.execPath, [CLI, 'daemon'], { env: daemonEnv(m.home, m.configDir), encoding: 'utf8', timeout: 60_000 });
    expect(second.status).toBe(EXIT_ALREADY_RUNNING);
    expect(EXIT_ALREADY_RUNNING).toBe(3);
    expect(second.stderr).toMatch(/confsync: error: ConfSync is already running for this config dir \(process \d+, a confsync daemon\)/);
    const launchd = spawnSync(process.execPath, [CLI, 'daemon', '--ok-if-running'], { env: daemonEnv(m.home, m.configDir), encoding: 'utf8', timeout: 60_000 });
    expect(launchd.status).toBe(0);
    expect(launchd.stderr).toMatch(/^confsync: ConfSync is already running for this config dir/);
    expect(await status(first.port, `/health?token=${first.token}`)).toBe(200);
  });

  it('the generated systemd unit does not restart on that exit code; the launchd plist runs the daemon with --ok-if-running', async () => {
    const root = tmp('cs-service-files-');
    const env = { HOME: join(root, 'home'), CONFSYNC_CONFIG_DIR: join(root, 'config'), PATH: '/usr/bin:/bin' };
    const out: string[] = [];
    const ports = (platform: NodeJS.Platform) => servicePorts({ platform, env, uid: 501, node: '/usr/bin/node', script: '/opt/confsync/bin/confsync.mjs', out: (t) => void out.push(t), run: async () => ({ code: 0, stdout: '', stderr: '' }), sleep: async () => {} });
    const unit = await installService(ports('linux'), { dryRun: true });
    const lines = unit.content.split('\n');
    expect(lines).toContain('Restart=on-failure');
    expect(lines).toContain(`RestartPreventExitStatus=${EXIT_ALREADY_RUNNING}`);
    expect(lines.find((l) => l.startsWith('ExecStart='))).toBe('ExecStart="/usr/bin/node" "--max-semi-space-size=4" "--memory-reducer-single-gc" "/opt/confsync/bin/confsync.mjs" "daemon"');
    const agent = await installService(ports('darwin'), { dryRun: true });
    const p = plist.parse(agent.content) as { ProgramArguments: string[]; KeepAlive: { SuccessfulExit: boolean } };
    expect(p.ProgramArguments).toEqual(['/usr/bin/node', '--max-semi-space-size=4', '--memory-reducer-single-gc', '/opt/confsync/bin/confsync.mjs', 'daemon', '--ok-if-running']);
    expect(p.KeepAlive).toEqual({ SuccessfulExit: false });
  });
});
