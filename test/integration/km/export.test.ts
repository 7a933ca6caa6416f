import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportLibrary, macroExportPath, normaliseLibrary, parseLibrary, restoreMacroFile, type KmRoot } from '../../../electron/engine/km/index.js';
import { decodePlist } from '../../../electron/engine/km/plist-codec.js';
import { macroHashes } from '../../../electron/engine/km/canonical.js';
import { cloneRoot, generateLibrary, groupOf, macroOf, makeGroup, makeMacro, rng, type PlistDict } from '../../helpers/km-library.js';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/km', name));
const tmp = () => join(mkdtempSync(join(tmpdir(), 'km-export-')), 'keyboard-maestro-macros');
const lib = (r: unknown) => normaliseLibrary(r as KmRoot);

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) for (const f of readdirSync(join(dir, e.name))) out.push(`${e.name}/${f}`);
    else out.push(e.name);
  }
  return out.sort();
}

describe('exportLibrary', () => {
  it('writes one importable XML .kmmacros per macro, in a folder per group', async () => {
    const library = parseLibrary(fixture('small-binary.plist'));
    const dir = tmp();
    const r = await exportLibrary(library, dir);
    expect(r.written).toHaveLength(12);
    expect(r).toMatchObject({ removed: [], unchanged: 0, errors: [] });
    expect(listFiles(dir)).toEqual(r.written);
    expect(r.written[0]).toBe('Group 0 (CD613E30)/Macro 0.0 (A6CECC1B-78E5-1061-7311-D8A3C2CE6F44).kmmacros');
    for (const rec of library.macros.values()) {
      const buf = readFileSync(join(dir, macroExportPath(rec)));
      expect(buf.toString('utf8', 0, 5)).toBe('<?xml');
      const { value } = decodePlist(buf);
      expect(Array.isArray(value)).toBe(true);
      const [group] = value as PlistDict[];
      expect(group).toMatchObject({ Name: rec.groupName, UID: rec.groupUid, IsActive: true });
      expect(group.Macros).toHaveLength(1);
      // Everything of the macro but its modification date (see 'exports two machines agree on').
      const { ModificationDate: _date, ...stable } = rec.raw;
      expect(macroHashes((group.Macros as PlistDict[])[0]).hash).toBe(macroHashes(stable).hash);
      expect(macroHashes((group.Macros as PlistDict[])[0]).contentHash).toBe(rec.contentHash);
    }
  });

  it('rewrites nothing when nothing changed', async () => {
    const library = parseLibrary(fixture('small-xml.plist'));
    const dir = tmp();
    await exportLibrary(library, dir);
    const before = listFiles(dir).map((f) => [f, statSync(join(dir, f)).mtimeMs, statSync(join(dir, f)).ino]);
    const r = await exportLibrary(parseLibrary(fixture('small-binary.plist')), dir); // same library, other format
    expect(r).toEqual({ written: [], removed: [], unchanged: 12, errors: [] });
    expect(listFiles(dir).map((f) => [f, statSync(join(dir, f)).mtimeMs, statSync(join(dir, f)).ino])).toEqual(before);
  });

  it('writes only the modified macro; handles renames, moves, removals, group renames and empty folders', async () => {
    const root = generateLibrary({ groups: 3, macrosPerGroup: 3, seed: 5 });
    const dir = tmp();
    await exportLibrary(lib(root), dir);

    const next = cloneRoot(root);
    (macroOf(next, 'Macro 0.0').macro.Actions as PlistDict[]).push({ MacroActionType: 'Beep' });
    let r = await exportLibrary(lib(next), dir);
    expect(r.written).toEqual([`Group 0 (${String(groupOf(root, 'Group 0').UID).slice(0, 8)})/Macro 0.0 (${macroOf(root, 'Macro 0.0').macro.UID}).kmmacros`]);
    expect(r).toMatchObject({ removed: [], unchanged: 8 });

    const m01 = macroOf(next, 'Macro 0.1').macro;
    m01.Name = 'Renamed macro';
    r = await exportLibrary(lib(next), dir);
    expect(r.removed).toEqual([expect.stringMatching(/\/Macro 0\.1 \(/)]);
    expect(r.written).toEqual([expect.stringMatching(/\/Renamed macro \(/)]);

    groupOf(next, 'Group 1').Name = 'Work';
    r = await exportLibrary(lib(next), dir);
    expect(r.removed).toHaveLength(3);
    expect(r.written).toHaveLength(3);
    expect(r.written.every((p) => p.startsWith('Work ('))).toBe(true);
    expect(readdirSync(dir).some((d) => d.startsWith('Group 1 ('))).toBe(false); // old folder gone

    (groupOf(next, 'Group 2').Macros as PlistDict[]).length = 0;
    r = await exportLibrary(lib(next), dir);
    expect(r.removed).toHaveLength(3);
    expect(r.written).toEqual([]);
    expect(readdirSync(dir).some((d) => d.startsWith('Group 2 ('))).toBe(false);

    const moved = (groupOf(next, 'Group 0').Macros as PlistDict[]).splice(2, 1)[0];
    (groupOf(next, 'Work').Macros as PlistDict[]).push(moved);
    r = await exportLibrary(lib(next), dir);
    expect(r.removed).toEqual([expect.stringMatching(/^Group 0 \(.*\/Macro 0\.2 \(/)]);
    expect(r.written).toEqual([expect.stringMatching(/^Work \(.*\/Macro 0\.2 \(/)]);
    expect(listFiles(dir)).toHaveLength(6);
  });

  it('sanitizes names; duplicate names in a group get their own files', async () => {
    const rand = rng(8);
    const root = {
      MacroGroups: [
        makeGroup(rand, '..Hidden/Group: "x"', [makeMacro(rand, 'a/b:c*d?"e"<f>|g'), makeMacro(rand, 'Twin'), makeMacro(rand, 'Twin'), makeMacro(rand, 'CON')]),
        makeGroup(rand, 'Ünïcödé 日本 😀', [makeMacro(rand, 'e\u0301t\u00e9 ☕'), makeMacro(rand, 'x'.repeat(300))]),
      ],
    };
    const dir = tmp();
    const r = await exportLibrary(lib(root), dir);
    expect(r.errors).toEqual([]);
    expect(r.written).toHaveLength(6);
    for (const p of r.written) {
      const [folder, file] = p.split('/');
      for (const part of [folder, file]) {
        expect(part).not.toMatch(/[\\:*?"<>|\u0000-\u001f]/);
        expect(part.startsWith('.')).toBe(false);
        expect(Buffer.byteLength(part)).toBeLessThanOrEqual(255);
      }
    }
    expect(r.written.filter((p) => p.includes('/Twin ('))).toHaveLength(2);
    expect(r.written.some((p) => p.startsWith('__Hidden_Group_ _x_ ('))).toBe(true);
    expect(r.written.some((p) => p.includes('/a_b_c_d__e__f__g ('))).toBe(true);
    expect(r.written.some((p) => p.includes('/CON_ ('))).toBe(true);
    expect(r.written.some((p) => p.includes('/\u00e9t\u00e9 ☕ ('))).toBe(true);
    expect((await exportLibrary(lib(root), dir)).unchanged).toBe(6);
  });

  it('leaves files that are not .kmmacros alone, and folders that still hold them', async () => {
    const root = generateLibrary({ groups: 1, macrosPerGroup: 2, seed: 3 });
    const dir = tmp();
    const first = await exportLibrary(lib(root), dir);
    const folder = first.written[0].split('/')[0];
    writeFileSync(join(dir, 'README.md'), 'hello');
    writeFileSync(join(dir, folder, 'notes.txt'), 'mine');
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, '.git', 'x.kmmacros'), 'not ours');
    const r = await exportLibrary(lib({ MacroGroups: [] }), dir);
    expect(r.removed).toHaveLength(2);
    expect(existsSync(join(dir, 'README.md'))).toBe(true);
    expect(existsSync(join(dir, folder, 'notes.txt'))).toBe(true);
    expect(existsSync(join(dir, '.git', 'x.kmmacros'))).toBe(true);
  });

  it('a case-only rename ends with the new name (also on case-insensitive file systems)', async () => {
    const root = generateLibrary({ groups: 1, macrosPerGroup: 1, seed: 4 });
    const dir = tmp();
    await exportLibrary(lib(root), dir);
    const next = cloneRoot(root);
    macroOf(next, 'Macro 0.0').macro.Name = 'MACRO 0.0';
    const r = await exportLibrary(lib(next), dir);
    expect(r.removed).toHaveLength(1);
    expect(r.written).toHaveLength(1);
    expect(listFiles(dir)).toEqual([expect.stringMatching(/\/MACRO 0\.0 \(/)]);
  });

  it('when a renamed macro cannot be written, its old file stays and the error is reported', async () => {
    const root = generateLibrary({ groups: 1, macrosPerGroup: 2, seed: 6 });
    const dir = tmp();
    await exportLibrary(lib(root), dir);
    const next = cloneRoot(root);
    const m = macroOf(next, 'Macro 0.0').macro;
    m.Name = 'New name';
    const folder = readdirSync(dir)[0];
    mkdirSync(join(dir, folder, `New name (${m.UID}).kmmacros`)); // a directory in the way: the write fails
    const r = await exportLibrary(lib(next), dir);
    expect(r.errors).toEqual([expect.objectContaining({ uid: m.UID, path: `${folder}/New name (${m.UID}).kmmacros` })]);
    expect(r.removed).toEqual([]);
    expect(existsSync(join(dir, folder, `Macro 0.0 (${m.UID}).kmmacros`))).toBe(true);
  });

  it('a macro holding control characters is exported as a binary plist that reads back', async () => {
    const rand = rng(9);
    const m = makeMacro(rand, 'Shell');
    m.Actions = [{ MacroActionType: 'ExecuteShellScript', Text: 'printf "\u001b[31mred"' }];
    const dir = tmp();
    const r = await exportLibrary(lib({ MacroGroups: [makeGroup(rand, 'G', [m])] }), dir);
    const buf = readFileSync(join(dir, r.written[0]));
    expect(buf.toString('latin1', 0, 8)).toBe('bplist00');
    const [group] = decodePlist(buf).value as PlistDict[];
    expect((group.Macros as PlistDict[])[0].Actions).toEqual(m.Actions);
  });

  it('an exported file is accepted by restoreMacroFile', async () => {
    const library = parseLibrary(fixture('small-binary.plist'));
    const dir = tmp();
    const r = await exportLibrary(library, dir);
    const restored = await restoreMacroFile({ content: readFileSync(join(dir, r.written[0])), name: 'Macro 0.0', uid: 'U', importDir: join(dir, '..', 'import'), platform: 'linux' });
    expect(restored.imported).toBe(false);
  });

  it('exports the 500-macro fixture', async () => {
    const dir = tmp();
    const r = await exportLibrary(parseLibrary(fixture('medium-binary.plist')), dir);
    expect(r.written).toHaveLength(500);
    expect(readdirSync(dir)).toHaveLength(20);
  });
});

describe('exports two machines agree on', () => {
  it('leave out the modification date, so the same macro exports byte for byte alike everywhere', async () => {
    const root = generateLibrary({ groups: 1, macrosPerGroup: 2, seed: 77 });
    const other = cloneRoot(root);
    macroOf(other, 'Macro 0.1').macro.ModificationDate = 812345678.25; // stamped by Keyboard Maestro elsewhere
    const [a, b] = [tmp(), tmp()];
    const ra = await exportLibrary(lib(root), a);
    const rb = await exportLibrary(lib(other), b);
    expect(rb.written).toEqual(ra.written);
    for (const f of ra.written) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f)))).toBe(true);
    const [group] = decodePlist(readFileSync(join(a, ra.written[0]))).value as PlistDict[];
    expect(Object.keys((group.Macros as PlistDict[])[0])).not.toContain('ModificationDate');
    // A date-only change is no new version: nothing is written.
    const again = await exportLibrary(lib(other), a);
    expect(again.written).toEqual([]);
  });
});
