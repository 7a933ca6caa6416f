/**
 * Privacy (0600) through conflicts: a conflict copy of a private file is private wherever it is written,
 * and a private file kept over another machine's deletion stays private, on every machine including one
 * that joins afterwards. Three machines with distinct host names (alpha, bravo, charlie).
 *
 * Found by a probe of kinds, modes and names: before the fix the copy made by a merge was 0644 on both
 * machines (holding alpha's private content), and a delete-vs-modify conflict dropped the record.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { chmodSync, readdirSync, statSync } from 'node:fs';
import { Machine, bareRemote } from '../helpers/machine.js';
import { startWithDots } from './helpers.js';

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
});

const mode = (m: Machine, rel: string) => (statSync(m.path(rel)).mode & 0o777).toString(8);

async function pair(setup: (a: Machine) => void) {
  const remote = bareRemote();
  const a = new Machine('alpha', { remote, profiles: ['dots'] });
  const b = new Machine('bravo', { remote, profiles: ['dots'] });
  open.push(a, b);
  setup(a);
  await startWithDots(a);
  await b.open();
  await b.sync();
  return { a, b, remote };
}

describe('privacy through conflicts', () => {
  it('the conflict copy of a 0600 file is 0600 on both machines', async () => {
    const { a, b } = await pair((m) => {
      m.write('dots/secret.conf', 'k = 1\n');
      chmodSync(m.path('dots/secret.conf'), 0o600);
    });
    expect(mode(b, 'dots/secret.conf')).toBe('600');
    a.write('dots/secret.conf', 'k = ALPHA\n');
    b.write('dots/secret.conf', 'k = BRAVO\n');
    await a.sync();
    await b.sync();
    await a.sync();
    for (const m of [a, b]) {
      const names = readdirSync(m.path('dots')).filter((n) => n.startsWith('secret'));
      expect(names).toHaveLength(2);
      for (const n of names) expect(`${m.name} ${n} ${mode(m, `dots/${n}`)}`).toBe(`${m.name} ${n} 600`);
    }
  });

  it('a 0600 file kept over another machine’s deletion stays 0600 everywhere, and on a machine that joins', async () => {
    const { a, b, remote } = await pair((m) => {
      m.write('dots/netrc', 'p = 1\n');
      chmodSync(m.path('dots/netrc'), 0o600);
    });
    a.remove('dots/netrc');
    await a.sync();
    b.write('dots/netrc', 'p = 2\n');
    await b.sync();
    await a.sync();
    const c = new Machine('charlie', { remote, profiles: ['dots'] });
    open.push(c);
    await c.open();
    await c.sync();
    for (const m of [a, b, c]) expect(`${m.name} ${m.read('dots/netrc')} ${mode(m, 'dots/netrc')}`).toBe(`${m.name} p = 2\n 600`);
  });

  it('an exec bit added on alpha arrives as 0755 on bravo’s existing 0644 file, with bravo’s edit merged', async () => {
    const { a, b } = await pair((m) => m.write('dots/run.sh', '#!/bin/sh\necho one\n\n\n\necho two\n'));
    expect(mode(b, 'dots/run.sh')).toBe('644');
    chmodSync(a.path('dots/run.sh'), 0o755);
    b.write('dots/run.sh', '#!/bin/sh\necho one\n\n\n\necho two, from bravo\n');
    await a.sync();
    await b.sync();
    await a.sync();
    for (const m of [a, b]) {
      expect(mode(m, 'dots/run.sh')).toBe('755');
      expect(m.read('dots/run.sh')).toBe('#!/bin/sh\necho one\n\n\n\necho two, from bravo\n');
    }
  });

  it('a file made read-only (0444) on bravo stays read-only when alpha’s edit arrives', async () => {
    const { a, b } = await pair((m) => m.write('dots/ro.conf', 'ro\n'));
    chmodSync(b.path('dots/ro.conf'), 0o444);
    await b.sync();
    a.write('dots/ro.conf', 'ro alpha\n');
    await a.sync();
    await b.sync();
    expect(b.read('dots/ro.conf')).toBe('ro alpha\n');
    expect(mode(b, 'dots/ro.conf')).toBe('444');
    expect(mode(a, 'dots/ro.conf')).toBe('644');
  });
});
