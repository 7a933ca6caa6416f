/**
 * 9. The repo's growth: how much the sync repo (and its bare remote) grow per edit, next to the size of
 * the change and to what plain git makes of the same versions.
 *
 * One engine per case (in a child, opened through openHost like every host, host "alpha"), default
 * settings, a bare remote on disk. The live file is edited N times, each edit once the engine is quiet
 * again (committed, pushed, no git process for a moment), so every edit is its own commit and push:
 *   km-binary  a 2,000-macro Keyboard Maestro library as Keyboard Maestro writes it (binary plist, by
 *              replacing the file); one macro's action text and modification date per edit. The
 *              Keyboard Maestro feature also exports and commits the changed macro's .kmmacros file.
 *   km-xml     the same library saved as an XML plist.
 *   plist      a ~200 KB binary app preferences plist under ~/Library/Preferences, synced as an
 *              ordinary profile file (on Linux the macOS preferences port is off): per edit a recent
 *              document opened (new bookmark data), a counter, a date and a setting.
 * Figures: `git count-objects -v` of the local repo and of the remote after the last edit (3 s after
 * the last sync, as the running engine leaves it, and after any background `git gc` git started
 * itself: what the person's disk holds), loose and packed, less the start state's objects packed
 * (`repack -a -d` of a copy, so the figure does not depend on how much of the start was loose); the
 * local repo sampled every few edits; the sum of the changed parts as XML text; and a floor from the
 * same run: the same N + 1 versions committed by plain git into a fresh repo, the tighter of
 * fast-import's own pack (each version a delta of the one before) and `repack -a -d -f`, once as the
 * live bytes and once as XML.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { type Ctx, dirIn } from '../lib/ctx.js';
import { runTask } from '../lib/proc.js';
import { row, type Goal } from '../lib/report.js';
import { spread } from '../lib/stats.js';
import type { GrowthCase, GrowthParams, GrowthResult } from './growth.child.js';

// ------------------------------------------------------------------------------------------ parent

/** Goal: the local repo grows per edit by at most this many times the tightest floor per edit… */
export const GROWTH_FACTOR = 4;
/** …plus this allowance (KiB) for what an edit commits beside the file (commit, trees, a macro's export). */
export const GROWTH_ALLOWANCE_KIB = 4;

const LABEL: Record<GrowthCase, string> = {
  'km-binary': 'Keyboard Maestro library, 2,000 macros, binary',
  'km-xml': 'Keyboard Maestro library, 2,000 macros, XML',
  plist: 'app preferences plist, binary, ~200 KB',
};

export async function runGrowth(ctx: Ctx): Promise<void> {
  const edits = ctx.opts.edits ?? (ctx.quick ? 5 : 50);
  const all3: GrowthCase[] = ['km-binary', 'km-xml', 'plist'];
  for (const c of ctx.opts.cases ?? []) if (!all3.includes(c as GrowthCase)) throw new Error(`unknown growth case ${c} (one of ${all3.join(', ')})`);
  const cases = (ctx.opts.cases as GrowthCase[] | undefined) ?? (ctx.quick ? ['km-binary', 'plist'] : all3);
  const results: GrowthResult[] = [];
  for (const c of cases) {
    const home = dirIn(ctx, 'growth', c, 'home');
    const remote = join(dirIn(ctx, 'growth', c, 'remote'), 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
    const params: GrowthParams = {
      case: c,
      home,
      configDir: join(ctx.tmp, 'growth', c, 'config'),
      remote,
      floorDir: dirIn(ctx, 'growth', c, 'floor'),
      edits,
      sampleEvery: Math.max(1, Math.round(edits / 20)),
      quietMs: 300,
    };
    const r = await runTask<GrowthResult>('growth', params, { home, timeoutMs: edits * 20_000 + 600_000, label: `growth ${c}: ` });
    results.push(r);
    report(ctx, r);
  }
  ctx.raw.growth = results;
}

const kib = (x: number) => `${x >= 100 ? x.toFixed(0) : x.toFixed(1)} KiB`;

function report(ctx: Ctx, r: GrowthResult): void {
  const sec = `Repo growth: ${LABEL[r.case]} (${r.edits} edits)`;
  const n = r.edits;
  const perEdit = (a: number, b: number) => (b - a) / n;
  const floorPer = r.floors.map((f) => ({ form: f.form, kib: perEdit(f.base.totalKiB, f.all.totalKiB), total: f.all.totalKiB, how: f.all.how }));
  const tightest = Math.min(...floorPer.map((f) => f.kib));
  const limit = GROWTH_FACTOR * Math.max(tightest, 0) + GROWTH_ALLOWANCE_KIB;
  const goal: Goal = { text: `≤ ${GROWTH_FACTOR} × floor + ${GROWTH_ALLOWANCE_KIB} KiB = ${limit.toFixed(1)} KiB`, limit, on: 'median', cmp: '<=' };
  // From the start state packed, so the figure does not depend on how much of it happened to be loose.
  const local = perEdit(r.start.local.totalKiB, r.after.local.totalKiB);
  const remote = perEdit(r.start.remote.totalKiB, r.after.remote.totalKiB);
  const changed = r.changedBytes / 1024 / n;
  const desc = (s: GrowthResult['after']['local']) => `${s.looseCount} loose objects ${kib(s.looseKiB)}, ${s.packs} pack${s.packs === 1 ? '' : 's'} ${kib(s.packKiB)}`;
  ctx.rows.push(
    row(sec, 'local repo growth per edit, as the disk holds it', spread([local]), 'KiB', {
      goal,
      digits: 1,
      note: `${kib(r.start.local.totalKiB)} (the start, packed; as it was: ${kib(r.baseline.local.totalKiB)}) → ${kib(r.after.local.totalKiB)}: ${desc(r.after.local)}${r.gcAfter.local ? '; a background git gc ran at the end' : ''}`,
    }),
  );
  const maxLoose = Math.max(...r.samples.map((s) => s.local.looseKiB));
  ctx.rows.push(row(sec, '  … most loose-object bytes seen between edits', spread([maxLoose]), 'KiB', { digits: 0, note: `sampled every ${r.samples.length > 1 ? r.samples[1]!.edit : 1} edits: ${r.samples.map((s) => Math.round(s.local.looseKiB)).join(' ')}` }));
  ctx.rows.push(
    row(sec, 'remote (bare, default git config) growth per edit', spread([remote]), 'KiB', {
      digits: 1,
      note: `${kib(r.start.remote.totalKiB)} (the start, packed) → ${kib(r.after.remote.totalKiB)}: ${desc(r.after.remote)}${r.gcAfter.remote ? '; a background git gc ran at the end' : ''}; its packing is the remote's own (receive.unpackLimit, gc.auto)`,
    }),
  );
  ctx.rows.push(row(sec, 'size of the change per edit (the changed part as XML plist text)', spread([changed]), 'KiB', { digits: 2, note: `${kib(r.changedBytes / 1024)} over ${n} edits` }));
  for (const f of floorPer) {
    ctx.rows.push(row(sec, `floor per edit: plain git, ${f.form === 'live' ? 'the live bytes' : 'as XML plists'}`, spread([f.kib]), 'KiB', { digits: 2, note: `${n + 1} versions in ${kib(f.total)} (${f.how === 'repack' ? 'repack -a -d -f' : 'fast-import: each a delta of the one before'})` }));
  }
  ctx.rows.push(row(sec, 'repo blob of the file at HEAD', spread([r.repoBlobBytes / 1024]), 'KiB', { digits: 0, note: `${r.repoBlobKind}; the live file is ${kib(r.liveBytes / 1024)}` }));
  ctx.rows.push(row(sec, 'edit → committed, pushed and quiet again', spread(r.editMs), 'ms', { digits: 0, note: `${r.commits} commits${r.errors.length ? `; errors: ${r.errors.join(' | ')}` : ''}` }));
  ctx.log(`  ${r.case}: local +${local.toFixed(1)} KiB/edit (goal ≤ ${limit.toFixed(1)}), remote +${remote.toFixed(1)} KiB/edit, change ${changed.toFixed(2)} KiB/edit, floor ${floorPer.map((f) => `${f.form} ${f.kib.toFixed(2)}`).join(', ')} KiB/edit`);
}
