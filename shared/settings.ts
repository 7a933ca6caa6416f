/**
 * Local settings of one machine: `config.json` in the config dir.
 *
 * Both hosts (electron-store in Electron, `conf` in the headless host) read and write this file; this
 * zod schema is the only definition of its shape. Profile *definitions* are not here: they live in the
 * sync repo (`.confsync/profiles.json`) so every machine shares them. Which profiles are enabled on this
 * machine is local, and is here.
 */
import { z } from 'zod';

export const NotificationLevel = z.enum(['none', 'errors', 'all']);
export type NotificationLevel = z.infer<typeof NotificationLevel>;

export const WatcherBackendSetting = z.enum(['auto', 'chokidar', 'parcel', 'polling']);
export type WatcherBackendSetting = z.infer<typeof WatcherBackendSetting>;

const Bounds = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});

export const SyncSettings = z
  .object({
    /** Periodic sync interval. 0 is refused: a schedule must exist as the fallback for missed hints. */
    intervalSec: z.number().int().min(10).max(86_400).default(300),
    /**
     * Quiet time before a change is committed: a lone save waits a quarter of it, and each further
     * burst of writes doubles the wait up to this.
     */
    debounceMs: z.number().int().min(50).max(600_000).default(1000),
    /** A burst cannot postpone a commit longer than this. */
    maxWaitMs: z.number().int().min(100).max(3_600_000).default(10_000),
    /** Files larger than this are skipped (never truncated) and reported. */
    maxFileBytes: z.number().int().min(1).max(1024 * 1024 * 1024).default(5 * 1024 * 1024),
    /** A profile matching more files than this is refused with a clear message. */
    maxFilesPerProfile: z.number().int().min(1).max(10_000_000).default(50_000),
    /** `{date}`, `{host}`, `{count}`, `{nfiles}` ("1 file"/"3 files"), `{files}` are replaced. */
    commitTemplate: z.string().min(1).max(500).default('{host}: {nfiles} changed ({files})'),
    watcherBackend: WatcherBackendSetting.default('auto'),
    /** Interval of the polling fallback (and of the safety-net rescan). */
    pollIntervalMs: z.number().int().min(100).max(3_600_000).default(2000),
    /** Kill a git network operation that stays silent this long. */
    gitTimeoutMs: z.number().int().min(1000).max(3_600_000).default(60_000),
    /**
     * Changes from other machines: applied as they arrive ('auto'), or held for a review ('ask': the
     * popover says how many wait; applying them is one click, or `confsync sync --apply`).
     */
    applyIncoming: z.enum(['auto', 'ask']).default('auto'),
  })
  .prefault({});
export type SyncSettings = z.infer<typeof SyncSettings>;

export const RemoteSettings = z
  .object({
    url: z.string().min(1).max(4096).nullable().default(null),
    branch: z
      .string()
      .min(1)
      .max(255)
      .regex(/^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]+$/, 'not a valid branch name')
      .default('main'),
  })
  .prefault({});

export const KmSettings = z
  .object({
    enabled: z.boolean().default(true),
    /** null means the default location under ~/Library/Application Support/Keyboard Maestro. */
    libraryPath: z.string().min(1).nullable().default(null),
    baseIntervalMs: z.number().int().min(100).max(3_600_000).default(30_000),
    fastIntervalMs: z.number().int().min(100).max(3_600_000).default(5_000),
    slowIntervalMs: z.number().int().min(100).max(3_600_000).default(120_000),
    /** Export one .kmmacros file per macro into the sync repo. */
    exportMacros: z.boolean().default(true),
  })
  .prefault({});

export const PeerSettings = z
  .object({
    server: z.boolean().default(false),
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(8765),
    urls: z.array(z.string().url()).max(64).default([]),
    /** Shared HMAC secret. CONFSYNC_PEER_SECRET overrides it. */
    secret: z.string().min(16).nullable().default(null),
    rateLimitPerMin: z.number().int().min(1).max(100_000).default(60),
  })
  .prefault({});

export const SecretsSettings = z
  .object({
    /** Repo-relative or live paths (globs allowed) the secrets guard lets through. */
    allowPaths: z.array(z.string().min(1)).default([]),
    /** Finding fingerprints (shown in the state and CLI) the person has allowed. */
    allowFindings: z.array(z.string().min(1)).default([]),
  })
  .prefault({});

/**
 * What this machine is, beyond its host name: labels ("work", "laptop") that per-machine blocks in
 * synced files match with `class=NAME` (electron/engine/formats/blocks.ts; machine facts in
 * electron/engine/machine.ts). Same characters as hostName; compared case-insensitively.
 */
export const MachineClass = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, underscore and dash only');

export const MachineSettings = z
  .object({
    /** This machine's classes; none by default. */
    classes: z.array(MachineClass).max(32).default([]),
  })
  .prefault({});
export type MachineSettings = z.infer<typeof MachineSettings>;

export const UiSettings = z
  .object({
    port: z.number().int().min(0).max(65_535).default(0),
    popoverBounds: Bounds.nullable().default(null),
    preferencesBounds: Bounds.nullable().default(null),
  })
  .prefault({});

export const Settings = z
  .object({
    schemaVersion: z.literal(1).default(1),
    /** The sync repo's working tree. null: `<config dir>/repo`. */
    repoPath: z.string().min(1).nullable().default(null),
    /** Host name used in commit messages and conflict copies. null: os.hostname(). */
    hostName: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, underscore and dash only')
      .nullable()
      .default(null),
    /** Names of the profiles enabled on this machine. null: not chosen yet (first run detects). */
    enabledProfiles: z.array(z.string().min(1)).nullable().default(null),
    /** This machine's classes (labels such as "work") for per-machine blocks; host name and OS are known. */
    machine: MachineSettings,
    remote: RemoteSettings,
    sync: SyncSettings,
    notifications: z.object({ level: NotificationLevel.default('errors') }).prefault({}),
    startAtLogin: z.boolean().default(false),
    paused: z.boolean().default(false),
    km: KmSettings,
    peers: PeerSettings,
    secrets: SecretsSettings,
    ui: UiSettings,
  })
  .strict();
export type Settings = z.infer<typeof Settings>;

/** A deep-partial patch as sent by the renderer or the CLI; the merged result is validated whole. */
export const SettingsPatch = z.record(z.string(), z.unknown());
export type SettingsPatch = Record<string, unknown>;

export function defaultSettings(): Settings {
  return Settings.parse({});
}
