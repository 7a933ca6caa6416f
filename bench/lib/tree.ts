/**
 * Generated, deterministic "config-like" trees: small text files (.conf, .json, .toml, .yaml, .ini,
 * .lua) of 150 B–2 KB, ~100 per directory, in directories nested three levels deep under app-like
 * names (100k files → 1,000 directories, the shape of a big ~/.config). Contents are plain settings
 * with low-entropy values, so the secrets guard has nothing to stop.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** mulberry32. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const APPS = ['nvim', 'zsh', 'kitty', 'alacritty', 'git', 'tmux', 'vscode', 'karabiner', 'hammerspoon', 'ghostty', 'wezterm', 'helix', 'fish', 'starship', 'lazygit', 'btop'];
const SUBS = ['conf.d', 'plugins', 'themes', 'keymaps', 'snippets', 'profiles', 'ftplugin', 'lua', 'colors', 'after'];
const LEAVES = ['core', 'extra', 'local', 'work', 'home', 'ui', 'lang', 'tools', 'misc', 'shared'];
const EXTS = ['conf', 'json', 'toml', 'yaml', 'ini', 'lua'];
const KEYS = ['font_size', 'theme', 'tab_width', 'enabled', 'cursor_style', 'line_height', 'scrollback', 'shell', 'editor', 'pager', 'color_scheme', 'opacity', 'padding', 'wrap', 'number', 'relative_number', 'auto_reload', 'history_size', 'bell', 'layout'];
const VALUES = ['true', 'false', '14', '4', '"block"', '"dracula"', '"solarized-dark"', '0.95', '10000', '"/usr/bin/zsh"', '"nvim"', '"less -R"', '2', '"auto"', '1.2', '"visual"', '"tall"'];

/** Relative directory of directory number `d` (3 levels). */
function dirName(d: number): string {
  const a = d % APPS.length;
  const b = Math.floor(d / APPS.length) % SUBS.length;
  const c = Math.floor(d / (APPS.length * SUBS.length));
  return join(APPS[a]!, SUBS[b]!, `${LEAVES[c % LEAVES.length]}-${Math.floor(c / LEAVES.length)}`);
}

export function configText(rand: () => number, ext: string, label: string): string {
  const lines = 5 + Math.floor(rand() * 60);
  const out: string[] = [];
  const kv = (k: string, v: string) => {
    switch (ext) {
      case 'json':
        return `  "${k}": ${v},`;
      case 'yaml':
        return `${k}: ${v}`;
      case 'lua':
        return `vim.opt.${k} = ${v}`;
      default:
        return `${k} = ${v}`;
    }
  };
  out.push(ext === 'json' ? '{' : ext === 'lua' ? `-- ${label}` : `# ${label}`);
  if (ext === 'toml' || ext === 'ini') out.push(`[section_${Math.floor(rand() * 8)}]`);
  for (let i = 0; i < lines; i++) out.push(kv(KEYS[Math.floor(rand() * KEYS.length)]!, VALUES[Math.floor(rand() * VALUES.length)]!));
  if (ext === 'json') out.push(`  "label": "${label}"`, '}');
  return `${out.join('\n')}\n`;
}

export interface TreeInfo {
  root: string;
  files: number;
  dirs: number;
  bytes: number;
  /** Relative paths of the first files (edit targets). */
  sample: string[];
  genMs: number;
}

/** Writes `n` files under `root` (created). ~100 files per directory. */
export function generateTree(root: string, n: number, seed = 1, filesPerDir = 100): TreeInfo {
  const t0 = Date.now();
  const rand = rng(seed);
  const dirs = Math.max(1, Math.ceil(n / filesPerDir));
  let written = 0;
  let bytes = 0;
  const sample: string[] = [];
  for (let d = 0; d < dirs && written < n; d++) {
    const rel = dirName(d);
    const abs = join(root, rel);
    mkdirSync(abs, { recursive: true });
    for (let i = 0; i < filesPerDir && written < n; i++) {
      const ext = EXTS[(d + i) % EXTS.length]!;
      const name = `${ext === 'lua' ? 'mod' : 'settings'}-${i}.${ext}`;
      const text = configText(rand, ext, `${rel}/${name}`);
      writeFileSync(join(abs, name), text);
      bytes += text.length;
      if (sample.length < 500) sample.push(join(rel, name));
      written++;
    }
  }
  return { root, files: written, dirs, bytes, sample, genMs: Date.now() - t0 };
}

/**
 * Edit targets for the sections that append a `# … edit N` line: every generated file but the JSON
 * ones (a comment makes JSON invalid, and the engine holds invalid JSON back instead of committing it).
 */
export function commentable(paths: string[]): string[] {
  return paths.filter((p) => !p.endsWith('.json'));
}

/**
 * Writes `n` new files under `root/<prefix>` the way an unzip or a checkout does (mkdir -p of nested
 * directories, then files), paced over about `overMs`. Returns the relative paths written.
 */
export async function writeBurst(root: string, prefix: string, n: number, overMs: number, seed = 7): Promise<{ paths: string[]; startedAt: number; endedAt: number }> {
  const rand = rng(seed);
  const perDir = 100;
  const paths: string[] = [];
  const chunks = 10;
  const perChunk = Math.ceil(n / chunks);
  const startedAt = Date.now();
  let i = 0;
  for (let c = 0; c < chunks && i < n; c++) {
    const due = startedAt + (c * overMs) / chunks;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    for (let k = 0; k < perChunk && i < n; k++, i++) {
      const d = Math.floor(i / perDir);
      const rel = join(prefix, `pkg-${Math.floor(d / 10)}`, `mod-${d % 10}`, 'etc');
      if (i % perDir === 0) mkdirSync(join(root, rel), { recursive: true });
      const ext = EXTS[i % EXTS.length]!;
      const file = join(rel, `file-${i % perDir}.${ext}`);
      writeFileSync(join(root, file), configText(rand, ext, file));
      paths.push(file);
    }
  }
  return { paths, startedAt, endedAt: Date.now() };
}
