/** The features every host runs, as data for Engine.open. */
import type { Feature } from './feature.js';
import { secretsFeature } from './secrets.js';
import { kmFeature, type KmFeatureOptions } from './km.js';
import { peersFeature, type StartPeersOptions } from '../peers/start.js';
import { prefsFeature, type PrefsFeatureOptions } from './prefs.js';
import { secretFilesFeature, type SecretFilesOptions } from './secret-files.js';
import { repoMaintenanceFeature, type MaintenanceOptions, type MaintenanceFeature } from './maintenance.js';

export type { Feature, LiveWriteGuard, CommitGuard, GuardEnv } from './feature.js';
export { secretsFeature, kmFeature, peersFeature, prefsFeature };
export { secretFilesFeature, type SecretFilesOptions };
export { repoMaintenanceFeature, type MaintenanceOptions, type MaintenanceFeature };

/**
 * `prefs`: macOS preference domains through cfprefsd (inactive elsewhere); pass `home` and `profileFor`.
 * `secretFiles`: the secrets identity and the age sealer for `PATH.age` files (needs the config dir;
 * without it encrypted files cannot be opened or sealed on this host).
 * `maintenance`: the repo's object store kept packed while the engine runs (features/maintenance.ts).
 */
export function defaultFeatures(o: { km?: KmFeatureOptions; peers?: StartPeersOptions; prefs?: PrefsFeatureOptions; secretFiles?: SecretFilesOptions; maintenance?: MaintenanceOptions } = {}): Feature[] {
  return [secretsFeature(), kmFeature(o.km), peersFeature(o.peers), prefsFeature(o.prefs), ...(o.secretFiles ? [secretFilesFeature(o.secretFiles)] : []), repoMaintenanceFeature(o.maintenance)];
}
