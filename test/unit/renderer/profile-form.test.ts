import { describe, expect, it } from 'vitest';
import { formFromProfile, validateProfileForm } from '../../../renderer/lib/profile-form';
import { ProfileDefinition } from '../../../shared/contract';

const opts = { isNew: true, existingNames: ['zsh'] };

describe('profile form', () => {
  it('turns lines into a valid ProfileDefinition', () => {
    const r = validateProfileForm(
      { name: 'My tools', title: ' Tools ', paths: '~/.toolrc\n\n  {"darwin":"~/Library/Tool","linux":"~/.config/tool"}\n', exclude: '*.log\n' },
      opts,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.profile).toEqual({
      name: 'My tools',
      title: 'Tools',
      paths: ['~/.toolrc', { darwin: '~/Library/Tool', linux: '~/.config/tool' }],
      exclude: ['*.log'],
    });
    // What we send passes the host's own schema.
    expect(ProfileDefinition.safeParse(r.profile).success).toBe(true);
  });

  it('names each problem at its field', () => {
    const r = validateProfileForm({ name: '-bad', title: '', paths: '', exclude: '' }, opts);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.name).toMatch(/letters, digits/);
    expect(r.errors.paths).toMatch(/at least one path/);
  });

  it('refuses duplicate names for new profiles only', () => {
    expect(validateProfileForm({ name: 'ZSH', title: '', paths: '~/.zshrc', exclude: '' }, opts)).toMatchObject({ ok: false });
    expect(validateProfileForm({ name: 'zsh', title: '', paths: '~/.zshrc', exclude: '' }, { ...opts, isNew: false })).toMatchObject({ ok: true });
  });

  it('explains broken platform lines', () => {
    const bad = (paths: string) => {
      const r = validateProfileForm({ name: 'x', title: '', paths, exclude: '' }, opts);
      return r.ok ? null : r.errors.paths;
    };
    expect(bad('{"darwin":')).toMatch(/line 1: .*not valid JSON/);
    expect(bad('~/.a\n{"beos":"~/x"}')).toMatch(/line 2: unknown platform "beos"/);
    expect(bad('{}')).toMatch(/at least one platform/);
    expect(bad('{"linux":""}')).toMatch(/non-empty/);
  });

  it('round-trips a definition through the form', () => {
    const p = { name: 'vim', title: 'Vim', paths: ['~/.vimrc', { darwin: '~/Library/Vim' }], exclude: ['*.swp'] };
    const r = validateProfileForm(formFromProfile(p), { isNew: false, existingNames: [] });
    expect(r).toEqual({ ok: true, profile: p });
  });
});
