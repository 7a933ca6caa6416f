/**
 * Damaged state in the config dir or the repo meets a refusal in words, never a pass that reads the
 * damage as the person's intent. Two machines with distinct host names share a bare remote; what is
 * asserted is what each person sees in their live folder.
 * - An empty branch ref (what a crash before the disk was written can leave) used to read as an empty
 *   HEAD tree: every synced file looked deleted by the repo, and alpha's live files were deleted.
 * - So did a branch ref naming a commit the repo does not have (`ls-tree` failed, read as empty).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Machine, bareRemote } from '../helpers/machine.js';
import { liveTree } from './helpers.js';

const DOTS = { name: 'dots', paths: ['~/dots'] };
const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
});

async function pair(): Promise<{ a: Machine; b: Machine }> {
  const remote = bareRemote();
  const a = new Machine('alpha', { remote, profiles: ['dots'] });
  const b = new Machine('bravo', { remote, profiles: ['dots'] });
  open.push(a, b);
  a.write('dots/shell.conf', 'alias ll="ls -l"\n');
  a.write('dots/git/config', '[user]\n\tname = Alpha\n');
  a.write('dots/editor.json', '{ "tabSize": 2 }\n');
  await a.open();
  await a.invoke('profiles:save', { profile: DOTS });
  await a.sync();
  await b.open();
  await b.sync();
  return { a, b };
}

const live = (m: Machine) => liveTree(m.path('dots'));

describe('a damaged repo', () => {
  it('an empty branch ref: the pass refuses and says why; no live file is deleted here or elsewhere', async () => {
    const { a, b } = await pair();
    const before = live(a);
    expect(before.size).toBe(3);
    await a.stop();
    writeFileSync(join(a.repo, '.git', 'refs', 'heads', 'main'), '');
    await a.open();
    for (let i = 0; i < 2; i++) {
      const r = await a.sync();
      expect(r.kind).toBe('error');
      expect(r.detail).toMatch(/HEAD cannot be read: \.git\/refs\/heads\/main .*holds no commit.*Nothing was changed/);
      expect(live(a)).toEqual(before);
    }
    await a.restart();
    await a.sync();
    expect(live(a)).toEqual(before);
    await b.sync();
    expect(live(b)).toEqual(before);
  });

  it('a branch ref naming a commit the repo lacks: the pass fails; no live file is deleted', async () => {
    const { a, b } = await pair();
    const before = live(a);
    await a.stop();
    writeFileSync(join(a.repo, '.git', 'refs', 'heads', 'main'), `${'ab'.repeat(20)}\n`);
    await a.open();
    const r = await a.sync();
    expect(r.kind).toBe('error');
    expect(live(a)).toEqual(before);
    await b.sync();
    expect(live(b)).toEqual(before);
  });
});
