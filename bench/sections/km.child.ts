/** Child side of the Keyboard Maestro section (see km.ts). */
import { mkdirSync, renameSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { KmPoller, parseLibrary, diffLibraries } from '../../electron/engine/km/index.js';
import { generateLibrary, macroOf, writeLibrary, cloneRoot, type PlistDict } from '../../test/helpers/km-library.js';
import { memory } from '../lib/measure.js';

export interface KmParams {
  dir: string;
  unchangedPolls: number;
  changedPolls: number;
  warmup: number;
  formats: ('binary' | 'xml')[];
}

export interface KmFormatResult {
  format: 'binary' | 'xml';
  fileBytes: number;
  macros: number;
  firstLoadMs: number;
  unchangedMs: number[];
  changedMs: number[];
  parseMs: number[];
  diffMs: number[];
  eventsPerChange: number[];
  retainedHeapMb: number;
  rssMb: number;
}

export async function kmChild(p: KmParams): Promise<KmFormatResult[]> {
  const out: KmFormatResult[] = [];
  for (const format of p.formats) {
    const dir = join(p.dir, format);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'Keyboard Maestro Macros.plist');
    const root0 = generateLibrary({ groups: 20, macrosPerGroup: 100, seed: 2024 });
    const buf0 = writeLibrary(path, root0, format);
    let mtime = 1_900_000_000;
    const bump = () => {
      mtime += 10;
      utimesSync(path, mtime, mtime);
    };
    bump();
    const before = memory(true);
    const poller = new KmPoller({ libraryPath: path, batchMs: 0 });
    let events = 0;
    poller.onEvents((e) => (events += e.length));
    let t = performance.now();
    await poller.pollNow();
    const firstLoadMs = performance.now() - t;
    const loaded = memory(true);
    const macros = poller.getState().macros;
    if (macros !== 2000) throw new Error(`expected 2000 macros, got ${macros}`);

    const unchangedMs: number[] = [];
    const skips0 = poller.getState().skips;
    for (let i = 0; i < p.unchangedPolls + 20; i++) {
      t = performance.now();
      await poller.pollNow();
      if (i >= 20) unchangedMs.push(performance.now() - t);
    }
    if (poller.getState().skips - skips0 !== p.unchangedPolls + 20) throw new Error('unchanged polls did not take the cheap path');

    const changedMs: number[] = [];
    const eventsPerChange: number[] = [];
    const parseMs: number[] = [];
    const diffMs: number[] = [];
    let prevLib = parseLibrary(buf0);
    const polls = format === 'xml' ? Math.max(1, Math.ceil(p.changedPolls / 2)) : p.changedPolls; // XML is slow to write
    for (let k = 0; k < polls + p.warmup; k++) {
      const next = cloneRoot(root0);
      const m = macroOf(next, `Macro ${k % 20}.${(k * 7) % 100}`).macro;
      (m.Actions as PlistDict[])[0]!.Text = `changed ${k}`;
      m.ModificationDate = 800000000 + k;
      const tmp = join(dir, 'tmp.plist');
      writeLibrary(tmp, next, format);
      renameSync(tmp, path); // KM saves by replacing the file
      bump();
      const e0 = events;
      t = performance.now();
      await poller.pollNow();
      const dt = performance.now() - t;
      if (k >= p.warmup) {
        changedMs.push(dt);
        eventsPerChange.push(events - e0);
      }
      // Split: parse alone, diff alone (same bytes).
      const buf = readFileSync(path);
      t = performance.now();
      const lib = parseLibrary(buf);
      const pm = performance.now() - t;
      t = performance.now();
      diffLibraries(prevLib, lib, Date.now());
      const dm = performance.now() - t;
      prevLib = lib;
      if (k >= p.warmup) {
        parseMs.push(pm);
        diffMs.push(dm);
      }
    }
    const after = memory(true);
    out.push({
      format,
      fileBytes: buf0.length,
      macros,
      firstLoadMs,
      unchangedMs,
      changedMs,
      parseMs,
      diffMs,
      eventsPerChange,
      retainedHeapMb: loaded.heapUsedMb - before.heapUsedMb,
      rssMb: after.rssMb,
    });
    poller.stop();
  }
  return out;
}
