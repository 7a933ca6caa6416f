/**
 * Real chokidar watcher wired to a real-clock KmPoller: a save (write + rename, as KM does) leads to a
 * poll and the right events. Waits for behaviour (vi.waitFor), never asserts on timing.
 */
import { mkdtempSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KmPoller, watchLibraryFile, type KmEvent, type LibraryWatch } from '../../../electron/engine/km/index.js';
import { cloneRoot, generateLibrary, macroOf, writeLibrary } from '../../helpers/km-library.js';

let watch: LibraryWatch | null = null;
let poller: KmPoller | null = null;
afterEach(async () => {
  poller?.stop();
  await watch?.close();
  watch = null;
  poller = null;
});

describe('watchLibraryFile + KmPoller', () => {
  it('a save via rename triggers a poll that reports the change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'km-watch-'));
    const path = join(dir, 'Keyboard Maestro Macros.plist');
    const root = generateLibrary({ groups: 2, macrosPerGroup: 3, seed: 11 });
    writeLibrary(path, root, 'binary');
    // long periodic interval: only the watcher can cause the second poll
    poller = new KmPoller({ libraryPath: path, baseIntervalMs: 3_600_000, triggerDebounceMs: 50, batchMs: 0 });
    const events: KmEvent[] = [];
    poller.onEvents((e) => events.push(...e));
    poller.start();
    await vi.waitFor(() => expect(events.map((e) => e.type)).toEqual(['library_reloaded']), { timeout: 10_000 });

    let triggers = 0;
    const p = poller;
    watch = watchLibraryFile(path, () => {
      triggers++;
      p.trigger();
    });
    await watch.ready;

    const next = cloneRoot(root);
    macroOf(next, 'Macro 1.2').macro.IsActive = false;
    writeLibrary(join(dir, 'save.tmp'), next, 'binary');
    renameSync(join(dir, 'save.tmp'), path);
    await vi.waitFor(() => expect(events.map((e) => `${e.type}:${e.name}`)).toContain('macro_disabled:Macro 1.2'), { timeout: 10_000 });
    expect(triggers).toBeGreaterThan(0);
    expect(events.filter((e) => e.type !== 'library_reloaded')).toHaveLength(1);
  });
});
