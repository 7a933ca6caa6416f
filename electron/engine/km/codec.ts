/**
 * The Keyboard Maestro library (`Keyboard Maestro Macros.plist`) as a Codec. It merges by macro UID
 * (km/merge.ts): different macros edited on two machines merge cleanly; the same macro edited on both
 * is a conflict named at the macro's level. The Keyboard Maestro feature passes this codec to the
 * engine as data; nothing registers itself.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Codec, MergeOutcome, Validation } from '../formats/codec.js';
import { identicalOutcome, plainMergeChecked } from '../formats/plain.js';
import { decodeSides, encodeVerified, INEXACT_CONFLICT_DETAIL, plistDiffText } from '../formats/plist.js';
import { mergeLibraries } from './merge.js';
import { errText } from './plist-codec.js';
import { parseLibrary } from './reader.js';
import { isPlistDict } from './types.js';

export const KM_LIBRARY_RE = /(^|\/)Keyboard Maestro Macros\.plist$/;

function validateLibrary(content: Buffer): Validation {
  try {
    parseLibrary(content);
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `not a readable Keyboard Maestro library: ${errText(err).split('\n')[0]}` };
  }
}

async function mergeLibraryFiles(base: Buffer | null, mine: Buffer, theirs: Buffer): Promise<MergeOutcome> {
  const same = identicalOutcome(base, mine, theirs);
  if (same) return same;
  const sides = decodeSides(base, mine, theirs);
  if (sides === null) return plainMergeChecked(base, mine, theirs, validateLibrary);
  if ('inexact' in sides) return { clean: false, how: 'binary', details: [INEXACT_CONFLICT_DETAIL] };
  const { b, m, t } = sides;
  if (!isPlistDict(m.value) || !isPlistDict(t.value) || (b !== null && !isPlistDict(b.value))) return plainMergeChecked(base, mine, theirs, validateLibrary);
  let r: ReturnType<typeof mergeLibraries>;
  try {
    r = mergeLibraries(b !== null && isPlistDict(b.value) ? b.value : null, m.value, t.value);
  } catch {
    // Not shaped like a library (no MacroGroups): keep both rather than guess.
    return plainMergeChecked(base, mine, theirs, validateLibrary);
  }
  if (r.conflicts.length > 0) {
    // Every macro that did not conflict is merged (and an edited macro beats its deletion); the
    // conflicting ones keep mine. That is what stays live: the other side's whole library goes beside.
    const partial = encodeVerified(r.merged, m.format);
    return { clean: false, how: 'structured', details: r.conflicts.map((c) => c.summary), ...(partial ? { partial } : {}) };
  }
  if (isDeepStrictEqual(r.merged, m.value)) return { clean: true, content: mine, how: 'structured' };
  const content = encodeVerified(r.merged, m.format);
  if (content === null) return plainMergeChecked(base, mine, theirs, validateLibrary);
  return { clean: true, content, how: 'structured' };
}

export const kmLibraryCodec: Codec = {
  id: 'km-library',
  matches: (repoPath) => KM_LIBRARY_RE.test(repoPath),
  validate: validateLibrary,
  merge: mergeLibraryFiles,
  diffText: plistDiffText,
  toRepo: (live) => live,
  toLive: (repo) => repo,
};
