/**
 * Channel names only, with no schema library attached, for code that must stay tiny (the sandboxed
 * preload). contract.ts checks at compile time that these lists equal its own keys.
 */
export const REQUEST_CHANNELS = [
  'state:get',
  'sync:now',
  'sync:set-paused',
  'settings:get',
  'settings:update',
  'profiles:catalog',
  'profiles:list',
  'profiles:set-enabled',
  'profiles:save',
  'profiles:remove',
  'profiles:preview',
  'repo:test-connection',
  'conflicts:detail',
  'conflicts:resolve',
  'history:files',
  'history:list',
  'history:show',
  'history:restore',
  'paths:resolve',
  'ignore:list',
  'ignore:add',
  'ignore:remove',
  'sync:plan',
  'variants:list',
  'variants:add',
  'secrets:list',
  'sync:preview',
  'history:timeline',
  'history:change',
  'history:restore-change',
  'sync:diff',
  'sync:join',
  'secrets:add',
  'secrets:remove',
  'secrets:identity-status',
  'secrets:identity-create',
  'secrets:identity-show',
  'secrets:identity-set',
  'km:macros',
  'km:apply-state',
  'km:apply-retry',
  'km:history',
  'km:version',
  'km:restore',
  'km:show-macro',
  'app:open-sync-folder',
  'app:show-logs',
] as const;

export const PUSH_CHANNELS = ['state:changed', 'ui:show-tab'] as const;

/** `sync:now` → `syncNow`; push `state:changed` → `onStateChanged`. */
export function methodName(channel: string): string {
  return channel.replace(/[:-]([a-z])/g, (_, c: string) => c.toUpperCase());
}
export function listenerName(channel: string): string {
  const m = methodName(channel);
  return 'on' + m[0].toUpperCase() + m.slice(1);
}
