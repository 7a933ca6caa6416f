/** `confsync km …`: the Keyboard Maestro library as ConfSync sees it. */
import type { Command } from 'commander';
import type { Invoke } from './confsync.js';
import type { KmMacro } from '../../shared/contract.js';
import type { KmState } from '../../shared/state.js';
import { readLibrary } from '../engine/km/index.js';

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
}
