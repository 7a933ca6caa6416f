/**
 * Detection rules. Each detector walks the whole (already decoded, already capped) text and returns
 * candidates with absolute offsets; scan.ts resolves overlaps (earlier rule in RULE_ORDER wins),
 * turns offsets into lines, masks previews and computes fingerprints.
 *
 * Every regex here is linear in the input (bounded quantifiers after a literal anchor, or no
 * ambiguous nesting); the generic-assignment rule finds its keywords first and parses by hand, so a
 * multi-megabyte minified line cannot make it quadratic.
 */
import {
  isPlaceholder,
  looksLikeCodeReference,
  looksLikeExpression,
  looksLikeIdentifierWords,
  looksLikePath,
  looksLikeProse,
  looksLikeUrl,
  mostlyNonAscii,
  shannonEntropy,
} from './heuristics.js';

export interface Candidate {
  rule: string;
  description: string;
  /** Offset whose line is reported (the BEGIN line of a key block, else the secret itself). */
  anchor: number;
  /** Span of the secret in the text: masked in previews, used to resolve overlaps. */
  start: number;
  end: number;
  /** What the fingerprint is computed from. */
  secret: string;
}

/** Rule ids with their descriptions, in priority order (earlier wins when two candidates overlap). */
export const RULES = {
  'private-key-rsa': 'RSA private key',
  'private-key-ec': 'EC private key',
  'private-key-dsa': 'DSA private key',
  'private-key-openssh': 'OpenSSH private key',
  'private-key-pkcs8': 'Private key (PKCS #8)',
  'private-key-pkcs8-encrypted': 'Encrypted private key (PKCS #8)',
  'private-key': 'Private key',
  'pgp-private-key': 'PGP private key block',
  'private-key-putty': 'PuTTY private key',
  'aws-access-key-id': 'AWS access key ID',
  'github-pat': 'GitHub personal access token',
  'github-oauth-token': 'GitHub OAuth access token',
  'github-user-token': 'GitHub App user-to-server token',
  'github-server-token': 'GitHub App server-to-server token',
  'github-refresh-token': 'GitHub refresh token',
  'github-fine-grained-pat': 'GitHub fine-grained personal access token',
  'slack-token': 'Slack token',
  'slack-webhook': 'Slack webhook URL',
  'google-api-key': 'Google API key',
  'stripe-live-secret-key': 'Stripe live secret key',
  'stripe-live-restricted-key': 'Stripe live restricted key',
  'npm-token': 'npm access token',
  'aws-secret-access-key': 'AWS secret access key',
  'npmrc-auth': 'npm registry credentials (.npmrc)',
  'netrc-password': 'Password in a .netrc entry',
  'url-credentials': 'Password in a URL',
  'authorization-header': 'Credentials in an Authorization header',
  'generic-secret': 'High-entropy value assigned to a secret-looking name',
} as const satisfies Record<string, string>;

export type RuleId = keyof typeof RULES;

export const RULE_ORDER: readonly RuleId[] = Object.keys(RULES) as RuleId[];

/**
 * indexOf for callers whose `from` only grows: remembers the last hit, so repeated look-ups over a
 * large text stay linear overall (a header without its END marker must not rescan the rest each time).
 */
function forwardFinder(text: string, needle: string): (from: number) => number {
  let hit = -2;
  return (from) => {
    if (hit === -2 || (hit !== -1 && hit < from)) hit = text.indexOf(needle, from);
    return hit;
  };
}

function cand(rule: RuleId, start: number, secret: string, anchor = start, end = start + secret.length, description: string = RULES[rule]): Candidate {
  return { rule, description, anchor, start, end, secret };
}

// ---------------------------------------------------------------------------------------------------
// PEM / PGP / PuTTY private keys

const PEM_HEADER = /-----BEGIN ([A-Z0-9 ]{0,40}?)PRIVATE KEY( BLOCK)?-----/g;
/** After the header: optional whitespace, escaped newlines (keys inlined in JSON), quotes and armor headers, then base64. */
const PEM_BODY = /(?:[\s"'`,|>]|\\[rn]|[A-Za-z][A-Za-z-]{0,30}:[^\r\n\\]{0,200})*?([A-Za-z0-9+/]{16,})/y;

function pemRule(kind: string, block: boolean): RuleId {
  const k = kind.trim();
  if (block) return k === 'PGP' ? 'pgp-private-key' : 'private-key';
  switch (k) {
    case 'RSA':
      return 'private-key-rsa';
    case 'EC':
      return 'private-key-ec';
    case 'DSA':
      return 'private-key-dsa';
    case 'OPENSSH':
      return 'private-key-openssh';
    case '':
      return 'private-key-pkcs8';
    case 'ENCRYPTED':
      return 'private-key-pkcs8-encrypted';
    default:
      return 'private-key';
  }
}

/**
 * PEM and PGP armored private keys. A header only counts when key material follows it, so a script
 * that greps for the header line, or documentation quoting it, is not a finding.
 */
export function detectPemKeys(text: string): Candidate[] {
  const out: Candidate[] = [];
  const nextEnd = forwardFinder(text, '-----END ');
  PEM_HEADER.lastIndex = 0;
  for (let m = PEM_HEADER.exec(text); m; m = PEM_HEADER.exec(text)) {
    const headerEnd = m.index + m[0].length;
    const window = text.slice(headerEnd, headerEnd + 1200);
    PEM_BODY.lastIndex = 0;
    const body = PEM_BODY.exec(window);
    if (!body) continue;
    const bodyStart = headerEnd + body.index + body[0].length - body[1].length;
    const endIdx = nextEnd(bodyStart);
    const limit = bodyStart + 64 * 1024;
    const bodyEnd = endIdx >= 0 && endIdx < limit ? endIdx : Math.min(text.length, bodyStart + body[1].length);
    const secret = text
      .slice(bodyStart, bodyEnd)
      .replace(/\\[rn]/g, '')
      .replace(/[^A-Za-z0-9+/=]/g, '')
      .slice(0, 16 * 1024);
    let spanEnd = bodyEnd;
    if (endIdx >= 0 && endIdx < limit) {
      const close = text.indexOf('-----', endIdx + 9);
      spanEnd = close >= 0 && close - endIdx < 80 ? close + 5 : endIdx + 9;
    }
    out.push(cand(pemRule(m[1], !!m[2]), bodyStart, secret, m.index, spanEnd));
    PEM_HEADER.lastIndex = Math.max(PEM_HEADER.lastIndex, bodyStart);
  }
  return out;
}

const PUTTY_HEADER = /^PuTTY-User-Key-File-[23]: *[\w.@-]+/gm;

/** PuTTY .ppk files: the header plus a Private-Lines section. */
export function detectPuttyKeys(text: string): Candidate[] {
  const out: Candidate[] = [];
  const nextPrivateLines = forwardFinder(text, '\nPrivate-Lines:');
  const nextMac = forwardFinder(text, 'Private-MAC');
  PUTTY_HEADER.lastIndex = 0;
  for (let m = PUTTY_HEADER.exec(text); m; m = PUTTY_HEADER.exec(text)) {
    const plAt = nextPrivateLines(m.index);
    if (plAt < 0 || plAt - m.index > 16 * 1024) continue;
    const pl = /^\nPrivate-Lines: *\d+\r?\n/.exec(text.slice(plAt, plAt + 40));
    if (!pl) continue;
    const start = plAt + pl[0].length;
    const macIdx = nextMac(start);
    const end = macIdx >= 0 && macIdx - start < 16 * 1024 ? macIdx : Math.min(text.length, start + 4096);
    const secret = text.slice(start, end).replace(/[^A-Za-z0-9+/=]/g, '');
    if (secret.length < 16) continue;
    out.push(cand('private-key-putty', start, secret, m.index, end));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Provider token formats (fixed prefixes)

interface TokenRule {
  re: RegExp;
  /** Length of the fixed prefix, to run placeholder / entropy checks on the random body only. */
  prefix: (secret: string) => number;
  rule: (secret: string) => RuleId;
  minEntropy?: number;
}

const GITHUB_PREFIX: Record<string, RuleId> = {
  ghp_: 'github-pat',
  gho_: 'github-oauth-token',
  ghu_: 'github-user-token',
  ghs_: 'github-server-token',
  ghr_: 'github-refresh-token',
};

/**
 * Boundaries: a token must not sit inside a longer run of token/base64 characters, so base64 blobs
 * (inline images, ssh public keys, known_hosts) do not match by accident.
 */
const TOKEN_RULES: TokenRule[] = [
  {
    re: /(?<![A-Za-z0-9+/])((?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Za-z0-9+/=])/g,
    prefix: () => 4,
    rule: () => 'aws-access-key-id',
  },
  {
    re: /(?<![A-Za-z0-9_+/-])(gh[pousr]_[A-Za-z0-9]{36,251})(?![A-Za-z0-9_+/=-])/g,
    prefix: () => 4,
    rule: (s) => GITHUB_PREFIX[s.slice(0, 4)],
  },
  {
    re: /(?<![A-Za-z0-9_+/-])(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{40,222})(?![A-Za-z0-9_+/=-])/g,
    prefix: () => 11,
    rule: () => 'github-fine-grained-pat',
  },
  {
    re: /(?<![A-Za-z0-9_+/-])(xox[baprs]-[0-9A-Za-z]{1,64}(?:-[0-9A-Za-z]{1,64}){1,8})(?![A-Za-z0-9_+/=-])/g,
    prefix: () => 5,
    rule: () => 'slack-token',
  },
  {
    re: /(?<![A-Za-z0-9_+/-])(AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9_+/=-])/g,
    prefix: () => 4,
    rule: () => 'google-api-key',
  },
  {
    re: /(?<![A-Za-z0-9_+/-])((?:sk|rk)_live_[0-9A-Za-z]{24,247})(?![A-Za-z0-9_+/=-])/g,
    prefix: () => 8,
    rule: (s) => (s.startsWith('rk_') ? 'stripe-live-restricted-key' : 'stripe-live-secret-key'),
  },
  {
    re: /(?<![A-Za-z0-9_+/-])(npm_[A-Za-z0-9]{36})(?![A-Za-z0-9_+/=-])/g,
    prefix: () => 4,
    rule: () => 'npm-token',
  },
];

function randomLooking(body: string, minEntropy = 2.5): boolean {
  return !isPlaceholder(body) && shannonEntropy(body) >= minEntropy;
}

export function detectTokens(text: string): Candidate[] {
  const out: Candidate[] = [];
  for (const tr of TOKEN_RULES) {
    tr.re.lastIndex = 0;
    for (let m = tr.re.exec(text); m; m = tr.re.exec(text)) {
      const secret = m[1];
      const start = m.index + m[0].length - secret.length;
      if (secret.length < 20) continue;
      if (!randomLooking(secret.slice(tr.prefix(secret)), tr.minEntropy)) continue;
      out.push(cand(tr.rule(secret), start, secret));
    }
  }
  return out;
}

const SLACK_WEBHOOK = /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/([A-Za-z0-9_/-]{20,200})/g;

export function detectSlackWebhooks(text: string): Candidate[] {
  const out: Candidate[] = [];
  SLACK_WEBHOOK.lastIndex = 0;
  for (let m = SLACK_WEBHOOK.exec(text); m; m = SLACK_WEBHOOK.exec(text)) {
    const path = m[1].replace(/\/+$/, '');
    const last = path.slice(path.lastIndexOf('/') + 1);
    if (last.length < 8 || !randomLooking(last)) continue;
    const start = m.index + m[0].length - m[1].length;
    out.push(cand('slack-webhook', start, path));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Context rules: secrets recognised by the name they are assigned to

const H = '[^\\S\\r\\n]'; // horizontal whitespace

const AWS_SECRET = new RegExp(
  `(?<![A-Za-z0-9])(?:aws_?)?secret_?access_?key["']?${H}*(?::=|=>|=|:)?${H}*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
  'gi',
);

export function detectAwsSecretKeys(text: string): Candidate[] {
  const out: Candidate[] = [];
  AWS_SECRET.lastIndex = 0;
  for (let m = AWS_SECRET.exec(text); m; m = AWS_SECRET.exec(text)) {
    const secret = m[1];
    if (isPlaceholder(secret) || shannonEntropy(secret) < 3.0) continue;
    out.push(cand('aws-secret-access-key', m.index + m[0].length - secret.length, secret));
  }
  return out;
}

const NPMRC_AUTH = new RegExp(`(?:^|[\\s:])(_authToken|_auth|_password)${H}*=${H}*["']?([^\\s"'#;]+)`, 'gm');

export function detectNpmrc(text: string): Candidate[] {
  // Every match holds one of these names, as written (the regex is case-sensitive): most files have
  // neither, and a substring search costs far less than the regex over the whole text.
  if (!text.includes('_auth') && !text.includes('_password')) return [];
  const out: Candidate[] = [];
  NPMRC_AUTH.lastIndex = 0;
  for (let m = NPMRC_AUTH.exec(text); m; m = NPMRC_AUTH.exec(text)) {
    const secret = m[2];
    if (secret.length < 8 || isPlaceholder(secret)) continue;
    const desc = m[1] === '_authToken' ? 'npm registry auth token (.npmrc _authToken)' : `npm registry credentials (.npmrc ${m[1]})`;
    out.push(cand('npmrc-auth', m.index + m[0].length - secret.length, secret, undefined, undefined, desc));
  }
  return out;
}

const URL_CREDS = /\b[a-z][a-z0-9+.-]{1,30}:\/\/([^\s:@/?#'"<>]{0,128}):([^\s@/?#'"<>]{1,256})@(?=[A-Za-z0-9[])/gi;

export function detectUrlCredentials(text: string): Candidate[] {
  // Every match holds `://` and `@` (the regex tries every word boundary: 0.27 s over a 100k first run).
  if (!text.includes('://') || !text.includes('@')) return [];
  const out: Candidate[] = [];
  URL_CREDS.lastIndex = 0;
  for (let m = URL_CREDS.exec(text); m; m = URL_CREDS.exec(text)) {
    const secret = m[2];
    if (secret.length < 6 || isPlaceholder(secret) || /^\d+$/.test(secret)) continue;
    out.push(cand('url-credentials', m.index + m[0].length - 1 - secret.length, secret));
  }
  return out;
}

const AUTH_HEADER = new RegExp(`\\bAuthorization["']?${H}*[:=]?${H}*["']?${H}*(?:Bearer|Basic|token)${H}+([A-Za-z0-9._~+/=-]{16,2048})`, 'gi');

export function detectAuthorizationHeaders(text: string): Candidate[] {
  const out: Candidate[] = [];
  AUTH_HEADER.lastIndex = 0;
  for (let m = AUTH_HEADER.exec(text); m; m = AUTH_HEADER.exec(text)) {
    const secret = m[1];
    if (isPlaceholder(secret) || shannonEntropy(secret) < 3.0) continue;
    out.push(cand('authorization-header', m.index + m[0].length - secret.length, secret));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// .netrc

const NETRC_KEYWORDS = new Set(['login', 'password', 'account', 'port']);

interface Tok {
  v: string;
  at: number;
}

const BLANK_LINE = /\n[^\S\n]*\n/g;

function netrcTokens(text: string): Tok[] {
  const toks: Tok[] = [];
  const re = /\S+/g;
  let lineStartOnly = true; // whether only whitespace precedes on this line
  let lastEnd = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const gap = text.slice(lastEnd, m.index);
    if (gap.includes('\n')) lineStartOnly = true;
    if (lineStartOnly && m[0].startsWith('#')) {
      const nl = text.indexOf('\n', m.index);
      if (nl < 0) break;
      re.lastIndex = nl;
      lastEnd = nl;
      continue;
    }
    lineStartOnly = false;
    toks.push({ v: m[0], at: m.index });
    lastEnd = m.index + m[0].length;
    if (m[0] === 'macdef') {
      // A macro body runs to the next empty line; skip it.
      BLANK_LINE.lastIndex = lastEnd;
      const blank = BLANK_LINE.exec(text);
      if (!blank) break;
      re.lastIndex = blank.index + 1;
      lastEnd = re.lastIndex;
    }
  }
  return toks;
}

function startsLine(text: string, at: number): boolean {
  for (let i = at - 1; i >= 0; i--) {
    const c = text[i];
    if (c === '\n') return true;
    if (c !== ' ' && c !== '\t') return false;
  }
  return true;
}

/**
 * netrc entries: `machine HOST login USER password SECRET` (tokens may be spread over lines). In files
 * named .netrc/_netrc a `password` without `login` counts too; elsewhere the full
 * machine/login/password grammar is required so prose does not match.
 */
export function detectNetrc(text: string, isNetrcFile: boolean): Candidate[] {
  // `password` first, as a substring: most files have none, and then no regex runs at all.
  if (!text.includes('password') || !/\bpassword\b/.test(text) || !/\b(?:machine|default)\b/.test(text)) return [];
  const out: Candidate[] = [];
  const toks = netrcTokens(text);
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i].v;
    if (t !== 'machine' && t !== 'default') continue;
    // Outside a netrc file an entry must look like one: `machine` first on its line.
    if (!isNetrcFile && (t !== 'machine' || !startsLine(text, toks[i].at))) continue;
    let j = t === 'machine' ? i + 2 : i + 1;
    if (t === 'machine' && i + 1 >= toks.length) break;
    let login: Tok | undefined;
    let password: Tok | undefined;
    while (j + 1 < toks.length && NETRC_KEYWORDS.has(toks[j].v)) {
      if (toks[j].v === 'login') login = toks[j + 1];
      if (toks[j].v === 'password') password = toks[j + 1];
      j += 2;
    }
    if (!password || (!login && !isNetrcFile)) continue;
    let value = password.v;
    let at = password.at;
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1);
      at += 1;
    }
    if (isPlaceholder(value) || (!isNetrcFile && value.length < 4)) continue;
    out.push(cand('netrc-password', at, value));
    i = j - 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Generic assignments: `password = ...`, `"api_key": "..."`, `export FOO_TOKEN=...`, plist key/string

const KEYWORD = /password|passwd|secret|token|api[_.-]?key|access[_.-]?key|private[_.-]?key/gi;
const KEYWORD_TEST = /password|passwd|secret|token|api[_.-]?key|access[_.-]?key|private[_.-]?key/i;
const KEY_CHAR = /[A-Za-z0-9_.-]/;
/** Names that hold something about a secret, not the secret: password_file, token_url, secret_name... */
const NOT_A_VALUE_SUFFIX =
  /(?:key[_.-]?id|file|path|dir|cmd|command|eval|helper|prompt|type|url|uri|endpoint|length|len|name|env|var|field|header|ttl|timeout|expiry|expires|expiration|count|size|policy|mode|store|storage|manager|source|method)$/i;

export const GENERIC_MIN_LENGTH = 16;
/** Bits per character a generic value needs. */
export const GENERIC_MIN_ENTROPY = 3.5;
/**
 * Hex strings draw from 16 symbols (at most 4 bits/char), so random hex tokens often land below 3.5:
 * hex values holding both digits and letters need 3.0. All-digit values never reach 3.5 (log2 10 is
 * 3.32), so numbers under secret-looking names are never reported.
 */
export const GENERIC_MIN_ENTROPY_HEX = 3.0;

function minEntropyFor(value: string): number {
  const hex = /^[0-9a-f]+$/.test(value) || /^[0-9A-F]+$/.test(value);
  return hex && /[0-9]/.test(value) && /[a-fA-F]/.test(value) ? GENERIC_MIN_ENTROPY_HEX : GENERIC_MIN_ENTROPY;
}

function genericValueOk(value: string, quoted: boolean): boolean {
  if (value.length < GENERIC_MIN_LENGTH) return false;
  if (isPlaceholder(value)) return false;
  if (looksLikeUrl(value) || looksLikePath(value) || looksLikeProse(value)) return false;
  // PEM armor: real key blocks are the PEM rule's; a header without key material is a mention.
  if (value.startsWith('-----')) return false;
  if (mostlyNonAscii(value)) return false;
  // Code in config (JS/TS/Lua snippets): unquoted identifiers made of words, member paths, calls.
  if (quoted ? looksLikeExpression(value) : looksLikeCodeReference(value)) return false;
  if (looksLikeIdentifierWords(value.replace(/^[?!@#:]/, ''))) return false;
  // An identifier that itself says token/secret/password names a secret; it is not one.
  if (/^[A-Za-z_$][\w$.-]*$/.test(value) && KEYWORD_TEST.test(value)) return false;
  return shannonEntropy(value) >= minEntropyFor(value);
}

function genericDescription(key: string): string {
  const k = key.replace(/^[-.]+/, '');
  return k.length > 0 && k.length <= 40 ? `High-entropy value assigned to "${k}"` : RULES['generic-secret'];
}

/** Line bounds for monotonically increasing offsets, amortised O(1) per call (no rescans of long lines). */
class LineCursor {
  private start = 0;
  private end = -1;
  constructor(private readonly text: string) {}
  private seek(pos: number): void {
    if (this.end >= 0 && pos >= this.start && pos <= this.end) return;
    this.start = this.text.lastIndexOf('\n', pos - 1) + 1;
    const nl = this.text.indexOf('\n', pos);
    this.end = nl < 0 ? this.text.length : nl;
  }
  /** End of the line holding pos, before any '\r'. */
  lineEnd(pos: number): number {
    this.seek(pos);
    return this.end > pos && this.text[this.end - 1] === '\r' ? this.end - 1 : this.end;
  }
  lineStart(pos: number): number {
    this.seek(pos);
    return this.start;
  }
}

/** Longest value the generic rule reads; longer quoted strings are cut here. */
const MAX_GENERIC_VALUE = 1024;

/** Parses the value starting at `pos` (after the separator). Returns [start, end, quoted] or null. */
function readValue(text: string, pos: number, lineEnd: number): [number, number, boolean] | null {
  if (pos >= lineEnd) return null;
  lineEnd = Math.min(lineEnd, pos + MAX_GENERIC_VALUE);
  const q = text[pos];
  if (q === '"' || q === "'" || q === '`') {
    let i = pos + 1;
    while (i < lineEnd && text[i] !== q) i += text[i] === '\\' && q !== "'" ? 2 : 1;
    const end = Math.min(i, lineEnd);
    // A backtick string holding whitespace is shell command substitution, not a literal.
    if (q === '`' && /\s/.test(text.slice(pos + 1, end))) return null;
    return [pos + 1, end, true];
  }
  if (q === '=' || q === '~' || q === '#' || q === ';' || q === '{' || q === '[' || q === '|' || q === '>') return null;
  // Unquoted: up to whitespace, `,` or `;` (which end values in JSON-ish and shell syntax), or an
  // escaped newline of code embedded in a string.
  let i = pos;
  while (i < lineEnd && !/[\s,;]/.test(text[i]) && !(text[i] === '\\' && text[i + 1] === 'n')) i++;
  let end = i;
  // The closing quote of an enclosing string, as in alias x='cmd --password=VALUE'.
  while (end > pos && /['"`]/.test(text[end - 1])) end--;
  return [pos, end, false];
}

export function detectGenericAssignments(text: string): Candidate[] {
  const out: Candidate[] = [];
  const lines = new LineCursor(text);
  let keyFloor = 0; // keys never start before the end of the previous key or value
  KEYWORD.lastIndex = 0;
  for (let m = KEYWORD.exec(text); m; m = KEYWORD.exec(text)) {
    // Expand to the whole key name.
    let a = m.index;
    while (a > keyFloor && KEY_CHAR.test(text[a - 1])) a--;
    let b = m.index + m[0].length;
    while (b < text.length && KEY_CHAR.test(text[b])) b++;
    keyFloor = b;
    KEYWORD.lastIndex = b;
    const key = text.slice(a, b);
    if (NOT_A_VALUE_SUFFIX.test(key.replace(/[-_.]+$/, ''))) continue;
    const lineEnd = lines.lineEnd(b);
    let p = b;
    // Optional closing quote of a quoted key, then the separator.
    if (text[p] === '"' || text[p] === "'") p++;
    while (p < lineEnd && (text[p] === ' ' || text[p] === '\t')) p++;
    const sep = /^(?::=|=>|\?=|=|:)/.exec(text.slice(p, p + 2));
    if (sep) {
      p += sep[0].length;
      if (sep[0] === ':' && text[p] === ':') continue; // C++/Rust paths: token::Foo
    } else {
      // fish: `set -gx GITHUB_TOKEN value`
      const lineStart = lines.lineStart(b);
      if (p === b || a - lineStart > 40 || !/^\s*set(?:\s+-[A-Za-z]+)*\s+$/.test(text.slice(lineStart, a))) continue;
    }
    while (p < lineEnd && (text[p] === ' ' || text[p] === '\t')) p++;
    const v = readValue(text, p, lineEnd);
    if (!v) continue;
    const [vs, ve, quoted] = v;
    // Keywords inside the value are part of it, not keys of their own.
    keyFloor = Math.max(keyFloor, ve);
    KEYWORD.lastIndex = Math.max(KEYWORD.lastIndex, ve);
    const value = text.slice(vs, ve);
    if (!genericValueOk(value, quoted)) continue;
    out.push(cand('generic-secret', vs, value, vs, ve, genericDescription(key)));
  }
  return out.concat(detectXmlSecrets(text));
}

const XML_ELEMENT = /<([A-Za-z_][\w.-]{0,60})>([^<\r\n]{1,1000})<\/\1>/g;
const PLIST_PAIR = /<key>([^<]{1,100})<\/key>\s{0,200}<string>([^<]{1,4000})<\/string>/g;

/** `<password>...</password>` elements and plist `<key>api_token</key><string>...</string>` pairs. */
function detectXmlSecrets(text: string): Candidate[] {
  if (!text.includes('</')) return [];
  const out: Candidate[] = [];
  for (const [re, closing] of [
    [XML_ELEMENT, 0],
    [PLIST_PAIR, '</string>'.length],
  ] as const) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const key = m[1];
      if (!KEYWORD_TEST.test(key) || NOT_A_VALUE_SUFFIX.test(key)) continue;
      const raw = m[2];
      const value = raw.trim();
      if (!genericValueOk(value, true)) continue;
      // Offset of the raw value: for elements it follows `<name>`, for plist pairs it precedes `</string>`.
      const rawStart = closing === 0 ? m.index + key.length + 2 : m.index + m[0].length - closing - raw.length;
      const start = rawStart + (raw.length - raw.trimStart().length);
      out.push(cand('generic-secret', start, value, start, start + value.length, genericDescription(key)));
    }
  }
  return out;
}
