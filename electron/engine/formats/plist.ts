/**
 * Property lists: `.plist`, `.kmmacros`, `.kmlibrary`, and any file starting with `bplist00`.
 * Binary and XML plists go through the Keyboard Maestro module's codec (km/plist-codec.ts), which works
 * around the parser and writer libraries' bugs. Old-style ASCII plists (and anything else under a
 * .plist name) are not understood: always valid, merged as text.
 *
 * A merge keeps mine's format (binary or XML). It is only written when it reads back as exactly the
 * merged value; a binary plist holding integers bplist-parser cannot read exactly (≥ 2^31) is never
 * rewritten (that would alter them): both versions are kept instead.
 */
import { isDeepStrictEqual } from 'node:util';
import { decodePlist, detectFormat, encodePlist, errText } from '../km/plist-codec.js';
import type { KmFormat, PlistValue } from '../km/types.js';
import type { Codec, MergeOutcome, Validation } from './codec.js';
import { keyConflictDetail, merge3 } from './merge3.js';
import { identicalOutcome, plainDiffText, plainMergeChecked } from './plain.js';

const PLIST_PATH = /\.(plist|kmmacros|kmlibrary)$/i;
const BPLIST_MAGIC = 'bplist00';

export function isBinaryPlist(content: Buffer): boolean {
  return content.length >= 8 && content.subarray(0, 8).toString('latin1') === BPLIST_MAGIC;
}

export interface DecodedPlist {
  value: PlistValue;
  format: KmFormat;
  /** Integers bplist-parser read wrongly; such a file must not be re-encoded. */
  inexactIntegers: number;
}

/** Decodes a binary or XML plist; null when it is neither or does not decode. */
export function tryDecodePlist(content: Buffer): DecodedPlist | null {
  if (detectFormat(content) === null) return null;
  try {
    return decodePlist(content);
  } catch {
    return null;
  }
}

function shortMessage(err: unknown): string {
  const line = errText(err).split('\n')[0];
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** Empty, or only whitespace (after an optional UTF-8 BOM). */
function isBlank(content: Buffer): boolean {
  const start = content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf ? 3 : 0;
  for (let i = start; i < content.length; i++) {
    const c = content[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return true;
}

export function validatePlist(content: Buffer): Validation {
  if (isBlank(content)) {
    return { ok: false, reason: 'empty file (a half-saved file?)' };
  }
  const format = detectFormat(content);
  if (format === null) return { ok: true }; // an old-style ASCII plist or something else: we cannot tell
  try {
    decodePlist(content);
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `not a valid property list (${format === 'binary' ? 'binary' : 'XML'}): ${shortMessage(err)}` };
  }
}

/**
 * Encodes a merged value in `format`; null when it cannot be written or would not read back as exactly
 * `value` (the caller then falls back to the plain merge: binary keeps both versions).
 */
export function encodeVerified(value: PlistValue, format: KmFormat): Buffer | null {
  try {
    const out = encodePlist(value, format);
    const back = decodePlist(out);
    return back.inexactIntegers === 0 && isDeepStrictEqual(back.value, value) ? out : null;
  } catch {
    return null;
  }
}

/** Three decoded sides, or null when one does not decode (or holds integers that cannot be written back exactly). */
export function decodeSides(
  base: Buffer | null,
  mine: Buffer,
  theirs: Buffer,
): { b: DecodedPlist | null; m: DecodedPlist; t: DecodedPlist } | { inexact: true } | null {
  const m = tryDecodePlist(mine);
  const t = tryDecodePlist(theirs);
  const b = base === null ? null : tryDecodePlist(base);
  if (!m || !t || (base !== null && !b)) return null;
  if (m.inexactIntegers > 0 || t.inexactIntegers > 0 || (b !== null && b.inexactIntegers > 0)) return { inexact: true };
  return { b, m, t };
}

export const INEXACT_CONFLICT_DETAIL = 'property list changed on both machines; it holds numbers too large to merge safely';

export async function mergePlist(base: Buffer | null, mine: Buffer, theirs: Buffer): Promise<MergeOutcome> {
  const same = identicalOutcome(base, mine, theirs);
  if (same) return same;
  const sides = decodeSides(base, mine, theirs);
  if (sides === null) return plainMergeChecked(base, mine, theirs, validatePlist);
  if ('inexact' in sides) return { clean: false, how: 'binary', details: [INEXACT_CONFLICT_DETAIL] };
  const { b, m, t } = sides;
  const r = merge3(b === null ? undefined : b.value, m.value, t.value);
  if (r.conflicts.length > 0) return { clean: false, how: 'structured', details: r.conflicts.map((c) => keyConflictDetail(c.path)) };
  if (isDeepStrictEqual(r.merged, m.value)) return { clean: true, content: mine, how: 'structured' };
  const content = encodeVerified(r.merged as PlistValue, m.format);
  if (content === null) return plainMergeChecked(base, mine, theirs, validatePlist);
  return { clean: true, content, how: 'structured' };
}

/** XML text of a plist (binary ones converted); other content as UTF-8 text; null when it cannot be shown. */
export function plistDiffText(content: Buffer): string | null {
  if (!isBinaryPlist(content)) return plainDiffText(content);
  const d = tryDecodePlist(content);
  if (!d) return null;
  try {
    return encodePlist(d.value, 'xml').toString('utf8');
  } catch {
    return null;
  }
}

export const plistCodec: Codec = {
  id: 'plist',
  matches: (repoPath, content) => PLIST_PATH.test(repoPath) || (content !== undefined && isBinaryPlist(content)),
  validate: validatePlist,
  merge: mergePlist,
  diffText: plistDiffText,
  toRepo: (live) => live,
  toLive: (repo) => repo,
};
