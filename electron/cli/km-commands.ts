/** `confsync km …`: the Keyboard Maestro library as ConfSync sees it. */
import type { Command } from 'commander';
import type { Invoke } from './confsync.js';
import type { KmMacro } from '../../shared/contract.js';
import type { KmState } from '../../shared/state.js';
import { join } from 'node:path';
import { readLibrary, restoreMacroFile, OsascriptImporter, isKmEngineRunning, macroFileSuffix } from '../engine/km/index.js';
import { GitRunner } from '../engine/git/runner.js';
import { blobAt } from '../engine/git/tree.js';
import { KM_EXPORT_DIR } from '../engine/features/km.js';
import { resolveCommit, revProblem } from '../engine/git/rev.js';
import { resolveConfigDir, configFiles } from '../engine/config/paths.js';
import { openHeadlessSettings } from '../engine/config/conf-store.js';

interface Deps {
  print(json: boolean, data: unknown, human: () => string): void;
  withHost<T>(fn: (invoke: Invoke, mode: 'daemon' | 'local') => Promise<T>): Promise<T>;
}

async function macrosFromFile(path: string): Promise<KmMacro[]> {
  const lib = await readLibrary(path);
  return [...lib.macros.values()].map((m) => ({ uid: m.uid, name: m.name, group: m.groupName, groupUid: m.groupUid, enabled: m.enabled, active: m.active }));
}

function filter(list: KmMacro[], o: { group?: string; disabled?: boolean }): KmMacro[] {
  return list.filter((m) => (!o.group || m.group === o.group || m.groupUid === o.group) && (!o.disabled || !m.enabled || !m.active));
}

export function kmCommands(program: Command, d: Deps): void {
  const km = program.command('km').description('Keyboard Maestro library: poller state, macros, per-macro restore');
  km.command('status')
    .description('Poller state and figures')
    .option('--json', 'print as JSON')
    .option('--library <path>', 'read this library file instead of the configured one')
    .action(async (o: { json?: boolean; library?: string }) => {
      let st: KmState | { libraryPath: string; macros: number; groups: number; enabledMacros: number; parseMs: number; status: string };
      if (o.library) {
        const t0 = performance.now();
        const lib = await readLibrary(o.library);
        const macros = [...lib.macros.values()];
        st = { status: 'active', libraryPath: o.library, macros: macros.length, groups: lib.groups.length, enabledMacros: macros.filter((m) => m.active).length, parseMs: Math.round((performance.now() - t0) * 10) / 10 };
      } else {
        st = (await d.withHost((invoke) => invoke('state:get'))).km;
      }
      d.print(!!o.json, st, () => Object.entries(st).map(([k, v]) => `${k.padEnd(14)} ${v ?? '-'}`).join('\n'));
    });
  km.command('macros')
    .description('List macros with uid, name, group, enabled (own flag) and active (enabled and group enabled)')
    .option('--json', 'print as JSON')
    .option('--group <name>', 'only this group (name or UID)')
    .option('--disabled', 'only macros that are disabled or in a disabled group')
    .option('--library <path>', 'read this library file instead of the configured one')
    .action(async (o: { json?: boolean; group?: string; disabled?: boolean; library?: string }) => {
      const all = o.library ? await macrosFromFile(o.library) : await d.withHost((invoke) => invoke('km:macros'));
      const list = filter(all, o);
      d.print(!!o.json, list, () => list.map((m) => `${m.active ? 'on ' : 'off'} ${m.group} / ${m.name}  (${m.uid})`).join('\n') || 'no macros');
    });
  km.command('restore <uid>')
    .description("Write a macro's exported version to an import folder and, on macOS, ask Keyboard Maestro to import it (never writes the live library)")
    .option('--at <rev>', 'revision (default: the latest exported version)')
    .option('--json', 'print the result as JSON')
    .action(async (uid: string, o: { at?: string; json?: boolean }) => {
      const dir = resolveConfigDir();
      const settings = openHeadlessSettings(dir);
      const git = new GitRunner({ dir: settings.get().repoPath ?? configFiles(dir).defaultRepo });
      // An unknown or ambiguous revision is an error, never "the latest" or "nothing".
      const resolved = await resolveCommit(git, o.at ?? 'HEAD');
      if (resolved.kind !== 'ok') throw new Error(`${revProblem(resolved)} (see \`git -C ${git.dir} log -- ${KM_EXPORT_DIR}\` for the versions)`);
      const rev = resolved.oid;
      const suffix = macroFileSuffix(uid);
      const paths = (await git.raw(['ls-tree', '-r', '-z', '--name-only', rev, '--', KM_EXPORT_DIR], { readonly: true }).catch(() => '')).split('\0');
      let path = paths.find((p) => p.endsWith(suffix));
      if (!path) {
        // Deleted since: find the last commit that had it.
        const log = await git.raw(['log', '--format=%H', '--name-only', '-z', rev, '--', KM_EXPORT_DIR], { readonly: true }).catch(() => '');
        path = log.split(/[\0\n]/).find((p) => p.endsWith(suffix));
        if (!path) throw new Error(`no exported macro with UID ${uid} in the sync repo`);
        const last = (await git.raw(['log', '-1', '--format=%H', rev, '--', path], { readonly: true })).trim();
        const content = await blobAt(git, `${last}~1`, path);
        if (!content) throw new Error(`macro ${uid} has no earlier version`);
        return finish(content, path);
      }
      const content = await blobAt(git, rev, path);
      if (!content) throw new Error(`macro ${uid} not found at ${rev}`);
      return finish(content, path);

      async function finish(content: Buffer, path: string) {
        const name = path.split('/').pop()!.slice(0, -suffix.length);
        const darwin = process.platform === 'darwin';
        if (darwin && !(await isKmEngineRunning())) process.stderr.write('confsync: Keyboard Maestro Engine is not running; the file is written but may not import until it runs\n');
        const r = await restoreMacroFile({ content, name, uid, importDir: join(dir, 'km-import'), importer: darwin ? new OsascriptImporter() : undefined });
        d.print(!!o.json, r, () => `${r.imported ? 'imported into Keyboard Maestro' : 'written (import it in Keyboard Maestro: File > Import)'}: ${r.path}`);
      }
    });
}
