/**
 * File-watching layer: watcher backends (parcel / chokidar / polling) behind createWatcher, ignore
 * rules, and the coalescer that turns raw events into debounced, de-duplicated batches.
 * See README.md in this directory.
 */
export type {
  RawEventType,
  RawEvent,
  WatchTarget,
  BackendName,
  WatcherOptions,
  WatcherStatus,
  TargetStatus,
  Watcher,
  WatchBackend,
  HostSpec,
  BackendEvent,
  BackendSink,
  BackendContext,
  BackendSubscription,
} from './types.js';
export { createWatcher, defaultBackendFactory, DEFAULT_NATIVE_IGNORE_GLOBS } from './watcher.js';
export { Coalescer } from './coalescer.js';
export type { ChangeBatch, Change, ChangeKind, CoalescerClock, CoalescerOptions } from './coalescer.js';
export { createIgnoreFilter, BUILTIN_NOISE_PATTERNS } from './ignore.js';
export type { IgnoreFilter, IgnoreFilterOptions, IgnoreFileSpec } from './ignore.js';
export { createChokidarBackend } from './backend-chokidar.js';
export { createParcelBackend } from './backend-parcel.js';
export { createPollingBackend } from './backend-polling.js';
export { walkTree, diffSnapshots, type Snapshot } from './walk.js';
export { networkFsType, NETWORK_FS_TYPES } from './netfs.js';
