/**
 * Merging two versions of one file against their common base: a structured merge by key for JSON and
 * plists (Keyboard Maestro libraries by macro UID), else git's own text merge (`git merge-file`).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { detectFormat, parseStructured, writeStructured } from './formats.js';
import { merge3 } from './structured.js';

const execFileP = promisify(execFile);

export type ContentMerge =
  | { clean: true; content: Buffer; how: 'structured' | 'text' | 'identical' }
  | { clean: false; how: 'structured' | 'text' | 'binary'; details: string[] };

/** A plug-in for formats that know their own identity rules (the Keyboard Maestro library). */
export interface StructuredMerger {
  matches(path: string): boolean;
  merge(base: unknown | undefined, mine: unknown, theirs: unknown): { merged: unknown; conflicts: { summary: string }[] };
}

const mergers: StructuredMerger[] = [];
export function registerMerger(m: StructuredMerger): void {
  mergers.push(m);
}

export function isBinary(buf: Buffer): boolean {
  return buf.subarray(0, 8000).includes(0);
}

export async function mergeContents(path: string, base: Buffer | null, mine: Buffer, theirs: Buffer): Promise<ContentMerge> {
  if (mine.equals(theirs)) return { clean: true, content: mine, how: 'identical' };
  if (base && base.equals(mine)) return { clean: true, content: theirs, how: 'identical' };
  if (base && base.equals(theirs)) return { clean: true, content: mine, how: 'identical' };

  const fm = detectFormat(path, mine);
  const ft = detectFormat(path, theirs);
  if (fm && fm === ft) {
    try {
      const m = parseStructured(fm, mine);
      const t = parseStructured(ft, theirs);
      const b = base && detectFormat(path, base) === fm ? parseStructured(fm, base) : undefined;
      const special = mergers.find((x) => x.matches(path));
      if (special) {
        const r = special.merge(b, m, t);
        if (r.conflicts.length) return { clean: false, how: 'structured', details: r.conflicts.map((c) => c.summary) };
        return { clean: true, content: writeStructured(fm, r.merged, mine), how: 'structured' };
      }
      const r = merge3(b, m, t);
      if (r.conflicts.length === 0) return { clean: true, content: writeStructured(fm, r.merged, mine), how: 'structured' };
      return { clean: false, how: 'structured', details: r.conflicts.map((c) => `key ${c.path.join('.') || '(root)'} changed on both sides`) };
    } catch {
      // Unparseable on one side: fall through to the text merge, which keeps both if it must.
    }
  }
  if (isBinary(mine) || isBinary(theirs) || (base && isBinary(base))) {
    return { clean: false, how: 'binary', details: ['binary file changed on both sides'] };
  }
  return textMerge(base ?? Buffer.alloc(0), mine, theirs);
}

async function textMerge(base: Buffer, mine: Buffer, theirs: Buffer): Promise<ContentMerge> {
  const dir = mkdtempSync(join(tmpdir(), 'confsync-merge-'));
  try {
    const [b, m, t] = ['base', 'mine', 'theirs'].map((n) => join(dir, n));
    writeFileSync(b, base);
    writeFileSync(m, mine);
    writeFileSync(t, theirs);
    try {
      await execFileP('git', ['merge-file', '-q', m, b, t]);
      return { clean: true, content: readFileSync(m), how: 'text' };
    } catch (e) {
      const code = (e as { code?: number }).code;
      if (typeof code === 'number' && code > 0) return { clean: false, how: 'text', details: [`${code} conflicting hunk(s)`] };
      throw e;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
