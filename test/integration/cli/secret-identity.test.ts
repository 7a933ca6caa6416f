/**
 * `confsync secret status | identity [--create] | import FILE|-` through the built CLI on temp homes and
 * config dirs. The keychain is the real @napi-rs/keyring adapter on Linux with no session bus (so it
 * cannot be reached, whatever the machine: the file fallback is what is tested, and no real keychain
 * is touched); elsewhere the keychain is turned off (CONFSYNC_KEYCHAIN=off).
 *
 * Machine "first" makes the identity: stdout is the key line only, stderr warns it is a private key,
 * the file is 0600 in a 0700 folder; a second --create is refused and changes nothing. Machine
 * "second" is refused garbage (from stdin) with words and stores nothing, then imports the first's
 * identity from a file. With a daemon running the commands ask it (the answer shows the daemon's own
 * keychain setting), and neither its output nor its log ever holds the identity.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { CLI, daemonEnv, startDaemon, type DaemonHandle } from '../../helpers/daemon.js';
import { tmp } from '../../helpers/machine.js';
import { daemonCall } from '../../reliability/helpers.js';

const running: DaemonHandle[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop().catch(() => undefined);
});

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli/confsync.mjs is missing: run `node scripts/build.mjs cli` first (npm test builds)');
});

const LINUX = process.platform === 'linux';

/** No real keychain: Linux without a session bus (the Secret Service is unreachable), else turned off. */
function keychainEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  if (LINUX) {
    delete out.DBUS_SESSION_BUS_ADDRESS;
    delete out.DISPLAY;
    delete out.WAYLAND_DISPLAY;
    delete out.CONFSYNC_KEYCHAIN;
  } else {
    out.CONFSYNC_KEYCHAIN = 'off';
  }
  return out;
}

type M = { root: string; home: string; configDir: string };

function machine(host: string): M {
  const root = tmp(`cs-secret-${host}-`);
  const m = { root, home: join(root, 'home'), configDir: join(root, 'config') };
  mkdirSync(m.home, { recursive: true });
  mkdirSync(m.configDir, { recursive: true });
  writeFileSync(join(m.configDir, 'config.json'), JSON.stringify({ hostName: host, enabledProfiles: [], km: { enabled: false } }));
  return m;
}

function cli(m: M, args: string[], input?: string) {
  return spawnSync(process.execPath, [CLI, ...args], { env: keychainEnv(daemonEnv(m.home, m.configDir)), cwd: m.home, encoding: 'utf8', input, timeout: 60_000 });
}

const identityFile = (m: M) => join(m.configDir, 'identity', 'secrets-identity.txt');
const mode = (p: string) => statSync(p).mode & 0o777;

describe('confsync secret (the identity)', () => {
  it('first machine: status says none; identity --create prints only the key on stdout, warns on stderr, keeps it in a 0600 file; a second --create is refused', async () => {
    const m = machine('first');
    const none = cli(m, ['secret', 'status']);
    expect(none.status, none.stderr).toBe(0);
    expect(none.stdout).toMatch(/^This machine has no secrets identity/);
    expect(none.stdout).toContain('confsync secret identity --create');
    expect(none.stdout).toContain('confsync secret import FILE');
    expect(JSON.parse(cli(m, ['secret', 'status', '--json']).stdout)).toMatchObject({ exists: false, where: null, recipient: null });

    const show = cli(m, ['secret', 'identity']);
    expect(show.status).toBe(1);
    expect(show.stdout).toBe('');
    expect(show.stderr).toMatch(/^confsync: error: this machine has no secrets identity to show: create one on your first machine \(`confsync secret identity --create`\)/);

    const made = cli(m, ['secret', 'identity', '--create']);
    expect(made.status, made.stderr).toBe(0);
    const lines = made.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const identity = lines[0];
    expect(identity).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
    const recipient = await identityToRecipient(identity);
    expect(made.stderr).toContain(`created your secrets identity (public key ${recipient.slice(0, 10)}…`);
    expect(made.stderr).toContain('kept in a file in the config folder, not the keychain');
    expect(made.stderr).toContain('this is your secrets identity, a private key: anyone who has it can read your encrypted files');
    expect(made.stderr).not.toContain(identity);

    expect(mode(identityFile(m))).toBe(0o600);
    expect(mode(join(m.configDir, 'identity'))).toBe(0o700);
    expect(readFileSync(identityFile(m), 'utf8')).toContain(`# public key: ${recipient}\n${identity}\n`);

    const st = JSON.parse(cli(m, ['secret', 'status', '--json']).stdout);
    expect(st).toMatchObject({ exists: true, where: 'file', recipient, file: identityFile(m) });
    expect(st.keychainProblem).toEqual(expect.any(String));
    const words = cli(m, ['secret', 'status']).stdout;
    expect(words).toContain('This machine has your secrets identity, kept in a file in the config folder, not the keychain.');
    expect(words).toContain(`public key  ${recipient}`);
    expect(words).not.toContain(identity);

    const again = cli(m, ['secret', 'identity', '--create']);
    expect(again.status).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/already has a secrets identity .*so no new one was made/);
    const shown = cli(m, ['secret', 'identity']);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toBe(`${identity}\n`);
    expect(shown.stderr).toContain('a private key');
    expect(JSON.parse(cli(m, ['secret', 'identity', '--json']).stdout)).toEqual({ identity, recipient, where: 'file', created: false });
  });

  it('second machine: garbage and a public key are refused with words and nothing is stored; the first machine\'s file imports; a different one needs --replace', async () => {
    const first = machine('first');
    const identity = cli(first, ['secret', 'identity', '--create']).stdout.trim();
    const recipient = await identityToRecipient(identity);
    const m = machine('second');

    const bad = cli(m, ['secret', 'import', '-'], 'this is not a key\n');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^confsync: error: not an age identity: expected one line that starts with AGE-SECRET-KEY-1; copy it from a machine that has it/);
    const pub = cli(m, ['secret', 'import', '-'], `${recipient}\n`);
    expect(pub.status).toBe(1);
    expect(pub.stderr).toContain('that is a public key (age1');
    const garbled = identity.slice(0, 40) + (identity[40] === 'Q' ? 'P' : 'Q') + identity.slice(41);
    const g = cli(m, ['secret', 'import', '-'], garbled);
    expect(g.status).toBe(1);
    expect(g.stderr).toMatch(/the identity is damaged: it does not decode/);
    expect(g.stderr).not.toContain(garbled.slice(16));
    expect(existsSync(join(m.configDir, 'identity'))).toBe(false);
    expect(JSON.parse(cli(m, ['secret', 'status', '--json']).stdout).exists).toBe(false);

    const missing = cli(m, ['secret', 'import', join(m.root, 'nope.txt')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`cannot read ${join(m.root, 'nope.txt')}: no such file (give the file that holds the identity, or - to read it from standard input)`);
    expect(cli(m, ['secret', 'import']).status).toBe(2);

    // What the first machine has, as a file with comments (the way `age-keygen` writes one).
    const file = join(m.root, 'identity.txt');
    writeFileSync(file, readFileSync(identityFile(first), 'utf8'));
    const ok = cli(m, ['secret', 'import', file]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^Imported your secrets identity \(public key age1.*\), kept in a file in the config folder, not the keychain\. This machine can now open your encrypted files\.\n$/);
    expect(ok.stdout).not.toContain(identity);
    expect(cli(m, ['secret', 'identity']).stdout).toBe(`${identity}\n`);
    expect(mode(identityFile(m))).toBe(0o600);

    const same = cli(m, ['secret', 'import', '-'], identity);
    expect(same.status).toBe(0);
    expect(same.stdout).toMatch(/already has this identity .*nothing changed/);

    const other = await generateX25519Identity();
    const refused = cli(m, ['secret', 'import', '-', '--json'], other);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/already has a different secrets identity .*nothing was changed.*--replace/);
    expect(cli(m, ['secret', 'identity']).stdout).toBe(`${identity}\n`);
    const replaced = cli(m, ['secret', 'import', '-', '--replace', '--json'], other);
    expect(replaced.status, replaced.stderr).toBe(0);
    expect(JSON.parse(replaced.stdout)).toMatchObject({ changed: true, exists: true, recipient: await identityToRecipient(other) });
    expect(cli(m, ['secret', 'identity']).stdout).toBe(`${other}\n`);
  });

  it('with a daemon running, the commands ask it over its API; the identity never reaches its output or log', async () => {
    const root = tmp('cs-secret-daemon-');
    // The daemon runs with the keychain turned off: its answers say so, which is how they are told apart
    // from this process's own (the Linux adapter's "cannot reach" words).
    const d = await startDaemon({ root, settings: { hostName: 'daemon-host', enabledProfiles: [], km: { enabled: false } }, env: { CONFSYNC_KEYCHAIN: 'off' } });
    running.push(d);
    const m: M = { root, home: d.home, configDir: d.configDir };
    const made = cli(m, ['secret', 'identity', '--create']);
    expect(made.status, made.stderr).toBe(0);
    const identity = made.stdout.trim();
    const st = JSON.parse(cli(m, ['secret', 'status', '--json']).stdout);
    expect(st).toMatchObject({ exists: true, where: 'file', keychainProblem: 'turned off for this host' });
    // The daemon's own API gives the same identity (authenticated with its token).
    expect(await daemonCall<{ identity: string }>(d.configDir, 'secrets:identity-show')).toMatchObject({ identity });
    await expect(daemonCall(d.configDir, 'secrets:identity-set', { identity: 'AGE-SECRET-KEY-1' + 'Q'.repeat(58) })).rejects.toThrow(/the identity is damaged/);
    await expect(daemonCall(d.configDir, 'secrets:identity-set', { identity: identity, extra: 1 })).rejects.toThrow(/invalid payload/);

    await d.stop();
    running.splice(0);
    if (LINUX) {
      const local = JSON.parse(cli(m, ['secret', 'status', '--json']).stdout);
      expect(local.exists).toBe(true);
      expect(local.keychainProblem).not.toBe('turned off for this host');
    }
    const log = existsSync(join(d.configDir, 'logs', 'confsync.log')) ? readFileSync(join(d.configDir, 'logs', 'confsync.log'), 'utf8') : '';
    expect(d.out()).not.toContain(identity);
    expect(log).not.toContain(identity);
    expect(log).not.toContain(identity.slice(16, 40));
  });
});
