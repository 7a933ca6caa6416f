/**
 * `confsync`: the command line and the headless daemon. Commands talk to a running daemon over its
 * loopback WebSocket when there is one (so they never fight it for the repo), else they open the engine
 * in-process for the one command. Exit codes: 0 ok, 1 error, 2 usage.
 */
import { Command, CommanderError, Option } from 'commander';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { sep } from 'node:path';
import { resolveConfigDir, configFiles, resolveHome } from '../engine/config/paths.js';
import { absoluteRepoPath, repoDirProblem, topMissing } from '../engine/config/repo-path.js';
import type { SettingsStore } from '../engine/config/settings-store.js';
import type { ResolvedProfile } from '../engine/profiles/paths.js';
import type { ProfileDefinition, RequestChannel, RequestOf, ResponseOf } from '../../shared/contract.js';
import type { Settings } from '../../shared/settings.js';
import type { AppState, ConflictSide, KmState, SyncResult } from '../../shared/state.js';
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
} from '../../shared/meanings.js';
import { readDaemonInfo, withRunningHost } from './client.js';
import { kmCommands } from './km-commands.js';
import { variantCommands } from './variant-commands.js';
import { secretCommands } from './secret-commands.js';
import { initRemote, previewCommands, previewText } from './preview-commands.js';
import { changeHeading, historyCommands, resolveChange } from './history-commands.js';
import { serviceCommands } from './service.js';
import { VERSION } from './version.js';

// Start-up cost: every command pays for what this file imports at its top, so only what `--version`,
// `config get` and `status` against a running host need is imported here (commander, node:, small
// modules without packages). The engine, zod, conf, ws, age-encryption and the rest are imported
// where a command uses them; the build splits them into chunks (scripts/build.mjs), and
// test/integration/cli/startup-loads.test.ts checks which packages each of those commands loads.

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
    const running = await withRunningHost(configFiles(dir).daemon, (client) => fn(client.invoke.bind(client) as Invoke, 'daemon'));
    if (running) return running.value;
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

/**
 * The settings in force: a running host's (it may have just changed them), else the settings file's
 * with its defaults, which is what a host would read. Reading needs neither the lock nor the engine,
 * so `config get` does not open the repo (it ran ten git processes for it before).
 *
 * `inFile` is the settings file as the caller just validated it. A file with settings in it gives
 * exactly what the settings store would (it validates the same way and conf writes nothing back),
 * so conf and its ajv are not loaded for it; a missing or blank file goes through the store, which
 * writes the defaults there as a host does.
 */
async function settingsNow(inFile: Settings): Promise<ResponseOf<'settings:get'>> {
  const dir = resolveConfigDir();
  const running = await withRunningHost(configFiles(dir).daemon, (client) => client.invoke('settings:get'));
  if (running) return running.value;
  const file = configFiles(dir).settings;
  if (existsSync(file) && readFileSync(file, 'utf8').trim() !== '') return inFile;
  const { openHeadlessSettings } = await import('../engine/config/conf-store.js');
  return openHeadlessSettings(dir).get();
}

async function withLocalEngine<T>(fn: (invoke: Invoke, mode: 'local') => Promise<T>): Promise<T> {
  const { openHost } = await import('../host.js');
  const { typedInvoke } = await import('../engine/api.js');
  const { openHeadlessSettings } = await import('../engine/config/conf-store.js');
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

/** Key globs as typed: each non-blank (the engine's limits: 500 characters, 500 globs), duplicates dropped. */
export function keyGlobs(list: string[], flag: string): string[] {
  const out: string[] = [];
  for (const g of list) {
    if (g.trim() === '') throw new UsageError(`${flag} needs a key glob such as "NSWindow Frame *" or "window.zoomLevel", not an empty one`);
    if (g.length > 500) throw new UsageError(`${flag} "${g.slice(0, 40)}…" is longer than 500 characters`);
    if (!out.includes(g)) out.push(g);
  }
  if (out.length > 500) throw new UsageError(`${flag}: at most 500 key globs, not ${out.length.toLocaleString('en-US')}`);
  return out;
}

/** The fields of `from` that `to` does not set. */
function keep<K extends keyof ProfileDefinition>(from: ProfileDefinition, to: ProfileDefinition, keys: K[]): Partial<ProfileDefinition> {
  const out: Partial<ProfileDefinition> = {};
  for (const k of keys) if (to[k] === undefined && from[k] !== undefined) out[k] = from[k];
  return out;
}

/** "ignored keys: NSWindow Frame *, SU*" and "local keys: none". */
export function keyRuleLines(def: Pick<ProfileDefinition, 'ignoreKeys' | 'localKeys'>): [string, string] {
  const list = (l?: string[]) => (l?.length ? l.join(', ') : 'none');
  return [`ignored keys: ${list(def.ignoreKeys)}`, `local keys: ${list(def.localKeys)}`];
}

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
    .option('--yes', 'joining a remote that has files: apply without asking (for scripts); without it the preview is printed and you are asked')
    .option('--json', 'print the sync result as JSON')
    .action(async (o: { repo?: string; remote?: string; branch?: string; yes?: boolean; json?: boolean }) => {
      const dir = resolveConfigDir();
      // Everything about --repo is checked before anything is written (config.json included): a
      // folder that cannot be created or already holds other files is an error, and nothing changes.
      let moved: { settings: SettingsStore; previous: string | null; created: string | null } | null = null;
      if (o.repo) {
        if (readDaemonInfo(configFiles(dir).daemon)) throw new Error('stop the running daemon before moving the repo (--repo)');
        const target = absoluteRepoPath(o.repo, resolveHome());
        const problem = repoDirProblem(target);
        if (problem) throw new Error(problem);
        const { openHeadlessSettings } = await import('../engine/config/conf-store.js');
        const settings = openHeadlessSettings(dir);
        if (settings.loadError) throw settings.loadError;
        const previous = settings.get().repoPath;
        const created = existsSync(target) ? null : topMissing(target);
        settings.update({ repoPath: target });
        moved = { settings, previous, created };
      }
      let r: SyncResult;
      try {
        // A new remote whose files would arrive here: the preview first, then a yes (preview-commands.ts).
        r = await withHost((invoke, mode) => initRemote(invoke, mode, { remote: o.remote, branch: o.branch, yes: o.yes, json: o.json, out: (t) => process.stdout.write(t + '\n') }));
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
    .option('--dry-run', 'print what a sync would do (what arrives, what is sent, the profiles) and change nothing')
    .option('--apply', "apply the changes from other machines that wait for a review (sync.applyIncoming 'ask')")
    .action(async (o: { json?: boolean; adoptRemote?: boolean; dryRun?: boolean; apply?: boolean }) => {
      if (o.dryRun) {
        if (o.apply || o.adoptRemote) throw new UsageError(`--dry-run changes nothing: leave out ${o.apply ? '--apply' : '--adopt-remote'}`);
        const p = await withHost((invoke) => invoke('sync:preview'));
        print(!!o.json, p, () => `What a sync would do here (nothing was changed):\n${previewText(p)}`);
        return;
      }
      const opts = { ...(o.adoptRemote ? { adoptRemote: true } : {}), ...(o.apply ? { apply: true } : {}) };
      const r = await withHost((invoke) => invoke('sync:now', Object.keys(opts).length ? opts : undefined));
      print(!!o.json, r, () => describeResult(r) + (r.kind === 'waiting' ? '\nsee them first: confsync diff (or confsync sync --dry-run)' : ''));
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
  const ignoreKeyHelp = 'a key the app rewrites on its own (window frames, update checks): each machine keeps its own value, never committed; * is any run of characters, ? one (repeatable)';
  const localKeyHelp = 'a key kept different on each machine on purpose (e.g. window.zoomLevel): never committed, never overwritten (repeatable)';
  profile
    .command('add <name>')
    .description('Add or replace a custom profile (shared with every machine through the repo) and enable it here')
    .option('--path <p>', 'file, directory or glob; ~ is home (repeatable)', collect, [])
    .option('--exclude <glob>', 'glob to leave out (repeatable)', collect, [])
    .option('--title <t>', 'display name')
    .option('--ignore-key <glob>', ignoreKeyHelp, collect, [])
    .option('--local-key <glob>', localKeyHelp, collect, [])
    .action(async (name: string, o: { path: string[]; exclude: string[]; title?: string; ignoreKey: string[]; localKey: string[] }) => {
      if (o.path.length === 0) throw new UsageError('profile add needs at least one --path');
      const ignoreKeys = keyGlobs(o.ignoreKey, '--ignore-key');
      const localKeys = keyGlobs(o.localKey, '--local-key');
      const profile: ProfileDefinition = { name, paths: o.path, exclude: o.exclude, ...(o.title ? { title: o.title } : {}), ...(ignoreKeys.length ? { ignoreKeys } : {}), ...(localKeys.length ? { localKeys } : {}) };
      // The same checks the engine makes (it refuses too), here first so a typing mistake changes nothing.
      const home = resolveHome();
      const [{ resolveProfile }, { outsideHome }] = await Promise.all([import('../engine/profiles/paths.js'), import('../engine/profiles-set.js')]);
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
      const { before, after, saved } = await withHost(async (invoke) => {
        const before = (await invoke('profiles:list')).find(same) ?? null;
        // An update replaces the paths and excludes; what this command was not told (title, key rules,
        // the app and when to apply) stays as it was, so re-adding a path never drops a key rule.
        const saved: ProfileDefinition = before
          ? { ...profile, ...keep(before, profile, ['title', 'ignoreKeys', 'localKeys', 'app', 'applyWhen']) }
          : profile;
        await invoke('profiles:save', { profile: saved });
        const after = (await invoke('state:get')).profiles.find(same) ?? null;
        return { before, after, saved };
      });
      // The rule is the engine's (profiles-set.ts): on where it is added; an update keeps each machine's choice.
      const state = after?.enabled ? 'on here' : `off here (\`confsync profile enable ${name}\` turns it on)`;
      const keys = keyRuleLines(saved);
      process.stdout.write(`profile ${name} ${before ? 'updated' : 'added'}, shared with every machine; ${state}\n${saved.ignoreKeys?.length || saved.localKeys?.length ? keys.map((l) => `  ${l}\n`).join('') : ''}`);
    });
  profile
    .command('set <name>')
    .description("Change a profile's per-key rules, for every machine: --ignore-key and --local-key replace that list (give one per key), --clear-ignore-keys and --clear-local-keys empty it")
    .option('--ignore-key <glob>', ignoreKeyHelp, collect, [])
    .option('--local-key <glob>', localKeyHelp, collect, [])
    .option('--clear-ignore-keys', 'no ignored keys (a catalog profile loses its built-in ones too)')
    .option('--clear-local-keys', 'no local keys')
    .action(async (name: string, o: { ignoreKey: string[]; localKey: string[]; clearIgnoreKeys?: boolean; clearLocalKeys?: boolean }) => {
      if (o.clearIgnoreKeys && o.ignoreKey.length) throw new UsageError('give --ignore-key or --clear-ignore-keys, not both');
      if (o.clearLocalKeys && o.localKey.length) throw new UsageError('give --local-key or --clear-local-keys, not both');
      const setIgnore = o.clearIgnoreKeys ? [] : o.ignoreKey.length ? keyGlobs(o.ignoreKey, '--ignore-key') : null;
      const setLocal = o.clearLocalKeys ? [] : o.localKey.length ? keyGlobs(o.localKey, '--local-key') : null;
      if (!setIgnore && !setLocal) throw new UsageError('profile set needs --ignore-key GLOB, --local-key GLOB, --clear-ignore-keys or --clear-local-keys');
      const done = await withHost(async (invoke) => {
        const same = (p: { name: string }) => p.name.toLowerCase() === name.toLowerCase();
        const st = await invoke('state:get');
        // This machine's definition in force: its own (from the repo), else the catalog's.
        const { loadCatalog } = await import('../engine/profiles/catalog.js');
        const def = (await invoke('profiles:list')).find(same) ?? (st.profiles.some(same) ? (loadCatalog().find(same) ?? null) : null);
        if (!def) {
          const { closest } = await import('../engine/sync/paths.js');
          const best = closest(name, st.profiles.map((p) => ({ key: p.name, show: p.name })));
          throw new UsageError(`no profile named "${name}"${best ? `; did you mean ${best}?` : ''} (see \`confsync profile list\`)`);
        }
        const next: ProfileDefinition = { ...def };
        if (setIgnore) next.ignoreKeys = setIgnore.length ? setIgnore : undefined;
        if (setLocal) next.localKeys = setLocal.length ? setLocal : undefined;
        if (!next.ignoreKeys) delete next.ignoreKeys;
        if (!next.localKeys) delete next.localKeys;
        const changed = JSON.stringify(def.ignoreKeys ?? []) !== JSON.stringify(next.ignoreKeys ?? []) || JSON.stringify(def.localKeys ?? []) !== JSON.stringify(next.localKeys ?? []);
        if (!changed) return { def, next, changed, on: st.profiles.find(same)?.enabled ?? false };
        const wasOn = st.profiles.find(same)?.enabled ?? false;
        await invoke('profiles:save', { profile: next });
        // Saving your own definition of a catalog entry counts as adding it (on here): `set` changes
        // the key rules only, so a profile that was off here stays off.
        if (!wasOn && (await invoke('state:get')).profiles.find(same)?.enabled) await invoke('profiles:set-enabled', { name: next.name, enabled: false });
        return { def, next, changed, on: wasOn };
      });
      const was = keyRuleLines(done.def);
      const now = keyRuleLines(done.next);
      const lines = now.map((l, i) => (l === was[i] ? `  ${l}` : `  ${l} (was: ${was[i].replace(/^[^:]+:\s*/, '')})`));
      process.stdout.write(
        done.changed
          ? `profile ${done.next.name} updated, shared with every machine; ${done.on ? 'on here' : 'off here'}\n${lines.join('\n')}\n`
          : `profile ${done.next.name}: nothing changed\n${lines.join('\n')}\n`,
      );
    });
  profile
    .command('list')
    .description('List profiles: catalog and custom, on or off here, their files in the repo and their key rules')
    .option('--json', 'print as JSON (repoFiles: files in the sync repo as this machine last saw it)')
    .action(async (o: { json?: boolean }) => {
      // Files in the repo: this machine's copy of it (one ls-tree of HEAD, no network), as of the last sync.
      const { s, custom, files } = await withHost(async (invoke) => ({ s: await invoke('state:get'), custom: await invoke('profiles:list'), files: await invoke('history:files') }));
      const inRepo = new Map<string, number>();
      for (const f of files) inRepo.set(f.profile.toLowerCase(), (inRepo.get(f.profile.toLowerCase()) ?? 0) + 1);
      const { loadCatalog } = await import('../engine/profiles/catalog.js');
      const catalog = loadCatalog();
      const defOf = (name: string) => custom.find((d) => d.name.toLowerCase() === name.toLowerCase()) ?? catalog.find((d) => d.name.toLowerCase() === name.toLowerCase());
      const list = s.profiles.map((p) => {
        const def = defOf(p.name);
        return { ...p, repoFiles: inRepo.get(p.name.toLowerCase()) ?? 0, ignoreKeys: def?.ignoreKeys ?? [], localKeys: def?.localKeys ?? [] };
      });
      print(!!o.json, list, () => {
        const shown = list.filter((p) => p.enabled || !p.builtin || p.detected || p.repoFiles > 0);
        if (!shown.length) return 'no profiles';
        const lines: string[] = [];
        for (const p of shown) {
          const repo = p.repoFiles ? `${plural(p.repoFiles, 'file')} in the repo` : 'not in the repo yet';
          const hint = !p.enabled && p.repoFiles ? ` (\`confsync profile enable ${p.name}\` turns it on here)` : '';
          lines.push(`${p.enabled ? '[on] ' : '     '}${p.name.padEnd(20)} ${p.builtin ? 'catalog' : 'custom '} ${(p.detected ? 'detected' : '').padEnd(8)}  ${repo}${hint}${p.error ? `  ERROR: ${p.error}` : ''}`);
          if (p.ignoreKeys.length) lines.push(`       ignored keys: ${p.ignoreKeys.join(', ')}`);
          if (p.localKeys.length) lines.push(`       local keys: ${p.localKeys.join(', ')}`);
        }
        return lines.join('\n');
      });
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
    .description('Versions of one synced file (repo path, or a live path under an enabled profile); changes across every file: confsync log')
    .option('--json', 'print as JSON')
    .action(async (path: string, o: { json?: boolean }) => {
      const list = await withHost(async (invoke) => invoke('history:list', { path }));
      const { formatBytes } = await import('../engine/profiles/scan.js');
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
    .command('restore [path]')
    .description('Put a version of a file back (PATH --at N), or every file of one change (--change N, from `confsync log`); the current content is committed first, so this is undoable')
    .option('--at <version>', 'a version number from `confsync history` (1 is the current one), or a git revision; default: the version before the current one (2)')
    .option('--change <change>', 'every file of one change: a number from `confsync log` (1 is the newest), or a revision; files that change deleted are not deleted')
    .option('--json', 'print the result as JSON')
    .action(async (path: string | undefined, o: { at?: string; change?: string; json?: boolean }) => {
      if (o.change !== undefined) {
        if (path !== undefined || o.at !== undefined) throw new UsageError('--change restores every file of one change: leave out PATH and --at (one file: confsync restore PATH --at N)');
        const { r, heading } = await withHost(async (invoke) => {
          const c = await resolveChange(invoke, o.change!);
          // Named before restoring (the restore itself becomes the newest change).
          const d = await invoke('history:change', { rev: c.rev });
          const heading = changeHeading(d.entry, c.n, Date.now(), true);
          return { r: await invoke('history:restore-change', { rev: c.rev }), heading };
        });
        print(!!o.json, r, () => `${heading}\n${describeResult(r)}`);
        if (!isSuccess(r.kind)) process.exitCode = 1;
        return;
      }
      if (path === undefined) throw new UsageError('restore needs a PATH (one file: confsync restore PATH --at N) or --change N (every file of one change, from `confsync log`)');
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
      const [{ isSettingKey, unknownKeyWords }, { validateConfigFile }] = await Promise.all([import('../engine/config/keys.js'), import('../engine/config/settings-store.js')]);
      // A key the schema does not know is a typing mistake: say which one was meant, before anything runs.
      if (key !== undefined && !isSettingKey(key)) throw new UsageError(unknownKeyWords(key));
      // A broken file is not the defaults a host falls back to: say what is wrong with it instead.
      const f = configFiles(resolveConfigDir());
      const valid = validateConfigFile(f.settings);
      if (!valid.ok) throw new Error(`${f.settings}: ${valid.key ? `key "${valid.key}": ` : ''}${valid.reason} (the running settings are the defaults until it is fixed; \`confsync config check\` checks it again)`);
      const s = await settingsNow(valid.settings);
      const v = key ? key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], s) : s;
      process.stdout.write(JSON.stringify(v === undefined ? null : v, null, 2) + '\n');
    });
  config
    .command('set <key> <value>')
    .description('Set one key, e.g. `confsync config set sync.intervalSec 600` (value parsed as JSON when it can be)')
    .action(async (key: string, value: string) => {
      const { isSettingKey, unknownKeyWords } = await import('../engine/config/keys.js');
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
      const { restartNeeded } = await import('../engine/config/live.js');
      const later = [...new Set(restartNeeded(key).map((e) => e.why))].join('; ');
      const host = mode === 'daemon' ? readDaemonInfo(configFiles(resolveConfigDir()).daemon) : null;
      const who = host ? `${host.kind === 'app' ? 'the ConfSync app' : 'the confsync daemon'}, process ${host.pid}` : null;
      const note = who ? (later ? ` (saved; takes effect after a restart of ${who}: ${later})` : ` (applied by ${who})`) : '';
      process.stdout.write(`${key} = ${JSON.stringify(v)}${note}\n`);
    });
  config
    .command('check')
    .description('Validate config.json and report the offending key')
    .action(async () => {
      const { validateConfigFile } = await import('../engine/config/settings-store.js');
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

  previewCommands(program, { print, withHost });
  historyCommands(program, { print, withHost });
  kmCommands(program, { print, withHost });
  variantCommands(program, { print, withHost });
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
