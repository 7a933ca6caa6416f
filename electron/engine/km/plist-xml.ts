/**
 * XML property lists read with saxes, a streaming parser: the same values as `plist.parse` (plist 3.1)
 * without building a DOM first. xmldom's DOM made a 4.3 MB Keyboard Maestro library cost ~800 ms to
 * read; this reads it in a fraction of that (bench section `km`).
 *
 * The values follow plist.js exactly (test/unit/km/plist-xml.test.ts checks both on generated plists
 * and on the fixtures): `<integer>` → parseInt, `<real>` → parseFloat, `<data>` → Buffer (whitespace
 * dropped), `<date>` → Date, a `<dict>` whose last key has no value gives that key "", an `<array>`
 * drops `<null/>` entries, `<plist>` with one child is that child (else the list of its children). The
 * same problems are errors: a root that is not `<plist>`, a dict value without its key, an empty
 * `<integer>`/`<real>`/`<date>`, an unknown tag, a `__proto__` key. Stricter than plist.js: malformed
 * XML of any kind (saxes checks well-formedness), and an element inside a value element.
 */
import { SaxesParser } from 'saxes';
import type { PlistDict, PlistValue } from './types.js';

type Frame =
  | { kind: 'plist'; items: PlistValue[] }
  | { kind: 'dict'; obj: PlistDict; key: string | null; count: number }
  | { kind: 'array'; items: PlistValue[] }
  | { kind: 'leaf'; name: string; text: string; empty: boolean };

const LEAVES = new Set(['key', 'string', 'integer', 'real', 'data', 'date', 'true', 'false', 'null']);

export function parsePlistXml(xml: string): PlistValue {
  const parser = new SaxesParser({ position: false });
  const stack: Frame[] = [];
  let result: PlistValue | undefined;
  let seenRoot = false;
  let failure: Error | null = null;

  const add = (name: string, value: PlistValue) => {
    const parent = stack[stack.length - 1];
    if (!parent) {
      result = value;
      return;
    }
    if (parent.kind === 'plist') parent.items.push(value);
    else if (parent.kind === 'array') {
      if (value != null) parent.items.push(value);
    } else if (parent.kind === 'dict') {
      if (parent.count % 2 === 0) {
        if (name !== 'key') throw new Error('Missing key while parsing <dict/>.');
        parent.key = value as string;
      } else {
        if (name === 'key') throw new Error(`Unexpected key "${String(value)}" while parsing <dict/>.`);
        parent.obj[parent.key as string] = value;
      }
      parent.count++;
    } else throw new Error(`Unexpected <${name}> inside <${parent.name}>`);
  };

  const leafValue = (f: { name: string; text: string; empty: boolean }): PlistValue => {
    switch (f.name) {
      case 'key':
        if (f.text === '__proto__') throw new Error('__proto__ keys can lead to prototype pollution. More details on CVE-2022-22912');
        return f.text;
      case 'string':
        return f.text;
      case 'integer':
        if (f.empty) throw new Error('Cannot parse "" as integer.');
        return parseInt(f.text, 10);
      case 'real':
        if (f.empty) throw new Error('Cannot parse "" as real.');
        return parseFloat(f.text);
      case 'data':
        return Buffer.from(f.text.replace(/\s+/g, ''), 'base64');
      case 'date':
        if (f.empty) throw new Error('Cannot parse "" as Date.');
        return new Date(f.text);
      case 'true':
        return true;
      case 'false':
        return false;
      default:
        return null;
    }
  };

  parser.on('opentag', (tag) => {
    const name = tag.name;
    const top = stack[stack.length - 1];
    if (!seenRoot) {
      seenRoot = true;
      if (name !== 'plist') throw new Error('malformed document. First element should be <plist>');
    }
    if (top?.kind === 'leaf') throw new Error(`Unexpected <${name}> inside <${top.name}>`);
    if (name === 'plist') stack.push({ kind: 'plist', items: [] });
    else if (name === 'dict') stack.push({ kind: 'dict', obj: {}, key: null, count: 0 });
    else if (name === 'array') stack.push({ kind: 'array', items: [] });
    else if (LEAVES.has(name)) stack.push({ kind: 'leaf', name, text: '', empty: true });
    else throw new Error(`Invalid PLIST tag ${name}`);
  });
  parser.on('text', (t) => {
    const top = stack[stack.length - 1];
    if (top?.kind === 'leaf') {
      top.text += t;
      top.empty = false;
    }
  });
  parser.on('cdata', (t) => {
    const top = stack[stack.length - 1];
    if (top?.kind === 'leaf' && top.name === 'string') {
      top.text += t;
      top.empty = false;
    }
  });
  parser.on('closetag', (tag) => {
    const f = stack.pop()!;
    let value: PlistValue;
    if (f.kind === 'leaf') value = leafValue(f);
    else if (f.kind === 'dict') {
      if (f.count % 2 === 1) f.obj[f.key as string] = '';
      value = f.obj;
    } else if (f.kind === 'array') value = f.items;
    else value = f.items.length === 1 ? f.items[0] : f.items;
    add(tag.name, value);
  });
  parser.on('error', (e) => {
    failure ??= e;
  });

  try {
    parser.write(xml).close();
  } catch (e) {
    throw failure ?? e;
  }
  if (failure) throw failure;
  if (result === undefined) throw new Error('malformed document. First element should be <plist>');
  return result;
}
