import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  MAX_SCAN_BYTES,
  RULES,
  checkFile,
  fingerprintOf,
  isPlaceholder,
  scanContent,
  scanContentDetailed,
  shannonEntropy,
  type SecretFinding,
  type SecretsPolicy,
} from '../../../electron/engine/secrets/index.js';
import { ALNUM, B64, Fake, HEX, P, UPPER_ALNUM, armor, pemBlock } from './fakes.js';
import { nearMisses, positiveCorpus } from './corpus.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');
const noPolicy: SecretsPolicy = { allowPaths: [], allowFindings: [] };

/** True when the preview shows more of the secret than its first 4 characters. */
function leaks(preview: string, secret: string): string | null {
  if (secret.length >= 5 && preview.includes(secret.slice(0, 5))) return secret.slice(0, 5);
  for (let i = 1; i + 8 <= secret.length; i++) {
    const w = secret.slice(i, i + 8);
    if (preview.includes(w)) return w;
  }
  return null;
}

describe('positive corpus (real-format fake secrets)', () => {
  const corpus = positiveCorpus();

  it('has at least 30 cases covering every rule', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    const covered = new Set(corpus.map((c) => c.rule));
    const expectedUncovered = new Set(['private-key']); // catch-all for unusual PEM kinds, tested below
    for (const rule of Object.keys(RULES)) if (!expectedUncovered.has(rule)) expect(covered, rule).toContain(rule);
  });

  it.each(corpus.map((c) => [c.name, c] as const))('finds %s', (_name, c) => {
    const findings = scanContent(c.path, c.content);
    const hit = findings.find((f) => f.rule === c.rule && f.line === c.line);
    expect(hit, `${c.rule}@${c.line} in ${JSON.stringify(findings.map((f) => `${f.rule}@${f.line}`))}`).toBeDefined();
    // One finding per secret: overlapping rules (generic + specific) are resolved to one.
    expect(findings.filter((f) => f.line === c.line)).toHaveLength(1);
    expect(hit!.path).toBe(c.path);
    expect(hit!.description).toBeTruthy();
    expect(hit!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(hit!.fingerprint).toBe(fingerprintOf(c.rule, c.path, c.secret));
    for (const f of findings) {
      expect(f.preview.length).toBeLessThanOrEqual(120);
      expect(leaks(f.preview, c.secret), `preview ${JSON.stringify(f.preview)}`).toBeNull();
      expect(leaks(f.fingerprint, c.secret)).toBeNull();
    }
  });

  it('finds every case again when they are all in one file, on the shifted lines', () => {
    let offset = 0;
    let text = '';
    const expected: string[] = [];
    for (const c of corpus) {
      if (c.path.endsWith('.netrc') || c.rule === 'private-key-putty') continue; // path- or position-sensitive
      expected.push(`${c.rule}@${c.line + offset}`);
      text += c.content;
      offset += c.content.split('\n').length - 1;
    }
    const got = new Set(scanContent('all.txt', text).map((f) => `${f.rule}@${f.line}`));
    for (const e of expected) expect(got).toContain(e);
  });

  it('is the same for a Buffer and a string, and for CRLF line endings', () => {
    for (const c of corpus) {
      const a = scanContent(c.path, c.content);
      expect(scanContent(c.path, Buffer.from(c.content, 'utf8'))).toEqual(a);
      const crlf = scanContent(c.path, c.content.replace(/\n/g, '\r\n'));
      expect(crlf.map((f) => [f.rule, f.line, f.fingerprint])).toEqual(a.map((f) => [f.rule, f.line, f.fingerprint]));
      for (const f of crlf) expect(f.preview).not.toMatch(/[\r\n]/);
    }
  });
});

describe('near-misses', () => {
  const misses = nearMisses();
  it('has at least 20 near-miss files', () => {
    expect(misses.length).toBeGreaterThanOrEqual(20);
  });
  it.each(misses.map((m) => [m.name, m] as const))('does not flag %s', (_name, m) => {
    expect(scanContent(m.path, m.content)).toEqual([]);
  });
  it('does not flag netrc placeholders in a .netrc either', () => {
    const m = misses.find((x) => x.name.startsWith('netrc'))!;
    const entries = m.content.split('\n').filter((l) => l.startsWith('machine')).join('\n');
    expect(entries.split('\n')).toHaveLength(2);
    expect(scanContent('home/.netrc', entries)).toEqual([]);
  });
});

describe('rules in detail', () => {
  const f = new Fake(7);

  it('prefers the specific rule over the generic one for the same value', () => {
    const tok = P.ghp + f.str(ALNUM, 36);
    const r = scanContent('x.toml', `token = "${tok}"\n`);
    expect(r.map((x) => x.rule)).toEqual(['github-pat']);
  });

  it('reports several secrets on one line, each with every secret on the line masked', () => {
    const id = P.akia + f.str(UPPER_ALNUM, 16);
    const secret = f.str(B64, 40);
    const r = scanContent('env', `AWS_ACCESS_KEY_ID=${id} AWS_SECRET_ACCESS_KEY=${secret}\n`);
    expect(r.map((x) => x.rule)).toEqual(['aws-access-key-id', 'aws-secret-access-key']);
    for (const x of r) {
      expect(x.preview).toBe(`AWS_ACCESS_KEY_ID=${id.slice(0, 4)}\u2026[masked] AWS_SECRET_ACCESS_KEY=${secret.slice(0, 4)}\u2026[masked]`);
    }
  });

  it('finds several key blocks in one file', () => {
    const a = pemBlock('RSA ', f.b64Lines(P.rsaLead, 200));
    const b = pemBlock('OPENSSH ', f.b64Lines(P.opensshLead, 200));
    const r = scanContent('keys.txt', [...a, '', ...b].join('\n'));
    expect(r.map((x) => `${x.rule}@${x.line}`)).toEqual(['private-key-rsa@1', `private-key-openssh@${a.length + 2}`]);
  });

  it('uses the catch-all rule for unusual PEM private-key kinds', () => {
    const r = scanContent('k', pemBlock('SSH2 ENCRYPTED ', f.b64Lines(f.str(B64, 8), 200)).join('\n'));
    expect(r.map((x) => x.rule)).toEqual(['private-key']);
  });

  it('treats a PEM header without key material as a mention, not a key', () => {
    expect(scanContent('README.md', `Never commit a file that starts with \`${armor('BEGIN', 'RSA ')}\`.\n`)).toEqual([]);
    expect(scanContent('a.txt', `${armor('BEGIN', 'OPENSSH ')}\n...\n${armor('END', 'OPENSSH ')}\n`)).toEqual([]);
  });

  it('treats keys containing EXAMPLE as documentation examples (documented decision)', () => {
    expect(isPlaceholder(`IOSFODNN7${'EXAM' + 'PLE'}`)).toBe(true);
    const real = P.akia + f.str(UPPER_ALNUM, 16);
    expect(scanContent('a', `key=${real}\n`)).toHaveLength(1);
    expect(scanContent('a', `key=${P.akia}ABCD${'EXAM' + 'PLE'}12345\n`)).toEqual([]);
  });

  it('applies the generic length and entropy thresholds', () => {
    expect(shannonEntropy('')).toBe(0);
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
    expect(scanContent('a', `password = ${f.str(ALNUM, 15)}\n`)).toEqual([]); // too short
    expect(scanContent('a', `password = ${f.str(ALNUM, 20)}\n`)).toHaveLength(1);
    expect(scanContent('a', 'password = abababababababababab\n')).toEqual([]); // 1 bit/char
  });

  it('flags a url with a real-looking password but not ports or placeholders', () => {
    const pw = f.str(ALNUM, 12);
    expect(scanContent('a', `remote = https://me:${pw}@git.corp.lan/repo.git\n`).map((x) => x.rule)).toEqual(['url-credentials']);
    expect(scanContent('a', 'remote = https://git.corp.lan:8443/repo.git\n')).toEqual([]);
    expect(scanContent('a', 'remote = https://me:changeme@git.corp.lan/repo.git\n')).toEqual([]);
  });

  it('does not take long on large adversarial input', () => {
    const parts: string[] = [];
    let size = 0;
    while (size < MAX_SCAN_BYTES) {
      const s = `"token${size}":"${'a'.repeat(40)}","secret":"x",<a>${f.str(HEX, 64)}</b>password ${'-'.repeat(50)} ${P.ghp}short `;
      parts.push(s);
      size += s.length;
    }
    const big = parts.join(''); // one 5 MiB line
    const t0 = performance.now();
    scanContent('min.json', big);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('stays linear with many findings, unterminated key headers and netrc macros', () => {
    const many = Array.from({ length: 20_000 }, () => `t=${P.ghp}${f.str(ALNUM, 36)}`).join(' '); // one long line
    const headers = Array.from({ length: 20_000 }, () => `${armor('BEGIN', 'RSA ')}\n${f.str(B64, 64)}`).join('\n');
    const putty = Array.from({ length: 20_000 }, () => 'PuTTY-User-Key-File-3: ssh-ed25519\nComment: x').join('\n');
    const macros = 'machine a login b password c\n' + 'macdef m\n  cd /\n'.repeat(50_000);
    const t0 = performance.now();
    const r = scanContent('many.txt', many);
    expect(r).toHaveLength(20_000);
    expect(r.every((x) => x.preview.length <= 120)).toBe(true);
    expect(scanContent('keys.txt', headers)).toHaveLength(20_000);
    expect(scanContent('k.ppk', putty)).toEqual([]);
    scanContent('.netrc', macros);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});

describe('fingerprints', () => {
  const f = new Fake(11);
  const secret = f.str(B64, 40);
  const content = `[default]\naws_secret_access_key = ${secret}\n`;

  it('are sha256(rule \\0 path \\0 secret), first 16 hex chars', () => {
    const [x] = scanContent('aws/credentials', content);
    const want = createHash('sha256').update(`aws-secret-access-key\0aws/credentials\0${secret}`).digest('hex').slice(0, 16);
    expect(x.fingerprint).toBe(want);
    expect(x.fingerprint).not.toContain(secret.slice(0, 4).toLowerCase());
  });

  it('are stable across calls and across moves within the file, and differ per path', () => {
    const a = scanContent('aws/credentials', content)[0];
    const b = scanContent('aws/credentials', Buffer.from(content))[0];
    const moved = scanContent('aws/credentials', `# comment\n\n${content}`)[0];
    const other = scanContent('aws/credentials.bak', content)[0];
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(moved.fingerprint).toBe(a.fingerprint);
    expect(moved.line).toBe(a.line + 2);
    expect(other.fingerprint).not.toBe(a.fingerprint);
    // Windows separators and a leading ./ name the same repo path.
    expect(scanContent('aws\\credentials', content)[0].fingerprint).toBe(a.fingerprint);
    expect(scanContent('./aws/credentials', content)[0].fingerprint).toBe(a.fingerprint);
  });

  it('change when the secret changes', () => {
    const a = scanContent('p', content)[0];
    const b = scanContent('p', `aws_secret_access_key = ${f.str(B64, 40)}\n`)[0];
    expect(a.fingerprint).not.toBe(b.fingerprint);
  });
});

describe('previews', () => {
  const f = new Fake(13);

  it('mask the secret after at most its first 4 characters', () => {
    const secret = f.str(B64, 40);
    const [x] = scanContent('c', `aws_secret_access_key = ${secret}\n`);
    expect(x.preview).toBe(`aws_secret_access_key = ${secret.slice(0, 4)}\u2026[masked]`);
  });

  it('show fewer characters of a short secret', () => {
    const pw = f.str(ALNUM, 8);
    const [x] = scanContent('home/.netrc', `machine h login u password ${pw}\n`);
    expect(x.preview).toBe(`machine h login u password ${pw.slice(0, 2)}\u2026[masked]`);
  });

  it('are clipped to 120 characters around the finding on long lines', () => {
    const tok = P.ghp + f.str(ALNUM, 36);
    const line = `{"a":"${'b'.repeat(300)}","t":"${tok}","z":"${'y'.repeat(300)}"}`;
    const [x] = scanContent('min.json', line);
    expect(x.preview.length).toBeLessThanOrEqual(120);
    expect(x.preview).toContain(`"t":"${P.ghp}\u2026[masked]"`);
    expect(x.preview.startsWith('\u2026')).toBe(true);
    expect(x.preview.endsWith('\u2026')).toBe(true);
  });

  it('replace control characters and trim', () => {
    const tok = P.npm + f.str(ALNUM, 36);
    const [x] = scanContent('a', `\t\tnpm\x1b[0m = ${tok}   \n`);
    expect(x.preview).toBe(`npm [0m = ${P.npm}\u2026[masked]`);
  });

  it('mask a key inlined on one line (service-account JSON)', () => {
    const c = positiveCorpus().find((x) => x.name === 'service account json')!;
    const [x] = scanContent(c.path, c.content);
    expect(x.preview.startsWith(`"private_key": "${armor('BEGIN', '')}\\nMIIE\u2026[masked]`)).toBe(true);
  });
});

describe('policy (checkFile)', () => {
  const f = new Fake(17);
  const tok = P.ghp + f.str(ALNUM, 36);
  const pw = f.str(ALNUM, 24);
  const content = Buffer.from(`export GITHUB_TOKEN=${tok}\nexport DB_PASSWORD=${pw}\n`);

  it('blocks when nothing is allowed', () => {
    const r = checkFile('zsh/.zshrc', content, noPolicy);
    expect(r.blocked).toBe(true);
    expect(r.findings.map((x) => x.rule)).toEqual(['github-pat', 'generic-secret']);
    expect(r.allowed).toEqual([]);
  });

  it('does not block clean content', () => {
    expect(checkFile('zsh/.zshrc', Buffer.from('export EDITOR=nvim\n'), noPolicy)).toEqual({ blocked: false, findings: [], allowed: [] });
  });

  it('allows every finding in a file matched by allowPaths (dot files included)', () => {
    for (const glob of ['zsh/**', '**/.zshrc', 'zsh/.zsh*', 'zsh/.zshrc']) {
      const r = checkFile('zsh/.zshrc', content, { allowPaths: [glob], allowFindings: [] });
      expect(r.blocked, glob).toBe(false);
      expect(r.findings).toEqual([]);
      expect(r.allowed).toHaveLength(2);
    }
    expect(checkFile('zsh/.zshrc', content, { allowPaths: ['bash/**', '*.zshrc'], allowFindings: [] }).blocked).toBe(true);
  });

  it('normalises Windows separators and ignores empty globs', () => {
    expect(checkFile('zsh\\.zshrc', content, { allowPaths: ['', '  ', 'zsh/**'], allowFindings: [] }).blocked).toBe(false);
    expect(checkFile('zsh/.zshrc', content, { allowPaths: [''], allowFindings: [] }).blocked).toBe(true);
  });

  it('allows single findings by fingerprint', () => {
    const all = scanContent('zsh/.zshrc', content);
    const gh = all.find((x) => x.rule === 'github-pat')!;
    const partly = checkFile('zsh/.zshrc', content, { allowPaths: [], allowFindings: [gh.fingerprint] });
    expect(partly.blocked).toBe(true);
    expect(partly.allowed.map((x) => x.rule)).toEqual(['github-pat']);
    expect(partly.findings.map((x) => x.rule)).toEqual(['generic-secret']);
    const fully = checkFile('zsh/.zshrc', content, { allowPaths: [], allowFindings: all.map((x) => x.fingerprint.toUpperCase()) });
    expect(fully.blocked).toBe(false);
    expect(fully.allowed).toHaveLength(2);
  });

  it('does not carry an allowed fingerprint over to another path or another secret', () => {
    const gh = scanContent('zsh/.zshrc', content).find((x) => x.rule === 'github-pat')!;
    expect(checkFile('bash/.bashrc', content, { allowPaths: [], allowFindings: [gh.fingerprint] }).findings).toHaveLength(2);
    const changed = Buffer.from(`export GITHUB_TOKEN=${P.ghp + f.str(ALNUM, 36)}\n`);
    expect(checkFile('zsh/.zshrc', changed, { allowPaths: [], allowFindings: [gh.fingerprint] }).blocked).toBe(true);
  });
});

describe('binary content', () => {
  const f = new Fake(19);
  const key = pemBlock('OPENSSH ', f.b64Lines(P.opensshLead, 300));
  const tok = P.ghp + f.str(ALNUM, 36);

  it('is scanned only for private-key blocks', () => {
    const buf = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x0a]), // NUL in the first 8 KiB; line 2 starts after 0x0a
      Buffer.from(`token=${tok}\npassword = ${f.str(ALNUM, 30)}\n`),
      Buffer.from(key.join('\n') + '\n'),
      Buffer.from([0x00, 0xff, 0xfe]),
    ]);
    const report = scanContentDetailed('db/keys.sqlite', buf);
    expect(report.binary).toBe(true);
    expect(report.findings.map((x) => `${x.rule}@${x.line}`)).toEqual(['private-key-openssh@4']);
  });

  it('finds nothing in binary data without a key block', () => {
    const buf = Buffer.concat([Buffer.from([0, 1, 2, 3]), Buffer.from(`token=${tok}\n${armor('BEGIN', 'RSA ')}\n`)]);
    expect(scanContent('x.bin', buf)).toEqual([]);
  });

  it('treats a NUL after the first 8 KiB as text', () => {
    const buf = Buffer.concat([Buffer.from('# ' + 'x'.repeat(9000) + `\ntoken=${tok}\n`), Buffer.from([0])]);
    const report = scanContentDetailed('late-nul.txt', buf);
    expect(report.binary).toBe(false);
    expect(report.findings.map((x) => `${x.rule}@${x.line}`)).toEqual(['github-pat@2']);
  });

  it('decodes UTF-16 text with a byte-order mark instead of treating it as binary', () => {
    const text = `line one\r\nGITHUB_TOKEN=${tok}\r\n`;
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    for (const buf of [le, be]) {
      const report = scanContentDetailed('win/profile.ps1', buf);
      expect(report.binary).toBe(false);
      expect(report.findings.map((x) => `${x.rule}@${x.line}`)).toEqual(['github-pat@2']);
    }
  });
});

describe('.netrc', () => {
  const f = new Fake(23);
  const pw1 = f.str(ALNUM, 16);
  const pw2 = f.str(ALNUM + '!@#', 12);
  const tok = P.ghp + f.str(ALNUM, 36);
  const netrc = [
    '# personal', // 1
    'machine ftp.corp.lan', // 2
    '    login deploy', // 3
    `    password ${pw1}`, // 4
    '', // 5
    'machine api.github.com login octocat', // 6
    `  password ${tok}`, // 7
    'macdef init', // 8
    '  cd /pub', // 9
    `  password ${f.str(ALNUM, 16)}`, // 10 macro body: not an entry
    '', // 11
    `machine mail.corp.lan login me@corp.lan password "${pw2}"`, // 12
    'machine docs.corp.lan login me password $DOCS_PASSWORD', // 13
    'default', // 14
    '  login anonymous', // 15
    `  password ${f.str(ALNUM, 10)}`, // 16
    '',
  ].join('\n');

  it('finds passwords spread across lines, on the password line, with quotes stripped', () => {
    const r = scanContent('home/.netrc', netrc);
    expect(r.map((x) => `${x.rule}@${x.line}`)).toEqual(['netrc-password@4', 'github-pat@7', 'netrc-password@12', 'netrc-password@16']);
    expect(r[0].preview).toBe(`password ${pw1.slice(0, 4)}\u2026[masked]`);
    expect(r[2].fingerprint).toBe(fingerprintOf('netrc-password', 'home/.netrc', pw2));
  });

  it('needs a login outside files named .netrc/_netrc', () => {
    const noLogin = `machine ftp.corp.lan\n  password ${pw1}\n`;
    expect(scanContent('home/.netrc', noLogin)).toHaveLength(1);
    expect(scanContent('home/_netrc', noLogin)).toHaveLength(1);
    expect(scanContent('notes.txt', noLogin)).toEqual([]);
    expect(scanContent('notes.txt', `machine ftp.corp.lan\n  login x\n  password ${pw1}\n`)).toHaveLength(1);
  });

  it('outside a netrc file, wants `machine` first on its line and ignores `default`', () => {
    expect(scanContent('notes.txt', `see: machine ftp.corp.lan login x password ${pw1}\n`)).toEqual([]);
    expect(scanContent('notes.txt', `default login x password ${pw1}\n`)).toEqual([]);
    expect(scanContent('spell.vim', '" use a default login and password to avoid a prompt\n')).toEqual([]);
    expect(scanContent('setup.sh', `cat > ~/.netrc <<EOF\nmachine ftp.corp.lan login x password ${pw1}\nEOF\n`)).toHaveLength(1);
  });
});

describe('size cap', () => {
  const f = new Fake(29);
  const early = P.ghp + f.str(ALNUM, 36);
  const late = P.npm + f.str(ALNUM, 36);

  it('scans only the first maxBytes and says so', () => {
    const text = `a=${early}\n${'# filler\n'.repeat(200)}b=${late}\n`;
    const r = scanContentDetailed('big.txt', text, { maxBytes: 1000 });
    expect(r.truncated).toBe(true);
    expect(r.scannedBytes).toBeLessThanOrEqual(1000);
    expect(r.findings.map((x) => x.rule)).toEqual(['github-pat']);
    expect(scanContentDetailed('big.txt', text).truncated).toBe(false);
    expect(scanContent('big.txt', text).map((x) => x.rule)).toEqual(['github-pat', 'npm-token']);
  });

  it('caps real content at MAX_SCAN_BYTES (5 MiB)', () => {
    expect(MAX_SCAN_BYTES).toBe(5 * 1024 * 1024);
    const filler = ('x'.repeat(99) + '\n').repeat(Math.ceil(MAX_SCAN_BYTES / 100));
    const buf = Buffer.from(`a=${early}\n${filler}b=${late}\n`);
    const r = scanContentDetailed('huge.log', buf);
    expect(r.truncated).toBe(true);
    expect(r.findings.map((x) => x.rule)).toEqual(['github-pat']);
  });
});

describe('the repository itself', () => {
  function walk(dir: string): string[] {
    let out: string[] = [];
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      out = statSync(p).isDirectory() ? out.concat(walk(p)) : out.concat([p]);
    }
    return out;
  }

  it('holds nothing the guard would flag in its own source, tests and fixtures', () => {
    const dirs = ['electron/engine/secrets', 'test/unit/secrets', 'test/fixtures/secrets'].map((d) => join(repoRoot, d));
    const found: SecretFinding[] = [];
    for (const d of dirs) {
      const files = existsSync(d) ? walk(d) : [];
      for (const file of files) found.push(...scanContent(relative(repoRoot, file), readFileSync(file)));
    }
    expect(found).toEqual([]);
  });
});
