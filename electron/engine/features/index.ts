/** The features every host runs, as data for Engine.open. */
import type { Feature } from './feature.js';
import { secretsFeature } from './secrets.js';
import { kmFeature, type KmFeatureOptions } from './km.js';
import { peersFeature, type StartPeersOptions } from '../peers/start.js';
import { prefsFeature, type PrefsFeatureOptions } from './prefs.js';

export type { Feature, LiveWriteGuard, CommitGuard, GuardEnv } from './feature.js';
export { secretsFeature, kmFeature, peersFeature, prefsFeature };

/** `prefs`: macOS preference domains through cfprefsd (inactive elsewhere); pass `home` and `profileFor`. */
export function defaultFeatures(o: { km?: KmFeatureOptions; peers?: StartPeersOptions; prefs?: PrefsFeatureOptions } = {}): Feature[] {
  return [secretsFeature(), kmFeature(o.km), peersFeature(o.peers), prefsFeature(o.prefs)];
}
