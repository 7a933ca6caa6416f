/** Keyboard Maestro library support: read, diff, poll, export, merge, restore. */
export {
  KmLibraryError,
  isPlistDict,
  type KmFormat,
  type KmGroup,
  type KmLibrary,
  type KmLibraryErrorCode,
  type KmMacroRecord,
  type KmRoot,
  type PlistDict,
  type PlistValue,
} from './types.js';
export { readLibrary, parseLibrary, normaliseLibrary, toEpochMs, COCOA_EPOCH_OFFSET_S } from './reader.js';
export {
  diffLibraries,
  librarySummary,
  macroState,
  groupState,
  type KmEvent,
  type KmEventType,
  type KmMacroEvent,
  type KmGroupEvent,
  type KmReloadEvent,
  type KmMacroState,
  type KmGroupState,
  type KmLibrarySummary,
} from './diff.js';
export {
  KmPoller,
  realClock,
  realFs,
  type KmClock,
  type KmFs,
  type KmFileStat,
  type KmPollerOptions,
  type KmPollerPorts,
  type KmEventsListener,
  type KmStateListener,
  type KmErrorListener,
} from './poller.js';
export { exportLibrary, buildMacroFile, macroFileContent, macroExportPath, KMMACROS_EXT, type ExportResult, type ExportOptions } from './export.js';
export { mergeLibraries, mergeDicts, type KmMergeConflict, type KmMergeConflictKind, type KmMergeResult } from './merge.js';
export { serializeLibrary } from './serialize.js';
export { PlistEncodeError, detectFormat } from './plist-codec.js';
export { safeName, groupFolderName, macroFileName, macroFileSuffix } from './filenames.js';
export {
  buildImportCommand,
  OsascriptImporter,
  isKmEngineRunning,
  restoreMacroFile,
  execFileRunner,
  commandRunner,
  kmSupportDir,
  type CommandRunner,
  type CommandResult,
  type MacroImporter,
  type RestoreOptions,
  type RestoreResult,
} from './restore.js';
export { watchLibraryFile, type LibraryWatch } from './watch.js';
