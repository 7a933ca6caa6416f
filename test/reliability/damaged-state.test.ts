/**
 * Damaged state in the config dir or the repo meets a refusal in words, never a pass that reads the
 * damage as the person's intent. Two machines with distinct host names share a bare remote; what is
 * asserted is what each person sees in their live folder.
 * - An empty branch ref (what a crash before the disk was written can leave) used to read as an empty
 *   HEAD tree: every synced file looked deleted by the repo, and alpha's live files were deleted.
 * - So did a branch ref naming a commit the repo does not have (`ls-tree` failed, read as empty).
 * - A garbage `.git/index` failed every sync for ever ("index file smaller than expected").
 * - A half-written `.confsync/modes.json` in the repo read as "nothing is private": a machine joining
 *   got a 0600 file as 0644, and nobody was told.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Machine, bareRemote, git, tmp } from '../helpers/machine.js';
import { liveTree, startWithDots } from './helpers.js';

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
});

async function pair(): Promise<{ a: Machine; b: Machine; remote: string }> {
  const remote = bareRemote();
  const a = new Machine('alpha', { remote, profiles: ['dots'] });
  const b = new Machine('bravo', { remote, profiles: ['dots'] });
  open.push(a, b);
  a.write('dots/shell.conf', 'alias ll="ls -l"\n');
  a.write('dots/git/config', '[user]\n\tname = Alpha\n');
  a.write('dots/editor.json', '{ "tabSize": 2 }\n');
  a.write('dots/netrc', 'machine example.com login alpha\n');
  chmodSync(a.path('dots/netrc'), 0o600);
  await startWithDots(a);
  await b.open();
  await b.sync();
  return { a, b, remote };
}

const perm = (m: Machine, rel: string) => (statSync(m.path(rel)).mode & 0o777).toString(8);
const told = (m: Machine) => m.engine.store.getState().activity.map((x) => `${x.kind}: ${x.text}`).join('\n');

/** Commits `content` as the repo's modes.json from a clone of its own, as a person or a broken tool might. */
function commitModes(remote: string, content: string): void {
  const w = join(tmp('cs-hand-'), 'w');
  git(dirname(w), 'clone', '-q', remote, w);
  writeFileSync(join(w, '.confsync', 'modes.json'), content);
  git(w, '-c', 'user.name=hand', '-c', 'user.email=hand@example.com', 'commit', '-q', '-am', 'modes.json by hand');
  git(w, 'push', '-q', 'origin', 'HEAD:main');
}

const live = (m: Machine) => liveTree(m.path('dots'));

describe('a damaged repo', () => {
  it('an empty branch ref: the pass refuses and says why; no live file is deleted here or elsewhere', async () => {
    const { a, b } = await pair();
    const before = live(a);
    expect(before.size).toBe(4);
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

describe('a damaged index', () => {
  it('is set aside and rebuilt from HEAD at start; nothing live changes and syncing goes on', async () => {
    const { a, b } = await pair();
    const before = live(a);
    await a.stop();
    writeFileSync(join(a.repo, '.git', 'index'), 'garbage');
    await a.open();
    expect(told(a)).toMatch(/rebuilt the repo's index from HEAD/);
    expect((await a.sync()).kind).not.toBe('error');
    expect(live(a)).toEqual(before);
    a.write('dots/shell.conf', 'alias ll="ls -la"\n');
    expect((await a.sync()).kind).toBe('ok');
    await b.sync();
    expect(b.read('dots/shell.conf')).toBe('alias ll="ls -la"\n');
    expect(git(a.repo, 'status', '--porcelain')).toBe('');
  });
});

describe('a damaged modes.json in the repo', () => {
  it('every file that arrives is kept private and the person is told; the records are not written over; a repair is taken', async () => {
    const { a, b, remote } = await pair();
    expect(perm(b, 'dots/netrc')).toBe('600');
    commitModes(remote, '{"version":1,"modes":{"dots/ne');
    await a.sync();
    await b.sync();
    expect(perm(a, 'dots/netrc')).toBe('600');
    expect(perm(b, 'dots/netrc')).toBe('600');
    expect(told(a)).toMatch(/error: The repository's \.confsync\/modes\.json cannot be read \(not valid JSON/);
    // A machine that joins now gets the private file private, and is told why everything is.
    const c = new Machine('charlie', { remote, profiles: ['dots'] });
    open.push(c);
    await c.open();
    await c.sync();
    expect(c.read('dots/netrc')).toBe('machine example.com login alpha\n');
    expect(perm(c, 'dots/netrc')).toBe('600');
    expect(perm(c, 'dots/shell.conf')).toBe('600');
    expect(told(c)).toMatch(/modes\.json cannot be read.*kept private/);
    // Nobody wrote their own partial records over the damaged file meanwhile.
    b.write('dots/shell.conf', 'alias ll="ls -la"\n');
    await b.sync();
    await a.sync();
    expect(git(a.repo, 'show', 'HEAD:.confsync/modes.json')).toBe('{"version":1,"modes":{"dots/ne');
    // Repaired by hand: the records count again (a public file arriving now is not made private).
    commitModes(remote, JSON.stringify({ version: 1, modes: { 'dots/dots/netrc': 'private' } }));
    await c.sync();
    const d = new Machine('delta', { remote, profiles: ['dots'] });
    open.push(d);
    await d.open();
    await d.sync();
    expect(perm(d, 'dots/shell.conf')).toBe('644');
    expect(perm(d, 'dots/netrc')).toBe('600');
  });
});
