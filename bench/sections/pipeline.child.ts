/** Child side of the event-pipeline section (see pipeline.ts). */
import { now } from '../lib/measure.js';
import { rng } from '../lib/tree.js';
import { Coalescer, createIgnoreFilter, type RawEvent, type ChangeBatch } from '../../electron/engine/watch/index.js';

export interface PipelineParams {
  sizes: { n: number; warmup: number; repeats: number }[];
}

export interface PipelineResult {
  n: number;
  totalMs: number[];
  filterMs: number[];
  coalesceMs: number[];
  kept: number;
  changes: number;
}

const ROOT = '/bench-home/.config';
const APPS = ['nvim', 'kitty', 'zsh', 'git', 'vscode', 'tmux', 'karabiner', 'hammerspoon'];
const NOISE = ['.settings.json.swp', 'init.lua~', 'config.tmp', '.DS_Store', 'settings.json.1234567890', '4913', '.#notes.org'];

function makeEvents(n: number, seed: number): RawEvent[] {
  const rand = rng(seed);
  const out: RawEvent[] = [];
  const at = Date.now();
  const distinct = Math.max(1, Math.round(n * 0.75));
  for (let i = 0; i < n; i++) {
    const k = i < distinct ? i : Math.floor(rand() * distinct);
    const app = APPS[k % APPS.length]!;
    const dir = `${ROOT}/${app}/d${Math.floor(k / 100) % 400}`;
    const r = rand();
    if (r < 0.1) {
      out.push({ type: 'add', path: `${dir}/${NOISE[k % NOISE.length]}`, at });
      continue;
    }
    const path = `${dir}/file-${k}.conf`;
    out.push({ type: r < 0.8 ? 'change' : r < 0.95 ? 'add' : 'unlink', path, at });
  }
  return out;
}

export async function pipelineChild(p: PipelineParams): Promise<PipelineResult[]> {
  const filter = createIgnoreFilter({
    excludes: [`${ROOT}/*/cache/**`, `${ROOT}/**/*.log`, `${ROOT}/vscode/workspaceStorage/`],
    ignoreFiles: [{ base: `${ROOT}/nvim`, patterns: ['undo/', '*.bak', '!keep.bak'] }],
    builtin: true,
  });
  const out: PipelineResult[] = [];
  for (const s of p.sizes) {
    const res: PipelineResult = { n: s.n, totalMs: [], filterMs: [], coalesceMs: [], kept: 0, changes: 0 };
    for (let r = 0; r < s.warmup + s.repeats; r++) {
      const events = makeEvents(s.n, r + 1);
      let batch: ChangeBatch | null = null;
      const c = new Coalescer({
        debounceMs: 1000,
        maxWaitMs: 10_000,
        maxPending: 100_000,
        onBatch: (b) => {
          batch = b;
        },
      });
      const t0 = now();
      const kept: RawEvent[] = [];
      for (const e of events) if (!filter.isIgnored(e.path, e.type === 'unlink' ? undefined : false)) kept.push(e);
      const t1 = now();
      c.push(kept);
      await c.flush();
      const t2 = now();
      await c.close();
      if (!batch) throw new Error('no batch delivered');
      if (r >= s.warmup) {
        res.totalMs.push(t2 - t0);
        res.filterMs.push(t1 - t0);
        res.coalesceMs.push(t2 - t1);
        res.kept = kept.length;
        res.changes = (batch as ChangeBatch).changes.length;
      }
    }
    out.push(res);
  }
  return out;
}
