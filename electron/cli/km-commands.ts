/** `confsync km …`: the Keyboard Maestro library as ConfSync sees it, and one macro's history and restore. */
import type { Command } from 'commander';
import type { Invoke } from './confsync.js';
import type { KmMacro } from '../../shared/contract.js';
import type { KmState } from '../../shared/state.js';
import { plural, relativeTime } from '../../shared/meanings.js';
import { UsageError } from './confsync.js';

interface Deps {
  print(json: boolean, data: unknown, human: () => string): void;
  withHost<T>(fn: (invoke: Invoke, mode: 'daemon' | 'local') => Promise<T>): Promise<T>;
}

/** The library reader (saxes, plists): loaded by the commands that read a file, not at every start. */
const libraryReader = async () => (await import('../engine/km/index.js')).readLibrary;

async function macrosFromFile(path: string): Promise<KmMacro[]> {
  const lib = await (await libraryReader())(path);
  return [...lib.macros.values()].map((m) => ({ uid: m.uid, name: m.name, group: m.groupName, groupUid: m.groupUid, enabled: m.enabled, active: m.active }));
}

function filter(list: KmMacro[], o: { group?: string; disabled?: boolean }): KmMacro[] {
  return list.filter((m) => (!o.group || m.group === o.group || m.groupUid === o.group) && (!o.disabled || !m.enabled || !m.active));
}

export function kmCommands(program: Command, d: Deps): void {
  const km = program.command('km').description('Keyboard Maestro library: poller state, macros, per-macro history and restore');
  km.command('status')
    .description('Poller state and figures')
    .option('--json', 'print as JSON')
    .option('--library <path>', 'read this library file instead of the configured one')
    .action(async (o: { json?: boolean; library?: string }) => {
      let st: KmState | { libraryPath: string; macros: number; groups: number; enabledMacros: number; parseMs: number; status: string };
      if (o.library) {
        const readLibrary = await libraryReader();
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
  km.command('history <uid>')
    .description('Versions of one macro (from its exported file in the sync repo, over renames and moves), newest first')
    .option('--json', 'print as JSON')
    .action(async (uid: string, o: { json?: boolean }) => {
      const h = await d.withHost((invoke) => invoke('km:history', { uid }));
      const now = Date.now();
      const w = String(h.versions.length).length;
      d.print(!!o.json, h, () => {
        if (!h.exported && h.versions.length === 0) return 'no history: macros are exported one file each only with km.exportMacros on';
        if (h.versions.length === 0) return `no exported versions of macro ${uid} yet`;
        return [
          `${h.name ?? uid}${h.inLibrary ? '' : ' (no longer in the library)'}`,
          ...h.versions.map((v, i) => `${String(i + 1).padStart(w)}. ${relativeTime(v.at, now).padEnd(12)} ${v.host.padEnd(16)} ${v.deleted ? 'deleted' : `${v.group} / ${v.name}`}`),
          `put one back with: confsync km restore ${uid} --at N (N from the list)`,
        ].join('\n');
      });
    });
  km.command('restore <uid>')
    .description('Put one version of a macro back into Keyboard Maestro through its scripting (never by writing the library file); where it cannot be scripted, the version is saved as a .kmmacros file to import')
    .option('--at <version>', 'a version number from `confsync km history` (1 is the newest), or a git revision; default: the newest version that exists')
    .option('--json', 'print the result as JSON')
    .action(async (uid: string, o: { at?: string; json?: boolean }) => {
      const number = o.at !== undefined && /^#?\d{1,3}$/.test(o.at) ? Number(o.at.replace('#', '')) : null;
      const r = await d.withHost(async (invoke) => {
        let rev = o.at;
        if (number !== null) {
          const h = await invoke('km:history', { uid });
          if (number < 1 || number > h.versions.length) throw new UsageError(`macro ${uid} has ${plural(h.versions.length, 'version')}: --at takes 1 to ${h.versions.length} (see \`confsync km history ${uid}\`)`);
          rev = h.versions[number - 1].rev;
        }
        return invoke('km:restore', { uid, ...(rev ? { rev } : {}) });
      });
      d.print(!!o.json, r, () =>
        r.kind === 'restored'
          ? `Macro '${r.name}' restored in Keyboard Maestro to its version from ${relativeTime(r.at, Date.now())} on ${r.host}`
          : `Macro '${r.name}' was not restored: ${r.reason}.${r.fix ? ` ${r.fix}` : ''}\nIts version from ${relativeTime(r.at, Date.now())} on ${r.host} is saved at ${r.path} (import it in Keyboard Maestro: File ▸ Import Macros).`,
      );
      if (r.kind !== 'restored') process.exitCode = 1;
    });
}
