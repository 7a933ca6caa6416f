#!/usr/bin/env node
// The `confsync` command. The CLI is built to dist/ by `npm install` (prepare) or `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'confsync.mjs');
if (!existsSync(entry)) {
  console.error('confsync: the CLI is not built yet. Run `npm run build` in the ConfSync folder.');
  process.exit(1);
}
await import(pathToFileURL(entry).href);
