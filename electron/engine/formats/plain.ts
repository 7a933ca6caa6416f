/**
 * The codec of last resort: any file. Always valid; merged line by line as text, or kept on both sides
 * when binary.
 */
import { isBinary, type Codec, type MergeOutcome, type Validation } from './codec.js';
import { textMerge } from './text.js';

/** The merges that need no merging: both sides equal, or one side still equal to the base. */
export function identicalOutcome(base: Buffer | null, mine: Buffer, theirs: Buffer): MergeOutcome | null {
  if (mine.equals(theirs)) return { clean: true, content: mine, how: 'identical' };
  if (base && base.equals(mine)) return { clean: true, content: theirs, how: 'identical' };
  if (base && base.equals(theirs)) return { clean: true, content: mine, how: 'identical' };
  return null;
}

/** The plain merge: identical shortcuts, binary ⇒ keep both, else `git merge-file` (base '' when none). */
export async function plainMerge(base: Buffer | null, mine: Buffer, theirs: Buffer): Promise<MergeOutcome> {
  const same = identicalOutcome(base, mine, theirs);
  if (same) return same;
  if (isBinary(mine) || isBinary(theirs) || (base !== null && isBinary(base))) {
    return { clean: false, how: 'binary', details: ['binary file changed on both machines'] };
  }
  return textMerge(base ?? Buffer.alloc(0), mine, theirs);
}

/**
 * A codec's fallback to the plain merge: a clean text merge must still be a valid file of the format
 * (a broken side must not spread through a merge); otherwise it is a conflict.
 */
export async function plainMergeChecked(
  base: Buffer | null,
  mine: Buffer,
  theirs: Buffer,
  validate: (content: Buffer) => Validation,
): Promise<MergeOutcome> {
  const r = await plainMerge(base, mine, theirs);
  if (!r.clean || r.how !== 'text') return r;
  const v = validate(r.content);
  return v.ok ? r : { clean: false, how: 'text', details: [`the merged text would not be a valid file: ${v.reason}`] };
}

/** The file as UTF-8 text; null when binary. */
export function plainDiffText(content: Buffer): string | null {
  return isBinary(content) ? null : content.toString('utf8');
}

export const plainCodec: Codec = {
  id: 'plain',
  matches: () => true,
  validate: () => ({ ok: true }),
  merge: plainMerge,
  diffText: plainDiffText,
  toRepo: (live) => live,
  toLive: (repo) => repo,
};
