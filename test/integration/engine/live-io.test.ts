/**
 * Live paths owned by a feature's LiveIO port (macOS preference domains through cfprefsd): the sync
 * core reads the owner's view, not the file, and applies through the owner, with the owner's notice
 * shown to the person. Two machines with distinct host names (laptop-a, desk-b), one bare remote.
 * The port here is an in-memory owner (what cfprefsd would hold); the real `defaults` port is tested
 * with recorded commands in test/unit/macos and test/integration/macos.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Machine, bareRemote, git } from '../../helpers/machine';
import { defaultFeatures, type Feature } from '../../../electron/engine/features';
import type { LiveIO } from '../../../electron/engine/sync/guards';

const DOMAIN_FILE = 'Library/Preferences/com.example.App.plist';
const PROFILE = { name: 'exampleapp', paths: [`~/${DOMAIN_FILE}`], app: 'Example' };

class Owner implements LiveIO {
  readonly name = 'owner';
  view = new Map<string, Buffer>();
  writes: { live: string; content: string; app?: string }[] = [];
  running = true;
  owns(live: string) {
    return live.includes('/Library/Preferences/');
  }
  async read(live: string) {
    return this.view.get(live) ?? null;
  }
  async write(live: string, content: Buffer, ctx: { app?: string }) {
    this.view.set(live, content);
    this.writes.push({ live, content: content.toString(), ...(ctx.app ? { app: ctx.app } : {}) });
    return this.running && ctx.app ? { notice: `Quit and reopen ${ctx.app} to use the new settings` } : {};
  }
}

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
});

function machine(name: string, remote: string, owner: Owner): Machine {
  const feature: Feature = { name: 'test-owner', liveIO: [owner] };
  const m = new Machine(name, { remote, profiles: [], features: () => [...defaultFeatures(), feature] });
  open.push(m);
  return m;
}

describe('live paths read and written through their owner', () => {
  it('commits the owner\'s view, applies through the owner, and says what the person must do', async () => {
    const remote = bareRemote();
    const ownerA = new Owner();
    const a = machine('laptop-a', remote, ownerA);
    // On disk: a stale file; the owner's current view differs (cfprefsd has not written it yet).
    a.write(DOMAIN_FILE, 'stale-on-disk');
    ownerA.view.set(a.path(DOMAIN_FILE), Buffer.from('<plist>gap=5</plist>'));
    await a.open();
    await a.invoke('profiles:save', { profile: PROFILE });
    await a.invoke('profiles:set-enabled', { name: 'exampleapp', enabled: true });
    await a.sync();
    expect(git(remote, 'show', `main:exampleapp/${DOMAIN_FILE}`)).toBe('<plist>gap=5</plist>');

    const ownerB = new Owner();
    const b = machine('desk-b', remote, ownerB);
    await b.open();
    await b.sync();
    await b.invoke('profiles:set-enabled', { name: 'exampleapp', enabled: true });
    await b.sync();
    // Arrived through the owner on desk-b (its file on disk was never written behind the owner's back).
    expect(ownerB.writes).toEqual([{ live: b.path(DOMAIN_FILE), content: '<plist>gap=5</plist>', app: 'Example' }]);

    // A change on laptop-a (through the owner) arrives on desk-b with the owner's words.
    ownerA.view.set(a.path(DOMAIN_FILE), Buffer.from('<plist>gap=7</plist>'));
    a.write(DOMAIN_FILE, 'cfprefsd-flushed-binary'); // cfprefsd writes the file: the watcher's hint
    await a.sync();
    const r = await b.sync();
    expect(ownerB.view.get(b.path(DOMAIN_FILE))?.toString()).toBe('<plist>gap=7</plist>');
    expect(r.warnings).toContain('Quit and reopen Example to use the new settings');
    expect(b.engine.store.getState().conflicts).toEqual([]);
    // Nothing of the files on disk was committed.
    expect(git(remote, 'log', '-p', 'main', '--', `exampleapp/${DOMAIN_FILE}`)).not.toMatch(/stale-on-disk|cfprefsd-flushed/);
    expect(readFileSync(join(a.home, DOMAIN_FILE), 'utf8')).toBe('cfprefsd-flushed-binary');
  });

  it('an owner that refuses leaves the live settings as they were and says why', async () => {
    const remote = bareRemote();
    const ownerA = new Owner();
    const a = machine('laptop-a', remote, ownerA);
    a.write(DOMAIN_FILE, 'x');
    ownerA.view.set(a.path(DOMAIN_FILE), Buffer.from('<plist>v1</plist>'));
    await a.open();
    await a.invoke('profiles:save', { profile: PROFILE });
    await a.invoke('profiles:set-enabled', { name: 'exampleapp', enabled: true });
    await a.sync();

    const ownerB = new Owner();
    ownerB.write = async () => {
      throw new Error('defaults import failed: Could not write domain com.example.App; exiting');
    };
    const b = machine('desk-b', remote, ownerB);
    b.write(DOMAIN_FILE, 'y');
    ownerB.view.set(b.path(DOMAIN_FILE), Buffer.from('<plist>v1</plist>'));
    await b.open();
    await b.sync();
    await b.invoke('profiles:set-enabled', { name: 'exampleapp', enabled: true });
    await b.sync();
    ownerA.view.set(a.path(DOMAIN_FILE), Buffer.from('<plist>v2</plist>'));
    a.write(DOMAIN_FILE, 'x2');
    await a.sync();
    const r = await b.sync();
    expect(ownerB.view.get(b.path(DOMAIN_FILE))?.toString()).toBe('<plist>v1</plist>');
    expect(JSON.stringify(r)).toContain('Could not write domain com.example.App');
    // desk-b's unchanged version was not sent back over laptop-a's.
    expect(git(remote, 'show', `main:exampleapp/${DOMAIN_FILE}`)).toBe('<plist>v2</plist>');
  });
});
