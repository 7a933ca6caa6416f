import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { Formats, jsonCodec, merge3, plainCodec, plistCodec, profilesCodec, textMerge, type MergeOutcome } from '../../../electron/engine/formats/index.js';
import { kmLibraryCodec } from '../../../electron/engine/km/codec.js';
import { parseLibrary } from '../../../electron/engine/km/reader.js';
import { decodePlist, encodePlist } from '../../../electron/engine/km/plist-codec.js';
import type { PlistDict } from '../../../electron/engine/km/types.js';
import { cloneRoot, encodeLibrary, generateLibrary, macroOf } from '../../helpers/km-library.js';

const txt = (s: string) => Buffer.from(s, 'utf8');
const json = (v: unknown, indent: number | string = 2) => txt(`${JSON.stringify(v, null, indent)}\n`);
const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/km', name));

function clean(r: MergeOutcome): Buffer {
  if (!r.clean) throw new Error(`expected a clean merge, got ${r.how}: ${r.details.join('; ')}`);
  return r.content;
}
function conflict(r: MergeOutcome): { how: string; details: string[] } {
  if (r.clean) throw new Error(`expected a conflict, got a clean ${r.how} merge:\n${r.content.toString('utf8')}`);
  return { how: r.how, details: r.details };
}

describe('identical shortcuts (every codec)', () => {
  const a = txt('{"a": 1}\n');
  const b = txt('{"a": 2}\n');
  for (const codec of [plainCodec, jsonCodec, plistCodec, profilesCodec, kmLibraryCodec]) {
    it(codec.id, async () => {
      expect(await codec.merge(a, b, b)).toEqual({ clean: true, content: b, how: 'identical' });
      expect(await codec.merge(a, a, b)).toEqual({ clean: true, content: b, how: 'identical' });
      expect(await codec.merge(a, b, a)).toEqual({ clean: true, content: b, how: 'identical' });
      expect(await codec.merge(null, b, b)).toEqual({ clean: true, content: b, how: 'identical' });
    });
  }
});

describe('merge3', () => {
  it('merges disjoint keys recursively, keeping mine’s order then theirs’ new keys', () => {
    const base = { a: 1, n: { x: 1, y: 1 }, gone: true };
    const mine = { n: { x: 2, y: 1 }, a: 1, mineNew: 1 };
    const theirs = { a: 1, n: { x: 1, y: 3, z: 0 }, gone: true, theirsNew: 2 };
    const r = merge3(base, mine, theirs);
    expect(r.conflicts).toEqual([]);
    expect(r.merged).toEqual({ n: { x: 2, y: 3, z: 0 }, a: 1, mineNew: 1, theirsNew: 2 });
    expect(Object.keys(r.merged as object)).toEqual(['n', 'a', 'mineNew', 'theirsNew']);
  });

  it('arrays are atomic; a conflict keeps mine', () => {
    const r = merge3({ l: [1, 2] }, { l: [1, 2, 3] }, { l: [0, 1, 2] });
    expect(r.conflicts).toEqual([{ path: ['l'] }]);
    expect(r.merged).toEqual({ l: [1, 2, 3] });
  });

  it('delete on one side and change on the other is a conflict', () => {
    expect(merge3({ a: 1, b: 1 }, { b: 1 }, { a: 2, b: 1 }).conflicts).toEqual([{ path: ['a'] }]);
  });

  it('without a base, keys present on both sides with different values conflict', () => {
    const r = merge3(undefined, { a: 1, b: 1 }, { a: 1, b: 2, c: 3 });
    expect(r.conflicts).toEqual([{ path: ['b'] }]);
    expect(r.merged).toEqual({ a: 1, b: 1, c: 3 });
  });

  it('keys named like Object.prototype members are ordinary keys', () => {
    const base = JSON.parse('{"toString": 1, "__proto__": {"p": 1}, "constructor": 1}') as unknown;
    const mine = JSON.parse('{"__proto__": {"p": 1}, "constructor": 1}') as unknown; // deleted toString
    const theirs = JSON.parse('{"toString": 1, "__proto__": {"p": 2}, "constructor": 1, "valueOf": 5}') as unknown;
    const r = merge3(base, mine, theirs);
    expect(r.conflicts).toEqual([]);
    expect(JSON.stringify(r.merged)).toBe('{"__proto__":{"p":2},"constructor":1,"valueOf":5}');
    expect(Object.getPrototypeOf(r.merged)).toBe(Object.prototype);
  });

  it('plist values: Dates and Buffers are atomic and compared by value', () => {
    const d = new Date('2024-01-01T00:00:00Z');
    const r = merge3({ d, b: Buffer.from('x') }, { d: new Date(d), b: Buffer.from('y') }, { d: new Date('2025-01-01T00:00:00Z'), b: Buffer.from('x') });
    expect(r.conflicts).toEqual([]);
    expect(r.merged).toEqual({ d: new Date('2025-01-01T00:00:00Z'), b: Buffer.from('y') });
  });
});

describe('text merge', () => {
  const base = txt('one\ntwo\nthree\nfour\nfive\nsix\nseven\n');
  it('different lines merge cleanly', async () => {
    const mine = txt('ONE\ntwo\nthree\nfour\nfive\nsix\nseven\n');
    const theirs = txt('one\ntwo\nthree\nfour\nfive\nsix\nSEVEN\n');
    const r = await plainCodec.merge(base, mine, theirs);
    expect(r).toMatchObject({ clean: true, how: 'text' });
    expect(clean(r).toString()).toBe('ONE\ntwo\nthree\nfour\nfive\nsix\nSEVEN\n');
  });

  it('the same line changed differently is one conflicting part', async () => {
    const r = await plainCodec.merge(base, txt('one\nTWO\nthree\nfour\nfive\nsix\nseven\n'), txt('one\n2\nthree\nfour\nfive\nsix\nseven\n'));
    expect(conflict(r)).toEqual({ how: 'text', details: ['1 part of the text changed on both machines'] });
  });

  it('counts several parts', async () => {
    const r = await textMerge(base, txt('1\ntwo\nthree\nfour\nfive\nsix\n7\n'), txt('I\ntwo\nthree\nfour\nfive\nsix\nVII\n'));
    expect(conflict(r)).toEqual({ how: 'text', details: ['2 parts of the text changed on both machines'] });
  });

  it('no base: both added different files is a conflict', async () => {
    const r = await plainCodec.merge(null, txt('a\n'), txt('b\n'));
    expect(conflict(r).how).toBe('text');
  });

  it('binary on any side keeps both', async () => {
    const bin = Buffer.from([1, 0, 2]);
    for (const [b, m, t] of [
      [txt('x'), bin, txt('y')],
      [txt('x'), txt('y'), bin],
      [bin, txt('x'), txt('y')],
    ]) {
      expect(conflict(await plainCodec.merge(b, m, t))).toEqual({ how: 'binary', details: ['binary file changed on both machines'] });
    }
  });
});

describe('JSON merge', () => {
  it('disjoint key edits merge cleanly, in mine’s indentation', async () => {
    const base = { 'editor.fontSize': 12, 'editor.tabSize': 2, 'files.exclude': { a: true } };
    const mine = json({ ...base, 'editor.fontSize': 14 }, 4);
    const theirs = json({ ...base, 'editor.tabSize': 4, 'workbench.colorTheme': 'Dark' }, 2);
    const r = await jsonCodec.merge(json(base, 4), mine, theirs);
    expect(r.how).toBe('structured');
    expect(clean(r).toString()).toBe(
      `${JSON.stringify({ 'editor.fontSize': 14, 'editor.tabSize': 4, 'files.exclude': { a: true }, 'workbench.colorTheme': 'Dark' }, null, 4)}\n`,
    );
  });

  it('keeps mine’s missing final newline, tab indentation and CRLF', async () => {
    const base = { a: 1, b: 1 };
    const mine = txt(JSON.stringify({ a: 2, b: 1 }, null, '\t').replace(/\n/g, '\r\n'));
    const r = await jsonCodec.merge(json(base), mine, json({ a: 1, b: 2 }));
    expect(clean(r).toString()).toBe('{\r\n\t"a": 2,\r\n\t"b": 2\r\n}');
  });

  it('a single-line file stays on one line', async () => {
    const r = await jsonCodec.merge(txt('{"a":1,"b":1}'), txt('{"a":2,"b":1}'), txt('{"a":1,"b":2}'));
    expect(clean(r).toString()).toBe('{"a":2,"b":2}');
  });

  it('the same key changed on both machines is a conflict named by its key path', async () => {
    const base = json({ editor: { fontSize: 12 }, 'editor.fontSize': 12 });
    const r = await jsonCodec.merge(base, json({ editor: { fontSize: 13 }, 'editor.fontSize': 13 }), json({ editor: { fontSize: 14 }, 'editor.fontSize': 14 }));
    expect(conflict(r)).toEqual({
      how: 'structured',
      details: ['key editor.fontSize changed on both machines', 'key editor.fontSize changed on both machines'],
    });
  });

  it('a root that is not a dict is the whole file', async () => {
    const r = await jsonCodec.merge(json([1]), json([1, 2]), json([0, 1]));
    expect(conflict(r)).toEqual({ how: 'structured', details: ['the whole file changed on both machines'] });
  });

  it('JSONC: comments and trailing commas survive, and the other side’s key arrives', async () => {
    const base = txt('{\n  // font\n  "editor.fontSize": 12,\n  "editor.tabSize": 2,\n}\n');
    const mine = txt('{\n  // font\n  "editor.fontSize": 14, // bigger\n  "editor.tabSize": 2,\n}\n');
    const theirs = txt('{\n  "editor.fontSize": 12,\n  "editor.tabSize": 2,\n  "workbench.colorTheme": "Dark"\n}\n');
    const out = clean(await jsonCodec.merge(base, mine, theirs)).toString();
    expect(out).toContain('// font');
    expect(out).toContain('// bigger');
    expect(parseJsonc(out, [], { allowTrailingComma: true })).toEqual({ 'editor.fontSize': 14, 'editor.tabSize': 2, 'workbench.colorTheme': 'Dark' });
  });

  it('JSONC: a comment added on the other machine survives too (text merge agrees with the structured one)', async () => {
    const lines = (xs: string[]) => txt(`{\n${xs.join('\n')}\n}\n`);
    const base = lines(['  // top', '  "a": 1,', '  "b": 2,', '  "c": 3,', '  "d": 4,', '  "e": 5']);
    const mine = lines(['  // top', '  "a": 10,', '  "b": 2,', '  "c": 3,', '  "d": 4,', '  "e": 5']);
    const theirs = lines(['  // top', '  "a": 1,', '  "b": 2,', '  "c": 3,', '  "d": 4,', '  // five', '  "e": 50']);
    const out = clean(await jsonCodec.merge(base, mine, theirs)).toString();
    expect(out).toBe(`{\n  // top\n  "a": 10,\n  "b": 2,\n  "c": 3,\n  "d": 4,\n  // five\n  "e": 50\n}\n`);
  });

  it('JSONC: a key deleted on the other side is removed from mine’s text', async () => {
    const base = txt('{\n  "a": 1, // one\n  "b": {\n    "x": 1,\n    "y": 2\n  }\n}\n');
    const mine = txt('{\n  "a": 2, // one\n  "b": {\n    "x": 1,\n    "y": 2\n  }\n}\n');
    const theirs = txt('{\n  "a": 1,\n  "b": {\n    "y": 2\n  }\n}\n');
    const out = clean(await jsonCodec.merge(base, mine, theirs)).toString();
    expect(out).toContain('// one');
    expect(parseJsonc(out)).toEqual({ a: 2, b: { y: 2 } });
  });

  it('JSONC: removing the only key of an object written with a trailing comma stays valid', async () => {
    const base = txt('// top\n{\n  "a": {\n    "x": 1,\n  },\n  "b": 1,\n}\n');
    const mine = txt('// top\n{\n  "a": {\n    "x": 1,\n  },\n  "b": 2,\n}\n');
    const theirs = txt('{"a": {}, "b": 1}');
    const out = clean(await jsonCodec.merge(base, mine, theirs)).toString();
    expect(out).toContain('// top');
    expect(parseJsonc(out)).toEqual({ a: {}, b: 2 });
  });

  it('JSONC on the other side only: its comments are kept', async () => {
    const base = txt('{"a": 1, "b": 1}\n');
    const mine = txt('{"a": 2, "b": 1}\n');
    const theirs = txt('{\n  // why b is 3\n  "a": 1,\n  "b": 3\n}\n');
    const out = clean(await jsonCodec.merge(base, mine, theirs)).toString();
    expect(out).toContain('// why b is 3');
    expect(parseJsonc(out)).toEqual({ a: 2, b: 3 });
  });

  it('strict JSON: number literals JSON.stringify would rewrite are kept as written', async () => {
    const base = txt('{\n  "id": 12345678901234567890,\n  "ratio": 1.0,\n  "a": 1,\n  "b": 1\n}\n');
    const mine = txt('{\n  "id": 12345678901234567890,\n  "ratio": 1.0,\n  "a": 2,\n  "b": 1\n}\n');
    const theirs = txt('{\n  "id": 12345678901234567890,\n  "ratio": 1.0,\n  "a": 1,\n  "b": 2\n}\n');
    expect(clean(await jsonCodec.merge(base, mine, theirs)).toString()).toBe('{\n  "id": 12345678901234567890,\n  "ratio": 1.0,\n  "a": 2,\n  "b": 2\n}\n');
  });

  it('a BOM on mine is kept', async () => {
    const out = clean(await jsonCodec.merge(txt('{"a":1,"b":1}'), txt('\uFEFF{"a":2,"b":1}'), txt('{"a":1,"b":2}')));
    expect(out.toString()).toBe('\uFEFF{"a":2,"b":2}');
  });

  it('a side that does not parse falls back to the text merge', async () => {
    const lines = (...xs: string[]) => txt(xs.join('\n'));
    // The base is truncated: the text merge is clean and valid.
    const r = await jsonCodec.merge(
      lines('{', '  "a": 1,', '  "b": 2,', '  "c": 3,', '  "d": 4,', ''),
      lines('{', '  "a": 10,', '  "b": 2,', '  "c": 3,', '  "d": 4,', '  "e": 5', '}', ''),
      lines('{', '  "a": 1,', '  "b": 2,', '  "c": 30,', '  "d": 4,', '  "e": 5', '}', ''),
    );
    expect(r).toMatchObject({ clean: true, how: 'text' });
    expect(clean(r)).toEqual(lines('{', '  "a": 10,', '  "b": 2,', '  "c": 30,', '  "d": 4,', '  "e": 5', '}', ''));
  });

  it('a text merge that would spread a broken side is a conflict', async () => {
    const lines = (...xs: string[]) => txt(xs.join('\n'));
    const base = lines('{', '  "a": 1,', '  "b": 2,', '  "c": 3,', '  "d": 4', '}', '');
    const mine = lines('{', '  "a": 10,', '  "b": 2,', '  "c": 3,', '  "d": 4', '}', '');
    const theirs = lines('{', '  "a": 1,', '  "b": 2,', '  "c": 3,', '  "d": 4'); // truncated
    const r = conflict(await jsonCodec.merge(base, mine, theirs));
    expect(r.how).toBe('text');
    expect(r.details).toEqual([expect.stringMatching(/^the merged text would not be a valid file: not valid JSON: CloseBraceExpected at line 5/)]);
  });

  it('both sides added the file (no base): equal keys merge, different ones conflict', async () => {
    expect(clean(await jsonCodec.merge(null, json({ a: 1 }), json({ a: 1, b: 2 }))).toString()).toBe('{\n  "a": 1,\n  "b": 2\n}\n');
    expect(conflict(await jsonCodec.merge(null, json({ a: 1 }), json({ a: 2 }))).details).toEqual(['key a changed on both machines']);
  });
});

describe('plist merge', () => {
  const base: PlistDict = { 'NSWindow Frame Main': '0 0 800 600', ShowHidden: false, Count: 3, Recent: ['a'], Sub: { X: 1, Y: 1 } };
  const mineV: PlistDict = { ...base, ShowHidden: true, Sub: { X: 2, Y: 1 } };
  const theirsV: PlistDict = { ...base, Count: 4, Sub: { X: 1, Y: 2 }, Added: new Date('2024-05-01T10:00:00Z') };
  const expected = { ...base, ShowHidden: true, Count: 4, Sub: { X: 2, Y: 2 }, Added: new Date('2024-05-01T10:00:00Z') };

  it('binary stays binary', async () => {
    const r = await plistCodec.merge(encodePlist(base, 'binary'), encodePlist(mineV, 'binary'), encodePlist(theirsV, 'binary'));
    const out = clean(r);
    expect(r.how).toBe('structured');
    expect(out.subarray(0, 8).toString('latin1')).toBe('bplist00');
    expect(decodePlist(out).value).toEqual(expected);
  });

  it('XML stays XML', async () => {
    const out = clean(await plistCodec.merge(encodePlist(base, 'xml'), encodePlist(mineV, 'xml'), encodePlist(theirsV, 'xml')));
    expect(out.toString('utf8')).toMatch(/^<\?xml/);
    expect(decodePlist(out)).toMatchObject({ format: 'xml', value: expected });
  });

  it('mine’s format wins when the sides differ', async () => {
    const out = clean(await plistCodec.merge(encodePlist(base, 'xml'), encodePlist(mineV, 'binary'), encodePlist(theirsV, 'xml')));
    expect(decodePlist(out)).toMatchObject({ format: 'binary', value: expected });
  });

  it('the same key changed on both machines is a conflict', async () => {
    const r = await plistCodec.merge(
      encodePlist(base, 'binary'),
      encodePlist({ ...base, 'NSWindow Frame Main': '0 0 1024 768' }, 'binary'),
      encodePlist({ ...base, 'NSWindow Frame Main': '10 10 640 480' }, 'binary'),
    );
    expect(conflict(r)).toEqual({ how: 'structured', details: ['key NSWindow Frame Main changed on both machines'] });
  });

  it('an undecodable binary side keeps both', async () => {
    const m = encodePlist(mineV, 'binary');
    const r = await plistCodec.merge(encodePlist(base, 'binary'), m.subarray(0, m.length - 10), encodePlist(theirsV, 'binary'));
    expect(conflict(r)).toEqual({ how: 'binary', details: ['binary file changed on both machines'] });
  });

  it('old-style ASCII plists merge as text', async () => {
    const r = await plistCodec.merge(txt('{\n  A = 1;\n  B = 2;\n  C = 3;\n}\n'), txt('{\n  A = 10;\n  B = 2;\n  C = 3;\n}\n'), txt('{\n  A = 1;\n  B = 2;\n  C = 30;\n}\n'));
    expect(clean(r).toString()).toBe('{\n  A = 10;\n  B = 2;\n  C = 30;\n}\n');
  });

  it('Formats merges a binary plist under any name as a plist', async () => {
    const out = clean(await new Formats().merge('app/state/blob', encodePlist(base, 'binary'), encodePlist(mineV, 'binary'), encodePlist(theirsV, 'binary')));
    expect(decodePlist(out).value).toEqual(expected);
  });
});

describe('Keyboard Maestro library merge', () => {
  const base = generateLibrary({ groups: 3, macrosPerGroup: 4, seed: 99 });
  const edit = (f: (r: typeof base) => void) => {
    const r = cloneRoot(base);
    f(r);
    return r;
  };
  const mine = edit((r) => (macroOf(r, 'Macro 0.0').macro.Name = 'Mine edited'));
  const theirs = edit((r) => (macroOf(r, 'Macro 2.1').macro.Triggers = []));

  for (const format of ['binary', 'xml'] as const) {
    it(`different macros edited on each machine merge cleanly (${format} stays ${format})`, async () => {
      const out = clean(await kmLibraryCodec.merge(encodeLibrary(base, format), encodeLibrary(mine, format), encodeLibrary(theirs, format)));
      const lib = parseLibrary(out);
      expect(lib.format).toBe(format);
      const names = [...lib.macros.values()].map((m) => m.name);
      expect(names).toContain('Mine edited');
      expect(names).not.toContain('Macro 0.0');
      const t = [...lib.macros.values()].find((m) => m.name === 'Macro 2.1');
      expect(t?.raw.Triggers).toEqual([]);
      expect(lib.macros.size).toBe(12);
    });
  }

  it('the same macro edited on both machines is a conflict named at the macro', async () => {
    const theirs2 = edit((r) => (macroOf(r, 'Macro 0.0').macro.Name = 'Theirs edited'));
    const r = await kmLibraryCodec.merge(encodeLibrary(base, 'binary'), encodeLibrary(mine, 'binary'), encodeLibrary(theirs2, 'binary'));
    expect(conflict(r)).toEqual({ how: 'structured', details: ["Macro 'Mine edited' in group 'Group 0' changed on both machines"] });
  });

  it('a truncated side keeps both', async () => {
    const lib = fixture('small-binary.plist');
    const r = await kmLibraryCodec.merge(lib, encodeLibrary(mine, 'binary'), lib.subarray(0, 100));
    expect(conflict(r).how).toBe('binary');
  });

  it('through Formats with the feature codec', async () => {
    const formats = new Formats([kmLibraryCodec]);
    const out = clean(await formats.merge('km/macros/Keyboard Maestro Macros.plist', encodeLibrary(base, 'binary'), encodeLibrary(mine, 'binary'), encodeLibrary(theirs, 'binary')));
    expect(parseLibrary(out).macros.size).toBe(12);
  });
});

describe('profile list merge', () => {
  const p = (name: string, paths: string[] = [`~/.${name}`]) => ({ name, paths });
  const file = (...profiles: unknown[]) => json({ version: 1, profiles });

  it('each machine adds a profile: both are kept, sorted by name, as the store writes them', async () => {
    const out = clean(await profilesCodec.merge(file(p('b')), file(p('b'), p('z')), file(p('a'), p('b'))));
    expect(out.toString()).toBe(`${JSON.stringify({ version: 1, profiles: [p('a'), p('b'), p('z')] }, null, 2)}\n`);
  });

  it('a joining machine (no base) combines its list with the remote one', async () => {
    const out = clean(await profilesCodec.merge(null, file(p('mine')), file(p('Remote'), p('shared'))));
    expect((JSON.parse(out.toString()) as { profiles: { name: string }[] }).profiles.map((x) => x.name)).toEqual(['Remote', 'mine', 'shared']);
  });

  it('the same profile changed differently is a conflict', async () => {
    const r = await profilesCodec.merge(file(p('work')), file(p('work', ['~/a'])), file(p('work', ['~/b'])));
    expect(conflict(r)).toEqual({ how: 'structured', details: ['profile work was changed differently on two machines'] });
  });

  it('names differing only in case are the same profile', async () => {
    const r = await profilesCodec.merge(null, file(p('Work', ['~/a'])), file(p('work', ['~/b'])));
    expect(conflict(r)).toEqual({ how: 'structured', details: ['profile Work was changed differently on two machines'] });
  });

  it('a file of another version merges as plain JSON (never rewritten as version 1)', async () => {
    const v2 = (...profiles: unknown[]) => json({ version: 2, profiles });
    const r = await profilesCodec.merge(v2(p('a')), json({ version: 2, profiles: [p('a')], extra: 1 }), v2(p('a'), p('b')));
    expect(JSON.parse(clean(r).toString())).toEqual({ version: 2, profiles: [p('a'), p('b')], extra: 1 });
  });

  it('Formats routes .confsync/profiles.json to it', async () => {
    const out = clean(await new Formats().merge('.confsync/profiles.json', file(), file(p('x')), file(p('y'))));
    expect(out.toString()).toContain('"name": "x"');
    expect(out.toString()).toContain('"name": "y"');
  });
});
