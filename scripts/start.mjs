#!/usr/bin/env node
/**
 * `npm start`: builds, then runs the Electron app where its binary is present; otherwise starts the
 * headless daemon with the UI on 127.0.0.1 and prints its URL (with the access token).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);

function electronBinary() {
  try {
    const p = createRequire(import.meta.url)('electron');
    return typeof p === 'string' && existsSync(p) ? { path: p } : { why: 'the electron package has no binary' };
  } catch (e) {
    return { why: `the Electron binary is not installed (${String(e.message).split('\n')[0]})` };
  }
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
