/**
 * The repo form of binary plists (formats/plist-form.ts): canonical XML that records the live format,
 * converted back exactly; what cannot be converted exactly is kept as it is.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import bplistCreator from 'bplist-creator';
import {
  plistLiveForm,
  plistRepoForm,
  readBinaryPlist,
  readXmlPlist,
  recordsBinaryLive,
  withPlistRepoForm,
  writeBinaryPlist,
  writeXmlPlist,
  type PNode,
} from '../../../electron/engine/formats/plist-form';
import { Formats, plistCodec } from '../../../electron/engine/formats';
import { keyMatcher, withKeyRules } from '../../../electron/engine/formats/keys';
import { decodePlist, encodePlist } from '../../../electron/engine/km/plist-codec';
import { kmLibraryCodec } from '../../../electron/engine/km/codec';

const MAX = 5 * 1024 * 1024;
/** No lone surrogate (a string UTF-8 can hold). */
const wellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
const ctx = { repoPath: 'app/Library/Preferences/com.example.plist', host: 'alpha', platform: 'linux' as const };
const str = (v: string): PNode => ({ t: 'string', v });
const int = (v: number | bigint): PNode => ({ t: 'int', v: BigInt(v) });
const real = (v: number): PNode => ({ t: 'real', v });
const dict = (o: Record<string, PNode>): PNode => ({ t: 'dict', entries: Object.entries(o) });

/** A binary plist made of raw object bytes (for what our writer never makes: float32, UID, 16-byte ints). */
function rawBplist(objects: Buffer[], top = 0): Buffer {
  const parts: Buffer[] = [Buffer.from('bplist00', 'latin1')];
  const offsets: number[] = [];
  let at = 8;
  for (const o of objects) {
    offsets.push(at);
    parts.push(o);
    at += o.length;
  }
  const table = at;
  parts.push(Buffer.from(offsets.flatMap((o) => [o >> 8, o & 0xff])));
  const trailer = Buffer.alloc(32);
  trailer[6] = 2;
  trailer[7] = 1;
  trailer.writeBigUInt64BE(BigInt(objects.length), 8);
  trailer.writeBigUInt64BE(BigInt(top), 16);
  trailer.writeBigUInt64BE(BigInt(table), 24);
  parts.push(trailer);
  return Buffer.concat(parts);
}
/** A dict {key: <object>} as raw objects. */
function rawDict(key: string, value: Buffer): Buffer {
  return rawBplist([Buffer.from([0xd1, 1, 2]), Buffer.concat([Buffer.from([0x50 | key.length]), Buffer.from(key, 'latin1')]), value]);
}

const prefs = (): PNode =>
  dict({
    'NSWindow Frame Main': str('120 340 1280 800 0 0 2560 1415 '),
    LaunchCount: int(7),
    Scale: real(1), // a real that happens to be whole stays a real
    Opacity: real(0.95),
    Big: int(2n ** 40n), // bplist-parser would read this wrongly; we read and write it exactly
    Unsigned: int(3_000_000_000),
    Negative: int(-5),
    Launched: { t: 'date', v: 789_000_000 },
    Bookmark: { t: 'data', v: Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256)) },
    Recents: { t: 'array', items: [str('a & b < c > d'), str('line\r\nbreak\ttab'), str('ünïcödé ✓ 𝄞'), str('')] },
    Empty: dict({}),
    None: { t: 'array', items: [] },
    On: { t: 'bool', v: true },
  });

describe('plistRepoForm / plistLiveForm', () => {
  it('stores a binary plist as canonical XML recording the binary form, and writes it back binary with the same typed values', () => {
    const live = writeBinaryPlist(prefs());
    const repo = plistRepoForm(live, MAX);
    const text = repo.toString('utf8');
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist')).toBe(true);
    expect(recordsBinaryLive(repo)).toBe(true);
    expect(text).toContain('<key>Scale</key>\n\t<real>1</real>');
    expect(text).toContain('<integer>1099511627776</integer>');
    expect(text).toContain('line&#13;\nbreak');
    // Another machine without the file: binary, the same values and types.
    const back = plistLiveForm(repo, null);
    expect(back.subarray(0, 8).toString('latin1')).toBe('bplist00');
    expect(readBinaryPlist(back)).toEqual(prefs());
    // The machine that made it reads the same XML again: no change to commit.
    expect(plistRepoForm(back, MAX).equals(repo)).toBe(true);
    // The plist libraries read the repo form too (validation, merges, the KM reader), integers exactly;
    // bplist-parser still misreads the large ones of the binary form, and says so.
    expect(decodePlist(repo).value).toMatchObject({ Big: 2 ** 40, Unsigned: 3_000_000_000, Scale: 1, Opacity: 0.95 });
    expect(decodePlist(back).inexactIntegers).toBe(2);
  });

  it('reads a binary plist written by another writer (bplist-creator) exactly', () => {
    const live = bplistCreator({ Name: 'x', Count: 3, Ratio: 0.5, When: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), Blob: Buffer.from('hi'), List: [1, 'two', true] });
    const repo = plistRepoForm(live, MAX);
    expect(recordsBinaryLive(repo)).toBe(true);
    expect(decodePlist(plistLiveForm(repo, null)).value).toEqual(decodePlist(live).value);
    expect(repo.toString()).toContain('<date>2026-01-02T03:04:05Z</date>');
  });

  it('keeps the live file’s own format: XML stays XML; without a live file, the record decides', () => {
    const repo = plistRepoForm(writeBinaryPlist(prefs()), MAX);
    const xmlLive = encodePlist({ a: 1 }, 'xml');
    expect(plistLiveForm(repo, xmlLive).equals(repo)).toBe(true); // the XML machine gets the XML (a comment more)
    expect(plistLiveForm(repo, Buffer.from('half-saved')).subarray(0, 8).toString('latin1')).toBe('bplist00');
    const plainXml = encodePlist({ a: 1 }, 'xml');
    expect(plistLiveForm(plainXml, null).equals(plainXml)).toBe(true); // XML without the record: XML
    expect(plistLiveForm(plainXml, writeBinaryPlist(dict({}))).subarray(0, 8).toString('latin1')).toBe('bplist00'); // a binary live file stays binary
    expect(plistRepoForm(plainXml, MAX)).toBe(plainXml); // an XML live file is stored as it is
  });

  it('keeps as it is what XML cannot carry exactly', () => {
    const cases: [string, Buffer][] = [
      ['a date with fractions of a second', writeBinaryPlist(dict({ When: { t: 'date', v: 789_000_000.25 } }))],
      ['a date past year 9999', writeBinaryPlist(dict({ When: { t: 'date', v: 1e300 } }))],
      ['a 4-byte real', rawDict('R', Buffer.from([0x22, 0x3f, 0xc0, 0, 0]))],
      ['a keyed-archiver UID', rawDict('U', Buffer.from([0x80, 5]))],
      ['a 16-byte integer', rawDict('I', Buffer.concat([Buffer.from([0x14]), Buffer.alloc(16, 1)]))],
      ['a null', rawDict('N', Buffer.from([0x00]))],
      ['a control character', writeBinaryPlist(dict({ S: str('bell\u0007') }))],
      ['-0', writeBinaryPlist(dict({ Z: real(-0) }))],
      ['a truncated file', writeBinaryPlist(prefs()).subarray(0, 200)],
    ];
    for (const [what, live] of cases) expect(plistRepoForm(live, MAX), what).toBe(live);
    // bplist-creator writes a CF UID for a dict whose only key is UID with a number.
    const uid = bplistCreator({ obj: { UID: 3 } });
    expect(plistRepoForm(uid, MAX)).toBe(uid);
  });

  it('keeps a binary plist binary in the repo when its XML would be over the size limit', () => {
    const live = writeBinaryPlist(prefs());
    expect(plistRepoForm(live, 1000)).toBe(live);
  });

  it('round-trips any value exactly, and converges: repo → live → repo is the same bytes', () => {
    const leaf: fc.Arbitrary<PNode> = fc.oneof(
      fc.string({ unit: 'grapheme' }).map(str),
      fc.string().map(str),
      fc.string({ unit: 'binary' }).filter(wellFormed).map(str), // control characters, \r, astral planes
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(int),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)).map(real),
      fc.boolean().map((v): PNode => ({ t: 'bool', v })),
      fc.integer({ min: -30_000_000_000, max: 200_000_000_000 }).map((v): PNode => ({ t: 'date', v })),
      fc.uint8Array({ maxLength: 200 }).map((v): PNode => ({ t: 'data', v: Buffer.from(v) })),
    );
    const { tree } = fc.letrec<{ tree: PNode }>((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.array(tie('tree'), { maxLength: 6 }).map((items): PNode => ({ t: 'array', items })),
        fc.array(fc.tuple(fc.string({ unit: 'binary' }).filter(wellFormed), tie('tree')), { maxLength: 6 }).map((entries): PNode => ({ t: 'dict', entries })),
      ),
    }));
    fc.assert(
      fc.property(tree, (node) => {
        const live = writeBinaryPlist(node);
        expect(readBinaryPlist(live)).toEqual(node);
        const repo = plistRepoForm(live, MAX);
        let xmlOk = true;
        try {
          writeXmlPlist(node, true);
        } catch {
          xmlOk = false;
        }
        if (!xmlOk) {
          expect(repo).toBe(live);
          return;
        }
        expect(readXmlPlist(repo.toString('utf8'))).toEqual({ node, recordsBinary: true });
        const back = plistLiveForm(repo, null);
        expect(readBinaryPlist(back)).toEqual(node);
        expect(plistRepoForm(back, MAX).equals(repo)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('the codec with the repo form', () => {
  const codec = withPlistRepoForm(plistCodec, () => MAX);

  it('toRepo / toLive through the codec; diffs show the repo form on both sides', () => {
    const live = writeBinaryPlist(prefs());
    const repo = codec.toRepo(live, ctx);
    expect(recordsBinaryLive(repo)).toBe(true);
    expect(codec.toLive(repo, { ...ctx, currentLive: null }).subarray(0, 8).toString('latin1')).toBe('bplist00');
    expect(codec.diffText(live)).toBe(codec.diffText(repo));
    expect(codec.validate(repo)).toEqual({ ok: true });
  });

  it('merges two machines’ edits of a binary plist stored as XML, and stores the result as XML again', async () => {
    const base = { A: 1, B: 'b', C: [1, 2], D: 0.5 };
    const bin = (v: object) => codec.toRepo(encodePlist(v as never, 'binary'), ctx);
    const r = await codec.merge(bin(base), bin({ ...base, A: 2 }), bin({ ...base, B: 'theirs' }));
    expect(r.clean).toBe(true);
    if (!r.clean) return;
    expect(recordsBinaryLive(r.content)).toBe(true);
    expect(decodePlist(r.content).value).toEqual({ A: 2, B: 'theirs', C: [1, 2], D: 0.5 });
    // One side unchanged: that side's bytes, as they were.
    const same = await codec.merge(bin(base), bin(base), bin({ ...base, B: 'x' }));
    expect(same.clean && same.content.equals(bin({ ...base, B: 'x' }))).toBe(true);
    // Mixed: an older repo's binary base, this machine's XML form, theirs binary (from an older version).
    const mixed = await codec.merge(encodePlist(base as never, 'binary'), bin({ ...base, A: 3 }), encodePlist({ ...base, C: [9] } as never, 'binary'));
    expect(mixed.clean && decodePlist(mixed.content).value).toEqual({ A: 3, B: 'b', C: [9], D: 0.5 });
    // Both changed the same key: a conflict, as before.
    const both = await codec.merge(bin(base), bin({ ...base, A: 5 }), bin({ ...base, A: 6 }));
    expect(both.clean).toBe(false);
  });

  it('takes per-key rules out of the live bytes before the conversion, and puts them back after', () => {
    const ruled = withKeyRules(codec, keyMatcher({ ignore: ['NSWindow Frame *'], local: [] })!);
    // (No integers bplist-parser misreads: the rules pass such a file through untouched, as before.)
    const live = writeBinaryPlist(dict({ 'NSWindow Frame Main': str('there'), LaunchCount: int(7), Scale: real(0.5) }));
    const repo = ruled.toRepo(live, ctx);
    expect(recordsBinaryLive(repo)).toBe(true);
    expect(repo.toString()).not.toContain('NSWindow Frame Main');
    const mine = writeBinaryPlist(dict({ 'NSWindow Frame Main': str('here'), LaunchCount: int(1) }));
    const out = ruled.toLive(repo, { ...ctx, currentLive: mine });
    expect(out.subarray(0, 8).toString('latin1')).toBe('bplist00');
    expect(decodePlist(out).value).toMatchObject({ 'NSWindow Frame Main': 'here', LaunchCount: 7 });
  });

  it('Formats wraps the plist and Keyboard Maestro codecs, with the size limit it is given', () => {
    const f = new Formats([kmLibraryCodec], () => null, { maxRepoBytes: () => 100 });
    const live = writeBinaryPlist(prefs());
    expect(f.codecFor('a/b.plist', live).toRepo(live, ctx)).toBe(live); // over 100 bytes as XML: kept binary
    const big = new Formats([kmLibraryCodec]);
    expect(recordsBinaryLive(big.codecFor('a/b.plist', live).toRepo(live, ctx))).toBe(true);
    expect(big.codecFor('km/Keyboard Maestro Macros.plist').id).toBe('km-library');
    expect(recordsBinaryLive(big.codecFor('km/Keyboard Maestro Macros.plist', live).toRepo(live, ctx))).toBe(true);
  });

  it('knows a binary plist and its repo form under any name (a variant, no extension)', () => {
    const f = new Formats([kmLibraryCodec]);
    // An app's plist in its repo form is the plist codec's, not the Keyboard Maestro library's.
    const xml = plistRepoForm(writeBinaryPlist(prefs()), MAX);
    expect(f.codecFor('app/Library/Preferences/com.example.plist', xml).id).toBe('plist');
    expect(f.validate('app/Library/Preferences/com.example.plist', xml)).toEqual({ ok: true });
    const live = writeBinaryPlist(prefs());
    for (const path of ['app/Library/Preferences/com.example.plist##host.alpha', 'app/.config/tool/state']) {
      const repo = f.codecFor(path, live).toRepo(live, { ...ctx, repoPath: path });
      expect(recordsBinaryLive(repo), path).toBe(true);
      const codec = f.codecFor(path, repo);
      expect(codec.id, path).toBe('plist');
      expect(codec.toLive(repo, { ...ctx, repoPath: path, currentLive: null }).subarray(0, 8).toString('latin1'), path).toBe('bplist00');
    }
    // Plain XML (no record) under such a name stays a plain file, as before.
    expect(f.codecFor('app/.config/tool/state', encodePlist({ a: 1 }, 'xml')).id).toBe('plain');
  });
});
