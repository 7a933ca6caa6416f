/**
 * Encrypted files through the flows around them: a conflict copy received by the other machine,
 * restoring an earlier version, a change of mode alone.
 * Two machines with distinct host names (alpha, bravo) share one age identity. The promise: no
 * plain text of an encrypted file ever reaches the repo or the remote, and the live file is always the
 * plain text, never the ciphertext.
 *
 * Found by a probe of secrets, variants and joins.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Machine, bareRemote, git } from '../helpers/machine.js';
import { defaultFeatures } from '../../electron/engine/features/index.js';
import { memorySealer, newIdentity } from '../helpers/age-sealer.js';

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
});

const DOTS = { name: 'dots', paths: ['~/dots'] };

function machine(name: string, remote: string, identity: string): Machine {
  const sealer = memorySealer(identity);
  const m = new Machine(name, { remote, profiles: ['dots'], features: () => [...defaultFeatures(), { name: 'test-sealer', sealer }] });
  open.push(m);
  return m;
}

/** Everything the remote ever held, as text. */
const history = (remote: string) => execFileSync('git', ['-C', remote, 'log', '-p', '--all', '--text'], { maxBuffer: 64 << 20 }).toString('latin1');

/** Every regular file under ~/dots: name → content. */
function files(m: Machine): Record<string, string> {
  const out: Record<string, string> = {};
  const dir = m.path('dots');
  for (const n of readdirSync(dir).sort()) out[n] = readFileSync(join(dir, n), 'latin1');
  return out;
}

/** alpha with ~/dots/x.conf synced (encrypted when asked) to a new remote. */
async function alphaWith(content: string, encrypt: boolean): Promise<{ remote: string; identity: string; a: Machine }> {
  const remote = bareRemote();
  const identity = await newIdentity();
  const a = machine('alpha', remote, identity);
  a.write('dots/x.conf', content);
  await a.open();
  await a.invoke('profiles:save', { profile: DOTS });
  if (encrypt) await a.invoke('secrets:add', { path: '~/dots/x.conf' });
  await a.sync();
  return { remote, identity, a };
}

/** bravo, with the same identity, joins and syncs. */
async function bravoJoins(remote: string, identity: string): Promise<Machine> {
  const b = machine('bravo', remote, identity);
  await b.open();
  await b.sync();
  return b;
}

async function encrypted(): Promise<{ remote: string; identity: string; a: Machine; b: Machine }> {
  const { remote, identity, a } = await alphaWith('user = start\n', true);
  const b = await bravoJoins(remote, identity);
  expect(b.read('dots/x.conf')).toBe('user = start\n');
  return { remote, identity, a, b };
}

describe('encrypted files in the flows around them', () => {
  it('a conflict copy received by the other machine stays encrypted in the repo, plain on disk', async () => {
    const { remote, a, b } = await encrypted();
    a.write('dots/x.conf', 'user = alpha-private\n');
    b.write('dots/x.conf', 'user = bravo-private\n');
    await a.sync();
    await b.sync();
    await a.sync();
    await b.sync();
    await a.sync();
    for (const m of [a, b]) {
      const live = Object.values(files(m)).sort();
      expect(live).toEqual(['user = alpha-private\n', 'user = bravo-private\n']);
    }
    const all = history(remote);
    expect(all).not.toContain('alpha-private');
    expect(all).not.toContain('bravo-private');
  });

  it('restoring an earlier version of an encrypted file puts its plain text live', async () => {
    const { remote, a, b } = await encrypted();
    a.write('dots/x.conf', 'user = first-secret\n');
    await a.sync();
    const v1 = git(a.repo, 'rev-parse', 'HEAD').trim();
    a.write('dots/x.conf', 'user = second\n');
    await a.sync();
    await b.sync();
    await a.invoke('history:restore', { path: '~/dots/x.conf', rev: v1 });
    await b.sync();
    for (const m of [a, b]) {
      expect(m.read('dots/x.conf')).toBe('user = first-secret\n');
      expect(Object.keys(files(m))).toEqual(['x.conf']);
      expect(statSync(m.path('dots/x.conf')).mode & 0o777).toBe(0o600);
    }
    // Settled: nothing more to commit on either machine, and no plain text anywhere in the remote.
    const head = git(remote, 'rev-parse', 'main').trim();
    await a.sync();
    await b.sync();
    expect(git(remote, 'rev-parse', 'main').trim()).toBe(head);
    expect(history(remote)).not.toContain('first-secret');
  });

  it('a mode change alone of an encrypted file commits no plain text', async () => {
    const { remote, a, b } = await encrypted();
    a.write('dots/x.conf', 'user = only-mode-changes\n');
    await a.sync();
    await b.sync();
    chmodSync(a.path('dots/x.conf'), 0o755);
    await a.sync();
    await b.sync();
    expect(history(remote)).not.toContain('only-mode-changes');
    expect(b.read('dots/x.conf')).toBe('user = only-mode-changes\n');
  });

  it('a secret removed on alpha while bravo edits it: the edit stays, encrypted, and no ciphertext is ever live', async () => {
    const { remote, a, b } = await encrypted();
    a.write('dots/x.conf', 'one = 1\nfive = 5\n');
    await a.sync();
    await b.sync();
    b.write('dots/x.conf', 'one = 1\nfive = BRAVO\n');
    await a.invoke('secrets:remove', { path: '~/dots/x.conf' });
    await b.sync();
    await a.sync();
    await b.sync();
    for (const m of [a, b]) {
      expect(Object.keys(files(m)).filter((n) => n.endsWith('.age'))).toEqual([]);
      expect(m.read('dots/x.conf')).toBe('one = 1\nfive = BRAVO\n');
    }
    expect(history(remote)).not.toContain('five = BRAVO');
  });

  it('a per-machine variant of an encrypted file is refused in words, and nothing changes', async () => {
    const { remote, a, b } = await encrypted();
    const head = git(remote, 'rev-parse', 'main').trim();
    const err = await a.invoke('variants:add', { path: '~/dots/x.conf', for: 'host:alpha' }).then(() => null, (e: Error) => e.message);
    expect(err).toMatch(/is stored encrypted; variants of an encrypted file are not supported/);
    await a.sync();
    await b.sync();
    expect(git(remote, 'rev-parse', 'main').trim()).toBe(head);
    for (const m of [a, b]) expect(Object.keys(files(m))).toEqual(['x.conf']);
  });

  it('encrypting a file that has per-machine variants is refused in words', async () => {
    const { a } = await alphaWith('x = 1\n', false);
    await a.invoke('variants:add', { path: '~/dots/x.conf', for: 'host:alpha' });
    const err = await a.invoke('secrets:add', { path: '~/dots/x.conf' }).then(() => null, (e: Error) => e.message);
    expect(err).toMatch(/has per-machine variants .*encrypting a file with variants is not supported/);
    expect(a.read('dots/x.conf')).toBe('x = 1\n');
  });

  it('a file alpha starts encrypting arrives on bravo, which had not changed it, with no conflict', async () => {
    const { remote, identity, a } = await alphaWith('x = 1\n', false);
    const b = await bravoJoins(remote, identity);
    await a.invoke('secrets:add', { path: '~/dots/x.conf' });
    a.write('dots/x.conf', 'x = 2\n');
    await a.sync();
    const r = await b.sync();
    await b.sync();
    expect(r.conflicts).toBe(0);
    expect(files(b)).toEqual({ 'x.conf': 'x = 2\n' });
    expect(b.engine.store.getState().conflicts).toEqual([]);
    expect(history(remote)).not.toContain('x = 2');
  });
});
