/**
 * Conflicts are recorded by host name. A machine renamed while a conflict was open showed the other
 * machine's version as "mine" (no version named after its new name, so the one at the path), and
 * "keep mine" kept the other machine's version: its own was dropped from its live files. The names a
 * config dir has run under are now remembered (hosts.json), and "mine" still means this machine's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Machine, bareRemote } from '../helpers/machine.js';
import { startWithDots } from './helpers.js';

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
});

describe('a machine renamed while a conflict is open', () => {
  it('"mine" still means its own version, and keeping it keeps it on both machines', async () => {
    const remote = bareRemote();
    const b = new Machine('bravo', { remote, profiles: ['dots'] });
    open.push(b);
    b.write('dots/edit.conf', 'edit BRAVO\n');
    await startWithDots(b);
    const a = new Machine('alpha', { remote, profiles: ['dots'] });
    open.push(a);
    a.write('dots/edit.conf', 'edit ALPHA own\n');
    await a.open();
    await a.sync();
    expect(a.engine.store.getState().conflicts.find((c) => c.path === 'dots/dots/edit.conf')!.mine.host).toBe('alpha');

    await a.stop();
    const cfgFile = join(a.configDir, 'config.json');
    writeFileSync(cfgFile, JSON.stringify({ ...JSON.parse(readFileSync(cfgFile, 'utf8')), hostName: 'alpha-new' }));
    await a.open();
    await a.sync();
    const shown = a.engine.store.getState().conflicts.find((c) => c.path === 'dots/dots/edit.conf')!;
    expect(shown.mine.host).toBe('alpha');
    expect(shown.theirs.host).toBe('bravo');
    expect(shown.summary).toMatch(/this machine had its own version/);
    await a.invoke('conflicts:resolve', { path: 'dots/dots/edit.conf', keep: 'mine' });
    await a.sync();
    await b.sync();
    expect(a.read('dots/edit.conf')).toBe('edit ALPHA own\n');
    expect(b.read('dots/edit.conf')).toBe('edit ALPHA own\n');
  });
});
