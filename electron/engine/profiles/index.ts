export { loadCatalog, catalogEntry, parseCatalog, CATALOG_NAME } from './catalog.js';
export {
  ProfileError,
  expandHome,
  platformPath,
  repoKeyOf,
  resolveProfile,
  liveToRepo,
  repoToLive,
  mapLivePath,
  isExcluded,
  findProfileForRepoPath,
  findProfileForLivePath,
  validateProfileDefinition,
  escapeGlobLiteral,
} from './paths.js';
export type { ResolvedEntry, ResolvedProfile, ProfileInput, Platform, LiveMapping } from './paths.js';
export { listProfileFiles, isDetected, tooLargeReason } from './scan.js';
export type { ScannedFile, ScanResult, ScanOptions, ScanFs } from './scan.js';
export {
  PROFILES_FILE,
  PROFILES_FILE_VERSION,
  profilesFilePath,
  readProfilesFile,
  writeProfilesFile,
  serializeProfiles,
  upsertProfile,
  removeProfile,
  effectiveProfiles,
  effectiveProfilesWithSource,
} from './store.js';
export type { ReadProfilesResult, ProfileSource } from './store.js';
