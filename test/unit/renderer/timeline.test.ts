import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { SyncedFile, TimelineEntry } from '../../../shared/contract';
import {
  appendOlder,
  changeKindWords,
  changesMatching,
  fileName,
  fileNamesWords,
  filePlace,
  mergeNewest,
  pathFilter,
  profileOf,
  variantBase,
  variantWords,
} from '../../../renderer/lib/timeline';

const change = (rev: string, paths: string[] = ['zsh/.zshrc'], host = 'laptop-a'): TimelineEntry => ({
  rev,
  host,
  at: 1_700_000_000_000,
  message: `${host}: ${paths.length} file changed`,
  files: paths.map((path) => ({ path, live: `/home/u/${path.slice(path.indexOf('/') + 1)}`, change: 'modified' as const })),
});
const revs = (l: TimelineEntry[]) => l.map((e) => e.rev);
const file = (path: string, livePath: string | null = `/home/u/${path.slice(path.indexOf('/') + 1).replace(/##.*$/, '')}`): SyncedFile => ({ path, livePath, profile: path.split('/')[0] });

describe('pages of the timeline', () => {
  it('an older page that repeats a change does not list it twice', () => {
    const list = [change('c3'), change('c2')];
    expect(revs(appendOlder(list, [change('c2'), change('c1'), change('c1')]))).toEqual(['c3', 'c2', 'c1']);
  });

  it('new changes go on top of what was listed', () => {
    expect(revs(mergeNewest([change('c2'), change('c1'), change('c0')], [change('c4'), change('c3'), change('c2'), change('c1')]))).toEqual(['c4', 'c3', 'c2', 'c1', 'c0']);
  });

  it('more new changes than a page holds: the older ones are dropped, never listed with a gap', () => {
    expect(revs(mergeNewest([change('c1'), change('c0')], [change('c9'), change('c8')]))).toEqual(['c9', 'c8']);
    expect(revs(mergeNewest([], [change('c1'), change('c1')]))).toEqual(['c1']);
  });

  it('never lists one change twice, whatever the pages repeat (property)', () => {
    const rev = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g');
    fc.assert(
      fc.property(fc.array(fc.array(rev, { maxLength: 6 }), { maxLength: 5 }), fc.array(rev, { maxLength: 6 }), (pages, newest) => {
        let list: TimelineEntry[] = [];
        for (const p of pages) list = appendOlder(list, p.map((r) => change(r)));
        list = mergeNewest(list, newest.map((r) => change(r)));
        expect(new Set(revs(list)).size).toBe(list.length);
        // Everything on the newest page is listed, in its order, first.
        expect(revs(list).slice(0, new Set(newest).size)).toEqual([...new Set(newest)]);
      }),
    );
  });
});

describe('files named for people', () => {
  it('where a repo path lives, its name, its profile and its variant', () => {
    expect(filePlace('zsh/.zshrc')).toBe('~/.zshrc');
    expect(filePlace('nvim/.config/nvim/init.lua')).toBe('~/.config/nvim/init.lua');
    expect(filePlace('_abs/etc/hosts')).toBe('/etc/hosts');
    expect(filePlace('git/.gitconfig##host.desk-b')).toBe('~/.gitconfig');
    expect(fileName('git/.gitconfig##class.work,os.macos')).toBe('.gitconfig');
    expect(profileOf('zsh/.zshrc')).toBe('zsh');
    expect(profileOf('_abs/etc/hosts')).toBeNull();
    expect(variantBase('git/.gitconfig##host.desk-b')).toBe('git/.gitconfig');
    expect(variantBase('x/a##b')).toBe('x/a##b');
    expect(variantWords('git/.gitconfig##class.work,os.macos')).toBe('class work and macOS');
    expect(variantWords('git/.gitconfig')).toBeNull();
  });

  it("a change's files: the first three names, then how many more", () => {
    expect(fileNamesWords([{ path: 'zsh/.zshrc' }])).toBe('.zshrc');
    expect(fileNamesWords([{ path: 'zsh/.zshrc' }, { path: 'git/.gitconfig' }])).toBe('.zshrc and .gitconfig');
    expect(fileNamesWords(['a', 'b', 'c', 'd', 'e'].map((n) => ({ path: `p/${n}` })))).toBe('a, b, c and 2 more');
    expect(fileNamesWords(['a', 'b', 'c', 'd'].map((n) => ({ path: `p/${n}` })))).toBe('a, b, c and 1 more');
  });

  it('what kind of change, from ConfSync’s own messages only', () => {
    expect(changeKindWords('laptop-a: restore zsh/.zshrc to the version of 5 Dec 2026 00:45', 'laptop-a')).toBe('Restored');
    expect(changeKindWords("desk-b: resolve conflict in zsh/.zshrc (keep desk-b's version)", 'desk-b')).toBe('Conflict resolved');
    expect(changeKindWords('laptop-a: add variant git/.gitconfig##host.desk-b', 'laptop-a')).toBe('Variant added');
    expect(changeKindWords('laptop-a: 2 files changed (.zshrc, .zshenv)', 'laptop-a')).toBeNull();
    expect(changeKindWords('restore the old look', 'laptop-a')).toBe('Restored');
  });
});

describe('the path filter', () => {
  const files = [file('zsh/.zshrc'), file('zsh/.zshrc.local'), file('zsh/.zshenv'), file('git/.gitconfig'), file('git/.gitconfig##host.desk-b', '/home/u/.gitconfig')];

  it('no search: everything, and no one file', () => {
    expect(pathFilter(files, '  ')).toEqual({ needle: '', bases: [], one: null, variants: [] });
  });

  it('a search that matches several files narrows to them, and names none', () => {
    const f = pathFilter(files, 'zsh');
    expect(f.bases).toEqual(['zsh/.zshenv', 'zsh/.zshrc', 'zsh/.zshrc.local']);
    expect(f.one).toBeNull();
  });

  it('a file named in full is the one file, although longer names match too', () => {
    for (const q of ['.zshrc', '~/.zshrc', 'zsh/.zshrc', '/home/u/.zshrc', '.ZSHRC']) expect(pathFilter(files, q).one, q).toBe('zsh/.zshrc');
    expect(pathFilter(files, '.zshrc').bases).toEqual(['zsh/.zshrc', 'zsh/.zshrc.local']);
    expect(pathFilter(files, 'local').one).toBe('zsh/.zshrc.local');
  });

  it('a file and its variants are one file; the variants are listed', () => {
    const f = pathFilter(files, 'gitconfig');
    expect(f.one).toBe('git/.gitconfig');
    expect(f.variants).toEqual(['git/.gitconfig', 'git/.gitconfig##host.desk-b']);
    expect(pathFilter(files, '.zshenv').variants).toEqual([]);
  });

  it('nothing synced matches: no file, the loaded changes are still searched', () => {
    const f = pathFilter(files, 'vimrc');
    expect(f).toMatchObject({ bases: [], one: null });
    const list = [change('c2', ['vim/.vimrc']), change('c1', ['zsh/.zshrc'])];
    expect(revs(changesMatching(list, f))).toEqual(['c2']);
  });

  it('changes are narrowed to those that touched a matching file (the variants of one file included)', () => {
    const list = [change('c4', ['git/.gitconfig##host.desk-b']), change('c3', ['zsh/.zshrc.local']), change('c2', ['zsh/.zshrc', 'git/.gitconfig']), change('c1', ['zsh/.zshenv'])];
    expect(revs(changesMatching(list, pathFilter(files, 'zshrc')))).toEqual(['c3', 'c2']);
    expect(revs(changesMatching(list, pathFilter(files, '.gitconfig')))).toEqual(['c4', 'c2']);
    expect(revs(changesMatching(list, pathFilter(files, '')))).toEqual(['c4', 'c3', 'c2', 'c1']);
  });
});
