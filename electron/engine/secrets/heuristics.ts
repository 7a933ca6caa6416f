/**
 * Value heuristics shared by the rules: Shannon entropy and the "this is obviously not a real secret"
 * tests (placeholders, template/env references, paths, URLs, code references).
 */

/** Shannon entropy of a string in bits per character (over code points). */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  let n = 0;
  for (const ch of s) {
    counts.set(ch, (counts.get(ch) ?? 0) + 1);
    n++;
  }
  let h = 0;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Whole values (compared lower-case, without punctuation) that are words, not secrets. */
const PLACEHOLDER_WORDS = new Set([
  'password',
  'passwd',
  'pass',
  'pwd',
  'secret',
  'token',
  'apikey',
  'key',
  'none',
  'null',
  'nil',
  'undefined',
  'true',
  'false',
  'empty',
  'test',
  'xoauthbasic', // GitHub's documented "x-oauth-basic" password for token-as-username
  'notasecret', // Google's documented p12 password
]);

/** Substrings (lower-case) that mark documentation or template values. */
const PLACEHOLDER_SUBSTRINGS = [
  'changeme',
  'change_me',
  'change-me',
  'example', // also covers AWS's documented example key id and secret (both end in EXAMPLE...)
  'placeholder',
  'redacted',
  'dummy',
  'replaceme',
  'replace_me',
  'replace-me',
  'your_',
  'your-',
  'yourtoken',
  'yourpassword',
  'yoursecret',
  'yourkey',
  'insert_',
  'insert-',
  '<your',
];

const TEMPLATE_RES: RegExp[] = [
  /\$\{/, // ${VAR}, ${{ secrets.X }}
  /\$\(/, // $(command)
  /\{\{/, // {{ mustache / jinja / go templates }}
  /\{%/, // {% jinja %}
  /%\([\w.-]*\)[sdr]?/, // python %(name)s
  /#\{/, // ruby "#{x}"
  /^\$[A-Za-z_]/, // $GITHUB_TOKEN
  /^%[A-Za-z_][\w]*%$/, // %WINDOWS_VAR%
  /^@[\w.-]+@$/, // @autoconf@
  /^</, // <your-token>, <redacted>
  /^`/, // `command`
  /^\{[\w.-]+\}$/, // {token}
  /\*{3,}/, // ***
  /x{4,}|X{4,}/, // xxxx, XXXX
  /\.{3,}|\u2026/, // ... / …
  /^(?:op|vault|keychain|env|bw|ssm|pass|gopass|secretsmanager):/i, // secret-manager references (op://, vault:...)
  /^ENC\[/, // sops-encrypted value
  /^!vault\b/, // ansible vault
];

/**
 * True when the value is obviously not a real secret: empty, one character repeated, a placeholder
 * word, a documentation example (contains "example", case-insensitive — deliberate: AWS's documented
 * key id and secret, which contain EXAMPLE, are examples, not findings), or a template / environment reference.
 */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  if (/^([\s\S])\1*$/u.test(v)) return true;
  const lower = v.toLowerCase();
  if (PLACEHOLDER_WORDS.has(lower.replace(/[^a-z0-9]/g, ''))) return true;
  for (const s of PLACEHOLDER_SUBSTRINGS) if (lower.includes(s)) return true;
  for (const re of TEMPLATE_RES) if (re.test(v)) return true;
  return false;
}

/** `scheme://...` */
export function looksLikeUrl(v: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(v);
}

/** A file-system path such as `~/.ssh/id_ed25519`, `./secrets.txt`, `/etc/app/token`, `C:\keys\a.pem`. */
export function looksLikePath(v: string): boolean {
  if (/^(?:~|\.{1,2}|\$\{?HOME\}?|%[A-Z]+%)[\\/]/.test(v)) return true;
  if (/^[A-Za-z]:[\\/]/.test(v)) return true;
  // Absolute POSIX path: two or more segments that read as file names (lower case, words, or with an
  // extension). Base64 secrets often start with '/' but their segments are random mixed case.
  if (!/^(?:\/[\w@.-]{1,64}){2,}\/?$/.test(v)) return false;
  return v
    .split('/')
    .filter(Boolean)
    .every((seg) => /^[a-z0-9._@-]+$/.test(seg) || /\.[A-Za-z0-9]{1,6}$/.test(seg) || nameSegment(seg.replace(/[-@]/g, '_').split('_').filter(Boolean).join('_')));
}

/**
 * An unquoted value that is code, not data: `process.env.API_KEY`, `os.environ["X"]`, `getToken()`,
 * `config.secrets.token`. Dotted paths only count when every segment is short (so JWTs do not) and one
 * segment is a plain lower-case word (so random strings with a dot do not).
 */
export function looksLikeCodeReference(v: string): boolean {
  if (/[()[\]<>{}]/.test(v) || /^[!?&|]/.test(v)) return true;
  // Chained assignment `a=b.c` (base64 padding '=' only ever ends a value).
  if (/=[^=]/.test(v)) return true;
  if (!/^[A-Za-z_$][\w$]{0,40}(?:\.[A-Za-z_$][\w$]{0,40})+$/.test(v)) return false;
  // Every segment a name: lower case (os, asn1js), camel/Pascal case made of pronounceable words
  // (nextLocation, SyntaxKind), or UPPER_SNAKE (API_KEY).
  return v.split('.').every(nameSegment);
}

function nameSegment(seg: string): boolean {
  const s = seg.replace(/^[_$]+/, '');
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/.test(s)) return /[AEIOUY]/.test(s);
  if (/^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/.test(s)) return s.split('_').every((w) => w.length <= 3 || wordLike(w.replace(/\d/g, '')));
  if (!/^[A-Za-z][a-z]*(?:[A-Z][a-z]+)*\d{0,3}[a-z]*$/.test(s)) return false;
  return s
    .replace(/\d/g, '')
    .split(/(?=[A-Z])/)
    .every((w) => wordLike(w));
}

/** A quoted string that is an expression, e.g. `" + JSON.stringify(x) + "`, not a literal secret. */
export function looksLikeExpression(v: string): boolean {
  return /\s/.test(v) && /[()[\]{}+=;]/.test(v);
}

const PROSE_WORD = /^[^\p{L}\p{N}]*\p{L}[\p{Ll}'-]*[^\p{L}\p{N}]*$/u;

/**
 * Words for people ('OpenSSH private key', 'Enter your password:'): two or more whitespace-separated
 * words, at least half of them plain words. Secrets rarely hold spaces; the cost is that passphrases
 * made of dictionary words are not reported by the generic rule.
 */
export function looksLikeProse(v: string): boolean {
  const words = decodeEscapes(v).trim().split(/\s+/);
  if (words.length < 2) return false;
  return words.filter((w) => PROSE_WORD.test(w)).length * 2 >= words.length;
}

/**
 * An identifier made of words: `isClosingBraceToken`, `SourceCode.getTokenBefore`, `SOME_OTHER_TOKEN`,
 * `Base64PrivateKeyEncoding`. Random secrets almost never split into such words (a random mixed-case
 * string breaks into fragments like `kT`, `pQ`). The cost: passphrases written as CamelCase words are
 * not reported by the generic rule.
 */
/** Pronounceable: has a vowel (y counts), vowels at least 1 in 6 letters, no run of 5 consonants. */
function wordLike(w: string): boolean {
  if (w.length < 2) return true;
  const lower = w.toLowerCase();
  const vowels = (lower.match(/[aeiouy]/g) ?? []).length;
  return vowels > 0 && vowels * 6 >= lower.length && !/[^aeiouy]{5,}/.test(lower);
}

/** Four or more letters with at least two of a/e/i/o/u making up a quarter of them: 'Token', 'Closing'. */
function strongWord(w: string): boolean {
  const l = w.replace(/\d+$/, '').toLowerCase();
  const v = (l.match(/[aeiou]/g) ?? []).length;
  return l.length >= 4 && v >= 2 && v * 4 >= l.length;
}

export function looksLikeIdentifierWords(v: string): boolean {
  if (!/^[A-Za-z_$][\w$.:-]*$/.test(v)) return false;
  if ((v.match(/\d+/g) ?? []).length > 1) return false; // random strings have several digit runs
  const parts = v.split(/[_.$:-]+/).filter(Boolean);
  // UPPER_SNAKE_CASE: every part an upper-case word with a vowel.
  if (parts.every((p) => /^[A-Z]{2,12}\d{0,3}$/.test(p))) {
    return parts.length >= 2 && parts.every((p) => /[AEIOUY]/.test(p)) && parts.filter((p) => strongWord(p)).length >= 2;
  }
  const words = parts.flatMap((p) => p.split(/(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/));
  if (words.length < 2) return false;
  let acronyms = 0;
  for (const w of words) {
    const bare = w.replace(/\d+$/, '');
    if (/^[A-Z]{1,5}$/.test(bare)) acronyms++;
    else if (!/^[A-Z]?[a-z]+$/.test(bare) || !wordLike(bare)) return false;
  }
  if (acronyms * 2 > words.length) return false;
  // At least two clearly English-looking words, covering most of the letters.
  const strong = words.filter(strongWord);
  const letters = words.join('').replace(/\d/g, '').length;
  return strong.length >= 2 && strong.join('').length * 2 >= letters;
}

/** Mostly non-ASCII text (messages in other scripts), not a credential. */
export function mostlyNonAscii(v: string): boolean {
  const d = decodeEscapes(v);
  let n = 0;
  for (const ch of d) if (ch.charCodeAt(0) > 0x7e) n++;
  return n * 4 >= d.length;
}

/** Decodes `\uXXXX` escapes (JSON, JS) so text in other scripts is judged as text. */
export function decodeEscapes(v: string): string {
  return v.includes('\\u') ? v.replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) : v;
}
