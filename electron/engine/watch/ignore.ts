/**
 * Ignore rules: built-in editor/OS noise, absolute exclude globs (picomatch) and gitignore files
 * (the `ignore` package, real gitignore semantics, paths relative to each file's directory).
 *
 * Semantics of `isIgnored(absPath, isDir)`:
 * - A path is ignored if any ancestor directory is ignored (so an ignored directory is never
 *   descended into, and events below it are dropped). Ancestor results are cached.
 * - `isDir === undefined` (kind unknown, e.g. a deletion): ignored only if ignored both as a file
 *   and as a directory — the answer that is right whatever the path was.
 * - gitignore layers: the deepest `.gitignore`/ignoreFiles base with an opinion on the path wins
 *   (git's precedence); `!negation` works within a layer. Approximation: a layer's verdict on a
 *   path also considers that layer's rules for the path's parents, so a deeper file re-including a
 *   directory excluded by a shallower file is not honoured for the files inside it.
 * - Built-in noise applies by name at any depth (also to ancestor directories).
 */
import fs from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';

export interface IgnoreFileSpec {
  /** Absolute directory the patterns are relative to. */
  base: string;
  /** gitignore syntax. */
  patterns: string[];
}

export interface IgnoreFilterOptions {
  /** Absolute globs (picomatch, dot:true). A trailing '/' makes a glob match directories only. */
  excludes: string[];
  ignoreFiles?: IgnoreFileSpec[];
  /** Absolute tree roots: every .gitignore found in them (root and nested) is loaded. */
  loadGitignoreIn?: string[];
  /** Built-in noise rules (default true). */
  builtin?: boolean;
}

export interface IgnoreFilter {
  isIgnored(absPath: string, isDir?: boolean): boolean;
  /** Re-reads .gitignore files (call when one changed) and clears caches. */
  reload(): void;
  /** The .gitignore files currently loaded (absolute). */
  loadedGitignoreFiles(): string[];
}

/** Names of files that editors, tools and OSes create transiently or as clutter (gitignore syntax). */
export const BUILTIN_NOISE_PATTERNS: readonly string[] = [
  // vim: swap files, backups, and the "4913" writability probe
  '*.swp',
  '*.swo',
  '*.swx',
  '.*.sw[a-p]',
  '*~',
  '4913',
  // emacs: lock links and autosave files
  '.#*',
  '\\#*#',
  // generic temp files and atomic-save temp names
  '*.tmp',
  '*.tmp.*',
  '*.temp',
  '*___jb_tmp___', // JetBrains "safe write"
  '*___jb_old___',
  '.___jb_tmp___',
  '.goutputstream-*', // GLib/GNOME (gedit) atomic save
  '*.kate-swp', // Kate
  '*.vsctmp', // VS Code
  '*.crswap', // Chromium File System Access API
  '.~lock.*#', // LibreOffice lock
  '~$*', // Microsoft Office owner file
  '.nfs*', // NFS silly-rename
  '.syncthing.*', // Syncthing temp files
  '~syncthing~*',
  // OS clutter
  '.DS_Store',
  '._*',
  '.Spotlight-V100',
  '.Trashes',
  '.fseventsd',
  'Thumbs.db',
  'ehthumbs.db',
  // directories that are never configuration
  'node_modules/',
  '.git',
];

/**
 * write-file-atomic (v5–7) writes `<name>.<uint32 in decimal>` then renames it over `<name>`.
 * 9–10 digits cover 98% of those names while sparing date suffixes like `.20240101`.
 */
const WRITE_FILE_ATOMIC_TMP = /\.\d{9,10}$/;

interface Layer {
  base: string;
  patterns: string[];
  ig: Ignore;
  /** `ignore` caches every tested path forever; the instance is rebuilt after this many tests. */
  uses: number;
}

interface Exclude {
  test: (p: string) => boolean;
  dirOnly: boolean;
}

const LAYER_CACHE_LIMIT = 50_000;
const DIR_CACHE_LIMIT = 20_000;

const toPosix = path.sep === '/' ? (p: string) => p : (p: string) => p.split(path.sep).join('/');

function stripTrailingSep(p: string): string {
  let out = p;
  while (out.length > 1 && (out.endsWith('/') || out.endsWith(path.sep))) out = out.slice(0, -1);
  return out;
}

/**
 * The built-in patterns are all single-name patterns, so they compile to two regexes on the entry's
 * name (one for files, one for directories) instead of going through `ignore` per path: 0.6 µs
 * instead of 3.4 µs per unique path.
 */
function compileBuiltin(): { file: RegExp; dir: RegExp } {
  const fileParts: string[] = [];
  const dirParts: string[] = [];
  for (const raw of BUILTIN_NOISE_PATTERNS) {
    const dirOnly = raw.endsWith('/');
    let pat = dirOnly ? raw.slice(0, -1) : raw;
    if (pat.startsWith('\\#')) pat = pat.slice(1);
    const src = picomatch.makeRe(pat, { dot: true }).source;
    dirParts.push(`(?:${src})`);
    if (!dirOnly) fileParts.push(`(?:${src})`);
  }
  fileParts.push(`(?:${WRITE_FILE_ATOMIC_TMP.source})`);
  return { file: new RegExp(fileParts.join('|')), dir: new RegExp(dirParts.join('|')) };
}

let builtinRegexes: { file: RegExp; dir: RegExp } | null = null;

export function createIgnoreFilter(opts: IgnoreFilterOptions): IgnoreFilter {
  const builtin = opts.builtin !== false;
  builtinRegexes ??= compileBuiltin();
  const builtinRe = builtinRegexes;

  const excludes: Exclude[] = opts.excludes.map((glob) => {
    const dirOnly = glob.length > 1 && glob.endsWith('/');
    const g = toPosix(dirOnly ? glob.slice(0, -1) : glob);
    return { test: picomatch(g, { dot: true }), dirOnly };
  });

  let layers = new Map<string, Layer>();
  let gitignoreFiles: string[] = [];
  const dirCache = new Map<string, boolean>();

  function makeLayer(base: string, patterns: string[]): Layer {
    return { base, patterns, ig: ignore().add(patterns), uses: 0 };
  }

  function addLayer(into: Map<string, Layer>, base: string, patterns: string[]): void {
    const key = stripTrailingSep(path.resolve(base));
    const existing = into.get(key);
    if (existing) {
      existing.patterns.push(...patterns);
      existing.ig.add(patterns);
    } else {
      into.set(key, makeLayer(key, [...patterns]));
    }
  }

  function builtinIgnores(name: string, isDir: boolean): boolean {
    if (!builtin) return false;
    return (isDir ? builtinRe.dir : builtinRe.file).test(name);
  }

  function layerVerdict(layer: Layer, rel: string, isDir: boolean): boolean | undefined {
    if (++layer.uses > LAYER_CACHE_LIMIT) {
      layer.ig = ignore().add(layer.patterns);
      layer.uses = 0;
    }
    const r = layer.ig.test(isDir ? `${rel}/` : rel);
    if (r.ignored) return true;
    if (r.unignored) return false;
    return undefined;
  }

  /** Does a rule match `p` itself (ancestors not considered)? */
  function selfIgnored(p: string, isDir: boolean): boolean {
    const name = path.basename(p);
    if (name === '') return false;
    if (builtinIgnores(name, isDir)) return true;
    if (excludes.length > 0) {
      const pp = toPosix(p);
      for (const ex of excludes) {
        if (ex.dirOnly && !isDir) continue;
        if (ex.test(pp)) return true;
      }
    }
    if (layers.size > 0) {
      // deepest base first
      let base = path.dirname(p);
      for (;;) {
        const layer = layers.get(base);
        if (layer) {
          const rel = toPosix(p.slice(base.length + (base.endsWith(path.sep) ? 0 : 1)));
          const v = layerVerdict(layer, rel, isDir);
          if (v !== undefined) return v;
        }
        const up = path.dirname(base);
        if (up === base) break;
        base = up;
      }
    }
    return false;
  }

  function dirIgnored(dir: string): boolean {
    const cached = dirCache.get(dir);
    if (cached !== undefined) return cached;
    const parent = path.dirname(dir);
    const result = parent !== dir && (dirIgnored(parent) || selfIgnored(dir, true));
    if (dirCache.size >= DIR_CACHE_LIMIT) dirCache.clear();
    dirCache.set(dir, result);
    return result;
  }

  function isIgnored(absPath: string, isDir?: boolean): boolean {
    const p = stripTrailingSep(absPath);
    const parent = path.dirname(p);
    if (parent !== p && dirIgnored(parent)) return true;
    if (parent === p) return false; // filesystem root
    if (isDir === undefined) return selfIgnored(p, false) && selfIgnored(p, true);
    return selfIgnored(p, isDir);
  }

  function loadGitignores(next: Map<string, Layer>, files: string[]): void {
    for (const rootIn of opts.loadGitignoreIn ?? []) {
      const root = stripTrailingSep(path.resolve(rootIn));
      const stack = [root];
      const seen = new Set<string>();
      while (stack.length > 0) {
        const dir = stack.pop()!;
        let entries: fs.Dirent[];
        try {
          const st = fs.lstatSync(dir);
          const id = `${st.dev}:${st.ino}`;
          if (seen.has(id)) continue;
          seen.add(id);
          entries = fs.readdirSync(dir, { withFileTypes: true });
        } catch {
          continue;
        }
        const gi = entries.find((e) => e.name === '.gitignore' && (e.isFile() || e.isSymbolicLink()));
        if (gi) {
          const file = path.join(dir, '.gitignore');
          try {
            const text = fs.readFileSync(file, 'utf8');
            addLayer(next, dir, text.split(/\r?\n/));
            files.push(file);
            dirCache.clear(); // later directories must see this layer
          } catch {
            /* unreadable: skip */
          }
        }
        for (const e of entries) {
          if (!e.isDirectory()) continue; // never follows symlinks
          const child = path.join(dir, e.name);
          if (isIgnored(child, true)) continue; // an ignored directory is not descended into
          stack.push(child);
        }
      }
    }
  }

  function reload(): void {
    const next = new Map<string, Layer>();
    for (const f of opts.ignoreFiles ?? []) addLayer(next, f.base, f.patterns);
    layers = next; // explicit layers apply while discovering .gitignore files
    dirCache.clear();
    const files: string[] = [];
    loadGitignores(next, files);
    gitignoreFiles = files;
    dirCache.clear();
  }

  reload();

  return {
    isIgnored,
    reload,
    loadedGitignoreFiles: () => [...gitignoreFiles],
  };
}
