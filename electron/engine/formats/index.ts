/**
 * The codecs the engine uses, in order: those a feature passes (the Keyboard Maestro library) first,
 * then the shared profile list, plists, JSON/JSONC, and plain files last (it matches everything).
 */
import type { Codec, MergeOutcome, Validation } from './codec.js';
import { jsonCodec } from './json.js';
import { plainCodec } from './plain.js';
import { plistCodec } from './plist.js';
import { profilesCodec } from './profiles.js';
import { supportsKeyRules, withKeyRules, type KeyMatch } from './keys.js';
import { withPlistRepoForm } from './plist-form.js';

/** Codecs of property lists: binary ones are stored in the repo as canonical XML (plist-form.ts). */
const PLIST_CODECS = new Set(['plist', 'km-library']);
/** The size limit a repo form must stay under when no one says (sync.maxFileBytes' default). */
const DEFAULT_MAX_REPO_BYTES = 5 * 1024 * 1024;

export class Formats {
  private readonly codecs: readonly Codec[];
  private readonly ruled = new WeakMap<KeyMatch, Map<Codec, Codec>>();

  /**
   * `keyMatch`: the per-key rules (ignored and machine-local keys) of the profile holding a repo
   * path, or null; a JSON or plist codec then applies them (keys.ts). `maxRepoBytes`: the size limit
   * (sync.maxFileBytes); a binary plist whose XML form would be larger stays binary in the repo.
   */
  constructor(
    extra: Codec[] = [],
    private readonly keyMatch: (repoPath: string) => KeyMatch | null = () => null,
    opts: { maxRepoBytes?: () => number } = {},
  ) {
    const maxRepoBytes = opts.maxRepoBytes ?? (() => DEFAULT_MAX_REPO_BYTES);
    this.codecs = [...extra, profilesCodec, plistCodec, jsonCodec, plainCodec].map((c) => (PLIST_CODECS.has(c.id) ? withPlistRepoForm(c, maxRepoBytes) : c));
  }

  /** The first codec that owns the file; `content` lets a binary plist be recognised under any name. */
  codecFor(repoPath: string, content?: Buffer): Codec {
    const codec = this.codecs.find((c) => c.matches(repoPath, content)) ?? plainCodec;
    if (!supportsKeyRules(codec)) return codec;
    const match = this.keyMatch(repoPath);
    if (!match) return codec;
    let byCodec = this.ruled.get(match);
    if (!byCodec) this.ruled.set(match, (byCodec = new Map()));
    let ruled = byCodec.get(codec);
    if (!ruled) byCodec.set(codec, (ruled = withKeyRules(codec, match)));
    return ruled;
  }

  validate(repoPath: string, content: Buffer): Validation {
    return this.codecFor(repoPath, content).validate(content);
  }

  /** The codec is chosen by path and mine's content. */
  merge(repoPath: string, base: Buffer | null, mine: Buffer, theirs: Buffer): Promise<MergeOutcome> {
    return this.codecFor(repoPath, mine).merge(base, mine, theirs);
  }

  diffText(repoPath: string, content: Buffer): string | null {
    return this.codecFor(repoPath, content).diffText(content);
  }
}

export { isBinary, type Codec, type CodecContext, type MergeOutcome, type Validation } from './codec.js';
export { merge3, keyConflictDetail, isDict, type Merge3Conflict, type Merge3Result } from './merge3.js';
export { textMerge, textConflictDetail } from './text.js';
export { plainCodec, identicalOutcome } from './plain.js';
export { jsonCodec, parseJson, type JsonDoc, type JsonParse } from './json.js';
export { plistCodec, isBinaryPlist } from './plist.js';
export { plistRepoForm, plistLiveForm, recordsBinaryLive, LIVE_BINARY_COMMENT } from './plist-form.js';
export { profilesCodec, PROFILES_PATH } from './profiles.js';
export { keyMatcher, matchingPaths, type KeyRules, type KeyMatch } from './keys.js';
