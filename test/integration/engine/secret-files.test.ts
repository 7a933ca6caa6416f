/**
 * Encrypted files end to end: three machines with distinct host names — laptop-a and desk-b share the
 * person's age identity, vm-c does not have it yet — and one bare remote. A `.npmrc` with a token is
 * held back by the secrets guard, then marked as a secret: the remote only ever holds it encrypted
 * (`git log -p` never shows the token), it arrives plain and owner-only where the identity is, edits
 * and merges work on the plain text, and the machine without the identity keeps working and says
 * which file it cannot open.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Machine, bareRemote, git } from '../../helpers/machine';
import { defaultFeatures } from '../../../electron/engine/features';
import { memorySealer, newIdentity } from '../../helpers/age-sealer';

const TOKEN = 'npm_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
const TOKEN2 = 'npm_' + 'Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2';
const NPMRC = `registry=https://registry.npmjs.org/\nfund=false\naudit=false\n//registry.npmjs.org/:_authToken=${TOKEN}\n`;
const NPM = { name: 'npm', paths: ['~/.npmrc'] };

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
});

function machine(name: string, remote: string, identity: string | null): Machine {
  const sealer = memorySealer(identity);
  const m = new Machine(name, { remote, profiles: ['zsh'], features: () => [...defaultFeatures(), { name: 'test-sealer', sealer }] });
  open.push(m);
  return m;
}

const everything = (remote: string) => execFileSync('git', ['-C', remote, 'log', '-p', '--all', '--text'], { maxBuffer: 64 << 20 }).toString('latin1');

describe('encrypted files', () => {
  it('the remote never holds the token; machines with the identity get the plain file; one without keeps working', async () => {
    const remote = bareRemote();
    const identity = await newIdentity();
    const a = machine('laptop-a', remote, identity);
    a.write('.npmrc', NPMRC);
    a.write('.zshrc', 'export A=1\n');
    await a.open();
    await a.invoke('profiles:save', { profile: NPM });
    await a.invoke('profiles:set-enabled', { name: 'npm', enabled: true });
    const held = await a.sync();
    expect(JSON.stringify(held.skipped)).toMatch(/holds a secret/);
    expect(JSON.stringify(held.skipped)).toContain('or encrypt the file instead: `confsync secret add npm/.npmrc`');
    expect(everything(remote)).not.toContain(TOKEN);

    const r = await a.invoke('secrets:add', { path: '~/.npmrc' });
    expect(r.message).toContain('.npmrc is now encrypted in the repo (.npmrc.age)');
    expect(git(remote, 'ls-tree', '-r', '--name-only', 'main')).toContain('npm/.npmrc.age');
    expect(git(remote, 'ls-tree', '-r', '--name-only', 'main')).not.toMatch(/npm\/\.npmrc\n/);
    expect(everything(remote)).not.toContain(TOKEN);
    expect(statSync(a.path('.npmrc')).mode & 0o777).toBe(0o600);
    expect(a.read('.npmrc')).toBe(NPMRC);
    // Nothing more to do on laptop-a: the encrypted file is in sync.
    const again = await a.sync();
    expect(again.committed).toBe(0);

    const b = machine('desk-b', remote, identity);
    await b.open();
    await b.sync();
    await b.invoke('profiles:set-enabled', { name: 'npm', enabled: true });
    await b.sync();
    expect(b.read('.npmrc')).toBe(NPMRC);
    expect(statSync(b.path('.npmrc')).mode & 0o777).toBe(0o600);

    const c = machine('vm-c', remote, null);
    await c.open();
    await c.sync();
    await c.invoke('profiles:set-enabled', { name: 'npm', enabled: true });
    const onC = await c.sync();
    expect(c.read('.npmrc')).toBeNull();
    expect(JSON.stringify(onC.skipped)).toContain('does not have yet');
    expect(await c.invoke('secrets:list')).toEqual([{ path: 'npm/.npmrc', live: c.path('.npmrc'), canOpen: false }]);
    expect(c.read('.zshrc')).toBe('export A=1\n'); // everything else syncs
    // vm-c cannot make a second identity by marking a file: it must import the person's first.
    c.write('.netrc', 'machine x login y password z\n');
    await expect(c.invoke('secrets:add', { path: '~/.npmrc' })).rejects.toThrow(/already encrypted/);
    await c.invoke('profiles:save', { profile: { name: 'netrc', paths: ['~/.netrc'] } });
    await c.invoke('profiles:set-enabled', { name: 'netrc', enabled: true });
    await expect(c.invoke('secrets:add', { path: '~/.netrc' })).rejects.toThrow(/import it first/);

    // An edit on desk-b arrives on laptop-a; a concurrent edit of another line there merges as plain text.
    b.write('.npmrc', NPMRC.replace(TOKEN, TOKEN2));
    a.write('.npmrc', NPMRC.replace('fund=false\n', 'fund=false\nsave-exact=true\n'));
    await b.sync();
    const merged = await a.sync();
    expect(merged.conflicts, JSON.stringify(a.engine.store.getState().conflicts)).toBe(0);
    expect(a.read('.npmrc')).toBe(NPMRC.replace(TOKEN, TOKEN2).replace('fund=false\n', 'fund=false\nsave-exact=true\n'));
    await b.sync();
    expect(b.read('.npmrc')).toBe(NPMRC.replace(TOKEN, TOKEN2).replace('fund=false\n', 'fund=false\nsave-exact=true\n'));
    const all = everything(remote);
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(TOKEN2);
    expect(all).not.toContain('save-exact');
    // vm-c is untouched and still says why.
    await c.sync();
    expect(c.read('.npmrc')).toBeNull();
    for (const m of [a, b]) expect(m.engine.store.getState().conflicts).toEqual([]);
  });

  it('unknown files and files not marked are clear errors; nothing changes', async () => {
    const remote = bareRemote();
    const a = machine('laptop-a', remote, await newIdentity());
    a.write('.zshrc', 'x\n');
    await a.open();
    await a.sync();
    const head = git(remote, 'rev-parse', 'main');
    await expect(a.invoke('secrets:remove', { path: '~/.zshrc' })).rejects.toThrow(/zsh\/\.zshrc is not an encrypted file \(none are; see `confsync secret add`\)/);
    await expect(a.invoke('secrets:add', { path: '~/.zshrx' })).rejects.toThrow(/did you mean ~\/\.zshrc\?/);
    expect(git(remote, 'rev-parse', 'main')).toBe(head);
  });

  it('a conflict on an encrypted file keeps both versions: the copy beside the file is plain and owner-only, the repo\'s is encrypted', async () => {
    const remote = bareRemote();
    const identity = await newIdentity();
    const a = machine('laptop-a', remote, identity);
    a.write('.npmrc', NPMRC);
    await a.open();
    await a.invoke('profiles:save', { profile: NPM });
    await a.invoke('profiles:set-enabled', { name: 'npm', enabled: true });
    await a.invoke('secrets:add', { path: '~/.npmrc' });
    const b = machine('desk-b', remote, identity);
    await b.open();
    await b.sync();
    await b.invoke('profiles:set-enabled', { name: 'npm', enabled: true });
    await b.sync();
    b.write('.npmrc', NPMRC.replace(TOKEN, TOKEN2));
    a.write('.npmrc', NPMRC.replace(TOKEN, 'npm_' + 'Q'.repeat(36)));
    await b.sync();
    const r = await a.sync();
    expect(r.conflicts).toBe(1);
    const [conflict] = a.engine.store.getState().conflicts;
    expect(a.read('.npmrc')).toContain('npm_' + 'Q'.repeat(36)); // mine stays live
    const copy = conflict!.theirs.copyPath!;
    expect(copy.endsWith('.age')).toBe(true);
    const liveCopy = a.path(copy.slice('npm/'.length, -'.age'.length));
    expect(a.read(copy.slice('npm/'.length, -'.age'.length))).toBe(NPMRC.replace(TOKEN, TOKEN2));
    expect(statSync(liveCopy).mode & 0o777).toBe(0o600);
    const all = everything(remote);
    for (const t of [TOKEN, TOKEN2, 'Q'.repeat(36)]) expect(all).not.toContain(t);
  });
});
