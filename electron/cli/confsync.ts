/**
 * `confsync`: the command line and the headless daemon. Commands talk to a running daemon over its
 * loopback WebSocket when there is one (so they never fight it for the repo), else they open the engine
 * in-process for the one command. Exit codes: 0 ok, 1 error, 2 usage.
 */
import { Command, CommanderError, Option } from 'commander';
import { existsSync, rmSync } from 'node:fs';
import { sep } from 'node:path';
import { resolveConfigDir, configFiles, resolveHome } from '../engine/config/paths.js';
import { openHeadlessSettings } from '../engine/config/conf-store.js';
import { validateConfigFile } from '../engine/config/settings-store.js';
import { isSettingKey, unknownKeyWords } from '../engine/config/keys.js';
import { absoluteRepoPath, repoDirProblem, topMissing } from '../engine/config/repo-path.js';
import { restartNeeded } from '../engine/config/live.js';
import type { RequestChannel, RequestOf, ResponseOf } from '../../shared/contract.js';
import {
  conflictKindWords,
  durationWords,
  isSuccess,
  kmStatusLabel,
  notSynced,
  notSyncedWords,
  plural,
  possessive,
  relativeTime,
  skippedWords,
  stateKind,
  watcherWords,
  whereWords,
  type AppState,
  type ConflictSide,
  type KmState,
  type SyncResult,
} from '../../shared/state.js';
import { formatBytes } from '../engine/profiles/scan.js';
import { resolveProfile, type ResolvedProfile } from '../engine/profiles/paths.js';
import { outsideHome } from '../engine/profiles-set.js';
import { readDaemonInfo, DaemonClient } from './client.js';
import { kmCommands } from './km-commands.js';
import { secretCommands } from './secret-commands.js';
import { serviceCommands } from './service.js';
import { VERSION } from './version.js';

export type Invoke = <C extends RequestChannel>(channel: C, payload?: RequestOf<C>) => Promise<ResponseOf<C>>;

export class UsageError extends Error {}

function print(json: boolean, data: unknown, human: () => string): void {
  if (json) process.stdout.write(JSON.stringify(data, null, 2) + '\n');
  else process.stdout.write(human() + '\n');
}

/**
 * Runs `fn` against the running host (the daemon or the menu-bar app, found by its daemon.json), or a
 * one-shot engine in this process. Two ConfSync processes for one config dir never fail a command:
 * while another holds the lock (a daemon starting, another one-shot command), this waits for either
 * its daemon.json (then talks to it) or the lock (then opens the repo itself).
 */
export async function withHost<T>(fn: (invoke: Invoke, mode: 'daemon' | 'local') => Promise<T>, waitMs = 120_000): Promise<T> {
  const dir = resolveConfigDir();
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    const info = readDaemonInfo(configFiles(dir).daemon);
    if (info) {
      const client = new DaemonClient(info);
      let connected = false;
      try {
        await client.connect();
        connected = true;
      } catch {
        client.close();
      }
      if (connected) {
        try {
          return await fn(client.invoke.bind(client) as Invoke, 'daemon');
        } finally {
          client.close();
        }
      }
    }
    try {
      return await withLocalEngine(fn);
    } catch (e) {
      if ((e as Error)?.name !== 'LockedError' || Date.now() > deadline) throw e;
      if (!told && Date.now() + waitMs - deadline > 2000) {
        told = true;
        process.stderr.write(`confsync: ${(e as Error).message.replace(/; stop it first.*$/, '')}; waiting…\n`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

async function withLocalEngine<T>(fn: (invoke: Invoke, mode: 'local') => Promise<T>): Promise<T> {
  const { openHost } = await import('../host.js');
  const { typedInvoke } = await import('../engine/api.js');
  const dir = resolveConfigDir();
  const host = await openHost({ configDir: dir, settings: openHeadlessSettings(dir), version: VERSION, watch: false, serve: false });
  try {
    return await fn(typedInvoke(host.engine.handle) as Invoke, 'local');
  } finally {
    await host.stop();
  }
}

/** What `confsync status` says first: the shared state kind (the tray's icon), in words. */
function stateWords(s: AppState): string {
  switch (stateKind(s)) {
    case 'error':
      return s.configError ? 'settings problem' : 'error';
    case 'conflict':
      return `${plural(s.conflicts.length, 'conflict')} to resolve`;
    case 'offline':
      return s.repo.ahead > 0 ? `offline, ${plural(s.repo.ahead, 'commit')} waiting` : 'offline';
    case 'paused':
      return s.paused || s.phase === 'paused' ? 'paused' : 'stopped';
    case 'syncing':
      return s.phase === 'starting' ? 'starting' : `syncing (${s.phase})`;
    case 'idle':
      return 'idle';
  }
}

const count = (n: number, one: string, what: string) => (n === 0 ? `nothing ${what}` : `${plural(n, one)} ${what}`);

export function describeState(s: AppState, now = Date.now()): string {
  const r = s.repo;
  const when = (at: number | null) => relativeTime(at === null ? null : Math.min(at, now), now);
  const lines = [
    `ConfSync ${s.version} on ${s.host}: ${stateWords(s)} · ${s.safeToShutDown ? 'safe to shut down' : 'not safe to shut down yet'}`,
    `repo      ${r.path} (${r.branch})`,
    `remote    ${r.remote ? `${r.remote} · ${count(r.ahead, 'commit', 'to push')}, ${count(r.behind, 'commit', 'to pull')}` : 'none (local only)'}`,
    `last sync ${when(r.lastSyncAt)}${r.lastResult ? ` · ${r.lastResult.message}` : ''}`,
    `next sync ${s.paused ? 'when resumed' : r.nextSyncAt === null ? 'not scheduled' : r.nextSyncAt - now < 5000 ? 'due now' : relativeTime(r.nextSyncAt, now)}`,
    `profiles  ${s.profiles.filter((p) => p.enabled).map((p) => p.name).join(', ') || 'none enabled'}`,
    `watch     ${watcherWords(s.watch.backend)} · ${plural(s.watch.filesWatched, 'file')} · ${plural(s.watch.commits, 'commit')}${s.watch.pendingPaths ? ` · ${plural(s.watch.pendingPaths, 'change')} waiting` : ''}`,
  ];
  if (s.conflicts.length) {
    lines.push(`CONFLICTS ${plural(s.conflicts.length, 'conflict')} (confsync conflicts):`);
    for (const c of s.conflicts.slice(0, 10)) {
      lines.push(`  ${c.livePath ?? c.path}: yours ${whereWords(c.mine.where)}, ${possessive(c.theirs.host)} ${whereWords(c.theirs.where)}`);
    }
    if (s.conflicts.length > 10) lines.push(`  … and ${plural(s.conflicts.length - 10, 'more conflict')}`);
  }
  if (s.configError) lines.push(`CONFIG ERROR ${s.configError}`);
  const skipped = notSynced(s);
  if (skipped.length) {
    lines.push(`${notSyncedWords(skipped.length)}:`, ...skipped.slice(0, 10).map((k) => `  ${skippedWords(k)}`));
    if (skipped.length > 10) lines.push(`  … and ${plural(skipped.length - 10, 'more file')}`);
  }
  for (const w of r.lastResult?.warnings.slice(0, 5) ?? []) lines.push(`warning   ${w}`);
  if (s.secrets.length) lines.push(`SECRETS  ${plural(s.secrets.length, 'finding')} kept out of the repo: ${s.secrets.slice(0, 3).map((f) => `${f.path}:${f.line} ${f.rule}`).join('; ')}`);
  if (s.errors.length) lines.push(`last error ${s.errors[0].message} (${when(s.errors[0].at)})`);
  return lines.join('\n');
}

/** A result in words: its message (the kind is for --json), what was not synced and why, the warnings. */
export function describeResult(r: SyncResult): string {
  const lines = [r.message];
  if (r.detail) lines.push(r.detail);
  if (r.skipped.length) {
    lines.push(`${notSyncedWords(r.skipped.length)}:`);
    for (const k of r.skipped.slice(0, 20)) lines.push(`  ${skippedWords(k)}`);
    if (r.skipped.length > 20) lines.push(`  … and ${plural(r.skipped.length - 20, 'more file')}`);
  }
  for (const w of r.warnings.slice(0, 10)) lines.push(`warning: ${w}`);
  if (r.warnings.length > 10) lines.push(`… and ${plural(r.warnings.length - 10, 'more warning')}`);
  return lines.join('\n');
}

/** `confsync km status`: the Keyboard Maestro poller in words (numbers separated, times relative, durations rounded). */
export function describeKmStatus(
  st: Partial<KmState> & { status: string; libraryPath: string | null; macros: number; groups: number; enabledMacros: number; parseMs?: number },
  now = Date.now(),
): string {
  const label = (KM_STATUS as readonly string[]).includes(st.status) ? kmStatusLabel(st.status as KmState['status']) : st.status;
  const lines = [`Keyboard Maestro  ${label}`, `library    ${st.libraryPath ?? 'the default library'}`];
  lines.push(`macros     ${plural(st.macros, 'macro')} (${st.enabledMacros.toLocaleString('en-US')} enabled) in ${plural(st.groups, 'group')}`);
  if (st.parseMs !== undefined) lines.push(`read in    ${durationWords(st.parseMs)}`);
  if (st.polls !== undefined) {
    lines.push(`checks     ${plural(st.polls, 'check')}: ${plural(st.parses ?? 0, 'read')} of a changed library, ${(st.skips ?? 0).toLocaleString('en-US')} unchanged`);
    lines.push(`last check ${relativeTime(st.lastPollAt === null || st.lastPollAt === undefined ? null : Math.min(st.lastPollAt, now), now)}${st.intervalMs ? ` · next in about ${durationWords(st.intervalMs)}` : ''}`);
    if (st.lastParseMs !== null && st.lastParseMs !== undefined) lines.push(`last read  ${durationWords(st.lastParseMs)}${st.avgParseMs != null ? ` (${durationWords(st.avgParseMs)} on average)` : ''}`);
  }
  if (st.error) lines.push(`problem    ${st.error}`);
  return lines.join('\n');
}

const KM_STATUS = ['initializing', 'active', 'paused', 'error', 'stopped', 'absent', 'disabled'] as const;

/** One side of a conflict from this machine's point of view: "alpha (this machine), in the copy beside it, changed 2 min ago". */
export function sideWords(side: { host: string; at: number | null; where: ConflictSide['where'] }, me: string, now: number): string {
  const who = side.host === me ? `${side.host} (this machine)` : side.host;
  const when = side.at ? `, ${side.where === 'deleted' ? 'deleted' : 'changed'} ${relativeTime(Math.min(side.at, now), now)}` : '';
  return `${who}, ${whereWords(side.where)}${when}`;
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
      const s = await withHost(async (invoke, mode) => {
        // Without a running host nobody has looked at the files: look now (changing nothing), so
        // skipped files, held-back secrets and "safe to shut down" are the truth, not a blank.
        if (mode === 'local') await invoke('sync:plan');
        return invoke('state:get');
      });
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
    .option('--new-token', 'make a new access token for the UI (the old address and bookmarks stop working); it is kept until the next --new-token')
    .option('--ok-if-running', 'exit 0 (not 3) when ConfSync already runs for this config dir (for launchd, which restarts a job on any other exit)')
    .action(async (o: { ui?: boolean; port?: number; reason?: string; newToken?: boolean; okIfRunning?: boolean }) => {
      const { runDaemon } = await import('./daemon.js');
      await runDaemon({ ui: !!o.ui, port: o.port, reason: o.reason, newToken: !!o.newToken, okIfRunning: !!o.okIfRunning });
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
      // Everything about --repo is checked before anything is written (config.json included): a
      // folder that cannot be created or already holds other files is an error, and nothing changes.
      let moved: { settings: ReturnType<typeof openHeadlessSettings>; previous: string | null; created: string | null } | null = null;
      if (o.repo) {
        if (readDaemonInfo(configFiles(dir).daemon)) throw new Error('stop the running daemon before moving the repo (--repo)');
        const target = absoluteRepoPath(o.repo, resolveHome());
        const problem = repoDirProblem(target);
        if (problem) throw new Error(problem);
        const settings = openHeadlessSettings(dir);
        if (settings.loadError) throw settings.loadError;
        const previous = settings.get().repoPath;
        const created = existsSync(target) ? null : topMissing(target);
        settings.update({ repoPath: target });
        moved = { settings, previous, created };
      }
      let r: SyncResult;
      try {
        r = await withHost(async (invoke) => {
          if (o.remote !== undefined || o.branch) {
            await invoke('settings:update', { patch: { remote: { ...(o.remote !== undefined ? { url: o.remote } : {}), ...(o.branch ? { branch: o.branch } : {}) } } });
          }
          return invoke('sync:now');
        });
      } catch (e) {
        // The repo could not be set up there after all: put the setting back and remove the folders
        // this command made (they did not exist before it), so nothing is left half done.
        if (moved) {
          moved.settings.update({ repoPath: moved.previous });
          if (moved.created) rmSync(moved.created, { recursive: true, force: true });
        }
        throw e;
      }
      print(!!o.json, r, () => describeResult(r));
      if (!isSuccess(r.kind)) process.exitCode = 1;
    });

  program
    .command('sync')
    .description('One full pass now: scan, commit, fetch, merge, apply, push')
    .option('--json', 'print the result as JSON')
    .option('--adopt-remote', 'merge a remote whose history was rewritten (force-pushed); local commits are kept')
    .action(async (o: { json?: boolean; adoptRemote?: boolean }) => {
      const r = await withHost((invoke) => invoke('sync:now', o.adoptRemote ? { adoptRemote: true } : undefined));
      print(!!o.json, r, () => describeResult(r));
      if (!isSuccess(r.kind)) process.exitCode = 1;
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
      const profile = { name, paths: o.path, exclude: o.exclude, ...(o.title ? { title: o.title } : {}) };
      // The same checks the engine makes (it refuses too), here first so a typing mistake changes nothing.
      const home = resolveHome();
      let resolved: ResolvedProfile;
      try {
        resolved = resolveProfile(profile, { home, platform: process.platform });
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const outside = outsideHome(resolved);
      if (outside) throw new UsageError(outside);
      const tilde = (abs: string) => (abs.startsWith(home + sep) ? `~${abs.slice(home.length)}` : abs);
      for (const e of resolved.entries) {
        if (!existsSync(e.abs)) process.stderr.write(`confsync: warning: ${tilde(e.abs)} does not exist yet; it is synced once it appears\n`);
      }
      const same = (p: { name: string }) => p.name.toLowerCase() === name.toLowerCase();
      const { before, after } = await withHost(async (invoke) => {
        const before = (await invoke('profiles:list')).some(same);
        await invoke('profiles:save', { profile });
        const after = (await invoke('state:get')).profiles.find(same) ?? null;
        return { before, after };
      });
      // The rule is the engine's (profiles-set.ts): on where it is added; an update keeps each machine's choice.
      const state = after?.enabled ? 'on here' : `off here (\`confsync profile enable ${name}\` turns it on)`;
      process.stdout.write(`profile ${name} ${before ? 'updated' : 'added'}, shared with every machine; ${state}\n`);
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
    .description('List open conflicts, from this machine\'s point of view')
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }) => {
      const s = await withHost((invoke) => invoke('state:get'));
      const now = Date.now();
      print(!!o.json, s.conflicts, () =>
        s.conflicts.length
          ? s.conflicts
              .map((c) => {
                const others = c.others.length ? c.others : [c.theirs];
                const several = others.length > 1;
                return [
                  `${c.livePath ?? c.path}: ${conflictKindWords(c.kind)}`,
                  `  mine:   ${sideWords(c.mine, s.host, now)}`,
                  ...others.map((o) => `  theirs: ${sideWords(o, s.host, now)}${o.copyPath ? ` (${o.copyPath})` : ''}`),
                  `  ${c.summary}`,
                  several ? `  resolve: confsync resolve ${c.path} --keep mine|both, or --keep theirs --from ${others.map((o) => o.host).join('|')}` : `  resolve: confsync resolve ${c.path} --keep mine|theirs|both`,
                ].join('\n');
              })
              .join('\n')
          : 'no conflicts',
      );
    });

  program
    .command('resolve <path>')
    .description('Resolve a conflict: mine = this machine\'s version, theirs = the other host\'s, both = mine in the file and theirs beside it. PATH: live path (~/.zshrc) or repo path')
    .addOption(new Option('--keep <side>', 'which version to keep').choices(['mine', 'theirs', 'both']).makeOptionMandatory())
    .option('--from <host>', 'with several other versions: whose version "theirs" means')
    .option('--json', 'print the result as JSON')
    .action(async (path: string, o: { keep: 'mine' | 'theirs' | 'both'; from?: string; json?: boolean }) => {
      const r = await withHost((invoke) => invoke('conflicts:resolve', { path, keep: o.keep, ...(o.from ? { from: o.from } : {}) }));
      print(!!o.json, r, () => describeResult(r));
      if (!isSuccess(r.kind)) process.exitCode = 1;
    });

  program
    .command('history <path>')
    .description('Versions of a synced file (repo path, or a live path under an enabled profile)')
    .option('--json', 'print as JSON')
    .action(async (path: string, o: { json?: boolean }) => {
      const list = await withHost(async (invoke) => invoke('history:list', { path }));
      const now = Date.now();
      // Versions are numbered, newest first (1 is the current one): `restore --at N` takes the number,
      // so nobody has to copy a commit id; --json keeps the revisions.
      const w = String(list.length).length;
      print(!!o.json, list, () =>
        list.length
          ? [
              ...list.map((h, i) => `${String(i + 1).padStart(w)}. ${relativeTime(h.at, now).padEnd(12)} ${h.host.padEnd(16)} ${(h.size === null ? 'deleted' : formatBytes(h.size)).padEnd(10)} ${h.message}`),
              list.length > 1 ? `put one back with: confsync restore ${path} --at N (N from the list; without --at, version 2)` : 'only one version so far',
            ].join('\n')
          : 'no history',
      );
    });

  program
    .command('restore <path>')
    .description('Put a version back in place; the current content is committed first, so this is undoable')
    .option('--at <version>', 'a version number from `confsync history` (1 is the current one), or a git revision; default: the version before the current one (2)')
    .option('--json', 'print the result as JSON')
    .action(async (path: string, o: { at?: string; json?: boolean }) => {
      // 1 to 3 digits (optionally after #) is a version number: git revisions are 4 or more characters.
      const number = o.at === undefined ? 2 : /^#?\d{1,3}$/.test(o.at) ? Number(o.at.replace('#', '')) : null;
      const r = await withHost(async (invoke) => {
        let rev = o.at;
        if (number !== null) {
          const h = await invoke('history:list', { path });
          if (h.length < 2 && o.at === undefined) throw new Error(`${path} has no earlier version`);
          if (number < 1 || number > h.length) throw new UsageError(`${path} has ${plural(h.length, 'version')}: --at takes 1 to ${h.length} (see \`confsync history ${path}\`)`);
          rev = h[number - 1].rev;
        }
        return invoke('history:restore', { path, rev: rev! });
      });
      print(!!o.json, r, () => describeResult(r));
      if (!isSuccess(r.kind)) process.exitCode = 1;
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
      // A key the schema does not know is a typing mistake: say which one was meant, before anything runs.
      if (key !== undefined && !isSettingKey(key)) throw new UsageError(unknownKeyWords(key));
      // A broken file is not the defaults a host falls back to: say what is wrong with it instead.
      const f = configFiles(resolveConfigDir());
      const valid = validateConfigFile(f.settings);
      if (!valid.ok) throw new Error(`${f.settings}: ${valid.key ? `key "${valid.key}": ` : ''}${valid.reason} (the running settings are the defaults until it is fixed; \`confsync config check\` checks it again)`);
      const s = await withHost((invoke) => invoke('settings:get'));
      const v = key ? key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], s) : s;
      process.stdout.write(JSON.stringify(v === undefined ? null : v, null, 2) + '\n');
    });
  config
    .command('set <key> <value>')
    .description('Set one key, e.g. `confsync config set sync.intervalSec 600` (value parsed as JSON when it can be)')
    .action(async (key: string, value: string) => {
      if (!isSettingKey(key)) throw new UsageError(unknownKeyWords(key));
      let v: unknown = value;
      try {
        v = JSON.parse(value);
      } catch {
        /* a plain string */
      }
      const patch = key.split('.').reduceRight<unknown>((acc, k) => ({ [k]: acc }), v) as Record<string, unknown>;
      const mode = await withHost(async (invoke, mode) => {
        await invoke('settings:update', { patch });
        return mode;
      });
      // Saved either way; a running host applies most keys at once, and the few it reads only when it
      // starts are named (electron/engine/config/live.ts keeps that list).
      const later = [...new Set(restartNeeded(key).map((e) => e.why))].join('; ');
      const host = mode === 'daemon' ? readDaemonInfo(configFiles(resolveConfigDir()).daemon) : null;
      const who = host ? `${host.kind === 'app' ? 'the ConfSync app' : 'the confsync daemon'}, process ${host.pid}` : null;
      const note = who ? (later ? ` (saved; takes effect after a restart of ${who}: ${later})` : ` (applied by ${who})`) : '';
      process.stdout.write(`${key} = ${JSON.stringify(v)}${note}\n`);
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

  const ignore = program.command('ignore').description('The shared .confsyncignore (gitignore syntax over repo paths, e.g. zsh/.zsh_history): edited, committed and shared with every machine');
  ignore
    .command('list')
    .description('Print the patterns')
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await withHost((invoke) => invoke('ignore:list'));
      print(!!o.json, list, () => (list.length ? list.join('\n') : 'no patterns'));
    });
  for (const op of ['add', 'remove'] as const) {
    ignore
      .command(`${op} <pattern>`)
      .description(op === 'add' ? 'Add a pattern, commit it and sync' : 'Remove a pattern, commit it and sync')
      .action(async (pattern: string) => {
        const list = await withHost((invoke) => invoke(op === 'add' ? 'ignore:add' : 'ignore:remove', { pattern }));
        process.stdout.write(`${op === 'add' ? 'ignoring' : 'no longer ignoring'} ${pattern}\n${list.length ? `patterns: ${list.join(', ')}` : 'no patterns'}\n`);
      });
  }

  kmCommands(program, { print, withHost });
  secretCommands(program, { print, withHost });
  serviceCommands(program, { print });
  return program;
}

/** The Node.js ConfSync itself needs (package.json `engines`): chokidar 5 and require(esm) need 20.19. */
export const NODE_FLOOR = [20, 19] as const;

export function nodeTooOld(version = process.versions.node): string | null {
  const [major, minor] = version.split('.').map(Number);
  if (major > NODE_FLOOR[0] || (major === NODE_FLOOR[0] && minor >= NODE_FLOOR[1])) return null;
  return `confsync needs Node.js ${NODE_FLOOR.join('.')} or later; this is Node.js ${version}. Install a newer Node.js (https://nodejs.org) and run it again.`;
}

export async function main(argv: string[]): Promise<number> {
  const old = nodeTooOld();
  if (old) {
    process.stderr.write(`confsync: error: ${old}\n`);
    return 1;
  }
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
    // Errors that carry their own exit code (the daemon's "already running" refusal: 3, or 0 with --ok-if-running).
    const own = (e as { exitCode?: unknown }).exitCode;
    const code = typeof own === 'number' && Number.isInteger(own) ? own : 1;
    process.stderr.write(`confsync: ${code === 0 ? '' : 'error: '}${(e as Error).message}\n`);
    return code;
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
