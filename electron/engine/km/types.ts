/**
 * The normalised model of a Keyboard Maestro library (`Keyboard Maestro Macros.plist`).
 *
 * The file format is undocumented, so the model keeps the raw plist objects (`raw`) next to the few
 * fields ConfSync needs, and every key is treated as optional.
 */

/** A value as the plist parsers return it. `bigint`/objects cover bplist-parser's 128-bit ints and CF UIDs. */
export type PlistValue = string | number | boolean | bigint | Date | Buffer | null | PlistValue[] | PlistDict;
export interface PlistDict {
  [key: string]: PlistValue;
}

/** Root of a library file: a dict with `MacroGroups[]` (and possibly other keys, kept as they are). */
export type KmRoot = PlistDict;

export type KmFormat = 'binary' | 'xml';

export interface KmGroup {
  uid: string;
  name: string;
  /** `IsActive`; missing ⇒ true. */
  enabled: boolean;
  /** A smart group (has `SearchStrings`): a saved search, not a container of its own macros. */
  smart: boolean;
  macroUids: string[];
  raw: PlistDict;
}

export interface KmMacroRecord {
  uid: string;
  name: string;
  groupUid: string;
  groupName: string;
  /** The macro's own `IsActive`; missing ⇒ true. */
  enabled: boolean;
  /** enabled && the group is enabled. */
  active: boolean;
  /** sha256 (hex) of the canonical JSON of the whole macro dict. */
  hash: string;
  /**
   * sha256 of the canonical JSON without `IsActive` and `ModificationDate`: what the macro *does*.
   * Used to tell an enable/disable from an edit (KM bumps ModificationDate on a toggle).
   */
  contentHash: string;
  /** Epoch ms, from `CreationDate` (seconds since 2001-01-01, or a plist date). */
  created?: number;
  /** Epoch ms, from `ModificationDate`. */
  modified?: number;
  raw: PlistDict;
}

export interface KmLibrary {
  groups: KmGroup[];
  macros: Map<string, KmMacroRecord>;
  raw: KmRoot;
  /** Format the library was read from. */
  format: KmFormat;
  /** Oddities met while normalising (missing UIDs, duplicate UIDs, non-dict entries). */
  warnings: string[];
}

export type KmLibraryErrorCode = 'empty' | 'truncated' | 'corrupt' | 'not-plist' | 'wrong-root' | 'io';

/** Anything wrong with a library file. Thrown, never fatal: callers keep their last good state. */
export class KmLibraryError extends Error {
  constructor(
    message: string,
    readonly code: KmLibraryErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KmLibraryError';
  }
}

export function isPlistDict(v: unknown): v is PlistDict {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v) && !(v instanceof Uint8Array);
}
