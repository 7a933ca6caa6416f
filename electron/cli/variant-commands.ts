/** `confsync variant …`: machine variants of a whole file (engine/sync/variants.ts). */
import type { Command } from 'commander';
import type { Invoke } from './confsync.js';
import type { Variant } from '../../shared/contract.js';
import type { SyncResult } from '../../shared/state.js';

interface Deps {
  print(json: boolean, data: unknown, human: () => string): void;
  withHost<T>(fn: (invoke: Invoke, mode: 'daemon' | 'local') => Promise<T>): Promise<T>;
}

export function variantWords(list: Variant[]): string {
  return list
    .map((v) => `${v.here ? '→' : ' '} ${v.path}  (${v.words}${v.here ? ', live on this machine' : ''}${v.exists ? '' : ', not in the repo'})`)
    .join('\n');
}

export function variantCommands(program: Command, d: Deps): void {
  const variant = program
    .command('variant')
    .description('Machine variants of a whole file: a default plus versions for a host, a class or an OS (the most specific one that matches is live)');
  variant
    .command('add <path>')
    .description("Create a variant from this machine's current version of PATH")
    .requiredOption('--for <condition>', 'host:NAME, class:NAME or os:macos|linux|windows (several joined by commas: os:macos,class:work)')
    .option('--json', 'print as JSON')
    .action(async (path: string, o: { for: string; json?: boolean }) => {
      const r: SyncResult = await d.withHost((invoke) => invoke('variants:add', { path, for: o.for }));
      d.print(!!o.json, r, () => r.message);
    });
  variant
    .command('list <path>')
    .description('The variants of PATH, and which one is live on this machine')
    .option('--json', 'print as JSON')
    .action(async (path: string, o: { json?: boolean }) => {
      const list: Variant[] = await d.withHost((invoke) => invoke('variants:list', { path }));
      d.print(!!o.json, list, () => variantWords(list));
    });
}
