#!/usr/bin/env -S GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072 node --max-semi-space-size=4 --memory-reducer-single-gc
// The `confsync` command. The CLI is built to dist/ by `npm install` (prepare) or `npm run build`.
// The first line's settings are electron/cli/runtime.ts's (a test holds them together): they keep
// the daemon's memory at rest down.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'confsync.mjs');
if (!existsSync(entry)) {
  console.error('confsync: the CLI is not built yet. Run `npm run build` in the ConfSync folder.');
  process.exit(1);
}
await import(pathToFileURL(entry).href);
