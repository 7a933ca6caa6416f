/**
 * folderMapper maps a folder's files the way mapLivePath maps each one (the scan uses it for every
 * file it finds): random profiles (nested entries, a file entry inside a folder entry, globs,
 * excludes of every form) and random folders and names, inside and outside them, give equal answers.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { posix } from 'node:path';
import { folderMapper, mapLivePath, resolveProfile, ProfileError } from '../../../electron/engine/profiles/paths';

const H = '/home/me';
const SEG = fc.constantFrom('a', 'b', 'conf', '.git', '.GIT', 'x.json', 'y.lua', 'back\\slash', 'sp ace', 'ü', 'skip', 'old.bak');
const PATHS = fc.constantFrom('~/a', '~/a/b', '~/a/b/x.json', '~/conf', '~/conf/*.json', '~/conf/**/*.lua', '~/a/skip', '~/g/{x,y}.*', '/etc/conf', '~/a/.git');
const EXCLUDES = fc.constantFrom('*.bak', 'skip', 'a/b/conf', '~/a/conf', '/etc/conf/b', '.git', 'x.*');

describe('folderMapper', () => {
  it('gives mapLivePath’s answer for every file of every folder', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(PATHS, { minLength: 1, maxLength: 4 }),
        fc.uniqueArray(EXCLUDES, { maxLength: 3 }),
        fc.array(fc.tuple(fc.constantFrom(H, `${H}/a`, `${H}/conf`, '/etc', '/etc/conf', `${H}/g`), fc.array(SEG, { maxLength: 3 }), SEG), { minLength: 1, maxLength: 20 }),
        (paths, exclude, files) => {
          let profile;
          try {
            profile = resolveProfile({ name: 'p', paths, exclude }, { home: H, platform: 'linux' });
          } catch (e) {
            if (e instanceof ProfileError) return; // overlapping entries that disagree: refused anyway
            throw e;
          }
          const mapper = folderMapper(profile);
          for (const [root, segs, name] of files) {
            const dir = posix.join(root, ...segs);
            expect(mapper(dir)(name), `${dir} + ${name}`).toEqual(mapLivePath(profile, posix.join(dir, name)));
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('answers for a folder an entry file sits in, and for names that are not plain', () => {
    const profile = resolveProfile({ name: 'p', paths: ['~/a', '~/a/b/x.json', '~/conf/*.json'], exclude: ['*.bak'] }, { home: H, platform: 'linux' });
    const m = folderMapper(profile);
    for (const [dir, name] of [
      [`${H}/a/b`, 'x.json'],
      [`${H}/a/b`, 'y.json'],
      [`${H}/a/b/`, 'y.json'],
      [`${H}/a/./b`, 'y.json'],
      [`${H}/conf`, 'k.json'],
      [`${H}/conf`, 'k.bak'],
      [`${H}/conf/sub`, 'k.json'],
      [`${H}/a`, '..'],
      [`${H}/a`, ''],
      ['/', 'a'],
    ] as const) {
      expect(m(dir)(name), `${dir} + ${name}`).toEqual(mapLivePath(profile, posix.join(dir, name)));
    }
    expect(m(`${H}/a/b`)('y.json')).toEqual({ repo: 'p/a/b/y.json', entry: expect.objectContaining({ key: 'a' }) });
    expect(m(`${H}/conf`)('k.bak')).toBeNull();
  });
});
