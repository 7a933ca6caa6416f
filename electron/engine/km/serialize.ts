/**
 * Writing a library root back as a property list. See plist-codec.ts for what the underlying
 * libraries get wrong and how it is handled (dates with milliseconds, large integers, `*Date` reals,
 * one-element top-level arrays, nulls, control characters in XML).
 */
import { encodePlist } from './plist-codec.js';
import type { KmFormat, KmRoot } from './types.js';

/** Binary via bplist-creator, XML via plist.build. Throws `PlistEncodeError` when it cannot. */
export function serializeLibrary(root: KmRoot, format: KmFormat): Buffer {
  return encodePlist(root, format);
}
