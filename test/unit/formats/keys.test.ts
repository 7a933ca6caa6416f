/**
 * Per-key rules (formats/keys.ts): ignored and machine-local keys are taken out on the way to the
 * repo and put back from this machine's own file on the way out, for JSON(C) and plists.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { keyMatcher, jsonWithoutKeys, jsonWithLocalKeys, plistWithoutKeys, plistWithLocalKeys, withKeyRules } from '../../../electron/engine/formats/keys';
import { jsonCodec, plistCodec } from '../../../electron/engine/formats';
import { decodePlist, encodePlist } from '../../../electron/engine/km/plist-codec';

const b = (s: string) => Buffer.from(s, 'utf8');
const ctx = { repoPath: 'app/x', host: 'laptop-a', platform: 'darwin' as const };

describe('keyMatcher', () => {
  it('matches whole key paths with * and ?, dots and spaces literal', () => {
    const m = keyMatcher({ ignore: ['NSWindow Frame *', 'SU*', '*LastLaunch*'], local: ['window.zoomLevel', 'a.?'] })!;
    expect(m(['NSWindow Frame Main'])).toBe(true);
    expect(m(['NSWindow Framed'])).toBe(false);
    expect(m(['SULastCheckTime'])).toBe(true);
    expect(m(['prefs', 'appLastLaunchDate'])).toBe(true);
    expect(m(['window.zoomLevel'])).toBe(true); // VS Code's dotted key is one key
    expect(m(['window', 'zoomLevel'])).toBe(true); // nested keys read the same
    expect(m(['windowXzoomLevel'])).toBe(false); // the dot is literal
    expect(m(['a', 'b'])).toBe(true);
    expect(m(['a', 'bc'])).toBe(false);
    expect(m(['editor.fontSize'])).toBe(false);
  });

  it('is null with no rules', () => {
    expect(keyMatcher({ ignore: [], local: [] })).toBeNull();
    expect(keyMatcher(null)).toBeNull();
  });
});

describe('JSON', () => {
  const m = keyMatcher({ ignore: [], local: ['window.zoomLevel', 'workbench.colorTheme'] })!;
  const live = b('{\n  // my settings\n  "editor.fontSize": 14,\n  "window.zoomLevel": 2,\n  "workbench.colorTheme": "Dark+",\n}\n');

  it('takes the keys out keeping comments and layout; other files pass as the same bytes', () => {
    const repo = jsonWithoutKeys(live, m);
    expect(repo.toString()).toBe('{\n  // my settings\n  "editor.fontSize": 14,\n}\n');
    const plain = b('{ "editor.fontSize": 14 }');
    expect(jsonWithoutKeys(plain, m)).toBe(plain);
  });

  it('keeps a comment on the line before a key taken out last, with or without a trailing comma (and CRLF)', () => {
    expect(jsonWithoutKeys(b('{\n  "editor.fontSize": 14, // size\n  "window.zoomLevel": 1\n}\n'), m).toString()).toBe('{\n  "editor.fontSize": 14 // size\n}\n');
    expect(jsonWithoutKeys(b('{\n  "editor.fontSize": 14, // size\n  "window.zoomLevel": 1,\n}\n'), m).toString()).toBe('{\n  "editor.fontSize": 14, // size\n}\n');
    expect(jsonWithoutKeys(b('{\r\n  "editor.fontSize": 14, /* size */\r\n  "window.zoomLevel": 1\r\n}\r\n'), m).toString()).toBe('{\r\n  "editor.fontSize": 14 /* size */\r\n}\r\n');
    // A comment line of the next key stays when a key before it is taken out.
    expect(jsonWithoutKeys(b('{\n  "a": 1,\n  "window.zoomLevel": 2,\n  // about b\n  "b": 3\n}\n'), m).toString()).toBe('{\n  "a": 1,\n  // about b\n  "b": 3\n}\n');
    // Both on one line.
    expect(JSON.parse(jsonWithoutKeys(b('{"a": 1, "window.zoomLevel": 2}'), m).toString())).toEqual({ a: 1 });
  });

  it('puts this machine\'s values back, and drops any the repo holds', () => {
    const repo = b('{\n  "editor.fontSize": 16,\n  "window.zoomLevel": 9\n}\n');
    const out = JSON.parse(jsonWithLocalKeys(repo, b('{"window.zoomLevel": 2, "editor.fontSize": 14}'), m).toString());
    expect(out).toEqual({ 'editor.fontSize': 16, 'window.zoomLevel': 2 });
    // A machine that never had the key does not get another machine's.
    expect(JSON.parse(jsonWithLocalKeys(repo, null, m).toString())).toEqual({ 'editor.fontSize': 16 });
  });

  it('round-trips: live → repo → live gives this machine its own file back (property)', () => {
    const key = fc.constantFrom('editor.fontSize', 'files.autoSave', 'window.zoomLevel', 'workbench.colorTheme', 'x');
    const val = fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.boolean());
    fc.assert(
      fc.property(fc.dictionary(key, val), fc.dictionary(key, val), (mine, other) => {
        const liveA = b(JSON.stringify(mine, null, 2));
        const repo = jsonWithoutKeys(liveA, m);
        const back = JSON.parse(jsonWithLocalKeys(repo, liveA, m).toString());
        expect(back).toEqual(mine);
        // Another machine applying the repo keeps its own local keys and gets everything else.
        const liveB = b(JSON.stringify(other, null, 2));
        const onB = JSON.parse(jsonWithLocalKeys(repo, liveB, m).toString());
        for (const k of Object.keys(onB)) expect(onB[k]).toEqual(m([k]) ? other[k] : mine[k]);
        for (const k of Object.keys(mine)) if (!m([k])) expect(onB[k]).toEqual(mine[k]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('plists', () => {
  const m = keyMatcher({ ignore: ['NSWindow Frame *', 'SULastCheckTime'], local: [] })!;
  const value = { 'NSWindow Frame Main': '0 0 800 600', SULastCheckTime: new Date('2026-12-01T10:00:00Z'), gapSize: 5, nested: { keep: true } };

  for (const format of ['binary', 'xml'] as const) {
    it(`${format}: churn keys out, the rest exact, the format kept; this machine's values back`, () => {
      const live = encodePlist(value, format);
      const repo = plistWithoutKeys(live, m);
      const d = decodePlist(repo);
      expect(d.format).toBe(format);
      expect(d.value).toEqual({ gapSize: 5, nested: { keep: true } });
      const other = encodePlist({ 'NSWindow Frame Main': '10 10 300 200', gapSize: 1 }, format);
      const onB = decodePlist(plistWithLocalKeys(repo, other, m));
      expect(onB.value).toEqual({ 'NSWindow Frame Main': '10 10 300 200', gapSize: 5, nested: { keep: true } });
      // Nothing to take out: the same bytes.
      const clean = encodePlist({ gapSize: 5 }, format);
      expect(plistWithoutKeys(clean, m)).toBe(clean);
    });
  }
});

describe('withKeyRules', () => {
  it('wraps JSON and plist codecs: toRepo strips, toLive restores from the live file', () => {
    const m = keyMatcher({ ignore: ['SU*'], local: [] })!;
    const j = withKeyRules(jsonCodec, m);
    expect(j.id).toBe('json');
    expect(JSON.parse(j.toRepo(b('{"SUx":1,"a":2}'), ctx).toString())).toEqual({ a: 2 });
    expect(JSON.parse(j.toLive(b('{"a":3}'), { ...ctx, currentLive: b('{"SUx":1,"a":2}') }).toString())).toEqual({ a: 3, SUx: 1 });
    const p = withKeyRules(plistCodec, m);
    expect(decodePlist(p.toRepo(encodePlist({ SUy: 1, a: 2 }, 'xml'), ctx)).value).toEqual({ a: 2 });
  });
});
