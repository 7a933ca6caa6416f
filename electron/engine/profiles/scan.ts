/**
 * Listing the live files of a resolved profile.
 *
 * - lstat only: symlinks are NEVER followed. A symlink is reported as a file with `symlink: true`
 *   (the engine stores the link itself); a glob entry whose base is a symlink is skipped with a reason.
 * - Survives loops (none can form without following links; directories are also tracked by dev:ino),
 *   unreadable files/dirs (EACCES/EPERM → `errors`, walk continues), files vanishing mid-walk
 *   (ENOENT/ENOTDIR → silently skipped), any file name (unicode, newlines).
 * - Files larger than maxFileBytes are skipped with reason `larger than 5 MB (7.2 MB); …` (never truncated).
 * - More than maxFiles matches → stops early with `tooMany: true` (the first maxFiles are returned).
 * - `.git` directories are never entered (git cannot store them); sockets/FIFOs/devices are skipped.
 */
import { promises as fsp, lstatSync, readdirSync, type Stats } from 'node:fs';
import path from 'node:path';
import { folderMapper, hasOverlappingEntries, isExcluded, mapLivePath, resolveProfile, ProfileError, type LiveMapping, type ResolvedEntry, type ResolvedProfile, type ProfileInput, type Platform } from './paths.js';

export interface ScannedFile {
  abs: string;
  /** Repo-relative posix path `<profile>/<key>/<rel>`. */
  repo: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  /** Permission bits (`st.mode & 0o7777`). */
  mode: number;
  symlink: boolean;
}

export interface ScanResult {
  files: ScannedFile[];
  skipped: { path: string; reason: string }[];
  errors: { path: string; message: string }[];
  tooMany: boolean;
}

/** The fs calls the scanner makes (injectable for tests). */
export interface ScanFs {
  lstat(p: string): Promise<Stats>;
  readdir(p: string): Promise<string[]>;
  /**
   * Synchronous forms, used when present: a folder's entries are looked at in one go (a few
   * microseconds each) instead of as promises queued on libuv's four threads, which cost three to
   * four times as much per file. The walk gives the event loop a turn every few milliseconds.
   */
  lstatSync?(p: string): Stats;
  readdirSync?(p: string): string[];
}

export interface ScanOptions {
  maxFiles: number;
  maxFileBytes: number;
  /** Extra ignore rules (e.g. a user ignore file); an ignored directory is not entered. */
  isIgnored?: (abs: string, isDir: boolean) => boolean;
  /** Called with the number of files found so far (throttled, and once at the end). */
  onProgress?: (n: number) => void;
  /** For tests. */
  fs?: ScanFs;
}

const defaultFs: ScanFs = {
  lstat: (p) => fsp.lstat(p),
  readdir: (p) => fsp.readdir(p),
  lstatSync: (p) => lstatSync(p),
  readdirSync: (p) => readdirSync(p),
};

/** `larger than 10 MB`, `larger than 0.5 MB`. */
export function tooLargeReason(maxFileBytes: number, size?: number): string {
  const limit = formatBytes(maxFileBytes);
  return `larger than ${limit}${size !== undefined ? ` (${formatBytes(size)})` : ''}; not synced, never truncated (limit: sync.maxFileBytes)`;
}

/** `512 bytes`, `4 KB`, `1.5 MB`, `12 MB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const text = v >= 10 ? String(Math.round(v)) : String(Math.round(v * 10) / 10);
  return `${text} ${units[u]}`;
}

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}
function isGone(e: unknown): boolean {
  const c = code(e);
  return c === 'ENOENT' || c === 'ENOTDIR';
}
function message(e: unknown): string {
  const c = code(e);
  const m = e instanceof Error ? e.message : String(e);
  if (c === 'EACCES' || c === 'EPERM') return `permission denied (${c})`;
  return m;
}

/**
 * Max directory depth a glob can reach below its base, or Infinity. `*.lua` → 0 (only files in the
 * base), `a/*.lua` → 1; `**` or braces (which may hide a `/`) → Infinity.
 */
function globDepth(glob: string): number {
  if (glob.includes('**') || glob.includes('{')) return Infinity;
  return glob.split('/').length - 1;
}

export async function listProfileFiles(profile: ResolvedProfile, opts: ScanOptions): Promise<ScanResult> {
  const fs = opts.fs ?? defaultFs;
  const P = profile.platform === 'win32' ? path.win32 : path.posix;
  const maxFiles = Math.max(0, Math.floor(opts.maxFiles));
  const result: ScanResult = { files: [], skipped: [], errors: [], tooMany: false };
  // A file can be met twice only when two entries overlap (one inside, or on, the other): otherwise
  // no set of every path found is kept (100,000 strings at 100k files).
  const seenFiles = hasOverlappingEntries(profile) ? new Set<string>() : null;
  let lastProgress = 0;
  const progress = (force = false) => {
    if (!opts.onProgress) return;
    const n = result.files.length;
    if (force || n - lastProgress >= 100) {
      lastProgress = n;
      opts.onProgress(n);
    }
  };

  // Files are mapped to repo paths a folder at a time (folderMapper: what mapLivePath would say).
  const mapper = folderMapper(profile);
  const posix = profile.platform !== 'win32';

  /** Returns false when the walk must stop (tooMany). `mapped`: mapLivePath of `abs`. */
  const addFile = (abs: string, st: Stats, mapped: LiveMapping): boolean => {
    if (seenFiles?.has(abs)) return true;
    if (!mapped) return true; // not in the profile: excluded, or not matching the glob
    if ('skip' in mapped) {
      seenFiles?.add(abs);
      result.skipped.push({ path: abs, reason: mapped.skip });
      return true;
    }
    if (opts.isIgnored?.(abs, false)) return true;
    const symlink = st.isSymbolicLink();
    if (!symlink && !st.isFile()) {
      seenFiles?.add(abs);
      result.skipped.push({ path: abs, reason: 'not a regular file' });
      return true;
    }
    if (!symlink && st.size > opts.maxFileBytes) {
      seenFiles?.add(abs);
      result.skipped.push({ path: abs, reason: tooLargeReason(opts.maxFileBytes, st.size) });
      return true;
    }
    if (result.files.length >= maxFiles) {
      result.tooMany = true;
      return false;
    }
    seenFiles?.add(abs);
    result.files.push({ abs, repo: mapped.repo, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, mode: st.mode & 0o7777, symlink });
    progress();
    return true;
  };

  const walkEntry = async (entry: ResolvedEntry): Promise<boolean> => {
    // Loop protection per entry: two entries over one folder (globs of different depths) each walk it.
    const seenDirs = new Set<string>();
    let st: Stats;
    try {
      st = await fs.lstat(entry.abs);
    } catch (e) {
      if (isGone(e)) return true;
      result.errors.push({ path: entry.abs, message: message(e) });
      return true;
    }
    if (!st.isDirectory()) {
      if (entry.glob) {
        if (st.isSymbolicLink()) result.skipped.push({ path: entry.abs, reason: 'symlinked directory (links are not followed)' });
        return true;
      }
      return addFile(entry.abs, st, mapLivePath(profile, entry.abs));
    }
    if (opts.isIgnored?.(entry.abs, true)) return true;
    const maxDepth = entry.glob ? globDepth(entry.glob) : Infinity;
    // Iterative depth-first walk (no recursion limit), sorted for a stable order.
    const stack: { dir: string; depth: number }[] = [{ dir: entry.abs, depth: 0 }];
    let lastTurn = performance.now();
    while (stack.length) {
      const { dir, depth } = stack.pop()!;
      let dst: Stats;
      try {
        dst = dir === entry.abs ? st : fs.lstatSync ? fs.lstatSync(dir) : await fs.lstat(dir);
      } catch (e) {
        if (!isGone(e)) result.errors.push({ path: dir, message: message(e) });
        continue;
      }
      const id = `${dst.dev}:${dst.ino}`;
      if (dst.ino && seenDirs.has(id)) continue;
      seenDirs.add(id);
      if (performance.now() - lastTurn > 8) {
        await new Promise<void>((r) => setImmediate(r));
        lastTurn = performance.now();
      }
      let names: string[];
      try {
        names = fs.readdirSync ? fs.readdirSync(dir) : await fs.readdir(dir);
      } catch (e) {
        if (!isGone(e)) result.errors.push({ path: dir, message: message(e) });
        continue;
      }
      names.sort();
      const subdirs: string[] = [];
      // One lstat per entry (git's own cost), many at a time: the walk is bound by the kernel, not by
      // waiting on each call in turn.
      // A walked folder is a normalized absolute path, so `dir/name` is path.join's answer.
      const paths = posix && dir !== '/' ? names.map((n) => `${dir}/${n}`) : names.map((n) => P.join(dir, n));
      const stats = await lstatAll(fs, paths);
      let inDir: ((name: string) => LiveMapping) | null = null;
      for (let i = 0; i < names.length; i++) {
        const name = names[i];
        const abs = paths[i];
        const got = stats[i];
        if ('error' in got) {
          if (!isGone(got.error)) result.errors.push({ path: abs, message: message(got.error) });
          continue;
        }
        const cst = got.st;
        if (cst.isDirectory()) {
          if (name.toLowerCase() === '.git') {
            result.skipped.push({ path: abs, reason: 'git metadata (.git directories are not synced)' });
            continue;
          }
          if (depth + 1 > maxDepth) continue;
          if (isExcluded(profile, entry, abs)) continue;
          if (opts.isIgnored?.(abs, true)) continue;
          subdirs.push(abs);
        } else {
          inDir ??= mapper(dir);
          if (!addFile(abs, cst, inDir(name))) return false;
        }
      }
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push({ dir: subdirs[i], depth: depth + 1 });
    }
    return true;
  };

  for (const entry of profile.entries) {
    if (!(await walkEntry(entry))) break;
  }
  progress(true);
  return result;
}

async function lstatAll(fs: ScanFs, paths: string[], limit = 64): Promise<({ st: Stats } | { error: unknown })[]> {
  const out: ({ st: Stats } | { error: unknown })[] = new Array(paths.length);
  if (fs.lstatSync) {
    for (let i = 0; i < paths.length; i++) {
      try {
        out[i] = { st: fs.lstatSync(paths[i]) };
      } catch (error) {
        out[i] = { error };
      }
    }
    return out;
  }
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const i = next++;
      try {
        out[i] = { st: await fs.lstat(paths[i]) };
      } catch (error) {
        out[i] = { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, paths.length) }, worker));
  return out;
}

/** True when any entry's base of the profile exists on this machine (a file, directory or symlink). */
export async function isDetected(def: ProfileInput, ctx: { home: string; platform: Platform }, fs: Pick<ScanFs, 'lstat'> | ScanFs = defaultFs): Promise<boolean> {
  let profile: ResolvedProfile;
  try {
    profile = resolveProfile(def, ctx);
  } catch (e) {
    if (e instanceof ProfileError) return false;
    throw e;
  }
  for (const entry of profile.entries) {
    try {
      const st = await fs.lstat(entry.abs);
      // A glob entry is there only when something inside matches it (ten IDEs share one JetBrains folder).
      if (entry.glob && st.isDirectory() && 'readdir' in fs) {
        const one = await listProfileFiles({ ...profile, entries: [entry] }, { maxFiles: 1, maxFileBytes: Number.MAX_SAFE_INTEGER, fs: fs as ScanFs });
        if (one.files.length || one.tooMany) return true;
        continue;
      }
      if (entry.glob && st.isDirectory()) continue;
      return true;
    } catch {
      // not there (or unreadable): keep looking
    }
  }
  return false;
}
