/**
 * `confsync init --remote` on a machine joining an existing ConfSync repo, `confsync diff` and
 * `confsync sync --dry-run / --apply`, through the built CLI on temp homes with real git and a bare
 * remote shared by two machines (laptop-a, desk-b):
 * - joining prints the preview (profiles turned on with their file counts, the others, per-file
 *   words); without a terminal and without --yes nothing is applied, the remote setting is put back
 *   and the exit is 1 with "run again with --yes"; on a terminal the answer decides; --yes joins;
 *   an empty remote needs no confirmation; a running host is paused while the person decides;
 * - diff shows edits not yet sent and changes not yet applied as unified diffs, labelled, and
 *   changes nothing; a PATH with nothing pending says so; an unknown PATH names the closest;
 * - sync --dry-run prints what a sync would do and changes nothing; in 'ask' mode a plain sync says
 *   what waits (exit 0) and --apply applies it.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, daemonEnv, startDaemon, type DaemonHandle } from '../../helpers/daemon.js';
import { bareRemote, git, tmp } from '../../helpers/machine.js';
import { daemonCall } from '../../reliability/helpers.js';
import type { AppState } from '../../../shared/state.js';

const T = 240_000;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli/confsync.mjs is missing: run `node scripts/build.mjs cli` first (npm test builds)');
});

const running: DaemonHandle[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop().catch(() => undefined);
});

type M = { home: string; configDir: string };

function machine(host: string, settings: Record<string, unknown> = {}): M {
  const root = tmp(`cs-${host}-`);
  const m = { home: join(root, 'home'), configDir: join(root, 'config') };
  mkdirSync(m.home, { recursive: true });
  mkdirSync(m.configDir, { recursive: true });
  writeFileSync(join(m.configDir, 'config.json'), JSON.stringify({ hostName: host, enabledProfiles: [], km: { enabled: false }, ...settings }));
  return m;
}

/** The CLI without a terminal (standard input is a pipe). */
const cli = (m: M, ...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env: daemonEnv(m.home, m.configDir), cwd: m.home, encoding: 'utf8', timeout: 120_000 });

const settingsOf = (m: M) => JSON.parse(readFileSync(join(m.configDir, 'config.json'), 'utf8')) as { remote?: { url: string | null; branch?: string }; enabledProfiles: string[]; paused?: boolean };
const repo = (m: M) => join(m.configDir, 'repo');
const read = (m: M, rel: string) => readFileSync(join(m.home, rel), 'utf8');
const copiesBeside = (m: M, name: string) => readdirSync(m.home).filter((n) => n.startsWith(`${name}.conflict-`));

/** laptop-a: the first machine, with zsh and git profiles pushed to a bare remote. */
function firstMachine(remote: string): M {
  const a = machine('laptop-a', { remote: { url: remote } });
  writeFileSync(join(a.home, '.zshrc'), 'export FROM=laptop-a\n');
  writeFileSync(join(a.home, '.gitconfig'), '[user]\n  name = A\n');
  for (const [name, path] of [['zsh', '~/.zshrc'], ['git', '~/.gitconfig']]) {
    const r = cli(a, 'profile', 'add', name, '--path', path);
    expect(r.status, r.stderr).toBe(0);
  }
  const s = cli(a, 'sync');
  expect(s.status, s.stderr).toBe(0);
  expect(git(remote, 'show', 'main:zsh/.zshrc')).toBe('export FROM=laptop-a\n');
  return a;
}

/** Runs the CLI on a pseudo-terminal (util-linux `script`) and answers the first question it asks. */
function onTerminal(m: M, args: string[], answer: string): Promise<{ code: number | null; out: string }> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const cmd = [process.execPath, CLI, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const p = spawn('script', ['-qefc', cmd, '/dev/null'], { env: daemonEnv(m.home, m.configDir), cwd: m.home, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let asked = false;
    const timer = setTimeout(() => p.kill('SIGKILL'), 120_000);
    const seen = (d: Buffer) => {
      out += d.toString();
      if (!asked && out.includes('Apply this? [y/N]')) {
        asked = true;
        p.stdin.write(answer);
      }
    };
    p.stdout.on('data', seen);
    p.stderr.on('data', seen);
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe('confsync init --remote on a joining machine', () => {
  it('prints the preview; without a terminal and without --yes nothing is applied and the remote setting is put back (exit 1); --yes joins', { timeout: T }, () => {
    const remote = bareRemote();
    firstMachine(remote);
    const remoteHead = git(remote, 'rev-parse', 'main');
    const b = machine('desk-b');
    writeFileSync(join(b.home, '.zshrc'), 'export FROM=desk-b\n');

    const refused = cli(b, 'init', '--remote', remote);
    expect(refused.status, refused.stderr).toBe(1);
    // The preview: the profile turned on here with its file count, the other one, each file's words.
    expect(refused.stdout).toContain(`Joining ${remote} (branch main) on this machine:`);
    expect(refused.stdout).toMatch(/Profiles turned on here \(their files are on this machine\):\n {2}zsh +1 file in the repo/);
    expect(refused.stdout).toMatch(/Other profiles in the repo, off here \(turn one on with: confsync profile enable NAME\):\n {2}git +1 file in the repo, not found on this machine/);
    expect(refused.stdout).toMatch(/From the repo, as this machine joins: 1 file\n {2}~\/\.zshrc +kept: yours is different, and becomes a conflict copy beside the repo's version/);
    expect(refused.stderr).toContain('confsync: error: nothing was applied: joining needs a yes, and there is no terminal to ask on; run again with --yes to apply (the remote setting is as it was)');
    // Nothing changed: the setting, the live files, the profiles, this repo's history and the remote.
    const after = settingsOf(b);
    expect(after.remote?.url ?? null).toBeNull();
    expect(after.enabledProfiles).toEqual([]);
    expect(readdirSync(b.home).sort()).toEqual(['.zshrc']);
    expect(read(b, '.zshrc')).toBe('export FROM=desk-b\n');
    expect(git(repo(b), 'log', '--format=%s', 'HEAD').trim().split('\n')).toHaveLength(1);
    expect(git(repo(b), 'remote').trim()).toBe('');
    expect(git(remote, 'rev-parse', 'main')).toBe(remoteHead);
    // A plain sync afterwards does not join behind the person's back: there is no remote.
    expect(cli(b, 'sync').status).toBe(0);
    expect(read(b, '.zshrc')).toBe('export FROM=desk-b\n');

    // --json keeps one JSON document on standard output: the preview, with the machine values.
    const json = cli(b, 'init', '--remote', remote, '--json');
    expect(json.status).toBe(1);
    const preview = JSON.parse(json.stdout) as { joining: boolean; incoming: { path: string; what: string }[]; profiles: { name: string; files: number; willEnable: boolean }[] };
    expect(preview.joining).toBe(true);
    expect(preview.incoming).toEqual([expect.objectContaining({ path: 'zsh/.zshrc', what: 'yours-kept-beside' })]);
    expect(preview.profiles.map((p) => [p.name, p.files, p.willEnable])).toEqual([['git', 1, false], ['zsh', 1, true]]);
    expect(settingsOf(b).remote?.url ?? null).toBeNull();

    const joined = cli(b, 'init', '--remote', remote, '--yes');
    expect(joined.status, joined.stderr).toBe(0);
    expect(joined.stdout).toContain('Profiles turned on here');
    expect(joined.stdout).toMatch(/1 conflict needs you/);
    expect(settingsOf(b).remote?.url).toBe(remote);
    expect(settingsOf(b).enabledProfiles).toEqual(['zsh']);
    // Policy 2: the repo's version is live, desk-b's own is kept beside it, named after desk-b.
    expect(read(b, '.zshrc')).toBe('export FROM=laptop-a\n');
    const copies = copiesBeside(b, '.zshrc');
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatch(/^\.zshrc\.conflict-desk-b-/);
    expect(read(b, copies[0])).toBe('export FROM=desk-b\n');
    expect(existsSync(join(b.home, '.gitconfig'))).toBe(false); // git stays off here
  });

  it.skipIf(!hasScript)('on a terminal it asks: "n" applies nothing, "y" joins', { timeout: T }, async () => {
    const remote = bareRemote();
    firstMachine(remote);
    const b = machine('desk-b');
    writeFileSync(join(b.home, '.zshrc'), 'export FROM=desk-b\n');
    const no = await onTerminal(b, ['init', '--remote', remote], 'n\n');
    expect(no.code, no.out).toBe(1);
    expect(no.out).toContain('Apply this? [y/N]');
    expect(no.out).toContain('nothing was applied (the remote setting is as it was)');
    expect(settingsOf(b).remote?.url ?? null).toBeNull();
    expect(readdirSync(b.home)).toEqual(['.zshrc']);
    const yes = await onTerminal(b, ['init', '--remote', remote], 'y\n');
    expect(yes.code, yes.out).toBe(0);
    expect(settingsOf(b).remote?.url).toBe(remote);
    expect(read(b, '.zshrc')).toBe('export FROM=laptop-a\n');
    expect(copiesBeside(b, '.zshrc')).toHaveLength(1);
  });

  it('an empty remote needs no confirmation: the first machine sets it and pushes', { timeout: T }, () => {
    const remote = bareRemote();
    const a = machine('laptop-a');
    writeFileSync(join(a.home, '.zshrc'), 'export FROM=laptop-a\n');
    expect(cli(a, 'profile', 'add', 'zsh', '--path', '~/.zshrc').status).toBe(0);
    const r = cli(a, 'init', '--remote', remote);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).not.toContain('Apply this?');
    expect(settingsOf(a).remote?.url).toBe(remote);
    expect(git(remote, 'show', 'main:zsh/.zshrc')).toBe('export FROM=laptop-a\n');
  });

  it('a remote that cannot be reached is not set without --yes (nothing to preview); the reason is named', { timeout: T }, () => {
    const b = machine('desk-b');
    const missing = join(tmp('cs-nowhere-'), 'missing.git');
    const r = cli(b, 'init', '--remote', missing);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`could not reach ${missing} to see what joining it would do`);
    expect(r.stderr).toContain('Nothing was changed and the remote setting is as it was');
    expect(settingsOf(b).remote?.url ?? null).toBeNull();
  });

  it('with a running host: refused without --yes leaves it unpaused on its old remote; --yes joins through it', { timeout: T }, async () => {
    const remote = bareRemote();
    firstMachine(remote);
    const d = await startDaemon({ settings: { hostName: 'desk-b', enabledProfiles: [], km: { enabled: false } }, files: { '.zshrc': 'export FROM=desk-b\n' } });
    running.push(d);
    const b = { home: d.home, configDir: d.configDir };
    const refused = cli(b, 'init', '--remote', remote);
    expect(refused.status, refused.stderr).toBe(1);
    expect(refused.stdout).toContain('Profiles turned on here');
    const st = await daemonCall<AppState>(d.configDir, 'state:get');
    expect(st.repo.remote).toBeNull();
    expect(st.paused).toBe(false);
    expect(read(b, '.zshrc')).toBe('export FROM=desk-b\n');
    const joined = cli(b, 'init', '--remote', remote, '--yes');
    expect(joined.status, joined.stderr).toBe(0);
    const st2 = await daemonCall<AppState>(d.configDir, 'state:get');
    expect(st2.repo.remote).toBe(remote);
    expect(st2.paused).toBe(false);
    expect(read(b, '.zshrc')).toBe('export FROM=laptop-a\n');
  });
});

describe('confsync diff and sync --dry-run / --apply', () => {
  it('diff shows what is not yet sent and not yet applied, changing nothing; dry-run previews; ask mode waits until --apply', { timeout: T }, () => {
    const remote = bareRemote();
    const a = firstMachine(remote);
    const b = machine('desk-b', { remote: { url: remote }, enabledProfiles: ['zsh'] });
    expect(cli(b, 'sync').status).toBe(0);
    expect(read(b, '.zshrc')).toBe('export FROM=laptop-a\n');

    // laptop-a edits .zshrc: not yet sent.
    writeFileSync(join(a.home, '.zshrc'), 'export FROM=laptop-a\nalias ll="ls -l"\n');
    const headA = git(repo(a), 'rev-parse', 'HEAD');
    const out = cli(a, 'diff');
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain('Not yet sent (changed on this machine): 1 file');
    expect(out.stdout).toContain('~/.zshrc: sent: changed here');
    expect(out.stdout).toContain('--- ~/.zshrc (in the repo)\n+++ ~/.zshrc (here)\n@@ -1,1 +1,2 @@\n export FROM=laptop-a\n+alias ll="ls -l"');
    expect(out.stdout).not.toContain('Not yet applied');
    expect(git(repo(a), 'rev-parse', 'HEAD')).toBe(headA); // diff commits nothing
    const one = cli(a, 'diff', '~/.zshrc', '--json');
    expect(one.status).toBe(0);
    expect(JSON.parse(one.stdout)).toEqual([expect.objectContaining({ path: 'zsh/.zshrc', direction: 'outgoing', what: 'changed', before: 'export FROM=laptop-a\n', after: 'export FROM=laptop-a\nalias ll="ls -l"\n', binary: false })]);
    const none = cli(a, 'diff', '~/.gitconfig');
    expect(none.status, none.stderr).toBe(0);
    expect(none.stdout.trim()).toBe('No pending change for ~/.gitconfig: nothing to send, nothing arriving.');
    const typo = cli(a, 'diff', '~/.zshrx');
    expect(typo.status).toBe(1);
    expect(typo.stderr).toContain('did you mean ~/.zshrc?');

    expect(cli(a, 'sync').status).toBe(0);
    // desk-b: the change is on the remote, not yet applied here.
    const inc = cli(b, 'diff');
    expect(inc.status, inc.stderr).toBe(0);
    expect(inc.stdout).toContain('Not yet applied (from other machines): 1 file');
    expect(inc.stdout).toContain('~/.zshrc: arrives from the repo (yours was not changed since it was synced)');
    expect(inc.stdout).toContain('--- ~/.zshrc (here)\n+++ ~/.zshrc (arriving)');
    expect(inc.stdout).toContain('+alias ll="ls -l"');
    expect(read(b, '.zshrc')).toBe('export FROM=laptop-a\n');

    const headB = git(repo(b), 'rev-parse', 'HEAD');
    const dry = cli(b, 'sync', '--dry-run');
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('What a sync would do here (nothing was changed):');
    expect(dry.stdout).toMatch(/From other machines, not yet applied: 1 file\n {2}~\/\.zshrc +arrives from the repo \(yours was not changed since it was synced\)/);
    expect(dry.stdout).toMatch(/Profiles on here:\n {2}zsh +1 file in the repo/);
    expect(dry.stdout).toMatch(/Other profiles in the repo, off here .*\n {2}git +1 file in the repo, not found on this machine/);
    expect(read(b, '.zshrc')).toBe('export FROM=laptop-a\n');
    expect(git(repo(b), 'rev-parse', 'HEAD')).toBe(headB);
    const dryJson = JSON.parse(cli(b, 'sync', '--dry-run', '--json').stdout) as { incoming: { what: string; live: string }[] };
    expect(dryJson.incoming).toEqual([expect.objectContaining({ what: 'replaces', live: join(b.home, '.zshrc') })]);
    const both = cli(b, 'sync', '--dry-run', '--apply');
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--dry-run changes nothing: leave out --apply');

    // 'ask' mode: a plain sync says what waits and applies nothing; --apply applies it.
    expect(cli(b, 'config', 'set', 'sync.applyIncoming', 'ask').status).toBe(0);
    writeFileSync(join(a.home, '.zshrc'), 'export FROM=laptop-a\nalias ll="ls -la"\n');
    expect(cli(a, 'sync').status).toBe(0);
    const waiting = cli(b, 'sync');
    expect(waiting.status, waiting.stderr).toBe(0);
    expect(waiting.stdout).toContain('1 change from other machines waiting for your review'); // one file, changed twice
    expect(waiting.stdout).toContain('see them first: confsync diff (or confsync sync --dry-run)');
    expect(read(b, '.zshrc')).toBe('export FROM=laptop-a\n');
    const applied = cli(b, 'sync', '--apply');
    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/1 file applied/);
    expect(read(b, '.zshrc')).toBe('export FROM=laptop-a\nalias ll="ls -la"\n');
    expect(cli(b, 'diff').stdout.trim()).toBe('No pending changes: nothing to send, nothing arriving.');
  });
});
