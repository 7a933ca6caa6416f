/** What the sync modules (reconcile, merge, cycle, actions) share: the engine's parts, as one typed object. */
import type { GitRunner } from '../git/runner.js';
import type { Settings } from '../../../shared/settings.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import type { ProfileSet } from '../profiles-set.js';
import type { Formats } from '../formats/index.js';
import type { HostPorts } from '../ports.js';
import type { AppStore } from '../state/app-store.js';
import type { Emitter } from '../util/emitter.js';
import type { LiveWriteGuard } from './guards.js';
import type { PathMap } from './paths.js';
import type { ConflictStore } from './conflicts.js';
import type { ModesFile } from './modes.js';
import type { Status } from './status.js';
import type { EngineEvents } from './events.js';
import type { LiveAccess } from './live-access.js';
import type { PlainIds, SealedSet, Sealer } from './sealed.js';

export interface SyncContext {
  git: GitRunner;
  repoDir: string;
  host: string;
  /** The names this config dir has run under, the current first (a machine renamed keeps its conflicts). */
  hostNames: readonly string[];
  home: string;
  platform: NodeJS.Platform;
  settings(): Settings;
  snapshot: Snapshot;
  profiles: ProfileSet;
  paths: PathMap;
  formats: Formats;
  conflicts: ConflictStore;
  modes: ModesFile;
  guards: { liveWrite: LiveWriteGuard[]; commit: ((repoPath: string, content: Buffer) => Promise<string | null>)[] };
  status: Status;
  store: AppStore;
  events: Emitter<EngineEvents>;
  ports: HostPorts;
  /** Live reads and writes, through a feature's port where one owns the path. */
  live: LiveAccess;
  /** Encrypted files: which they are, the age port, and the plain id of each encrypted blob. */
  sealed: SealedSet;
  sealer: Sealer;
  plainIds: PlainIds;
  /** Ignore rules for the enabled profiles (built-in noise, excludes, .gitignore, .confsyncignore). */
  ignore(): (abs: string, isDir?: boolean) => boolean;
}
