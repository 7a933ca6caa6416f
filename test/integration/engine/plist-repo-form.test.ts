/**
 * Binary plists are stored in the repo as canonical XML and written back binary (formats/plist-form.ts),
 * end to end with two machines, alpha and beta, and one bare remote. What the person sees: the app's
 * file stays a valid binary plist on every machine, with every edit; what cannot be converted exactly
 * is synced as it is; a repo written by an older version (binary blobs) keeps working.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Machine, bareRemote, git } from '../../helpers/machine';
import { decodePlist, encodePlist } from '../../../electron/engine/km/plist-codec';
import { readBinaryPlist, recordsBinaryLive, writeBinaryPlist, type PNode } from '../../../electron/engine/formats/plist-form';
import type { PlistValue } from '../../../electron/engine/km/types';

const PLIST = 'Library/Preferences/com.example.app.plist';
const PROFILE = { name: 'app', paths: [`~/${PLIST}`] };
const REPO_PATH = `app/${PLIST}`;

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
});

async function machine(name: string, remote: string, live?: Buffer, opts: { watch?: boolean; settings?: Record<string, unknown> } = {}): Promise<Machine> {
  const m = new Machine(name, { remote, profiles: [], ...opts });
  open.push(m);
  if (live) m.write(PLIST, live);
  await m.open();
  await m.invoke('profiles:save', { profile: PROFILE });
  await m.invoke('profiles:set-enabled', { name: 'app', enabled: true });
  return m;
}

const liveOf = (m: Machine) => readFileSync(m.path(PLIST));
const valueOf = (m: Machine) => decodePlist(liveOf(m)).value as Record<string, PlistValue>;
const repoBlob = (remote: string) => execFileSync('git', ['-C', remote, 'show', `main:${REPO_PATH}`]);
const isBinary = (b: Buffer) => b.subarray(0, 8).toString('latin1') === 'bplist00';

describe('binary plists in the repo as XML', () => {
  it('an edit on alpha arrives on beta binary, valid, with the edit; the repo holds XML; both edit and merge', async () => {
    const remote = bareRemote();
    const prefs = { Name: 'alpha', Count: 1, Ratio: 0.5, Tags: ['a', 'b'], Blob: Buffer.from('bookmark'), When: new Date('2026-12-01T10:00:00Z') };
    const a = await machine('alpha', remote, encodePlist(prefs, 'binary'));
    await a.sync();
    const stored = repoBlob(remote);
    expect(stored.toString('utf8')).toMatch(/^<\?xml/);
    expect(recordsBinaryLive(stored)).toBe(true);
    expect(stored.toString('utf8')).toContain('<key>Ratio</key>\n\t<real>0.5</real>');
    expect(isBinary(liveOf(a))).toBe(true); // alpha's own file is left as the app wrote it

    // beta has never had the file: it arrives binary, valid, with the same values.
    const b = await machine('beta', remote);
    await b.sync();
    expect(isBinary(liveOf(b))).toBe(true);
    expect(valueOf(b)).toEqual(prefs);

    // An edit on alpha arrives on beta: binary, with the edit; no commit from beta's side of it.
    a.write(PLIST, encodePlist({ ...prefs, Count: 2 }, 'binary'));
    await a.sync();
    const head = git(remote, 'rev-parse', 'main').trim();
    await b.sync();
    expect(isBinary(liveOf(b))).toBe(true);
    expect(valueOf(b).Count).toBe(2);
    await b.sync();
    expect(git(remote, 'rev-parse', 'main').trim()).toBe(head);

    // Both edit different keys: merged by key, binary on both machines, XML in the repo.
    a.write(PLIST, encodePlist({ ...valueOf(a), Name: 'edited on alpha' }, 'binary'));
    b.write(PLIST, encodePlist({ ...valueOf(b), Ratio: 0.75 }, 'binary'));
    await a.sync();
    const merged = await b.sync();
    expect(merged.conflicts).toBe(0);
    await a.sync();
    for (const m of [a, b]) {
      expect(isBinary(liveOf(m))).toBe(true);
      expect(valueOf(m)).toMatchObject({ Name: 'edited on alpha', Ratio: 0.75, Count: 2 });
    }
    expect(recordsBinaryLive(repoBlob(remote))).toBe(true);
  });

  it('a conflict copy of a binary plist is a binary plist too, on the machine that keeps its own version and on the other', async () => {
    const remote = bareRemote();
    const prefs = { Name: 'start', Count: 1 };
    const a = await machine('alpha', remote, encodePlist(prefs, 'binary'));
    await a.sync();
    // beta watches, with a long quiet window: its edit is still waiting when alpha's arrives.
    const b = await machine('beta', remote, undefined, { watch: true, settings: { sync: { debounceMs: 600_000, maxWaitMs: 3_600_000 } } });
    await b.sync();
    // Both change the same key: no merge by key; beta, which finds out, keeps its own at the path.
    a.write(PLIST, encodePlist({ ...prefs, Name: 'alpha’s name' }, 'binary'));
    await a.sync();
    b.write(PLIST, encodePlist({ ...prefs, Name: 'beta’s name' }, 'binary'));
    // A peer's hint: the watcher is trusted, so the change arrives while beta's edit is uncommitted.
    const r = await b.engine.syncNow({ reason: 'hint' });
    expect(r.conflicts).toBe(1);
    await b.sync();
    await a.sync();
    const copyOf = (m: Machine) => {
      const dir = join(m.home, 'Library/Preferences');
      const names = execFileSync('ls', [dir], { encoding: 'utf8' }).split('\n').filter((n) => n.includes('.conflict-'));
      expect(names).toHaveLength(1);
      return readFileSync(join(dir, names[0]));
    };
    for (const m of [a, b]) {
      expect(isBinary(liveOf(m))).toBe(true);
      expect(valueOf(m).Name).toBe('beta’s name');
      const copy = copyOf(m);
      expect(isBinary(copy)).toBe(true);
      expect(decodePlist(copy).value).toEqual({ ...prefs, Name: 'alpha’s name' });
    }
    // Written in the live form, recorded as the repo's version: nothing more to commit on either side.
    const head = git(remote, 'rev-parse', 'main').trim();
    await b.sync();
    await a.sync();
    expect(git(remote, 'rev-parse', 'main').trim()).toBe(head);
  });

  it('keeps a plist that XML cannot carry exactly as it is: the same bytes in the repo and on beta', async () => {
    const remote = bareRemote();
    // A date with fractions of a second (XML plists keep whole seconds) and integers bplist-parser misreads.
    const node: PNode = {
      t: 'dict',
      entries: [
        ['LastCheck', { t: 'date', v: 789_000_000.125 }],
        ['Big', { t: 'int', v: 2n ** 40n }],
        ['Unsigned', { t: 'int', v: 3_000_000_000n }],
      ],
    };
    const live = writeBinaryPlist(node);
    const a = await machine('alpha', remote, live);
    await a.sync();
    expect(repoBlob(remote).equals(live)).toBe(true);
    const b = await machine('beta', remote);
    await b.sync();
    expect(liveOf(b).equals(live)).toBe(true);
    expect(readBinaryPlist(liveOf(b))).toEqual(node);
  });

  it('stores integers bplist-parser misreads exactly, and writes them back exactly', async () => {
    const remote = bareRemote();
    const node: PNode = { t: 'dict', entries: [['Big', { t: 'int', v: 2n ** 40n }], ['Unsigned', { t: 'int', v: 3_000_000_000n }], ['Scale', { t: 'real', v: 1 }]] };
    const a = await machine('alpha', remote, writeBinaryPlist(node));
    await a.sync();
    const stored = repoBlob(remote).toString('utf8');
    expect(stored).toContain('<integer>1099511627776</integer>');
    expect(stored).toContain('<integer>3000000000</integer>');
    expect(stored).toContain('<real>1</real>');
    const b = await machine('beta', remote);
    await b.sync();
    expect(readBinaryPlist(liveOf(b))).toEqual(node);
  });

  it('an older repo holding binary blobs keeps working: converted once, with no conflict, and a joining machine meets no conflict', async () => {
    // What an older version left: the binary plist committed as it was. (Here: a limit under the XML
    // form's size, under which a binary plist is kept binary in the repo, as before.)
    const v1 = encodePlist({ Theme: 'dark', Size: 12 }, 'binary');
    const older = async (name: string, remote: string) => {
      const m = new Machine(name, { remote, profiles: [], settings: { sync: { maxFileBytes: 300 } } });
      open.push(m);
      m.write(PLIST, v1);
      await m.open();
      await m.invoke('profiles:save', { profile: PROFILE });
      await m.invoke('profiles:set-enabled', { name: 'app', enabled: true });
      await m.sync();
      expect(repoBlob(remote).equals(v1)).toBe(true);
      return m;
    };

    // Upgraded in place: the next sync stores the binary plist as XML, in one commit; the live file is untouched.
    const r1 = bareRemote();
    const a = await older('alpha', r1);
    a.engine.settings.update({ sync: { maxFileBytes: 5 * 1024 * 1024 } });
    rmSync(join(a.repo, '.git', 'confsync-repo-form'));
    const r = await a.sync();
    expect(r.conflicts).toBe(0);
    expect(recordsBinaryLive(repoBlob(r1))).toBe(true);
    expect(git(r1, 'log', '-1', '--format=%s', 'main')).toMatch(/store 1 binary plist as XML/);
    expect(liveOf(a).equals(v1)).toBe(true);
    await a.sync();
    expect(git(r1, 'log', '-1', '--format=%s', 'main')).toMatch(/store 1 binary plist as XML/); // nothing more

    // A machine joining a remote that was never converted, with the same file, as the setup flow joins
    // (the repo's history first, then its profiles): no conflict, the remote converted.
    const r2 = bareRemote();
    await older('alpha-old', r2);
    // (beta used ConfSync on its own first: its clone was looked at before it had the remote's history.)
    const b = new Machine('beta', { remote: null, profiles: [] });
    open.push(b);
    b.write(PLIST, v1);
    await b.open();
    await b.sync();
    b.engine.settings.update({ remote: { url: r2 } });
    await b.sync();
    await b.invoke('profiles:set-enabled', { name: 'app', enabled: true });
    expect((await b.sync()).conflicts).toBe(0);
    expect(b.engine.store.getState().conflicts).toEqual([]);
    expect(liveOf(b).equals(v1)).toBe(true);
    expect(recordsBinaryLive(repoBlob(r2))).toBe(true);

    // One that had committed its own history first (its own profile, its own file): the two histories
    // merge, and the same settings in two repo forms are no conflict either.
    const r3 = bareRemote();
    await older('alpha-older', r3);
    const d = await machine('delta', r3, v1);
    expect((await d.sync()).conflicts).toBe(0);
    expect(d.engine.store.getState().conflicts).toEqual([]);
    expect(liveOf(d).equals(v1)).toBe(true);
    expect(recordsBinaryLive(repoBlob(r3))).toBe(true);

    // From then on edits are stored as XML and arrive binary.
    a.write(PLIST, encodePlist({ Theme: 'light', Size: 12 }, 'binary'));
    await a.sync();
    const c = await machine('gamma', r1);
    await c.sync();
    expect(isBinary(liveOf(c))).toBe(true);
    expect(valueOf(c)).toEqual({ Theme: 'light', Size: 12 });
  });
});
