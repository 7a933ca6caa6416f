import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonCodec, merge3, parseJson } from '../../../electron/engine/formats/index.js';

type Dict = Record<string, unknown>;

// A small key space (with names of Object.prototype members) so that the three sides share keys often.
const key = fc.constantFrom('a', 'b', 'c', 'd', 'x.y', '', 'toString', '__proto__');
const leaf = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.boolean(),
  fc.constantFrom('s', 't', 'a "quoted" // not a comment'),
  fc.constant(null),
  fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 2 }),
);
const toDict = (entries: [string, unknown][]): Dict => Object.fromEntries(entries);
const { dict } = fc.letrec<{ value: unknown; dict: Dict }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('dict')),
  dict: fc.uniqueArray(fc.tuple(key, tie('value')), { selector: (e) => e[0], maxLength: 4 }).map(toDict),
}));

const DELETE = Symbol('delete');
type Edit = [string, unknown];
const edits = fc.uniqueArray(fc.tuple(key, fc.oneof(fc.constant<unknown>(DELETE), leaf, dict)), { selector: (e) => e[0], maxLength: 3 });

/** `base` with some top-level keys set or deleted. */
function edited(base: Dict, es: Edit[]): Dict {
  const changed = new Map(es);
  const out: [string, unknown][] = Object.entries(base).flatMap(([k, v]): [string, unknown][] => {
    if (!changed.has(k)) return [[k, v]];
    const nv = changed.get(k);
    return nv === DELETE ? [] : [[k, nv]];
  });
  for (const [k, v] of es) if (v !== DELETE && !Object.hasOwn(base, k)) out.push([k, v]);
  return toDict(out);
}

/** Three sides: either independent values, or two edits of one base (many clean merges). */
const sides = fc.oneof(
  fc.tuple(dict, dict, dict),
  fc.tuple(dict, edits, edits).map(([b, em, et]): [Dict, Dict, Dict] => [b, edited(b, em), edited(b, et)]),
);

const paths = (cs: { path: string[] }[]) => cs.map((c) => JSON.stringify(c.path)).sort();

describe('merge3 properties', () => {
  it('one side unchanged takes the other; equal sides take that value; conflicts are symmetric', () => {
    fc.assert(
      fc.property(sides, ([b, m, t]) => {
        const onlyTheirs = merge3(b, b, t);
        const onlyMine = merge3(b, m, b);
        const same = merge3(b, m, m);
        expect(isDeepStrictEqual(onlyTheirs.merged, t) && onlyTheirs.conflicts.length === 0).toBe(true);
        expect(isDeepStrictEqual(onlyMine.merged, m) && onlyMine.conflicts.length === 0).toBe(true);
        expect(isDeepStrictEqual(same.merged, m) && same.conflicts.length === 0).toBe(true);
        expect(paths(merge3(b, m, t).conflicts)).toEqual(paths(merge3(b, t, m).conflicts));
        expect(paths(merge3(undefined, m, t).conflicts)).toEqual(paths(merge3(undefined, t, m).conflicts));
      }),
      { numRuns: 200 },
    );
  });

  it('a clean merge has each side’s own top-level edits', () => {
    fc.assert(
      fc.property(dict, edits, edits, (b, em, et) => {
        const r = merge3(b, edited(b, em), edited(b, et));
        if (r.conflicts.length > 0) return;
        const merged = r.merged as Dict;
        const onlyOneSide = [...em.filter(([k]) => !et.some(([x]) => x === k)), ...et.filter(([k]) => !em.some(([x]) => x === k))];
        for (const [k, v] of onlyOneSide) {
          if (v === DELETE) expect(Object.hasOwn(merged, k)).toBe(false);
          else expect(isDeepStrictEqual(merged[k], v)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});

/** JSON.stringify with a comment at the top, one at the start of every object, and trailing commas everywhere. */
function jsonc(v: Dict): Buffer {
  const text = JSON.stringify(v, null, 2)
    .replace(/\{\n(\s*)/g, '{\n$1// inside\n$1')
    .replace(/([^[{,\n])\n(\s*)([}\]])/g, '$1,\n$2$3');
  return Buffer.from(`// top\n${text}\n`, 'utf8');
}
const strict = (v: unknown) => Buffer.from(`${JSON.stringify(v, null, 2)}\n`, 'utf8');

describe('jsonCodec on JSONC', () => {
  it('a clean merge always reads back as the merged value (and keeps the comments)', async () => {
    let cleanMerges = 0;
    await fc.assert(
      fc.asyncProperty(sides, async ([b, m, t]) => {
        const expected = merge3(b, m, t);
        const r = await jsonCodec.merge(strict(b), jsonc(m), strict(t));
        expect(r.clean).toBe(expected.conflicts.length === 0);
        if (!r.clean) return;
        cleanMerges++;
        const back = parseJson(r.content);
        expect(back.ok).toBe(true);
        expect(back.ok && isDeepStrictEqual(back.doc.value, expected.merged)).toBe(true);
        expect(r.content.toString('utf8')).toContain('// top');
      }),
      { numRuns: 100 },
    );
    expect(cleanMerges).toBeGreaterThan(10);
  });
});
