/**
 * The one typed contract between a host (Electron main, or the headless daemon) and its clients
 * (the React renderer over preload or WebSocket, and the CLI over WebSocket).
 *
 * - `requests`: request/response channels. The request payload and the response are zod schemas; every
 *   incoming payload is parsed with its schema and rejected with a clear error when it does not fit.
 * - `pushes`: host → client messages.
 *
 * Preload names (`window.confsync.<name>`) are derived from the channel names (see `methodName`).
 */
import { z } from 'zod';
import { AppState, SyncResult, Conflict, SkippedFile } from './state.js';
import { Settings, SettingsPatch } from './settings.js';
import { REQUEST_CHANNELS, PUSH_CHANNELS } from './channels.js';

const Empty = z.object({}).strict().optional();
const Ok = z.object({ ok: z.literal(true) });
/** Repo-relative path: no absolute paths, no `..` segments, no NUL. */
export const RepoPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.startsWith('/') && !/^[A-Za-z]:/.test(p) && !p.includes('\0'), 'must be a relative path')
  .refine((p) => !p.split(/[\\/]/).includes('..'), 'must not contain ".."');
/**
 * A path a person names: the live path (absolute or `~/…`) or the repo path (`zsh/.zshrc`). The engine
 * resolves it and answers an unknown one with the closest synced path.
 */
export const PathArg = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'must not contain NUL')
  .refine((p) => !p.split(/[\\/]/).includes('..'), 'must not contain ".."');
/** A revision as typed (`a1b2c3d`, `HEAD~2`); the engine says when it is unknown or ambiguous. */
const Rev = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\s\0-][^\s\0]*$/, 'not a revision');
const ProfileName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._ -]*$/, 'letters, digits, space, dot, underscore and dash only');

export const PlatformPaths = z
  .object({
    default: z.string().min(1).optional(),
    darwin: z.string().min(1).optional(),
    linux: z.string().min(1).optional(),
    win32: z.string().min(1).optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'needs at least one platform path');
export const ProfilePath = z.union([z.string().min(1).max(4096), PlatformPaths]);
export type ProfilePath = z.infer<typeof ProfilePath>;

/** A glob over key paths in a structured file (dotted for JSON, e.g. `window.zoomLevel`; plist keys as they are, e.g. `NSWindow Frame *`). */
const KeyGlob = z.string().min(1).max(500);

export const ProfileDefinition = z
  .object({
    name: ProfileName,
    title: z.string().max(200).optional(),
    paths: z.array(ProfilePath).min(1).max(1000),
    exclude: z.array(z.string().min(1).max(4096)).max(1000).default([]),
    /** Keys apps rewrite constantly (window frames, last-launch dates, update checks): kept local, never committed. */
    ignoreKeys: z.array(KeyGlob).max(500).optional(),
    /** Keys that differ per machine on purpose: kept per machine, never committed, never overwritten. */
    localKeys: z.array(KeyGlob).max(500).optional(),
    /** The app that owns these settings (its process name on macOS, e.g. "Rectangle"), for "quit and reopen" words. */
    app: z.string().min(1).max(200).optional(),
    /** When to apply arriving preferences while the app runs: now (and say "quit and reopen"), or when it quits. */
    applyWhen: z.enum(['now', 'app-quit']).optional(),
  })
  .strict();
export type ProfileDefinition = z.infer<typeof ProfileDefinition>;

export const CatalogEntryState = z.object({
  name: z.string(),
  title: z.string(),
  detected: z.boolean(),
  enabled: z.boolean(),
  paths: z.array(ProfilePath),
  /** What the catalog ships with the entry (shown read-only; an own definition replaces the entry). */
  exclude: z.array(z.string()).default([]),
  ignoreKeys: z.array(z.string()).default([]),
  localKeys: z.array(z.string()).default([]),
  app: z.string().nullable().default(null),
  applyWhen: z.enum(['now', 'app-quit']).nullable().default(null),
});
export type CatalogEntryState = z.infer<typeof CatalogEntryState>;

export const TestConnectionResult = z.object({
  kind: z.enum(['ok', 'empty', 'offline', 'auth-failed', 'host-key-changed', 'not-found', 'timeout', 'error']),
  message: z.string(),
  detail: z.string().optional(),
});
export type TestConnectionResult = z.infer<typeof TestConnectionResult>;

export const HistoryEntry = z.object({
  rev: z.string(),
  host: z.string(),
  at: z.number(),
  size: z.number().int().nullable(),
  message: z.string(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/** One change in the history timeline (one commit): its machine, time and synced files. */
export const TimelineEntry = z.object({
  rev: z.string(),
  host: z.string(),
  at: z.number(),
  message: z.string(),
  files: z.array(z.object({ path: z.string(), live: z.string().nullable(), change: z.enum(['added', 'modified', 'deleted']) })),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const SyncedFile = z.object({ path: z.string(), livePath: z.string().nullable(), profile: z.string() });
export type SyncedFile = z.infer<typeof SyncedFile>;

export const ConflictDetail = z.object({
  conflict: Conflict,
  mine: z.string().nullable(),
  theirs: z.string().nullable(),
  binary: z.boolean(),
  /** For Keyboard Maestro: one entry per macro changed on both sides. */
  macros: z
    .array(z.object({ uid: z.string(), name: z.string(), group: z.string(), mine: z.string().nullable(), theirs: z.string().nullable() }))
    .optional(),
});
export type ConflictDetail = z.infer<typeof ConflictDetail>;

export const KmMacro = z.object({
  uid: z.string(),
  name: z.string(),
  group: z.string(),
  groupUid: z.string(),
  enabled: z.boolean(),
  active: z.boolean(),
});
export type KmMacro = z.infer<typeof KmMacro>;

/** A macro UID as Keyboard Maestro makes them (a UUID): letters, digits and dashes. */
export const KmMacroUid = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,79}$/, 'a macro UID (letters, digits and dashes, as `confsync km macros` lists them)');

/** One macro a remote apply touches. */
export const KmApplyMacro = z.object({
  uid: z.string(),
  name: z.string(),
  group: z.string(),
  change: z.enum(['added', 'changed', 'removed', 'enabled', 'disabled']),
});
export type KmApplyMacro = z.infer<typeof KmApplyMacro>;

/**
 * Macro changes from the repo while the Keyboard Maestro Engine runs (engine/km/live-sync.ts):
 * `applying`/`applied` through Keyboard Maestro's scripting; `waiting` for the Engine to quit because
 * scripting was refused (`reason`, and `fix`: what the person can do); `conflict` (a macro changed
 * here and in the repo) or `failed` (scripting cannot apply it) also wait for the Engine to quit.
 */
export const KmApplyState = z.object({
  status: z.enum(['idle', 'applying', 'applied', 'waiting', 'conflict', 'failed']),
  reason: z.string().nullable(),
  fix: z.string().nullable(),
  macros: z.array(KmApplyMacro),
  /** When this status was reached (epoch ms; shown relative). */
  at: z.number().nullable(),
  /** This machine's macro changes committed while the repo's waited. */
  keptLocal: z.number().int(),
});
export type KmApplyState = z.infer<typeof KmApplyState>;

/** One version of one macro (from its exported file in the sync repo). */
export const KmMacroVersion = z.object({
  rev: z.string(),
  at: z.number(),
  host: z.string(),
  message: z.string(),
  name: z.string(),
  group: z.string(),
  /** This version is the macro's deletion. */
  deleted: z.boolean(),
});
export type KmMacroVersion = z.infer<typeof KmMacroVersion>;

export const KmMacroHistory = z.object({
  uid: z.string(),
  /** Its name now (or in its last version when it is no longer in the library). */
  name: z.string().nullable(),
  inLibrary: z.boolean(),
  /** km.exportMacros: without exports there is no per-macro history. */
  exported: z.boolean(),
  versions: z.array(KmMacroVersion),
});
export type KmMacroHistory = z.infer<typeof KmMacroHistory>;

export const KmRestoreResult = z.object({
  /** restored: Keyboard Maestro shows the version now; saved: written to a file to import by hand. */
  kind: z.enum(['restored', 'saved']),
  name: z.string(),
  group: z.string(),
  /** The version's machine and time. */
  host: z.string(),
  at: z.number(),
  /** The `.kmmacros` file written. */
  path: z.string(),
  /** Why it was only saved, and what to do about it. */
  reason: z.string().nullable(),
  fix: z.string().nullable(),
});
export type KmRestoreResult = z.infer<typeof KmRestoreResult>;

export const SyncPlan = z.object({
  actions: z.array(z.object({ path: z.string(), live: z.string(), action: z.string() })),
  skipped: z.array(SkippedFile),
});
export type SyncPlan = z.infer<typeof SyncPlan>;

/** A machine variant of a synced file (engine/sync/variants.ts). */
export const Variant = z.object({
  path: z.string(),
  suffix: z.string().nullable(),
  words: z.string(),
  here: z.boolean(),
  exists: z.boolean(),
});
export type Variant = z.infer<typeof Variant>;

/** A file stored encrypted in the repo (`PATH.age`), plain on each machine that has the identity. */
export const SecretFile = z.object({ path: z.string(), live: z.string().nullable(), canOpen: z.boolean() });
export type SecretFile = z.infer<typeof SecretFile>;

/** One file in a preview of a sync (engine/sync/preview.ts); `words` say what will happen to it. */
export const PreviewItem = z.object({
  path: z.string(),
  live: z.string(),
  what: z.enum(['arrives', 'replaces', 'yours-kept-beside', 'both-changed', 'removed', 'same', 'held', 'new', 'changed', 'deleted']),
  words: z.string(),
});
export type PreviewItem = z.infer<typeof PreviewItem>;

export const SyncPreview = z.object({
  /** Why the remote could not be asked (the preview then shows this machine's side only). */
  offline: z.string().nullable(),
  /** This machine has not joined the repo's history yet. */
  joining: z.boolean(),
  incoming: z.array(PreviewItem),
  outgoing: z.array(PreviewItem),
  profiles: z.array(z.object({ name: z.string(), title: z.string(), files: z.number().int(), enabled: z.boolean(), detected: z.boolean(), willEnable: z.boolean() })),
});
export type SyncPreview = z.infer<typeof SyncPreview>;

/** A pending change as text (`confsync diff`): local edits not committed, remote changes not applied. */
export const PendingDiff = PreviewItem.extend({
  direction: z.enum(['incoming', 'outgoing']),
  before: z.string().nullable(),
  after: z.string().nullable(),
  binary: z.boolean(),
});
export type PendingDiff = z.infer<typeof PendingDiff>;

/**
 * This machine's secrets identity (the one age identity shared by all the person's machines): whether
 * it is here, where it is kept ('keychain', or 'file': a 0600 file in the config folder when the
 * keychain cannot be used), and its public key. Never the identity itself (see identity-export).
 */
export const SecretIdentityStatus = z.object({
  exists: z.boolean(),
  where: z.enum(['keychain', 'file']).nullable(),
  recipient: z.string().nullable(),
  /** The file holding it when `where` is 'file'. */
  file: z.string().nullable(),
  /** Why the keychain is not used, in its own words (when it failed or is turned off). */
  keychainProblem: z.string().nullable(),
});
export type SecretIdentityStatus = z.infer<typeof SecretIdentityStatus>;

export const requests = {
  'state:get': { req: Empty, res: AppState },
  /** `apply`: changes from other machines are applied even in 'ask' mode (the person reviewed them). */
  'sync:now': { req: z.object({ adoptRemote: z.boolean().optional(), apply: z.boolean().optional() }).strict().optional(), res: SyncResult },
  'sync:set-paused': { req: z.object({ paused: z.boolean() }).strict(), res: Ok },
  'settings:get': { req: Empty, res: Settings },
  'settings:update': { req: z.object({ patch: SettingsPatch }).strict(), res: Settings },
  'profiles:catalog': { req: Empty, res: z.array(CatalogEntryState) },
  'profiles:list': { req: Empty, res: z.array(ProfileDefinition) },
  'profiles:set-enabled': { req: z.object({ name: ProfileName, enabled: z.boolean() }).strict(), res: Ok },
  'profiles:save': { req: z.object({ profile: ProfileDefinition }).strict(), res: Ok },
  'profiles:remove': { req: z.object({ name: ProfileName }).strict(), res: Ok },
  'profiles:preview': {
    req: z.object({ profile: ProfileDefinition }).strict(),
    res: z.object({ files: z.array(z.string()), total: z.number().int(), truncated: z.boolean(), error: z.string().nullable() }),
  },
  'repo:test-connection': { req: z.object({ url: z.string().min(1).max(4096).optional() }).strict().optional(), res: TestConnectionResult },
  'conflicts:detail': { req: z.object({ path: PathArg, from: z.string().min(1).max(64).optional() }).strict(), res: ConflictDetail },
  'conflicts:resolve': {
    req: z
      .object({
        path: PathArg,
        keep: z.enum(['mine', 'theirs', 'both']),
        /** With several other versions: the host whose version "theirs" means. */
        from: z.string().min(1).max(64).optional(),
      })
      .strict(),
    res: SyncResult,
  },
  'history:files': { req: Empty, res: z.array(SyncedFile) },
  'history:list': { req: z.object({ path: PathArg }).strict(), res: z.array(HistoryEntry) },
  'history:show': {
    req: z.object({ path: PathArg, rev: Rev }).strict(),
    res: z.object({ content: z.string().nullable(), binary: z.boolean(), current: z.string().nullable() }),
  },
  'history:restore': { req: z.object({ path: PathArg, rev: Rev }).strict(), res: SyncResult },
  /** Recent changes across all synced files, newest first; by profile or path; `before` pages back. */
  'history:timeline': {
    req: z.object({ profile: ProfileName.optional(), path: PathArg.optional(), limit: z.number().int().min(1).max(500).optional(), before: Rev.optional() }).strict().optional(),
    res: z.array(TimelineEntry),
  },
  /** One change's files with their text before and after it. */
  'history:change': {
    req: z.object({ rev: Rev }).strict(),
    res: z.object({
      entry: TimelineEntry,
      files: z.array(z.object({ path: z.string(), live: z.string().nullable(), change: z.enum(['added', 'modified', 'deleted']), before: z.string().nullable(), after: z.string().nullable(), binary: z.boolean() })),
    }),
  },
  /** Restores every file of one change to its version right after it (never deletes). */
  'history:restore-change': { req: z.object({ rev: Rev }).strict(), res: SyncResult },
  'paths:resolve': { req: z.object({ path: PathArg, history: z.boolean().optional() }).strict(), res: z.object({ path: z.string(), livePath: z.string().nullable() }) },
  'ignore:list': { req: Empty, res: z.array(z.string()) },
  'ignore:add': { req: z.object({ pattern: z.string().min(1).max(1000) }).strict(), res: z.array(z.string()) },
  'ignore:remove': { req: z.object({ pattern: z.string().min(1).max(1000) }).strict(), res: z.array(z.string()) },
  'sync:plan': { req: Empty, res: SyncPlan },
  'variants:list': { req: z.object({ path: PathArg }).strict(), res: z.array(Variant) },
  /** `for`: host:NAME, class:NAME or os:macos|linux|windows (several joined by commas). */
  'variants:add': { req: z.object({ path: PathArg, for: z.string().min(1).max(200) }).strict(), res: SyncResult },
  'secrets:list': { req: Empty, res: z.array(SecretFile) },
  /** `url`/`branch`: preview a remote that is not saved yet (nothing is saved by looking). */
  'sync:preview': { req: z.object({ url: z.string().min(1).max(4096).optional(), branch: z.string().min(1).max(255).optional() }).strict().optional(), res: SyncPreview },
  'sync:diff': { req: z.object({ path: PathArg.optional(), url: z.string().min(1).max(4096).optional(), branch: z.string().min(1).max(255).optional() }).strict().optional(), res: z.array(PendingDiff) },
  /** Joins: turns on the profiles the preview would (or the ones named), then syncs. */
  'sync:join': { req: z.object({ profiles: z.array(ProfileName).max(200).optional() }).strict().optional(), res: SyncResult },
  'secrets:add': { req: z.object({ path: PathArg }).strict(), res: SyncResult },
  'secrets:remove': { req: z.object({ path: PathArg }).strict(), res: SyncResult },
  'secrets:identity-status': { req: Empty, res: SecretIdentityStatus },
  /** Makes the identity on the first machine; refused when this machine has one. */
  'secrets:identity-create': { req: Empty, res: SecretIdentityStatus },
  /** The identity itself (`AGE-SECRET-KEY-1…`), to copy to another machine: a private key. */
  'secrets:identity-show': { req: Empty, res: z.object({ identity: z.string(), recipient: z.string() }) },
  /**
   * Keeps a pasted identity (the key line, or an age identity file with comments). A wrong value is
   * an error naming what is wrong and nothing is stored; a different identity than this machine's is
   * refused unless `replace`.
   */
  'secrets:identity-set': {
    req: z.object({ identity: z.string().max(20_000), replace: z.boolean().optional() }).strict(),
    res: SecretIdentityStatus.extend({ changed: z.boolean() }),
  },
  'km:macros': { req: Empty, res: z.array(KmMacro) },
  'km:apply-state': { req: Empty, res: KmApplyState },
  /** Asks Keyboard Maestro again now (the permission may have been granted) and syncs. */
  'km:apply-retry': { req: Empty, res: KmApplyState },
  'km:history': { req: z.object({ uid: KmMacroUid }).strict(), res: KmMacroHistory },
  /** One version's `.kmmacros` as text, and the macro as it is now (null when absent). */
  'km:version': { req: z.object({ uid: KmMacroUid, rev: Rev }).strict(), res: z.object({ content: z.string().nullable(), current: z.string().nullable() }) },
  /** `rev` omitted: the newest version that exists (the one before its deletion). */
  'km:restore': { req: z.object({ uid: KmMacroUid, rev: Rev.optional() }).strict(), res: KmRestoreResult },
  /** Opens the macro in the Keyboard Maestro editor. */
  'km:show-macro': { req: z.object({ uid: KmMacroUid }).strict(), res: z.object({ via: z.enum(['keyboardmaestro', 'osascript']) }) },
  'app:open-sync-folder': { req: Empty, res: Ok },
  'app:show-logs': { req: Empty, res: Ok },
} as const;

export const pushes = {
  'state:changed': AppState,
  /** Ask a window to show a preferences tab (e.g. after a notification click). */
  'ui:show-tab': z.object({ tab: z.string() }),
} as const;

export type Requests = typeof requests;
export type RequestChannel = keyof Requests;
export type RequestOf<C extends RequestChannel> = z.input<Requests[C]['req']>;
export type ResponseOf<C extends RequestChannel> = z.infer<Requests[C]['res']>;
export type PushChannel = keyof typeof pushes;
export type PushOf<C extends PushChannel> = z.infer<(typeof pushes)[C]>;

export const requestChannels = Object.keys(requests) as RequestChannel[];
export const pushChannels = Object.keys(pushes) as PushChannel[];

export class ContractError extends Error {
  constructor(
    message: string,
    readonly code: 'unknown-channel' | 'invalid-payload' | 'forbidden' | 'handler-error',
  ) {
    super(message);
    this.name = 'ContractError';
  }
}

export function isRequestChannel(c: unknown): c is RequestChannel {
  return typeof c === 'string' && Object.prototype.hasOwnProperty.call(requests, c);
}

/** Parses an incoming request; throws ContractError (never ignores) on unknown channel or bad payload. */
export function parseRequest<C extends RequestChannel>(channel: unknown, payload: unknown): { channel: C; payload: z.infer<Requests[C]['req']> } {
  if (!isRequestChannel(channel)) {
    throw new ContractError(`unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}`, 'unknown-channel');
  }
  const schema = requests[channel].req as z.ZodType;
  const r = schema.safeParse(payload ?? undefined);
  if (!r.success) {
    throw new ContractError(`invalid payload for ${channel}: ${describeZodError(r.error)}`, 'invalid-payload');
  }
  return { channel: channel as C, payload: r.data as z.infer<Requests[C]['req']> };
}

/** One line: `key.path: message; other.key: message`. */
export function describeZodError(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

export { methodName, listenerName } from './channels.js';

// The preload's plain name lists must match the contract exactly (compile-time check both ways).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _requestNamesMatch: Same<(typeof REQUEST_CHANNELS)[number], RequestChannel> = true;
const _pushNamesMatch: Same<(typeof PUSH_CHANNELS)[number], PushChannel> = true;
void _requestNamesMatch;
void _pushNamesMatch;

/** The API a renderer sees, whatever the transport. */
export type ConfSyncApi = {
  invoke<C extends RequestChannel>(channel: C, payload?: RequestOf<C>): Promise<ResponseOf<C>>;
  on<C extends PushChannel>(channel: C, listener: (payload: PushOf<C>) => void): () => void;
};

/** Wire format of the WebSocket transport. */
export const WireRequest = z.object({ id: z.number().int().nonnegative(), channel: z.string().max(100), payload: z.unknown().optional() });
export type WireMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number | null; ok: false; error: { code: string; message: string } }
  | { push: PushChannel; payload: unknown };
