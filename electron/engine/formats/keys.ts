/**
 * Per-key rules for structured files: keys a profile keeps on this machine only. Two lists share this
 * one machinery:
 * - `ignoreKeys`: keys apps rewrite on their own (window frames, last-launch dates, update checks);
 * - `localKeys`: keys a person wants different per machine (`window.zoomLevel`).
 * Both are never committed and never overwritten by another machine's value:
 * - toRepo (live → repo) removes the matching keys, so a change to them alone is no change at all
 *   (no commit, no conflict) and the repo never holds one machine's window frame;
 * - toLive (repo → live) takes the repo's version without any matching key, then puts back this
 *   machine's own values from the live file it replaces. A merge works on repo bytes, so each machine
 *   keeps its own values through merges too.
 *
 * Key paths: a JSON key path is its keys joined by `.` (VS Code's `"window.zoomLevel"` is one key
 * and reads the same); a plist key is its name (`NSWindow Frame Main`), nested keys joined by `.`.
 * Globs: `*` is any run of characters (dots included), `?` one character; everything else is literal
 * (keys are not file paths, so no braces, classes or `**`). A glob matches a key path as a whole; a
 * matching dictionary is kept (or left out) whole. Arrays are values: their items are not looked into.
 *
 * The JSON text is edited in place with jsonc-parser (comments and layout stay); a file with no
 * matching key passes through as the same bytes. A plist is re-encoded in its own format (binary or
 * XML) only when a key is taken out or put back; one whose integers the parser cannot read exactly
 * is passed through unchanged (re-encoding would alter them).
 */
import { applyEdits, createScanner, findNodeAtLocation, modify, parseTree, type FormattingOptions } from 'jsonc-parser';
import type { Codec, CodecContext } from './codec.js';
import { parseJson } from './json.js';
import { isDict } from './merge3.js';
import { tryDecodePlist } from './plist.js';
import { encodePlist } from '../km/plist-codec.js';
import type { PlistValue } from '../km/types.js';

export interface KeyRules {
  /** Keys apps rewrite on their own. */
  ignore: readonly string[];
  /** Keys kept per machine on purpose. */
  local: readonly string[];
}

export type KeyMatch = (path: readonly string[]) => boolean;

function globRegex(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

/** One matcher for every glob of both lists; null when there are none. */
export function keyMatcher(rules: KeyRules | null | undefined): KeyMatch | null {
  const globs = [...(rules?.ignore ?? []), ...(rules?.local ?? [])];
  if (globs.length === 0) return null;
  const res = globs.map(globRegex);
  return (path) => {
    const joined = path.join('.');
    return res.some((r) => r.test(joined));
  };
}

/** The matching key paths of a value (dictionaries only; a match is not looked into). */
export function matchingPaths(value: unknown, match: KeyMatch, prefix: string[] = [], out: string[][] = []): string[][] {
  if (!isDict(value)) return out;
  for (const k of Object.keys(value)) {
    const p = [...prefix, k];
    if (match(p)) out.push(p);
    else matchingPaths(value[k], match, p, out);
  }
  return out;
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  let cur = value;
  for (const k of path) {
    if (!isDict(cur) || !Object.hasOwn(cur, k)) return undefined;
    cur = cur[k];
  }
  return cur;
}

// ------------------------------------------------------------------------------------ JSON

const BOM = '\uFEFF';

function formattingFor(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const m = /\n([ \t]+)\S/.exec(text);
  if (m && m[1].startsWith('\t')) return { insertSpaces: false, tabSize: 4, eol };
  return { insertSpaces: true, tabSize: m ? m[1].length : 2, eol };
}

function jsonEdit(text: string, path: readonly string[], value: unknown): string {
  return applyEdits(text, modify(text, [...path], value, { formattingOptions: formattingFor(text) }));
}

/** jsonc-parser's SyntaxKind values (a const enum, which isolated modules cannot read). */
const COMMA_TOKEN = 5;
const EOF_TOKEN = 17;

/** Where the first comma between `from` and `to` is (comments and strings are skipped), or null. */
function commaIn(text: string, from: number, to: number): number | null {
  const sc = createScanner(text.slice(from, to), false);
  for (let k: number = sc.scan(); k !== EOF_TOKEN; k = sc.scan()) if (k === COMMA_TOKEN) return from + sc.getTokenOffset();
  return null;
}

/**
 * Takes one key out of JSONC. jsonc-parser removes the last property of an object from the end of the
 * value before it, which takes a comment on that line with it (`"size": 14, // mine` lost its comment);
 * there only the separating comma and the property's own line go. Elsewhere its removal keeps the
 * comments around (measured), and is used as it is.
 */
function removeKey(text: string, path: readonly string[]): string {
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  const value = root ? findNodeAtLocation(root, [...path]) : undefined;
  const prop = value?.parent;
  const obj = prop?.parent;
  const i = obj?.children ? obj.children.indexOf(prop!) : -1;
  if (!prop || prop.type !== 'property' || !obj?.children || i < 1 || i !== obj.children.length - 1) return jsonEdit(text, path, undefined);
  const prev = obj.children[i - 1];
  const propEnd = prop.offset + prop.length;
  let start = prop.offset;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  if (lineStart > 0 && /^[ \t]*$/.test(text.slice(lineStart, start))) {
    start = lineStart - 1; // the property's line, with the line break before it
    if (start > 0 && text[start - 1] === '\r') start--;
  }
  const before = commaIn(text, prev.offset + prev.length, prop.offset);
  const after = commaIn(text, propEnd, obj.offset + obj.length - 1);
  // A trailing comma after the property goes with it (the one before then stays: still a trailing comma).
  if (after !== null) return text.slice(0, start) + text.slice(after + 1);
  const out = text.slice(0, start) + text.slice(propEnd);
  return before !== null && before < start ? out.slice(0, before) + out.slice(before + 1) : out;
}

/** Live JSON → repo JSON without the matching keys (the same bytes when none match or it does not parse). */
export function jsonWithoutKeys(live: Buffer, match: KeyMatch): Buffer {
  const r = parseJson(live);
  if (!r.ok) return live; // the format check holds it back; nothing to take out
  const paths = matchingPaths(r.doc.value, match);
  if (paths.length === 0) return live;
  let text = r.doc.text;
  for (const p of paths) text = removeKey(text, p);
  return Buffer.from((r.doc.bom ? BOM : '') + text, 'utf8');
}

/** Repo JSON → live JSON: without any matching key of the repo's, with this machine's own values back. */
export function jsonWithLocalKeys(repo: Buffer, currentLive: Buffer | null, match: KeyMatch): Buffer {
  const r = parseJson(repo);
  if (!r.ok) return repo;
  const live = currentLive ? parseJson(currentLive) : null;
  const keep = live?.ok ? matchingPaths(live.doc.value, match).map((p) => ({ p, v: valueAt(live.doc.value, p) })) : [];
  const drop = matchingPaths(r.doc.value, match);
  if (drop.length === 0 && keep.length === 0) return repo;
  let text = r.doc.text;
  for (const p of drop) text = removeKey(text, p);
  for (const { p, v } of keep) text = jsonEdit(text, p, v);
  return Buffer.from((r.doc.bom ? BOM : '') + text, 'utf8');
}

// ------------------------------------------------------------------------------------ plists

/** The value without the given key paths; dictionaries on the way are copied, nothing else is. */
function withoutPaths(value: PlistValue, paths: string[][]): PlistValue {
  const root = { ...(value as Record<string, unknown>) };
  for (const p of paths) {
    let cur: Record<string, unknown> = root;
    for (const k of p.slice(0, -1)) {
      const next = { ...(cur[k] as Record<string, unknown>) };
      cur[k] = next;
      cur = next;
    }
    delete cur[p[p.length - 1]];
  }
  return root as PlistValue;
}

function setPath(root: Record<string, unknown>, path: readonly string[], v: unknown): void {
  let cur = root;
  for (const k of path.slice(0, -1)) {
    cur[k] = isDict(cur[k]) ? { ...(cur[k] as Record<string, unknown>) } : {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]] = v;
}

export function plistWithoutKeys(live: Buffer, match: KeyMatch): Buffer {
  const d = tryDecodePlist(live);
  if (!d || d.inexactIntegers > 0) return live;
  const paths = matchingPaths(d.value, match);
  if (paths.length === 0) return live;
  return encodePlist(withoutPaths(d.value, paths), d.format);
}

export function plistWithLocalKeys(repo: Buffer, currentLive: Buffer | null, match: KeyMatch): Buffer {
  const d = tryDecodePlist(repo);
  if (!d || d.inexactIntegers > 0 || !isDict(d.value)) return repo;
  const live = currentLive ? tryDecodePlist(currentLive) : null;
  const keep = live ? matchingPaths(live.value, match).map((p) => ({ p, v: valueAt(live.value, p) })) : [];
  const drop = matchingPaths(d.value, match);
  if (drop.length === 0 && keep.length === 0) return repo;
  const out = withoutPaths(d.value, drop) as Record<string, unknown>;
  for (const { p, v } of keep) setPath(out, p, v);
  // The live file's own format when there is one (the app wrote it so), else the repo's.
  return encodePlist(out as PlistValue, live?.format ?? d.format);
}

// ------------------------------------------------------------------------------------ the codec

/** The formats per-key rules apply to. */
export function supportsKeyRules(codec: Codec): boolean {
  return codec.id === 'json' || codec.id === 'plist';
}

/**
 * The codec with the rules applied on the way in and out; validation, merging and diffs are the
 * codec's own (they see repo bytes, which hold no matching key).
 */
export function withKeyRules(codec: Codec, match: KeyMatch): Codec {
  const strip = codec.id === 'json' ? jsonWithoutKeys : plistWithoutKeys;
  const restore = codec.id === 'json' ? jsonWithLocalKeys : plistWithLocalKeys;
  return {
    id: codec.id,
    matches: (p, c) => codec.matches(p, c),
    validate: (c) => codec.validate(c),
    merge: (b, m, t) => codec.merge(b, m, t),
    diffText: (c) => codec.diffText(c),
    // The rules see the live file's own bytes (the repo's form, e.g. a binary plist's XML, is the codec's).
    toRepo: (live: Buffer, ctx: CodecContext) => codec.toRepo(strip(live, match), ctx),
    toLive: (repo, ctx) => restore(codec.toLive(repo, ctx), ctx.currentLive, match),
  };
}
