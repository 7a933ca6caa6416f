/**
 * `confsync`: the command line and the headless daemon. Commands talk to a running daemon over its
 * loopback WebSocket when there is one (so they never fight it for the repo), else they open the engine
 * in-process for the one command. Exit codes: 0 ok, 1 error, 2 usage.
 */
import { Command, CommanderError, Option } from 'commander';
import { resolveConfigDir, configFiles } from '../engine/config/paths.js';
import { openHeadlessSettings } from '../engine/config/conf-store.js';
import { validateConfigFile } from '../engine/config/settings-store.js';
import type { RequestChannel, RequestOf, ResponseOf } from '../../shared/contract.js';
import type { AppState, SyncResult } from '../../shared/state.js';
import { readDaemonInfo, DaemonClient } from './client.js';
import { runDaemon } from './daemon.js';
import { kmCommands } from './km-commands.js';
import { VERSION } from './version.js';

export type Invoke = <C extends RequestChannel>(channel: C, payload?: RequestOf<C>) => Promise<ResponseOf<C>>;

export class UsageError extends Error {}

function print(json: boolean, data: unknown, human: () => string): void {
  if (json) process.stdout.write(JSON.stringify(data, null, 2) + '\n');
  else process.stdout.write(human() + '\n');
}

/** Runs `fn` against the running daemon, or an in-process engine for this one command. */
export async function withHost<T>(fn: (invoke: Invoke, mode: 'daemon' | 'local') => Promise<T>): Promise<T> {
  const dir = resolveConfigDir();
  const info = readDaemonInfo(configFiles(dir).daemon);
  if (info) {
    const client = new DaemonClient(info);
    try {
      await client.connect();
    } catch {
      client.close();
      return withLocalEngine(fn);
    }
    try {
      return await fn(client.invoke.bind(client) as Invoke, 'daemon');
    } finally {
      client.close();
    }
  }
  return withLocalEngine(fn);
}

async function withLocalEngine<T>(fn: (invoke: Invoke, mode: 'local') => Promise<T>): Promise<T> {
  const { Engine } = await import('../engine/engine.js');
  const { typedInvoke } = await import('../engine/api.js');
  const dir = resolveConfigDir();
  const settings = openHeadlessSettings(dir);
  const engine = await Engine.open({ configDir: dir, settings, version: VERSION, watch: false });
  try {
    return await fn(typedInvoke(engine.handle) as Invoke, 'local');
  } finally {
    await engine.stop();
  }
}

function ago(t: number | null): string {
  if (!t) return 'never';
  const s = Math.round((Date.now() - t) / 1000);
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

export function describeState(s: AppState): string {
  const lines = [
    `ConfSync ${s.version} on ${s.host}: ${s.phase}${s.paused ? ' (paused)' : ''}${s.safeToShutDown ? ' · safe to shut down' : ''}`,
    `repo     ${s.repo.path} (${s.repo.branch})`,
    `remote   ${s.repo.remote ?? 'none (local only)'}${s.repo.remote ? ` · ahead ${s.repo.ahead}, behind ${s.repo.behind}` : ''}`,
    `last sync ${ago(s.repo.lastSyncAt)}${s.repo.lastResult ? ` · ${s.repo.lastResult.message}` : ''}`,
    `profiles ${s.profiles.filter((p) => p.enabled).map((p) => p.name).join(', ') || 'none enabled'}`,
    `watch    ${s.watch.backend} · ${s.watch.filesWatched} files · ${s.watch.commits} commits`,
  ];
  if (s.conflicts.length) lines.push(`CONFLICTS ${s.conflicts.length}: ${s.conflicts.map((c) => c.path).join(', ')}`);
  if (s.configError) lines.push(`CONFIG ERROR ${s.configError}`);
  if (s.skipped.length) lines.push(`skipped  ${s.skipped.length} file(s): ${s.skipped.slice(0, 3).map((k) => `${k.path} (${k.reason})`).join('; ')}`);
  if (s.secrets.length) lines.push(`SECRETS  ${s.secrets.length} finding(s) kept out of the repo: ${s.secrets.slice(0, 3).map((f) => `${f.path}:${f.line} ${f.rule}`).join('; ')}`);
  if (s.errors.length) lines.push(`last error ${s.errors[0].message}`);
  return lines.join('\n');
}

function describeResult(r: SyncResult): string {
  return `${r.kind}: ${r.message}${r.detail ? `\n${r.detail}` : ''}`;
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('confsync')
    .description('Keeps your configuration in sync across machines through a Git repository.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('status')
    .description('Print the sync state (AppState)')
    .option('--json', 'print the AppState as JSON')
    .action(async (o: { json?: boolean }) => {
      const s = await withHost((invoke) => invoke('state:get'));
      print(!!o.json, s, () => describeState(s));
    });

  program
    .command('daemon')
    .description('Watch and sync until SIGINT/SIGTERM; with --ui also serve the UI on 127.0.0.1')
    .option('--ui', 'serve the renderer and print its URL with the access token')
    .addOption(new Option('--port <n>', 'port for the loopback UI/API server (0 = any free port)').argParser((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be 0..65535, not ${v}`);
      return n;
    }))
    .option('--reason <text>', 'a line to print first (used by npm start)')
    .action(async (o: { ui?: boolean; port?: number; reason?: string }) => {
      await runDaemon({ ui: !!o.ui, port: o.port, reason: o.reason });
    });

  program
    .command('init')
    .description('Set up the sync repo: local path, remote and branch (works against an empty or an existing ConfSync remote)')
    .option('--repo <dir>', 'where the sync repo lives (default: <config dir>/repo)')
    .option('--remote <url>', 'git remote: a path, file://, git://, ssh or https URL')
    .option('--branch <name>', 'branch to sync (default main)')
    .option('--json', 'print the sync result as JSON')
    .action(async (o: { repo?: string; remote?: string; branch?: string; json?: boolean }) => {
      const dir = resolveConfigDir();
      if (o.repo) {
        if (readDaemonInfo(configFiles(dir).daemon)) throw new Error('stop the running daemon before moving the repo (--repo)');
        const settings = openHeadlessSettings(dir);
        if (settings.loadError) throw settings.loadError;
        settings.update({ repoPath: o.repo });
      }
      const r = await withHost(async (invoke) => {
        if (o.remote !== undefined || o.branch) {
          await invoke('settings:update', { patch: { remote: { ...(o.remote !== undefined ? { url: o.remote } : {}), ...(o.branch ? { branch: o.branch } : {}) } } });
        }
        return invoke('sync:now');
      });
      print(!!o.json, r, () => describeResult(r));
      if (!['ok', 'nothing-to-do', 'local-only', 'conflict'].includes(r.kind)) process.exitCode = 1;
    });

  program
    .command('sync')
    .description('One full pass now: scan, commit, fetch, merge, apply, push')
    .option('--json', 'print the result as JSON')
    .option('--adopt-remote', 'merge a remote whose history was rewritten (force-pushed); local commits are kept')
    .action(async (o: { json?: boolean; adoptRemote?: boolean }) => {
      const r = await withHost((invoke) => invoke('sync:now', o.adoptRemote ? { adoptRemote: true } : undefined));
      print(!!o.json, r, () => describeResult(r));
      if (!['ok', 'nothing-to-do', 'local-only', 'conflict'].includes(r.kind)) process.exitCode = 1;
    });

  program
    .command('catalog')
    .description('List the built-in catalog and whether each entry is detected on this machine')
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await withHost((invoke) => invoke('profiles:catalog'));
      print(!!o.json, list, () =>
        list.map((e) => `${e.enabled ? '[on] ' : '     '}${e.name.padEnd(20)} ${e.detected ? 'detected' : '-       '}  ${e.title}`).join('\n'),
      );
    });

  const profile = program.command('profile').description('Manage profiles (named sets of paths to sync)');
  profile
    .command('add <name>')
    .description('Add or replace a custom profile (shared with every machine through the repo) and enable it here')
    .option('--path <p>', 'file, directory or glob; ~ is home (repeatable)', collect, [])
    .option('--exclude <glob>', 'glob to leave out (repeatable)', collect, [])
    .option('--title <t>', 'display name')
    .action(async (name: string, o: { path: string[]; exclude: string[]; title?: string }) => {
      if (o.path.length === 0) throw new UsageError('profile add needs at least one --path');
      await withHost(async (invoke) => {
        await invoke('profiles:save', { profile: { name, paths: o.path, exclude: o.exclude, ...(o.title ? { title: o.title } : {}) } });
        await invoke('profiles:set-enabled', { name, enabled: true });
      });
      process.stdout.write(`profile ${name} saved and enabled\n`);
    });
  profile
    .command('list')
    .description('List profiles: catalog and custom, with enabled state')
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }) => {
      const s = await withHost((invoke) => invoke('state:get'));
      print(!!o.json, s.profiles, () =>
        s.profiles
          .filter((p) => p.enabled || !p.builtin || p.detected)
          .map((p) => `${p.enabled ? '[on] ' : '     '}${p.name.padEnd(20)} ${p.builtin ? 'catalog' : 'custom '} ${p.detected ? 'detected' : ''}${p.error ? `  ERROR: ${p.error}` : ''}`)
          .join('\n') || 'no profiles',
      );
    });
  for (const [cmd, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    profile
      .command(`${cmd} <name>`)
      .description(`${enabled ? 'Enable' : 'Disable'} a profile on this machine`)
      .action(async (name: string) => {
        await withHost((invoke) => invoke('profiles:set-enabled', { name, enabled }));
        process.stdout.write(`profile ${name} ${enabled ? 'enabled' : 'disabled'}\n`);
      });
  }
  profile
    .command('remove <name>')
    .description('Remove a custom profile (from every machine)')
    .action(async (name: string) => {
      await withHost((invoke) => invoke('profiles:remove', { name }));
      process.stdout.write(`profile ${name} removed\n`);
    });

  program
    .command('conflicts')
    .description('List open conflicts')
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }) => {
      const s = await withHost((invoke) => invoke('state:get'));
      print(!!o.json, s.conflicts, () =>
        s.conflicts.length
          ? s.conflicts
              .map((c) => `${c.path}  [${c.kind}]\n  mine: ${c.mine.host} ${c.mine.at ? new Date(c.mine.at).toISOString() : ''}\n  theirs: ${c.theirs.host} ${c.theirs.at ? new Date(c.theirs.at).toISOString() : ''}${c.copyPath ? `\n  their version: ${c.copyPath}` : ''}\n  ${c.summary}`)
              .join('\n')
          : 'no conflicts',
      );
    });

  program
    .command('resolve <path>')
    .description('Resolve a conflict; PATH is the repo path shown by `confsync conflicts`')
    .addOption(new Option('--keep <side>', 'which version to keep').choices(['mine', 'theirs', 'both']).makeOptionMandatory())
    .option('--json', 'print the result as JSON')
    .action(async (path: string, o: { keep: 'mine' | 'theirs' | 'both'; json?: boolean }) => {
      const r = await withHost((invoke) => invoke('conflicts:resolve', { path, keep: o.keep }));
      print(!!o.json, r, () => `resolved ${path} (kept ${o.keep}) · ${describeResult(r)}`);
    });

  program
    .command('history <path>')
    .description('Versions of a synced file (repo path, or a live path under an enabled profile)')
    .option('--json', 'print as JSON')
    .action(async (path: string, o: { json?: boolean }) => {
      const list = await withHost(async (invoke) => invoke('history:list', { path: await toRepoPath(invoke, path) }));
      print(!!o.json, list, () =>
        list.length ? list.map((h) => `${h.rev.slice(0, 10)}  ${new Date(h.at).toISOString()}  ${h.host.padEnd(16)} ${h.size === null ? 'deleted' : `${h.size} B`}  ${h.message}`).join('\n') : 'no history',
      );
    });

  program
    .command('restore <path>')
    .description('Put a version back in place; the current content is committed first, so this is undoable')
    .option('--at <rev>', 'revision (from `confsync history`); default: the version before the current one')
    .option('--json', 'print the result as JSON')
    .action(async (path: string, o: { at?: string; json?: boolean }) => {
      const r = await withHost(async (invoke) => {
        const repoPath = await toRepoPath(invoke, path);
        let rev = o.at;
        if (!rev) {
          const h = await invoke('history:list', { path: repoPath });
          if (h.length < 2) throw new Error(`${repoPath} has no earlier version`);
          rev = h[1].rev;
        }
        return invoke('history:restore', { path: repoPath, rev });
      });
      print(!!o.json, r, () => `restored ${path} · ${describeResult(r)}`);
    });

  const config = program.command('config').description('Show or change settings (config.json in the config dir)');
  config
    .command('path')
    .description('Print the config dir and config file paths')
    .action(() => {
      const f = configFiles(resolveConfigDir());
      process.stdout.write(`${f.dir}\n${f.settings}\n`);
    });
  config
    .command('get [key]')
    .description('Print settings, or one key such as sync.intervalSec')
    .action(async (key?: string) => {
      const s = await withHost((invoke) => invoke('settings:get'));
      const v = key ? key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], s) : s;
      if (v === undefined) throw new Error(`no setting ${key}`);
      process.stdout.write(JSON.stringify(v, null, 2) + '\n');
    });
  config
    .command('set <key> <value>')
    .description('Set one key, e.g. `confsync config set sync.intervalSec 600` (value parsed as JSON when it can be)')
    .action(async (key: string, value: string) => {
      let v: unknown = value;
      try {
        v = JSON.parse(value);
      } catch {
        /* a plain string */
      }
      const patch = key.split('.').reduceRight<unknown>((acc, k) => ({ [k]: acc }), v) as Record<string, unknown>;
      await withHost((invoke) => invoke('settings:update', { patch }));
      process.stdout.write(`${key} = ${JSON.stringify(v)}\n`);
    });
  config
    .command('check')
    .description('Validate config.json and report the offending key')
    .action(() => {
      const f = configFiles(resolveConfigDir());
      const r = validateConfigFile(f.settings);
      if (!r.ok) throw new Error(`${f.settings}: ${r.key ? `key "${r.key}": ` : ''}${r.reason}`);
      process.stdout.write(`${f.settings}: ok\n`);
    });

  kmCommands(program, { print, withHost });
  return program;
}

async function toRepoPath(invoke: Invoke, path: string): Promise<string> {
  if (!path.startsWith('/') && !path.startsWith('~')) return path;
  const files = await invoke('history:files');
  const home = process.env.HOME ?? '';
  const abs = path.startsWith('~') ? home + path.slice(1) : path;
  const hit = files.find((f) => f.livePath === abs);
  if (!hit) throw new Error(`${path} is not a synced file`);
  return hit.path;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`confsync: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`confsync: error: ${(e as Error).message}\n`);
    return 1;
  }
}

// Importing this module (tests of buildProgram) with CONFSYNC_NO_MAIN=1 does not run the CLI.
const isEntry = !process.env.CONFSYNC_NO_MAIN;
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`confsync: error: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
