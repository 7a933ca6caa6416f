/**
 * `confsync secret add | list | remove` through the built CLI with the real age sealer and identity
 * store (file fallback, CONFSYNC_KEYCHAIN=off): laptop-a encrypts its .npmrc (the identity is created
 * on first use), desk-b imports laptop-a's identity and gets the plain file; the remote never holds
 * the token. Unknown paths are errors that name the closest.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, daemonEnv } from '../../helpers/daemon.js';
import { bareRemote, tmp } from '../../helpers/machine.js';

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli/confsync.mjs is missing: run `node scripts/build.mjs cli` first (npm test builds)');
});

const TOKEN = 'npm_' + 'k9J8h7G6f5D4s3A2p1O0i9U8y7T6r5E4w3Q2';

function machine(host: string, remote: string) {
  const root = tmp(`cs-sec-${host}-`);
  const m = { home: join(root, 'home'), configDir: join(root, 'config') };
  mkdirSync(m.home, { recursive: true });
  mkdirSync(m.configDir, { recursive: true });
  writeFileSync(join(m.configDir, 'config.json'), JSON.stringify({ hostName: host, enabledProfiles: ['npm'], remote: { url: remote }, km: { enabled: false } }));
  return m;
}

function cli(m: { home: string; configDir: string }, args: string[], input?: string) {
  return spawnSync(process.execPath, [CLI, ...args], { env: { ...daemonEnv(m.home, m.configDir), CONFSYNC_KEYCHAIN: 'off' }, cwd: m.home, encoding: 'utf8', input, timeout: 90_000 });
}

describe('confsync secret add / list / remove', () => {
  it('encrypts a file for the person, another machine opens it with the imported identity, the remote never holds the token', () => {
    const remote = bareRemote();
    const a = machine('laptop-a', remote);
    writeFileSync(join(a.home, '.npmrc'), `//registry.npmjs.org/:_authToken=${TOKEN}\n`);
    expect(cli(a, ['profile', 'add', 'npm', '--path', '~/.npmrc']).status).toBe(0);
    const held = cli(a, ['sync']);
    expect(held.stdout + held.stderr).toContain('confsync secret add');
    const add = cli(a, ['secret', 'add', '~/.npmrc']);
    expect(add.status, add.stderr).toBe(0);
    expect(add.stdout).toContain('.npmrc is now encrypted in the repo (.npmrc.age)');
    expect(add.stdout).toContain('a secrets identity was created for you');
    const log = execFileSync('git', ['-C', remote, 'log', '-p', '--all', '--text']).toString('latin1');
    expect(log).not.toContain(TOKEN);
    expect(cli(a, ['secret', 'list']).stdout).toContain('npm/.npmrc.age');
    const identity = cli(a, ['secret', 'identity']).stdout.trim();
    expect(identity).toMatch(/^AGE-SECRET-KEY-1/);

    const b = machine('desk-b', remote);
    const before = cli(b, ['sync']);
    expect(before.status).toBe(0);
    expect(existsSync(join(b.home, '.npmrc'))).toBe(false);
    expect(cli(b, ['secret', 'list']).stdout).toContain('cannot be opened here');
    expect(cli(b, ['secret', 'import', '-'], identity).status).toBe(0);
    expect(cli(b, ['sync']).status).toBe(0);
    expect(readFileSync(join(b.home, '.npmrc'), 'utf8')).toBe(`//registry.npmjs.org/:_authToken=${TOKEN}\n`);
    expect(statSync(join(b.home, '.npmrc')).mode & 0o777).toBe(0o600);

    const bad = cli(a, ['secret', 'remove', '~/.npmrx']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr, bad.stderr).toMatch(/did you mean ~\/\.npmrc\?/);
    const rm = cli(a, ['secret', 'remove', '~/.npmrc']);
    expect(rm.status, rm.stderr).toBe(0);
    expect(rm.stdout).toContain('no longer encrypted');
    expect(readFileSync(join(a.home, '.npmrc'), 'utf8')).toContain(TOKEN); // the live file stays
    expect(execFileSync('git', ['-C', remote, 'log', '-p', '--all', '--text']).toString('latin1')).not.toContain(TOKEN);
  });
});
