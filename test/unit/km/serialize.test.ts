import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlistEncodeError, parseLibrary, serializeLibrary, type KmRoot } from '../../../electron/engine/km/index.js';
import { decodePlist, encodePlist } from '../../../electron/engine/km/plist-codec.js';
import { canonicalJson } from '../../../electron/engine/km/canonical.js';
import { makeGroup, makeMacro, rng } from '../../helpers/km-library.js';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/km', name));
const hashes = (buf: Buffer) => [...parseLibrary(buf).macros.values()].map((m) => [m.uid, m.hash]);

describe('serializeLibrary round trips', () => {
  for (const name of ['small-binary.plist', 'small-xml.plist', 'medium-binary.plist']) {
    for (const format of ['binary', 'xml'] as const) {
      it(`${name} → ${format} → parse gives the same hashes and groups`, () => {
        const buf = fixture(name);
        const lib = parseLibrary(buf);
        const out = serializeLibrary(lib.raw, format);
        const back = parseLibrary(out);
        expect(back.format).toBe(format);
        expect(hashes(out)).toEqual(hashes(buf));
        expect(back.groups.map((g) => [g.uid, g.name, g.enabled, g.macroUids])).toEqual(lib.groups.map((g) => [g.uid, g.name, g.enabled, g.macroUids]));
        expect(canonicalJson(back.raw)).toBe(canonicalJson(lib.raw));
      });
    }
  }

  it('keeps CreationDate/ModificationDate reals as reals, even when integral', () => {
    const lib = parseLibrary(fixture('small-xml.plist'));
    expect(fixture('small-xml.plist').toString()).toMatch(/<key>CreationDate<\/key>\s*<real>700000000(\.0)?<\/real>/);
    const xml = serializeLibrary(lib.raw, 'xml').toString('utf8');
    expect(xml).toMatch(/<key>CreationDate<\/key>\s*<real>700000000<\/real>/);
    expect(xml).not.toMatch(/<key>CreationDate<\/key>\s*<integer>/);
    expect(xml).toMatch(/<key>ActionUID<\/key>\s*<integer>/);
    const bin = serializeLibrary(lib.raw, 'binary');
    const real = Buffer.alloc(9);
    real[0] = 0x23;
    real.writeDoubleBE(700000000, 1);
    expect(bin.includes(real)).toBe(true);
  });
});

describe('bplist-creator quirks are handled', () => {
  const rand = rng(1);
  const roundTrip = (value: unknown) => decodePlist(encodePlist(value as KmRoot, 'binary')).value;

  it('dates keep milliseconds (bplist-creator alone drops them)', () => {
    const d = new Date(Date.UTC(2024, 4, 6, 7, 8, 9, 123));
    expect(roundTrip({ When: d })).toEqual({ When: d });
  });

  it('data (Buffers and Uint8Arrays), nested and empty arrays and dicts, unicode strings', () => {
    const value = {
      Data: Buffer.from([0, 1, 2, 254, 255]),
      Bytes: new Uint8Array([9, 8, 7]),
      Nested: [[1, [2, { x: [] }]], [], {}],
      Text: 'Ünïcödé ✓ 日本語 😀 "q" \\ /',
      Empty: '',
      Bool: [true, false],
    };
    expect(roundTrip(value)).toEqual({ ...value, Bytes: Buffer.from([9, 8, 7]) });
  });

  it('integers: small, negative; beyond 32 bits as exact reals (bplist-creator would write 0)', () => {
    expect(roundTrip({ a: 0, b: 255, c: 65536, d: -1, e: -2147483648, f: 2 ** 40, g: -(2 ** 40), h: 2 ** 53 - 1, r: 1.5 })).toEqual({
      a: 0,
      b: 255,
      c: 65536,
      d: -1,
      e: -2147483648,
      f: 2 ** 40,
      g: -(2 ** 40),
      h: 2 ** 53 - 1,
      r: 1.5,
    });
  });

  it('known limit: bplist-parser reads integers in [2^31, 2^32) through int32 (the reader warns)', () => {
    // bplist-creator writes 3e9 correctly as a 4-byte unsigned integer; bplist-parser reads it back signed.
    expect(roundTrip({ big: 3_000_000_000 })).toEqual({ big: 3_000_000_000 - 2 ** 32 });
    expect(decodePlist(encodePlist({ big: 3_000_000_000 }, 'binary')).inexactIntegers).toBe(1);
  });

  it('a one-element top-level array stays an array', () => {
    const v = [{ Name: 'G', Macros: [{ Name: 'M' }] }];
    expect(roundTrip(v)).toEqual(v);
    expect(decodePlist(encodePlist(v, 'xml')).value).toEqual(v);
  });

  it('nulls are dropped', () => {
    expect(roundTrip({ a: null, b: [1, null, 2] })).toEqual({ b: [1, 2] });
  });

  it('XML cannot hold control characters: PlistEncodeError; binary can', () => {
    const m = makeMacro(rand, 'ctl');
    m.Actions = [{ MacroActionType: 'ExecuteShellScript', Text: 'printf "\u001b[1m bold"' }];
    const root = { MacroGroups: [makeGroup(rand, 'G', [m])] };
    expect(() => serializeLibrary(root as KmRoot, 'xml')).toThrow(PlistEncodeError);
    const back = parseLibrary(serializeLibrary(root as KmRoot, 'binary'));
    expect(back.macros.get(m.UID as string)?.raw.Actions).toEqual(m.Actions);
  });

  it('XML dates have second precision (the format’s own)', () => {
    const d = new Date(Date.UTC(2024, 4, 6, 7, 8, 9, 123));
    expect(decodePlist(encodePlist({ d }, 'xml')).value).toEqual({ d: new Date(Date.UTC(2024, 4, 6, 7, 8, 9)) });
  });
});
