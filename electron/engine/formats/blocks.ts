/**
 * Per-machine blocks in files with no structure (shell rc files, tmux.conf, gitconfig, vimrc, …).
 *
 * A fence of line comments marks lines that belong to some machines only:
 *
 *     # confsync:only os=macos
 *     export PATH="/opt/homebrew/bin:$PATH"
 *     # confsync:end
 *
 * The repo keeps every block as written. On a machine the block is not for, toLive comments its lines
 * out with ConfSync's mark at the start of the line (`# confsync-off: export PATH=…`); toRepo takes the
 * mark off again. So the repo holds every machine's lines whatever machine commits, and an edit on any
 * machine never loses another machine's block: toRepo(toLive(repo, m), m) is repo, byte for byte.
 *
 * Fences
 * - `<prefix> confsync:only <condition> …` opens a block, `<prefix> confsync:end` closes it (free text may
 *   follow `confsync:end`, e.g. `# confsync:end homebrew`). Fence lines may be indented; the space after
 *   the prefix is optional (`#confsync:only`). Fence lines themselves are never changed.
 * - Conditions, separated by spaces or tabs; ALL must hold for the block to apply (write one block per
 *   alternative, or list values). Keys are `os`, `host`, `class`:
 *     `os=macos` (also `linux`, `windows`; Node's `darwin` and `win32` are accepted for macos and
 *     windows, as in sync/variants.ts; other spellings are refused with a hint, e.g. osx),
 *     `host=NAME` (this machine's host name, settings.hostName), `class=NAME` (one of the labels in
 *     settings.machine.classes, e.g. "work"). `key=a,b` holds when any value matches; `key!=a,b` when
 *     none does. Names are letters, digits, dot, underscore and dash, compared case-insensitively.
 * - Malformed fences make validate() fail with a reason naming the line: a block inside a block (they
 *   do not nest), a block with no end, an end with no block, `confsync:only` with no condition, an
 *   unknown condition or OS, any other `confsync:` directive. The engine then holds the file back.
 *
 * The mark
 * - toLive puts `<prefix> confsync-off: ` (prefix, one space, `confsync-off:`, one space) at column 0
 *   of every line of a block that does not apply here. Lines that are empty or only whitespace are left
 *   as they are (nothing to disable; and an editor trimming trailing spaces cannot damage the mark).
 *   A line already carrying the mark is left alone, so toLive is idempotent.
 * - toRepo takes exactly one mark off every line inside a block that starts with it. The mark is
 *   reserved: a line inside a block starting with it is ConfSync's, whichever machine's block it is
 *   (so a block that came to apply here, because its fence or this machine's classes or host name
 *   changed, still gives the repo its lines back). Everything else a person wrote, their own comments
 *   included (`# was: export PATH=…`), passes both ways byte for byte.
 * - The mark outside a block, indented, or twice on a line is refused by validate(): toLive never
 *   writes it so, and committing it would leave the line disabled on every machine.
 *
 * Comment prefix per file kind (by the file's name, case-insensitively; commentPrefixFor):
 * - `"`  vim: .vimrc _vimrc .gvimrc _gvimrc .exrc .nvimrc .ideavimrc .vrapperrc .xvimrc, *.vim
 * - `;`  *.ini, Emacs: .emacs, *.el
 * - `--` *.lua (Hammerspoon, Neovim, WezTerm), *.sql, .psqlrc
 * - `//` *.js *.mjs *.cjs *.ts, *.kdl (Zellij, Niri)
 * - `#`  shells and the rest: *.sh *.bash *.zsh *.fish *.ksh *.csh, *.toml *.yaml *.yml *.conf *.nix *.rb
 *        *.py *.ps1 *.properties *.env *.gitconfig; .profile .bash_profile .bash_login .bash_logout
 *        .bash_aliases .zshenv .zprofile .zlogin .zlogout .aliases .functions .exports .env
 *        .gitconfig .gitignore .gitignore_global .gitattributes .editorconfig .tool-versions Brewfile
 *        .Brewfile Gemfile, files named `config` (ssh, git, ghostty, i3, sway) or `ignore`, and these
 *        rc files: .bashrc .zshrc .kshrc .mkshrc .cshrc .tcshrc .inputrc .npmrc .yarnrc .gemrc .irbrc
 *        .pryrc .curlrc .wgetrc .screenrc .nanorc .muttrc .mailrc .xinitrc .xprofile .ripgreprc .hgrc
 *        .pythonrc .condarc .tigrc .ackrc .gdbinit .lldbinit .zpreztorc .dockerignore .fdignore .rgignore.
 *   Not every `…rc` is a shell file (.babelrc and .eslintrc are JSON), so the rc names are listed.
 * - Anything else (JSON, plists, unknown names) has no prefix: the codec never claims it, so a fence in
 *   it is left alone as ordinary text; so is a file whose fences use another kind's prefix (a `#` fence
 *   in a .vimrc).
 *
 * Text: the codec reads bytes as UTF-8 when they are valid UTF-8 and as Latin-1 otherwise, so every
 * byte comes back as it was; binary files are never claimed. Lines end at `\n`; a `\r` before it stays
 * with its line, so CRLF (and mixed) files keep their line ends, and a missing final newline stays
 * missing. A leading BOM is ignored when reading a fence on the first line.
 *
 * Wiring (not done here; for the engine's owner):
 * 1. formats/index.ts: `blocksCodec(() => machine)` goes in the Formats list before plainCodec (it
 *    claims no .json/.plist name, so its place among the others does not matter), e.g. a third
 *    constructor argument `machine: () => Machine` and
 *    `[...extra, profilesCodec, plistCodec, jsonCodec, blocksCodec(machine), plainCodec]`.
 *    `supportsKeyRules` stays json/plist only.
 * 2. engine.ts: `() => ({ ...machineFacts(this.settings.get(), this.platform), host: this.host })`
 *    (machine.ts; the same host name the engine already uses). machineFacts throws on a platform other
 *    than darwin, linux, win32: catch it there and leave the codec out, with a log line.
 *    Only toLive reads the facts (on every call, so edited classes count from the next file on);
 *    toRepo and validate do not depend on the machine. If CodecContext gains `machine`, fill it from
 *    the same getter. sync/variants.ts's MachineFacts has the same shape and can be passed as is.
 * 3. validate(content, repoPath?) uses the comment prefix of repoPath when given. Codec.validate has
 *    no path today, so Formats.validate cannot pass it; without it the prefix is read from the content
 *    (every prefix with a fence or mark in the file is checked). Widening Codec.validate to
 *    `(content, repoPath?)` and passing it from Formats.validate makes the check exact.
 * 4. Matching is content-based: codecFor(path, content) must get the content (reconcile and apply do:
 *    live bytes for toRepo, repo bytes for toLive). Formats.merge picks the codec by mine's content
 *    only; it should pick blocks when base, mine or theirs has a fence, so the merged text is checked.
 * 5. toRepo returns the same Buffer when nothing changes (reconcile's `repoBytes !== read.content`) and
 *    passes malformed text through unchanged (the hold reports it). toLive THROWS on malformed text:
 *    writing the repo's text as it is would turn other machines' lines on here. The remote hold
 *    validates repo bytes first (the codec id is not 'plain'), so the engine never gets there.
 * 6. When this machine's facts change (classes edited, host renamed) its live files still carry marks
 *    for the old facts. Nothing is lost (toRepo takes off every mark inside a block), but the live file
 *    only catches up when the repo's version is applied again: re-apply toLive(HEAD) to each such file
 *    whose live bytes equal toLive(HEAD) under the old facts.
 */
import { isBinary, type Codec, type CodecContext, type Validation } from './codec.js';
import { plainCodec, plainDiffText, plainMergeChecked } from './plain.js';

export type MachineOs = 'macos' | 'linux' | 'windows';

/** What blocks match on: this machine's host name, OS and classes (machine.ts builds it from settings). */
export interface Machine {
  host: string;
  os: MachineOs;
  /** Read only here, so sync/variants.ts's MachineFacts (readonly classes) can be passed as they are. */
  classes: readonly string[];
}

export type CommentPrefix = '#' | '//' | '"' | ';' | '--';
export type ConditionKey = 'os' | 'host' | 'class';

export interface Condition {
  key: ConditionKey;
  /** `!=`: holds when none of the values matches. */
  negated: boolean;
  /** Lower-cased. */
  values: string[];
}

export interface Block {
  /** 1-based line numbers of the fence lines. */
  openLine: number;
  endLine: number;
  conditions: Condition[];
  /** The conditions as written, for messages. */
  text: string;
}

export type BlocksParse = { ok: true; blocks: Block[] } | { ok: false; errors: string[] };

export const BLOCKS_CODEC_ID = 'blocks';
const OS_NAMES: readonly MachineOs[] = ['macos', 'linux', 'windows'];
const OS_ALIASES: Record<string, MachineOs> = { darwin: 'macos', win32: 'windows' };
const OS_HINTS: Record<string, MachineOs> = { mac: 'macos', osx: 'macos', macosx: 'macos', win: 'windows', win64: 'windows' };
const NAME = /^[A-Za-z0-9._-]+$/;

export class BlocksError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlocksError';
  }
}

// ------------------------------------------------------------------------------ prefixes per file kind

const BY_NAME: Record<string, CommentPrefix> = {};
const BY_EXT: Record<string, CommentPrefix> = {};
function kind(prefix: CommentPrefix, names: string, exts: string): void {
  for (const n of names.split(' ').filter(Boolean)) BY_NAME[n.toLowerCase()] = prefix;
  for (const e of exts.split(' ').filter(Boolean)) BY_EXT[e] = prefix;
}
kind('"', '.vimrc _vimrc .gvimrc _gvimrc .exrc .nvimrc .ideavimrc .vrapperrc .xvimrc', 'vim');
kind(';', '.emacs', 'ini el');
kind('--', '.psqlrc', 'lua sql');
kind('//', '', 'js mjs cjs ts kdl');
kind(
  '#',
  '.profile .bash_profile .bash_login .bash_logout .bash_aliases .zshenv .zprofile .zlogin .zlogout .aliases .functions .exports .env ' +
    '.gitconfig .gitignore .gitignore_global .gitattributes .editorconfig .tool-versions brewfile .brewfile gemfile config ignore ' +
    '.bashrc .zshrc .kshrc .mkshrc .cshrc .tcshrc .inputrc .npmrc .yarnrc .gemrc .irbrc .pryrc .curlrc .wgetrc .screenrc .nanorc ' +
    '.muttrc .mailrc .xinitrc .xprofile .ripgreprc .hgrc .pythonrc .condarc .tigrc .ackrc .gdbinit .lldbinit .zpreztorc ' +
    '.dockerignore .fdignore .rgignore',
  'sh bash zsh fish ksh csh toml yaml yml conf nix rb py ps1 properties env gitconfig',
);

/** The line-comment prefix fences use in this file, by its name (see the header); null: none fits. */
export function commentPrefixFor(repoPath: string): CommentPrefix | null {
  const name = repoPath.slice(repoPath.lastIndexOf('/') + 1).toLowerCase();
  const byName = BY_NAME[name];
  if (byName) return byName;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? (BY_EXT[name.slice(dot + 1)] ?? null) : null;
}

/** What toLive puts at the start of a disabled line, e.g. `# confsync-off: `. */
export function disabledMark(prefix: CommentPrefix): string {
  return `${prefix} confsync-off: `;
}

interface Syntax {
  mark: string;
  /** `<prefix> confsync:NAME rest` with optional indentation and space after the prefix. */
  directive: RegExp;
  /** The mark, indented. */
  indentedMark: RegExp;
}

const syntaxes = new Map<CommentPrefix, Syntax>();
function syntaxOf(prefix: CommentPrefix): Syntax {
  let s = syntaxes.get(prefix);
  if (!s) {
    const p = prefix.replace(/[\\^$.|?*+()[\]{}/-]/g, '\\$&');
    const mark = disabledMark(prefix);
    s = {
      mark,
      directive: new RegExp(`^[ \\t]*${p}[ \\t]*confsync:([^ \\t]*)(.*)$`, 's'),
      indentedMark: new RegExp(`^[ \\t]+${p} confsync-off: `),
    };
    syntaxes.set(prefix, s);
  }
  return s;
}

// ------------------------------------------------------------------------------------------ parsing

/** A line without its `\r` (and, on the first line, without a BOM), as fences are read. */
function lineText(line: string, index: number): string {
  let t = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (index === 0 && t.startsWith('\uFEFF')) t = t.slice(1);
  return t;
}

function parseConditions(rest: string, n: number, errors: string[]): Condition[] {
  const tokens = rest.split(/[ \t]+/).filter((t) => t !== '');
  if (tokens.length === 0) errors.push(`line ${n}: confsync:only needs a condition, e.g. os=macos, host=NAME or class=NAME`);
  const out: Condition[] = [];
  for (const tok of tokens) {
    const m = /^([A-Za-z]+)(!=|=)(.*)$/.exec(tok);
    if (!m) {
      errors.push(`line ${n}: "${tok}" is not a condition (write os=…, host=… or class=…; != for "not")`);
      continue;
    }
    const key = m[1].toLowerCase();
    if (key !== 'os' && key !== 'host' && key !== 'class') {
      errors.push(`line ${n}: unknown condition "${tok}" (known: os, host, class)`);
      continue;
    }
    const values = m[3].split(',');
    const bad = values.find((v) => !NAME.test(v));
    if (bad !== undefined) {
      errors.push(`line ${n}: "${tok}" needs names of letters, digits, dot, underscore and dash${bad === '' ? '' : ` (not "${bad}")`}`);
      continue;
    }
    const lower = values.map((v) => v.toLowerCase()).map((v) => (key === 'os' ? (OS_ALIASES[v] ?? v) : v));
    if (key === 'os') {
      const unknown = lower.find((v) => !(OS_NAMES as readonly string[]).includes(v));
      if (unknown !== undefined) {
        const hint = OS_HINTS[unknown];
        errors.push(`line ${n}: unknown os "${unknown}" (known: ${OS_NAMES.join(', ')}${hint ? `; ${unknown} is ${hint}` : ''})`);
        continue;
      }
    }
    out.push({ key, negated: m[2] === '!=', values: lower });
  }
  return out;
}

/**
 * The blocks of a text whose fences use `prefix`, or every reason it is malformed (each names its
 * line): fences, conditions, and ConfSync's mark where toLive never puts it.
 */
export function parseBlocks(text: string, prefix: CommentPrefix): BlocksParse {
  const { mark, directive, indentedMark } = syntaxOf(prefix);
  const shownMark = mark.trimEnd();
  const lines = text.split('\n');
  const errors: string[] = [];
  const blocks: Block[] = [];
  let open: Omit<Block, 'endLine'> | null = null;
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const t = lineText(lines[i], i);
    if (t.startsWith(mark)) {
      if (!open) errors.push(`line ${n}: "${shownMark}" marks a line ConfSync disabled for another machine, but it is outside any confsync:only block (remove the mark, or move the line back into its block)`);
      else if (t.startsWith(mark, mark.length)) errors.push(`line ${n}: "${shownMark}" appears twice at the start of the line; ConfSync puts it there once (remove one)`);
      continue;
    }
    if (indentedMark.test(t)) {
      errors.push(`line ${n}: "${shownMark}" is ConfSync's mark and must start the line, not be indented`);
      continue;
    }
    const d = directive.exec(t);
    if (!d) continue;
    // `rest` is empty or starts with a space or tab: the name runs up to the first one.
    const [, name, rest] = d;
    if (name === 'only') {
      if (open) {
        errors.push(`line ${n}: confsync:only inside the block opened at line ${open.openLine}; blocks do not nest (close that one with confsync:end first)`);
        continue;
      }
      open = { openLine: n, conditions: parseConditions(rest, n, errors), text: rest.trim() };
    } else if (name === 'end') {
      if (!open) errors.push(`line ${n}: confsync:end without a confsync:only before it`);
      else blocks.push({ ...open, endLine: n });
      open = null;
    } else {
      errors.push(`line ${n}: unknown directive "confsync:${name}" (known: confsync:only, confsync:end)`);
    }
  }
  if (open) errors.push(`line ${open.openLine}: confsync:only has no confsync:end`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, blocks };
}

/** Whether every condition of the block holds on this machine. */
export function blockApplies(block: Pick<Block, 'conditions'>, machine: Machine): boolean {
  const host = machine.host.toLowerCase();
  const classes = machine.classes.map((c) => c.toLowerCase());
  return block.conditions.every((c) => {
    const hit = c.key === 'os' ? c.values.includes(machine.os) : c.key === 'host' ? c.values.includes(host) : c.values.some((v) => classes.includes(v));
    return c.negated ? !hit : hit;
  });
}

function reasonOf(errors: string[]): string {
  const shown = errors.slice(0, 3).join('; ');
  return `per-machine blocks: ${shown}${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''}`;
}

/** Are the fences and marks of this text well formed for `prefix`? */
export function validateBlocks(text: string, prefix: CommentPrefix): Validation {
  const p = parseBlocks(text, prefix);
  return p.ok ? { ok: true } : { ok: false, reason: reasonOf(p.errors) };
}

/** Whether the text has a fence directive or ConfSync's mark in the comment syntax of `prefix`. */
export function hasBlockDirectives(text: string, prefix: CommentPrefix): boolean {
  if (!text.includes('confsync')) return false;
  const { mark, directive, indentedMark } = syntaxOf(prefix);
  return text.split('\n').some((line, i) => {
    const t = lineText(line, i);
    return t.startsWith(mark) || indentedMark.test(t) || directive.test(t);
  });
}

// ---------------------------------------------------------------------------------- the two ways

const BLANK = /^[ \t\f\v\r]*$/;

function parsed(text: string, prefix: CommentPrefix): { lines: string[]; blocks: Block[] } {
  const p = parseBlocks(text, prefix);
  if (!p.ok) throw new BlocksError(reasonOf(p.errors));
  return { lines: text.split('\n'), blocks: p.blocks };
}

/**
 * Repo text → this machine's live text: every non-blank line of a block that does not apply here gets
 * the mark (once). Throws BlocksError, naming the line, when the fences are malformed.
 */
export function blocksToLive(text: string, machine: Machine, prefix: CommentPrefix = '#'): string {
  const { lines, blocks } = parsed(text, prefix);
  const { mark } = syntaxOf(prefix);
  let changed = false;
  for (const b of blocks) {
    if (blockApplies(b, machine)) continue;
    // Content lines are openLine+1 … endLine-1 (1-based), i.e. indexes openLine … endLine-2.
    for (let i = b.openLine; i < b.endLine - 1; i++) {
      const line = lines[i];
      if (BLANK.test(line) || line.startsWith(mark)) continue;
      lines[i] = mark + line;
      changed = true;
    }
  }
  return changed ? lines.join('\n') : text;
}

/**
 * Live text → repo text: one mark off every line inside a block that starts with it. The result does
 * not depend on the machine (the mark is ConfSync's wherever it is; see the header); `machine` is kept
 * for symmetry with blocksToLive. Throws BlocksError, naming the line, when the text is malformed.
 */
export function blocksToRepo(text: string, _machine: Machine, prefix: CommentPrefix = '#'): string {
  const { lines, blocks } = parsed(text, prefix);
  const { mark } = syntaxOf(prefix);
  let changed = false;
  for (const b of blocks) {
    for (let i = b.openLine; i < b.endLine - 1; i++) {
      if (!lines[i].startsWith(mark)) continue;
      lines[i] = lines[i].slice(mark.length);
      changed = true;
    }
  }
  return changed ? lines.join('\n') : text;
}

// ---------------------------------------------------------------------------------------- the codec

/** The bytes as text, UTF-8 when they are valid UTF-8 and Latin-1 otherwise: either way exact. */
function decode(content: Buffer): { text: string; encoding: 'utf8' | 'latin1' } {
  const utf8 = content.toString('utf8');
  return Buffer.from(utf8, 'utf8').equals(content) ? { text: utf8, encoding: 'utf8' } : { text: content.toString('latin1'), encoding: 'latin1' };
}

const PREFIXES: readonly CommentPrefix[] = ['#', '//', '"', ';', '--'];

/**
 * The codec of per-machine blocks. `machine` gives this machine's facts (a getter, so edited settings
 * count from the next file on). Format validation, merging and diffs are the plain text codec's; the
 * fences are checked on top, and a merged text must have well-formed fences too.
 */
export function blocksCodec(machine: Machine | (() => Machine)): Codec & { validate(content: Buffer, repoPath?: string): Validation } {
  const facts = typeof machine === 'function' ? machine : () => machine;

  const validate = (content: Buffer, repoPath?: string): Validation => {
    const format = plainCodec.validate(content);
    if (!format.ok) return format;
    if (isBinary(content)) return { ok: true };
    const { text } = decode(content);
    const fromPath = repoPath === undefined ? null : commentPrefixFor(repoPath);
    const prefixes = fromPath ? [fromPath] : PREFIXES.filter((p) => hasBlockDirectives(text, p));
    for (const p of prefixes) {
      const v = validateBlocks(text, p);
      if (!v.ok) return v;
    }
    return { ok: true };
  };

  return {
    id: BLOCKS_CODEC_ID,
    matches(repoPath: string, content?: Buffer): boolean {
      const prefix = commentPrefixFor(repoPath);
      if (prefix === null || content === undefined || !content.includes('confsync') || isBinary(content)) return false;
      return hasBlockDirectives(decode(content).text, prefix);
    },
    validate,
    merge: (base, mine, theirs) => plainMergeChecked(base, mine, theirs, (c) => validate(c)),
    diffText: plainDiffText,
    toRepo(live: Buffer, ctx: CodecContext): Buffer {
      const prefix = commentPrefixFor(ctx.repoPath);
      if (prefix === null || isBinary(live)) return live;
      const { text, encoding } = decode(live);
      let out: string;
      try {
        out = blocksToRepo(text, facts(), prefix);
      } catch (e) {
        // Malformed: passed through as it is; validate() holds it back with the reason.
        if (e instanceof BlocksError) return live;
        throw e;
      }
      return out === text ? live : Buffer.from(out, encoding);
    },
    toLive(repo: Buffer, ctx: CodecContext & { currentLive: Buffer | null }): Buffer {
      const prefix = commentPrefixFor(ctx.repoPath);
      if (prefix === null || isBinary(repo)) return repo;
      const { text, encoding } = decode(repo);
      const out = blocksToLive(text, facts(), prefix);
      return out === text ? repo : Buffer.from(out, encoding);
    },
  };
}
