/**
 * scanContent / checkFile: the secrets guard the engine runs on changed content before each commit.
 *
 * Limits and decisions (see README.md beside this file):
 *  - Only the first MAX_SCAN_BYTES (5 MiB) of a file are scanned; the cut is moved back to the last
 *    newline within 64 KiB so no line is scanned half. scanContentDetailed() reports `truncated`.
 *  - Content with a NUL byte in its first 8 KiB is binary: only PEM/PGP private-key blocks are looked
 *    for (decoded as latin1). UTF-16 text with a byte-order mark is decoded and scanned as text.
 *  - Values containing "example" (any case) are documentation examples, never findings; this covers
 *    the example key id and secret in AWS's documentation (which contain EXAMPLE).
 */
import { createHash } from 'node:crypto';
import picomatch from 'picomatch';
import {
  type Candidate,
  RULE_ORDER,
  detectAuthorizationHeaders,
  detectAwsSecretKeys,
  detectGenericAssignments,
  detectNetrc,
  detectNpmrc,
  detectPemKeys,
  detectPuttyKeys,
  detectSlackWebhooks,
  detectTokens,
  detectUrlCredentials,
} from './rules.js';
import type { CheckResult, ScanOptions, ScanReport, SecretFinding, SecretsPolicy } from './types.js';

/** Scanning stops after this many bytes (5 MiB); larger files are scanned in part. */
export const MAX_SCAN_BYTES = 5 * 1024 * 1024;
/** A NUL within this many leading bytes makes content binary. */
export const BINARY_SNIFF_BYTES = 8 * 1024;
/** Longest preview. */
export const PREVIEW_MAX_CHARS = 120;
/** Most characters of a secret a preview ever shows (fewer for short secrets: a quarter of its length). */
export const MASK_VISIBLE_CHARS = 4;
const MASK = '\u2026[masked]';

const PRIORITY = new Map<string, number>(RULE_ORDER.map((r, i) => [r, i]));

interface Decoded {
  text: string;
  binary: boolean;
  truncated: boolean;
  scanned: number;
}

function cutAtNewline(len: number, max: number, lastNewlineBefore: (limit: number) => number): number {
  if (len <= max) return len;
  const nl = lastNewlineBefore(max);
  return nl >= 0 && max - nl <= 64 * 1024 ? nl + 1 : max;
}

function decode(content: Buffer | string, maxBytes: number): Decoded {
  if (typeof content === 'string') {
    const binary = content.slice(0, BINARY_SNIFF_BYTES).includes('\0');
    const cut = cutAtNewline(content.length, maxBytes, (limit) => content.lastIndexOf('\n', limit - 1));
    let text = content.slice(0, cut);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { text, binary, truncated: cut < content.length, scanned: cut };
  }
  const buf = content;
  // UTF-16 with a byte-order mark is text, even though every other byte is NUL.
  const le = buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe;
  const be = buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff;
  if (le || be) {
    let cut = Math.min(buf.length, maxBytes);
    cut -= cut % 2;
    let body = Buffer.from(buf.subarray(2, cut));
    if (be) body = body.swap16();
    return { text: body.toString('utf16le'), binary: false, truncated: cut < buf.length, scanned: cut };
  }
  const binary = buf.subarray(0, BINARY_SNIFF_BYTES).includes(0);
  const cut = cutAtNewline(buf.length, maxBytes, (limit) => buf.lastIndexOf(0x0a, limit - 1));
  const slice = buf.subarray(0, cut);
  let text = slice.toString(binary ? 'latin1' : 'utf8');
  if (!binary && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, binary, truncated: cut < buf.length, scanned: cut };
}

function normalizePath(p: string): string {
  return p.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '').replace(/^\/+/, '');
}

function baseName(p: string): string {
  const n = normalizePath(p);
  return n.slice(n.lastIndexOf('/') + 1);
}

/** sha256(rule + '\0' + path + '\0' + secret), first 16 hex chars. */
export function fingerprintOf(rule: string, path: string, secret: string): string {
  return createHash('sha256').update(`${rule}\0${normalizePath(path)}\0${secret}`).digest('hex').slice(0, 16);
}

function detectAll(text: string, binary: boolean, path: string): Candidate[] {
  if (binary) return detectPemKeys(text);
  const name = baseName(path).toLowerCase();
  return [
    ...detectPemKeys(text),
    ...detectPuttyKeys(text),
    ...detectTokens(text),
    ...detectSlackWebhooks(text),
    ...detectAwsSecretKeys(text),
    ...detectNpmrc(text),
    ...detectNetrc(text, name === '.netrc' || name === '_netrc' || name === 'netrc'),
    ...detectUrlCredentials(text),
    ...detectAuthorizationHeaders(text),
    ...detectGenericAssignments(text),
  ];
}

/** Overlapping candidates (e.g. a GitHub token that is also a generic `token = ...`): keep the higher-priority rule. */
function resolveOverlaps(cands: Candidate[]): Candidate[] {
  const sorted = [...cands].sort((x, y) => x.start - y.start || x.end - y.end);
  const kept: Candidate[] = [];
  let i = 0;
  while (i < sorted.length) {
    // One cluster of transitively overlapping spans.
    let j = i + 1;
    let maxEnd = sorted[i].end;
    while (j < sorted.length && sorted[j].start < maxEnd) {
      maxEnd = Math.max(maxEnd, sorted[j].end);
      j++;
    }
    const cluster = sorted.slice(i, j).sort((x, y) => PRIORITY.get(x.rule)! - PRIORITY.get(y.rule)! || x.start - y.start);
    const accepted: Candidate[] = [];
    for (const c of cluster) {
      if (accepted.every((a) => c.end <= a.start || c.start >= a.end)) accepted.push(c);
    }
    kept.push(...accepted);
    i = j;
  }
  return kept;
}

class Lines {
  private readonly starts: number[] = [0];
  constructor(private readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  /** 0-based line index of an offset. */
  indexOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  bounds(index: number): [number, number] {
    const start = this.starts[index];
    let end = index + 1 < this.starts.length ? this.starts[index + 1] - 1 : this.text.length;
    if (end > start && this.text[end - 1] === '\r') end--;
    return [start, end];
  }
}

function visibleChars(secretLength: number): number {
  return Math.min(MASK_VISIBLE_CHARS, Math.floor(secretLength / 4));
}

// Control characters, DEL, C1 controls and the BOM become spaces; nothing else in a line is changed.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\ufeff]/g;

/** Cuts `s` to at most `max` chars around `focus`, marking every cut (including earlier ones) with '…'. */
function clip(s: string, focus: number, max: number, cutBefore: boolean, cutAfter: boolean): string {
  let start = 0;
  let end = s.length;
  const budget = () => max - (cutBefore || start > 0 ? 1 : 0) - (cutAfter || end < s.length ? 1 : 0);
  if (end - start > budget()) {
    start = Math.max(0, focus - 40);
    end = Math.min(s.length, start + max);
    start = Math.max(0, end - max);
    // Make room for the ellipses.
    while (end - start > budget()) {
      if (end > focus + 40) end--;
      else start++;
    }
  }
  return (cutBefore || start > 0 ? '\u2026' : '') + s.slice(start, end) + (cutAfter || end < s.length ? '\u2026' : '');
}

/** Characters of the line around a finding that a preview is built from (it shows at most 120). */
const PREVIEW_WINDOW = 200;

/** The line holding `focus`'s anchor, with every accepted secret touching it masked, clipped to 120 chars. */
function buildPreview(text: string, lines: Lines, lineIndex: number, focus: Candidate, all: Candidate[]): string {
  const [lineStart, lineEnd] = lines.bounds(lineIndex);
  // Work on a window around the finding so huge one-line files cost little per finding.
  const at = Math.min(Math.max(focus.start, lineStart), lineEnd);
  const ls = Math.max(lineStart, at - PREVIEW_WINDOW);
  const le = Math.min(lineEnd, at + PREVIEW_WINDOW);
  // `all` is sorted by start and its spans do not overlap, so ends are sorted too: binary-search the
  // first span ending after the window start.
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (all[mid].end <= ls) lo = mid + 1;
    else hi = mid;
  }
  let out = '';
  let pos = ls;
  let focusAt = -1;
  for (let k = lo; k < all.length && all[k].start < le; k++) {
    const c = all[k];
    const s = Math.max(c.start, ls);
    const e = Math.min(c.end, le);
    if (s < pos) continue;
    out += text.slice(pos, s);
    if (c === focus) focusAt = out.length;
    out += c.start >= ls ? text.slice(c.start, c.start + visibleChars(c.end - c.start)) + MASK : MASK.slice(1);
    pos = e;
  }
  out += text.slice(pos, le);
  if (focusAt < 0) focusAt = Math.max(0, Math.min(out.length, at - ls));
  const cutBefore = ls > lineStart;
  const cutAfter = le < lineEnd;
  out = out.replace(UNPRINTABLE, ' ');
  if (!cutBefore) {
    const lead = out.length - out.trimStart().length;
    out = out.slice(lead);
    focusAt = Math.max(0, focusAt - lead);
  }
  if (!cutAfter) out = out.trimEnd();
  return clip(out, focusAt, PREVIEW_MAX_CHARS, cutBefore, cutAfter);
}

/** Like scanContent, and also says whether the content was binary or cut at the size cap. */
export function scanContentDetailed(path: string, content: Buffer | string, options: ScanOptions = {}): ScanReport {
  const maxBytes = options.maxBytes ?? MAX_SCAN_BYTES;
  const { text, binary, truncated, scanned } = decode(content, maxBytes);
  const accepted = resolveOverlaps(detectAll(text, binary, path)).sort((x, y) => x.start - y.start);
  const lines = new Lines(text);
  const seen = new Set<string>();
  const findings: (SecretFinding & { _at: number })[] = [];
  for (const c of accepted) {
    const lineIndex = lines.indexOf(c.anchor);
    const fingerprint = fingerprintOf(c.rule, path, c.secret);
    const key = `${fingerprint}:${lineIndex}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push({
      path,
      line: lineIndex + 1,
      rule: c.rule,
      description: c.description,
      fingerprint,
      preview: buildPreview(text, lines, lineIndex, c, accepted),
      _at: c.anchor,
    });
  }
  findings.sort((a, b) => a.line - b.line || a._at - b._at);
  return {
    findings: findings.map(({ _at, ...f }) => f),
    binary,
    truncated,
    scannedBytes: scanned,
  };
}

/**
 * Scans one file's content for secrets. `path` is the repo-relative path (used in findings and
 * fingerprints, and to recognise .netrc files). Pure and synchronous; safe to call from a pre-commit
 * script. Only the first MAX_SCAN_BYTES are scanned; binary content only for private-key blocks.
 */
export function scanContent(path: string, content: Buffer | string, options?: ScanOptions): SecretFinding[] {
  return scanContentDetailed(path, content, options).findings;
}

const matcherCache = new Map<string, (p: string) => boolean>();

function pathMatcher(globs: readonly string[]): (p: string) => boolean {
  const usable = globs.map((g) => normalizePath(g.trim())).filter((g) => g.length > 0);
  if (usable.length === 0) return () => false;
  const key = JSON.stringify(usable);
  let m = matcherCache.get(key);
  if (!m) {
    m = picomatch(usable, { dot: true });
    if (matcherCache.size >= 64) matcherCache.delete(matcherCache.keys().next().value!);
    matcherCache.set(key, m);
  }
  return m;
}

/** True when a repo-relative path is covered by the policy's allowPaths globs. */
export function isPathAllowed(path: string, policy: Pick<SecretsPolicy, 'allowPaths'>): boolean {
  return pathMatcher(policy.allowPaths ?? [])(normalizePath(path));
}

/** Splits findings into allowed (by path glob or fingerprint) and blocking ones. */
export function applyPolicy(path: string, found: SecretFinding[], policy: SecretsPolicy): CheckResult {
  const pathAllowed = isPathAllowed(path, policy);
  const allowedPrints = new Set((policy.allowFindings ?? []).map((f) => f.trim().toLowerCase()));
  const findings: SecretFinding[] = [];
  const allowed: SecretFinding[] = [];
  for (const f of found) (pathAllowed || allowedPrints.has(f.fingerprint) ? allowed : findings).push(f);
  return { blocked: findings.length > 0, findings, allowed };
}

/** Scans a file and applies the policy: `blocked` when any finding is not allowed. */
export function checkFile(path: string, content: Buffer | string, policy: SecretsPolicy, options?: ScanOptions): CheckResult {
  return applyPolicy(path, scanContent(path, content, options), policy);
}
