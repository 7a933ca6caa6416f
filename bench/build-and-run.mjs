#!/usr/bin/env node
/**
 * `npm run bench` → `node bench/build-and-run.mjs [args]`.
 *
 * Bundles bench/run.ts (orchestrator and measurement child behind one entry, code-split) with esbuild
 * into dist/bench/run.mjs — packages stay external, platform node, ESM, like the CLI build — then runs it
 * with the given arguments and passes its exit code on. When electron/engine/peers/ does not exist,
 * bench/lib/peers-shim.ts is replaced by a stub so the suite still builds (A→B "hints on" is TODO).
 */
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bench');
const outfile = join(outdir, 'run.mjs');
const hasPeers = existsSync(join(root, 'electron', 'engine', 'peers', 'index.ts'));

const peersStub = {
  name: 'peers-stub',
  setup(b) {
    if (hasPeers) return;
    b.onResolve({ filter: /peers-shim(\.js)?$/ }, () => ({ path: 'peers-shim', namespace: 'bench-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'bench-stub' }, () => ({ contents: 'export const startPeers = null;', loader: 'js' }));
  },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['bench/run.ts'],
  outdir,
  outExtension: { '.js': '.mjs' },
  // Code-split: each role, section and subject loads only its own modules (a child measuring raw
  // @parcel/watcher does not carry the engine in its RSS).
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [peersStub],
  // Lets bundled CommonJS helpers call require() from ESM output.
  banner: { js: "import { createRequire as __csCreateRequire } from 'node:module'; const require = __csCreateRequire(import.meta.url);" },
});

const child = spawn(process.execPath, ['--enable-source-maps', outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => child.kill(sig));
}
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 1 : 0));
});
