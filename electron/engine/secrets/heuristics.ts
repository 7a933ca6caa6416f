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
  'example', // also covers AWS's documented AKIAIOSFODNN7EXAMPLE / ...EXAMPLEKEY
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
  /x{4,}/i, // xxxx
  /\.{3,}|\u2026/, // ... / …
  /^(?:op|vault|keychain|env|bw|ssm|pass|gopass|secretsmanager):/i, // secret-manager references (op://, vault:...)
  /^ENC\[/, // sops-encrypted value
  /^!vault\b/, // ansible vault
];

/**
 * True when the value is obviously not a real secret: empty, one character repeated, a placeholder
 * word, a documentation example (contains "example", case-insensitive — deliberate: AWS's documented
 * keys such as AKIAIOSFODNN7EXAMPLE are examples, not findings), or a template / environment reference.
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
  // Absolute POSIX path: at least two segments of file-name characters. A base64 secret that happens to
  // start with '/' almost always holds a '+' or '=' or a long segment; keep to plausible file names.
  return /^(?:\/[\w@.-]{1,64}){2,}\/?$/.test(v) && !/^\/[A-Za-z0-9]{30,}/.test(v);
}

/**
 * An unquoted value that is code, not data: `process.env.API_KEY`, `os.environ["X"]`, `getToken()`,
 * `config.secrets.token`. Dotted paths only count when every segment is short (so JWTs do not) and one
 * segment is a plain lower-case word (so random strings with a dot do not).
 */
export function looksLikeCodeReference(v: string): boolean {
  if (/[()[\]]/.test(v)) return true;
  if (!/^[A-Za-z_$][\w$]{0,24}(?:\.[A-Za-z_$][\w$]{0,24})+$/.test(v)) return false;
  return v.split('.').some((seg) => /^[a-z]{2,}$/.test(seg));
}

const PROSE_WORD = /^[^A-Za-z0-9]*[A-Za-z][a-z'-]*[^A-Za-z0-9]*$/;

/**
 * Words for people ('OpenSSH private key', 'Enter your password:'): two or more whitespace-separated
 * words, at least half of them plain words. Secrets rarely hold spaces; the cost is that passphrases
 * made of dictionary words are not reported by the generic rule.
 */
export function looksLikeProse(v: string): boolean {
  const words = v.trim().split(/\s+/);
  if (words.length < 2) return false;
  return words.filter((w) => PROSE_WORD.test(w)).length * 2 >= words.length;
}
