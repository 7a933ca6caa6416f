/**
 * `npm run bench`: ConfSync measured against raw watchers and against its goals.
 *
 *   node bench/build-and-run.mjs [--quick] [--only <section>[,<section>]] [--sizes 1000,10000] [--out DIR]
 *
 * Sections: scale, latency, burst, pipeline, ab, km (in that order). Every subject runs in its own
 * child process, one at a time, on generated trees in a temp HOME; temp trees and children are removed
 * at the end (also on failure or Ctrl-C). Prints a table with the goals and PASS/MISS beside the
 * figures, and writes bench/results/<date>.json (+ latest.json), <date>.md and <date>-latency.svg.
 * `--quick` (CI: the suite still runs): 1k files, 20 edits, 1,000-file burst, short idle windows.
 *
 * This one entry is also the measurement child (BENCH_CHILD=1, see lib/proc.ts); each role loads only
 * its own modules (the bundle is code-split).
 */
if (process.env.BENCH_CHILD === '1') {
  void import('./child.js').then((m) => m.main());
} else {
  void import('./orchestrator.js').then((m) => m.main());
}
