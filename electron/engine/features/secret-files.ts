/**
 * Encrypted files' identity as a feature: the one IdentityStore of this host (keychain, else a 0600
 * file in the config dir), the age Sealer the engine seals and opens `PATH.age` files with, and the
 * contract's `secrets:identity-*` handlers. Passed to Engine.open like every feature
 * (`defaultFeatures({ secretFiles: { configDir } })`); the CLI also uses `identityHandlers` directly
 * when no host runs (nothing else of the engine is needed to show or import an identity).
 */
import type { Sealer } from '../sync/sealed.js';
import type { SecretIdentityStatus } from '../../../shared/contract.js';
import { ageSealer } from '../secrets/age.js';
import { IdentityError, IdentityStore, defaultKeychain, IMPORT_HINT, type Keychain } from '../secrets/identity.js';
import type { Feature, FeatureHandlers } from './feature.js';

export interface SecretFilesOptions {
  configDir: string;
  /**
   * The keychain port. Default: the OS keychain (@napi-rs/keyring), or none with CONFSYNC_KEYCHAIN=off.
   * The desktop app may pass Electron's safeStorage (electron/shell/safe-storage.ts). null: file only.
   */
  keychain?: Keychain | null;
}

export type IdentityHandlers = Required<Pick<FeatureHandlers, 'secretIdentityStatus' | 'secretIdentityCreate' | 'secretIdentityShow' | 'secretIdentitySet'>>;

export interface SecretFilesFeature extends Feature {
  readonly sealer: Sealer;
  readonly identity: IdentityStore;
  readonly handlers: IdentityHandlers;
}

export function identityHandlers(store: IdentityStore): IdentityHandlers {
  return {
    secretIdentityStatus: () => store.status(),
    secretIdentityCreate: async () => {
      await store.create();
      return store.status();
    },
    secretIdentityShow: async () => {
      const identity = await store.get();
      const recipient = await store.recipient();
      if (!identity || !recipient) {
        throw new IdentityError(`this machine has no secrets identity to show: create one on your first machine (\`confsync secret identity --create\`), or ${IMPORT_HINT}`);
      }
      return { identity, recipient };
    },
    secretIdentitySet: async (text, replace) => {
      const r = await store.import(text, { replace });
      const st: SecretIdentityStatus = await store.status();
      return { ...st, changed: r.changed };
    },
  };
}

export function secretFilesFeature(o: SecretFilesOptions): SecretFilesFeature {
  const identity = new IdentityStore({ configDir: o.configDir, keychain: o.keychain === undefined ? defaultKeychain() : o.keychain });
  return {
    name: 'secret-files',
    identity,
    sealer: ageSealer(identity),
    handlers: identityHandlers(identity),
  };
}
