/**
 * The Keyboard Maestro library merges by macro UID (km/merge.ts): different macros edited on two
 * machines merge cleanly; the same macro edited on both is a conflict named at the macro's level.
 */
import { registerMerger } from './conflicts/merge-content.js';
import { mergeLibraries } from './km/index.js';
import type { KmRoot } from './km/types.js';

export const KM_LIBRARY_RE = /(^|\/)Keyboard Maestro Macros\.plist$/;

registerMerger({
  matches: (p) => KM_LIBRARY_RE.test(p),
  merge(base, mine, theirs) {
    const r = mergeLibraries((base as KmRoot | undefined) ?? null, mine as KmRoot, theirs as KmRoot);
    return { merged: r.merged, conflicts: r.conflicts.map((c) => ({ summary: c.summary })) };
  },
});
