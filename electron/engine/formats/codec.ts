/**
 * One Codec per kind of file. The codec is the one place where ConfSync understands a file's format:
 * whether it is complete and well-formed (a half-saved or truncated file is held back, never spread),
 * how two edits of it merge, how it reads as text in a diff, and how live bytes become repo bytes and
 * back: binary plists are stored as canonical XML (plist-form.ts), per-key rules take ignored and
 * machine-local keys out (keys.ts), per-machine blocks are switched on and off (blocks.ts).
 *
 * Codecs are data: the engine's own (plain, JSON/JSONC, plist, the shared profile list) plus those a
 * feature passes to Engine.open (the Keyboard Maestro library). Nothing registers itself on import.
 */

export type Validation = { ok: true } | { ok: false; reason: string };

export type MergeOutcome =
  /** `identical`: one side equals the base (or both sides are equal): no real merge was needed. */
  | { clean: true; content: Buffer; how: 'identical' | 'structured' | 'text' }
  /**
   * `details`: words for people, e.g. "key editor.fontSize changed on both machines". `partial`: the
   * merge of everything that did not conflict, with mine where it did (a Keyboard Maestro library:
   * every other macro's edit from both sides). The caller keeps it at the path and the other side's
   * whole version beside it, so a conflict on one part loses no other part's edit.
   */
  | { clean: false; how: 'structured' | 'text' | 'binary'; details: string[]; partial?: Buffer };

export interface CodecContext {
  /** Repo-relative path of the file (`<profile>/<key>/<rel>`). */
  repoPath: string;
  /** This machine's host name. */
  host: string;
  platform: NodeJS.Platform;
}

export interface Codec {
  /** Stable id: 'plain', 'json', 'plist', 'km-library', 'profiles', … */
  readonly id: string;
  /** Whether this codec owns the file. `content` is given when known (binary plists are recognised by their magic). */
  matches(repoPath: string, content?: Buffer): boolean;
  /** Is this a complete, well-formed file of the format? A plain file is always ok. */
  validate(content: Buffer): Validation;
  /** Three-way merge. `base` null: both sides added the file independently. */
  merge(base: Buffer | null, mine: Buffer, theirs: Buffer): Promise<MergeOutcome>;
  /** The file as text for a diff shown to people (a binary plist as XML); null when it cannot be shown as text. */
  diffText(content: Buffer): string | null;
  /** Live bytes → the bytes the repo stores. */
  toRepo(live: Buffer, ctx: CodecContext): Buffer;
  /** Repo bytes → the bytes written to the live file. `currentLive` is what the live file holds now, if anything. */
  toLive(repo: Buffer, ctx: CodecContext & { currentLive: Buffer | null }): Buffer;
}

/** True when the bytes look binary (a NUL in the first 8000 bytes, git's own test). */
export function isBinary(buf: Buffer): boolean {
  return buf.subarray(0, 8000).includes(0);
}
