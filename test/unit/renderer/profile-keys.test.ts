import { describe, expect, it } from 'vitest';
import { emptyProfileForm, formFromProfile, parseKeyLines, validateProfileForm } from '../../../renderer/lib/profile-form';
import { ProfileDefinition } from '../../../shared/contract';

const opts = { isNew: true, existingNames: [] as string[] };
const form = (keys: { ignoreKeys?: string; localKeys?: string }) => ({ ...emptyProfileForm(), name: 'code', paths: '~/.config/Code/User/settings.json', ...keys });

describe('keys kept on each machine, in the profile form', () => {
  it('one glob per line, blank lines and surrounding spaces left out; saved only when there are some', () => {
    const r = validateProfileForm(form({ ignoreKeys: 'NSWindow Frame *\n\n  SU*  \n*LastLaunch*', localKeys: 'window.zoomLevel\n' }), opts);
    expect(r).toMatchObject({ ok: true });
    if (!r.ok) return;
    expect(r.profile.ignoreKeys).toEqual(['NSWindow Frame *', 'SU*', '*LastLaunch*']);
    expect(r.profile.localKeys).toEqual(['window.zoomLevel']);
    expect(ProfileDefinition.safeParse(r.profile).success).toBe(true);
    const none = validateProfileForm(form({ ignoreKeys: '\n \n' }), opts);
    expect(none.ok && 'ignoreKeys' in none.profile).toBe(false);
    expect(none.ok && 'localKeys' in none.profile).toBe(false);
  });

  it('round-trips through the definition, and editing keeps what the form has no field for', () => {
    const def: ProfileDefinition = { name: 'rect', title: 'Rectangle', paths: ['~/Library/Preferences/com.knollsoft.Rectangle.plist'], exclude: [], ignoreKeys: ['NSWindow Frame *', 'SU*'], localKeys: ['gapSize'], app: 'Rectangle', applyWhen: 'app-quit' };
    const f = formFromProfile(def);
    expect(f.ignoreKeys).toBe('NSWindow Frame *\nSU*');
    expect(f.localKeys).toBe('gapSize');
    const r = validateProfileForm(f, { isNew: false, existingNames: ['rect'], original: def });
    expect(r).toEqual({ ok: true, profile: def });
  });

  it('says what is wrong, at the field', () => {
    const bad = (keys: { ignoreKeys?: string; localKeys?: string }) => {
      const r = validateProfileForm(form(keys), opts);
      return r.ok ? null : r.errors;
    };
    expect(bad({ ignoreKeys: 'SU*\n*' })?.ignoreKeys).toBe('Line 2: “*” matches every key, so nothing in these files would sync. Name the keys, e.g. window.*');
    expect(bad({ localKeys: 'a.b\nc\na.b' })?.localKeys).toBe('Line 3 repeats line 1: “a.b”.');
    expect(bad({ ignoreKeys: 'x'.repeat(501) })?.ignoreKeys).toBe('Line 1: a key pattern can be at most 500 characters.');
    expect(bad({ ignoreKeys: Array.from({ length: 501 }, (_, i) => `k${i}`).join('\n') })?.ignoreKeys).toBe('At most 500 keys in one list.');
    expect(bad({ ignoreKeys: 'SU*\nwindow.zoomLevel', localKeys: 'window.zoomLevel' })?.localKeys).toBe('“window.zoomLevel” is an ignored key too. Keep it in one list: either way this machine keeps its own value.');
    // Other fields' errors do not hide these.
    const r = validateProfileForm({ ...form({ ignoreKeys: '**' }), paths: '' }, opts);
    expect(r.ok ? null : Object.keys(r.errors).sort()).toEqual(['ignoreKeys', 'paths']);
  });

  it('globs are literal but for * and ?: brackets and slashes are fine', () => {
    expect(parseKeyLines('[typescript].editor.tabSize\nfiles/assoc?\nNSNavPanel*')).toEqual({ ok: true, globs: ['[typescript].editor.tabSize', 'files/assoc?', 'NSNavPanel*'] });
    expect(parseKeyLines(undefined)).toEqual({ ok: true, globs: [] });
  });
});
