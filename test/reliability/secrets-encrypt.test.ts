/**
 * "Encrypt this file instead", over the whole secrets corpus: every file the guard holds back can be
 * marked as a secret, after which it syncs encrypted. laptop-a and desk-b (distinct hosts, one age
 * identity) and a bare remote: the remote's whole history never holds any corpus secret, and desk-b
 * gets every file byte for byte, owner-only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Machine, bareRemote } from '../helpers/machine';
import { defaultFeatures } from '../../electron/engine/features';
import { memorySealer, newIdentity } from '../helpers/age-sealer';
import { positiveCorpus } from '../unit/secrets/corpus';

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
});

function machine(name: string, remote: string, identity: string): Machine {
  const m = new Machine(name, { remote, profiles: [], features: () => [...defaultFeatures(), { name: 'test-sealer', sealer: memorySealer(identity) }] });
  open.push(m);
  return m;
}

describe('encrypt instead, for every secret the guard knows', () => {
  it('each held-back corpus file syncs encrypted; the remote never holds a secret; the other machine gets the plain file', async () => {
    const corpus = positiveCorpus();
    const remote = bareRemote();
    const identity = await newIdentity();
    const a = machine('laptop-a', remote, identity);
    for (const c of corpus) a.write(`corpus/${c.path}`, c.content);
    await a.open();
    await a.invoke('profiles:save', { profile: { name: 'corpus', paths: ['~/corpus/'] } });
    await a.invoke('profiles:set-enabled', { name: 'corpus', enabled: true });
    const held = await a.sync();
    const heldPaths = new Set(held.skipped.filter((s) => /holds a secret/.test(s.reason)).map((s) => s.path));
    for (const c of corpus) expect(heldPaths.has(a.path(`corpus/${c.path}`)), c.name).toBe(true);
    for (const c of new Set(corpus.map((x) => x.path))) await a.invoke('secrets:add', { path: `~/corpus/${c}` });
    const all = execFileSync('git', ['-C', remote, 'log', '-p', '--all', '--text'], { maxBuffer: 256 << 20 }).toString('latin1');
    for (const c of corpus) expect(all.includes(c.secret), c.name).toBe(false);

    const b = machine('desk-b', remote, identity);
    await b.open();
    await b.sync();
    await b.invoke('profiles:set-enabled', { name: 'corpus', enabled: true });
    await b.sync();
    for (const c of corpus) {
      expect(b.read(`corpus/${c.path}`), c.name).toBe(a.read(`corpus/${c.path}`));
      expect(statSync(b.path(`corpus/${c.path}`)).mode & 0o077, c.name).toBe(0);
    }
  }, 240_000);
});
