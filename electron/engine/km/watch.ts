/**
 * Optional file watcher for the library: calls `onChange` (typically `poller.trigger()`) when the file
 * is added, changed or removed. It watches the parent folder (depth 0) and filters by name, because KM
 * saves by writing a new file and renaming it over the old one, which a watch on the file itself would
 * lose. The poller's own schedule stays the safety net: watcher events can be dropped.
 */
import { basename, dirname, resolve } from 'node:path';
import { watch } from 'chokidar';

export interface LibraryWatch {
  /** Resolves once the watcher has scanned the folder and reports changes. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export function watchLibraryFile(libraryPath: string, onChange: () => void, onError?: (err: Error) => void): LibraryWatch {
  const file = resolve(libraryPath);
  const dir = dirname(file);
  const name = basename(file);
  const watcher = watch(dir, {
    depth: 0,
    ignoreInitial: true,
    ignored: (p: string) => resolve(p) !== dir && basename(p) !== name,
  });
  const fire = (p: string) => {
    if (basename(p) === name) onChange();
  };
  const ready = new Promise<void>((r) => watcher.once('ready', () => r()));
  watcher.on('add', fire).on('change', fire).on('unlink', fire);
  watcher.on('error', (err) => onError?.(err instanceof Error ? err : new Error(String(err))));
  return { ready, close: () => watcher.close() };
}
