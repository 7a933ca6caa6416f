#!/usr/bin/env node
/**
 * Builds the three targets:
 *   dist/main/main.js        Electron main process (ESM; dependencies stay external in node_modules)
 *   dist/preload/preload.cjs preload (CJS, self-contained: sandboxed preloads cannot load modules)
 *   dist/cli/confsync.mjs    the `confsync` CLI and headless daemon (ESM, plain Node)
 *   dist/renderer/           the React renderer (Vite, vite.config.ts)
 * `node scripts/build.mjs cli` (or main, preload, renderer) builds only the named targets.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wanted = new Set(process.argv.slice(2));
const want = (t) => wanted.size === 0 || wanted.has(t);

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
};

const jobs = [];
if (want('main')) {
  jobs.push(build({ ...common, entryPoints: ['electron/main.ts'], outfile: 'dist/main/main.js', format: 'esm', packages: 'external' }));
}
if (want('preload')) {
  jobs.push(build({ ...common, entryPoints: ['electron/preload.ts'], outfile: 'dist/preload/preload.cjs', format: 'cjs', external: ['electron'], platform: 'browser', target: 'chrome120' }));
}
if (want('cli')) {
  jobs.push(
    build({
      ...common,
      entryPoints: ['electron/cli/confsync.ts'],
      outfile: 'dist/cli/confsync.mjs',
      format: 'esm',
      packages: 'external',
      // Lets bundled CommonJS helpers call require() from ESM output.
      banner: { js: "import { createRequire as __csCreateRequire } from 'node:module'; const require = __csCreateRequire(import.meta.url);" },
    }),
  );
}
await Promise.all(jobs);

if (want('renderer')) {
  const r = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
