#!/usr/bin/env node
/**
 * Secrets guard for this repository: scans tracked files (or the staged ones with --staged) with
 * ConfSync's own secrets scanner (electron/engine/secrets) and fails when it finds a private key,
 * token or credential. Runs in CI and as the pre-commit hook (.githooks/pre-commit).
 * A deliberate fake can be allowed by its fingerprint in .secrets-allow (one per line, # comments).
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const staged = process.argv.includes('--staged');
// Inside the project so the bundle resolves node_modules.
mkdirSync(join(root, 'dist'), { recursive: true });
const dir = mkdtempSync(join(root, 'dist', '.secrets-'));
try {
  const out = join(dir, 'secrets.mjs');
  await build({ entryPoints: [join(root, 'electron/engine/secrets/index.ts')], bundle: true, platform: 'node', format: 'esm', outfile: out, packages: 'external', absWorkingDir: root, logLevel: 'warning' });
  const { checkFile } = await import(pathToFileURL(out).href);
  const allowFile = join(root, '.secrets-allow');
  const allowFindings = existsSync(allowFile) ? readFileSync(allowFile, 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean) : [];
  const list = staged
    ? execFileSync('git', ['diff', '--cached', '--name-only', '--diff-filter=ACMR', '-z'], { cwd: root, encoding: 'utf8' })
    : execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
  let found = 0;
  let scanned = 0;
  for (const path of list.split('\0').filter(Boolean)) {
    const abs = join(root, path);
    if (!existsSync(abs) || path.endsWith('package-lock.json')) continue;
    const content = staged ? execFileSync('git', ['show', `:${path}`], { cwd: root, maxBuffer: 64 << 20 }) : readFileSync(abs);
    scanned++;
    const r = checkFile(path, content, { allowPaths: [], allowFindings });
    for (const f of r.findings) {
      found++;
      console.error(`${path}:${f.line}: ${f.description} (${f.rule}) fingerprint ${f.fingerprint}\n    ${f.preview}`);
    }
  }
  if (found) {
    console.error(`\nsecrets guard: ${found} finding(s) in ${scanned} files. Remove them, or allow a deliberate fake by fingerprint in .secrets-allow.`);
    process.exit(1);
  }
  console.log(`secrets guard: ${scanned} files clean`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
