import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Formats, jsonCodec, plainCodec, plistCodec, profilesCodec, type Codec, type Validation } from '../../../electron/engine/formats/index.js';
import { kmLibraryCodec } from '../../../electron/engine/km/codec.js';
import { encodePlist } from '../../../electron/engine/km/plist-codec.js';
import { encodeLibrary, generateLibrary } from '../../helpers/km-library.js';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/km', name));
const half = (b: Buffer) => b.subarray(0, Math.floor(b.length / 2));
const txt = (s: string) => Buffer.from(s, 'utf8');

const prefs = { 'NSWindow Frame Main': '0 0 800 600', ShowHidden: true, Count: 3, Names: ['a', 'b'], Nested: { Level: 2 } };
const binaryPlist = encodePlist(prefs, 'binary');
const xmlPlist = encodePlist(prefs, 'xml');
const generatedLibrary = encodeLibrary(generateLibrary({ groups: 2, macrosPerGroup: 3, seed: 7 }), 'binary');

type Row = [name: string, content: Buffer, expected: Validation | RegExp];

function table(codec: Codec, rows: Row[]): void {
  describe(`${codec.id} validate`, () => {
    for (const [name, content, expected] of rows) {
      it(name, () => {
        const v = codec.validate(content);
        if (expected instanceof RegExp) {
          expect(v.ok).toBe(false);
          expect(v.ok ? '' : v.reason).toMatch(expected);
        } else {
          expect(v).toEqual(expected);
        }
      });
    }
  });
}

const OK: Validation = { ok: true };
const EMPTY: Validation = { ok: false, reason: 'empty file (a half-saved file?)' };

table(jsonCodec, [
  ['strict JSON', txt('{"a": 1, "b": [1, 2]}\n'), OK],
  ['JSONC with line and block comments', txt('// settings\n{\n  /* font */ "editor.fontSize": 14, // px\n  "a": true\n}\n'), OK],
  ['JSONC with trailing commas', txt('{\n  "a": [1, 2,],\n  "b": {"c": 1,},\n}\n'), OK],
  ['a BOM before the JSON', txt('\uFEFF{"a": 1}'), OK],
  ['a scalar root', txt('42'), OK],
  ['empty', Buffer.alloc(0), EMPTY],
  ['whitespace only', txt('  \n\t\n'), EMPTY],
  ['a BOM only', txt('\uFEFF'), EMPTY],
  ['truncated object', txt('{"a": 1, "b": [1, 2'), { ok: false, reason: 'not valid JSON: CloseBracketExpected at line 1, column 20' }],
  ['truncated on the second line', txt('{\n  "a": 1,\n  "b": '), { ok: false, reason: 'not valid JSON: ValueExpected at line 3, column 8' }],
  ['truncated inside a string', txt('{"a": "abc'), /^not valid JSON: UnexpectedEndOfString at line 1, column \d+$/],
  ['garbage after the value', txt('{"a": 1}\n}'), { ok: false, reason: 'not valid JSON: EndOfFileExpected at line 2, column 1' }],
  ['unquoted key', txt('{a: 1}'), /^not valid JSON: (InvalidSymbol|PropertyNameExpected) at line 1, column 2$/],
  ['a comment only', txt('// nothing here\n'), /^not valid JSON: ValueExpected at line \d+, column \d+$/],
]);

table(plistCodec, [
  ['binary plist', binaryPlist, OK],
  ['XML plist', xmlPlist, OK],
  ['XML plist with a BOM', Buffer.concat([txt('\uFEFF'), xmlPlist]), OK],
  ['XML plist without a declaration, after blank lines', txt(`\n  ${xmlPlist.toString('utf8').replace(/^[\s\S]*?(<plist)/, '$1')}`), OK],
  ['the KM binary fixture', fixture('small-binary.plist'), OK],
  ['empty', Buffer.alloc(0), EMPTY],
  ['whitespace only', txt('\n \n'), EMPTY],
  ['binary plist cut in half', half(binaryPlist), /^not a valid property list \(binary\): .*truncated/],
  ['binary KM library cut in half', half(fixture('small-binary.plist')), /^not a valid property list \(binary\): .*truncated/],
  ['binary plist with its last byte missing', binaryPlist.subarray(0, binaryPlist.length - 1), /^not a valid property list \(binary\): /],
  ['XML plist cut in half', half(xmlPlist), /^not a valid property list \(XML\): .*unclosed/],
  ['XML plist without </plist>', txt(xmlPlist.toString('utf8').replace('</plist>', '')), /^not a valid property list \(XML\): /],
  ['an old-style ASCII plist (not understood, never held)', txt('{ Name = "x"; Count = 3; }\n'), OK],
]);

table(kmLibraryCodec, [
  ['binary fixture', fixture('small-binary.plist'), OK],
  ['XML fixture', fixture('small-xml.plist'), OK],
  ['medium binary fixture', fixture('medium-binary.plist'), OK],
  ['generated library', generatedLibrary, OK],
  ['binary fixture cut in half', half(fixture('small-binary.plist')), /^not a readable Keyboard Maestro library: the binary property list is truncated/],
  ['XML fixture cut in half', half(fixture('small-xml.plist')), /^not a readable Keyboard Maestro library: the XML property list cannot be read/],
  ['generated library cut in half', half(generatedLibrary), /^not a readable Keyboard Maestro library: /],
  ['empty', Buffer.alloc(0), { ok: false, reason: 'not a readable Keyboard Maestro library: the file is empty' }],
  ['a plist that is not a library', binaryPlist, { ok: false, reason: 'not a readable Keyboard Maestro library: not a Keyboard Maestro library: no MacroGroups' }],
]);

table(profilesCodec, [
  ['a profile list', txt('{\n  "version": 1,\n  "profiles": []\n}\n'), OK],
  ['truncated', txt('{\n  "version": 1,\n  "profiles": [\n'), /^not valid JSON: /],
  ['empty', Buffer.alloc(0), EMPTY],
]);

table(plainCodec, [
  ['text', txt('hello\n'), OK],
  ['empty', Buffer.alloc(0), OK],
  ['binary', Buffer.from([0, 1, 2, 3]), OK],
]);

describe('Formats picks the codec', () => {
  const formats = new Formats([kmLibraryCodec]);
  const cases: [string, Buffer | undefined, string][] = [
    ['keyboard-maestro/macros/Keyboard Maestro Macros.plist', undefined, 'km-library'],
    ['Keyboard Maestro Macros.plist', undefined, 'km-library'],
    ['.confsync/profiles.json', undefined, 'profiles'],
    ['vscode/settings/profiles.json', undefined, 'json'],
    ['vscode/settings/settings.json', undefined, 'json'],
    ['vscode/settings/keybindings.JSONC', undefined, 'json'],
    ['work/ws/project.code-workspace', undefined, 'json'],
    ['finder/prefs/com.apple.finder.plist', undefined, 'plist'],
    ['finder/prefs/COM.APPLE.FINDER.PLIST', undefined, 'plist'],
    ['km/exports/Thing.kmmacros', undefined, 'plist'],
    ['km/exports/All.kmlibrary', undefined, 'plist'],
    ['app/state/settings.dat', binaryPlist, 'plist'],
    ['app/state/settings.json', binaryPlist, 'plist'],
    ['app/state/settings.dat', txt('x'), 'plain'],
    ['shell/rc/.zshrc', undefined, 'plain'],
    ['shell/rc/.zshrc', Buffer.alloc(0), 'plain'],
  ];
  for (const [path, content, id] of cases) {
    it(`${path}${content ? ` (${content.length} bytes)` : ''} → ${id}`, () => expect(formats.codecFor(path, content).id).toBe(id));
  }

  it('without the feature codec the KM library is a plain plist', () => {
    expect(new Formats().codecFor('km/macros/Keyboard Maestro Macros.plist').id).toBe('plist');
  });

  it('validate and diffText go through the chosen codec', () => {
    expect(formats.validate('a/b/settings.json', txt('{"a": '))).toMatchObject({ ok: false });
    expect(formats.validate('a/b/notes.txt', txt('{"a": '))).toEqual({ ok: true });
    const xml = formats.diffText('a/b/x.plist', binaryPlist);
    expect(xml).toContain('<key>NSWindow Frame Main</key>');
    expect(xml).toContain('<string>0 0 800 600</string>');
    expect(formats.diffText('a/b/x.plist', half(binaryPlist))).toBeNull();
    expect(formats.diffText('a/b/x.plist', xmlPlist)).toBe(xmlPlist.toString('utf8'));
    expect(formats.diffText('a/b/blob', Buffer.from([1, 0, 2]))).toBeNull();
    expect(formats.diffText('a/b/x.json', txt('{"a": 1}'))).toBe('{"a": 1}');
    expect(formats.diffText('km/m/Keyboard Maestro Macros.plist', fixture('small-binary.plist'))).toMatch(/^<\?xml[\s\S]*<key>MacroGroups<\/key>/);
  });

  it('toRepo and toLive are the identity today', () => {
    const ctx = { repoPath: 'a/b/x.json', host: 'h', platform: 'darwin' as const };
    for (const c of [plainCodec, jsonCodec, plistCodec, profilesCodec, kmLibraryCodec]) {
      const b = txt('{"a": 1}');
      expect(c.toRepo(b, ctx)).toBe(b);
      expect(c.toLive(b, { ...ctx, currentLive: null })).toBe(b);
    }
  });
});
