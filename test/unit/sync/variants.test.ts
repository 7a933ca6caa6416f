import { describe, expect, it } from 'vitest';
import { Variants, splitVariant, variantSuffix, specificity, describeVariant } from '../../../electron/engine/sync/variants';

const work = { host: 'desk-b', os: 'linux' as const, classes: ['work'] };

describe('variant names', () => {
  it('splits only real conditions off a file name', () => {
    expect(splitVariant('git/.gitconfig##host.desk-b')).toMatchObject({ base: 'git/.gitconfig', suffix: 'host.desk-b' });
    expect(splitVariant('git/.gitconfig##os.macos,class.work')?.conds).toHaveLength(2);
    expect(splitVariant('notes/a##b')).toBeNull(); // an ordinary name
    expect(splitVariant('notes/x##planet.mars')).toBeNull();
    expect(splitVariant('dir##host.a/file')).toBeNull(); // only the file name is looked at
  });

  it('turns the CLI form into the repo form, and refuses anything else with the right words', () => {
    expect(variantSuffix('host:work-mbp')).toEqual({ ok: true, suffix: 'host.work-mbp' });
    expect(variantSuffix('os:darwin,class:work')).toEqual({ ok: true, suffix: 'os.macos,class.work' });
    const bad = variantSuffix('os:beos');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toContain('use host:NAME, class:NAME or os:macos|linux|windows');
    expect(describeVariant('os.macos,class.work')).toBe('macOS and class work');
    expect(describeVariant(null)).toBe('the default');
  });

  it('host beats class beats OS; every condition must hold; names ignore case', () => {
    expect(specificity(splitVariant('a##host.DESK-B')!.conds, work)).toBe(4);
    expect(specificity(splitVariant('a##class.work,os.linux')!.conds, work)).toBe(3);
    expect(specificity(splitVariant('a##class.work,os.macos')!.conds, work)).toBe(-1);
  });
});

describe('Variants', () => {
  it('chooses the most specific match per file, reports what moved, and hides the others', () => {
    const v = new Variants(() => work);
    expect(v.update(['git/.gitconfig', 'zsh/.zshrc'])).toEqual([]);
    const moved = v.update(['git/.gitconfig', 'git/.gitconfig##os.linux', 'git/.gitconfig##class.work', 'git/.gitconfig##host.laptop-a']);
    expect(moved).toEqual([{ base: 'git/.gitconfig', from: 'git/.gitconfig', to: 'git/.gitconfig##class.work' }]);
    expect(v.repoPathFor('git/.gitconfig')).toBe('git/.gitconfig##class.work');
    expect(v.baseIfUsedHere('git/.gitconfig##class.work')).toBe('git/.gitconfig');
    expect(v.baseIfUsedHere('git/.gitconfig##host.laptop-a')).toBeNull();
    expect(v.baseIfUsedHere('git/.gitconfig')).toBeNull(); // the default is not used here
    expect(v.baseIfUsedHere('zsh/.zshrc')).toBe('zsh/.zshrc');
    // The variant removed: back to the next best.
    expect(v.update(['git/.gitconfig', 'git/.gitconfig##os.linux'])).toEqual([{ base: 'git/.gitconfig', from: 'git/.gitconfig##class.work', to: 'git/.gitconfig##os.linux' }]);
  });
});
