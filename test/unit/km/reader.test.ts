import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KmLibraryError, parseLibrary, readLibrary } from '../../../electron/engine/km/index.js';
import { encodeLibrary, generateLibrary, makeAction, makeGroup, makeMacro, rng, type PlistDict } from '../../helpers/km-library.js';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/km', name));

function expectKmError(fn: () => unknown, code?: string): KmLibraryError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KmLibraryError);
    if (code) expect((err as KmLibraryError).code).toBe(code);
    return err as KmLibraryError;
  }
  throw new Error('expected a KmLibraryError');
}

describe('parseLibrary on the fixtures', () => {
  it('reads the small binary library', () => {
    const lib = parseLibrary(fixture('small-binary.plist'));
    expect(lib.format).toBe('binary');
    expect(lib.groups.map((g) => g.name)).toEqual(['Group 0', 'Group 1', 'Group 2']);
    expect(lib.macros.size).toBe(12);
    expect(lib.warnings).toEqual([]);
    const m = lib.macros.get('A6CECC1B-78E5-1061-7311-D8A3C2CE6F44');
    expect(m).toMatchObject({ name: 'Macro 0.0', groupName: 'Group 0', groupUid: 'CD613E30-D8F1-6ADF-91B7-584A2265B1F5', enabled: true, active: true });
    expect(m?.hash).toMatch(/^[0-9a-f]{64}$/);
    // CreationDate 700000000 s after 2001-01-01 = 2023-03-08T20:26:40Z
    expect(m?.created).toBe(Date.UTC(2023, 2, 8, 20, 26, 40));
    expect(m?.modified).toBeGreaterThan(m!.created!);
    expect(lib.groups[0].macroUids).toHaveLength(4);
  });

  it('reads the XML library to the same model and the same hashes as the binary one', () => {
    const bin = parseLibrary(fixture('small-binary.plist'));
    const xml = parseLibrary(fixture('small-xml.plist'));
    expect(xml.format).toBe('xml');
    expect([...xml.macros.keys()]).toEqual([...bin.macros.keys()]);
    for (const [uid, m] of bin.macros) {
      const x = xml.macros.get(uid)!;
      expect(x.hash).toBe(m.hash);
      expect(x.contentHash).toBe(m.contentHash);
      expect(x.created).toBe(m.created);
      expect(x.modified).toBe(m.modified);
    }
  });

  it('reads the medium library with a disabled group: macros enabled but not active', () => {
    const lib = parseLibrary(fixture('medium-binary.plist'));
    expect(lib.groups).toHaveLength(20);
    expect(lib.macros.size).toBe(500);
    const off = lib.groups.filter((g) => !g.enabled).map((g) => g.name);
    expect(off).toEqual(['Group 8', 'Group 17']);
    const inOff = [...lib.macros.values()].filter((m) => m.groupName === 'Group 8');
    expect(inOff).toHaveLength(25);
    expect(inOff.every((m) => !m.active)).toBe(true);
    expect(inOff.filter((m) => m.enabled).length).toBeGreaterThan(0);
    const ownOff = [...lib.macros.values()].filter((m) => !m.enabled);
    expect(ownOff.length).toBeGreaterThan(0);
    expect(ownOff.every((m) => m.raw.IsActive === false && !m.active)).toBe(true);
  });
});

describe('quirks', () => {
  const both = (root: unknown) => (['binary', 'xml'] as const).map((f) => [f, parseLibrary(encodeLibrary(root, f))] as const);

  it('IsActive missing means enabled, for groups and macros; false/0 means disabled', () => {
    const rand = rng(1);
    const a = makeMacro(rand, 'no flag');
    delete a.IsActive;
    const b = makeMacro(rand, 'off');
    b.IsActive = false;
    const g1 = makeGroup(rand, 'G no flag', [a, b]);
    delete g1.IsActive;
    const c = makeMacro(rand, 'in off group');
    const g2 = makeGroup(rand, 'G off', [c]);
    g2.IsActive = false;
    for (const [, lib] of both({ MacroGroups: [g1, g2] })) {
      expect(lib.groups.map((g) => g.enabled)).toEqual([true, false]);
      const byName = new Map([...lib.macros.values()].map((m) => [m.name, m]));
      expect(byName.get('no flag')).toMatchObject({ enabled: true, active: true });
      expect(byName.get('off')).toMatchObject({ enabled: false, active: false });
      expect(byName.get('in off group')).toMatchObject({ enabled: true, active: false });
    }
  });

  it('keeps names with unicode, slashes, quotes, ampersands and angle brackets', () => {
    const rand = rng(2);
    const names = ['Ünïcödé ✓ 日本語 😀', 'a/b\\c', `"quoted" 'single'`, 'x & <y> > z', '  spaced  '];
    const root = { MacroGroups: [makeGroup(rand, 'Grüppe/"1"', names.map((n) => makeMacro(rand, n)))] };
    for (const [, lib] of both(root)) {
      expect([...lib.macros.values()].map((m) => m.name)).toEqual(names);
      expect(lib.groups[0].name).toBe('Grüppe/"1"');
    }
  });

  it('marks smart groups and does not count the macros they reference twice', () => {
    const rand = rng(3);
    const m1 = makeMacro(rand, 'one');
    const m2 = makeMacro(rand, 'two');
    const normal = makeGroup(rand, 'Normal', [m1, m2]);
    const smart: PlistDict = { Name: 'Smart', UID: 'SMART-1', SearchStrings: ['one'], Macros: [m1] };
    // the smart group comes first in the file: still a reference, not the owner
    for (const [, lib] of both({ MacroGroups: [smart, normal] })) {
      expect(lib.groups.map((g) => [g.name, g.smart])).toEqual([
        ['Smart', true],
        ['Normal', false],
      ]);
      expect(lib.macros.size).toBe(2);
      expect(lib.macros.get(m1.UID as string)?.groupName).toBe('Normal');
      expect(lib.groups[0].macroUids).toEqual([m1.UID]);
      expect(lib.warnings).toEqual([]);
    }
  });

  it('a smart group without Macros is fine', () => {
    const lib = parseLibrary(encodeLibrary({ MacroGroups: [{ Name: 'S', UID: 'S1', SearchStrings: ['x'] }] }, 'xml'));
    expect(lib.groups[0]).toMatchObject({ smart: true, macroUids: [] });
  });

  it('handles empty groups and groups without a Macros key', () => {
    const rand = rng(4);
    const g1 = makeGroup(rand, 'empty', []);
    const g2 = makeGroup(rand, 'no key');
    delete g2.Macros;
    for (const [, lib] of both({ MacroGroups: [g1, g2] })) {
      expect(lib.groups.map((g) => g.macroUids.length)).toEqual([0, 0]);
      expect(lib.macros.size).toBe(0);
    }
  });

  it('reads a macro with 500 actions', () => {
    const rand = rng(5);
    const big = makeMacro(rand, 'big', { actions: 500 });
    for (const [, lib] of both({ MacroGroups: [makeGroup(rand, 'G', [big])] })) {
      const m = lib.macros.get(big.UID as string)!;
      expect((m.raw.Actions as unknown[]).length).toBe(500);
    }
  });

  it('duplicate names are distinct macros (UID is identity)', () => {
    const rand = rng(6);
    const root = { MacroGroups: [makeGroup(rand, 'G', [makeMacro(rand, 'same'), makeMacro(rand, 'same')]), makeGroup(rand, 'G', [makeMacro(rand, 'same')])] };
    const lib = parseLibrary(encodeLibrary(root, 'binary'));
    expect(lib.macros.size).toBe(3);
    expect(lib.groups).toHaveLength(2);
  });

  it('gives a macro without UID a stable synthetic id from its group UID and index, with a warning', () => {
    const rand = rng(7);
    const m = makeMacro(rand, 'anon');
    delete m.UID;
    const g = makeGroup(rand, 'G', [makeMacro(rand, 'first'), m]);
    const buf = encodeLibrary({ MacroGroups: [g] }, 'binary');
    const a = parseLibrary(buf);
    const b = parseLibrary(buf);
    const id = `nouid:${g.UID}:1`;
    expect(a.macros.get(id)?.name).toBe('anon');
    expect(b.macros.get(id)?.hash).toBe(a.macros.get(id)?.hash);
    expect(a.warnings.join('\n')).toMatch(/anon.*no UID/);
  });

  it('keeps both macros when a UID repeats, with a warning', () => {
    const rand = rng(8);
    const m = makeMacro(rand, 'orig');
    const copy = { ...m, Name: 'copy' };
    const lib = parseLibrary(encodeLibrary({ MacroGroups: [makeGroup(rand, 'G', [m, copy])] }, 'xml'));
    expect(lib.macros.get(m.UID as string)?.name).toBe('orig');
    expect(lib.macros.get(`${m.UID}#2`)?.name).toBe('copy');
    expect(lib.warnings.join('\n')).toMatch(/repeats UID/);
  });

  it('skips entries that are not dicts, with warnings', () => {
    const rand = rng(9);
    const lib = parseLibrary(encodeLibrary({ MacroGroups: ['junk', makeGroup(rand, 'G', [42 as unknown as PlistDict, makeMacro(rand, 'ok')])] }, 'xml'));
    expect(lib.groups).toHaveLength(1);
    expect(lib.macros.size).toBe(1);
    expect(lib.warnings).toHaveLength(2);
  });

  it('hash ignores key order; contentHash ignores IsActive and ModificationDate only', () => {
    const rand = rng(10);
    const m = makeMacro(rand, 'm');
    const reordered = Object.fromEntries(Object.entries(m).reverse());
    const toggled = { ...m, IsActive: false, ModificationDate: 730000000.5 };
    const edited = { ...m, Name: 'm2' };
    const lib = (x: PlistDict) => [...parseLibrary(encodeLibrary({ MacroGroups: [makeGroup(rng(1), 'G', [x])] }, 'binary')).macros.values()][0];
    expect(lib(reordered).hash).toBe(lib(m).hash);
    expect(lib(toggled).hash).not.toBe(lib(m).hash);
    expect(lib(toggled).contentHash).toBe(lib(m).contentHash);
    expect(lib(edited).contentHash).not.toBe(lib(m).contentHash);
  });

  it('hashes dates and data (binary and XML agree)', () => {
    const rand = rng(11);
    const m = makeMacro(rand, 'm');
    m.Actions = [{ ...makeAction(rand), When: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), Icon: Buffer.from([0, 1, 2, 250, 255]) }];
    const root = { MacroGroups: [makeGroup(rand, 'G', [m])] };
    const [[, a], [, b]] = both(root);
    expect(a.macros.get(m.UID as string)?.hash).toBe(b.macros.get(m.UID as string)?.hash);
  });

  it('warns when binary integers of 2^31 or more cannot be read exactly', () => {
    const rand = rng(12);
    const m = makeMacro(rand, 'm');
    m.Big = 3_000_000_000;
    const lib = parseLibrary(encodeLibrary({ MacroGroups: [makeGroup(rand, 'G', [m])] }, 'binary'));
    expect(lib.warnings.join('\n')).toMatch(/1 integer value/);
  });

  it('reads a library beyond bplist-parser’s default 32,768 objects', () => {
    const root = generateLibrary({ groups: 20, macrosPerGroup: 100, seed: 13, actions: [8, 10] });
    const buf = encodeLibrary(root, 'binary');
    expect(buf.readBigUInt64BE(buf.length - 24)).toBeGreaterThan(32768n);
    expect(parseLibrary(buf).macros.size).toBe(2000);
  });
});

describe('broken files throw KmLibraryError', () => {
  const bin = fixture('small-binary.plist');
  const xml = fixture('small-xml.plist');

  it('empty file', () => {
    expect(expectKmError(() => parseLibrary(Buffer.alloc(0)), 'empty').message).toMatch(/empty/);
  });

  it('truncated binary file, at many lengths', () => {
    for (const len of [8, 20, 41, 100, bin.length / 2, bin.length - 33, bin.length - 1]) {
      expectKmError(() => parseLibrary(bin.subarray(0, Math.floor(len))), 'truncated');
    }
  });

  it('truncated XML file', () => {
    for (const len of [60, 500, Math.floor(xml.length / 2), xml.length - 10]) {
      const err = expectKmError(() => parseLibrary(xml.subarray(0, len)));
      expect(['truncated', 'corrupt', 'wrong-root']).toContain(err.code);
    }
  });

  it('garbage bytes, and garbage after the bplist magic', () => {
    const rand = rng(14);
    const junk = Buffer.from(Array.from({ length: 2000 }, () => Math.floor(rand() * 256)));
    expectKmError(() => parseLibrary(junk), 'not-plist');
    expectKmError(() => parseLibrary(Buffer.concat([Buffer.from('bplist00'), junk])));
    expectKmError(() => parseLibrary(Buffer.from('<html><body>no</body></html>')), 'not-plist');
    expectKmError(() => parseLibrary(Buffer.from('<?xml version="1.0"?><foo/>')), 'corrupt');
  });

  it('corrupted bytes anywhere never escape as anything but KmLibraryError', () => {
    const rand = rng(15);
    for (let i = 0; i < 300; i++) {
      const buf = Buffer.from(bin);
      const n = 1 + Math.floor(rand() * 4);
      for (let j = 0; j < n; j++) buf[8 + Math.floor(rand() * (buf.length - 8))] = Math.floor(rand() * 256);
      try {
        parseLibrary(buf);
      } catch (err) {
        expect(err).toBeInstanceOf(KmLibraryError);
      }
    }
  });

  it('wrong root shapes', () => {
    expectKmError(() => parseLibrary(encodeLibrary([{ a: 1 }, { b: 2 }], 'xml')), 'wrong-root');
    expectKmError(() => parseLibrary(encodeLibrary({ Something: 'else' }, 'binary')), 'wrong-root');
    expectKmError(() => parseLibrary(encodeLibrary({ MacroGroups: 'nope' }, 'xml')), 'wrong-root');
    expect(parseLibrary(encodeLibrary({ MacroGroups: [] }, 'binary')).macros.size).toBe(0);
  });

  it('readLibrary: missing file and broken file name the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'km-reader-'));
    await expect(readLibrary(join(dir, 'nope.plist'))).rejects.toMatchObject({ name: 'KmLibraryError', code: 'io' });
    writeFileSync(join(dir, 'bad.plist'), bin.subarray(0, 100));
    await expect(readLibrary(join(dir, 'bad.plist'))).rejects.toThrow(/bad\.plist.*truncated/);
    writeFileSync(join(dir, 'good.plist'), xml);
    expect((await readLibrary(join(dir, 'good.plist'))).macros.size).toBe(12);
  });
});
