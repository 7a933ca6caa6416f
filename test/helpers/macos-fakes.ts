/**
 * Recording fake `defaults` and `pgrep` for tests on any platform: small Node scripts put first on
 * PATH in a temp dir. Each call appends its argv (and, for `defaults import`, the imported file's
 * bytes, mode and folder mode, read while the call runs) to calls.jsonl, and answers like the real tool:
 *
 * defaults (the "cfprefsd" store is a folder of <domain>.plist files, normally the machine's
 * ~/Library/Preferences, as cfprefsd writes them there):
 * - `export DOMAIN -`: the domain as an XML plist on stdout; a missing domain: "Domain X does not
 *   exist" on stderr, exit 1 (or, with `missingStyle('empty')`, an empty `<dict/>` and exit 0);
 * - `import DOMAIN FILE`: replaces the domain with FILE's exact bytes (or merges its keys into the
 *   domain with `importMerges()`, to prove ConfSync notices); a file that is not a plist dictionary is
 *   refused like the real tool;
 * - `delete DOMAIN`: removes it ("Domain (X) not found." when missing);
 * - `fail(sub, words)`: that subcommand prints `words` on stderr and exits 1, changing nothing.
 * pgrep: `-x PATTERN` matches PATTERN as a whole-name regular expression against the names in the
 * "running" set; exit 0 with pids, 1 none, or `failPgrep(words)`: exit 3.
 */
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmp } from './machine.js';
import { spawnRunner, type Runner } from '../../electron/engine/macos/prefs.js';

const ROOT = join(import.meta.dirname, '..', '..');

const COMMON = `
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');
const req = createRequire(${JSON.stringify(join(ROOT, 'package.json'))});
const FAKE = process.env.FAKE_DIR;
const log = (entry) => fs.appendFileSync(path.join(FAKE, 'calls.jsonl'), JSON.stringify(entry) + '\\n');
const flag = (name) => { const p = path.join(FAKE, name); return fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : null; };
`;

const DEFAULTS = `${COMMON}
const bplist = req('bplist-parser');
const plist = req('plist');
const argv = process.argv.slice(2);
const [sub, domain, arg] = argv;
const entry = { tool: 'defaults', argv };
const store = process.env.FAKE_PREFS;
const fileOf = (d) => path.join(store, d + '.plist');
const decode = (buf) => buf.subarray(0, 8).toString('latin1') === 'bplist00' ? bplist.parseBuffer(buf)[0] : plist.parse(buf.toString('utf8'));
const isDict = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v);
const stamp = '2026-12-05 10:00:00.000 defaults[4242:51234] ';
function finish(code, out, err) {
  log(entry);
  if (out) process.stdout.write(out);
  if (err) process.stderr.write(err);
  process.exit(code);
}
const failing = flag('fail-' + sub);
if (failing !== null && sub === 'import') {
  try { entry.file = { bytes: fs.readFileSync(arg).toString('base64') }; } catch {}
}
if (failing !== null) finish(1, '', failing);
if (sub === 'export' && arg === '-') {
  if (!fs.existsSync(fileOf(domain))) {
    if (flag('missing-style') === 'empty') finish(0, plist.build({}) + '\\n');
    finish(1, '', stamp + '\\nDomain ' + domain + ' does not exist\\n');
  }
  finish(0, plist.build(decode(fs.readFileSync(fileOf(domain)))) + '\\n');
} else if (sub === 'import' && arg) {
  let bytes;
  try { bytes = fs.readFileSync(arg); } catch (e) { finish(1, '', stamp + 'Could not read data from ' + arg + '\\n'); }
  entry.file = { bytes: bytes.toString('base64'), mode: fs.statSync(arg).mode & 0o777, dirMode: fs.statSync(path.dirname(arg)).mode & 0o777 };
  let value;
  try { value = decode(bytes); } catch (e) { finish(1, '', stamp + 'Could not parse property list from ' + arg + ' due to ' + e.message + '\\n'); }
  if (!isDict(value)) finish(1, '', stamp + 'Property list was not a dictionary\\nDefaults have not been changed.\\n');
  fs.mkdirSync(store, { recursive: true });
  if (flag('import-merges') !== null && fs.existsSync(fileOf(domain))) {
    fs.writeFileSync(fileOf(domain), plist.build({ ...decode(fs.readFileSync(fileOf(domain))), ...value }));
  } else {
    fs.writeFileSync(fileOf(domain), bytes);
  }
  finish(0);
} else if (sub === 'delete' && domain && argv.length === 2) {
  if (!fs.existsSync(fileOf(domain))) finish(1, '', stamp + '\\nDomain (' + domain + ') not found.\\nDefaults have not been changed.\\n');
  fs.rmSync(fileOf(domain));
  finish(0);
}
finish(2, '', 'Command line interface to a user\\'s defaults.\\n');
`;

const PGREP = `${COMMON}
const argv = process.argv.slice(2);
log({ tool: 'pgrep', argv });
const failing = flag('fail-pgrep');
if (failing !== null) { process.stderr.write(failing); process.exit(3); }
if (argv.length !== 2 || argv[0] !== '-x') { process.stderr.write('usage: pgrep [-x] pattern\\n'); process.exit(2); }
let re;
try { re = new RegExp('^(?:' + argv[1] + ')$'); } catch (e) { process.stderr.write('pgrep: Cannot compile regular expression\\n'); process.exit(2); }
const dir = path.join(FAKE, 'running');
const names = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
const hits = names.filter((n) => re.test(n));
if (hits.length === 0) process.exit(1);
process.stdout.write(hits.map((_, i) => String(4000 + i)).join('\\n') + '\\n');
process.exit(0);
`;

export interface FakeCall {
  tool: 'defaults' | 'pgrep';
  argv: string[];
  /** `defaults import`: the file as the tool saw it. */
  file?: { bytes: string; mode?: number; dirMode?: number };
}

export interface MacFakes {
  /** The folder put first on PATH. */
  bin: string;
  /** The fakes' state: calls.jsonl, running/, failure switches. */
  dir: string;
  /** The fake cfprefsd store (<domain>.plist files). */
  prefs: string;
  env: NodeJS.ProcessEnv;
  /** A spawn runner whose PATH finds the fakes first. */
  run: Runner;
  calls(): FakeCall[];
  /** argv of every call, tool first. */
  argv(): string[][];
  clearCalls(): void;
  setRunning(app: string, running: boolean): void;
  fail(sub: 'export' | 'import' | 'delete' | 'pgrep', words: string | null): void;
  missingStyle(style: 'error' | 'empty'): void;
  importMerges(on: boolean): void;
  /** The domain's stored bytes, or null. */
  stored(domain: string): Buffer | null;
  store(domain: string, bytes: Buffer): void;
}

export function macosFakes(o: { prefsDir?: string } = {}): MacFakes {
  const root = tmp('cs-macos-fakes-');
  const bin = join(root, 'bin');
  const dir = join(root, 'state');
  const prefs = o.prefsDir ?? join(root, 'prefs');
  for (const d of [bin, dir, join(dir, 'running'), prefs]) mkdirSync(d, { recursive: true });
  for (const [name, body] of [
    ['defaults', DEFAULTS],
    ['pgrep', PGREP],
  ] as const) {
    writeFileSync(join(bin, name), `#!${process.execPath}\n${body}`);
    chmodSync(join(bin, name), 0o755);
  }
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, FAKE_DIR: dir, FAKE_PREFS: prefs };
  const switchFile = (name: string, content: string | null) => {
    const p = join(dir, name);
    if (content === null) rmSync(p, { force: true });
    else writeFileSync(p, content);
  };
  const calls = (): FakeCall[] => {
    const p = join(dir, 'calls.jsonl');
    return existsSync(p)
      ? readFileSync(p, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as FakeCall)
      : [];
  };
  return {
    bin,
    dir,
    prefs,
    env,
    run: spawnRunner({ env }),
    calls,
    argv: () => calls().map((c) => [c.tool, ...c.argv]),
    clearCalls: () => rmSync(join(dir, 'calls.jsonl'), { force: true }),
    setRunning: (app, running) => {
      const p = join(dir, 'running', app);
      if (running) appendFileSync(p, '');
      else rmSync(p, { force: true });
    },
    fail: (sub, words) => switchFile(`fail-${sub}`, words),
    missingStyle: (style) => switchFile('missing-style', style === 'empty' ? 'empty' : null),
    importMerges: (on) => switchFile('import-merges', on ? '' : null),
    stored: (domain) => {
      const p = join(prefs, `${domain}.plist`);
      return existsSync(p) ? readFileSync(p) : null;
    },
    store: (domain, bytes) => {
      mkdirSync(prefs, { recursive: true });
      writeFileSync(join(prefs, `${domain}.plist`), bytes);
    },
  };
}
