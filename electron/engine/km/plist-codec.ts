/**
 * Reading and writing property lists, binary (`bplist00`) or XML, around the quirks of the libraries:
 *
 * Reading, bplist-parser 0.3:
 * - refuses files with more than `maxObjectCount` (32,768) objects: a library of ~600 macros already has
 *   more. We check the trailer ourselves (object count ≤ file size, offsets inside the file) and lift the
 *   limit for the duration of the (synchronous) parse.
 * - a truncated file is not detected: it reads a garbage trailer and returns nulls or throws odd errors.
 *   The trailer/offset-table check above turns that into a clear `truncated` error.
 * - integers ≥ 2^31 (and 8-byte ones outside the int32 range) are read through 32-bit arithmetic and
 *   come back wrong. We cannot repair them after the fact; `countInexactIntegers` finds them so the
 *   reader can warn that writing such a library back would alter those values.
 *
 * Writing, bplist-creator 0.1.1:
 * - Dates are converted with `Date.parse(date)` (via `Date#toString`), which drops milliseconds: we pass
 *   dates as ISO strings through its `bplistOverride` escape hatch, which keeps them.
 * - integers outside [-2^31, 2^32) are written with 32-bit shifts (2^33 becomes 0): we write them as
 *   reals (exact up to 2^53).
 * - integral numbers are always written as integers. KM stores `CreationDate`/`ModificationDate` as reals
 *   (seconds since 2001); values under keys ending in `Date` are written as reals (its `Real` wrapper).
 * - a top-level array of exactly one element is unwrapped to that element: we wrap it once more.
 * - `null`/`undefined` throw: they are dropped from dicts and arrays.
 * - a dict whose only key is `UID` with a number value is written as a CF UID (keyed-archiver) object.
 *   KM macros use string UIDs, so this is left alone.
 *
 * Reading XML: `plist-xml.ts` (saxes, streaming; the same values as plist.parse without its DOM).
 *
 * Writing, plist (XML) 3.1: same integer/real rule (fixed up for `*Date` keys after building), dates
 * are written with second precision (as Apple's XML format does), `null` is dropped, and strings holding
 * characters XML 1.0 cannot carry (most control characters) make it throw: `encodePlist` reports that
 * as a `PlistEncodeError` so callers can fall back to the binary format.
 */
import bplistParser from 'bplist-parser';
import bplistCreator from 'bplist-creator';
import { plistBuild } from '../util/plist-build.js';
import { parsePlistXml } from './plist-xml.js';
import { KmLibraryError, isPlistDict, type KmFormat, type PlistDict, type PlistValue } from './types.js';

const BPLIST_MAGIC = 'bplist00';
const TRAILER_SIZE = 32;
/** Keys whose integral values are written as reals (KM stores NSTimeIntervals there). */
const REAL_KEY = /Date$/;

type ParserModule = typeof bplistParser & { maxObjectCount: number };
type RealCtor = new (value: number) => object;
const Real = (bplistCreator as unknown as { Real: RealCtor }).Real;

export function detectFormat(buf: Buffer): KmFormat | null {
  if (buf.length >= 8 && buf.subarray(0, 8).toString('latin1') === BPLIST_MAGIC) return 'binary';
  const head = buf.subarray(0, 512).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('<?xml') || head.startsWith('<!DOCTYPE plist') || head.startsWith('<plist')) return 'xml';
  return null;
}

/** Parses a binary or XML plist. Throws `KmLibraryError` (never anything else) when it cannot. */
export function decodePlist(buf: Buffer): { value: PlistValue; format: KmFormat; inexactIntegers: number } {
  if (buf.length === 0) throw new KmLibraryError('the file is empty', 'empty');
  const format = detectFormat(buf);
  if (format === 'binary') {
    const { numObjects, offsets } = checkBinaryLayout(buf);
    const parser = bplistParser as ParserModule;
    const saved = parser.maxObjectCount;
    parser.maxObjectCount = Math.max(saved, numObjects);
    try {
      const [value] = quietly(() => parser.parseBuffer<PlistValue>(buf));
      return { value, format, inexactIntegers: countInexactIntegers(buf, offsets) };
    } catch (err) {
      throw new KmLibraryError(`the binary property list is corrupt (${errText(err)})`, 'corrupt', { cause: err });
    } finally {
      parser.maxObjectCount = saved;
    }
  }
  if (format === 'xml') {
    const text = buf.toString('utf8').replace(/^\uFEFF/, '');
    try {
      return { value: parsePlistXml(text), format, inexactIntegers: 0 };
    } catch (err) {
      const msg = errText(err);
      const code = /unclosed|end of|unexpected end/i.test(msg) ? 'truncated' : 'corrupt';
      throw new KmLibraryError(`the XML property list cannot be read (${msg.split('\n')[0]})`, code, { cause: err });
    }
  }
  throw new KmLibraryError('the file is not a property list (neither bplist00 nor XML)', 'not-plist');
}

/**
 * Runs a synchronous parse with console.error/warn muted: the binary parser prints every problem of a broken
 * file to the console (bplist-parser's "UNEXPECTED LENGTH-INT TYPE"),
 * which would flood the log each time a poll catches KM mid-save. The thrown error carries the message.
 */
function quietly<T>(fn: () => T): T {
  const { error, warn } = console;
  console.error = () => undefined;
  console.warn = () => undefined;
  try {
    return fn();
  } finally {
    console.error = error;
    console.warn = warn;
  }
}

function readUIntBE(buf: Buffer, at: number, size: number): number {
  let n = 0;
  for (let i = 0; i < size; i++) n = n * 256 + buf[at + i];
  return n;
}

/** Validates the trailer and offset table of a binary plist; returns the object offsets. */
function checkBinaryLayout(buf: Buffer): { numObjects: number; offsets: number[] } {
  const bad = (what: string): never => {
    throw new KmLibraryError(`the binary property list is truncated or corrupt (${what})`, 'truncated');
  };
  if (buf.length < 8 + 1 + TRAILER_SIZE) bad(`only ${buf.length} bytes`);
  const t = buf.length - TRAILER_SIZE;
  const offsetSize = buf[t + 6];
  const refSize = buf[t + 7];
  const numObjects = Number(buf.readBigUInt64BE(t + 8));
  const topObject = Number(buf.readBigUInt64BE(t + 16));
  const tableOffset = Number(buf.readBigUInt64BE(t + 24));
  if (![1, 2, 4, 8].includes(offsetSize) || ![1, 2, 4, 8].includes(refSize)) bad('invalid trailer');
  if (numObjects < 1 || numObjects > buf.length) bad('invalid object count');
  if (topObject >= numObjects) bad('invalid top object');
  if (tableOffset < 9 || tableOffset + numObjects * offsetSize > t) bad('offset table outside the file');
  const offsets = new Array<number>(numObjects);
  for (let i = 0; i < numObjects; i++) {
    const off = readUIntBE(buf, tableOffset + i * offsetSize, offsetSize);
    if (off < 8 || off >= tableOffset) bad(`object ${i} outside the file`);
    offsets[i] = off;
  }
  return { numObjects, offsets };
}

/** Integer objects bplist-parser reads wrongly: 4-byte ≥ 2^31, 8-byte outside int32, 16-byte. */
function countInexactIntegers(buf: Buffer, offsets: number[]): number {
  let n = 0;
  for (const off of offsets) {
    const marker = buf[off];
    if (marker === 0x12) {
      if (buf[off + 1] & 0x80) n++;
    } else if (marker === 0x13) {
      const v = buf.readBigInt64BE(off + 1);
      if (v < -2147483648n || v > 2147483647n) n++;
    } else if (marker === 0x14) {
      n++;
    }
  }
  return n;
}

export class PlistEncodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PlistEncodeError';
  }
}

export interface EncodeOptions {
  /** Sort dict keys (canonical output, stable diffs). Default false: keep the order read. */
  sortKeys?: boolean;
}

/** Writes a plist value as a binary or XML property list. Throws `PlistEncodeError`. */
export function encodePlist(value: PlistValue, format: KmFormat, opts: EncodeOptions = {}): Buffer {
  if (format === 'binary') {
    let prepared = prepareBinary(value, undefined, opts);
    if (prepared === undefined) throw new PlistEncodeError('nothing to write');
    if (Array.isArray(prepared) && prepared.length === 1) prepared = [prepared];
    try {
      return bplistCreator(prepared as object);
    } catch (err) {
      throw new PlistEncodeError(`cannot write binary property list: ${errText(err)}`, { cause: err });
    }
  }
  const prepared = prepareXml(value, opts);
  if (prepared === undefined) throw new PlistEncodeError('nothing to write');
  let xml: string;
  try {
    xml = plistBuild(prepared, { indent: '\t', newline: '\n', pretty: true });
  } catch (err) {
    throw new PlistEncodeError(`cannot write XML property list: ${errText(err)} (use the binary format)`, { cause: err });
  }
  xml = xml.replace(/(<key>[^<]*Date<\/key>\s*)<integer>(-?\d+)<\/integer>/g, '$1<real>$2</real>');
  return Buffer.from(xml.endsWith('\n') ? xml : xml + '\n', 'utf8');
}

function dictKeys(d: PlistDict, opts: EncodeOptions): string[] {
  const keys = Object.keys(d);
  return opts.sortKeys ? keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) : keys;
}

function prepareBinary(v: PlistValue | undefined, key: string | undefined, opts: EncodeOptions): unknown {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number') {
    const intSafe = Number.isInteger(v) && v >= -2147483648 && v <= 0xffffffff;
    if (!intSafe || (key !== undefined && REAL_KEY.test(key))) return new Real(v);
    return v;
  }
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new PlistEncodeError(`invalid date${key ? ` under '${key}'` : ''}`);
    return { bplistOverride: true, type: 'date', value: v.toISOString() };
  }
  if (Buffer.isBuffer(v)) return v;
  const u: unknown = v;
  if (u instanceof Uint8Array) return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  if (Array.isArray(v)) return v.map((x) => prepareBinary(x, undefined, opts)).filter((x) => x !== undefined);
  if (isPlistDict(v)) {
    const out: Record<string, unknown> = {};
    for (const k of dictKeys(v, opts)) {
      const x = prepareBinary(v[k], k, opts);
      if (x !== undefined) out[k] = x;
    }
    return out;
  }
  return v;
}

function prepareXml(v: PlistValue | undefined, opts: EncodeOptions): unknown {
  if (v === null || v === undefined) return undefined;
  const u: unknown = v;
  if (u instanceof Uint8Array && !Buffer.isBuffer(u)) return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  if (Array.isArray(v)) return v.map((x) => prepareXml(x, opts)).filter((x) => x !== undefined);
  if (isPlistDict(v)) {
    const out: Record<string, unknown> = {};
    for (const k of dictKeys(v, opts)) {
      const x = prepareXml(v[k], opts);
      if (x !== undefined) out[k] = x;
    }
    return out;
  }
  return v;
}

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
