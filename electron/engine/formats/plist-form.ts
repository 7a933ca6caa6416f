/**
 * The repo form of binary property lists: canonical XML, so that git stores an edit as a small delta.
 *
 * A binary plist (`bplist00`) delta-compresses badly: one changed string moves every later object, and
 * the offset table at the end changes almost everywhere. Measured by the bench (`--only growth`), 51
 * versions of a 2,000-macro Keyboard Maestro library (one macro changed each time) stored by plain git
 * cost 137 KiB per edit as binary plists and 0.5 KiB as XML; a ~200 KB app plist 9.6 KiB and 1.5 KiB.
 * So the repo holds a binary plist as XML text, and every machine writes it back as a binary plist:
 *
 *   toRepo  a binary plist → canonical XML (Apple's layout: one element per line, tabs), with the
 *           comment `<!-- confsync:live-format=binary -->` after the DOCTYPE: the record of the live
 *           file's format, carried by every version (a machine that does not have the file yet writes
 *           it binary; a restore or a merge keeps it). Only when the conversion is exact both ways
 *           (below), and the XML is no larger than the size limit; otherwise the binary bytes as they
 *           are, as before.
 *   toLive  repo XML → a binary plist, when the live file there is binary (or, when there is none or it
 *           is not a plist, when the XML carries the record); an XML live file gets the XML.
 *
 * Exact means: every value reads back with the same type and value, in the same order, from the XML
 * and from the binary plist written from it (checked on every conversion). The types an XML plist
 * cannot carry exactly keep the file binary in the repo: dates with fractions of a second (Apple's XML
 * keeps whole seconds), 4-byte reals, NaN, infinities and -0, 16-byte integers, keyed-archiver UIDs,
 * sets, null, non-string keys, and strings holding characters XML 1.0 cannot hold. Integers and reals
 * stay apart (`<integer>` / `<real>`; a real 1.0 stays a real), unlike the plist libraries' values.
 * A binary plist written here is valid and holds the same values; its bytes are this writer's (object
 * order and sharing may differ from the app's own writer).
 */
import { isDeepStrictEqual } from 'node:util';
import { SaxesParser } from 'saxes';
import type { Codec } from './codec.js';

/** A plist value with its type kept (int vs real, dict order). */
export type PNode =
  | { t: 'dict'; entries: [string, PNode][] }
  | { t: 'array'; items: PNode[] }
  | { t: 'string'; v: string }
  | { t: 'int'; v: bigint }
  | { t: 'real'; v: number }
  | { t: 'bool'; v: boolean }
  /** Seconds since 2001-01-01T00:00:00Z (the binary format's own value). */
  | { t: 'date'; v: number }
  | { t: 'data'; v: Buffer };

/** The record of a binary live file, in the repo's XML. */
export const LIVE_BINARY_COMMENT = 'confsync:live-format=binary';
const MARKER_LINE = `<!-- ${LIVE_BINARY_COMMENT} -->`;
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n';
const BPLIST = 'bplist00';
/** Seconds from 1970-01-01 to 2001-01-01 (UTC). */
const EPOCH_2001 = 978_307_200;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Something the canonical form cannot hold exactly (or a file that does not read). */
class NotExact extends Error {}

const fail = (why: string): never => {
  throw new NotExact(why);
};

export function isBinaryPlistBytes(buf: Buffer): boolean {
  return buf.length >= 8 && buf.toString('latin1', 0, 8) === BPLIST;
}

/** An XML plist (by its first bytes). */
export function isXmlPlistBytes(buf: Buffer): boolean {
  const head = buf.subarray(0, 512).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return head.startsWith('<?xml') || head.startsWith('<!DOCTYPE plist') || head.startsWith('<plist');
}

/** Repo XML that records a binary live file (its first bytes hold the comment). */
export function recordsBinaryLive(buf: Buffer): boolean {
  return buf.subarray(0, 512).includes(MARKER_LINE) && isXmlPlistBytes(buf);
}

// ------------------------------------------------------------------------------ binary: read

function uintAt(buf: Buffer, at: number, size: number): number {
  if (at < 0 || at + size > buf.length) fail('outside the file');
  let n = 0;
  for (let i = 0; i < size; i++) n = n * 256 + buf[at + i]!;
  if (!Number.isSafeInteger(n)) fail('offset too large');
  return n;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

class BinaryReader {
  private readonly offsets: number[];
  private readonly refSize: number;
  private readonly end: number;
  private readonly top: number;
  /** Nodes left to expand (shared objects are expanded once per use; a file cannot blow up). */
  private budget: number;

  constructor(private readonly buf: Buffer) {
    if (buf.length < 8 + 1 + 32 || !isBinaryPlistBytes(buf)) fail('not a binary plist');
    const t = buf.length - 32;
    const offsetSize = buf[t + 6]!;
    this.refSize = buf[t + 7]!;
    const num = uintAt(buf, t + 8, 8);
    this.top = uintAt(buf, t + 16, 8);
    const table = uintAt(buf, t + 24, 8);
    if (offsetSize < 1 || offsetSize > 8 || this.refSize < 1 || this.refSize > 8) fail('bad trailer');
    if (num < 1 || num > buf.length || this.top >= num || table < 9 || table + num * offsetSize > t) fail('bad trailer');
    this.end = table;
    this.offsets = new Array<number>(num);
    for (let i = 0; i < num; i++) {
      const off = uintAt(buf, table + i * offsetSize, offsetSize);
      if (off < 8 || off >= table) fail('object outside the file');
      this.offsets[i] = off;
    }
    this.budget = Math.max(num * 4, 65_536);
  }

  read(): PNode {
    return this.object(this.top, 0, new Set());
  }

  private need(at: number, size: number): void {
    if (at + size > this.end) fail('object runs past the object table');
  }

  /** A count: in the marker's low nibble, or an integer object after it when the nibble is 0xF. */
  private count(off: number): { n: number; start: number } {
    const lo = this.buf[off]! & 0x0f;
    if (lo !== 0x0f) return { n: lo, start: off + 1 };
    this.need(off + 1, 1);
    const m = this.buf[off + 1]!;
    if (m >> 4 !== 0x1 || (m & 0x0f) > 3) fail('bad count');
    const size = 1 << (m & 0x0f);
    this.need(off + 2, size);
    return { n: uintAt(this.buf, off + 2, size), start: off + 2 + size };
  }

  private ref(at: number): number {
    const r = uintAt(this.buf, at, this.refSize);
    if (r >= this.offsets.length) fail('reference outside the object table');
    return r;
  }

  private object(ref: number, depth: number, path: Set<number>): PNode {
    if (--this.budget < 0) fail('too many objects');
    if (depth > 512 || path.has(ref)) fail('nested too deep, or a cycle');
    const buf = this.buf;
    const off = this.offsets[ref]!;
    const marker = buf[off]!;
    const hi = marker >> 4;
    const lo = marker & 0x0f;
    switch (hi) {
      case 0x0:
        if (marker === 0x08) return { t: 'bool', v: false };
        if (marker === 0x09) return { t: 'bool', v: true };
        return fail(`object type 0x${marker.toString(16)} (null or fill)`);
      case 0x1: {
        if (lo > 3) return fail('16-byte integer');
        const size = 1 << lo;
        this.need(off + 1, size);
        if (lo === 3) return { t: 'int', v: buf.readBigInt64BE(off + 1) };
        return { t: 'int', v: BigInt(uintAt(buf, off + 1, size)) };
      }
      case 0x2: {
        if (lo !== 3) return fail('a real that is not 8 bytes');
        this.need(off + 1, 8);
        const v = buf.readDoubleBE(off + 1);
        if (!Number.isFinite(v) || Object.is(v, -0)) return fail('NaN, infinity or -0');
        return { t: 'real', v };
      }
      case 0x3: {
        if (marker !== 0x33) return fail('bad date');
        this.need(off + 1, 8);
        return { t: 'date', v: buf.readDoubleBE(off + 1) };
      }
      case 0x4: {
        const { n, start } = this.count(off);
        this.need(start, n);
        return { t: 'data', v: Buffer.from(buf.subarray(start, start + n)) };
      }
      case 0x5: {
        const { n, start } = this.count(off);
        this.need(start, n);
        for (let i = start; i < start + n; i++) if (buf[i]! > 0x7f) fail('non-ASCII bytes in an ASCII string');
        return { t: 'string', v: buf.toString('latin1', start, start + n) };
      }
      case 0x6: {
        const { n, start } = this.count(off);
        this.need(start, n * 2);
        const v = Buffer.from(buf.subarray(start, start + n * 2)).swap16().toString('utf16le');
        if (LONE_SURROGATE.test(v)) fail('a string with a lone surrogate');
        return { t: 'string', v };
      }
      case 0xa: {
        const { n, start } = this.count(off);
        this.need(start, n * this.refSize);
        path.add(ref);
        const items: PNode[] = [];
        for (let i = 0; i < n; i++) items.push(this.object(this.ref(start + i * this.refSize), depth + 1, path));
        path.delete(ref);
        return { t: 'array', items };
      }
      case 0xd: {
        const { n, start } = this.count(off);
        this.need(start, 2 * n * this.refSize);
        path.add(ref);
        const entries: [string, PNode][] = [];
        for (let i = 0; i < n; i++) {
          const k = this.object(this.ref(start + i * this.refSize), depth + 1, path);
          if (k.t !== 'string') fail('a dictionary key that is not a string');
          entries.push([(k as { v: string }).v, this.object(this.ref(start + (n + i) * this.refSize), depth + 1, path)]);
        }
        path.delete(ref);
        return { t: 'dict', entries };
      }
      default:
        return fail(`object type 0x${marker.toString(16)} (UID, set or unknown)`);
    }
  }
}

/** The typed value of a binary plist; null when it does not read or holds something XML cannot carry exactly. */
export function readBinaryPlist(buf: Buffer): PNode | null {
  try {
    return new BinaryReader(buf).read();
  } catch (e) {
    if (e instanceof NotExact || e instanceof RangeError) return null;
    throw e;
  }
}

// ------------------------------------------------------------------------------ binary: write

function sizeFor(max: number): number {
  return max < 0x100 ? 1 : max < 0x10000 ? 2 : max < 0x100000000 ? 4 : 8;
}

function writeUint(buf: Buffer, at: number, n: number, size: number): void {
  let x = n;
  for (let i = size - 1; i >= 0; i--) {
    buf[at + i] = x % 256;
    x = Math.floor(x / 256);
  }
}

/** Bytes of an integer object (marker included). */
function intSize(v: bigint): number {
  if (v < INT64_MIN || v > INT64_MAX) fail('integer outside 64 bits');
  return v >= 0n && v <= 0xffn ? 2 : v >= 0n && v <= 0xffffn ? 3 : v >= 0n && v <= 0xffffffffn ? 5 : 9;
}

function writeInt(buf: Buffer, at: number, v: bigint): number {
  const size = intSize(v);
  if (size === 9) {
    buf[at] = 0x13;
    buf.writeBigInt64BE(v, at + 1);
  } else {
    buf[at] = 0x10 | (size === 2 ? 0 : size === 3 ? 1 : 2);
    writeUint(buf, at + 1, Number(v), size - 1);
  }
  return at + size;
}

/** Bytes of a marker with a count (the count in the low nibble, or an integer object after it). */
const countSize = (n: number) => (n < 15 ? 1 : 1 + intSize(BigInt(n)));

function writeCount(buf: Buffer, at: number, type: number, n: number): number {
  if (n < 15) {
    buf[at] = (type << 4) | n;
    return at + 1;
  }
  buf[at] = (type << 4) | 0x0f;
  return writeInt(buf, at + 1, BigInt(n));
}

const ASCII = /^[\x00-\x7f]*$/;

/** A binary plist of `root` (scalars shared, containers not; the top object first). */
export function writeBinaryPlist(root: PNode): Buffer {
  type Obj = { node: PNode; refs: number[]; ascii: boolean };
  const objects: Obj[] = [];
  const shared = new Map<string, number>();
  const scalarKey = (n: PNode): string | null => {
    switch (n.t) {
      case 'string':
        return `s${n.v}`;
      case 'int':
        return `i${n.v}`;
      case 'real':
        return `r${n.v}`;
      case 'bool':
        return `b${n.v}`;
      case 'date':
        return `d${n.v}`;
      case 'data':
        return n.v.length <= 256 ? `x${n.v.toString('base64')}` : null;
      default:
        return null;
    }
  };
  const add = (n: PNode): number => {
    const key = scalarKey(n);
    if (key !== null) {
      const known = shared.get(key);
      if (known !== undefined) return known;
    }
    const i = objects.length;
    const o: Obj = { node: n, refs: [], ascii: n.t === 'string' && ASCII.test(n.v) };
    objects.push(o);
    if (key !== null) shared.set(key, i);
    if (n.t === 'array') o.refs = n.items.map(add);
    else if (n.t === 'dict') {
      const keys = n.entries.map(([k]) => add({ t: 'string', v: k }));
      o.refs = [...keys, ...n.entries.map(([, v]) => add(v))];
    }
    return i;
  };
  add(root);
  const refSize = sizeFor(objects.length - 1);
  const sizeOf = (o: Obj): number => {
    const n = o.node;
    switch (n.t) {
      case 'bool':
        return 1;
      case 'int':
        return intSize(n.v);
      case 'real':
      case 'date':
        return 9;
      case 'data':
        return countSize(n.v.length) + n.v.length;
      case 'string':
        return o.ascii ? countSize(n.v.length) + n.v.length : countSize(n.v.length) + 2 * n.v.length;
      case 'array':
        return countSize(o.refs.length) + o.refs.length * refSize;
      case 'dict':
        return countSize(o.refs.length / 2) + o.refs.length * refSize;
    }
  };
  const offsets: number[] = [];
  let at = 8;
  for (const o of objects) {
    offsets.push(at);
    at += sizeOf(o);
  }
  const table = at;
  const offsetSize = sizeFor(table);
  const buf = Buffer.alloc(table + objects.length * offsetSize + 32);
  buf.write(BPLIST, 0, 'latin1');
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i]!;
    const n = o.node;
    let p = offsets[i]!;
    switch (n.t) {
      case 'bool':
        buf[p] = n.v ? 0x09 : 0x08;
        break;
      case 'int':
        writeInt(buf, p, n.v);
        break;
      case 'real':
      case 'date':
        buf[p] = n.t === 'real' ? 0x23 : 0x33;
        buf.writeDoubleBE(n.v, p + 1);
        break;
      case 'data':
        p = writeCount(buf, p, 0x4, n.v.length);
        n.v.copy(buf, p);
        break;
      case 'string':
        // JS string length is its number of UTF-16 units: the count of both kinds of string object.
        p = writeCount(buf, p, o.ascii ? 0x5 : 0x6, n.v.length);
        if (o.ascii) buf.write(n.v, p, 'latin1');
        else {
          buf.write(n.v, p, 'utf16le');
          buf.subarray(p, p + 2 * n.v.length).swap16();
        }
        break;
      case 'array':
      case 'dict':
        p = writeCount(buf, p, n.t === 'array' ? 0xa : 0xd, n.t === 'array' ? o.refs.length : o.refs.length / 2);
        for (const r of o.refs) {
          writeUint(buf, p, r, refSize);
          p += refSize;
        }
        break;
    }
  }
  for (let i = 0; i < objects.length; i++) writeUint(buf, table + i * offsetSize, offsets[i]!, offsetSize);
  const t = table + objects.length * offsetSize;
  buf[t + 6] = offsetSize;
  buf[t + 7] = refSize;
  buf.writeBigUInt64BE(BigInt(objects.length), t + 8);
  buf.writeBigUInt64BE(0n, t + 16);
  buf.writeBigUInt64BE(BigInt(table), t + 24);
  return buf;
}

// ------------------------------------------------------------------------------ XML: write

/** Characters XML 1.0 cannot hold (as text or as a character reference). */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function text(s: string): string {
  if (NOT_XML.test(s)) fail('a string with characters XML cannot hold');
  // A carriage return is kept as a character reference: XML readers turn a literal one into \n.
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

function dateText(v: number): string {
  if (!Number.isInteger(v)) fail('a date with fractions of a second');
  if (Math.abs(v) > 1e12) fail('a date outside years 1–9999');
  const iso = new Date((v + EPOCH_2001) * 1000).toISOString();
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/.test(iso) || iso.startsWith('0000')) fail('a date outside years 1–9999');
  return `${iso.slice(0, 19)}Z`;
}

/** Canonical XML of `root` (Apple's layout); `recordBinary` adds the record of a binary live file. */
export function writeXmlPlist(root: PNode, recordBinary: boolean): string {
  const out: string[] = [XML_HEAD];
  if (recordBinary) out.push(`${MARKER_LINE}\n`);
  out.push('<plist version="1.0">\n');
  const emit = (n: PNode, ind: string): void => {
    switch (n.t) {
      case 'dict':
        if (n.entries.length === 0) out.push(`${ind}<dict/>\n`);
        else {
          out.push(`${ind}<dict>\n`);
          for (const [k, v] of n.entries) {
            out.push(`${ind}\t<key>${text(k)}</key>\n`);
            emit(v, `${ind}\t`);
          }
          out.push(`${ind}</dict>\n`);
        }
        break;
      case 'array':
        if (n.items.length === 0) out.push(`${ind}<array/>\n`);
        else {
          out.push(`${ind}<array>\n`);
          for (const v of n.items) emit(v, `${ind}\t`);
          out.push(`${ind}</array>\n`);
        }
        break;
      case 'string':
        out.push(`${ind}<string>${text(n.v)}</string>\n`);
        break;
      case 'int':
        out.push(`${ind}<integer>${n.v.toString()}</integer>\n`);
        break;
      case 'real':
        out.push(`${ind}<real>${String(n.v)}</real>\n`);
        break;
      case 'bool':
        out.push(`${ind}<${n.v ? 'true' : 'false'}/>\n`);
        break;
      case 'date':
        out.push(`${ind}<date>${dateText(n.v)}</date>\n`);
        break;
      case 'data': {
        if (n.v.length === 0) {
          out.push(`${ind}<data></data>\n`);
          break;
        }
        const b64 = n.v.toString('base64');
        out.push(`${ind}<data>\n`);
        for (let i = 0; i < b64.length; i += 68) out.push(`${ind}${b64.slice(i, i + 68)}\n`);
        out.push(`${ind}</data>\n`);
        break;
      }
    }
  };
  emit(root, '');
  out.push('</plist>\n');
  return out.join('');
}

// ------------------------------------------------------------------------------ XML: read

const INT_TEXT = /^[+-]?\d+$/;
const REAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;
const B64_TEXT = /^[A-Za-z0-9+/]*={0,2}$/;

type Frame = { kind: 'plist'; items: PNode[] } | { kind: 'dict'; entries: [string, PNode][]; key: string | null } | { kind: 'array'; items: PNode[] } | { kind: 'leaf'; name: string; text: string };

const LEAVES = new Set(['key', 'string', 'integer', 'real', 'date', 'data', 'true', 'false']);

function leaf(name: string, raw: string): PNode | string {
  switch (name) {
    case 'key':
      return raw;
    case 'string':
      return { t: 'string', v: raw };
    case 'integer': {
      const s = raw.trim();
      if (!INT_TEXT.test(s)) return fail(`integer ${s}`);
      const v = BigInt(s);
      if (v < INT64_MIN || v > INT64_MAX) return fail('integer outside 64 bits');
      return { t: 'int', v };
    }
    case 'real': {
      const s = raw.trim();
      if (!REAL_TEXT.test(s)) return fail(`real ${s}`);
      const v = Number(s);
      if (!Number.isFinite(v) || Object.is(v, -0)) return fail(`real ${s}`);
      return { t: 'real', v };
    }
    case 'date': {
      const s = raw.trim();
      const m = DATE_TEXT.exec(s);
      if (!m) return fail(`date ${s}`);
      const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
      const v = ms / 1000 - EPOCH_2001;
      if (dateText(v) !== s) return fail(`date ${s}`);
      return { t: 'date', v };
    }
    case 'data': {
      const s = raw.replace(/[\t\n\r ]+/g, '');
      if (!B64_TEXT.test(s) || s.length % 4 !== 0) return fail('data that is not base64');
      return { t: 'data', v: Buffer.from(s, 'base64') };
    }
    case 'true':
    case 'false':
      if (raw.trim() !== '') return fail(`<${name}> with content`);
      return { t: 'bool', v: name === 'true' };
  }
  return fail(`<${name}>`);
}

/** The typed value of an XML plist and whether it records a binary live file; null when it does not read exactly. */
export function readXmlPlist(xml: string): { node: PNode; recordsBinary: boolean } | null {
  const parser = new SaxesParser({ position: false });
  const stack: Frame[] = [];
  let root: PNode | null = null;
  let seenRoot = false;
  let recordsBinary = false;
  let failure: unknown = null;
  const add = (value: PNode | string, name: string) => {
    const parent = stack[stack.length - 1];
    if (!parent) return fail('content outside <plist>');
    if (parent.kind === 'leaf') return fail(`<${name}> inside <${parent.name}>`);
    if (parent.kind === 'dict') {
      if (parent.key === null) {
        if (typeof value !== 'string') return fail('a dictionary value without its key');
        parent.key = value;
      } else {
        if (typeof value === 'string') return fail('two keys in a row');
        parent.entries.push([parent.key, value]);
        parent.key = null;
      }
      return;
    }
    if (typeof value === 'string') return fail('<key> outside a dictionary');
    parent.items.push(value);
  };
  parser.on('comment', (c) => {
    if (!seenRoot && c.trim() === LIVE_BINARY_COMMENT) recordsBinary = true;
  });
  parser.on('opentag', (tag) => {
    const name = tag.name;
    if (!seenRoot) {
      seenRoot = true;
      if (name !== 'plist') fail('the root element is not <plist>');
      stack.push({ kind: 'plist', items: [] });
      return;
    }
    const top = stack[stack.length - 1];
    if (!top || top.kind === 'leaf') fail(`<${name}> in the wrong place`);
    if (name === 'dict') stack.push({ kind: 'dict', entries: [], key: null });
    else if (name === 'array') stack.push({ kind: 'array', items: [] });
    else if (LEAVES.has(name)) stack.push({ kind: 'leaf', name, text: '' });
    else fail(`unknown element <${name}>`);
  });
  const onText = (t: string) => {
    const top = stack[stack.length - 1];
    if (top?.kind === 'leaf') top.text += t;
    else if (t.trim() !== '') fail('text outside a value');
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', (tag) => {
    const f = stack.pop();
    if (!f) return;
    if (f.kind === 'leaf') add(leaf(f.name, f.text), tag.name);
    else if (f.kind === 'dict') {
      if (f.key !== null) fail('a dictionary key without its value');
      add({ t: 'dict', entries: f.entries }, tag.name);
    } else if (f.kind === 'array') add({ t: 'array', items: f.items }, tag.name);
    else {
      if (f.items.length !== 1) fail('<plist> does not hold exactly one value');
      root = f.items[0]!;
    }
  });
  parser.on('error', (e) => {
    failure ??= e;
  });
  try {
    parser.write(xml).close();
  } catch (e) {
    failure ??= e;
  }
  if (failure !== null) return null;
  return root === null ? null : { node: root, recordsBinary };
}

// ------------------------------------------------------------------------------ the forms

/** Reads back a binary plist written from `node`: true when it holds exactly `node`. */
function binaryHolds(bin: Buffer, node: PNode): boolean {
  const back = readBinaryPlist(bin);
  return back !== null && isDeepStrictEqual(back, node);
}

/**
 * Live bytes → repo bytes: a binary plist becomes canonical XML recording its binary form, when that is
 * exact both ways and no larger than `maxBytes`; anything else is returned as it is (the same Buffer).
 */
export function plistRepoForm(live: Buffer, maxBytes: number): Buffer {
  if (!isBinaryPlistBytes(live)) return live;
  try {
    const node = readBinaryPlist(live);
    if (!node) return live;
    const xml = writeXmlPlist(node, true);
    if (Buffer.byteLength(xml) > maxBytes) return live;
    const back = readXmlPlist(xml);
    if (!back || !isDeepStrictEqual(back.node, node) || !binaryHolds(writeBinaryPlist(node), node)) return live;
    return Buffer.from(xml, 'utf8');
  } catch {
    return live; // not exact (NotExact), or anything unforeseen: the bytes as they are, as before
  }
}

/**
 * Repo bytes → live bytes: XML becomes a binary plist when the live file is binary, or (no live file,
 * or one that is not a plist) when the XML records a binary live file. Anything else: the repo bytes.
 * Throws when XML that must become binary cannot be written exactly (never for XML made by
 * plistRepoForm): the live file is then left as it is.
 */
export function plistLiveForm(repo: Buffer, currentLive: Buffer | null): Buffer {
  if (!isXmlPlistBytes(repo)) return repo;
  const liveBinary = currentLive && isBinaryPlistBytes(currentLive);
  const liveXml = currentLive && !liveBinary && isXmlPlistBytes(currentLive);
  const binary = liveBinary || (!liveXml && recordsBinaryLive(repo));
  if (!binary) return repo;
  const read = readXmlPlist(repo.toString('utf8').replace(/^\uFEFF/, ''));
  if (!read) {
    if (recordsBinaryLive(repo)) throw new Error('the repo’s XML property list cannot be written back as a binary plist exactly; the live file is left as it is');
    return repo; // XML from elsewhere that this machine's binary form cannot hold exactly: as it is
  }
  const bin = writeBinaryPlist(read.node);
  if (!binaryHolds(bin, read.node)) throw new Error('the binary property list written from the repo’s XML does not read back the same; the live file is left as it is');
  return bin;
}

/** Repo XML recording a binary live file, as the binary plist it stands for (else the bytes as they are). */
function asRecordedBinary(b: Buffer | null): Buffer | null {
  if (!b || !recordsBinaryLive(b)) return b;
  try {
    return plistLiveForm(b, null);
  } catch {
    return b;
  }
}

/**
 * A plist codec (plain plists, the Keyboard Maestro library) that stores binary plists in the repo as
 * canonical XML (plistRepoForm) and writes them back in the live file's format (plistLiveForm).
 * Merges run on the binary plists the repo's XML stands for, through the codec's own merge, and a
 * merged result is stored in the repo form again; validation and diffs see the repo form (a binary
 * live file is shown as the XML the repo would hold, so a diff has the same text on both sides).
 */
export function withPlistRepoForm(codec: Codec, maxBytes: () => number): Codec {
  // The plain plist codec knows a binary plist by its magic under any name (a variant
  // `x.plist##host.a`, no extension), so it also owns its repo form, known by the record it carries,
  // and writes it back binary there too. (The KM library's codec goes by its name only.)
  const byRecord = codec.id === 'plist';
  return {
    id: codec.id,
    matches: (p, c) => codec.matches(p, c) || (byRecord && c !== undefined && recordsBinaryLive(c)),
    validate: (c) => codec.validate(c),
    async merge(base, mine, theirs) {
      if (![base, mine, theirs].some((b) => b !== null && recordsBinaryLive(b))) return codec.merge(base, mine, theirs);
      const m = asRecordedBinary(mine)!;
      const t = asRecordedBinary(theirs)!;
      const r = await codec.merge(asRecordedBinary(base), m, t);
      if (!r.clean) return r;
      if (r.content.equals(m)) return { ...r, content: mine };
      if (r.content.equals(t)) return { ...r, content: theirs };
      return { ...r, content: plistRepoForm(r.content, maxBytes()) };
    },
    diffText: (c) => codec.diffText(plistRepoForm(c, Number.MAX_SAFE_INTEGER)),
    toRepo: (live, ctx) => plistRepoForm(codec.toRepo(live, ctx), maxBytes()),
    toLive: (repo, ctx) => codec.toLive(plistLiveForm(repo, ctx.currentLive), ctx),
  };
}
