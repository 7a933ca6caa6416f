/** Per-machine blocks: fences, the mark, the codec, and the round trip as fast-check properties. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BlocksError,
  blocksCodec,
  blocksToLive,
  blocksToRepo,
  commentPrefixFor,
  disabledMark,
  hasBlockDirectives,
  parseBlocks,
  validateBlocks,
  type CommentPrefix,
  type Machine,
} from '../../../electron/engine/formats/blocks.js';

const mac: Machine = { host: 'mac-1', os: 'macos', classes: ['work'] };
const linux: Machine = { host: 'linux-box', os: 'linux', classes: ['home', 'laptop'] };
const win: Machine = { host: 'WIN', os: 'windows', classes: [] };
const ctx = (repoPath: string) => ({ repoPath, host: 'h', platform: 'linux' as NodeJS.Platform });
const liveCtx = (repoPath: string) => ({ ...ctx(repoPath), currentLive: null });

const ISSUE = ['# ~/.zshrc', '# confsync:only os=macos', 'export PATH="/opt/homebrew/bin:$PATH"', '# confsync:end', 'alias ll="ls -l"', ''].join('\n');

describe('blocksToLive / blocksToRepo', () => {
  it('comments out another OS\'s block and restores it on the way back (the issue\'s example)', () => {
    const live = blocksToLive(ISSUE, linux);
    expect(live).toBe(['# ~/.zshrc', '# confsync:only os=macos', '# confsync-off: export PATH="/opt/homebrew/bin:$PATH"', '# confsync:end', 'alias ll="ls -l"', ''].join('\n'));
    expect(blocksToRepo(live, linux)).toBe(ISSUE);
    expect(blocksToLive(ISSUE, mac)).toBe(ISSUE);
  });

  it('matches host, class, negation, value lists and several conditions (all must hold), case-insensitively', () => {
    const block = (cond: string) => `# confsync:only ${cond}\nx\n# confsync:end\n`;
    const on = (cond: string, m: Machine) => blocksToLive(block(cond), m) === block(cond);
    expect(on('host=MAC-1', mac)).toBe(true);
    expect(on('host=mac-1', linux)).toBe(false);
    expect(on('class=Work', mac)).toBe(true);
    expect(on('class=work', linux)).toBe(false);
    expect(on('class=work,laptop', linux)).toBe(true);
    expect(on('class!=work', linux)).toBe(true);
    expect(on('class!=work', mac)).toBe(false);
    expect(on('class!=work', win)).toBe(true);
    expect(on('os=macos,linux', win)).toBe(false);
    expect(on('os!=windows', linux)).toBe(true);
    expect(on('os=linux class=laptop', linux)).toBe(true);
    expect(on('os=linux\tclass=work', linux)).toBe(false);
    expect(on('OS=WINDOWS host=win', win)).toBe(true);
    // Node's names, as sync/variants.ts accepts them.
    expect(on('os=darwin', mac)).toBe(true);
    expect(on('os=win32', win)).toBe(true);
    expect(on('os!=darwin', mac)).toBe(false);
  });

  it("keeps a person's own commented line inside a block byte for byte, both ways", () => {
    const repo = '# confsync:only os=windows\n# was: set EDITOR=notepad\n  export EDITOR=code  \n# confsync:end\n';
    const live = blocksToLive(repo, mac);
    expect(live).toBe('# confsync:only os=windows\n# confsync-off: # was: set EDITOR=notepad\n# confsync-off:   export EDITOR=code  \n# confsync:end\n');
    expect(blocksToRepo(live, mac)).toBe(repo);
    expect(blocksToLive(repo, win)).toBe(repo);
    expect(blocksToRepo(repo, win)).toBe(repo);
  });

  it('leaves blank and whitespace-only lines as they are', () => {
    const repo = '# confsync:only os=linux\na\n\n  \t\nb\n# confsync:end';
    expect(blocksToLive(repo, mac)).toBe('# confsync:only os=linux\n# confsync-off: a\n\n  \t\n# confsync-off: b\n# confsync:end');
  });

  it('restores a marked line in a block that now applies here (its fence or this machine changed)', () => {
    const live = '# confsync:only os=linux\n# confsync-off: a\n# confsync:end\n';
    expect(blocksToRepo(live, linux)).toBe('# confsync:only os=linux\na\n# confsync:end\n');
  });

  it('reads indented fences, fences without the space, a label after end, CRLF and a BOM on line 1', () => {
    const repo = '\uFEFF#confsync:only host=linux-box\r\n  if true; then\r\n  fi\r\n    # confsync:end  linux only\r\n';
    const live = blocksToLive(repo, mac);
    expect(live).toBe('\uFEFF#confsync:only host=linux-box\r\n# confsync-off:   if true; then\r\n# confsync-off:   fi\r\n    # confsync:end  linux only\r\n');
    expect(blocksToRepo(live, mac)).toBe(repo);
  });

  it('uses the comment prefix it is given', () => {
    const vim = '" confsync:only os=macos\nset clipboard=unnamed\n" confsync:end\n';
    expect(blocksToLive(vim, linux, '"')).toBe('" confsync:only os=macos\n" confsync-off: set clipboard=unnamed\n" confsync:end\n');
    // A `#` fence means nothing to a vim file's prefix.
    expect(blocksToLive(ISSUE, linux, '"')).toBe(ISSUE);
    const lua = '-- confsync:only class=work\nhs.alert("work")\n-- confsync:end\n';
    expect(blocksToRepo(blocksToLive(lua, linux, '--'), linux, '--')).toBe(lua);
    expect(blocksToLive(lua, linux, '--')).toContain('-- confsync-off: hs.alert');
  });

  it('throws a BlocksError naming the line for malformed fences', () => {
    expect(() => blocksToLive('# confsync:only os=mac\nx\n# confsync:end\n', mac)).toThrow(BlocksError);
    expect(() => blocksToRepo('a\n# confsync:end\n', mac)).toThrow(/line 2: confsync:end without a confsync:only/);
  });
});

describe('validation', () => {
  const rows: [string, string, RegExp][] = [
    ['nested', '# confsync:only os=macos\n# confsync:only host=a\nx\n# confsync:end\n# confsync:end\n', /line 2: confsync:only inside the block opened at line 1; blocks do not nest/],
    ['unclosed', 'a\n# confsync:only os=linux\nx\n', /line 2: confsync:only has no confsync:end/],
    ['stray end', 'a\n# confsync:end\n', /line 2: confsync:end without a confsync:only/],
    ['no condition', '# confsync:only\nx\n# confsync:end\n', /line 1: confsync:only needs a condition/],
    ['unknown condition', 'a\n# confsync:only arch=arm64\nx\n# confsync:end\n', /line 2: unknown condition "arch=arm64" \(known: os, host, class\)/],
    ['unknown os, with a hint', '# confsync:only os=osx\nx\n# confsync:end\n', /line 1: unknown os "osx" \(known: macos, linux, windows; osx is macos\)/],
    ['not a condition', '# confsync:only macos\nx\n# confsync:end\n', /line 1: "macos" is not a condition/],
    ['empty value', '# confsync:only host=\nx\n# confsync:end\n', /line 1: "host=" needs names/],
    ['bad name', '# confsync:only class=work,\nx\n# confsync:end\n', /line 1: "class=work," needs names/],
    ['unknown directive', '# confsync:onlyos=macos\nx\n', /line 1: unknown directive "confsync:onlyos=macos"/],
    ['mark outside a block', 'a\n# confsync-off: b\n', /line 2: "# confsync-off:" marks a line ConfSync disabled .* outside any confsync:only block/],
    ['indented mark', '# confsync:only os=linux\n  # confsync-off: b\n# confsync:end\n', /line 2: "# confsync-off:" is ConfSync's mark and must start the line/],
    ['mark twice', '# confsync:only os=linux\n# confsync-off: # confsync-off: b\n# confsync:end\n', /line 2: "# confsync-off:" appears twice/],
  ];
  for (const [name, text, re] of rows) {
    it(`refuses: ${name}`, () => {
      const v = validateBlocks(text, '#');
      expect(v.ok).toBe(false);
      expect(v.ok ? '' : v.reason).toMatch(/^per-machine blocks: /);
      expect(v.ok ? '' : v.reason).toMatch(re);
      expect(blocksCodec(mac).validate(Buffer.from(text))).toEqual(v);
    });
  }

  it('accepts well-formed fences and their live form, and says how many more problems there are', () => {
    expect(validateBlocks(ISSUE, '#')).toEqual({ ok: true });
    expect(validateBlocks(blocksToLive(ISSUE, linux), '#')).toEqual({ ok: true });
    const many = 'a\n# confsync:end\n# confsync:end\n# confsync:end\n# confsync:end\n# confsync:end\n';
    const v = validateBlocks(many, '#');
    expect(v.ok ? '' : v.reason).toMatch(/line 2: .*; line 3: .*; line 4: .* \(and 2 more\)$/);
  });

  it('unknown os without a hint', () => {
    expect(validateBlocks('# confsync:only os=beos\nx\n# confsync:end\n', '#')).toEqual({ ok: false, reason: 'per-machine blocks: line 1: unknown os "beos" (known: macos, linux, windows)' });
  });

  it('parses the blocks with their lines and conditions', () => {
    const p = parseBlocks(ISSUE, '#');
    expect(p).toEqual({ ok: true, blocks: [{ openLine: 2, endLine: 4, text: 'os=macos', conditions: [{ key: 'os', negated: false, values: ['macos'] }] }] });
  });
});

describe('comment prefix by file name', () => {
  const rows: [string, CommentPrefix | null][] = [
    ['zsh/.zshrc', '#'],
    ['bash/.bash_profile', '#'],
    ['git/.gitconfig', '#'],
    ['git/.config/git/config', '#'],
    ['ssh/.ssh/config', '#'],
    ['tmux/.tmux.conf', '#'],
    ['alacritty/.config/alacritty/alacritty.TOML', '#'],
    ['starship/.config/starship.toml', '#'],
    ['gh/.config/gh/config.yml', '#'],
    ['fish/.config/fish/config.fish', '#'],
    ['vim/.vimrc', '"'],
    ['nvim/.config/nvim/init.vim', '"'],
    ['ideavim/.ideavimrc', '"'],
    ['nvim/.config/nvim/init.lua', '--'],
    ['psql/.psqlrc', '--'],
    ['app/settings.ini', ';'],
    ['emacs/.emacs', ';'],
    ['zellij/.config/zellij/config.kdl', '//'],
    ['_abs/etc/something.js', '//'],
    ['vscode/settings.json', null],
    ['app/Library/Preferences/com.x.plist', null],
    ['node/.eslintrc', null],
    ['node/.babelrc', null],
    ['misc/README', null],
    ['misc/.hidden', null],
  ];
  for (const [path, prefix] of rows) it(`${path} → ${String(prefix)}`, () => expect(commentPrefixFor(path)).toBe(prefix));

  it('the mark is the prefix, one space, confsync-off:, one space', () => {
    expect(disabledMark('#')).toBe('# confsync-off: ');
    expect(disabledMark('//')).toBe('// confsync-off: ');
  });
});

describe('blocksCodec', () => {
  const codec = blocksCodec(() => linux);
  const buf = (s: string) => Buffer.from(s, 'utf8');

  it('claims only files of a known kind whose content has a fence (or mark) in that kind\'s syntax', () => {
    expect(codec.matches('zsh/.zshrc', buf(ISSUE))).toBe(true);
    expect(codec.matches('zsh/.zshrc', buf('# confsync:end\n'))).toBe(true); // a stray end is checked, and held
    expect(codec.matches('zsh/.zshrc', buf('# confsync-off: x\n'))).toBe(true);
    expect(codec.matches('zsh/.zshrc')).toBe(false);
    expect(codec.matches('zsh/.zshrc', buf('export A=1\n# confsync is my tool\n'))).toBe(false);
    expect(codec.matches('vim/.vimrc', buf(ISSUE))).toBe(false); // the prefix does not fit: left alone
    expect(codec.matches('misc/README', buf(ISSUE))).toBe(false);
    expect(codec.matches('vscode/settings.json', buf('// confsync:only os=macos\n'))).toBe(false);
    expect(codec.matches('zsh/.zshrc', Buffer.concat([buf(ISSUE), Buffer.from([0])]))).toBe(false);
    expect(codec.id).toBe('blocks');
  });

  it('converts bytes both ways, returning the same Buffer when nothing changes', () => {
    const repo = buf(ISSUE);
    const live = codec.toLive(repo, liveCtx('zsh/.zshrc'));
    expect(live.toString('utf8')).toBe(blocksToLive(ISSUE, linux));
    expect(codec.toRepo(live, ctx('zsh/.zshrc')).equals(repo)).toBe(true);
    const here = buf('# confsync:only os=linux\nx\n# confsync:end\n');
    expect(codec.toLive(here, liveCtx('zsh/.zshrc'))).toBe(here);
    expect(codec.toRepo(here, ctx('zsh/.zshrc'))).toBe(here);
  });

  it('keeps bytes that are not UTF-8 exactly', () => {
    const repo = Buffer.concat([buf('# confsync:only os=windows\necho caf'), Buffer.from([0xe9, 0xff]), buf('\n# confsync:end\n')]);
    const live = codec.toLive(repo, liveCtx('zsh/.zshrc'));
    expect(live.equals(Buffer.concat([buf('# confsync:only os=windows\n# confsync-off: echo caf'), Buffer.from([0xe9, 0xff]), buf('\n# confsync:end\n')]))).toBe(true);
    expect(codec.toRepo(live, ctx('zsh/.zshrc')).equals(repo)).toBe(true);
  });

  it('reads the machine from its getter each time', () => {
    let m: Machine = linux;
    const c = blocksCodec(() => m);
    const repo = buf('# confsync:only class=work\nx\n# confsync:end\n');
    expect(c.toLive(repo, liveCtx('zsh/.zshrc')).toString()).toContain('# confsync-off: x');
    m = { ...linux, classes: ['work'] };
    expect(c.toLive(repo, liveCtx('zsh/.zshrc'))).toBe(repo);
    expect(blocksCodec(mac).toLive(repo, liveCtx('zsh/.zshrc'))).toBe(repo);
  });

  it('passes malformed live text through toRepo (the hold reports it) and refuses it in toLive', () => {
    const bad = buf('# confsync:only os=linux\n# confsync-off: x\n');
    expect(codec.toRepo(bad, ctx('zsh/.zshrc'))).toBe(bad);
    expect(codec.validate(bad)).toEqual({ ok: false, reason: 'per-machine blocks: line 1: confsync:only has no confsync:end' });
    expect(() => codec.toLive(bad, liveCtx('zsh/.zshrc'))).toThrow(/line 1: confsync:only has no confsync:end/);
  });

  it('validates with the path\'s prefix when given one, else with every prefix found in the content', () => {
    const vimFenceInShell = buf('" confsync:only os=macos\nx\n');
    expect(codec.validate(vimFenceInShell, 'zsh/.zshrc')).toEqual({ ok: true });
    expect(codec.validate(vimFenceInShell, 'vim/.vimrc').ok).toBe(false);
    expect(codec.validate(vimFenceInShell).ok).toBe(false);
    expect(codec.validate(buf('plain text\n'))).toEqual({ ok: true });
  });

  it('merges edits in different blocks as text, and refuses a merge whose fences would be malformed', async () => {
    const base = '# confsync:only os=macos\na\n# confsync:end\nmid\n# confsync:only os=linux\nb\n# confsync:end\n';
    const mine = base.replace('\na\n', '\na2\n');
    const theirs = base.replace('\nb\n', '\nb2\n');
    const m = await codec.merge(buf(base), buf(mine), buf(theirs));
    expect(m).toEqual({ clean: true, how: 'text', content: buf(base.replace('\na\n', '\na2\n').replace('\nb\n', '\nb2\n')) });
    // Mine puts everything in a block, theirs ends a block of its own after x5 (itself malformed, but
    // a merge must not turn two texts into a malformed one silently either way).
    const b2 = 'x1\nx2\nx3\nx4\nx5\nx6\nx7\n';
    const mine2 = '# confsync:only os=macos\nx1\nx2\nx3\nx4\nx5\nx6\nx7\n# confsync:end\n';
    const theirs2 = 'x1\nx2\nx3\nx4\nx5\n# confsync:end\nx6\nx7\n';
    const r = await codec.merge(buf(b2), buf(mine2), buf(theirs2));
    expect(r).toEqual({ clean: false, how: 'text', details: [expect.stringMatching(/^the merged text would not be a valid file: per-machine blocks: line 10: confsync:end without a confsync:only/)] });
  });

  it('shows diffs as plain text', () => {
    expect(codec.diffText(buf(ISSUE))).toBe(ISSUE);
    expect(codec.diffText(Buffer.from([0, 1]))).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------- properties

const PREFIXES: CommentPrefix[] = ['#', '//', '"', ';', '--'];
const machineArb: fc.Arbitrary<Machine> = fc.record({
  host: fc.constantFrom('mac-1', 'linux-box', 'WIN'),
  os: fc.constantFrom('macos' as const, 'linux' as const, 'windows' as const),
  classes: fc.subarray(['work', 'home', 'laptop']),
});

/** A line of content: tricky constants in the file's syntax, or any text that is not a fence or mark. */
function contentLine(prefix: CommentPrefix): fc.Arbitrary<string> {
  const tricky = fc.constantFrom(
    `${prefix} a person's own comment`,
    `${prefix}confsync is nice`,
    `${prefix} confsync-offline`,
    `${prefix}${prefix} confsync:only os=linux`,
    `echo "${prefix} confsync:only os=macos"`,
    `confsync-off: not a mark`,
    '  indented line',
    '\tindented with a tab',
    '',
    '   ',
    ' \f\v',
    'caf\u00e9 \u2713 \u65e5\u672c \u{1F600}',
    'trailing space ',
    'export PATH="/opt/homebrew/bin:$PATH"',
  );
  const any = fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !/[\r\n]/.test(s) && !hasBlockDirectives(`${s} confsync`, prefix));
  return fc.oneof(tricky, any);
}

const conditionArb = fc
  .tuple(
    fc.constantFrom('os', 'host', 'class', 'OS'),
    fc.constantFrom('=', '!='),
    fc.subarray([0, 1, 2, 3], { minLength: 1 }),
  )
  .map(([key, op, picks]) => {
    const pool = key.toLowerCase() === 'os' ? ['macos', 'linux', 'Windows', 'darwin'] : key === 'host' ? ['mac-1', 'LINUX-box', 'win', 'beta'] : ['work', 'home', 'Laptop', 'x.y'];
    return `${key}${op}${picks.map((i) => pool[i]).join(',')}`;
  });

const fenceArb = (prefix: CommentPrefix) =>
  fc.record({
    indent: fc.constantFrom('', '  ', '\t'),
    space: fc.constantFrom(' ', '', '\t'),
    conditions: fc.array(conditionArb, { minLength: 1, maxLength: 3 }),
    sep: fc.constantFrom(' ', '  ', '\t'),
    endLabel: fc.constantFrom('', ' homebrew', '  '),
  }).map((f) => ({
    open: `${f.indent}${prefix}${f.space}confsync:only${f.sep}${f.conditions.join(f.sep)}`,
    end: `${f.indent}${prefix}${f.space}confsync:end${f.endLabel}`,
    conditions: f.conditions,
  }));

type Item = { kind: 'line'; line: string } | { kind: 'block'; open: string; end: string; conditions: string[]; lines: string[] };

/** The test's own reading of the conditions generated above (all must hold; `,` is "any of"). */
function oracleApplies(conditions: string[], m: Machine): boolean {
  return conditions.every((c) => {
    const [, key, op, vals] = /^([A-Za-z]+)(!=|=)(.*)$/.exec(c)!;
    const alias: Record<string, string> = { darwin: 'macos', win32: 'windows' };
    const values = vals.toLowerCase().split(',').map((v) => alias[v] ?? v);
    const facts = key.toLowerCase() === 'os' ? [m.os] : key === 'host' ? [m.host.toLowerCase()] : m.classes;
    const hit = values.some((v) => facts.includes(v));
    return op === '=' ? hit : !hit;
  });
}

interface RepoText {
  prefix: CommentPrefix;
  lines: string[];
  /** Indexes (into `lines`) of each block's opening and end fences, and its conditions. */
  blocks: { open: number; end: number; conditions: string[] }[];
  eol: '\n' | '\r\n' | 'mixed';
  eols: string[];
  finalNewline: boolean;
  text: string;
}

const repoTextArb: fc.Arbitrary<RepoText> = fc.constantFrom(...PREFIXES).chain((prefix) =>
  fc
    .record({
      items: fc.array(
        fc.oneof(
          contentLine(prefix).map((line): Item => ({ kind: 'line', line })),
          fc.tuple(fenceArb(prefix), fc.array(contentLine(prefix), { maxLength: 4 })).map(([f, lines]): Item => ({ kind: 'block', ...f, lines })),
        ),
        { maxLength: 8 },
      ),
      eol: fc.constantFrom('\n' as const, '\r\n' as const, 'mixed' as const),
      mixed: fc.array(fc.constantFrom('\n', '\r\n'), { minLength: 64, maxLength: 64 }),
      finalNewline: fc.boolean(),
    })
    .map(({ items, eol, mixed, finalNewline }) => {
      const lines: string[] = [];
      const blocks: { open: number; end: number; conditions: string[] }[] = [];
      for (const it of items) {
        if (it.kind === 'line') lines.push(it.line);
        else {
          const open = lines.length;
          lines.push(it.open, ...it.lines, it.end);
          blocks.push({ open, end: lines.length - 1, conditions: it.conditions });
        }
      }
      const eols = lines.map((_, i) => (eol === 'mixed' ? mixed[i % mixed.length] : eol));
      const text = lines.map((l, i) => l + (i < lines.length - 1 || finalNewline ? eols[i] : '')).join('');
      return { prefix, lines, blocks, eol, eols, finalNewline, text };
    }),
);

describe('properties', () => {
  it('generated repo texts are valid (the generator is what it claims)', () => {
    fc.assert(
      fc.property(repoTextArb, (r) => {
        const p = parseBlocks(r.text, r.prefix);
        expect(p.ok).toBe(true);
        expect(p.ok ? p.blocks.map((b) => ({ open: b.openLine - 1, end: b.endLine - 1, conditions: b.text.split(/[ \t]+/) })) : null).toEqual(r.blocks);
      }),
      { numRuns: 300 },
    );
  });

  it('toRepo(toLive(repo, m), m) === repo, and the live text is valid', () => {
    fc.assert(
      fc.property(repoTextArb, machineArb, (r, m) => {
        const live = blocksToLive(r.text, m, r.prefix);
        expect(validateBlocks(live, r.prefix)).toEqual({ ok: true });
        expect(blocksToRepo(live, m, r.prefix)).toBe(r.text);
        // toRepo does not depend on the machine.
        expect(blocksToRepo(live, { host: 'other', os: 'windows', classes: [] }, r.prefix)).toBe(r.text);
      }),
      { numRuns: 500 },
    );
  });

  it('toLive is idempotent', () => {
    fc.assert(
      fc.property(repoTextArb, machineArb, (r, m) => {
        const once = blocksToLive(r.text, m, r.prefix);
        expect(blocksToLive(once, m, r.prefix)).toBe(once);
      }),
      { numRuns: 300 },
    );
  });

  it('toLive marks exactly the non-blank lines of blocks that do not apply, and nothing else', () => {
    const mark = (p: CommentPrefix) => disabledMark(p);
    fc.assert(
      fc.property(repoTextArb, machineArb, (r, m) => {
        const inactive = new Set<number>();
        for (const b of r.blocks) if (!oracleApplies(b.conditions, m)) for (let i = b.open + 1; i < b.end; i++) inactive.add(i);
        const live = blocksToLive(r.text, m, r.prefix).split('\n');
        const repo = r.text.split('\n');
        expect(live.length).toBe(repo.length);
        live.forEach((l, i) => {
          const blank = /^[ \t\f\v\r]*$/.test(repo[i]);
          expect(l).toBe(inactive.has(i) && !blank ? mark(r.prefix) + repo[i] : repo[i]);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('an os condition decides by the OS alone', () => {
    fc.assert(
      fc.property(machineArb, fc.constantFrom('macos', 'linux', 'windows'), fc.boolean(), (m, os, negated) => {
        const text = `# confsync:only os${negated ? '!=' : '='}${os}\nx\n# confsync:end`;
        const applies = (m.os === os) !== negated;
        expect(blocksToLive(text, m)).toBe(applies ? text : text.replace('\nx\n', '\n# confsync-off: x\n'));
      }),
    );
  });

  it("a line added on A inside A's block reaches the repo, is disabled on B, and stays enabled on A", () => {
    const A: Machine = { host: 'alpha', os: 'macos', classes: ['work'] };
    const B: Machine = { host: 'beta', os: 'macos', classes: ['work'] };
    const arb = repoTextArb.chain((r) =>
      fc.record({
        r: fc.constant(r),
        at: fc.integer({ min: 0, max: r.lines.length }),
        inner: fc.array(contentLine(r.prefix), { maxLength: 3 }),
        pos: fc.nat(),
        added: contentLine(r.prefix).filter((l) => !/^[ \t\f\v]*$/.test(l)),
      }),
    );
    fc.assert(
      fc.property(arb, ({ r, at, inner, pos, added }) => {
        const eol = r.eol === 'mixed' ? '\n' : r.eol;
        // A's block, placed between two items of the repo text (never inside another block).
        const cut = r.blocks.some((b) => at > b.open && at <= b.end) ? r.blocks.find((b) => at > b.open && at <= b.end)!.open : at;
        const block = [`${r.prefix} confsync:only host=alpha`, ...inner, `${r.prefix} confsync:end`];
        const lines = [...r.lines.slice(0, cut), ...block, ...r.lines.slice(cut)];
        const join = (ls: string[]) => ls.join(eol) + (r.finalNewline ? eol : '');
        const repo = join(lines);
        const liveA = blocksToLive(repo, A, r.prefix).split(eol);
        const j = cut + 1 + (pos % (inner.length + 1)); // before the end fence at the latest
        liveA.splice(j, 0, added);
        const repo2 = blocksToRepo(liveA.join(eol), A, r.prefix);
        const expected = [...lines];
        expected.splice(j, 0, added);
        expect(repo2).toBe(join(expected));
        const liveB = blocksToLive(repo2, B, r.prefix);
        expect(liveB.split(eol)[j]).toBe(disabledMark(r.prefix) + added);
        expect(blocksToRepo(liveB, B, r.prefix)).toBe(repo2);
        expect(blocksToLive(repo2, A, r.prefix).split(eol)[j]).toBe(added);
      }),
      { numRuns: 300 },
    );
  });

  it('line ends stay as they were: CRLF stays CRLF, LF stays LF, a missing final newline stays missing', () => {
    fc.assert(
      fc.property(repoTextArb, machineArb, (r, m) => {
        const live = blocksToLive(r.text, m, r.prefix);
        const ends = (t: string) => t.match(/\r?\n/g) ?? [];
        expect(ends(live)).toEqual(ends(r.text));
        if (r.eol === '\r\n') expect(/(^|[^\r])\n/.test(live)).toBe(false);
        if (r.eol === '\n') expect(live.includes('\r')).toBe(r.text.includes('\r'));
        expect(live.endsWith('\n')).toBe(r.text.endsWith('\n'));
        if (!r.finalNewline && r.lines.length > 0 && r.lines[r.lines.length - 1] !== '') expect(live.endsWith('\n')).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('through the codec, bytes round-trip exactly (UTF-8 or not)', () => {
    fc.assert(
      fc.property(repoTextArb, machineArb, fc.uint8Array({ maxLength: 6 }), (r, m, extra) => {
        const path = { '#': 'zsh/.zshrc', '//': 'x/config.kdl', '"': 'vim/.vimrc', ';': 'app/a.ini', '--': 'nvim/init.lua' }[r.prefix];
        // A first line of raw high bytes: often not UTF-8, so the whole file is read as Latin-1.
        const high = Buffer.from(Array.from(extra, (b) => b | 0x80));
        const bytes = Buffer.concat([high, Buffer.from('\n'), Buffer.from(r.text, 'utf8')]);
        const codec = blocksCodec(m);
        const live = codec.toLive(bytes, liveCtx(path));
        expect(codec.toRepo(live, ctx(path)).equals(bytes)).toBe(true);
        expect(codec.validate(live, path)).toEqual({ ok: true });
      }),
      { numRuns: 300 },
    );
  });

  it('taking a fence line out of a valid text makes it invalid, naming a line', () => {
    const arb = repoTextArb.filter((r) => r.blocks.length > 0).chain((r) => fc.tuple(fc.constant(r), fc.nat({ max: r.blocks.length - 1 }), fc.boolean()));
    fc.assert(
      fc.property(arb, ([r, k, dropOpen]) => {
        const b = r.blocks[k];
        const lines = r.lines.filter((_, i) => i !== (dropOpen ? b.open : b.end));
        const v = validateBlocks(lines.join('\n'), r.prefix);
        expect(v.ok).toBe(false);
        expect(v.ok ? '' : v.reason).toMatch(/line \d+: /);
      }),
      { numRuns: 300 },
    );
  });
});
