/**
 * A config dir copied to a new machine (people move their settings that way) carries a snapshot of
 * the files of the machine it came from. Read as the new machine's own record, it sent a deletion for
 * every file the new machine lacked and an edit for every one that differed: the first machine lost
 * them at its next sync. The copy is now met as a machine joining (policy 2): nothing on the first
 * machine is deleted or replaced, the new machine's own versions are kept (beside the repo's where
 * they differ), and the person is told. Distinct host names; assertions on the live folders.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Machine, bareRemote } from '../helpers/machine.js';
import { liveTree, startWithDots } from './helpers.js';

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
});

const live = (m: Machine) => liveTree(m.path('dots'));
const told = (m: Machine) => m.engine.store.getState().activity.map((x) => x.text).join('\n');

for (const hostName of ['charlie', 'alpha'] as const) {
  describe(`alpha's config dir copied to a new machine (its host name: ${hostName})`, () => {
    it("alpha loses nothing and gets nothing replaced; the new machine keeps its own versions and is told", async () => {
      const remote = bareRemote();
      const a = new Machine('alpha', { remote, profiles: ['dots'] });
      open.push(a);
      a.write('dots/keep.conf', 'keep v1\n');
      a.write('dots/edit.conf', 'edit v1\n');
      a.write('dots/gone.conf', 'only alpha has me\n');
      a.write('dots/bin/run.sh', '#!/bin/sh\necho hi\n');
      chmodSync(a.path('dots/bin/run.sh'), 0o755);
      await startWithDots(a);
      const before = live(a);

      // The new machine: alpha's whole config dir copied over (alpha runs on), minus its lock.
      const c = new Machine('charlie', { remote, profiles: ['dots'] });
      open.push(c);
      rmSync(c.configDir, { recursive: true, force: true });
      cpSync(a.configDir, c.configDir, { recursive: true, verbatimSymlinks: true });
      for (const f of readdirSync(c.configDir)) if (/lock|daemon\.json/.test(f)) rmSync(join(c.configDir, f), { force: true, recursive: true });
      const cfg = JSON.parse(readFileSync(join(c.configDir, 'config.json'), 'utf8'));
      cfg.hostName = hostName;
      writeFileSync(join(c.configDir, 'config.json'), JSON.stringify(cfg));
      // Its own files: one the same, one different, an extra one; gone.conf and run.sh it never had.
      c.write('dots/keep.conf', 'keep v1\n');
      c.write('dots/edit.conf', 'edit on the new machine\n');
      c.write('dots/mine.conf', 'only the new machine has me\n');

      await c.open();
      await c.sync();
      await a.sync();
      // Nothing of alpha's was deleted or replaced.
      for (const [rel, v] of before) expect(live(a).get(rel), rel).toBe(v);
      expect(a.read('dots/edit.conf')).toBe('edit v1\n');
      // The new machine has alpha's files it never had, its extra file, and its own edit.conf beside
      // the repo's version (a first meeting: the repo's stays at the path).
      expect(c.read('dots/gone.conf')).toBe('only alpha has me\n');
      expect(statSync(c.path('dots/bin/run.sh')).mode & 0o777).toBe(0o755);
      expect(c.read('dots/mine.conf')).toBe('only the new machine has me\n');
      expect(c.read('dots/edit.conf')).toBe('edit v1\n');
      const copies = [...live(c).keys()].filter((rel) => /^edit\.conflict-/.test(rel));
      expect(copies.map((rel) => c.read(`dots/${rel}`))).toEqual(['edit on the new machine\n']);
      expect(told(c)).toMatch(/This config dir is a copy .* every file here is compared afresh/);
    });
  });
}

describe('the config dir it always was', () => {
  it('a restart keeps the record: a deletion made while stopped is sent, not undone', async () => {
    const remote = bareRemote();
    const a = new Machine('alpha', { remote, profiles: ['dots'] });
    open.push(a);
    a.write('dots/one.conf', '1\n');
    a.write('dots/two.conf', '2\n');
    await startWithDots(a);
    await a.stop();
    a.remove('dots/two.conf');
    await a.open();
    await a.sync();
    expect(a.read('dots/two.conf')).toBeNull();
    expect(told(a)).not.toMatch(/is a copy/);
  });
});
