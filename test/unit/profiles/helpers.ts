import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh fake home directory under the OS temp dir (never the real home). */
export function tmpHome(prefix = 'confsync-profiles-'): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

/** Writes a file (creating parent dirs) with `content`. */
export function put(file: string, content: string | Buffer = 'x'): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

export const isRoot = process.getuid?.() === 0;
