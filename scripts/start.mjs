#!/usr/bin/env node
/**
 * `npm start`: builds, then runs the Electron app where its binary is present; otherwise starts the
 * headless daemon with the UI on 127.0.0.1 and prints its URL (with the access token).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// CONFSYNC_START_NO_BUILD=1 skips the build (the test suite has just built).
if (process.env.CONFSYNC_START_NO_BUILD !== '1') {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

/**
 * Where Electron's binary is, found the way its package does (path.txt + dist/), but without
 * `require('electron')`, which tries to download the binary when it is missing.
 */
function electronBinary() {
  let pkg;
  try {
    pkg = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { why: 'the electron package is not installed' };
  }
  const pathFile = join(pkg, 'path.txt');
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const base = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(pkg, 'dist');
  const bin = rel ? join(base, rel) : '';
  if (bin && existsSync(bin)) return { path: bin };
  return { why: 'the Electron binary is not installed (its download was skipped or blocked: ELECTRON_SKIP_BINARY_DOWNLOAD, or no access to its download host)' };
}

const el = electronBinary();
const hasDisplay = process.platform !== 'linux' || !!(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const forwarded = process.argv.slice(2);
let child;
if (el.path && hasDisplay && !process.env.CONFSYNC_HEADLESS) {
  child = spawn(el.path, [join(root, 'dist/main/main.js'), ...forwarded], { stdio: 'inherit', cwd: root });
} else {
  const why = el.path ? (hasDisplay ? 'CONFSYNC_HEADLESS is set' : 'there is no display') : el.why;
  child = spawn(process.execPath, [join(root, 'dist/cli/confsync.mjs'), 'daemon', '--ui', '--reason', `Electron is not used: ${why}; serving the UI headless instead.`, ...forwarded], {
    stdio: 'inherit',
    cwd: root,
  });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
