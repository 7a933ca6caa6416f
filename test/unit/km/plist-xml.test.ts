/**
 * The saxes reader of XML plists gives exactly what plist.js's DOM reader gives (it replaced it for
 * speed), on generated plists, on a generated Keyboard Maestro library, and on the fixtures; and it
 * refuses what plist.js refuses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import plist from 'plist';
import { describe, expect, it } from 'vitest';
import { parsePlistXml } from '../../../electron/engine/km/plist-xml.js';
import { decodePlist, encodePlist } from '../../../electron/engine/km/plist-codec.js';
import { encodeLibrary, generateLibrary } from '../../helpers/km-library.js';

const FIXTURES = join(__dirname, '..', '..', 'fixtures');

/** plist.js itself, the reference. */
function reference(xml: string): unknown {
  return plist.parse(xml);
}

// xmldom (under plist.parse) turns U+0085, U+2028 and U+2029 into "\n" (XML 1.1's line ends, and U+2029); plists are
// XML 1.0, where they are ordinary characters, and the saxes reader keeps them (tested below).
const NOT_XML10_LINE_ENDS = /[\u0085\u2028\u2029]/;
const text = fc.string({ unit: 'grapheme' }).filter((t) => !NOT_XML10_LINE_ENDS.test(t));

// Leaves plist.build writes and plist.parse reads back as the same kind.
const leaf = fc.oneof(
  text,
  fc.constantFrom('', ' spaced ', 'a & b < c > d "e" \'f\'', 'tab\tand\nnewline', '<![CDATA[x]]>', ']]>'),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)),
  fc.boolean(),
  fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }),
  fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
);
// plist.parse throws on a nested dict with a key named like an Object.prototype member ("toString"):
// the saxes reader reads those (tested below); the comparison leaves them out.
const PROTO_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));
const key = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((k) => !PROTO_NAMES.has(k) && !NOT_XML10_LINE_ENDS.test(k));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('dict')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  dict: fc.dictionary(key, tie('value'), { maxKeys: 5 }).map((d) => Object.assign({}, d)),
}));

describe('parsePlistXml', () => {
  it('reads what plist.build writes exactly as plist.parse does (generated values)', () => {
    fc.assert(
      fc.property(value, (v) => {
        const xml = plist.build(v as plist.PlistValue);
        expect(parsePlistXml(xml)).toEqual(reference(xml));
      }),
      { numRuns: 300 },
    );
  });

  it('reads a generated Keyboard Maestro library and the fixtures as plist.parse does', () => {
    const lib = encodeLibrary(generateLibrary({ groups: 5, macrosPerGroup: 20, seed: 7 }), 'xml').toString('utf8');
    expect(parsePlistXml(lib)).toEqual(reference(lib));
    for (const f of ['km/small-xml.plist']) {
      const xml = readFileSync(join(FIXTURES, f), 'utf8');
      expect(parsePlistXml(xml)).toEqual(reference(xml));
    }
  });

  it('follows plist.js on its quirks: a dangling key gives "", an array drops <null/>, several root values are a list', () => {
    const cases = [
      '<plist><dict><key>a</key><string>x</string><key>b</key></dict></plist>',
      '<plist><array><string>x</string><null/><integer>2</integer></array></plist>',
      '<plist><string>a</string><integer>1</integer></plist>',
      '<plist></plist>',
      '<plist><dict/></plist>',
      '<plist><array/></plist>',
      '<plist><string/></plist>',
      '<plist><key/></plist>',
      '<plist><data>\n  aGVs\n  bG8=\n</data></plist>',
      '<plist><data/></plist>',
      '<plist><integer> 42 </integer></plist>',
      '<plist><real>1.5e3</real></plist>',
      '<plist><date>2026-12-05T01:02:03Z</date></plist>',
      '<plist><string>a&amp;b &#x263A; &lt;tag&gt;</string></plist>',
      '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n<dict>\n\t<key>k</key>\n\t<true/>\n</dict>\n</plist>\n',
    ];
    for (const xml of cases) expect(parsePlistXml(xml), xml).toEqual(reference(xml));
  });

  it('keeps U+0085, U+2028 and U+2029 as they are (XML 1.0), where plist.parse made them line feeds', () => {
    const xml = plist.build({ 'a\u2028b': 'x\u0085y\u2028z\u2029' });
    expect(parsePlistXml(xml)).toEqual({ 'a\u2028b': 'x\u0085y\u2028z\u2029' });
    expect(reference(xml)).toEqual({ 'a\nb': 'x\ny\nz\n' });
  });

  it('reads keys named like Object.prototype members, which plist.parse could not', () => {
    const xml = '<plist><dict><key></key><dict><key>toString</key><string></string><key>valueOf</key><integer>1</integer><key>hasOwnProperty</key><true/><key>constructor</key><string>c</string></dict></dict></plist>';
    expect(parsePlistXml(xml)).toEqual({ '': { toString: '', valueOf: 1, hasOwnProperty: true, constructor: 'c' } });
    expect(() => reference(xml)).toThrow();
  });

  it('refuses what plist.js refuses, and malformed XML', () => {
    const refusedByBoth = [
      '<dict><key>a</key><string>x</string></dict>',
      '<plist><dict><string>x</string></dict></plist>',
      '<plist><dict><key>a</key><key>b</key></dict></plist>',
      '<plist><integer></integer></plist>',
      '<plist><real/></plist>',
      '<plist><date></date></plist>',
      '<plist><blob>1</blob></plist>',
      '<plist><dict><key>__proto__</key><string>x</string></dict></plist>',
    ];
    for (const xml of refusedByBoth) {
      expect(() => reference(xml), xml).toThrow();
      expect(() => parsePlistXml(xml), xml).toThrow();
    }
    for (const xml of ['<plist><dict><key>a</key><string>x</string>', '<plist><string>a</plist>', '', 'not xml']) {
      expect(() => parsePlistXml(xml), xml).toThrow();
    }
  });

  it('a half-saved library is reported as truncated by the codec', () => {
    const lib = encodeLibrary(generateLibrary({ groups: 2, macrosPerGroup: 5, seed: 3 }), 'xml');
    const half = lib.subarray(0, Math.floor(lib.length / 2));
    expect(() => decodePlist(half)).toThrow(expect.objectContaining({ code: 'truncated' }));
    // And the whole one still round-trips through the codec.
    const { value: v, format } = decodePlist(lib);
    expect(format).toBe('xml');
    expect(decodePlist(encodePlist(v, 'xml')).value).toEqual(v);
  });
});
