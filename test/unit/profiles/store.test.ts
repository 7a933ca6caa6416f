import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { ProfileDefinition } from '../../../shared/contract';
import {
  PROFILES_FILE,
  profilesFilePath,
  readProfilesFile,
  writeProfilesFile,
  upsertProfile,
  removeProfile,
  effectiveProfiles,
  effectiveProfilesWithSource,
} from '../../../electron/engine/profiles/store';
import { loadCatalog } from '../../../electron/engine/profiles/catalog';
import { tmpHome, put } from './helpers';

const a: ProfileDefinition = { name: 'zeta', title: 'Zeta', paths: ['~/.zeta'], exclude: [] };
const b: ProfileDefinition = { name: 'alpha', paths: [{ win32: '~/AppData/alpha', darwin: '~/Library/alpha' }, '~/.alpha/'], exclude: ['*.log'] };

function repo(): string {
  return tmpHome('confsync-repo-');
}

describe('profiles.json store', () => {
  it('a missing file is an empty list without error', () => {
    expect(readProfilesFile(repo())).toEqual({ profiles: [], error: null });
  });

  it('round-trips, sorted, canonical, pretty, atomic', () => {
    const dir = repo();
    expect(writeProfilesFile(dir, [a, b])).toBe(true);
    const file = profilesFilePath(dir);
    expect(file).toBe(path.join(dir, '.confsync', 'profiles.json'));
    const text = fs.readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text).toContain('\n  "profiles": [\n');
    const json = JSON.parse(text);
    expect(json.version).toBe(1);
    expect(json.profiles.map((p: ProfileDefinition) => p.name)).toEqual(['alpha', 'zeta']);
    // stable key order inside a platform object; empty exclude omitted
    expect(Object.keys(json.profiles[0].paths[0])).toEqual(['darwin', 'win32']);
    expect(json.profiles[1]).toEqual({ name: 'zeta', title: 'Zeta', paths: ['~/.zeta'] });
    // no temp files left behind
    expect(fs.readdirSync(path.dirname(file))).toEqual(['profiles.json']);

    const r = readProfilesFile(dir);
    expect(r.error).toBeNull();
    expect(r.profiles).toEqual([b, a]);
    // same content again: nothing written, identical bytes on every machine
    expect(writeProfilesFile(dir, [b, a])).toBe(false);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  it('malformed JSON gives an error naming the file and keeps the last good list', () => {
    const dir = repo();
    writeProfilesFile(dir, [a]);
    expect(readProfilesFile(dir).profiles).toEqual([a]);
    fs.writeFileSync(profilesFilePath(dir), '{ "version": 1, "profiles": [ { "name": ');
    const r = readProfilesFile(dir);
    expect(r.error).toContain(PROFILES_FILE);
    expect(r.error).toMatch(/not valid JSON/);
    expect(r.profiles).toEqual([a]);
  });

  it('malformed JSON in a repo never read before gives an empty list', () => {
    const dir = repo();
    put(profilesFilePath(dir), 'nope');
    const r = readProfilesFile(dir);
    expect(r.profiles).toEqual([]);
    expect(r.error).toContain('profiles.json');
  });

  it('a schema violation names the key', () => {
    const dir = repo();
    put(profilesFilePath(dir), JSON.stringify({ version: 1, profiles: [{ name: 'ok', paths: ['~/.ok'] }, { name: 'bad', paths: 'not-an-array' }] }));
    const r = readProfilesFile(dir);
    expect(r.profiles).toEqual([]);
    expect(r.error).toContain(PROFILES_FILE);
    expect(r.error).toContain('profiles.1.paths');

    put(profilesFilePath(dir), JSON.stringify({ version: 1, profiles: [{ name: 'ok', paths: ['~/.ok'], extra: true }] }));
    expect(readProfilesFile(dir).error).toMatch(/profiles\.0/);

    put(profilesFilePath(dir), JSON.stringify([]));
    expect(readProfilesFile(dir).error).toMatch(/version|profiles/);
  });

  it('rejects unsafe paths from a remote, naming the entry', () => {
    const dir = repo();
    writeProfilesFile(dir, [a]);
    for (const paths of [['~/.ok', '~/../../etc/cron.d'], ['/'], ['~'], ['~/x\u0000y'], ['~/dots/.git/hooks']]) {
      put(profilesFilePath(dir), JSON.stringify({ version: 1, profiles: [{ name: 'evil', paths }] }));
      const r = readProfilesFile(dir);
      expect(r.error, JSON.stringify(paths)).toMatch(/profiles\.0\.paths\.\d+ \("evil"\)/);
      expect(r.profiles).toEqual([a]);
    }
  });

  it('refuses a symlinked profiles.json', () => {
    const dir = repo();
    const target = put(path.join(tmpHome(), 'secret'), 'root:x:0:0');
    fs.mkdirSync(path.join(dir, '.confsync'));
    fs.symlinkSync(target, profilesFilePath(dir));
    const r = readProfilesFile(dir);
    expect(r.error).toMatch(/symbolic link/);
    expect(r.error).not.toContain('root:x');
  });

  it('rejects duplicate names (case-insensitive) and newer versions', () => {
    const dir = repo();
    put(profilesFilePath(dir), JSON.stringify({ version: 1, profiles: [{ name: 'Git', paths: ['~/.a'] }, { name: 'git', paths: ['~/.b'] }] }));
    expect(readProfilesFile(dir).error).toMatch(/profiles\.1\.name: duplicate/);
    put(profilesFilePath(dir), JSON.stringify({ version: 2, profiles: [] }));
    expect(readProfilesFile(dir).error).toMatch(/newer ConfSync/);
  });

  it('writing refuses invalid definitions', () => {
    const dir = repo();
    expect(() => writeProfilesFile(dir, [{ name: 'x', paths: [] }])).toThrow(/invalid profiles/);
    expect(() => writeProfilesFile(dir, [{ name: 'x', paths: ['~/../y'] }])).toThrow(/\.\./);
    expect(fs.existsSync(profilesFilePath(dir))).toBe(false);
  });

  it('upsert and remove', () => {
    let list: ProfileDefinition[] = [];
    list = upsertProfile(list, a);
    list = upsertProfile(list, b);
    expect(list.map((p) => p.name)).toEqual(['zeta', 'alpha']);
    const a2 = { ...a, title: 'Zeta 2' };
    list = upsertProfile(list, a2);
    expect(list).toEqual([a2, b]);
    expect(removeProfile(list, 'ZETA')).toEqual([b]);
    expect(removeProfile(list, 'nope')).toEqual(list);
  });

  it('effective profiles = catalog + custom, custom overriding by name', () => {
    const catalog = loadCatalog();
    const myGit: ProfileDefinition = { name: 'git', title: 'My git', paths: ['~/.gitconfig'], exclude: [] };
    const mine: ProfileDefinition = { name: 'my-tool', paths: ['~/.mytool'], exclude: [] };
    const eff = effectiveProfiles([mine, myGit]);
    expect(eff).toHaveLength(catalog.length + 1);
    expect(eff.find((p) => p.name === 'git')).toEqual(myGit);
    expect(eff.at(-1)).toEqual(mine);
    const src = Object.fromEntries(effectiveProfilesWithSource([mine, myGit]).map((e) => [e.profile.name, e.source]));
    expect(src).toMatchObject({ git: 'override', 'my-tool': 'custom', zsh: 'catalog' });
  });
});
