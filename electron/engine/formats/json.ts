/**
 * JSON and JSONC (`.json`, `.jsonc`, `.code-workspace`). Comments and trailing commas are valid: VS Code's
 * settings.json is JSONC. A leading BOM is accepted and kept.
 *
 * Merging is by key (merge3). The merged text is written so as to change as little as possible:
 * - when a side has comments or trailing commas, git's text merge is tried first and taken when it
 *   parses to exactly the merged value (it keeps both sides' comments);
 * - when the merged value is mine's value, mine's bytes are kept as they are;
 * - JSONC (mine's, else theirs') is patched key by key with jsonc-parser's `modify`, keeping comments
 *   and layout; so is strict JSON whose number literals JSON.stringify would rewrite (integers beyond
 *   2^53, `1.0`, `1e3`), so untouched numbers keep their exact text;
 * - otherwise strict JSON is written with JSON.stringify in mine's indentation and final newline.
 * Every patched or merged text is re-parsed and must equal the merged value, else the next way is used.
 */
import { isDeepStrictEqual } from 'node:util';
import { applyEdits, findNodeAtLocation, modify, parseTree, printParseErrorCode, type FormattingOptions, type Node, type ParseError } from 'jsonc-parser';
import type { Codec, MergeOutcome, Validation } from './codec.js';
import { isDict, keyConflictDetail, merge3 } from './merge3.js';
import { identicalOutcome, plainDiffText, plainMergeChecked } from './plain.js';
import { textMerge } from './text.js';

const PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false };
const BOM = '\uFEFF';
const JSON_PATH = /\.(json|jsonc|code-workspace)$/i;

export interface JsonDoc {
  /** The text, without a leading BOM. */
  text: string;
  bom: boolean;
  value: unknown;
  /** Plain JSON (JSON.parse reads it): no comments, no trailing commas. */
  strict: boolean;
  /** A number literal JSON.stringify would write differently (beyond a double's precision, `1.0`, `1e3`, `-0`). */
  literalNumbers: boolean;
  /** The bytes are valid UTF-8 (decoding and re-encoding gives them back). */
  utf8: boolean;
}

export type JsonParse = { ok: true; doc: JsonDoc } | { ok: false; reason: string };

/** Parses JSON/JSONC. Keys are own properties (`__proto__` is an ordinary key); duplicate keys: the last wins. */
export function parseJson(content: Buffer): JsonParse {
  const raw = content.toString('utf8');
  const bom = raw.startsWith(BOM);
  const text = bom ? raw.slice(1) : raw;
  if (text.trim() === '') return { ok: false, reason: 'empty file (a half-saved file?)' };
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, PARSE_OPTIONS);
  if (errors.length > 0 || root === undefined) {
    const e = errors[0];
    if (!e) return { ok: false, reason: 'not valid JSON' };
    const { line, column } = position(text, e.offset);
    return { ok: false, reason: `not valid JSON: ${printParseErrorCode(e.error)} at line ${line}, column ${column}` };
  }
  const state = { literalNumbers: false };
  const value = nodeValue(root, text, state);
  return {
    ok: true,
    doc: { text, bom, value, strict: isStrictJson(text), literalNumbers: state.literalNumbers, utf8: Buffer.from(raw, 'utf8').equals(content) },
  };
}

function isStrictJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** 1-based line and column of a text offset. */
function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

function nodeValue(node: Node, text: string, state: { literalNumbers: boolean }): unknown {
  switch (node.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const prop of node.children ?? []) {
        const [key, val] = prop.children ?? [];
        if (key === undefined || val === undefined) continue;
        Object.defineProperty(out, String(key.value), { value: nodeValue(val, text, state), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'array':
      return (node.children ?? []).map((c) => nodeValue(c, text, state));
    case 'number': {
      const v = node.value as unknown;
      if (String(v) !== text.slice(node.offset, node.offset + node.length)) state.literalNumbers = true;
      return v;
    }
    default:
      return node.value as unknown;
  }
}

export function validateJson(content: Buffer): Validation {
  // Most files are plain JSON: the native parser says so at a fraction of building the tree.
  const raw = content.toString('utf8');
  const text = raw.startsWith(BOM) ? raw.slice(1) : raw;
  if (text.trim() !== '' && isStrictJson(text)) return { ok: true };
  const r = parseJson(content);
  return r.ok ? { ok: true } : { ok: false, reason: r.reason };
}

/** Indentation and line ending of a text, for jsonc-parser's edits. */
function formattingFor(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const m = /\n([ \t]+)\S/.exec(text);
  if (m && m[1].startsWith('\t')) return { insertSpaces: false, tabSize: 4, eol };
  return { insertSpaces: true, tabSize: m ? m[1].length : 2, eol };
}

type Change = { path: string[]; value: unknown };

/** The edits turning `from` into `to`: per key path, set (or remove: value undefined). Arrays and scalars are atomic. */
function changes(from: unknown, to: unknown, path: string[], out: Change[]): void {
  if (isDeepStrictEqual(from, to)) return;
  if (isDict(from) && isDict(to)) {
    for (const k of Object.keys(from)) if (!Object.hasOwn(to, k)) out.push({ path: [...path, k], value: undefined });
    for (const k of Object.keys(to)) {
      if (Object.hasOwn(from, k)) changes(from[k], to[k], [...path, k], out);
      else out.push({ path: [...path, k], value: to[k] });
    }
    return;
  }
  out.push({ path, value: to });
}

/** Applies the changes from `doc`'s value to `merged` onto `doc`'s text; null unless the result reads back as `merged`. */
export function patchJsonText(doc: JsonDoc, merged: unknown): string | null {
  const ops: Change[] = [];
  changes(doc.value, merged, [], ops);
  const formattingOptions = formattingFor(doc.text);
  let text = doc.text;
  try {
    for (const op of ops) {
      let { path, value } = op;
      if (value === undefined && path.length > 0) {
        // jsonc-parser leaves `{ , }` when it removes the only key of an object written with a trailing
        // comma: empty the object instead.
        const root = parseTree(text, [], PARSE_OPTIONS);
        const parent = root && findNodeAtLocation(root, path.slice(0, -1));
        if (parent?.type === 'object' && parent.children?.length === 1) {
          path = path.slice(0, -1);
          value = {};
        }
      }
      text = applyEdits(text, modify(text, path, value, { formattingOptions }));
    }
  } catch {
    return null;
  }
  const check = parseJson(Buffer.from(text, 'utf8'));
  if (!check.ok || !isDeepStrictEqual(check.doc.value, merged)) return null;
  if (doc.strict && !check.doc.strict) return null;
  return text;
}

/** JSON.stringify in the indentation, final newline and line ending of `like` (single-line stays compact). */
export function stringifyLike(value: unknown, like: JsonDoc): string {
  const sample = like.text;
  const m = /\n([ \t]+)"/.exec(sample);
  const indent = m ? m[1] : sample.trim().includes('\n') ? 2 : 0;
  let out = JSON.stringify(value, null, indent);
  if (sample.endsWith('\n')) out += '\n';
  if (sample.includes('\r\n')) out = out.replace(/\n/g, '\r\n');
  return out;
}

function encode(doc: JsonDoc, text: string): Buffer {
  return Buffer.from((doc.bom ? BOM : '') + text, 'utf8');
}

async function writeMerged(merged: unknown, base: Buffer | null, mine: Buffer, theirs: Buffer, m: JsonDoc, t: JsonDoc): Promise<Buffer> {
  if (base !== null && (!m.strict || !t.strict)) {
    const r = await textMerge(base, mine, theirs).catch(() => null);
    if (r?.clean) {
      const d = parseJson(r.content);
      if (d.ok && d.doc.utf8 && isDeepStrictEqual(d.doc.value, merged)) return r.content;
    }
  }
  if (isDeepStrictEqual(merged, m.value)) return mine;
  const host = !m.strict ? m : !t.strict ? t : m.literalNumbers ? m : null;
  if (host) {
    const patched = patchJsonText(host, merged);
    if (patched !== null) return encode(host, patched);
  }
  return encode(m, stringifyLike(merged, m));
}

/** Parses the three sides; null when one does not parse (or is not UTF-8). */
function parseSides(base: Buffer | null, mine: Buffer, theirs: Buffer): { b: JsonDoc | null; m: JsonDoc; t: JsonDoc } | null {
  const doc = (buf: Buffer): JsonDoc | null => {
    const r = parseJson(buf);
    return r.ok && r.doc.utf8 ? r.doc : null;
  };
  const m = doc(mine);
  const t = doc(theirs);
  const b = base === null ? null : doc(base);
  if (!m || !t || (base !== null && !b)) return null;
  return { b, m, t };
}

export async function mergeJson(base: Buffer | null, mine: Buffer, theirs: Buffer): Promise<MergeOutcome> {
  const same = identicalOutcome(base, mine, theirs);
  if (same) return same;
  const sides = parseSides(base, mine, theirs);
  if (!sides) return plainMergeChecked(base, mine, theirs, validateJson);
  const { b, m, t } = sides;
  const r = merge3(b === null ? undefined : b.value, m.value, t.value);
  if (r.conflicts.length > 0) return { clean: false, how: 'structured', details: r.conflicts.map((c) => keyConflictDetail(c.path)) };
  return { clean: true, content: await writeMerged(r.merged, base, mine, theirs, m, t), how: 'structured' };
}

export const jsonCodec: Codec = {
  id: 'json',
  matches: (repoPath) => JSON_PATH.test(repoPath),
  validate: validateJson,
  merge: mergeJson,
  diffText: plainDiffText,
  toRepo: (live) => live,
  toLive: (repo) => repo,
};
