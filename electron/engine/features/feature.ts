/**
 * Features are data passed to Engine.open: what they guard, which file formats they know, which
 * contract channels they answer, and how they start and stop. Nothing registers itself on import, so
 * every host (the desktop app, the daemon, one-shot CLI commands, tests, the bench) runs the same
 * engine with the same guards: the Keyboard Maestro live-write guard is part of the engine everywhere.
 */
import type { Codec } from '../formats/codec.js';
import type { Sealer } from '../sync/sealed.js';
import type { ConflictDetail, KmMacro } from '../../../shared/contract.js';
import type { SecretIdentityStatus } from '../../../shared/contract.js';
import type { Engine } from '../engine.js';
import type { LiveWriteGuard, CommitGuard, LiveIO } from '../sync/guards.js';

export type { LiveWriteGuard, CommitGuard, GuardEnv, LiveIO, LiveApplyContext } from '../sync/guards.js';

export interface FeatureHandlers {
  kmMacros?: () => KmMacro[];
  /** Per-macro view of a Keyboard Maestro library conflict. */
  conflictDetail?: (path: string, mine: Buffer | null, theirs: Buffer | null) => ConflictDetail['macros'] | undefined;
  /** The secrets identity (features/secret-files.ts): status, create, export (the private key), import. */
  secretIdentityStatus?: () => Promise<SecretIdentityStatus>;
  secretIdentityCreate?: () => Promise<SecretIdentityStatus>;
  secretIdentityShow?: () => Promise<{ identity: string; recipient: string }>;
  secretIdentitySet?: (identity: string, replace?: boolean) => Promise<SecretIdentityStatus & { changed: boolean }>;
}

export interface Feature {
  readonly name: string;
  readonly guards?: { liveWrite?: LiveWriteGuard[]; commit?: CommitGuard[] };
  readonly codecs?: Codec[];
  /** Live paths read and written through their owner (macOS preference domains through cfprefsd). */
  readonly liveIO?: LiveIO[];
  /** Encrypts and decrypts files stored as `PATH.age` (the secrets identity); one feature provides it. */
  readonly sealer?: Sealer;
  readonly handlers?: FeatureHandlers;
  /** Called by Engine.start when the engine runs its watchers (not for one-shot commands). */
  start?(engine: Engine): Promise<void>;
  stop?(): Promise<void>;
}
