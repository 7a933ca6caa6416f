#!/usr/bin/env node
/**
 * Builds the three targets:
 *   dist/main/main.js        Electron main process (ESM; dependencies stay external in node_modules)
 *   dist/preload/preload.cjs preload (CJS, self-contained: sandboxed preloads cannot load modules)
 *   dist/cli/confsync.mjs    the `confsync` CLI and headless daemon (ESM, plain Node; its chunks beside it)
 *   dist/renderer/           the React renderer (Vite, vite.config.ts)
 * `node scripts/build.mjs cli` (or main, preload, renderer) builds only the named targets.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

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
      // dist/cli/confsync.mjs stays the entry (bin/confsync.mjs, tests and docs run it). Splitting puts
      // what a command imports with import() (the engine, conf, zod…) in chunks beside it, loaded
      // only by the commands that need them: every command paid for all of it before (0.29 s for
      // `--version`). Chunks sit in dist/cli itself, so import.meta.url means the same folder
      // (daemon.ts, service.ts). Their names carry a content hash: a rebuild adds new ones and never
      // rewrites a chunk a running daemon may still load; pruneChunks() removes the day-old leftovers.
      entryPoints: { confsync: 'electron/cli/confsync.ts' },
      outdir: 'dist/cli',
      outExtension: { '.js': '.mjs' },
      chunkNames: '[name]-[hash]',
      splitting: true,
      metafile: true,
      format: 'esm',
      // Packages stay in node_modules, except the three the quick commands load (commander: all;
      // zod: `config get`; ws: any command a running host answers): bundled, each is part of one
      // chunk instead of 7, 226 and 9 module files to resolve and load, measurably faster to start.
      plugins: [packagesExternalExcept(['commander', 'zod', 'ws'])],
      // Lets bundled CommonJS helpers call require() from ESM output.
      banner: { js: "import { createRequire as __csCreateRequire } from 'node:module'; const require = __csCreateRequire(import.meta.url);" },
    }).then((r) => pruneChunks(join(root, 'dist/cli'), r.metafile)),
  );
}
await Promise.all(jobs);

/** esbuild's `packages: 'external'` (every bare import path stays an import), but the named packages are bundled. */
function packagesExternalExcept(bundled) {
  return {
    name: 'packages-external-except',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const parts = args.path.split('/');
        const name = args.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
        return bundled.includes(name) ? undefined : { path: args.path, external: true };
      });
    },
  };
}

/** Chunks of earlier CLI builds that this build did not write, once they are a day old. */
function pruneChunks(dir, metafile) {
  const written = new Set(Object.keys(metafile.outputs).map((o) => basename(o)));
  const dayAgo = Date.now() - 24 * 3600_000;
  for (const name of readdirSync(dir)) {
    if (name.startsWith('confsync.') || written.has(name) || !/-[A-Z0-9]{8}\.mjs(\.map)?$/.test(name)) continue;
    const file = join(dir, name);
    if (statSync(file).mtimeMs < dayAgo) rmSync(file, { force: true });
  }
}

if (want('renderer')) {
  const r = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
